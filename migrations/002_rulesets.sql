-- Rule sets: pipeline templates beside the rules, who published and why the bias gate was
-- overridden, organisation defaults (job_id NULL), and voluntary self-identified groups used
-- only for bias audits (never by rules).

ALTER TABLE rule_set_versions
    ADD COLUMN pipeline        jsonb,
    ADD COLUMN published_by    uuid REFERENCES users(id),
    ADD COLUMN override_reason text NOT NULL DEFAULT '',
    ADD COLUMN simulation      jsonb;

-- At most one draft per rule set.
CREATE UNIQUE INDEX rule_set_versions_one_draft ON rule_set_versions (rule_set_id) WHERE status = 'draft';
CREATE UNIQUE INDEX rule_sets_org_default ON rule_sets (org_id) WHERE job_id IS NULL;

-- Published versions are immutable.
CREATE FUNCTION rule_set_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'published rule set versions are immutable';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER rule_set_versions_no_change BEFORE UPDATE OR DELETE ON rule_set_versions
    FOR EACH ROW EXECUTE FUNCTION rule_set_versions_immutable();

CREATE TABLE application_groups (
    application_id  uuid PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    org_id          uuid NOT NULL REFERENCES organisations(id),
    sex             text NOT NULL DEFAULT '' CHECK (sex IN ('', 'female', 'male', 'other', 'undisclosed')),
    age_band        text NOT NULL DEFAULT '' CHECK (age_band IN ('', 'under_25', '25_39', '40_54', '55_plus', 'undisclosed')),
    region          text NOT NULL DEFAULT '' CHECK (length(region) <= 40),
    race_ethnicity  text NOT NULL DEFAULT '' CHECK (length(race_ethnicity) <= 60)
);

CREATE INDEX decisions_org_kind_idx ON decisions (org_id, kind, created_at);

---- create above / drop below ----
DROP TABLE application_groups;
DROP INDEX decisions_org_kind_idx;
DROP TRIGGER rule_set_versions_no_change ON rule_set_versions;
DROP FUNCTION rule_set_versions_immutable();
DROP INDEX rule_sets_org_default;
DROP INDEX rule_set_versions_one_draft;
ALTER TABLE rule_set_versions DROP COLUMN pipeline, DROP COLUMN published_by, DROP COLUMN override_reason, DROP COLUMN simulation;
