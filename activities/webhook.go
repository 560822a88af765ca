package activities

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
)

// deliverWebhook posts an event to the organisation's HR system once: signed with HMAC-SHA256
// over timestamp and body, with an idempotency key; failures are retried by the activity.
func (a *Activities) deliverWebhook(ctx context.Context, orgID, event, key string, payload any) (int, error) {
	url, secret, ok, err := a.Store.WebhookGet(ctx, orgID)
	if err != nil || !ok {
		return 0, err
	}
	if done, err := a.Store.WebhookDelivered(ctx, key); err != nil || done {
		return http.StatusOK, err
	}
	body, _ := json.Marshal(payload)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, permanent(hireflow.Errorf(hireflow.KindInvalid, "webhook_url", "", "%v", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Hireflow-Event", event)
	req.Header.Set("Hireflow-Idempotency-Key", key)
	req.Header.Set("Hireflow-Timestamp", ts)
	req.Header.Set("Hireflow-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	hc := &http.Client{Timeout: 15 * time.Second, Transport: webhookTransport(a.AllowPrivateWebhooks),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		a.Metrics.webhook(orgID, "failed")
		_ = a.Store.WebhookRecord(ctx, orgID, key, event, 0, false)
		return 0, fmt.Errorf("activities: webhook %s: %w", event, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	ok2 := resp.StatusCode >= 200 && resp.StatusCode < 300
	a.Metrics.webhook(orgID, map[bool]string{true: "delivered", false: "failed"}[ok2])
	if err := a.Store.WebhookRecord(ctx, orgID, key, event, resp.StatusCode, ok2); err != nil {
		return resp.StatusCode, err
	}
	if !ok2 {
		return resp.StatusCode, temporal.NewApplicationError(fmt.Sprintf("webhook answered %d", resp.StatusCode), "webhook_status")
	}
	return resp.StatusCode, nil
}

// webhookTransport refuses to connect to loopback, private and link-local addresses unless
// allowed (development), checked on the resolved address so DNS cannot point it inside.
func webhookTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
			return fmt.Errorf("activities: webhook address %s is not public", host)
		}
		return nil
	}}
	return &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second, MaxIdleConns: 4}
}
