-- The console's board and inbox at volume: each application keeps the mean of its interview
-- scores (kept by a trigger on answer_scores, so the score filter is a column, not a
-- subquery per row), with indexes for the board's stage columns and the inbox's order.

ALTER TABLE applications ADD COLUMN mean_score double precision;

UPDATE applications a SET mean_score = s.avg FROM (SELECT application_id, avg(overall) AS avg FROM answer_scores GROUP BY application_id) s
WHERE s.application_id = a.id;

CREATE FUNCTION applications_mean_score() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    app uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.application_id ELSE NEW.application_id END;
BEGIN
    UPDATE applications SET mean_score = (SELECT avg(overall) FROM answer_scores WHERE application_id = app) WHERE id = app;
    RETURN NULL;
END $$;
CREATE TRIGGER answer_scores_mean AFTER INSERT OR UPDATE OF overall OR DELETE ON answer_scores
    FOR EACH ROW EXECUTE FUNCTION applications_mean_score();

CREATE INDEX answer_scores_app_idx ON answer_scores (application_id);
-- The board's order (newest first, then id) is the indexes' own, so that a page is read off the
-- index in order whatever the plan's estimate: the whole job, or one stage's column.
CREATE INDEX applications_board_idx ON applications (org_id, job_id, created_at DESC, id);
CREATE INDEX applications_job_stage_idx ON applications (org_id, job_id, stage, created_at DESC, id);
CREATE INDEX applications_candidate_idx ON applications (candidate_id);
CREATE INDEX applications_inbox_idx ON applications (org_id, stage, updated_at) WHERE status IN ('active', 'hired');

---- create above / drop below ----

DROP INDEX IF EXISTS applications_inbox_idx;
DROP INDEX IF EXISTS applications_candidate_idx;
DROP INDEX IF EXISTS applications_job_stage_idx;
DROP INDEX IF EXISTS applications_board_idx;
DROP INDEX IF EXISTS answer_scores_app_idx;
DROP TRIGGER IF EXISTS answer_scores_mean ON answer_scores;
DROP FUNCTION IF EXISTS applications_mean_score();
ALTER TABLE applications DROP COLUMN IF EXISTS mean_score;
