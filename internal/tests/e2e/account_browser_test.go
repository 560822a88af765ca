package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

// TestTwoStepSignInInTheBrowser: on a phone-sized Chromium a hiring manager signs in, turns on
// two-step sign-in on the account page (the QR code and key show; the six digits confirm it;
// ten recovery codes appear), signs out, and signs in again: the code field appears after the
// password, and the code lands them on the console. The page fits 390 px and 1280 px in both
// languages and runs under the strict CSP (its scripts carry the nonce; the fetches carry the
// CSRF token — the set-up would fail without either).
func TestTwoStepSignInInTheBrowser(t *testing.T) {
	e := testenv.Start(t)
	u := e.Users[hireflow.RoleHiringManager]
	bctx := browser(t, "/dev/null")
	defer shot(t, bctx, "account-two-step")
	signIn := func() {
		require.NoError(t, chromedp.Run(bctx,
			chromedp.Navigate(e.BaseURL+"/console/account?lang=en"),
			chromedp.WaitVisible(`#login`, chromedp.ByQuery),
			chromedp.SendKeys(`#org`, e.Org.Slug, chromedp.ByQuery),
			chromedp.SendKeys(`#email`, u.Email, chromedp.ByQuery),
			chromedp.SendKeys(`#password`, e.Passwords[hireflow.RoleHiringManager], chromedp.ByQuery),
			chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		))
	}
	signIn()
	var secret, qr string
	var codes int
	require.NoError(t, chromedp.Run(bctx,
		chromedp.WaitVisible(`#totpstart`, chromedp.ByQuery),
		chromedp.Click(`#totpstart`, chromedp.ByQuery),
		chromedp.WaitVisible(`#totpsetup`, chromedp.ByQuery),
		chromedp.Text(`#secret`, &secret, chromedp.ByQuery),
		chromedp.Evaluate(`document.getElementById('qr').naturalWidth > 0 ? 'ok' : 'no'`, &qr),
	))
	require.Len(t, strings.TrimSpace(secret), 32)
	require.Equal(t, "ok", qr, "the QR code renders (data: images are allowed by the CSP)")
	code, err := totp.GenerateCode(strings.TrimSpace(secret), time.Now())
	require.NoError(t, err)
	require.NoError(t, chromedp.Run(bctx,
		chromedp.SendKeys(`#oncode`, code, chromedp.ByQuery),
		chromedp.Click(`#totpon button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#codes`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#codelist li').length`, &codes),
	))
	require.Equal(t, 10, codes)

	for _, width := range []int64{390, 1280} {
		for _, lang := range []string{"en", "zh"} {
			var wide, h1 string
			require.NoError(t, chromedp.Run(bctx, chromedp.EmulateViewport(width, 900),
				chromedp.Navigate(e.BaseURL+"/console/account?lang="+lang), chromedp.WaitVisible(`#everywhere`, chromedp.ByQuery),
				chromedp.Evaluate(wider, &wide), chromedp.Text(`h1`, &h1, chromedp.ByQuery)))
			require.Empty(t, wide, "the account page at %d px (%s)", width, lang)
			require.Equal(t, map[string]string{"en": "Account", "zh": "账号"}[lang], h1)
		}
	}

	// Sign out everywhere (confirm() answered yes), then back in with the code.
	var loc string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.Navigate(e.BaseURL+"/console/account?lang=en"), chromedp.WaitVisible(`#everywhere`, chromedp.ByQuery),
		chromedp.Evaluate(`window.confirm=function(){return true;}`, nil),
		chromedp.Click(`#everywhere`, chromedp.ByQuery),
		chromedp.WaitVisible(`#login`, chromedp.ByQuery),
		chromedp.Evaluate(`location.pathname`, &loc),
	))
	require.Equal(t, "/console/login", loc)
	signIn()
	require.NoError(t, chromedp.Run(bctx, chromedp.WaitVisible(`#otp`, chromedp.ByQuery)))
	code, err = totp.GenerateCode(strings.TrimSpace(secret), time.Now())
	require.NoError(t, err)
	var h1 string
	require.NoError(t, chromedp.Run(bctx,
		chromedp.SendKeys(`#otp`, code, chromedp.ByQuery),
		chromedp.Click(`#login button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#sessions`, chromedp.ByQuery),
		chromedp.Text(`h1`, &h1, chromedp.ByQuery),
		chromedp.Evaluate(`location.pathname`, &loc),
	))
	require.Equal(t, "/console/account", loc)
	require.Equal(t, "Account", h1)
	var method string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT method FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`, u.ID).Scan(&method))
	require.Equal(t, "totp", method)
}
