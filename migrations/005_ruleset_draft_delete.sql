-- Fix: the immutability trigger returned NEW on DELETE. NEW is NULL there, so PostgreSQL
-- silently skipped the delete of a draft and saving the draft a second time collided with
-- rule_set_versions_one_draft. Return OLD for DELETE so drafts can be replaced; published
-- versions still raise.
CREATE OR REPLACE FUNCTION rule_set_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'published rule set versions are immutable';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;

---- create above / drop below ----
CREATE OR REPLACE FUNCTION rule_set_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'published' THEN
        RAISE EXCEPTION 'published rule set versions are immutable';
    END IF;
    RETURN NEW;
END $$;
