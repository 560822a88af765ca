-- Analytics: read-only, pseudonymised views in their own schema, scoped to organisations by
-- row-level security, for analysts who connect with psql, Metabase or Excel.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- The funnel and stage times read events alone: each event knows its job and, once the
-- application moved on, when it left the stage (kept by a trigger, so every writer agrees).
ALTER TABLE application_events ADD COLUMN job_id uuid;
ALTER TABLE application_events ADD COLUMN left_at timestamptz;
ALTER TABLE application_events ADD COLUMN seconds_in_stage double precision
    GENERATED ALWAYS AS (extract(epoch FROM (left_at - at))) STORED;
UPDATE application_events e SET job_id = a.job_id FROM applications a WHERE a.id = e.application_id;
UPDATE application_events e SET left_at = n.next_at
    FROM (SELECT id, lead(at) OVER (PARTITION BY application_id ORDER BY at, id) AS next_at FROM application_events) n
    WHERE n.id = e.id AND n.next_at IS NOT NULL;
CREATE INDEX application_events_open_idx ON application_events (application_id) WHERE left_at IS NULL;
-- Percentiles of time in stage are read by position in these (analytics.stage_percentile).
CREATE INDEX application_events_duration_idx ON application_events (org_id, stage, seconds_in_stage) WHERE left_at IS NOT NULL;
CREATE INDEX application_events_job_duration_idx ON application_events (org_id, job_id, stage, seconds_in_stage) WHERE left_at IS NOT NULL;

-- The funnel's counts, kept with the events (one row per organisation, job, language, month of
-- application and event): the funnel reads a few hundred rows, not every event.
CREATE TABLE funnel_counts (
    org_id       uuid NOT NULL,
    job_id       uuid NOT NULL,
    language     text NOT NULL,
    month        timestamptz NOT NULL,
    event_key    text NOT NULL,
    applications bigint NOT NULL,
    PRIMARY KEY (org_id, job_id, language, month, event_key)
);
-- How many events of each stage are closed (have a time in stage), kept with the events: the
-- percentiles of time in stage are read by position in the duration index once n is known.
CREATE TABLE stage_counts (
    org_id uuid NOT NULL,
    job_id uuid NOT NULL,
    stage  text NOT NULL,
    closed bigint NOT NULL,
    PRIMARY KEY (org_id, job_id, stage)
);
INSERT INTO stage_counts SELECT org_id, job_id, stage, count(*) FROM application_events
WHERE left_at IS NOT NULL AND job_id IS NOT NULL GROUP BY 1, 2, 3;

-- The funnel's events (the same list as analytics.funnel_steps).
CREATE FUNCTION funnel_event(key text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT key IN ('applied', 'screened', 'invited', 'interview', 'reviewed', 'offer', 'onboarded', 'completed')
$$;
INSERT INTO funnel_counts
SELECT e.org_id, e.job_id, a.language, date_trunc('month', a.created_at), e.event_key, count(*)
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE funnel_event(e.event_key)
GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION application_events_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.job_id IS NULL THEN
        SELECT job_id INTO NEW.job_id FROM applications WHERE id = NEW.application_id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER application_events_job BEFORE INSERT ON application_events
    FOR EACH ROW EXECUTE FUNCTION application_events_job();
-- After each statement (a COPY of a million rows is one UPDATE): an application's open events
-- other than its newest open one are closed at the newest one's time. Rows not inserted (ON
-- CONFLICT DO NOTHING) are not in new_rows; rows inserted already closed close nothing.
CREATE FUNCTION application_events_left() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO funnel_counts AS f
    SELECT r.org_id, r.job_id, a.language, date_trunc('month', a.created_at), r.event_key, count(*)
    FROM new_rows r JOIN applications a ON a.id = r.application_id
    WHERE funnel_event(r.event_key)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (org_id, job_id, language, month, event_key) DO UPDATE SET applications = f.applications + excluded.applications;
    RETURN NULL;
END $$;
CREATE TRIGGER application_events_left AFTER INSERT ON application_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION application_events_left();

