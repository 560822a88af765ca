package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/scheduling"
)

// ErrSlotTaken is the answer when PostgreSQL's exclusion constraint refuses a hold or booking:
// another live row of one of the interviewers overlaps it.
var ErrSlotTaken = hireflow.Errorf(hireflow.KindConflict, "slot_taken", "slot", "that time was just taken; here are other times").
	ZH("这个时间刚刚被别人选走了，请选择其他时间")

func isExclusionViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23P01"
}

// raceTx runs a hold or booking transaction, again when PostgreSQL picked it as the victim of
// a deadlock between racing inserters (concurrent exclusion checks wait on each other's rows):
// the next attempt sees who committed and ends in a booking or ErrSlotTaken.
func (s *Store) raceTx(ctx context.Context, fn func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.inTx(ctx, fn); !isDeadlock(err) {
			return err
		}
	}
	return err
}

func isDeadlock(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// InterviewerSettings are one interviewer's scheduling settings.
type InterviewerSettings struct {
	UserID       string `json:"user_id"`
	TimeZone     string `json:"time_zone"`
	DailyCap     int    `json:"daily_cap"`
	WeeklyCap    int    `json:"weekly_cap"`
	BufferBefore int    `json:"buffer_before_min"`
	BufferAfter  int    `json:"buffer_after_min"`
	ExternalID   string `json:"external_id"`
}

// DefaultInterviewerSettings apply to an interviewer nobody configured.
func DefaultInterviewerSettings(userID string) InterviewerSettings {
	return InterviewerSettings{UserID: userID, TimeZone: "Asia/Shanghai", DailyCap: 4, WeeklyCap: 12, BufferBefore: 10, BufferAfter: 10}
}

// InterviewerSettingsSet stores an interviewer's settings (the user must be interviewer or
// hiring manager of the organisation).
func (s *Store) InterviewerSettingsSet(ctx context.Context, orgID string, v InterviewerSettings) error {
	tag, err := s.db.Exec(ctx, `INSERT INTO interviewer_settings (org_id, user_id, time_zone, daily_cap, weekly_cap, buffer_before_min, buffer_after_min, external_id)
		SELECT $1, u.id, $3, $4, $5, $6, $7, $8 FROM users u WHERE u.org_id = $1 AND u.id = $2 AND u.role IN ('interviewer','hiring_manager')
		ON CONFLICT (org_id, user_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, daily_cap = EXCLUDED.daily_cap, weekly_cap = EXCLUDED.weekly_cap,
			buffer_before_min = EXCLUDED.buffer_before_min, buffer_after_min = EXCLUDED.buffer_after_min, external_id = EXCLUDED.external_id`,
		orgID, v.UserID, v.TimeZone, v.DailyCap, v.WeeklyCap, v.BufferBefore, v.BufferAfter, v.ExternalID)
	if isUniqueViolation(err, "interviewer_settings_external_idx") {
		return hireflow.Errorf(hireflow.KindConflict, "external_id_taken", "external_id", "another interviewer has this attendance account").ZH("该考勤账号已属于另一位面试官")
	}
	if err != nil {
		return notFound(err, "user_not_found", "user")
	}
	if tag.RowsAffected() == 0 {
		return hireflow.NotFound("interviewer_not_found", "user_id")
	}
	return nil
}

// Interviewers lists the organisation's interviewers and hiring managers with their settings
// (defaults for those nobody configured); ids, when given, narrows the list.
func (s *Store) Interviewers(ctx context.Context, orgID string, ids []string) ([]InterviewerSettings, error) {
	rows, err := s.db.Query(ctx, `SELECT u.id, coalesce(i.time_zone, 'Asia/Shanghai'), coalesce(i.daily_cap, 4), coalesce(i.weekly_cap, 12),
			coalesce(i.buffer_before_min, 10), coalesce(i.buffer_after_min, 10), coalesce(i.external_id, '')
		FROM users u LEFT JOIN interviewer_settings i ON i.org_id = u.org_id AND i.user_id = u.id
		WHERE u.org_id = $1 AND u.role IN ('interviewer','hiring_manager') AND u.disabled_at IS NULL
		  AND (coalesce(cardinality($2::text[]), 0) = 0 OR u.id::text = ANY($2))
		ORDER BY u.id`, orgID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (InterviewerSettings, error) {
		var v InterviewerSettings
		err := r.Scan(&v.UserID, &v.TimeZone, &v.DailyCap, &v.WeeklyCap, &v.BufferBefore, &v.BufferAfter, &v.ExternalID)
		return v, err
	})
}

// RosterEntry is one span of an interviewer's roster in UTC.
type RosterEntry struct {
	UserID string    `json:"user_id"`
	Day    time.Time `json:"day"` // the roster's date (midnight UTC of that date)
	Kind   string    `json:"kind"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Source string    `json:"source"`
}

// RosterReplace replaces one source's entries for the given users over the days [from, to]
// with entries, in one transaction (a sync, an upload or a push is all or nothing).
func (s *Store) RosterReplace(ctx context.Context, orgID, source string, users []string, from, to time.Time, entries []RosterEntry) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM roster_entries WHERE org_id = $1 AND source = $2 AND user_id::text = ANY($3) AND day BETWEEN $4::date AND $5::date`,
			orgID, source, users, from.Format(time.DateOnly), to.Format(time.DateOnly)); err != nil {
			return fmt.Errorf("store: unable to clear roster: %w", err)
		}
		rows := make([][]any, 0, len(entries))
		for _, e := range entries {
			rows = append(rows, []any{orgID, e.UserID, e.Day.Format(time.DateOnly), e.Kind, fmt.Sprintf("[%s,%s)", e.Start.UTC().Format(time.RFC3339), e.End.UTC().Format(time.RFC3339)), source})
		}
		if len(rows) == 0 {
			return nil
		}
		// COPY does not convert text to tstzrange, so go through a temporary table.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE roster_in (org_id uuid, user_id uuid, day date, kind text, during text, source text) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"roster_in"}, []string{"org_id", "user_id", "day", "kind", "during", "source"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("store: unable to write roster: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO roster_entries (org_id, user_id, day, kind, during, source)
			SELECT org_id, user_id, day, kind, during::tstzrange, source FROM roster_in`)
		if err != nil {
			return fmt.Errorf("store: unable to write roster: %w", err)
		}
		return nil
	})
}

// RosterEntries returns the users' roster entries overlapping [from, to), ordered by start.
func (s *Store) RosterEntries(ctx context.Context, orgID string, users []string, from, to time.Time) ([]RosterEntry, error) {
	rows, err := s.db.Query(ctx, `SELECT user_id, day, kind, lower(during), upper(during), source FROM roster_entries
		WHERE org_id = $1 AND user_id::text = ANY($2) AND during && tstzrange($3, $4) ORDER BY user_id, lower(during)`, orgID, users, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (RosterEntry, error) {
		var e RosterEntry
		err := r.Scan(&e.UserID, &e.Day, &e.Kind, &e.Start, &e.End, &e.Source)
		return e, err
	})
}

// SchedulingSettings are the organisation's scheduling settings.
type SchedulingSettings struct {
	SlotsOffered          int    `json:"slots_offered"`
	HoldMinutes           int    `json:"hold_minutes"`
	MinNoticeHours        int    `json:"min_notice_hours"`
	WindowDays            int    `json:"window_days"`
	MaxReschedules        int    `json:"max_reschedules"`
	RescheduleNoticeHours int    `json:"reschedule_notice_hours"`
	MeetingProvider       string `json:"meeting_provider"`
	MeetingTemplate       string `json:"meeting_template"`
}

// SchedulingSettingsGet returns the organisation's settings, or the defaults.
func (s *Store) SchedulingSettingsGet(ctx context.Context, orgID string) (SchedulingSettings, error) {
	v := SchedulingSettings{SlotsOffered: 3, HoldMinutes: 2880, MinNoticeHours: 12, WindowDays: 14, MaxReschedules: 2, RescheduleNoticeHours: 4, MeetingProvider: "room"}
	err := s.db.QueryRow(ctx, `SELECT slots_offered, hold_minutes, min_notice_hours, window_days, max_reschedules, reschedule_notice_hours, meeting_provider, meeting_template
		FROM scheduling_settings WHERE org_id = $1`, orgID).Scan(&v.SlotsOffered, &v.HoldMinutes, &v.MinNoticeHours, &v.WindowDays, &v.MaxReschedules,
		&v.RescheduleNoticeHours, &v.MeetingProvider, &v.MeetingTemplate)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, nil
	}
	return v, err
}

// SchedulingSettingsSet stores the organisation's settings (validated by the caller; the
// table's checks are the last line).
func (s *Store) SchedulingSettingsSet(ctx context.Context, orgID string, v SchedulingSettings) error {
	_, err := s.db.Exec(ctx, `INSERT INTO scheduling_settings (org_id, slots_offered, hold_minutes, min_notice_hours, window_days, max_reschedules, reschedule_notice_hours, meeting_provider, meeting_template)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (org_id) DO UPDATE SET slots_offered = $2, hold_minutes = $3, min_notice_hours = $4, window_days = $5, max_reschedules = $6,
			reschedule_notice_hours = $7, meeting_provider = $8, meeting_template = $9, updated_at = now()`,
		orgID, v.SlotsOffered, v.HoldMinutes, v.MinNoticeHours, v.WindowDays, v.MaxReschedules, v.RescheduleNoticeHours, v.MeetingProvider, v.MeetingTemplate)
	return err
}

// Interview is one live interview of an application's round.
type Interview struct {
	ID            string                `json:"id"`
	OrgID         string                `json:"-"`
	ApplicationID string                `json:"application_id"`
	Round         int                   `json:"round"`
	Status        string                `json:"status"`
	DurationMin   int                   `json:"duration_min"`
	StartsAt      *time.Time            `json:"starts_at,omitempty"`
	EndsAt        *time.Time            `json:"ends_at,omitempty"`
	Sequence      int                   `json:"sequence"`
	Reschedules   int                   `json:"reschedules"`
	MeetingURL    string                `json:"meeting_url,omitempty"`
	Interviewers  []string              `json:"interviewers"` // the booked panel
	Choices       []Choice              `json:"choices"`      // the held times on offer
	Preferences   []scheduling.Interval `json:"-"`
	Note          string                `json:"note,omitempty"`
}

// Choice is one offered time: its number and who holds it.
type Choice struct {
	Choice       int       `json:"choice"`
	Start        time.Time `json:"start"`
	End          time.Time `json:"end"`
	ExpiresAt    time.Time `json:"expires_at"`
	Interviewers []string  `json:"interviewers"`
}

// InterviewEnsure returns the round's interview, creating it.
func (s *Store) InterviewEnsure(ctx context.Context, orgID, appID string, round, durationMin int) (Interview, error) {
	var id string
	err := s.db.QueryRow(ctx, `INSERT INTO interviews (org_id, application_id, round, duration_min) VALUES ($1, $2, $3, $4)
		ON CONFLICT (application_id, round) DO UPDATE SET updated_at = interviews.updated_at RETURNING id`, orgID, appID, round, durationMin).Scan(&id)
	if err != nil {
		return Interview{}, notFound(err, "application_not_found", "application")
	}
	return s.InterviewGet(ctx, orgID, id)
}

// InterviewGet reads an interview with its live holds and bookings.
func (s *Store) InterviewGet(ctx context.Context, orgID, id string) (Interview, error) {
	var v Interview
	var prefs []byte
	err := s.db.QueryRow(ctx, `SELECT id, org_id, application_id, round, status, duration_min, starts_at, ends_at, sequence, reschedules, meeting_url,
			preferences, note
		FROM interviews WHERE org_id = $1 AND id = $2`, orgID, id).
		Scan(&v.ID, &v.OrgID, &v.ApplicationID, &v.Round, &v.Status, &v.DurationMin, &v.StartsAt, &v.EndsAt, &v.Sequence, &v.Reschedules, &v.MeetingURL, &prefs, &v.Note)
	if err != nil {
		return v, notFound(err, "interview_not_found", "interview")
	}
	if err := json.Unmarshal(prefs, &v.Preferences); err != nil {
		return v, err
	}
	rows, err := s.db.Query(ctx, `SELECT kind, choice, lower(during), upper(during), expires_at, user_id FROM interview_slots
		WHERE org_id = $1 AND interview_id = $2 AND released_at IS NULL ORDER BY kind, choice, user_id`, orgID, id)
	if err != nil {
		return v, err
	}
	defer rows.Close()
	byChoice := map[int]int{}
	for rows.Next() {
		var kind, user string
		var choice int
		var a, b time.Time
		var exp *time.Time
		if err := rows.Scan(&kind, &choice, &a, &b, &exp, &user); err != nil {
			return v, err
		}
		if kind == "booking" {
			v.Interviewers = append(v.Interviewers, user)
			continue
		}
		i, ok := byChoice[choice]
		if !ok {
			i = len(v.Choices)
			byChoice[choice] = i
			v.Choices = append(v.Choices, Choice{Choice: choice, Start: a, End: b})
			if exp != nil {
				v.Choices[i].ExpiresAt = *exp
			}
		}
		v.Choices[i].Interviewers = append(v.Choices[i].Interviewers, user)
	}
	if v.Interviewers == nil {
		v.Interviewers = []string{}
	}
	if v.Choices == nil {
		v.Choices = []Choice{}
	}
	return v, rows.Err()
}

// InterviewForApplication returns the application's newest interview.
func (s *Store) InterviewForApplication(ctx context.Context, orgID, appID string) (Interview, bool, error) {
	var id string
	err := s.db.QueryRow(ctx, `SELECT id FROM interviews WHERE org_id = $1 AND application_id = $2 ORDER BY round DESC LIMIT 1`, orgID, appID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || isBadUUID(err) {
		return Interview{}, false, nil
	}
	if err != nil {
		return Interview{}, false, err
	}
	v, err := s.InterviewGet(ctx, orgID, id)
	return v, err == nil, err
}

// SlotRow is one interviewer's part of a hold or booking.
type SlotRow struct {
	UserID       string
	Choice       int
	Start, End   time.Time
	BufferBefore time.Duration
	BufferAfter  time.Duration
}

func (s *Store) insertSlots(ctx context.Context, tx pgx.Tx, orgID, interviewID, kind string, expires *time.Time, rows []SlotRow) error {
	for _, r := range rows {
		_, err := tx.Exec(ctx, `INSERT INTO interview_slots (org_id, interview_id, user_id, kind, choice, during, blocked, expires_at)
			VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), tstzrange($8, $9), $10)`,
			orgID, interviewID, r.UserID, kind, r.Choice, r.Start, r.End, r.Start.Add(-r.BufferBefore), r.End.Add(r.BufferAfter), expires)
		if isExclusionViolation(err) {
			return ErrSlotTaken
		}
		if err != nil {
			return fmt.Errorf("store: unable to hold slot: %w", err)
		}
	}
	return nil
}

// SlotsHold releases the interview's live holds and holds the given choices in their place, in
// one transaction: if any interviewer's time was taken meanwhile, nothing is held and the
// answer is ErrSlotTaken. The interview's status becomes offered.
func (s *Store) SlotsHold(ctx context.Context, orgID, interviewID string, expires time.Time, rows []SlotRow) error {
	return s.raceTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE interview_slots SET released_at = now(), release_reason = 'replaced' WHERE org_id = $1 AND interview_id = $2 AND kind = 'hold' AND released_at IS NULL`, orgID, interviewID); err != nil {
			return err
		}
		if err := s.insertSlots(ctx, tx, orgID, interviewID, "hold", &expires, rows); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE interviews SET status = 'offered', updated_at = now() WHERE org_id = $1 AND id = $2`, orgID, interviewID)
		return err
	})
}

// SlotsRelease releases the interview's live rows of kind ("" for all) with a reason.
func (s *Store) SlotsRelease(ctx context.Context, orgID, interviewID, kind, reason string) (int64, error) {
	tag, err := s.db.Exec(ctx, `UPDATE interview_slots SET released_at = now(), release_reason = $4
		WHERE org_id = $1 AND interview_id = $2 AND ($3 = '' OR kind = $3) AND released_at IS NULL`, orgID, interviewID, kind, reason)
	return tag.RowsAffected(), err
}

// Booked is the result of a booking: the interview after it.
type Booked struct {
	Start, End   time.Time
	Interviewers []string
}

// Book turns one held choice into the booking, or books the given rows directly (a recruiter
// booking for the candidate), releasing the interview's holds and any earlier booking, in one
// transaction. PostgreSQL's exclusion constraint decides races: the loser gets ErrSlotTaken.
// sequence is incremented; rescheduled counts a change of an earlier booking.
func (s *Store) Book(ctx context.Context, orgID, interviewID string, choice int, direct []SlotRow, meetingURL string) (Booked, error) {
	var out Booked
	err := s.raceTx(ctx, func(tx pgx.Tx) error {
		out = Booked{}
		rows := direct
		if len(rows) == 0 {
			r, err := tx.Query(ctx, `SELECT user_id, lower(during), upper(during), lower(during) - lower(blocked), upper(blocked) - upper(during)
				FROM interview_slots WHERE org_id = $1 AND interview_id = $2 AND kind = 'hold' AND choice = $3 AND released_at IS NULL FOR UPDATE`, orgID, interviewID, choice)
			if err != nil {
				return err
			}
			rows, err = pgx.CollectRows(r, func(r pgx.CollectableRow) (SlotRow, error) {
				v := SlotRow{Choice: choice}
				err := r.Scan(&v.UserID, &v.Start, &v.End, &v.BufferBefore, &v.BufferAfter)
				return v, err
			})
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return hireflow.Errorf(hireflow.KindConflict, "choice_not_held", "choice", "that time is no longer held; here are the times on offer").
					ZH("该时间已不再保留，请从当前可选时间中选择")
			}
		}
		var had int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM interview_slots WHERE org_id = $1 AND interview_id = $2 AND kind = 'booking' AND released_at IS NULL`, orgID, interviewID).Scan(&had); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE interview_slots SET released_at = now(), release_reason = 'booked' WHERE org_id = $1 AND interview_id = $2 AND released_at IS NULL`, orgID, interviewID); err != nil {
			return err
		}
		if err := s.insertSlots(ctx, tx, orgID, interviewID, "booking", nil, rows); err != nil {
			return err
		}
		out.Start, out.End = rows[0].Start, rows[0].End
		for _, r := range rows {
			out.Interviewers = append(out.Interviewers, r.UserID)
		}
		_, err := tx.Exec(ctx, `UPDATE interviews SET status = 'booked', starts_at = $3, ends_at = $4, sequence = sequence + 1,
				reschedules = reschedules + CASE WHEN $5 THEN 1 ELSE 0 END, meeting_url = $6, updated_at = now()
			WHERE org_id = $1 AND id = $2`, orgID, interviewID, out.Start, out.End, had > 0, meetingURL)
		return err
	})
	return out, err
}

// InterviewSetStatus records a change of the interview's state with its staff-facing note;
// bump increments the invite's SEQUENCE (a cancellation is a change every attendee hears of).
func (s *Store) InterviewSetStatus(ctx context.Context, orgID, id, status, note string, bump bool) error {
	_, err := s.db.Exec(ctx, `UPDATE interviews SET status = $3, note = $4, sequence = sequence + CASE WHEN $5 THEN 1 ELSE 0 END, updated_at = now()
		WHERE org_id = $1 AND id = $2`, orgID, id, status, note, bump)
	return err
}

// InterviewSetPreferences stores the candidate's proposed times.
func (s *Store) InterviewSetPreferences(ctx context.Context, orgID, id string, prefs []scheduling.Interval) error {
	if prefs == nil {
		prefs = []scheduling.Interval{}
	}
	_, err := s.db.Exec(ctx, `UPDATE interviews SET preferences = $3, status = 'waiting', updated_at = now() WHERE org_id = $1 AND id = $2`, orgID, id, mustJSON(prefs))
	return err
}

// Busy is one live hold or booking of an interviewer (blocked time, with buffers).
type Busy struct {
	UserID      string
	InterviewID string
	Kind        string
	Start, End  time.Time // the interview
	BlockStart  time.Time // with buffers
	BlockEnd    time.Time
}

func scanBusy(r pgx.CollectableRow) (Busy, error) {
	var b Busy
	err := r.Scan(&b.UserID, &b.InterviewID, &b.Kind, &b.Start, &b.End, &b.BlockStart, &b.BlockEnd)
	return b, err
}

// SlotsBusy returns the users' live holds and bookings overlapping [from, to), ordered by start.
func (s *Store) SlotsBusy(ctx context.Context, orgID string, users []string, from, to time.Time) ([]Busy, error) {
	rows, err := s.db.Query(ctx, `SELECT user_id, interview_id, kind, lower(during), upper(during), lower(blocked), upper(blocked) FROM interview_slots
		WHERE org_id = $1 AND user_id::text = ANY($2) AND released_at IS NULL AND blocked && tstzrange($3, $4) ORDER BY user_id, lower(blocked)`, orgID, users, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanBusy)
}

// RosterConnector is an organisation's attendance platform account.
type RosterConnector struct {
	Kind     string     `json:"kind"`
	BaseURL  string     `json:"base_url"`
	AppKey   string     `json:"app_key"`
	Secret   string     `json:"-"`
	OpUserID string     `json:"op_user_id,omitempty"`
	LastSync *time.Time `json:"last_sync_at,omitempty"`
	LastErr  string     `json:"last_error,omitempty"`
}

// RosterConnectorSet stores the connector with its secret sealed.
func (s *Store) RosterConnectorSet(ctx context.Context, orgID string, c RosterConnector) error {
	_, err := s.db.Exec(ctx, `INSERT INTO roster_connectors (org_id, kind, base_url, app_key, secret_enc, op_user_id) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id) DO UPDATE SET kind = $2, base_url = $3, app_key = $4, secret_enc = $5, op_user_id = $6, last_error = '', updated_at = now()`,
		orgID, c.Kind, c.BaseURL, c.AppKey, s.box.SealString(c.Secret, aad("roster_connectors", "secret", orgID)), c.OpUserID)
	return err
}

// RosterConnectorGet returns the organisation's connector, if any.
func (s *Store) RosterConnectorGet(ctx context.Context, orgID string) (RosterConnector, bool, error) {
	var c RosterConnector
	var enc []byte
	err := s.db.QueryRow(ctx, `SELECT kind, base_url, app_key, secret_enc, op_user_id, last_sync_at, last_error FROM roster_connectors WHERE org_id = $1`, orgID).
		Scan(&c.Kind, &c.BaseURL, &c.AppKey, &enc, &c.OpUserID, &c.LastSync, &c.LastErr)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if c.Secret, err = s.box.OpenString(enc, aad("roster_connectors", "secret", orgID)); err != nil {
		return c, false, err
	}
	return c, true, nil
}

// RosterConnectorResult records a sync's outcome.
func (s *Store) RosterConnectorResult(ctx context.Context, orgID string, syncErr error) error {
	msg := ""
	if syncErr != nil {
		msg = syncErr.Error()
	}
	_, err := s.db.Exec(ctx, `UPDATE roster_connectors SET last_sync_at = CASE WHEN $2 = '' THEN now() ELSE last_sync_at END, last_error = $2 WHERE org_id = $1`, orgID, msg)
	return err
}

// OrgsWithConnectors lists the organisations whose rosters are synced.
func (s *Store) OrgsWithConnectors(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT org_id FROM roster_connectors ORDER BY org_id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// BookedInterviews lists the organisation's booked interviews of the given users that have not
// started yet (a roster sync checks them against the new working time).
func (s *Store) BookedInterviews(ctx context.Context, orgID string, users []string, after time.Time) ([]Busy, error) {
	rows, err := s.db.Query(ctx, `SELECT s.user_id, s.interview_id, s.kind, lower(s.during), upper(s.during), lower(s.blocked), upper(s.blocked)
		FROM interview_slots s WHERE s.org_id = $1 AND s.user_id::text = ANY($2) AND s.kind = 'booking' AND s.released_at IS NULL AND lower(s.during) > $3
		ORDER BY lower(s.during)`, orgID, users, after)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanBusy)
}

// TeamOvertime sums the overtime in the rosters of the organisation's interviewers and hiring
// managers since a time: hours, person-days with overtime, and the team's size.
func (s *Store) TeamOvertime(ctx context.Context, orgID string, since time.Time) (size int, hours float64, days int, err error) {
	err = s.db.QueryRow(ctx, `SELECT (SELECT count(*) FROM users WHERE org_id = $1 AND role IN ('interviewer','hiring_manager') AND disabled_at IS NULL),
			coalesce(sum(extract(epoch FROM upper(during) - lower(during))) / 3600, 0),
			count(DISTINCT (user_id, day))
		FROM roster_entries WHERE org_id = $1 AND kind = 'overtime' AND lower(during) >= $2 AND lower(during) < now()`, orgID, since).Scan(&size, &hours, &days)
	return size, hours, days, err
}
