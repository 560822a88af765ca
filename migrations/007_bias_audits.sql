-- Bias audits of the automated decision points, kept as they were computed: rows are never
-- updated or deleted.
CREATE TABLE bias_audits (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES organisations(id),
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,
    rule_versions jsonb NOT NULL DEFAULT '{}',   -- decision point → rule set versions in force
    report        jsonb NOT NULL,                -- rules.AuditReport
    below         int NOT NULL DEFAULT 0,        -- groups under the four-fifths threshold
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'on_demand')),
    run_key       text NOT NULL UNIQUE,          -- the workflow run: a retried activity stores it once
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (period_start < period_end)
);
CREATE INDEX bias_audits_org_idx ON bias_audits (org_id, created_at DESC);

CREATE FUNCTION bias_audits_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'bias audits are immutable' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER bias_audits_immutable BEFORE UPDATE OR DELETE ON bias_audits
    FOR EACH ROW EXECUTE FUNCTION bias_audits_immutable();

ALTER TABLE bias_audits ENABLE ROW LEVEL SECURITY;
CREATE POLICY org_scope ON bias_audits FOR SELECT
    USING ((SELECT analytics_unrestricted()) OR org_id IN (SELECT g.org_id FROM analytics_grants g WHERE g.role_name = session_user));
GRANT SELECT ON bias_audits TO hireflow_analytics_owner;
-- application_groups stays out of every view: only the audit reads it.

CREATE VIEW analytics.bias_audits AS
SELECT id, org_id, period_start, period_end, rule_versions, report, below, trigger, created_at FROM bias_audits;
ALTER VIEW analytics.bias_audits OWNER TO hireflow_analytics_owner;
GRANT SELECT ON analytics.bias_audits TO hireflow_analysts;

---- create above / drop below ----
DROP VIEW analytics.bias_audits;
DROP TABLE bias_audits;
DROP FUNCTION bias_audits_immutable();