-- Stable per-organisation pseudonyms: an HMAC of the ID under the organisation's own key, which
-- no analyst can read.
CREATE TABLE pseudonym_keys (
    org_id uuid PRIMARY KEY REFERENCES organisations(id),
    key    bytea NOT NULL DEFAULT gen_random_bytes(32)
);
INSERT INTO pseudonym_keys (org_id) SELECT id FROM organisations ON CONFLICT DO NOTHING;
CREATE FUNCTION organisations_pseudonym_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pseudonym_keys (org_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NEW;
END $$;
CREATE TRIGGER organisations_pseudonym_key AFTER INSERT ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisations_pseudonym_key();

-- Which database roles read which organisation. Analyst logins are members of
-- hireflow_analysts (hireflow analytics grant creates them).
CREATE TABLE analytics_grants (
    role_name  text NOT NULL,
    org_id     uuid NOT NULL REFERENCES organisations(id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (role_name, org_id)
);
DO $$ BEGIN
    CREATE ROLE hireflow_analysts NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Row-level security. The analytics views belong to hireflow_analytics_owner, which owns no
-- table and bypasses nothing, so the policies apply to every read through them, and the
-- session's login decides: a login that is not an analyst (the application itself) sees every
-- row (it scopes by organisation in every query), an analyst the organisations granted to it.
-- The application, as the tables' owner, is not affected by the policies.
DO $$ BEGIN
    CREATE ROLE hireflow_analytics_owner NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
GRANT hireflow_analytics_owner TO CURRENT_USER;
-- Evaluated once per query (the policy calls it through a scalar subquery; the grants are an
-- uncorrelated subquery, hashed once).
-- Membership is read directly (pg_has_role counts a superuser as a member of every role).
CREATE FUNCTION analytics_unrestricted() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
        WHERE g.rolname = 'hireflow_analysts' AND u.rolname = session_user)
$$;
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['jobs', 'applications', 'application_events', 'decisions', 'answer_scores',
                             'reviews', 'offers', 'probation_evaluations', 'funnel_counts', 'stage_counts', 'emails', 'answers']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY org_scope ON %I FOR SELECT USING ((SELECT analytics_unrestricted()) OR org_id IN (SELECT g.org_id FROM analytics_grants g WHERE g.role_name = session_user))', t);
        EXECUTE format('GRANT SELECT ON %I TO hireflow_analytics_owner', t);
    END LOOP;
END $$;

CREATE SCHEMA analytics;

-- percentile_cont's interpolation between the two values around fractional position h (v holds
-- the values at floor(h) and the one after).
CREATE FUNCTION analytics_interpolate(v double precision[], h double precision) RETURNS double precision
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN NULL WHEN cardinality(v) < 2 THEN v[1]
                ELSE v[1] + (h - floor(h)) * (v[2] - v[1]) END
$$;

