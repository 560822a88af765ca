package api

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/hireflow/hireflow"
)

// A staff member's own account: two-step sign-in (TOTP, RFC 6238) with recovery codes, and
// their sessions with "sign out everywhere". Every role has it; it touches no candidate data.

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

func validTOTP(code, secret string) bool {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 || secret == "" {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, time.Now(), totpOpts)
	return err == nil && ok
}

// normalCode is a recovery code as typed, without spaces, dashes or case.
func normalCode(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s)))
}

// RecoveryCodes is how many one-time recovery codes two-step sign-in hands out.
const RecoveryCodes = 10

func newRecoveryCode() string {
	b := make([]byte, 7)
	_, _ = rand.Read(b)
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

// totpSetup starts two-step sign-in: a new secret (kept pending until a code confirms it),
// the otpauth:// URL and its QR code.
func (s *Server) totpSetup(c *fiber.Ctx) error {
	p := principal(c)
	acct, err := s.Store.AccountByID(c.UserContext(), p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if acct.Hash == "" {
		return hireflow.Errorf(hireflow.KindConflict, "sso_account", "", "this account signs in through your company's identity provider, which sets its second factor").
			ZH("此账号通过公司身份提供方登录，第二因素由其设置")
	}
	org, err := s.Store.OrgGet(c.UserContext(), p.OrgID)
	if err != nil {
		return err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "hireflow · " + org.Name, AccountName: acct.User.Email, Period: 30,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return err
	}
	if err := s.Store.TOTPSetPending(c.UserContext(), p.OrgID, p.UserID, key.Secret()); err != nil {
		return err
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"secret": key.Secret(), "otpauth_url": key.URL(), "qr_png": "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())})
}

type codeRequest struct {
	Code string `json:"code"`
}

// totpEnable confirms the pending secret with a code from the app and returns the recovery
// codes, shown this once (stored as keyed hashes).
func (s *Server) totpEnable(c *fiber.Ctx) error {
	p := principal(c)
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	acct, err := s.Store.AccountByID(c.UserContext(), p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if acct.TOTPEnabled {
		return hireflow.Errorf(hireflow.KindConflict, "totp_enabled", "", "two-step sign-in is already on").ZH("两步验证已开启")
	}
	if acct.TOTPSecret == "" {
		return hireflow.Errorf(hireflow.KindConflict, "totp_not_pending", "", "start the set-up first").ZH("请先开始设置")
	}
	if !validTOTP(req.Code, acct.TOTPSecret) {
		return hireflow.Errorf(hireflow.KindInvalid, "otp_invalid", "code", "the code is wrong or has expired").ZH("验证码错误或已过期")
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([][]byte, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = s.Box.Hash("recovery", normalCode(codes[i]))
	}
	if err := s.Store.TOTPEnable(c.UserContext(), p.OrgID, p.UserID, hashes); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "auth.totp_enabled", "user", p.UserID, nil)
	return c.JSON(fiber.Map{"enabled": true, "recovery_codes": codes})
}

// totpDisable turns two-step sign-in off; it needs a current code (or a recovery code).
func (s *Server) totpDisable(c *fiber.Ctx) error {
	p := principal(c)
	var req codeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	acct, err := s.Store.AccountByID(c.UserContext(), p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if !acct.TOTPEnabled {
		return hireflow.Errorf(hireflow.KindConflict, "totp_off", "", "two-step sign-in is not on").ZH("两步验证未开启")
	}
	ok := validTOTP(req.Code, acct.TOTPSecret)
	if !ok {
		if ok, err = s.Store.RecoveryCodeUse(c.UserContext(), p.UserID, s.Box.Hash("recovery", normalCode(req.Code))); err != nil {
			return err
		}
	}
	if !ok {
		return hireflow.Errorf(hireflow.KindInvalid, "otp_invalid", "code", "the code is wrong or has expired").ZH("验证码错误或已过期")
	}
	if err := s.Store.TOTPDisable(c.UserContext(), p.OrgID, p.UserID); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "auth.totp_disabled", "user", p.UserID, nil)
	return c.JSON(fiber.Map{"enabled": false})
}

// currentSessionHash is the caller's session (nil for a bearer token).
func (s *Server) currentSessionHash(c *fiber.Ctx) []byte {
	if sid, _ := c.Locals("session_id").(string); sid != "" {
		return s.Box.Hash("session", sid)
	}
	return nil
}

func (s *Server) listSessions(c *fiber.Ctx) error {
	p := principal(c)
	list, err := s.Store.Sessions(c.UserContext(), p.UserID, s.currentSessionHash(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"sessions": list})
}

// endSessions signs the caller out everywhere (this browser included).
func (s *Server) endSessions(c *fiber.Ctx) error {
	p := principal(c)
	n, err := s.Store.SessionEndAll(c.UserContext(), p.UserID)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "auth.signed_out_everywhere", "user", p.UserID, map[string]any{"sessions": n})
	c.ClearCookie(sessionCookie)
	return c.JSON(fiber.Map{"ended": n})
}

func (s *Server) endSession(c *fiber.Ctx) error {
	p := principal(c)
	ok, err := s.Store.SessionEnd(c.UserContext(), p.UserID, c.Params("id"))
	if err != nil {
		return err
	}
	if !ok {
		return hireflow.NotFound("session_not_found", "session")
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "auth.session_ended", "user", p.UserID, nil)
	return c.SendStatus(fiber.StatusNoContent)
}

// accountView is the account page: the second factor's state and the live sessions.
type accountView struct {
	Email         string
	SSO           bool // signs in through the organisation's identity provider
	TOTP          bool
	RecoveryLeft  int
	Sessions      []sessionRow
	OtherSessions int
}

type sessionRow struct {
	ID, Created, LastSeen, Browser, Method string
	Current                                bool
}

// browserName is a short, readable name for a User-Agent.
func browserName(ua string) string {
	for _, b := range []struct{ key, name string }{{"Edg/", "Edge"}, {"MicroMessenger", "WeChat"}, {"Firefox/", "Firefox"},
		{"HeadlessChrome", "Headless Chrome"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client", "Go client"}} {
		if strings.Contains(ua, b.key) {
			os := ""
			for _, o := range []struct{ key, name string }{{"iPhone", "iPhone"}, {"Android", "Android"}, {"Windows", "Windows"}, {"Mac OS", "macOS"}, {"Linux", "Linux"}} {
				if strings.Contains(ua, o.key) {
					os = " · " + o.name
					break
				}
			}
			return b.name + os
		}
	}
	if ua == "" {
		return "—"
	}
	return truncate(ua, 40)
}

// accountPage shows the caller's two-step sign-in and sessions, with the actions on them.
func (s *Server) accountPage(c *fiber.Ctx) error {
	p := principal(c)
	d, err := s.consoleData(c, "nav.account", "/console/account")
	if err != nil {
		return err
	}
	acct, err := s.Store.AccountByID(c.UserContext(), p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	v := &accountView{Email: acct.User.Email, SSO: acct.Hash == "", TOTP: acct.TOTPEnabled}
	if v.TOTP {
		if v.RecoveryLeft, err = s.Store.RecoveryCodesLeft(c.UserContext(), p.UserID); err != nil {
			return err
		}
	}
	list, err := s.Store.Sessions(c.UserContext(), p.UserID, s.currentSessionHash(c))
	if err != nil {
		return err
	}
	for _, x := range list {
		v.Sessions = append(v.Sessions, sessionRow{ID: x.ID, Created: fmtTime(d.Lang, x.CreatedAt), LastSeen: fmtTime(d.Lang, x.LastSeenAt),
			Browser: browserName(x.UserAgent), Method: translateValue(d.Lang, "acct.method.", x.Method), Current: x.Current})
		if !x.Current {
			v.OtherSessions++
		}
	}
	d.Console.Account = v
	return s.render(c, fiber.StatusOK, "account.html", d)
}
