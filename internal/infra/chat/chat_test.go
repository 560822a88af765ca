package chat

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/infra/chat/chattest"
)

func TestSendSignsAndReadsEachPlatformsAnswer(t *testing.T) {
	srv := chattest.New("SECabc")
	t.Cleanup(srv.Close)
	ctx := context.Background()
	now := time.Now()
	for _, r := range []Robot{
		{Kind: "dingtalk", URL: srv.URL + chattest.DingTalkPath, Secret: "SECabc"},
		{Kind: "wecom", URL: srv.URL + chattest.WeComPath},
		{Kind: "feishu", URL: srv.URL + chattest.FeishuPath, Secret: "SECabc"},
	} {
		t.Run(r.Kind, func(t *testing.T) {
			n := len(srv.Messages())
			require.NoError(t, Send(ctx, srv.Client(), r, "Bias audit 偏差审计", "2 groups under 0.8", now))
			msgs := srv.Messages()
			require.Len(t, msgs, n+1)
			b, _ := json.Marshal(msgs[n])
			require.Contains(t, string(b), "2 groups under 0.8")
		})
	}
	// Wrong secrets, a wrong key and a platform that answers something else are errors with the platform's code.
	var e *Error
	err := Send(ctx, srv.Client(), Robot{Kind: "dingtalk", URL: srv.URL + chattest.DingTalkPath, Secret: "wrong"}, "t", "x", now)
	require.True(t, errors.As(err, &e))
	require.Equal(t, 310000, e.Code)
	err = Send(ctx, srv.Client(), Robot{Kind: "feishu", URL: srv.URL + chattest.FeishuPath, Secret: "SECabc"}, "t", "x", now.Add(-2*time.Hour))
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
