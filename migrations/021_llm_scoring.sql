-- An organisation's explicit consent to score answers with the deployment's large-language-model
-- adapter (HIREFLOW_LLM_URL). Off unless an admin turns it on; the offline scorer is the default.
ALTER TABLE organisations ADD COLUMN llm_scoring boolean NOT NULL DEFAULT false;
