-- Retention and deletion as workflows, with proof. Each organisation sets how long a closed
-- application's personal data is kept per outcome; a daily Temporal Schedule starts one
-- RetentionWorkflow per due application, which destroys the objects' data keys and deletes
-- the objects, empties the personal columns (keeping decision records without personal data
-- and the pseudonymised analytics), confirms a candidate's deletion request by email, and
-- writes a proof. A legal hold pauses all of it.

CREATE TABLE retention_policies (
    org_id          uuid PRIMARY KEY REFERENCES organisations(id),
    rejected_days   int NOT NULL DEFAULT 30  CHECK (rejected_days BETWEEN 0 AND 3650),
    withdrawn_days  int NOT NULL DEFAULT 7   CHECK (withdrawn_days BETWEEN 0 AND 3650),
    expired_days    int NOT NULL DEFAULT 30  CHECK (expired_days BETWEEN 0 AND 3650),
    declined_days   int NOT NULL DEFAULT 30  CHECK (declined_days BETWEEN 0 AND 3650),
    cancelled_days  int NOT NULL DEFAULT 30  CHECK (cancelled_days BETWEEN 0 AND 3650),
    -- A candidate's deletion request is carried out this many days after it was made (0: at the
    -- next run of the schedule, which runs every hour).
    request_days    int NOT NULL DEFAULT 0   CHECK (request_days BETWEEN 0 AND 30),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE legal_holds (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    placed_by       uuid REFERENCES users(id),
    placed_at       timestamptz NOT NULL DEFAULT now(),
    released_by     uuid REFERENCES users(id),
    released_at     timestamptz
);
CREATE UNIQUE INDEX legal_holds_active_idx ON legal_holds (application_id) WHERE released_at IS NULL;

ALTER TABLE applications ADD COLUMN erased_at timestamptz;

-- The proof of each erasure: what was destroyed (counts, object keys, columns), under which
-- rule, and a digest of that record, also written to the tamper-evident audit log.
CREATE TABLE deletion_proofs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL UNIQUE REFERENCES applications(id),
    reason          text NOT NULL CHECK (reason IN ('retention', 'request')),
    rule            text NOT NULL,
    erased          jsonb NOT NULL,
    digest          text NOT NULL,
    completed_at    timestamptz NOT NULL DEFAULT now()
);

---- create above / drop below ----

DROP TABLE IF EXISTS deletion_proofs, legal_holds, retention_policies;
ALTER TABLE applications DROP COLUMN IF EXISTS erased_at;
