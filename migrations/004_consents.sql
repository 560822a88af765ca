-- A candidate's consent to recording and processing voice and video, with the notice version
-- they saw. Kept for proof; withdrawal of consent is a deletion request.
CREATE TABLE consents (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES organisations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    purpose         text NOT NULL,
    notice_version  text NOT NULL,
    human_only      boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, purpose, notice_version)
);

---- create above / drop below ----
DROP TABLE consents;
