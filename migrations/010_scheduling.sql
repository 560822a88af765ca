-- Live interviews booked against the interviewers' shift rosters. Rosters arrive from the
-- attendance platforms (DingTalk, WeCom, Feishu), an uploaded CSV/XLSX, an iCalendar busy
-- feed or the push API, and are kept as UTC ranges. Holds and bookings are rows of
-- interview_slots, and PostgreSQL itself refuses two live rows of one interviewer whose
-- blocked times (the interview with its buffers) overlap: two candidates racing for a slot
-- produce one booking and one exclusion violation.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- An interviewer's scheduling settings and their account on the attendance platform.
CREATE TABLE interviewer_settings (
    org_id            uuid NOT NULL REFERENCES organisations(id),
    user_id           uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    time_zone         text NOT NULL DEFAULT 'Asia/Shanghai',
    daily_cap         int  NOT NULL DEFAULT 4 CHECK (daily_cap BETWEEN 0 AND 24),
    weekly_cap        int  NOT NULL DEFAULT 12 CHECK (weekly_cap BETWEEN 0 AND 100),
    buffer_before_min int  NOT NULL DEFAULT 10 CHECK (buffer_before_min BETWEEN 0 AND 240),
    buffer_after_min  int  NOT NULL DEFAULT 10 CHECK (buffer_after_min BETWEEN 0 AND 240),
    external_id       text NOT NULL DEFAULT '', -- the user's ID on the attendance platform
    PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX interviewer_settings_external_idx ON interviewer_settings (org_id, external_id) WHERE external_id <> '';

-- Roster time per interviewer: work (sections minus rests), overtime, leave and calendar busy.
-- A sync replaces one source's rows of a user over the days it read.
CREATE TABLE roster_entries (
    id       bigserial PRIMARY KEY,
    org_id   uuid NOT NULL REFERENCES organisations(id),
    user_id  uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day      date NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('work','overtime','leave','busy')),
    during   tstzrange NOT NULL CHECK (NOT isempty(during)),
    source   text NOT NULL CHECK (source IN ('dingtalk','wecom','feishu','upload','ical','api')),
    synced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roster_entries_user_idx ON roster_entries USING gist (org_id, user_id, during);
CREATE INDEX roster_entries_day_idx ON roster_entries (org_id, user_id, source, day);

-- The attendance platform an organisation's rosters come from; the secret is sealed.
CREATE TABLE roster_connectors (
    org_id       uuid PRIMARY KEY REFERENCES organisations(id),
    kind         text NOT NULL CHECK (kind IN ('dingtalk','wecom','feishu')),
    base_url     text NOT NULL,
    app_key      text NOT NULL,
    secret_enc   bytea NOT NULL,
    op_user_id   text NOT NULL DEFAULT '', -- DingTalk: the administrator the query runs as
    last_sync_at timestamptz,
    last_error   text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- How an organisation schedules: offered choices, hold time, notice, window, rescheduling and
-- the meeting link template ({id} is replaced by the interview's ID).
CREATE TABLE scheduling_settings (
    org_id             uuid PRIMARY KEY REFERENCES organisations(id),
    slots_offered      int  NOT NULL DEFAULT 3 CHECK (slots_offered BETWEEN 1 AND 10),
    hold_minutes       int  NOT NULL DEFAULT 2880 CHECK (hold_minutes BETWEEN 5 AND 20160),
    min_notice_hours   int  NOT NULL DEFAULT 12 CHECK (min_notice_hours BETWEEN 0 AND 720),
    window_days        int  NOT NULL DEFAULT 14 CHECK (window_days BETWEEN 1 AND 90),
    max_reschedules    int  NOT NULL DEFAULT 2 CHECK (max_reschedules BETWEEN 0 AND 10),
    reschedule_notice_hours int NOT NULL DEFAULT 4 CHECK (reschedule_notice_hours BETWEEN 0 AND 168),
    meeting_provider   text NOT NULL DEFAULT 'room' CHECK (meeting_provider IN ('tencent','feishu','zoom','room')),
    meeting_template   text NOT NULL DEFAULT '',
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- One live interview of an application's round: its time once booked, the invite's UID and
-- SEQUENCE (incremented on every change), and how often it was rescheduled.
CREATE TABLE interviews (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations(id),
    application_id uuid NOT NULL REFERENCES applications(id),
    round          int  NOT NULL CHECK (round > 0),
    status         text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning','offered','waiting','booked','cancelled','done')),
    duration_min   int  NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
    starts_at      timestamptz,
    ends_at        timestamptz,
    sequence       int  NOT NULL DEFAULT 0,
    reschedules    int  NOT NULL DEFAULT 0,
    meeting_url    text NOT NULL DEFAULT '',
    preferences    jsonb NOT NULL DEFAULT '[]', -- the candidate's "none of these work" times (UTC spans)
    note           text NOT NULL DEFAULT '',          -- the last change's reason (staff-facing)
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, round)
);
CREATE INDEX interviews_org_idx ON interviews (org_id, status, starts_at);

CREATE TABLE interview_slots (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations(id),
    interview_id   uuid NOT NULL REFERENCES interviews(id),
    user_id        uuid NOT NULL REFERENCES users(id),
    kind           text NOT NULL CHECK (kind IN ('hold','booking')),
    choice         int  NOT NULL DEFAULT 0, -- which offered time a hold belongs to
    during         tstzrange NOT NULL CHECK (NOT isempty(during)),
    blocked        tstzrange NOT NULL CHECK (blocked @> during),
    expires_at     timestamptz,
    released_at    timestamptz,
    release_reason text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT interview_slots_no_overlap EXCLUDE USING gist (user_id WITH =, blocked WITH &&) WHERE (released_at IS NULL)
);
CREATE INDEX interview_slots_interview_idx ON interview_slots (interview_id) WHERE released_at IS NULL;

---- create above / drop below ----

DROP TABLE IF EXISTS interview_slots, interviews, scheduling_settings, roster_connectors, roster_entries, interviewer_settings;
