-- Staff administration: an invited user sets their password through a one-time emailed link.

CREATE TABLE staff_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('set_password')),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staff_tokens_user_idx ON staff_tokens (user_id);

---- create above / drop below ----

DROP TABLE IF EXISTS staff_tokens;
