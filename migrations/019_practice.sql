-- A practice organisation: the sandbox an organisation's HR runs a hiring end to end in, on
-- themselves, apart from real candidates, analytics and the HR system (every table is scoped by
-- organisation). Its staff are one person's stand-ins, one per role, who sign in only through
-- the practice entry (no password).
ALTER TABLE organisations ADD COLUMN practice_of uuid REFERENCES organisations (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX organisations_practice_of ON organisations (practice_of) WHERE practice_of IS NOT NULL;
ALTER TABLE users ADD COLUMN practice_owner uuid REFERENCES users (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX users_practice_owner_role ON users (org_id, practice_owner, role) WHERE practice_owner IS NOT NULL;
