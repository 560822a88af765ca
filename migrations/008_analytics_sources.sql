-- Analytics, second part: where applications come from (the funnel by source), who an SLA
-- reminder went to (breaches by person), whether the candidate came to a live round (show-up),
-- job families (the audit's public summary), self-identification collected under its own
-- consent and stored sealed, and where an organisation's audit alerts go.

-- The source of an application: a short code the careers page, a job board link or a referral
-- carries (?source=…); '' when none was given.
ALTER TABLE applications ADD COLUMN source text NOT NULL DEFAULT '' CHECK (source ~ '^[a-z0-9_.-]{0,40}$');

ALTER TABLE funnel_counts ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE funnel_counts DROP CONSTRAINT funnel_counts_pkey;
ALTER TABLE funnel_counts ADD PRIMARY KEY (org_id, job_id, source, language, month, event_key);

CREATE OR REPLACE FUNCTION application_events_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH closed AS (
        UPDATE application_events e SET left_at = n.at
        FROM (SELECT DISTINCT ON (application_id) application_id, id, at FROM new_rows
              WHERE left_at IS NULL ORDER BY application_id, at DESC, id DESC) n
        WHERE e.application_id = n.application_id AND e.left_at IS NULL AND e.id <> n.id AND e.at <= n.at
        RETURNING e.org_id, e.job_id, e.stage),
    counted AS (
        SELECT org_id, job_id, stage FROM closed
        UNION ALL SELECT org_id, job_id, stage FROM new_rows WHERE left_at IS NOT NULL)
    INSERT INTO stage_counts AS c
    SELECT org_id, job_id, stage, count(*) FROM counted WHERE job_id IS NOT NULL GROUP BY 1, 2, 3
    ON CONFLICT (org_id, job_id, stage) DO UPDATE SET closed = c.closed + excluded.closed;
    INSERT INTO funnel_counts AS f (org_id, job_id, source, language, month, event_key, applications)
    SELECT r.org_id, r.job_id, a.source, a.language, date_trunc('month', a.created_at), r.event_key, count(*)
    FROM new_rows r JOIN applications a ON a.id = r.application_id
    WHERE funnel_event(r.event_key)
    GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (org_id, job_id, source, language, month, event_key) DO UPDATE SET applications = f.applications + excluded.applications;
    RETURN NULL;
END $$;

-- The funnel's "accepted" step: an offer the candidate accepted, counted once per application
-- when the offer's status becomes accepted (kept like the other steps' counts).
CREATE FUNCTION offers_accepted_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'accepted' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'accepted')
       AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.application_id = NEW.application_id AND o.status = 'accepted' AND o.id <> NEW.id) THEN
        INSERT INTO funnel_counts AS f (org_id, job_id, source, language, month, event_key, applications)
        SELECT a.org_id, a.job_id, a.source, a.language, date_trunc('month', a.created_at), 'offer_accepted', 1
        FROM applications a WHERE a.id = NEW.application_id
        ON CONFLICT (org_id, job_id, source, language, month, event_key) DO UPDATE SET applications = f.applications + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER offers_accepted_count AFTER INSERT OR UPDATE OF status ON offers FOR EACH ROW EXECUTE FUNCTION offers_accepted_count();
INSERT INTO funnel_counts (org_id, job_id, source, language, month, event_key, applications)
SELECT a.org_id, a.job_id, a.source, a.language, date_trunc('month', a.created_at), 'offer_accepted', count(DISTINCT a.id)
FROM offers o JOIN applications a ON a.id = o.application_id WHERE o.status = 'accepted'
GROUP BY 1, 2, 3, 4, 5;

CREATE OR REPLACE VIEW analytics.funnel_steps (position, step, event_key) AS VALUES
    (1, 'applied', 'applied'), (2, 'screened', 'screened'), (3, 'invited', 'invited'),
    (4, 'interviewed', 'interview'), (5, 'reviewed', 'reviewed'), (6, 'offered', 'offer'),
    (7, 'accepted', 'offer_accepted'), (8, 'hired', 'onboarded'), (9, 'completed_probation', 'completed');

-- The staff member a notice went to (SLA breaches by person); NULL for candidates' emails.
ALTER TABLE emails ADD COLUMN recipient_user_id uuid REFERENCES users(id);

-- Whether the candidate came to the live round (false: a no-show, given without ratings).
ALTER TABLE interview_feedback ADD COLUMN attended boolean NOT NULL DEFAULT true;

-- A job family groups jobs for the audit's public summary ('' = the job's own title).
ALTER TABLE jobs ADD COLUMN family text NOT NULL DEFAULT '' CHECK (length(family) <= 80);

-- Self-identification: given only with its own consent (consented_at), stored sealed under the
-- master key (the groups of rows written before this migration stay in the plain columns).
ALTER TABLE application_groups ADD COLUMN groups_enc bytea;
ALTER TABLE application_groups ADD COLUMN consented_at timestamptz;

-- Where an organisation's bias-audit alerts go besides its admins' email: a chat robot
-- (DingTalk, WeCom or Feishu), its webhook address and signing secret sealed; and whether the
-- latest audit's summary is published on /audits/{slug}.
ALTER TABLE organisations ADD COLUMN alert_chat_kind text NOT NULL DEFAULT '' CHECK (alert_chat_kind IN ('', 'dingtalk', 'wecom', 'feishu'));
ALTER TABLE organisations ADD COLUMN alert_chat_enc bytea;
ALTER TABLE organisations ADD COLUMN audit_published boolean NOT NULL DEFAULT false;

