-- An integration token names the candidate fields it may read (a subset of what the field
-- visibility matrix gives its role); tokens made before keep the contact fields.
ALTER TABLE api_tokens ADD COLUMN scopes text[] NOT NULL DEFAULT '{candidate.name,candidate.email,candidate.phone}';

---- create above / drop below ----

ALTER TABLE api_tokens DROP COLUMN IF EXISTS scopes;
