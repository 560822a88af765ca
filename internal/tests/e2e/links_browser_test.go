package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/infra/seal"
)

// TestLinksInTheBrowser: a forged link, an expired link and a withdrawal, in Chromium.
func TestLinksInTheBrowser(t *testing.T) {
	l := newHiringEnv(t)
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "links")
	var h1, code string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+strings.Repeat("Z", 43)),
		chromedp.WaitVisible(`p[data-code]`),
		chromedp.Text(`h1`, &h1),
		chromedp.AttributeValue(`p[data-code]`, "data-code", &code, nil),
	))
	require.Contains(t, h1, "This link cannot be used")
	require.Equal(t, "link_invalid", code)

	// Withdraw from the status page.
	appID, token, p := l.applyAndOpen("Wim Withdraw", "browser-withdraw")
	var notice string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+token),
		chromedp.WaitVisible(`form[action*="/withdraw"]`),
		chromedp.Click(`form[action*="/withdraw"] input[name="confirm"]`),
		chromedp.Click(`form[action*="/withdraw"] button`),
		chromedp.WaitVisible(`.ok[role="status"]`),
		chromedp.Text(`.ok[role="status"]`, &notice),
	))
	require.Contains(t, notice, "withdrawal was received")
	l.WaitEmail(t, p.Email, "was withdrawn", 30*time.Second)
	waitStage(t, l.Env, appID, "withdrawn", 20*time.Second)

	// After the withdrawal the link is revoked: the page says so.
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+token+"?lang=en"),
		chromedp.WaitVisible(`p[data-code]`),
		chromedp.AttributeValue(`p[data-code]`, "data-code", &code, nil),
	))
	require.Equal(t, "link_revoked", code)

	// An expired link (issued with a validity that has passed).
	raw := seal.RandomToken()
	require.NoError(t, l.Store.TokenIssue(ctx, l.Org.ID, appID, "application", l.Box.Hash("token", raw), time.Now().Add(-time.Minute), false))
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+raw+"?lang=zh"),
		chromedp.WaitVisible(`p[data-code]`),
		chromedp.AttributeValue(`p[data-code]`, "data-code", &code, nil),
		chromedp.Text(`h1`, &h1),
	))
	require.Equal(t, "link_expired", code)
	require.Contains(t, h1, "此链接无法使用")

	// An expired link of an open application offers a new one, by email.
	appID3, token3, p3 := l.applyAndOpen("Rene Renew", "browser-renew")
	expired := seal.RandomToken()
	require.NoError(t, l.Store.TokenIssue(ctx, l.Org.ID, appID3, "application", l.Box.Hash("token", expired), time.Now().Add(-time.Minute), false))
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(l.BaseURL+"/c/"+expired+"?lang=en"),
		chromedp.WaitVisible(`form[action*="/renew"]`),
		chromedp.Click(`form[action*="/renew"] button`),
		chromedp.WaitVisible(`p[data-code="link_renewal"]`),
	))
	fresh := l.WaitEmail(t, p3.Email, "Your new link", 30*time.Second).Link(t)
	require.NotContains(t, fresh, token3)
	var stage string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(fresh),
		chromedp.WaitVisible(`span.stage`),
		chromedp.AttributeValue(`span.stage`, "data-stage", &stage, nil),
	))
	require.Equal(t, "interview", stage)
}