-- Alerts raised by audits, one per audit and channel (a retried activity sends each once).
CREATE TABLE audit_alerts (
    audit_id   uuid NOT NULL REFERENCES bias_audits(id),
    org_id     uuid NOT NULL REFERENCES organisations(id),
    channel    text NOT NULL,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (audit_id, channel)
);

-- Calibration proposals written into draft rule set versions, with their evidence.
CREATE TABLE calibration_proposals (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations(id),
    job_id        uuid NOT NULL REFERENCES jobs(id),
    rule_set_id   uuid NOT NULL REFERENCES rule_sets(id),
    draft_version int NOT NULL,
    evidence      jsonb NOT NULL,     -- rules.Calibration: n, ρ and intervals, proposed weights
    simulation    jsonb,              -- the draft's simulation and bias gate
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
    created_by    uuid REFERENCES users(id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calibration_proposals_job_idx ON calibration_proposals (org_id, job_id, created_at DESC);

ALTER TABLE interview_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY org_scope ON interview_feedback FOR SELECT
    USING ((SELECT analytics_unrestricted()) OR org_id IN (SELECT g.org_id FROM analytics_grants g WHERE g.role_name = session_user));
GRANT SELECT ON interview_feedback TO hireflow_analytics_owner;

-- New columns go last: CREATE OR REPLACE VIEW may only add columns.
CREATE OR REPLACE VIEW analytics.applications AS
SELECT a.org_id,
       analytics.pseudonym(a.org_id, a.id)           AS application,
       analytics.pseudonym(a.org_id, a.candidate_id) AS candidate,
       a.job_id, j.title AS job_title, a.language, a.stage, a.status,
       a.rule_set_id, a.rule_version, a.human_only, a.created_at AS applied_at, a.updated_at,
       a.source, coalesce(nullif(j.family, ''), j.title) AS job_family
FROM applications a JOIN jobs j ON j.id = a.job_id;

CREATE OR REPLACE VIEW analytics.funnel AS
SELECT c.org_id, c.job_id, c.language, c.month, s.position, s.step, c.applications, c.source
FROM funnel_counts c JOIN analytics.funnel_steps s ON s.event_key = c.event_key;

-- SLA breaches by the person the reminder or escalation went to, per ISO week.
CREATE VIEW analytics.sla_breaches_by_person AS
SELECT m.org_id, a.job_id, analytics.pseudonym(m.org_id, m.recipient_user_id) AS person, m.kind,
       date_trunc('week', m.created_at) AS week, count(*) AS reminders
FROM emails m JOIN applications a ON a.id = m.application_id
WHERE m.recipient_user_id IS NOT NULL
  AND m.kind IN ('hold_sla', 'feedback_reminder', 'review_reminder', 'offer_draft_reminder', 'approval_reminder',
                 'probation_reminder', 'escalation')
GROUP BY m.org_id, a.job_id, m.recipient_user_id, m.kind, date_trunc('week', m.created_at);

-- Live rounds with feedback: whether the candidate came (any interviewer saw them), per round.
CREATE VIEW analytics.live_rounds AS
SELECT f.org_id, analytics.pseudonym(f.org_id, f.application_id) AS application, a.job_id, f.round,
       bool_or(f.attended) AS attended, min(f.created_at) AS first_feedback_at, count(*) AS feedback
FROM interview_feedback f JOIN applications a ON a.id = f.application_id
GROUP BY f.org_id, f.application_id, a.job_id, f.round;

-- Interviewer load: feedback given per interviewer and ISO week.
CREATE VIEW analytics.interviewer_load AS
SELECT f.org_id, a.job_id, analytics.pseudonym(f.org_id, f.interviewer_id) AS interviewer,
       date_trunc('week', f.created_at) AS week, count(*) AS rounds
FROM interview_feedback f JOIN applications a ON a.id = f.application_id
GROUP BY f.org_id, a.job_id, f.interviewer_id, date_trunc('week', f.created_at);

ALTER VIEW analytics.sla_breaches_by_person OWNER TO hireflow_analytics_owner;
ALTER VIEW analytics.live_rounds OWNER TO hireflow_analytics_owner;
ALTER VIEW analytics.interviewer_load OWNER TO hireflow_analytics_owner;
GRANT SELECT ON analytics.sla_breaches_by_person, analytics.live_rounds, analytics.interviewer_load TO hireflow_analysts;

---- create above / drop below ----
DROP TRIGGER offers_accepted_count ON offers;
DROP FUNCTION offers_accepted_count();
DROP VIEW analytics.interviewer_load;
DROP VIEW analytics.live_rounds;
DROP VIEW analytics.sla_breaches_by_person;
DROP POLICY org_scope ON interview_feedback;
ALTER TABLE interview_feedback DISABLE ROW LEVEL SECURITY;
DROP TABLE calibration_proposals;
DROP TABLE audit_alerts;
ALTER TABLE organisations DROP COLUMN audit_published, DROP COLUMN alert_chat_enc, DROP COLUMN alert_chat_kind;
ALTER TABLE application_groups DROP COLUMN consented_at, DROP COLUMN groups_enc;
ALTER TABLE jobs DROP COLUMN family;
ALTER TABLE interview_feedback DROP COLUMN attended;
ALTER TABLE emails DROP COLUMN recipient_user_id;
