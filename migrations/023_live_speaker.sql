-- The speaker transform fitted while a take was transcribed (MLLR of the acoustic model's means,
-- speech/adapt.go), so that what remains after the upload is decoded adapted at once. Derived
-- from the candidate's voice: it lives and is deleted with the take's live transcript.
ALTER TABLE live_transcripts ADD COLUMN speaker bytea;
ALTER TABLE live_transcripts ADD COLUMN speaker_until_s double precision NOT NULL DEFAULT 0;
