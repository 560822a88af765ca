package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestBulkDecisionOnTheBoard: held applications are decided together — over the API (each
// through its own workflow; a rejection without a reason, an application that is not held,
// another job's, an unknown and a malformed ID each get their own refusal while the others go
// through) and from the board's held column in Chromium.
func TestBulkDecisionOnTheBoard(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	mk := func() hireflow.Job {
		var job hireflow.Job
		require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
			"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text"}}}, &job))
		return job
	}
	job, other := mk(), mk()
	apply := func(jb hireflow.Job, p demo.Profile) string {
		r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, jb.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
		require.NoError(t, err)
		require.Equal(t, 201, r.Status, "%+v", r.Error)
		return r.ApplicationID
	}
	held := []string{}
	for i := 0; i < 4; i++ {
		held = append(held, apply(job, demo.PartialBackend("Held Person "+string(rune('A'+i)), uniqueEmail("held"))))
	}
	invited := apply(job, demo.StrongBackend("Strong Person", uniqueEmail("strong")))
	elsewhere := apply(other, demo.PartialBackend("Other Job Person", uniqueEmail("other")))
	for _, id := range append(held, elsewhere) {
		waitStage(t, e, id, hireflow.StageHold, 30*time.Second)
	}
	waitStage(t, e, invited, hireflow.StageInvited, 30*time.Second)

	var eb errBody
	url := e.BaseURL + "/api/v1/jobs/" + job.ID + "/bulk-decision"
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, url, map[string]any{"application_ids": []string{}, "outcome": "pass"}, &eb))
	require.Equal(t, 422, doJSON(t, rec, http.MethodPost, url, map[string]any{"application_ids": make([]string, 51), "outcome": "pass"}, &eb))
	require.Equal(t, 403, doJSON(t, e.Client(t, hireflow.RoleHiringManager), http.MethodPost, url, map[string]any{"application_ids": held[:1], "outcome": "pass"}, &eb))
	require.Equal(t, 404, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs/"+uuid.NewString()+"/bulk-decision", map[string]any{"application_ids": held[:1], "outcome": "pass"}, &eb))
	var out struct {
		Decided int
		Results []struct {
			ApplicationID string `json:"application_id"`
			OK            bool
			Code          string
		}
	}
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, url, map[string]any{"application_ids": []string{held[0]}, "outcome": "reject"}, &out))
	require.Zero(t, out.Decided)
	require.NotEmpty(t, out.Results[0].Code, "a rejection needs a reason")
	ids := []string{held[0], held[1], invited, elsewhere, uuid.NewString(), "not-a-uuid", held[0]}
	out.Results = nil // a fresh answer (decoding into the old slice would keep its codes)
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, url, map[string]any{"application_ids": ids, "outcome": "reject", "reason_code": "skills"}, &out))
	require.Equal(t, 2, out.Decided, "%+v", out)
	require.Len(t, out.Results, 6, "a repeated ID counts once")
	codes := map[string]string{}
	for _, r := range out.Results {
		codes[r.ApplicationID] = r.Code
	}
	require.Empty(t, codes[held[0]])
	require.NotEmpty(t, codes[invited], "not held")
	require.Equal(t, "application_not_found", codes[elsewhere], "another job's application")
	require.Equal(t, "application_not_found", codes["not-a-uuid"])
	decided := func(app, outcome string) int {
		var n int
		require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM decisions WHERE application_id = $1 AND kind = 'recruiter' AND outcome = $2`, app, outcome).Scan(&n))
		return n
	}
	require.Equal(t, 1, decided(held[0], "reject"), "the recruiter's decision is recorded, with its reason")
	require.Equal(t, 1, decided(held[1], "reject"))
	require.Zero(t, decided(elsewhere, "reject"))
	waitStage(t, e, elsewhere, hireflow.StageHold, 5*time.Second)

	// From the board's held column.
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "bulk")
	u := e.Users[hireflow.RoleRecruiter]
	var result string
	var boxes int
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/jobs/"+job.ID+"/board?stage=hold&lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleRecruiter], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#bulk`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('input.pick').length`, &boxes),
		chromedp.Click(`#pick-`+held[2], chromedp.ByQuery), chromedp.Click(`#pick-`+held[3], chromedp.ByQuery),
		chromedp.Click(`#bulk button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#bulk-result.notice`, chromedp.ByQuery),
		chromedp.Text(`#bulk-result`, &result, chromedp.ByQuery),
	))
	require.GreaterOrEqual(t, boxes, 2, "the held column offers its cards")
	require.Equal(t, "2 of 2 decided.", result)
	for _, id := range held[2:] {
		waitStage(t, e, id, hireflow.StageInvited, 30*time.Second)
	}
	page := string(getPage(t, rec, e.BaseURL+"/console/jobs/"+job.ID+"/board?lang=en"))
	require.False(t, strings.Contains(page, `id="bulk"`), "only the held column offers it")
}
