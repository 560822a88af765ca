// Package chat posts a message to a group chat robot: a DingTalk custom robot, a WeCom (企业微信)
// group robot or a Feishu (飞书) custom bot, each signed and answered the way its platform
// documents. It is what raises a bias audit's alert in the organisation's HR chat.
package chat

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Kinds are the robots Send can post to.
var Kinds = []string{"dingtalk", "wecom", "feishu"}

// Robot is one configured chat robot.
type Robot struct {
	Kind   string // dingtalk | wecom | feishu
	URL    string // the robot's webhook address, with its access token or key
	Secret string // the signing secret (DingTalk "加签", Feishu "签名校验"); WeCom has none
}

// Validate checks a robot's configuration before it is stored.
func (r Robot) Validate(allowHTTP bool) (field, reason string) {
	known := false
	for _, k := range Kinds {
		known = known || k == r.Kind
	}
	if !known {
		return "kind", "kind must be dingtalk, wecom or feishu"
	}
	u, err := url.Parse(r.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && !(allowHTTP && u.Scheme == "http")) || u.User != nil || len(r.URL) > 1000 {
		return "url", "url must be the robot's https:// webhook address"
	}
	if len(r.Secret) > 256 {
		return "secret", "secret is at most 256 characters"
	}
	return "", ""
}

// Error is a robot's refusal: the platform's own code and message.
type Error struct {
	Kind    string
	Status  int
	Code    int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("chat: %s robot answered HTTP %d, code %d: %s", e.Kind, e.Status, e.Code, e.Message)
}

// Send posts a markdown message (a title and its text) to the robot; now is the signing time.
// It returns nil only when the platform answered that it accepted the message.
func Send(ctx context.Context, hc *http.Client, r Robot, title, text string, now time.Time) error {
	target := r.URL
	var body any
	switch r.Kind {
	case "dingtalk":
		// Signed robots take timestamp (ms) and sign = base64(HMAC-SHA256(secret, ts+"\n"+secret)) in the query.
		if r.Secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			mac := hmac.New(sha256.New, []byte(r.Secret))
			mac.Write([]byte(ts + "\n" + r.Secret))
			u, err := url.Parse(target)
			if err != nil {
				return err
			}
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			u.RawQuery = q.Encode()
			target = u.String()
		}
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": "### " + title + "\n\n" + text}}
	case "wecom":
		body = map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": "### " + title + "\n" + text}}
	case "feishu":
		m := map[string]any{"msg_type": "text", "content": map[string]string{"text": title + "\n" + text}}
		// Signed bots take timestamp (s) and sign = base64(HMAC-SHA256(key = ts+"\n"+secret, empty message)).
		if r.Secret != "" {
			ts := strconv.FormatInt(now.Unix(), 10)
			mac := hmac.New(sha256.New, []byte(ts+"\n"+r.Secret))
			m["timestamp"], m["sign"] = ts, base64.StdEncoding.EncodeToString(mac.Sum(nil))
		}
		body = m
	default:
		return fmt.Errorf("chat: unknown robot kind %q", r.Kind)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("chat: %s robot: %w", r.Kind, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	// DingTalk and WeCom answer {"errcode":0,"errmsg":"ok"}; Feishu {"code":0,"msg":"success"}.
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	_ = json.Unmarshal(raw, &ans)
	e := &Error{Kind: r.Kind, Status: resp.StatusCode, Code: -1, Message: "no answer the platform documents"}
	switch {
	case ans.ErrCode != nil:
		e.Code, e.Message = *ans.ErrCode, ans.ErrMsg
	case ans.Code != nil:
		e.Code, e.Message = *ans.Code, ans.Msg
	}
	if resp.StatusCode/100 == 2 && e.Code == 0 {
		return nil
	}
	return e
}
