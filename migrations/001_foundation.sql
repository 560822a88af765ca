-- Foundation schema: organisations, staff, jobs and rule sets, candidates (personal columns
-- encrypted by the application), applications, objects, decisions, tokens, emails, audit log.
-- Every row carries org_id and every query filters by it.

CREATE TABLE organisations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL,
    brand_line  text NOT NULL DEFAULT '',
    color       text NOT NULL DEFAULT '#1f5fbf' CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
    logo_url    text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations(id),
    email         text NOT NULL,
    display_name  text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin','recruiter','hiring_manager','interviewer','analyst','integration')),
    password_hash text NOT NULL DEFAULT '',
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, email)
);

CREATE TABLE sessions (
    id_hash     bytea PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organisations(id),
    user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id),
    user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE jobs (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id       uuid NOT NULL REFERENCES organisations(id),
    title        text NOT NULL,
    title_zh     text NOT NULL DEFAULT '',
    description  text NOT NULL DEFAULT '',
    location     text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open','closed')),
    requirements jsonb NOT NULL DEFAULT '{}',
    dimensions   jsonb NOT NULL DEFAULT '[]',
    questions    jsonb NOT NULL DEFAULT '[]',
    timings      jsonb NOT NULL DEFAULT '{}',
    created_by   uuid REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_org_idx ON jobs (org_id, created_at DESC);

-- A rule set belongs to a job; its versions are immutable once published.
CREATE TABLE rule_sets (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id),
    job_id      uuid REFERENCES jobs(id),
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rule_set_versions (
    rule_set_id  uuid NOT NULL REFERENCES rule_sets(id),
    version      int NOT NULL CHECK (version > 0),
    org_id       uuid NOT NULL REFERENCES organisations(id),
    status       text NOT NULL CHECK (status IN ('draft','published')),
    rules        jsonb NOT NULL,   -- {"screening": "expr source", ...}
    hashes       jsonb NOT NULL DEFAULT '{}',
    created_by   uuid REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (rule_set_id, version)
);

CREATE TABLE candidates (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id      uuid NOT NULL REFERENCES organisations(id),
    email_hash  bytea NOT NULL,          -- keyed blind index for lookups, not reversible
    name_enc    bytea NOT NULL,          -- AES-256-GCM, bound to the row id
    email_enc   bytea NOT NULL,
    phone_enc   bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    UNIQUE (org_id, email_hash)
);

CREATE TABLE applications (
    id               uuid PRIMARY KEY,
    org_id           uuid NOT NULL REFERENCES organisations(id),
    job_id           uuid NOT NULL REFERENCES jobs(id),
    candidate_id     uuid NOT NULL REFERENCES candidates(id),
    stage            text NOT NULL,
    status           text NOT NULL DEFAULT 'active',
    rule_set_id      uuid NOT NULL REFERENCES rule_sets(id),
    rule_version     int NOT NULL,
    workflow_id      text NOT NULL UNIQUE,
    language         text NOT NULL DEFAULT 'en' CHECK (language IN ('en','zh')),
    resume_text_enc  bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, job_id, candidate_id)
);
CREATE INDEX applications_org_job_idx ON applications (org_id, job_id, created_at DESC);

-- Stage transitions, for analytics (stage durations, funnel).
CREATE TABLE application_events (
    id              bigserial PRIMARY KEY,
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    stage           text NOT NULL,
    status          text NOT NULL,
    event_key       text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, event_key)
);

CREATE TABLE stored_objects (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid REFERENCES applications(id),
    kind            text NOT NULL CHECK (kind IN ('resume','answer','transcript','report')),
    bucket          text NOT NULL,
    object_key      text NOT NULL,
    content_type    text NOT NULL,
    size_bytes      bigint NOT NULL,
    sha256          text NOT NULL,
    key_enc         bytea NOT NULL,      -- the object's own data key, sealed with the master key
    created_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    UNIQUE (bucket, object_key)
);

CREATE TABLE decisions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    step_key        text NOT NULL,        -- idempotency: one decision per step
    kind            text NOT NULL,
    rule_set_id     uuid,
    rule_version    int,
    rule_name       text NOT NULL DEFAULT '',
    rule_source     text NOT NULL DEFAULT '',
    program_hash    text NOT NULL DEFAULT '',
    inputs          jsonb NOT NULL DEFAULT '{}',
    outcome         text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    decided_by      uuid REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, step_key)
);

CREATE TABLE candidate_tokens (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    purpose         text NOT NULL,
    token_hash      bytea NOT NULL UNIQUE,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    first_used_at   timestamptz,
    last_used_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_tokens_app_idx ON candidate_tokens (application_id, purpose);

-- Outbound mail ledger: the idempotency key makes a retried activity send at most once more
-- only when the previous attempt died between the SMTP hand-off and this row's update.
CREATE TABLE emails (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id           uuid NOT NULL REFERENCES organisations(id),
    application_id   uuid REFERENCES applications(id),
    idempotency_key  text NOT NULL UNIQUE,
    kind             text NOT NULL,
    language         text NOT NULL,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent')),
    message_id       text NOT NULL,
    attempts         int NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    sent_at          timestamptz
);

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    org_id       uuid NOT NULL REFERENCES organisations(id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor_type   text NOT NULL CHECK (actor_type IN ('user','candidate','system')),
    actor_id     text NOT NULL DEFAULT '',
    action       text NOT NULL,
    subject_type text NOT NULL DEFAULT '',
    subject_id   text NOT NULL DEFAULT '',
    detail       jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, at DESC);

-- The audit log is append-only.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

---- create above / drop below ----
DROP TABLE audit_log, emails, candidate_tokens, decisions, stored_objects, application_events,
    applications, candidates, rule_set_versions, rule_sets, jobs, api_tokens, sessions, users, organisations;
DROP FUNCTION audit_log_append_only();
