package activities

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"sort"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/mail"
	"github.com/hireflow/hireflow/internal/infra/roster"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/scheduling"
)

// InterviewRef names one live interview of an application.
type InterviewRef struct {
	AppRef
	InterviewID string
}

// PlanInterviewInput asks for a round's interview and panel.
type PlanInterviewInput struct {
	AppRef
	Round       int
	DurationMin int
	Need        int      // interviewers on the panel
	Required    []string // named interviewers (user IDs); the rest come from the pool
}

// InterviewPlan is what SchedulingWorkflow needs: IDs, counts and durations only.
type InterviewPlan struct {
	InterviewID string
	// Enabled is false when no interviewer of the panel has a roster in the booking window:
	// the round is then arranged by people, as before.
	Enabled          bool
	Required         []string
	Pool             []string
	Need             int
	DurationMin      int
	Offered          int
	HoldFor          time.Duration
	MinNotice        time.Duration
	Window           time.Duration
	RescheduleNotice time.Duration
	MaxReschedules   int
}

// PlanInterview creates the round's interview and decides its panel: the named interviewers
// and, for the other seats, every interviewer of the organisation with a roster.
func (a *Activities) PlanInterview(ctx context.Context, in PlanInterviewInput) (InterviewPlan, error) {
	iv, err := a.Store.InterviewEnsure(ctx, in.OrgID, in.ApplicationID, in.Round, max(in.DurationMin, 15))
	if err != nil {
		return InterviewPlan{}, permanent(err)
	}
	st, err := a.Store.SchedulingSettingsGet(ctx, in.OrgID)
	if err != nil {
		return InterviewPlan{}, err
	}
	p := InterviewPlan{InterviewID: iv.ID, Need: max(in.Need, len(in.Required), 1), DurationMin: iv.DurationMin, Offered: st.SlotsOffered,
		HoldFor: time.Duration(st.HoldMinutes) * time.Minute, MinNotice: time.Duration(st.MinNoticeHours) * time.Hour,
		Window: time.Duration(st.WindowDays) * 24 * time.Hour, RescheduleNotice: time.Duration(st.RescheduleNoticeHours) * time.Hour,
		MaxReschedules: st.MaxReschedules}
	people, err := a.Store.Interviewers(ctx, in.OrgID, nil)
	if err != nil {
		return p, err
	}
	var ids []string
	for _, u := range people {
		ids = append(ids, u.UserID)
	}
	now := time.Now()
	entries, err := a.Store.RosterEntries(ctx, in.OrgID, ids, now, now.Add(p.Window))
	if err != nil {
		return p, err
	}
	rostered := map[string]bool{}
	for _, e := range entries {
		if e.Kind == scheduling.KindWork || e.Kind == scheduling.KindOvertime {
			rostered[e.UserID] = true
		}
	}
	for _, id := range in.Required {
		if !rostered[id] {
			return p, nil // a named interviewer without a roster: people arrange the round
		}
	}
	p.Required = in.Required
	for _, id := range ids {
		if rostered[id] && !slices.Contains(in.Required, id) {
			p.Pool = append(p.Pool, id)
		}
	}
	p.Enabled = len(p.Required)+len(p.Pool) >= p.Need
	return p, nil
}

// OfferInput asks for the slots to hold.
type OfferInput struct {
	InterviewRef
	Plan InterviewPlan
	// Exclude are start times already offered and not taken.
	Exclude []time.Time `json:",omitempty"`
}

// SlotChoice is one held time.
type SlotChoice struct {
	Choice       int
	Start, End   time.Time
	Interviewers []string
}

// OfferResult is what was held, and until when.
type OfferResult struct {
	Choices   []SlotChoice
	HoldUntil time.Time
}

