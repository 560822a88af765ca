package e2e

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	neturl "net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/roster/rostertest"
	"github.com/hireflow/hireflow/internal/scheduling"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// invite is the iCalendar part of an email, as a calendar client reads it.
type invite struct {
	ContentType string
	Raw         string
	Method      string
	UID         string
	Sequence    int
	Start       time.Time
	Attendees   []string
	RSVP        bool
}

// calendarPart reads an email's source from the mail capture and returns its text/calendar part.
func calendarPart(t *testing.T, e *testenv.Env, id string) invite {
	t.Helper()
	resp, err := http.Get(e.MailAPI + "/email/" + id + "/source")
	require.NoError(t, err)
	src, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	msg, err := mail.ReadMessage(bytes.NewReader(src))
	require.NoError(t, err)
	var out invite
	var walk func(ct string, body io.Reader)
	walk = func(ct string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		require.NoError(t, err)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				require.NoError(t, err)
				walk(p.Header.Get("Content-Type"), p)
			}
		}
		if mt == "text/calendar" && out.Raw == "" {
			b, _ := io.ReadAll(body)
			out.ContentType, out.Raw = ct, string(b)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	require.NotEmpty(t, out.Raw, "the email has a text/calendar part")
	cal, err := ics.ParseCalendar(strings.NewReader(out.Raw))
	require.NoError(t, err, "the invitation is valid iCalendar")
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			out.Method = p.Value
		}
	}
	evs := cal.Events()
	require.Len(t, evs, 1)
	ev := evs[0]
	out.UID = ev.Id()
	seq := ev.GetProperty(ics.ComponentPropertySequence)
	require.NotNil(t, seq)
	out.Sequence, _ = strconv.Atoi(seq.Value)
	out.Start, err = ev.GetStartAt()
	require.NoError(t, err)
	out.RSVP = true
	for _, a := range ev.Attendees() {
		out.Attendees = append(out.Attendees, a.Email())
		out.RSVP = out.RSVP && strings.EqualFold(strings.Join(a.ICalParameters["RSVP"], ""), "TRUE")
	}
	return out
}

// invites returns the calendar parts of every email to addr whose subject has subject, oldest first.
func invites(t *testing.T, e *testenv.Env, addr, subject string) []invite {
	var out []invite
	for _, m := range e.Emails(t, addr) {
		if strings.Contains(m.Subject, subject) {
			out = append(out, calendarPart(t, e, m.ID))
		}
	}
	return out
}

