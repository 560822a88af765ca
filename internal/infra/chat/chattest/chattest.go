// Package chattest is a local stand-in for the chat robots' webhook endpoints: it checks each
// request the way DingTalk, WeCom and Feishu document (DingTalk's access_token, timestamp and
// sign in the query; WeCom's key; Feishu's timestamp and sign in the body, within an hour) and
// answers with each platform's documented success or error shape.
package chattest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// The paths and credentials the server accepts.
const (
	DingTalkPath = "/robot/send?access_token=tok"
	WeComPath    = "/cgi-bin/webhook/send?key=k"
	FeishuPath   = "/open-apis/bot/v2/hook/h"
)

// Server is a running stand-in; Messages are the bodies it accepted, in order.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	messages []map[string]any
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.messages...)
}

func sign(key, msg string) string {
	mac := hmac.New(sha256.New, []byte(key))
	mac.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// New starts a server whose signed robots use secret.
func New(secret string) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			_, _ = w.Write([]byte(`{"errcode":40035,"errmsg":"invalid json"}`))
			return
		}
		q := r.URL.Query()
		accept := func(answer string) {
			s.mu.Lock()
			s.messages = append(s.messages, m)
			s.mu.Unlock()
			_, _ = w.Write([]byte(answer))
		}
		switch r.URL.Path {
		case "/robot/send": // DingTalk
			ts := q.Get("timestamp")
			if q.Get("access_token") != "tok" || q.Get("sign") != sign(secret, ts+"\n"+secret) {
				_, _ = w.Write([]byte(`{"errcode":310000,"errmsg":"sign not match"}`))
				return
			}
			accept(`{"errcode":0,"errmsg":"ok"}`)
		case "/cgi-bin/webhook/send": // WeCom
			if q.Get("key") != "k" {
				_, _ = w.Write([]byte(`{"errcode":93000,"errmsg":"invalid webhook url"}`))
				return
			}
			accept(`{"errcode":0,"errmsg":"ok"}`)
		case "/open-apis/bot/v2/hook/h": // Feishu
			ts, _ := m["timestamp"].(string)
			sec, _ := strconv.ParseInt(ts, 10, 64)
			if m["sign"] != sign(ts+"\n"+secret, "") || time.Since(time.Unix(sec, 0)) > time.Hour {
				_, _ = w.Write([]byte(`{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`))
				return
			}
			accept(`{"code":0,"msg":"success","data":{}}`)
		default:
			http.NotFound(w, r)
		}
	}))
	return s
}
