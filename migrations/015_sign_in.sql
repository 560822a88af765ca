-- Sign-in hardening: a TOTP second factor with one-time recovery codes for local accounts,
-- lock-out after repeated failures, sessions a user can list and end everywhere, and
-- OpenID Connect providers per organisation (users matched or provisioned by email).

ALTER TABLE users
    ADD COLUMN totp_secret_enc  bytea,        -- sealed; pending until totp_enabled_at is set
    ADD COLUMN totp_enabled_at  timestamptz,
    ADD COLUMN failed_logins    int NOT NULL DEFAULT 0,
    ADD COLUMN locked_until     timestamptz,
    ADD COLUMN oidc_subject     text;
CREATE UNIQUE INDEX users_oidc_subject_idx ON users (org_id, oidc_subject) WHERE oidc_subject IS NOT NULL;

CREATE TABLE recovery_codes (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL UNIQUE,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id);

ALTER TABLE sessions
    ADD COLUMN id           uuid NOT NULL DEFAULT gen_random_uuid(),  -- shown in the session list (never the secret)
    ADD COLUMN user_agent   text NOT NULL DEFAULT '',
    ADD COLUMN method       text NOT NULL DEFAULT 'password',          -- password | totp | recovery_code | oidc
    ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE oidc_providers (
    org_id            uuid PRIMARY KEY REFERENCES organisations(id),
    issuer            text NOT NULL,
    client_id         text NOT NULL,
    client_secret_enc bytea NOT NULL,
    role_claim        text NOT NULL DEFAULT 'hireflow_role',
    role_map          jsonb NOT NULL DEFAULT '{}',   -- claim value -> role
    default_role      text NOT NULL DEFAULT '' CHECK (default_role IN ('', 'recruiter', 'hiring_manager', 'interviewer', 'analyst')),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE IF EXISTS oidc_providers, recovery_codes;
DROP INDEX IF EXISTS sessions_user_idx;
ALTER TABLE sessions DROP COLUMN IF EXISTS id, DROP COLUMN IF EXISTS user_agent, DROP COLUMN IF EXISTS method, DROP COLUMN IF EXISTS last_seen_at;
DROP INDEX IF EXISTS users_oidc_subject_idx;
ALTER TABLE users DROP COLUMN IF EXISTS totp_secret_enc, DROP COLUMN IF EXISTS totp_enabled_at, DROP COLUMN IF EXISTS failed_logins,
    DROP COLUMN IF EXISTS locked_until, DROP COLUMN IF EXISTS oidc_subject;
