package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestFieldVisibilityEveryRoleEveryOutput walks every role through every output that carries
// a candidate's contact — the application's JSON, the application list, the console page, the
// job board and the inbox — and checks each field is shown, masked or absent as the matrix
// says; then an admin's override changes one cell (audited) and a protected cell cannot be
// opened.
func TestFieldVisibilityEveryRoleEveryOutput(t *testing.T) {
	e := testenv.Start(t)
	rec := e.Client(t, hireflow.RoleRecruiter)
	j := demo.BackendJob()
	var job hireflow.Job
	require.Equal(t, 201, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/jobs", map[string]any{"title": j.Title, "requirements": j.Requirements,
		"dimensions": j.Dimensions, "questions": []map[string]any{{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text"}}}, &job))
	rs := ruleSetOf(t, e, rec, job.ID)
	var draft struct{ Version int }
	require.Equal(t, 201, sendYAML(t, rec, http.MethodPut, e.BaseURL+"/api/v1/rulesets/"+rs+"/draft",
		"rules:\n  screening: '\"pass\"'\n  routing: '\"advance\"'\npipeline:\n  - stage: screen\n  - stage: live_round\n  - stage: review\n", &draft))
	var pub map[string]any
	require.Equal(t, 200, doJSON(t, rec, http.MethodPost, e.BaseURL+"/api/v1/rulesets/"+rs+"/publish", map[string]any{"version": draft.Version,
		"override_reason": "visibility test pipeline"}, &pub), "%v", pub)
	p := demo.StrongBackend("Visibility Qiang", "visq-"+uniqueEmail("vis"))
	p.Phone = "+86 139 1234 5678"
	resumePDF := demo.ResumePDF(p.Lines)
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, job.ID, p, "cv.pdf", resumePDF, true)
	require.NoError(t, err)
	require.Equal(t, 201, r.Status, "%+v", r.Error)
	// Interviewers and hiring managers reach only the applications they take part in: not found
	// before (as another organisation's), reachable once asked for the live round's feedback and
	// the review.
	iv, mgr := e.Client(t, hireflow.RoleInterviewer), e.Client(t, hireflow.RoleHiringManager)
	var eb0 errBody
	require.Equal(t, 404, doJSON(t, mgr, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID, nil, &eb0))
	e.WaitEmail(t, e.Users[hireflow.RoleInterviewer].Email, "Interview feedback needed", 30*time.Second)
	require.Equal(t, 404, doJSON(t, mgr, http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID, nil, &eb0), "a manager before the review")
	other := e.Users[hireflow.RoleRecruiter].ID // a user who is no interviewer: never assigned
	ok, err := e.Store.Assigned(ctx, e.Org.ID, r.ApplicationID, other)
	require.NoError(t, err)
	require.False(t, ok)
	var fb map[string]any
	require.Equal(t, 200, doJSON(t, iv, http.MethodPost, e.BaseURL+"/api/v1/applications/"+r.ApplicationID+"/feedback",
		map[string]any{"round": 1, "ratings": map[string]any{"communication": 4}, "recommendation": "advance"}, &fb), "%v", fb)
	e.WaitEmail(t, e.Users[hireflow.RoleHiringManager].Email, "Review needed", 30*time.Second)
	maskedEmail := "v***@" + p.Email[strings.Index(p.Email, "@")+1:]

	// Each role's row for the fields outputs carry: name and email ("visible", "masked",
	// "hidden"; "" = the output refuses the role), and whether the résumé downloads. The other
	// fields of the matrix (phone, the résumé's text, age, birthplace, marital status, photo,
	// ID and bank numbers) reach no staff output at all: checked for every role and output.
	type want struct {
		name, email string
		resume      bool
	}
	matrix := map[hireflow.Role]want{
		hireflow.RoleRecruiter:     {"visible", "visible", true},
		hireflow.RoleHiringManager: {"visible", "masked", true},
		hireflow.RoleInterviewer:   {"visible", "masked", true},
		hireflow.RoleIntegration:   {"visible", "visible", false},
		hireflow.RoleAnalyst:       {"hidden", "hidden", false},
		hireflow.RoleAdmin:         {"", "", false}, // admins see no application at all
	}
	neverShown := []string{p.Phone, "+86 139", p.Lines[3], p.Lines[6]}
	expect := func(t *testing.T, what, level, exact, masked, got string) {
		t.Helper()
		switch level {
		case "visible":
			require.Contains(t, got, exact, what)
		case "masked":
			require.NotContains(t, got, exact, what)
			require.Contains(t, got, masked, what)
		case "hidden":
			require.NotContains(t, got, exact, what)
			if masked != "" {
				require.NotContains(t, got, masked, what)
			}
		}
	}
	check := func(t *testing.T, role hireflow.Role, w want) {
		hc := e.Client(t, role)
		outputs := map[string]string{
			"json":      "/api/v1/applications/" + r.ApplicationID,
			"list":      "/api/v1/applications?job_id=" + job.ID,
			"page":      "/console/applications/" + r.ApplicationID + "?lang=en",
			"board":     "/console/jobs/" + job.ID + "/board?lang=en",
			"inbox":     "/console?lang=en",
			"timeline":  "/console/applications/" + r.ApplicationID + "/timeline?lang=en",
			"decisions": "/api/v1/applications/" + r.ApplicationID + "/decisions",
			"report":    "/console/applications/" + r.ApplicationID + "/report?lang=en",
			"audit_log": "/console/audit-log?lang=en",
			"resume":    "/api/v1/applications/" + r.ApplicationID + "/resume",
		}
		for name, path := range outputs {
			resp, err := hc.Get(e.BaseURL + path)
			require.NoError(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if name == "resume" {
				if w.resume {
					require.Equal(t, 200, resp.StatusCode, "%s résumé: %s", role, body)
					require.Equal(t, resumePDF, body, "the résumé as uploaded")
					require.Contains(t, resp.Header.Get("Content-Disposition"), "attachment", "never inline")
					require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
				} else {
					require.Contains(t, []int{403, 404}, resp.StatusCode, "%s may not download the résumé: %s", role, body)
				}
				continue
			}
			for _, x := range neverShown {
				require.NotContains(t, string(body), x, "%s %s shows a field no staff output carries", role, name)
			}
			if resp.StatusCode != 200 {
				require.Contains(t, []int{403, 404}, resp.StatusCode, "%s %s: %s", role, name, body)
				continue
			}
			what := string(role) + " " + name
			page := string(body)
			require.NotContains(t, page, ".about", "%s: an untranslated text", what)
			if w.name == "" || name == "timeline" || name == "decisions" || name == "report" || name == "audit_log" {
				// Outputs without contact: nothing of the person at all.
				expect(t, what, "hidden", p.Name, "", page)
				expect(t, what, "hidden", p.Email, maskedEmail, page)
				continue
			}
			if name == "json" || name == "list" {
				// The outputs that carry the contact fields: exactly what the matrix says.
				expect(t, what+" name", w.name, p.Name, "V***", page)
				expect(t, what+" email", w.email, p.Email, maskedEmail, page)
				continue
			}
			// Pages show at most what the matrix allows (a card or an inbox may not list it).
			if w.name != "visible" {
				require.NotContains(t, page, p.Name, what)
			}
			if w.email != "visible" {
				require.NotContains(t, page, p.Email, what)
			}
		}
	}
	for role, w := range matrix {
		t.Run(string(role), func(t *testing.T) { check(t, role, w) })
	}

	// An integration token sees at most what its scopes name; reads are audited with the fields.
	integ := e.Client(t, hireflow.RoleIntegration)
	var eb1 errBody
	require.Equal(t, 422, doJSON(t, integ, http.MethodPost, e.BaseURL+"/api/v1/api-tokens", map[string]any{"name": "x", "scopes": []string{"candidate.soul"}}, &eb1))
	require.Equal(t, "invalid_scope", eb1.Error.Code)
	for scopes, wantEmail := range map[string]bool{"name-only": false, "default": true} {
		body := map[string]any{"name": "ehr " + scopes}
		if scopes == "name-only" {
			body["scopes"] = []string{"candidate.name"}
		}
		var tok struct{ Token string }
		require.Equal(t, 201, doJSON(t, integ, http.MethodPost, e.BaseURL+"/api/v1/api-tokens", body, &tok))
		req, _ := http.NewRequest(http.MethodGet, e.BaseURL+"/api/v1/applications/"+r.ApplicationID, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode, "%s", got)
		require.Contains(t, string(got), p.Name, scopes)
		require.Equal(t, wantEmail, strings.Contains(string(got), p.Email), "%s: %s", scopes, got)
	}
	var withEmail, nameOnly int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE detail->'fields' ? 'candidate.email=visible'),
			count(*) FILTER (WHERE detail->'fields' ? 'candidate.name=visible' AND NOT detail->'fields' ? 'candidate.email=visible')
		FROM audit_log WHERE org_id = $1 AND action = 'candidate.read' AND subject_id = $2 AND detail->>'route' = 'GET /api/v1/applications/:id'`,
		e.Org.ID, r.ApplicationID).Scan(&withEmail, &nameOnly))
	require.Positive(t, withEmail, "reads are audited with the fields read")
	require.Positive(t, nameOnly, "the name-only token's read names only the name")

	// An admin opens the interviewers' email; the hiring managers' protected cells stay shut.
	admin := e.Client(t, hireflow.RoleAdmin)
	var eb errBody
	require.Equal(t, 403, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/field-visibility", map[string]any{"overrides": []map[string]string{
		{"role": "hiring_manager", "field": "candidate.age", "level": "visible"}}}, &eb))
	require.Equal(t, "field_protected", eb.Error.Code)
	require.Equal(t, 422, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/field-visibility", map[string]any{"overrides": []map[string]string{
		{"role": "interviewer", "field": "candidate.shoe_size", "level": "visible"}}}, &eb))
	require.Equal(t, 403, doJSON(t, rec, http.MethodPut, e.BaseURL+"/api/v1/organisation/field-visibility", map[string]any{"overrides": []any{}}, &eb), "only admins")
	var cells struct {
		Cells []struct{ Role, Field, Level string }
	}
	require.Equal(t, 200, doJSON(t, admin, http.MethodPut, e.BaseURL+"/api/v1/organisation/field-visibility", map[string]any{"overrides": []map[string]string{
		{"role": "interviewer", "field": "candidate.email", "level": "visible"}, {"role": "recruiter", "field": "candidate.name", "level": "masked"}}}, &cells))
	found := false
	for _, c := range cells.Cells {
		if c.Role == "interviewer" && c.Field == "candidate.email" {
			found = c.Level == "visible"
		}
	}
	require.True(t, found)
	check(t, hireflow.RoleInterviewer, want{"visible", "visible", true})
	recPage := string(getPage(t, rec, e.BaseURL+"/api/v1/applications/"+r.ApplicationID))
	require.NotContains(t, recPage, p.Name, "the recruiters' names are masked now")
	require.Contains(t, recPage, `"candidate_name":"V***"`)
	var audited int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'field_visibility.set'`, e.Org.ID).Scan(&audited))
	require.Equal(t, 1, audited)
}
