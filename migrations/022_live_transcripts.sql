-- Recordings uploaded in pieces while the candidate speaks (MediaRecorder timeslices), and what
-- the scoring worker transcribed of them before the whole recording arrived. A take is one
-- recording attempt (the page draws its ID); pieces are numbered from 0 and joined in order.
-- Pieces' objects are stored_objects of the application (encrypted, erased with it); both tables
-- are emptied for a question once its answer is scored, and for an application when it is erased.
CREATE TABLE recording_pieces (
    org_id         uuid NOT NULL,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question_id    text NOT NULL,
    take           text NOT NULL,
    seq            int  NOT NULL,
    object_id      uuid NOT NULL,
    bytes          int  NOT NULL,
    sha256         bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, question_id, take, seq)
);

CREATE TABLE live_transcripts (
    org_id         uuid NOT NULL,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    question_id    text NOT NULL,
    take           text NOT NULL,
    bytes          bigint NOT NULL,           -- the joined pieces' length the words were decoded from
    prefix_sha256  bytea NOT NULL,            -- their SHA-256: the whole recording must begin with them
    until_s        double precision NOT NULL, -- the words cover the recording up to here
    words          jsonb NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, question_id, take)
);

ALTER TABLE stored_objects DROP CONSTRAINT stored_objects_kind_check;
ALTER TABLE stored_objects ADD CONSTRAINT stored_objects_kind_check CHECK (kind IN ('resume','answer','transcript','report','piece'));
