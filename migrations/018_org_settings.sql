-- Organisation settings HR edits in the console: default timings (used when neither the job nor
-- its rule set names a wait) and departments with their managers (the "department_manager"
-- approver of an approval chain).

ALTER TABLE organisations ADD COLUMN default_timings jsonb NOT NULL DEFAULT '{}';

CREATE TABLE departments (
    org_id      uuid NOT NULL REFERENCES organisations(id),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    manager_id  uuid REFERENCES users(id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, name)
);

-- A job's offer terms: the salary band, currency, level and department an offer starts from
-- and is checked against.
ALTER TABLE jobs ADD COLUMN offer_terms jsonb NOT NULL DEFAULT '{}';

---- create above / drop below ----

ALTER TABLE jobs DROP COLUMN IF EXISTS offer_terms;
DROP TABLE IF EXISTS departments;
ALTER TABLE organisations DROP COLUMN IF EXISTS default_timings;