// TestLiveInterviewBookedAgainstTheRoster: rosters synced from the local DingTalk stand-in; a
// candidate books on the phone page in Chromium; every attendee gets a valid iCalendar REQUEST
// (stable UID, SEQUENCE 1), then the updated one after a reschedule (SEQUENCE 2); a leave pushed
// through the REST API breaks the booking and re-plans it; the cancellation is a CANCEL with
// the same UID; and no history holds the candidate's name or email.
func TestLiveInterviewBookedAgainstTheRoster(t *testing.T) {
	e := testenv.Start(t)
	admin, rec := e.Client(t, hireflow.RoleAdmin), e.Client(t, hireflow.RoleRecruiter)
	iv := e.Users[hireflow.RoleInterviewer]
	var out map[string]any
	var eb errBody

	// The interviewer's attendance account and settings; the DingTalk stand-in's roster: a day
	// shift with a lunch rest every day of the next four weeks.
	require.Equal(t, 200, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/interviewers/"+iv.ID+"/settings",
		map[string]any{"time_zone": "Asia/Shanghai", "daily_cap": 4, "weekly_cap": 12, "buffer_before_min": 10, "buffer_after_min": 10, "external_id": "dt-iv1"}, &out), "%v", out)
	require.Equal(t, 422, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/interviewers/"+iv.ID+"/settings",
		map[string]any{"time_zone": "Mars/Olympus", "daily_cap": 4, "weekly_cap": 12}, &eb))
	require.Equal(t, "time_zone", eb.Error.Field)
	dt := rostertest.New("ding-key", "ding-secret")
	defer dt.Close()
	dt.Shifts["100"] = rostertest.ShiftDef{Sections: []scheduling.Section{{Start: 9 * 60, End: 18 * 60}}, Rests: []scheduling.Section{{Start: 12 * 60, End: 13 * 60}}}
	cst := time.FixedZone("CST", 8*3600)
	for d := -1; d < 30; d++ {
		dt.Set("dt-iv1", time.Now().In(cst).AddDate(0, 0, d).Format(time.DateOnly), "100")
	}
	dt.TokenUses = 2
	require.Equal(t, 403, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/organisation/roster-connector", map[string]any{}, &eb), "recruiters do not configure the connector")
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/roster-connector",
		map[string]any{"kind": "slack", "app_key": "k", "secret": "s"}, &eb))
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/roster-connector",
		map[string]any{"kind": "dingtalk", "base_url": dt.URL, "app_key": "ding-key", "secret": "ding-secret", "op_user_id": "admin1"}, &out), "%v", out)
	require.Equal(t, "roster-sync/"+e.Org.ID, out["schedule"], "the sync runs on a Temporal Schedule")
	var got map[string]any
	require.Equal(t, 200, doJSON(t, admin, http.MethodGet, e.BaseURL+"/api/v1/organisation/roster-connector", nil, &got))
	require.NotContains(t, fmt.Sprint(got), "ding-secret", "the secret is never shown")
	var sync struct{ Users, Entries int }
	var syncRaw map[string]any
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rosters/sync", nil, &syncRaw), "%v", syncRaw)
	t.Logf("sync: %v", syncRaw)
	sync.Users, sync.Entries = int(syncRaw["users"].(float64)), int(syncRaw["entries"].(float64))
	require.Equal(t, 1, sync.Users)
	require.GreaterOrEqual(t, sync.Entries, 2*28, "two spans a day (the lunch rest cut out)")
	require.Greater(t, dt.Snapshot().TokensIssued, 1, "the token expired and was refreshed")

	require.Equal(t, 200, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/organisation/scheduling", map[string]any{"slots_offered": 3, "hold_minutes": 120,
		"min_notice_hours": 2, "window_days": 14, "max_reschedules": 2, "reschedule_notice_hours": 1, "meeting_provider": "tencent",
		"meeting_template": "https://meeting.tencent.com/dm/{id}"}, &out), "%v", out)
	require.Equal(t, 422, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/organisation/scheduling", map[string]any{"slots_offered": 0, "hold_minutes": 120,
		"min_notice_hours": 2, "window_days": 14, "meeting_provider": "room"}, &eb))
	require.Equal(t, "slots_offered", eb.Error.Field)

	// A job whose pipeline has a live round.
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text", "dimensions": []string{"problem_solving"}}}}, &job))
	rs := ruleSetOf(t, e, rec, job.ID)
	var draft struct{ Version int }
	require.Equal(t, 201, sendYAML(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rulesets/"+rs+"/draft",
		"rules:\n  screening: '\"pass\"'\npipeline:\n  - stage: screen\n  - stage: live_round\n    params: {duration_minutes: \"45\"}\n  - stage: review\n", &draft))
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/"+rs+"/publish", map[string]any{"version": draft.Version,
		"override_reason": "a pipeline with a live round for the scheduling test"}, &out), "%v", out)

	p := demo.StrongBackend("Lin Schedulewood", uniqueEmail("sched"))
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	choose := e.WaitEmail(t, p.Email, "Choose a time", 60*time.Second)
	link := choose.Link(t)
	waitStage(t, e, r.ApplicationID, hireflow.StageLiveRound, 10*time.Second)
	var ivw struct {
		ID      string
		Status  string
		Choices []struct {
			Choice     int
			Start, End time.Time
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/interview", nil, &ivw))
	require.Equal(t, "offered", ivw.Status)
	require.Len(t, ivw.Choices, 3, "three held choices")
	for _, c := range ivw.Choices {
		local := c.Start.In(cst)
		require.True(t, (local.Hour() >= 9 && local.Hour() < 12) || (local.Hour() >= 13 && local.Hour() < 18), "inside the shift and outside the rest: %s", local)
		require.True(t, c.Start.After(time.Now().Add(2*time.Hour)), "minimum notice")
	}

	// The candidate books the second time on a phone-sized Chromium.
	bctx := browser(t, "")
	defer shot(t, bctx, "scheduling")
	var notice, wide string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(link+"?lang=zh"),
		chromedp.WaitVisible(`#schedule input[name=choice]`, chromedp.ByQuery),
		chromedp.Evaluate(wider, &wide),
	))
	require.Empty(t, wide, "the slot picker fits a phone")
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(link+"?lang=en"),
		chromedp.WaitVisible(`#schedule input[name=choice]`, chromedp.ByQuery),
		chromedp.Click(`#schedule input[name=choice][value="2"]`, chromedp.ByQuery),
		chromedp.Click(`#schedule form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`div.ok`, chromedp.ByQuery),
		chromedp.Text(`div.ok`, &notice, chromedp.ByQuery),
	))
	require.Contains(t, notice, "Booked")
	booked := ivw.Choices[1].Start
	first := e.WaitEmail(t, p.Email, "Interview for", 30*time.Second)
	inv := calendarPart(t, e, first.ID)
	require.Contains(t, inv.ContentType, "method=REQUEST", "the text/calendar part says its method")
	require.Equal(t, "REQUEST", inv.Method)
	require.Equal(t, 1, inv.Sequence)
	require.True(t, inv.Start.Equal(booked), "the invite is for the chosen time")
	require.True(t, inv.RSVP, "every attendee is asked to reply")
	require.ElementsMatch(t, []string{p.Email, iv.Email}, inv.Attendees)
	require.Contains(t, inv.Raw, "\r\n", "iCalendar lines end in CRLF")
	require.NotContains(t, strings.ReplaceAll(inv.Raw, "\r\n", ""), "\n", "no bare LF")
	e.WaitEmail(t, iv.Email, "Interview for", 30*time.Second)
	ivInv := invites(t, e, iv.Email, "Interview for")
	require.Equal(t, inv.UID, ivInv[0].UID, "the interviewer's invite is the same event")

	// The interviewer's week shows the booking; another interviewer cannot read it.
	ivc := e.Client(t, hireflow.RoleInterviewer)
	var week struct {
		Items []struct {
			Kind  string
			Start time.Time
		}
	}
	require.Equal(t, 200, doJSON(t, ivc, http.MethodGet, e.BaseURL+"/api/v1/interviewers/"+iv.ID+"/week?start="+booked.In(cst).Format(time.DateOnly), nil, &week))
	kinds := map[string]int{}
	for _, it := range week.Items {
		kinds[it.Kind]++
	}
	require.Equal(t, 1, kinds["booking"], "%v", week.Items)
	require.Positive(t, kinds["work"])
	require.Equal(t, 404, doJSON(t, ivc, http.MethodGet, e.BaseURL+"/api/v1/interviewers/"+e.Users[hireflow.RoleHiringManager].ID+"/week", nil, &eb), "an interviewer reads only their own week")
	page := getPage(t, ivc, e.BaseURL+"/console/schedule?lang=zh")
	require.Contains(t, string(page), "面试排期")
	require.Contains(t, string(page), "item-booking", "the booking is on the interviewer's week")
	// The week fits a phone and a desktop in both languages (the interviewer's session in Chromium).
	u, _ := neturl.Parse(e.BaseURL)
	for _, ck := range ivc.Jar.Cookies(u) {
		require.NoError(t, chromedp.Run(bctx, network.SetCookie(ck.Name, ck.Value).WithDomain(u.Hostname()).WithPath("/")))
	}
	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "zh"} {
			require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(e.BaseURL+"/console/schedule?start="+booked.In(cst).Format(time.DateOnly)+"&lang="+lang),
				chromedp.WaitVisible(`.week`, chromedp.ByQuery), chromedp.Evaluate(wider, &wide)))
			require.Empty(t, wide, "the week at %d px (%s) is wider than the screen", width, lang)
		}
	}

	// The candidate reschedules: three alternatives are held, the old time stands until a new
	// one is chosen, and every attendee gets the updated invite (same UID, SEQUENCE 2).
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(link+"?lang=en"),
		chromedp.WaitVisible(`#reason`, chromedp.ByQuery),
		chromedp.SendKeys(`#reason`, "A clash with my exam", chromedp.ByQuery),
		chromedp.Click(`#reason + button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#schedule input[name=choice]`, chromedp.ByQuery),
		chromedp.Click(`#schedule input[name=choice][value="1"]`, chromedp.ByQuery),
		chromedp.Click(`#schedule form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`div.ok`, chromedp.ByQuery),
	))
	testenv.Eventually(t, 30*time.Second, "the updated invitation", func() bool { return len(invites(t, e, p.Email, "Interview for")) == 2 })
	all := invites(t, e, p.Email, "Interview for")
	require.Equal(t, inv.UID, all[1].UID, "the same event")
	require.Equal(t, 2, all[1].Sequence, "SEQUENCE incremented")
	require.False(t, all[1].Start.Equal(booked), "a new time")
	booked = all[1].Start

	// A leave pushed through the REST API over the new time breaks the booking: everyone hears,
	// and the candidate is offered new times.
	leaveDay := booked.In(cst).Format(time.DateOnly)
	var push struct{ Replanned int }
	require.Equal(t, 422, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rosters", map[string]any{"entries": []map[string]any{
		{"interviewer": iv.Email, "date": "2026-13-01", "kind": "leave"}, {"interviewer": "nobody@x.test", "date": leaveDay, "kind": "leave"}}}, &eb))
	require.Equal(t, "roster_invalid", eb.Error.Code)
	require.Equal(t, 200, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rosters", map[string]any{"entries": []map[string]any{
		{"interviewer": iv.Email, "date": leaveDay, "kind": "leave"}}}, &push))
	require.Equal(t, 1, push.Replanned)
	e.WaitEmail(t, p.Email, "needs a new time", 30*time.Second)
	e.WaitEmail(t, iv.Email, "needs a new time", 30*time.Second)
	testenv.Eventually(t, 30*time.Second, "new times on offer", func() bool {
		require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/interview", nil, &ivw))
		return ivw.Status == "offered" && len(ivw.Choices) > 0
	})
	for _, c := range ivw.Choices {
		require.NotEqual(t, leaveDay, c.Start.In(cst).Format(time.DateOnly), "nothing on the day of leave")
	}

	// The recruiter's application page offers booking for the candidate; the interviewer's does
	// not. The recruiter books a time directly; then the candidate cancels: the CANCEL carries
	// the same UID and a higher SEQUENCE.
	recPage := string(getPage(t, rec, e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=en"))
	require.Contains(t, recPage, `data-path="interview/book"`)
	require.Contains(t, recPage, "times offered to the candidate")
	ivPage := string(getPage(t, ivc, e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=en"))
	require.NotContains(t, ivPage, `data-path="interview/book"`, "interviewers do not book")
	require.NotContains(t, ivPage, `data-path="interview/reschedule"`, "nothing booked to reschedule")
	day := time.Now().In(cst).AddDate(0, 0, 3)
	if day.Format(time.DateOnly) == leaveDay {
		day = day.AddDate(0, 0, 1)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, cst)
	require.Equal(t, 403, doJSON(t, ivc, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/interview/book", map[string]any{"start": at, "interviewers": []string{iv.ID}}, &eb))
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/interview/book", map[string]any{"start": at, "interviewers": []string{e.Recruiter.ID}}, &eb))
	require.Equal(t, "unknown_interviewer", eb.Error.Code)
	var bookedFor struct{ Start time.Time }
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/interview/book", map[string]any{"start": at, "interviewers": []string{iv.ID}}, &bookedFor), "%v", bookedFor)
	require.True(t, bookedFor.Start.Equal(at))
	ivPage = string(getPage(t, ivc, e.BaseURL+"/console/applications/"+r.ApplicationID+"?lang=en"))
	require.Contains(t, ivPage, `data-path="interview/reschedule"`, "the interviewer on the panel may reschedule a booked interview")
	testenv.Eventually(t, 30*time.Second, "the third invitation", func() bool { return len(invites(t, e, p.Email, "Interview for")) == 3 })
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(link+"?lang=en"),
		chromedp.WaitVisible(`form[action*="schedule/cancel"] input[name=confirm]`, chromedp.ByQuery),
		chromedp.Click(`form[action*="schedule/cancel"] input[name=confirm]`, chromedp.ByQuery),
		chromedp.Click(`form[action*="schedule/cancel"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`div.ok`, chromedp.ByQuery),
		chromedp.Text(`div.ok`, &notice, chromedp.ByQuery),
	))
	require.Contains(t, notice, "cancelled")
	e.WaitEmail(t, iv.Email, "Cancelled", 30*time.Second)
	cancels := invites(t, e, p.Email, "Cancelled")
	require.Len(t, cancels, 1)
	third := invites(t, e, p.Email, "Interview for")[2]
	require.Equal(t, "CANCEL", cancels[0].Method)
	require.Equal(t, inv.UID, cancels[0].UID)
	require.Greater(t, cancels[0].Sequence, third.Sequence)
	var live int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM interview_slots WHERE org_id = $1 AND released_at IS NULL`, e.Org.ID).Scan(&live))
	require.Zero(t, live, "the cancellation freed every hold and booking")

	// The application waits for the round's feedback; the recruiter closes it.
	require.Equal(t, 202, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/cancel", map[string]any{"reason_code": "position_filled"}, &out), "%v", out)
	waitStage(t, e, r.ApplicationID, hireflow.StageCancelled, 30*time.Second)

	// Nothing personal in any workflow history of the organisation (the interview's included).
	hits, read := e.HistoryScan(t, []string{p.Name, p.Email, "A clash with my exam"})
	require.GreaterOrEqual(t, read, 2)
	require.Empty(t, hits)
	t.Logf("histories: application/%s interview/%s/1", r.ApplicationID, r.ApplicationID)
}

// TestOvertimeAddsTheHighIntensityQuestion: a job's high-intensity question is asked only when
// the intensity rule finds the team's recent overtime high enough (the default: 16 hours per
// person over 28 days, from the rosters), and the decision is recorded with its inputs.
func TestOvertimeAddsTheHighIntensityQuestion(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": "On-call engineer", "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{
			{"id": "q1", "text_en": "Tell us about an incident you resolved.", "kind": "text", "dimensions": []string{"problem_solving"}},
			{"id": "q2", "text_en": "How do you keep going through a week of night pages?", "kind": "text", "high_intensity": true, "dimensions": []string{"ownership"}},
		}}, &job))
	page := func(tag string) (string, string) {
		p := demo.StrongBackend("Intensity "+tag, uniqueEmail("intensity-"+tag))
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.txt", []byte(strings.Join(p.Lines, "\n")), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status, "%+v", r.Error)
		link := e.WaitEmail(t, p.Email, "Your next step", 30*time.Second).Link(t)
		return r.ApplicationID, string(getPage(t, e.HTTP, link+"/interview?lang=en"))
	}
	calm, body := page("calm")
	require.Contains(t, body, "Tell us about an incident")
	require.NotContains(t, body, "night pages", "no overtime: the high-intensity question is not asked")

	// A fortnight of overtime for the team (the interviewer and the hiring manager): 5 × 4 h each.
	var entries []map[string]any
	for _, who := range []string{e.Users[hireflow.RoleInterviewer].Email, e.Users[hireflow.RoleHiringManager].Email} {
		for d := 2; d <= 10; d += 2 {
			entries = append(entries, map[string]any{"interviewer": who, "date": time.Now().AddDate(0, 0, -d).Format(time.DateOnly), "start": "18:00", "end": "22:00", "kind": "overtime"})
		}
	}
	var out map[string]any
	require.Equal(t, 200, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rosters", map[string]any{"entries": entries}, &out), "%v", out)
	busy, body := page("busy")
	require.Contains(t, body, "night pages", "20 h of overtime per person: the high-intensity question is asked")
	for app, want := range map[string]string{calm: "skip", busy: "ask"} {
		ds, err := e.Store.DecisionList(ctx, e.Org.ID, app)
		require.NoError(t, err)
		found := false
		for _, d := range ds {
			if d.Kind == "intensity" {
				found = true
				require.Equal(t, want, d.Outcome)
				require.Equal(t, "intensity", d.RuleName)
				require.Contains(t, d.Inputs, "team")
			}
		}
		require.True(t, found, "the intensity decision is recorded")
	}
}
