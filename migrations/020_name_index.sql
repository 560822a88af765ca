-- A keyed blind index of each candidate's name (normalised: case, width and spacing), so the
-- board finds a candidate by their whole name without reading any plaintext. Candidates who
-- applied before it have none (they are found by email).
ALTER TABLE candidates ADD COLUMN name_hash bytea;
CREATE INDEX candidates_org_name_hash ON candidates (org_id, name_hash) WHERE name_hash IS NOT NULL;
