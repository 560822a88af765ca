package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestConsoleAnalyticsInTheBrowser: an analyst signs in on the sign-in page and lands on the
// console home; the analytics and audits pages fit a 390 px phone and a 1280 px desktop in both
// languages (nothing wider than the screen), a chart's table opens from the keyboard, and an
// audit run from the audits page's form appears on the page.
// wider names the first elements that reach past the right edge of the screen ("" if none).
const wider = `(function(){var w=document.documentElement.clientWidth,out=[];
document.querySelectorAll('body *').forEach(function(el){var r=el.getBoundingClientRect();
if(r.right>w+1&&!el.closest('.tbl')&&out.length<5){out.push(el.tagName+(el.id?'#'+el.id:'')+'.'+el.className+' '+Math.round(r.right));}});
return out.join(', ');})()`

func TestConsoleAnalyticsInTheBrowser(t *testing.T) {
	e := testenv.Start(t)
	job := createJob(t, e, e.Client(t, hireflow.RoleRecruiter), jobTimings{Reminder: "1h", Expiry: "2h", Rejection: "1h", HoldSLA: "1h"})
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "console-analytics")
	analyst := e.Users[hireflow.RoleAnalyst]
	var h1, loc string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/analytics?lang=en"),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, analyst.Email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleAnalyst], chromedp.ByQuery),
		chromedp.Click(`#login button`, chromedp.ByQuery),
		chromedp.Sleep(2*time.Second),
		chromedp.Evaluate(`location.pathname`, &loc),
	))
	require.Equal(t, "/console/analytics", loc, "sign-in returns to the page asked for")
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/analytics?lang=en"),
		chromedp.WaitVisible(`#chart-funnel`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
	))
	require.Equal(t, "Analytics", h1)
	require.NoError(t, chromedp.Run(bctx, chromedp.Navigate(e.BaseURL+"/console"), chromedp.WaitVisible(`nav.console`, chromedp.ByQuery), chromedp.Text(`h1`, &h1, chromedp.ByQuery)))
	require.Equal(t, "Home", h1)

	// A published audit from last year, so that the public summary has something to show.
	var eb errBody
	require.Equal(t, 201, doJSON(t, e.Client(t, hireflow.RoleAnalyst), http.MethodPost, e.BaseURL+"/api/v1/analytics/bias-audits?from=2025-01-01&to=2026-01-01", nil, &eb))
	require.Equal(t, 200, doJSON(t, e.Client(t, hireflow.RoleAdmin), http.MethodPut, e.BaseURL+"/api/v1/analytics/bias-audits/publication", map[string]any{"published": true}, &eb))
	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "zh"} {
			for _, path := range []string{"/console?x=1", "/console/analytics?job=" + job.ID, "/console/analytics/audits?x=1", "/audits/" + e.Org.Slug + "?x=1"} {
				var wide string
				require.NoError(t, chromedp.Run(bctx,
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(e.BaseURL+path+"&lang="+lang),
					chromedp.WaitVisible(`main`, chromedp.ByQuery),
					chromedp.Evaluate(wider, &wide),
				))
				require.Empty(t, wide, "%s at %d px (%s) is wider than the screen", path, width, lang)
			}
		}
	}

	// A chart's table opens from the keyboard (its summary is focusable; Enter opens it).
	var open bool
	require.NoError(t, chromedp.Run(bctx,
		chromedp.EmulateViewport(390, 900),
		chromedp.Navigate(e.BaseURL+"/console/analytics?lang=en"),
		chromedp.WaitVisible(`#chart-funnel summary`, chromedp.ByQuery),
		chromedp.Focus(`#chart-funnel summary`, chromedp.ByQuery),
		chromedp.KeyEvent("\r"),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Evaluate(`document.querySelector('#chart-funnel details').open`, &open),
	))
	require.True(t, open)

	// Run an audit from the page.
	var msg, period string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/analytics/audits?lang=en"),
		chromedp.WaitVisible(`#a-from`, chromedp.ByQuery),
		chromedp.SetValue(`#a-from`, "2026-10-01", chromedp.ByQuery),
		chromedp.SetValue(`#a-to`, "2026-11-01", chromedp.ByQuery),
		chromedp.Click(`form[data-query] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#result.ok`, chromedp.ByQuery),
		chromedp.Text(`#result`, &msg, chromedp.ByQuery),
	))
	// The page reloads with the new audit first (newest first).
	require.NoError(t, chromedp.Run(bctx, chromedp.Sleep(1500*time.Millisecond), chromedp.WaitVisible(`section[id^="audit-"] h2`, chromedp.ByQuery),
		chromedp.Text(`section[id^="audit-"] h2`, &period, chromedp.ByQuery)))
	require.Equal(t, "Done.", strings.TrimSpace(msg))
	require.Equal(t, "2026-10-01 – 2026-10-31", period)
}
