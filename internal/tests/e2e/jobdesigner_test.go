package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestJobDesignerInTheBrowser: a recruiter creates a job in the job designer: the weights'
// live check refuses a model that does not add up to 1, the preview follows the questions, the
// job is created with its dimensions and questions, and its board and application page open.
// An interviewer cannot open the designer.
func TestJobDesignerInTheBrowser(t *testing.T) {
	e := testenv.Start(t)
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "job-designer")
	u := e.Users[hireflow.RoleRecruiter]
	var weights, preview, result, apply string
	require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(390, 900),
		chromedp.Navigate(e.BaseURL+"/console/jobs/new?lang=en"), chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery), chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleRecruiter], chromedp.ByQuery), chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#job`, chromedp.ByQuery),
		chromedp.SendKeys(`#j-title`, "Data Engineer", chromedp.ByQuery),
		chromedp.SendKeys(`#j-must`, "Python, SQL", chromedp.ByQuery),
		chromedp.Evaluate(`var w=document.getElementById('d-w-1');w.value='0.4';w.dispatchEvent(new Event('input'))`, nil),
		chromedp.Text(`#weights`, &weights, chromedp.ByQuery),
	))
	require.Contains(t, weights, "add up to 0.9", "the live check: %q", weights)
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Evaluate(`var w=document.getElementById('d-w-1');w.value='0.5';w.dispatchEvent(new Event('input'))`, nil),
		chromedp.Click(`#add-q`, chromedp.ByQuery),
		chromedp.SendKeys(`#q-en-1`, "How do you test a data pipeline?", chromedp.ByQuery),
		chromedp.SetValue(`#q-kind-1`, "text", chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('q-kind-1').dispatchEvent(new Event('change'))`, nil),
		chromedp.Text(`#preview`, &preview, chromedp.ByQuery),
		chromedp.SendKeys(`#q-pts-en-1`, "a test at each stage\nchecks on the data itself", chromedp.ByQuery),
		chromedp.SendKeys(`#j-cur`, "cny", chromedp.ByQuery),
		chromedp.SendKeys(`#j-bmin`, "20000", chromedp.ByQuery),
		chromedp.SendKeys(`#j-bmax`, "30000", chromedp.ByQuery),
		chromedp.SendKeys(`#j-dept`, "Data", chromedp.ByQuery),
		chromedp.Click(`#job button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#next`, chromedp.ByQuery),
		chromedp.Text(`#result`, &result, chromedp.ByQuery),
		chromedp.AttributeValue(`#to-apply`, "href", &apply, nil, chromedp.ByQuery),
	))
	require.Contains(t, preview, "How do you test a data pipeline? — typing")
	require.Equal(t, "The job is created and open for applications.", result)
	require.Regexp(t, `^/jobs/[0-9a-f-]{36}/apply$`, apply)
	jobID := apply[len("/jobs/") : len(apply)-len("/apply")]
	var job hireflow.Job
	rec := e.Client(t, hireflow.RoleRecruiter)
	require.Equal(t, 200, doJSON(t, rec, http.MethodGet, e.BaseURL+"/api/v1/jobs/"+jobID, nil, &job))
	require.Equal(t, "Data Engineer", job.Title)
	require.Len(t, job.Dimensions, 2)
	require.Len(t, job.Questions, 2)
	require.Equal(t, "text", job.Questions[1].Kind)
	require.Equal(t, []string{"a test at each stage", "checks on the data itself"}, job.Questions[1].PointsEN, "the reference points")
	require.Equal(t, []string{"Python", "SQL"}, job.Requirements.MustSkills)
	require.Equal(t, hireflow.JobOffer{Currency: "CNY", BandMin: 20000, BandMax: 30000, Department: "Data"}, job.Offer, "the offer terms")
	require.Contains(t, string(getPage(t, e.HTTP, e.BaseURL+apply)), "Data Engineer")
	getPage(t, rec, e.BaseURL+"/console/jobs/"+jobID+"/board")
	resp, err := e.Client(t, hireflow.RoleInterviewer).Get(e.BaseURL + "/console/jobs/new")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 403, resp.StatusCode)
	var wide string
	for _, lang := range []string{"en", "zh"} {
		require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console/jobs/new?lang="+lang), chromedp.WaitVisible(`#job`, chromedp.ByQuery), chromedp.Evaluate(wider, &wide)))
		require.Empty(t, wide, "the designer at 390 px (%s)", lang)
	}
}
