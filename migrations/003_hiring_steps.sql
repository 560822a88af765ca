-- The lifecycle after the invitation: answers and their scores, live-round feedback, reviews,
-- offers and their approvals, the employee archive, HR webhooks, probation evaluations.

CREATE TABLE answers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    question_id     text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('text', 'video')),
    language        text NOT NULL DEFAULT 'en',
    text_enc        bytea,                       -- typed answers, sealed
    object_id       uuid REFERENCES stored_objects(id),
    idempotency_key text NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answers_app_idx ON answers (application_id, created_at);

CREATE TABLE answer_scores (
    answer_id       uuid PRIMARY KEY REFERENCES answers(id) ON DELETE CASCADE,
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    scores          jsonb NOT NULL,
    overall         double precision NOT NULL,
    flags           jsonb NOT NULL DEFAULT '{}',
    report          jsonb NOT NULL DEFAULT '{}',
    scorer          text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE interview_feedback (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    round           int NOT NULL,
    interviewer_id  uuid NOT NULL REFERENCES users(id),
    ratings         jsonb NOT NULL,
    recommendation  text NOT NULL,
    comment         text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, round, interviewer_id)
);

CREATE TABLE reviews (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    reviewer_id     uuid NOT NULL REFERENCES users(id),
    rating          double precision NOT NULL,
    decision        text NOT NULL,
    reason_code     text NOT NULL DEFAULT '',
    note            text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, reviewer_id)
);

CREATE TABLE offers (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    position        text NOT NULL,
    salary          numeric(14, 2) NOT NULL CHECK (salary > 0),
    currency        text NOT NULL,
    band_min        numeric(14, 2) NOT NULL DEFAULT 0,
    band_max        numeric(14, 2) NOT NULL DEFAULT 0,
    level           int NOT NULL DEFAULT 0,
    department      text NOT NULL DEFAULT '',
    start_date      date NOT NULL,
    expires_at      timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','approving','approved','rejected','timed_out','accepted','declined','expired','withdrawn')),
    response_reason text NOT NULL DEFAULT '',
    created_by      uuid REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    decided_at      timestamptz
);
CREATE INDEX offers_app_idx ON offers (application_id, created_at);

CREATE TABLE approval_decisions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    offer_id        uuid NOT NULL REFERENCES offers(id),
    step            int NOT NULL,
    approver        text NOT NULL,
    user_id         uuid REFERENCES users(id),
    decision        text NOT NULL,
    delegate_to     text NOT NULL DEFAULT '',
    reason_code     text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (offer_id, step, user_id, decision)
);

CREATE TABLE employees (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL UNIQUE REFERENCES applications(id),
    candidate_id    uuid NOT NULL REFERENCES candidates(id),
    offer_id        uuid NOT NULL REFERENCES offers(id),
    position        text NOT NULL,
    start_date      date NOT NULL,
    profile         jsonb NOT NULL,              -- interview scores, highlights, reviewer notes
    form_enc        bytea NOT NULL,              -- prefilled onboarding form, sealed
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org_webhooks (
    org_id          uuid PRIMARY KEY REFERENCES organisations(id),
    url             text NOT NULL,
    secret_enc      bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    idempotency_key text NOT NULL UNIQUE,
    event           text NOT NULL,
    status_code     int NOT NULL DEFAULT 0,
    attempts        int NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE probation_evaluations (
    application_id  uuid PRIMARY KEY REFERENCES applications(id),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    manager_id      uuid REFERENCES users(id),
    outcome         text NOT NULL CHECK (outcome IN ('pass', 'extend', 'fail')),
    rating          int NOT NULL,
    interview_overall double precision,
    created_at      timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE applications ADD COLUMN human_only boolean NOT NULL DEFAULT false;

---- create above / drop below ----
ALTER TABLE applications DROP COLUMN human_only;
DROP TABLE probation_evaluations, webhook_deliveries, org_webhooks, employees, approval_decisions, offers, reviews,
    interview_feedback, answer_scores, answers;
