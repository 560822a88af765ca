-- Per-owner data keys: each application's sealed columns (résumé text, typed answers,
-- self-identification) and each candidate's contact (name, email, phone) are sealed under the
-- owner's own key, itself sealed by the master key. Erasure destroys the key first, so copies
-- of the ciphertext in backups or replicas become unreadable. Rows sealed before this migration
-- stay under the master key (and are emptied on erasure).
CREATE TABLE data_keys (
    owner_type   text NOT NULL CHECK (owner_type IN ('application', 'candidate')),
    owner_id     uuid NOT NULL,
    org_id       uuid NOT NULL REFERENCES organisations(id),
    key_enc      bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    PRIMARY KEY (owner_type, owner_id)
);

---- create above / drop below ----

DROP TABLE IF EXISTS data_keys;
