package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/infra/seal"
)

// roleStore signs in whoever sends the session cookie "role:<role>"; every other method is
// the nil interface, so a handler that gets past the refusals under test panics (a 500 the
// recover middleware reports), which the tests tell apart from a refusal.
type roleStore struct{ Store }

func (roleStore) SessionPrincipal(_ context.Context, _ []byte) (hireflow.Principal, error) {
	return hireflow.Principal{}, hireflow.NotFound("session_not_found", "session")
}

// principalStore answers every session with one principal.
type principalStore struct {
	Store
	p hireflow.Principal
}

func (s principalStore) SessionPrincipal(context.Context, []byte) (hireflow.Principal, error) {
	return s.p, nil
}
func (s principalStore) APITokenPrincipal(context.Context, []byte) (hireflow.Principal, error) {
	return hireflow.Principal{}, hireflow.NotFound("token_not_found", "token")
}

func testServer(t *testing.T, st Store) (*Server, func(*http.Request) *http.Response) {
	t.Helper()
	box, err := seal.New(make([]byte, 32), make([]byte, 32))
	require.NoError(t, err)
	cfg := &config.Config{MaxResumeBytes: 10 << 20}
	s, f := newServer(Deps{Store: st, Cfg: cfg, Box: box, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	return s, func(r *http.Request) *http.Response {
		resp, err := f.Test(r, -1)
		require.NoError(t, err)
		return resp
	}
}

func pathFor(p string) string {
	id := uuid.NewString()
	for _, k := range []string{":id", ":version", ":question", ":token"} {
		p = strings.ReplaceAll(p, k, id)
	}
	return strings.ReplaceAll(p, id+"/versions/"+id, id+"/versions/1")
}

// Every staff route refuses a caller without credentials: 401 on the API, a redirect to the
// sign-in page on the console.
func TestEveryStaffRouteNeedsSignIn(t *testing.T) {
	s, do := testServer(t, roleStore{})
	require.GreaterOrEqual(t, len(s.routes), 25)
	for _, r := range s.routes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			resp := do(httptest.NewRequest(r.method, pathFor(r.path), strings.NewReader("{}")))
			if r.page {
				require.Equal(t, http.StatusSeeOther, resp.StatusCode)
				require.Contains(t, resp.Header.Get("Location"), "/console/login")
				return
			}
			require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
			req := httptest.NewRequest(r.method, pathFor(r.path), strings.NewReader("{}"))
			req.Header.Set("Authorization", "Basic x")
			require.Equal(t, http.StatusUnauthorized, do(req).StatusCode, "only bearer tokens")
		})
	}
}

// Every role × every staff route: a role the policy does not name is refused with 403 and the
// coded body; a role it names gets past the refusal (whatever the handler then answers).
func TestEveryRoleOnEveryStaffRoute(t *testing.T) {
	for _, role := range hireflow.Roles {
		s, do := testServer(t, principalStore{p: hireflow.Principal{OrgID: uuid.NewString(), UserID: uuid.NewString(), Role: role}})
		for _, r := range s.routes {
			allowed := roleMay(r.act, role)
			t.Run(string(role)+" "+r.method+" "+r.path, func(t *testing.T) {
				req := httptest.NewRequest(r.method, pathFor(r.path), strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "s"})
				req.Header.Set(csrfHeader, s.csrfToken("s"))
				resp := do(req)
				body, _ := io.ReadAll(resp.Body)
				if !allowed {
					require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", body)
					require.Contains(t, string(body), "forbidden")
					return
				}
				require.NotEqual(t, http.StatusForbidden, resp.StatusCode, "%s may %s: %s", role, r.act, body)
				require.NotEqual(t, http.StatusUnauthorized, resp.StatusCode)
			})
		}
	}
}

