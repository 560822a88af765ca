-- Per-organisation overrides of the role × field visibility matrix (api/visibility.go holds the
-- defaults). A field absent from both is hidden.
CREATE TABLE field_visibility (
    org_id     uuid NOT NULL REFERENCES organisations(id),
    role       text NOT NULL CHECK (role IN ('admin','recruiter','hiring_manager','interviewer','analyst','integration')),
    field      text NOT NULL CHECK (field ~ '^[a-z_]+\.[a-z_]+$'),
    level      text NOT NULL CHECK (level IN ('visible','masked','hidden')),
    updated_by uuid REFERENCES users(id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, role, field)
);

---- create above / drop below ----

DROP TABLE IF EXISTS field_visibility;