CREATE FUNCTION analytics.pseudonym(org uuid, id uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT substr(encode(hmac(convert_to(id::text, 'UTF8'), k.key, 'sha256'), 'hex'), 1, 16)
    FROM pseudonym_keys k WHERE k.org_id = org
        AND (analytics_unrestricted() OR org IN (SELECT g.org_id FROM analytics_grants g WHERE g.role_name = session_user))
$$;
-- Callers of the views call it too; it answers only for organisations the login may read.
REVOKE EXECUTE ON FUNCTION analytics.pseudonym(uuid, uuid) FROM PUBLIC;

-- One row per application: no name, email, phone, résumé or free text.
CREATE VIEW analytics.applications AS
SELECT a.org_id,
       analytics.pseudonym(a.org_id, a.id)           AS application,
       analytics.pseudonym(a.org_id, a.candidate_id) AS candidate,
       a.job_id, j.title AS job_title, a.language, a.stage, a.status,
       a.rule_set_id, a.rule_version, a.human_only, a.created_at AS applied_at, a.updated_at
FROM applications a JOIN jobs j ON j.id = a.job_id;

-- Every stage an application entered, when, and when it left it.
CREATE VIEW analytics.events AS
SELECT e.org_id, analytics.pseudonym(e.org_id, e.application_id) AS application, e.job_id,
       e.event_key, e.stage, e.status, e.at, e.left_at, e.seconds_in_stage
FROM application_events e;

-- Every decision: which rule and version, the outcome; inputs are left out (some are facts
-- drawn from the résumé).
CREATE VIEW analytics.decisions AS
SELECT d.org_id, analytics.pseudonym(d.org_id, d.application_id) AS application, a.job_id,
       d.kind, d.rule_set_id, d.rule_version, d.rule_name, d.program_hash, d.outcome,
       d.decided_by IS NOT NULL AS by_person, d.created_at AS decided_at
FROM decisions d JOIN applications a ON a.id = d.application_id;

-- Answer scores per dimension (the transcript and evidence stay out).
CREATE VIEW analytics.scores AS
SELECT s.org_id, analytics.pseudonym(s.org_id, s.application_id) AS application, a.job_id,
       s.overall, s.scores, s.flags, s.scorer, s.created_at AS scored_at
FROM answer_scores s JOIN applications a ON a.id = s.application_id;

-- Reviews without their notes.
CREATE VIEW analytics.reviews AS
SELECT r.org_id, analytics.pseudonym(r.org_id, r.application_id) AS application, a.job_id,
       analytics.pseudonym(r.org_id, r.reviewer_id) AS reviewer, r.rating, r.decision, r.reason_code, r.created_at AS reviewed_at
FROM reviews r JOIN applications a ON a.id = r.application_id;

-- Offers without pay: status, level, currency, the candidate's reason for declining.
CREATE VIEW analytics.offers AS
SELECT o.org_id, analytics.pseudonym(o.org_id, o.application_id) AS application, a.job_id,
       o.level, o.currency, o.status, o.response_reason, o.created_at AS drafted_at, o.decided_at
FROM offers o JOIN applications a ON a.id = o.application_id;

-- Probation outcomes beside the interview score they are calibrated against.
CREATE VIEW analytics.probation AS
SELECT p.org_id, analytics.pseudonym(p.org_id, p.application_id) AS application, a.job_id,
       p.outcome, p.rating, p.interview_overall, p.created_at AS evaluated_at
FROM probation_evaluations p JOIN applications a ON a.id = p.application_id;

-- The funnel steps: which event marks reaching each step, in order.
CREATE VIEW analytics.funnel_steps (position, step, event_key) AS VALUES
    (1, 'applied', 'applied'), (2, 'screened', 'screened'), (3, 'invited', 'invited'),
    (4, 'interviewed', 'interview'), (5, 'reviewed', 'reviewed'), (6, 'offered', 'offer'),
    (7, 'hired', 'onboarded'), (8, 'completed_probation', 'completed');

-- How many applications reached each step, per organisation, job, language and month applied.
CREATE VIEW analytics.funnel AS
SELECT c.org_id, c.job_id, c.language, c.month, s.position, s.step, c.applications
FROM funnel_counts c JOIN analytics.funnel_steps s ON s.event_key = c.event_key;

-- How many applications left each stage (the n of its percentiles).
CREATE VIEW analytics.stage_totals AS
SELECT org_id, job_id, stage, closed AS applications FROM stage_counts;

-- Time in each stage (p50, p90 seconds), for applications that left it.
CREATE VIEW analytics.stage_durations AS
SELECT e.org_id, e.job_id, e.stage, count(*) AS applications,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY e.seconds_in_stage) AS p50_seconds,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY e.seconds_in_stage) AS p90_seconds
FROM application_events e
WHERE e.left_at IS NOT NULL
GROUP BY e.org_id, e.job_id, e.stage;

-- Offers by how the candidate answered: acceptance is accepted over answered (accepted,
-- declined, expired); the decline reasons are the candidates' codes.
CREATE VIEW analytics.offer_outcomes AS
SELECT o.org_id, a.job_id, date_trunc('month', coalesce(o.decided_at, o.created_at)) AS month, o.status, o.response_reason, count(*) AS offers
FROM offers o JOIN applications a ON a.id = o.application_id
WHERE o.status IN ('accepted', 'declined', 'expired', 'withdrawn')
GROUP BY 1, 2, 3, 4, 5;