// Every state-changing staff route signed in by the session cookie needs the session's CSRF
// token and this site's origin; a bearer token needs neither (browsers do not send it alone).
func TestEveryCookieWriteNeedsTheCSRFToken(t *testing.T) {
	s, do := testServer(t, principalStore{p: hireflow.Principal{OrgID: uuid.NewString(), UserID: uuid.NewString(), Role: hireflow.RoleRecruiter}})
	n := 0
	for _, r := range s.routes {
		if r.method == http.MethodGet || !roleMay(r.act, hireflow.RoleRecruiter) {
			continue
		}
		n++
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			for name, set := range map[string]func(*http.Request){
				"no token":    func(*http.Request) {},
				"wrong token": func(q *http.Request) { q.Header.Set(csrfHeader, s.csrfToken("another session")) },
				"form field":  func(q *http.Request) { q.Header.Set(csrfHeader, "") },
				"other origin": func(q *http.Request) {
					q.Header.Set(csrfHeader, s.csrfToken("s"))
					q.Header.Set("Origin", "https://evil.example")
				},
				"null origin": func(q *http.Request) { q.Header.Set(csrfHeader, s.csrfToken("s")); q.Header.Set("Origin", "null") },
			} {
				req := httptest.NewRequest(r.method, pathFor(r.path), strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "s"})
				set(req)
				resp := do(req)
				body, _ := io.ReadAll(resp.Body)
				require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s: %s", name, body)
				require.Contains(t, string(body), "csrf_invalid", name)
			}
			req := httptest.NewRequest(r.method, pathFor(r.path), strings.NewReader("{}"))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer hf_x")
			body, _ := io.ReadAll(do(req).Body)
			require.NotContains(t, string(body), "csrf_invalid", "a bearer token is no CSRF risk")
		})
	}
	require.Greater(t, n, 20)
}

// Validation refusals that need no store: bad JSON, wrong content type, unknown fields, NUL.
func TestHandlersRefuseBadBodies(t *testing.T) {
	srv, do := testServer(t, principalStore{p: hireflow.Principal{OrgID: uuid.NewString(), UserID: uuid.NewString(), Role: hireflow.RoleRecruiter}})
	for _, tc := range []struct {
		name, method, path, ctype, body, code string
		status                                int
	}{
		{"JobNotJSON", http.MethodPost, "/api/v1/jobs", "text/plain", `{}`, "json_required", 415},
		{"JobBrokenJSON", http.MethodPost, "/api/v1/jobs", "application/json", `{"title":`, "invalid_json", 400},
		{"JobUnknownField", http.MethodPost, "/api/v1/jobs", "application/json", `{"salary":1}`, "unknown_field", 400},
		{"JobTitleNUL", http.MethodPost, "/api/v1/jobs", "application/json", `{"title":"a\u0000"}`, "invalid_text", 400},
		{"JobDuplicateKey", http.MethodPost, "/api/v1/jobs", "application/json", `{"title":"a","title":"b"}`, "duplicate_key", 400},
		{"JobWrongType", http.MethodPost, "/api/v1/jobs", "application/json", `{"title":5}`, "invalid_json", 400},
		{"JobNoTitle", http.MethodPost, "/api/v1/jobs", "application/json", `{}`, "field_required", 422},
		{"DecisionBadID", http.MethodPost, "/api/v1/applications/not-a-uuid/decision", "application/json", `{"outcome":"pass"}`, "application_not_found", 404},
		{"TokenNameInvisible", http.MethodPost, "/api/v1/api-tokens", "application/json", `{"name":"ci\u202e"}`, "forbidden", 403},
		{"QueryNUL", http.MethodGet, "/api/v1/applications?job=%00", "", ``, "invalid_text", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: "s"})
			req.Header.Set(csrfHeader, srv.csrfToken("s"))
			resp := do(req)
			body, _ := io.ReadAll(resp.Body)
			require.Equal(t, tc.status, resp.StatusCode, "%s", body)
			require.Contains(t, string(body), `"code":"`+tc.code+`"`)
		})
	}
}
