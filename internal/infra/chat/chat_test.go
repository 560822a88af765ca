package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// robotServer answers as each platform documents, checking the signature the way the
// platform does, and keeps the last message it accepted.
func robotServer(t *testing.T, secret string) (*httptest.Server, *map[string]any) {
	last := map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			w.Write([]byte(`{"errcode":40035,"errmsg":"invalid json"}`))
			return
		}
		switch r.URL.Path {
		case "/robot/send": // DingTalk
			ts := r.URL.Query().Get("timestamp")
			mac := hmac.New(sha256.New, []byte(secret))
			mac.Write([]byte(ts + "\n" + secret))
			if r.URL.Query().Get("access_token") != "tok" || r.URL.Query().Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
				w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
				return
			}
			last = m
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		case "/cgi-bin/webhook/send": // WeCom
			if r.URL.Query().Get("key") != "k" {
				w.Write([]byte(`{"errcode":93000,"errmsg":"invalid webhook url"}`))
				return
			}
			last = m
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		case "/open-apis/bot/v2/hook/h": // Feishu
			ts, _ := m["timestamp"].(string)
			mac := hmac.New(sha256.New, []byte(ts+"\n"+secret))
			sec, _ := strconv.ParseInt(ts, 10, 64)
			if m["sign"] != base64.StdEncoding.EncodeToString(mac.Sum(nil)) || time.Since(time.Unix(sec, 0)) > time.Hour {
				w.Write([]byte(`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`))
				return
			}
			last = m
			w.Write([]byte(`{"code":0,"msg":"success","data":{}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &last
}

func TestSendSignsAndReadsEachPlatformsAnswer(t *testing.T) {
	srv, last := robotServer(t, "SECabc")
	ctx := context.Background()
	now := time.Now()
	for _, r := range []Robot{
		{Kind: "dingtalk", URL: srv.URL + "/robot/send?access_token=tok", Secret: "SECabc"},
		{Kind: "wecom", URL: srv.URL + "/cgi-bin/webhook/send?key=k"},
		{Kind: "feishu", URL: srv.URL + "/open-apis/bot/v2/hook/h", Secret: "SECabc"},
	} {
		t.Run(r.Kind, func(t *testing.T) {
			*last = nil
			require.NoError(t, Send(ctx, srv.Client(), r, "Bias audit 偏差审计", "2 groups under 0.8", now))
			require.NotNil(t, *last)
			b, _ := json.Marshal(*last)
			require.Contains(t, string(b), "2 groups under 0.8")
		})
	}
	// Wrong secrets, a wrong key and a platform that answers something else are errors with the platform's code.
	var e *Error
	err := Send(ctx, srv.Client(), Robot{Kind: "dingtalk", URL: srv.URL + "/robot/send?access_token=tok", Secret: "wrong"}, "t", "x", now)
	require.True(t, errors.As(err, &e))
	require.Equal(t, 310000, e.Code)
	err = Send(ctx, srv.Client(), Robot{Kind: "feishu", URL: srv.URL + "/open-apis/bot/v2/hook/h", Secret: "SECabc"}, "t", "x", now.Add(-2*time.Hour))
	require.True(t, errors.As(err, &e))
	require.Equal(t, 19021, e.Code)
	err = Send(ctx, srv.Client(), Robot{Kind: "wecom", URL: srv.URL + "/cgi-bin/webhook/send?key=bad"}, "t", "x", now)
	require.True(t, errors.As(err, &e))
	require.Equal(t, 93000, e.Code)
	err = Send(ctx, srv.Client(), Robot{Kind: "wecom", URL: srv.URL + "/elsewhere"}, "t", "x", now)
	require.True(t, errors.As(err, &e))
	require.Equal(t, http.StatusNotFound, e.Status)
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		r     Robot
		field string
	}{
		{Robot{Kind: "slack", URL: "https://x"}, "kind"},
		{Robot{Kind: "wecom", URL: "ftp://x"}, "url"},
		{Robot{Kind: "wecom", URL: "http://x.example/"}, "url"},
		{Robot{Kind: "wecom", URL: "https://user:pw@x.example/"}, "url"},
		{Robot{Kind: "feishu", URL: "https://open.feishu.cn/open-apis/bot/v2/hook/x"}, ""},
	} {
		f, _ := c.r.Validate(false)
		require.Equal(t, c.field, f, "%+v", c.r)
	}
}
