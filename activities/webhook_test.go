package activities

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWebhookTransportRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	_, err := (&http.Client{Transport: webhookTransport(false)}).Get(srv.URL)
	require.ErrorContains(t, err, "not public", "production refuses loopback (SSRF)")
	resp, err := (&http.Client{Transport: webhookTransport(true)}).Get(srv.URL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 204, resp.StatusCode)
}
