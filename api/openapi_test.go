package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"
)

// The OpenAPI document served at /api/openapi.json loads and validates (kin-openapi), holds
// every route the server registers under /api with its method, and marks which need a staff
// sign-in; the readable page lists them.
func TestOpenAPIDocumentCoversEveryRoute(t *testing.T) {
	s, do := testServer(t, roleStore{})
	resp := do(httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	require.Equal(t, 200, resp.StatusCode)
	body, _ := io.ReadAll(resp.Body)
	doc, err := openapi3.NewLoader().LoadFromData(body)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the document is valid OpenAPI 3")
	n := 0
	for _, r := range s.routes {
		if !strings.HasPrefix(r.path, "/api/") {
			continue
		}
		n++
		path, _ := openAPIPath(r.path)
		item := doc.Paths.Find(path)
		require.NotNil(t, item, "%s %s is missing from the document", r.method, r.path)
		op := item.GetOperation(r.method)
		require.NotNil(t, op, "%s %s is missing from the document", r.method, r.path)
		require.Equal(t, string(r.act), op.Summary)
		require.NotNil(t, op.Security)
		require.Len(t, *op.Security, 2, "%s %s needs a session or a token", r.method, r.path)
	}
	require.Greater(t, n, 60)
	for _, public := range []string{"/api/v1/public/jobs/{id}", "/api/v1/auth/login"} {
		require.NotNil(t, doc.Paths.Find(public), public)
	}
	resp = do(httptest.NewRequest(http.MethodGet, "/api/docs", nil))
	require.Equal(t, 200, resp.StatusCode)
	page, _ := io.ReadAll(resp.Body)
	require.Contains(t, string(page), "/api/v1/applications/{id}/resume")
	require.Contains(t, string(page), "resumes:read")
}