// panel builds the slot finder's people from the store: working time from the rosters,
// busy time from calendars and every other interview's holds and bookings.
func (a *Activities) panel(ctx context.Context, orgID, interviewID string, users []string, from, to time.Time) (map[string]*scheduling.Person, map[string]store.InterviewerSettings, error) {
	settings, err := a.Store.Interviewers(ctx, orgID, users)
	if err != nil {
		return nil, nil, err
	}
	bySettings := map[string]store.InterviewerSettings{}
	for _, s := range settings {
		bySettings[s.UserID] = s
	}
	// Read a day more on each side: buffers and night shifts reach over the window's ends.
	entries, err := a.Store.RosterEntries(ctx, orgID, users, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return nil, nil, err
	}
	busy, err := a.Store.SlotsBusy(ctx, orgID, users, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return nil, nil, err
	}
	work, leave, cal := map[string][]scheduling.Interval{}, map[string][]scheduling.Interval{}, map[string][]scheduling.Interval{}
	for _, e := range entries {
		iv := scheduling.Span(e.Start, e.End)
		switch e.Kind {
		case scheduling.KindWork, scheduling.KindOvertime:
			work[e.UserID] = append(work[e.UserID], iv)
		case scheduling.KindLeave:
			leave[e.UserID] = append(leave[e.UserID], iv)
		default:
			cal[e.UserID] = append(cal[e.UserID], iv)
		}
	}
	booked := map[string][]scheduling.Interval{}
	for _, b := range busy {
		if b.InterviewID == interviewID && b.Kind == "hold" {
			continue // this interview's own holds are replaced by the new ones
		}
		cal[b.UserID] = append(cal[b.UserID], scheduling.Span(b.BlockStart, b.BlockEnd))
		booked[b.UserID] = append(booked[b.UserID], scheduling.Span(b.Start, b.End))
	}
	people := map[string]*scheduling.Person{}
	for _, id := range users {
		s, ok := bySettings[id]
		if !ok {
			continue // no longer an active interviewer
		}
		loc, err := time.LoadLocation(s.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		people[id] = &scheduling.Person{ID: id, Loc: loc, Work: scheduling.Normalize(work[id]).Subtract(scheduling.Normalize(leave[id])),
			Busy: scheduling.Normalize(cal[id]), Booked: booked[id], BufferBefore: int64(s.BufferBefore) * 60, BufferAfter: int64(s.BufferAfter) * 60,
			DailyCap: s.DailyCap, WeeklyCap: s.WeeklyCap}
	}
	return people, bySettings, nil
}

// OfferSlots finds the panel's best times and holds them. A hold that loses a race (another
// candidate's hold or booking landed meanwhile) is retried on fresh data.
func (a *Activities) OfferSlots(ctx context.Context, in OfferInput) (OfferResult, error) {
	iv, err := a.Store.InterviewGet(ctx, in.OrgID, in.InterviewID)
	if err != nil {
		return OfferResult{}, permanent(err)
	}
	users := append(append([]string(nil), in.Plan.Required...), in.Plan.Pool...)
	for attempt := 0; ; attempt++ {
		now := time.Now()
		from, to := now.Add(in.Plan.MinNotice), now.Add(in.Plan.Window)
		people, settings, err := a.panel(ctx, in.OrgID, in.InterviewID, users, from, to)
		if err != nil {
			return OfferResult{}, err
		}
		req := scheduling.Request{Duration: int64(in.Plan.DurationMin) * 60, Window: scheduling.Span(from, to), Count: in.Plan.Offered,
			Prefer: scheduling.Normalize(iv.Preferences), Exclude: map[int64]bool{}}
		for _, t := range in.Exclude {
			req.Exclude[t.Unix()] = true
		}
		for _, id := range in.Plan.Required {
			if p := people[id]; p != nil {
				req.Required = append(req.Required, p)
			}
		}
		if len(req.Required) < len(in.Plan.Required) {
			return OfferResult{}, nil // a named interviewer left
		}
		var pool []*scheduling.Person
		for _, id := range in.Plan.Pool {
			if p := people[id]; p != nil {
				pool = append(pool, p)
			}
		}
		for i := len(in.Plan.Required); i < in.Plan.Need; i++ {
			req.Pools = append(req.Pools, pool)
		}
		slots := scheduling.Find(req)
		res := OfferResult{HoldUntil: now.Add(in.Plan.HoldFor)}
		var rows []store.SlotRow
		for i, s := range slots {
			a, b := scheduling.Interval{Start: s.Start, End: s.End}.Times()
			res.Choices = append(res.Choices, SlotChoice{Choice: i + 1, Start: a, End: b, Interviewers: s.Interviewers})
			for _, u := range s.Interviewers {
				st := settings[u]
				rows = append(rows, store.SlotRow{UserID: u, Choice: i + 1, Start: a, End: b,
					BufferBefore: time.Duration(st.BufferBefore) * time.Minute, BufferAfter: time.Duration(st.BufferAfter) * time.Minute})
			}
		}
		if len(rows) == 0 {
			_, err := a.Store.SlotsRelease(ctx, in.OrgID, in.InterviewID, "hold", "replaced")
			return res, err
		}
		err = a.Store.SlotsHold(ctx, in.OrgID, in.InterviewID, res.HoldUntil, rows)
		if errors.Is(err, store.ErrSlotTaken) && attempt < 4 {
			continue
		}
		return res, err
	}
}

// BookInput books one held choice, or (a recruiter booking for the candidate) a given time
// with given interviewers.
type BookInput struct {
	InterviewRef
	Choice       int
	Start        time.Time `json:",omitempty"`
	Interviewers []string  `json:",omitempty"`
	DurationMin  int       `json:",omitempty"`
}

// BookResult is the booked interview.
type BookResult struct {
	Start, End   time.Time
	Interviewers []string
}

// Scheduling error types the workflow tells apart.
const (
	ErrTypeSlotTaken = "slot_taken"
	ErrTypeNotHeld   = "choice_not_held"
)

// BookSlot turns the choice's holds into the booking (PostgreSQL's exclusion constraint
// decides a race) and sets the meeting link.
func (a *Activities) BookSlot(ctx context.Context, in BookInput) (BookResult, error) {
	st, err := a.Store.SchedulingSettingsGet(ctx, in.OrgID)
	if err != nil {
		return BookResult{}, err
	}
	link := strings.ReplaceAll(st.MeetingTemplate, "{id}", in.InterviewID)
	var direct []store.SlotRow
	if !in.Start.IsZero() {
		settings, err := a.Store.Interviewers(ctx, in.OrgID, in.Interviewers)
		if err != nil {
			return BookResult{}, err
		}
		for _, s := range settings {
			direct = append(direct, store.SlotRow{UserID: s.UserID, Start: in.Start, End: in.Start.Add(time.Duration(in.DurationMin) * time.Minute),
				BufferBefore: time.Duration(s.BufferBefore) * time.Minute, BufferAfter: time.Duration(s.BufferAfter) * time.Minute})
		}
		if len(direct) == 0 {
			return BookResult{}, temporal.NewNonRetryableApplicationError("no interviewer to book", ErrTypeNotHeld, nil)
		}
	}
	b, err := a.Store.Book(ctx, in.OrgID, in.InterviewID, in.Choice, direct, link)
	if errors.Is(err, store.ErrSlotTaken) {
		return BookResult{}, temporal.NewNonRetryableApplicationError("that time was just taken", ErrTypeSlotTaken, nil)
	}
	if e := hireflow.AsError(err); e != nil && e.Code == "choice_not_held" {
		return BookResult{}, temporal.NewNonRetryableApplicationError("that time is no longer held", ErrTypeNotHeld, nil)
	}
	if err != nil {
		return BookResult{}, err
	}
	return BookResult{Start: b.Start, End: b.End, Interviewers: b.Interviewers}, nil
}

// ReleaseInput releases an interview's holds (Kind "hold"), booking ("booking") or both ("").
type ReleaseInput struct {
	InterviewRef
	Kind   string
	Reason string
	Status string // the interview's new status, "" to keep it
	Bump   bool   // increment the invite's SEQUENCE (a cancellation)
}

// ReleaseSlots frees the interview's time; a hold that expired is released here, by the
// workflow's durable timer, not by whoever reads it next.
func (a *Activities) ReleaseSlots(ctx context.Context, in ReleaseInput) error {
	if _, err := a.Store.SlotsRelease(ctx, in.OrgID, in.InterviewID, in.Kind, in.Reason); err != nil {
		return err
	}
	if in.Status == "" {
		return nil
	}
	return a.Store.InterviewSetStatus(ctx, in.OrgID, in.InterviewID, in.Status, in.Reason, in.Bump)
}

// InterviewNoticeInput emails everyone on an interview: the candidate and the panel.
type InterviewNoticeInput struct {
	InterviewRef
	Kind string // NoticeInterviewBooked (with the REQUEST), NoticeInterviewCanceled (CANCEL), NoticeInterviewSoon, NoticeScheduleReplan
	Key  string // idempotency within the interview (the SEQUENCE, the reminder's name)
	// Interviewers are the people to tell when the interview has no booking any more (a
	// cancellation or a re-plan tells the panel that was booked).
	Interviewers []string `json:",omitempty"`
	At           time.Time
}

// NotifyInterview sends one email per attendee, once per key: the invitation carries the
// iCalendar REQUEST (stable UID, the interview's SEQUENCE), a cancellation the CANCEL.
func (a *Activities) NotifyInterview(ctx context.Context, in InterviewNoticeInput) (int, error) {
	iv, err := a.Store.InterviewGet(ctx, in.OrgID, in.InterviewID)
	if err != nil {
		return 0, permanent(err)
	}
	c, err := a.Store.ApplicationContact(ctx, in.OrgID, in.ApplicationID)
	if err != nil {
		return 0, permanent(err)
	}
	panel := iv.Interviewers
	if len(panel) == 0 {
		panel = in.Interviewers
	}
	settings, err := a.Store.Interviewers(ctx, in.OrgID, panel)
	if err != nil {
		return 0, err
	}
	zone := map[string]string{}
	for _, s := range settings {
		zone[s.UserID] = s.TimeZone
	}
	start, end := in.At, in.At
	if iv.StartsAt != nil {
		start, end = *iv.StartsAt, *iv.EndsAt
	}
	title := c.JobTitle
	if c.Language == "zh" && c.JobTitleZH != "" {
		title = c.JobTitleZH
	}
	org := mail.Attendee{Name: c.OrgName, Email: "noreply@hireflow.local"}
	if addr, err := netmail.ParseAddress(a.Mail.From()); err == nil {
		org.Email = addr.Address
	}
	type recipient struct {
		userID, name, email, lang, zone, link string
	}
	recipients := []recipient{{name: c.Name, email: c.Email, lang: c.Language, zone: "", link: ""}}
	var attendees []mail.Attendee
	attendees = append(attendees, mail.Attendee{Name: c.Name, Email: c.Email})
	sort.Strings(panel)
	for _, id := range panel {
		u, err := a.Store.UserGet(ctx, in.OrgID, id)
		if err != nil {
			continue
		}
		recipients = append(recipients, recipient{userID: u.ID, name: u.DisplayName, email: u.Email, lang: "en", zone: zone[id],
			link: a.ConsoleURL + "/applications/" + in.ApplicationID})
		attendees = append(attendees, mail.Attendee{Name: u.DisplayName, Email: u.Email})
	}
	spec := mail.InviteSpec{UID: iv.ID + "@hireflow", Sequence: iv.Sequence, Start: start, End: end, Summary: c.OrgName + " · " + title,
		Location: iv.MeetingURL, Organizer: org, Attendees: attendees, Stamp: time.Now(), Cancel: in.Kind == hireflow.NoticeInterviewCanceled}
	calendar := in.Kind == hireflow.NoticeInterviewBooked || in.Kind == hireflow.NoticeInterviewCanceled
	sent := 0
	for _, r := range recipients {
		who := r.userID
		if who == "" {
			who = "candidate"
		}
		key := fmt.Sprintf("%s:%s:%s:%s", in.Kind, in.InterviewID, in.Key, who)
		var done bool
		var msgID string
		if r.userID == "" {
			done, msgID, err = a.Store.EmailClaim(ctx, in.OrgID, in.ApplicationID, key, in.Kind, r.lang, "<"+hexHash(key)+"@hireflow>")
		} else {
			done, msgID, err = a.Store.EmailClaimTo(ctx, in.OrgID, in.ApplicationID, r.userID, key, in.Kind, r.lang, "<"+hexHash(key)+"@hireflow>")
		}
		if err != nil {
			return sent, err
		}
		if done {
			continue
		}
		d := mail.Data{Lang: r.lang, ToName: r.name, OrgName: c.OrgName, BrandLine: c.BrandLine, Color: c.Color, LogoURL: c.LogoURL, JobTitle: title, Link: r.link}
		rendered, err := mail.RenderNotice(in.Kind, d, WhenText(start, r.zone, r.lang))
		if err != nil {
			return sent, permanent(hireflow.Errorf(hireflow.KindInvalid, "template", "", "%v", err))
		}
		if calendar {
			rendered.Calendar, rendered.CalendarMethod = mail.Invite(spec), spec.Method()
		}
		if err := a.Mail.Send(ctx, r.name, r.email, msgID, rendered); err != nil {
			a.Metrics.email(in.OrgID, in.Kind, "failed")
			return sent, err
		}
		a.Metrics.email(in.OrgID, in.Kind, "sent")
		if err := a.markSent(ctx, key); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// WhenText writes an interview's time for an email: in the reader's zone when known, always
// with UTC beside it (the candidate's page shows it in their own zone).
func WhenText(t time.Time, zone, lang string) string {
	u := t.UTC().Format("2006-01-02 15:04 UTC")
	if lang == "zh" {
		u = t.UTC().Format("2006年1月2日 15:04 UTC")
	}
	if loc, err := time.LoadLocation(zone); err == nil && zone != "" && zone != "UTC" {
		return t.In(loc).Format("2006-01-02 15:04") + " " + zone + " (" + u + ")"
	}
	return u
}

// SyncResult is a roster sync: how much was read and which bookings it broke.
type SyncResult struct {
	Users   int
	Entries int
	Broken  []BrokenBooking
}

// BrokenBooking is a booked interview a roster change left outside working time.
type BrokenBooking struct {
	ApplicationID string
	InterviewID   string
	Round         int
}

// SyncDays is how far ahead a roster sync reads.
const SyncDays = 28

// SyncRosters reads the organisation's rosters from its attendance platform for the next
// SyncDays days, replaces that platform's entries, and reports the bookings the change broke.
func (a *Activities) SyncRosters(ctx context.Context, orgID string) (SyncResult, error) {
	conn, ok, err := a.Store.RosterConnectorGet(ctx, orgID)
	if err != nil || !ok {
		return SyncResult{}, err
	}
	src, err := roster.New(roster.Config{Kind: conn.Kind, BaseURL: conn.BaseURL, AppKey: conn.AppKey, Secret: conn.Secret, OpUserID: conn.OpUserID})
	if err != nil {
		return SyncResult{}, permanent(hireflow.Errorf(hireflow.KindInvalid, "roster_connector", "kind", "%v", err))
	}
	people, err := a.Store.Interviewers(ctx, orgID, nil)
	if err != nil {
		return SyncResult{}, err
	}
	byExt := map[string]store.InterviewerSettings{}
	var ext, users []string
	for _, p := range people {
		if p.ExternalID != "" {
			byExt[p.ExternalID] = p
			ext = append(ext, p.ExternalID)
			users = append(users, p.UserID)
		}
	}
	if len(ext) == 0 {
		return SyncResult{}, a.Store.RosterConnectorResult(ctx, orgID, nil)
	}
	sh := time.FixedZone("CST", 8*3600)
	today := time.Now().In(sh)
	from := scheduling.DayOf(today)
	to := scheduling.DayOf(today.AddDate(0, 0, SyncDays))
	shifts, err := src.Fetch(ctx, ext, from, to)
	if err != nil {
		_ = a.Store.RosterConnectorResult(ctx, orgID, err)
		if errors.Is(err, roster.ErrAuth) {
			return SyncResult{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypePermanent, nil)
		}
		return SyncResult{}, err
	}
	entries := EntriesFromShifts(shifts, func(ext string) (string, *time.Location, bool) {
		p, ok := byExt[ext]
		if !ok {
			return "", nil, false
		}
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return p.UserID, loc, true
	}, conn.Kind)
	fromT, toT := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC), time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, time.UTC)
	if err := a.Store.RosterReplace(ctx, orgID, conn.Kind, users, fromT, toT, entries); err != nil {
		return SyncResult{}, err
	}
	if err := a.Store.RosterConnectorResult(ctx, orgID, nil); err != nil {
		return SyncResult{}, err
	}
	broken, err := BrokenBookings(ctx, a.Store, orgID, users)
	return SyncResult{Users: len(users), Entries: len(entries), Broken: broken}, err
}

// EntriesFromShifts turns shifts into UTC roster entries; who maps a shift's person to the
// hireflow user and their zone (false: not one of ours).
func EntriesFromShifts(shifts []scheduling.Shift, who func(string) (string, *time.Location, bool), source string) []store.RosterEntry {
	var out []store.RosterEntry
	for _, s := range shifts {
		user, loc, ok := who(s.Person)
		if !ok {
			continue
		}
		kind := s.Kind
		if kind == "" {
			kind = scheduling.KindWork
		}
		day := time.Date(s.Day.Year, s.Day.Month, s.Day.Day, 0, 0, 0, 0, time.UTC)
		ivs := s.Intervals(loc)
		if kind == scheduling.KindLeave && len(s.Sections) == 0 {
			ivs = scheduling.Set{scheduling.Span(s.Day.At(0, loc), s.Day.At(24*60, loc))}
		}
		for _, iv := range ivs {
			a, b := iv.Times()
			out = append(out, store.RosterEntry{UserID: user, Day: day, Kind: kind, Start: a, End: b, Source: source})
		}
	}
	return out
}

// BookingReader is what BrokenBookings reads (the store; the API's view of it).
type BookingReader interface {
	BookedInterviews(ctx context.Context, orgID string, users []string, after time.Time) ([]store.Busy, error)
	RosterEntries(ctx context.Context, orgID string, users []string, from, to time.Time) ([]store.RosterEntry, error)
	InterviewGet(ctx context.Context, orgID, id string) (store.Interview, error)
}

// BrokenBookings lists the users' upcoming bookings that no longer lie inside their working
// time (a shift removed, a leave added).
func BrokenBookings(ctx context.Context, s BookingReader, orgID string, users []string) ([]BrokenBooking, error) {
	now := time.Now()
	booked, err := s.BookedInterviews(ctx, orgID, users, now)
	if err != nil || len(booked) == 0 {
		return nil, err
	}
	last := now
	for _, b := range booked {
		if b.End.After(last) {
			last = b.End
		}
	}
	entries, err := s.RosterEntries(ctx, orgID, users, now.Add(-24*time.Hour), last.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	work, off := map[string][]scheduling.Interval{}, map[string][]scheduling.Interval{}
	for _, e := range entries {
		iv := scheduling.Span(e.Start, e.End)
		switch e.Kind {
		case scheduling.KindWork, scheduling.KindOvertime:
			work[e.UserID] = append(work[e.UserID], iv)
		case scheduling.KindLeave:
			// Calendar busy is not counted: an interviewer's calendar feed may well list this
			// very interview once they accepted it.
			off[e.UserID] = append(off[e.UserID], iv)
		}
	}
	seen := map[string]bool{}
	var out []BrokenBooking
	for _, b := range booked {
		iv := scheduling.Span(b.Start, b.End)
		free := scheduling.Normalize(work[b.UserID]).Subtract(scheduling.Normalize(off[b.UserID]))
		if free.Contains(iv) || seen[b.InterviewID] {
			continue
		}
		seen[b.InterviewID] = true
		v, err := s.InterviewGet(ctx, orgID, b.InterviewID)
		if err != nil {
			return nil, err
		}
		out = append(out, BrokenBooking{ApplicationID: v.ApplicationID, InterviewID: v.ID, Round: v.Round})
	}
	return out, nil
}