-- Time to hire: from applying to onboarding, per hire.
CREATE VIEW analytics.hires AS
SELECT e.org_id, analytics.pseudonym(e.org_id, e.application_id) AS application, e.job_id,
       a.created_at AS applied_at, e.at AS hired_at, extract(epoch FROM (e.at - a.created_at)) AS seconds_to_hire
FROM application_events e JOIN applications a ON a.id = e.application_id
WHERE e.event_key = 'onboarded';

-- Reviews per reviewer and ISO week.
CREATE VIEW analytics.reviewer_load AS
SELECT r.org_id, a.job_id, analytics.pseudonym(r.org_id, r.reviewer_id) AS reviewer, date_trunc('week', r.created_at) AS week, count(*) AS reviews
FROM reviews r JOIN applications a ON a.id = r.application_id
GROUP BY r.org_id, a.job_id, r.reviewer_id, date_trunc('week', r.created_at);

-- SLA breaches: every reminder and escalation the workflows sent, by kind and ISO week.
CREATE VIEW analytics.sla_breaches AS
SELECT m.org_id, a.job_id, m.kind, date_trunc('week', m.created_at) AS week, count(*) AS reminders
FROM emails m JOIN applications a ON a.id = m.application_id
WHERE m.kind IN ('hold_sla', 'feedback_reminder', 'review_reminder', 'offer_draft_reminder', 'approval_reminder',
                 'probation_reminder', 'escalation')
GROUP BY m.org_id, a.job_id, m.kind, date_trunc('week', m.created_at);

-- From a candidate's last answer to the last score of the interview (the report is complete).
CREATE VIEW analytics.report_times AS
SELECT a.org_id, analytics.pseudonym(a.org_id, a.id) AS application, a.job_id,
       max(an.created_at) AS last_answer_at, max(s.created_at) AS report_at,
       extract(epoch FROM (max(s.created_at) - max(an.created_at))) AS seconds_to_report
FROM applications a JOIN answers an ON an.application_id = a.id JOIN answer_scores s ON s.answer_id = an.id
GROUP BY a.org_id, a.id, a.job_id;

GRANT SELECT ON analytics_grants TO hireflow_analytics_owner;
GRANT USAGE ON SCHEMA analytics TO hireflow_analytics_owner, hireflow_analysts;
GRANT EXECUTE ON FUNCTION analytics.pseudonym(uuid, uuid) TO hireflow_analytics_owner, hireflow_analysts;
DO $$
DECLARE v text;
BEGIN
    FOR v IN SELECT table_name FROM information_schema.views WHERE table_schema = 'analytics'
    LOOP
        EXECUTE format('ALTER VIEW analytics.%I OWNER TO hireflow_analytics_owner', v);
    END LOOP;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO hireflow_analysts;
GRANT EXECUTE ON FUNCTION analytics.pseudonym(uuid, uuid) TO hireflow_analysts;
REVOKE ALL ON SCHEMA public FROM hireflow_analysts;

---- create above / drop below ----
DROP SCHEMA analytics CASCADE;
DO $$ DECLARE t text; BEGIN
    FOREACH t IN ARRAY string_to_array('jobs,applications,application_events,decisions,answer_scores,reviews,offers,probation_evaluations,funnel_counts,stage_counts,emails,answers', ',') LOOP
        EXECUTE format('DROP POLICY IF EXISTS org_scope ON %1$I; ALTER TABLE %1$I DISABLE ROW LEVEL SECURITY; REVOKE SELECT ON %1$I FROM hireflow_analytics_owner', t);
    END LOOP;
END $$;
DROP FUNCTION analytics_unrestricted();
DROP FUNCTION analytics_interpolate(double precision[], double precision);
DROP TABLE analytics_grants;
DROP TRIGGER organisations_pseudonym_key ON organisations;
DROP FUNCTION organisations_pseudonym_key();
DROP TABLE pseudonym_keys;
DROP TRIGGER application_events_left ON application_events;
DROP FUNCTION application_events_left();
DROP TRIGGER application_events_job ON application_events;
DROP FUNCTION application_events_job();
DROP TABLE stage_counts;
DROP TABLE funnel_counts;
DROP FUNCTION funnel_event(text);
ALTER TABLE application_events DROP COLUMN seconds_in_stage, DROP COLUMN left_at, DROP COLUMN job_id;
