-- The audit log becomes tamper-evident: each row carries its organisation's sequence number,
-- the hash of the row before it and its own hash, SHA-256(prev_hash || the row's canonical
-- text), set by a trigger under a per-organisation lock so that the chain has one order.
-- UPDATE and DELETE are already refused by audit_log_no_update; a change made around that
-- trigger (as a superuser, or in the files) breaks the chain, and `hireflow audit verify`
-- names the first row where it breaks. Checkpoints, keyed by the server's hash key, pin the
-- chain's head so that a chain recomputed from scratch by someone without the key is caught.

ALTER TABLE audit_log ADD COLUMN seq bigint, ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;

-- The canonical text of a row: every column but the chain's, in a fixed order and format
-- (the time in UTC with microseconds; jsonb's own normalised text).
CREATE FUNCTION audit_row_text(r audit_log) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(E'\x1f', r.id::text, r.org_id::text, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                     r.actor_type, r.actor_id, r.action, r.subject_type, r.subject_id, r.detail::text)
$$;

CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('audit_log:' || NEW.org_id::text, 0));
    SELECT seq, hash INTO last_seq, last_hash FROM audit_log WHERE org_id = NEW.org_id ORDER BY seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '\x'::bytea);
    NEW.hash := digest(NEW.prev_hash || convert_to(audit_row_text(NEW), 'UTF8'), 'sha256');
    RETURN NEW;
END $$;

-- Chain the rows written before this migration, in the order they were written.
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
DO $$
DECLARE
    r audit_log;
    cur_org uuid := NULL;
    n bigint := 0;
    h bytea := '\x';
BEGIN
    FOR r IN SELECT * FROM audit_log ORDER BY org_id, id LOOP
        IF cur_org IS DISTINCT FROM r.org_id THEN
            cur_org := r.org_id; n := 0; h := '\x';
        END IF;
        n := n + 1;
        UPDATE audit_log SET seq = n, prev_hash = h, hash = digest(h || convert_to(audit_row_text(r), 'UTF8'), 'sha256') WHERE id = r.id
        RETURNING hash INTO h;
    END LOOP;
END $$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;

ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL, ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL;
CREATE UNIQUE INDEX audit_log_org_seq_idx ON audit_log (org_id, seq);
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();

-- Signed checkpoints of each organisation's chain head.
CREATE TABLE audit_checkpoints (
    org_id     uuid NOT NULL REFERENCES organisations(id),
    seq        bigint NOT NULL,
    hash       bytea NOT NULL,
    signature  bytea NOT NULL,  -- keyed hash of org, seq and hash under the server's hash key
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, seq)
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

---- create above / drop below ----
DROP TABLE audit_checkpoints;
DROP TRIGGER audit_log_chain ON audit_log;
DROP INDEX audit_log_org_seq_idx;
DROP FUNCTION audit_log_chain();
DROP FUNCTION audit_row_text(audit_log);
ALTER TABLE audit_log DROP COLUMN hash, DROP COLUMN prev_hash, DROP COLUMN seq;
