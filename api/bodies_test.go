package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/config"
	"github.com/hireflow/hireflow/internal/infra/seal"
)

// Every write under /api says what body it takes: a JSON type (whose schema the document carries
// and decodeJSON enforces) or another kind; no entry names a route that does not exist.
func TestEveryWriteRouteDeclaresItsBody(t *testing.T) {
	box, err := seal.New(make([]byte, 32), make([]byte, 32))
	require.NoError(t, err)
	_, f := newServer(Deps{Store: roleStore{}, Cfg: &config.Config{MaxResumeBytes: 10 << 20}, Box: box,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	routes := map[string]bool{}
	for _, r := range f.GetRoutes(true) {
		if strings.HasPrefix(r.Path, "/api/") && (r.Method == fiber.MethodPost || r.Method == fiber.MethodPut || r.Method == fiber.MethodPatch) {
			key := r.Method + " " + r.Path
			routes[key] = true
			_, isJSON := requestBodies[key]
			_, other := otherBodies[key]
			require.True(t, isJSON != other, "%s must name its body in requestBodies or otherBodies (exactly one)", key)
		}
	}
	for key := range requestBodies {
		require.True(t, routes[key], "requestBodies names %s, which is not a route", key)
	}
	for key := range otherBodies {
		require.True(t, routes[key], "otherBodies names %s, which is not a route", key)
	}
	schemas, err := bodySchemasBuilt()
	require.NoError(t, err)
	for key, s := range schemas {
		require.NoError(t, s.Validate(context.Background()), "%s's schema", key)
	}
}

// The document carries each route's request schema, and a body is refused by it with the
// decoder's codes and the API's field paths.
func TestBodiesAreCheckedAgainstTheDocument(t *testing.T) {
	_, do := testServer(t, roleStore{})
	resp := do(httptest.NewRequest(http.MethodGet, "/api/openapi.json", nil))
	body, _ := io.ReadAll(resp.Body)
	doc, err := openapi3.NewLoader().LoadFromData(body)
	require.NoError(t, err)
	op := doc.Paths.Find("/api/v1/jobs").Post
	require.NotNil(t, op.RequestBody)
	js := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	require.Contains(t, js.Properties, "title")
	require.Contains(t, js.Properties["offer"].Value.Properties, "band_max")
	require.NotNil(t, js.AdditionalProperties.Has)
	require.False(t, *js.AdditionalProperties.Has, "unknown fields are refused, as the decoder does")
	timings := doc.Paths.Find("/api/v1/organisation/timings").Put.RequestBody.Value.Content.Get("application/json").Schema.Value
	require.True(t, timings.Properties["timings"].Value.Properties["review_sla"].Value.Type.Is("string"), "durations are strings")
	require.NotNil(t, doc.Paths.Find("/api/v1/rulesets/{id}/draft").Put.RequestBody.Value.Content.Get("application/yaml"))
	require.NotNil(t, doc.Paths.Find("/api/v1/rosters/upload").Post.RequestBody.Value.Content.Get("multipart/form-data"))

	job := reflect.TypeOf(jobRequest{})
	for _, c := range []struct {
		body, code, field string
	}{
		{`{"title": 5}`, "invalid_json", "title"},
		{`{"title": "x", "offer": {"band_max": "high"}}`, "invalid_json", "offer.band_max"},
		{`{"title": "x", "questions": [{"id": "q1"}, {"id": "q2", "max_seconds": "long"}]}`, "invalid_json", "questions[1].max_seconds"},
		{`{"title": "x", "salary": 1}`, "unknown_field", "salary"},
		{`{"title": "x", "offer": {"bonus": 1}}`, "unknown_field", "offer.bonus"},
		{`{"title": "x", "timings": {"review_sla": 5}}`, "invalid_json", "timings.review_sla"},
		{`["a list"]`, "invalid_json", ""},
	} {
		err := checkBody("POST /api/v1/jobs", []byte(c.body), job)
		require.Error(t, err, c.body)
		var he *hireflow.Error
		require.ErrorAs(t, err, &he)
		require.Equal(t, hireflow.KindBadRequest, he.Kind, c.body)
		require.Equal(t, c.code, he.Code, "%s: %s", c.body, he.Message)
		require.Equal(t, c.field, he.Field, "%s: %s", c.body, he.Message)
	}
	require.NoError(t, checkBody("POST /api/v1/jobs", []byte(`{"title": "Backend", "offer": {"currency": "CNY", "band_max": 5}, "timings": {"review_sla": "48h"}}`), job))
	require.NoError(t, checkBody("POST /api/v1/jobs", []byte(`{broken`), job), "malformed JSON is the decoder's to explain")
	err = checkBody("POST /api/v1/jobs", []byte(`{}`), reflect.TypeOf(offerRequest{}))
	var he *hireflow.Error
	require.ErrorAs(t, err, &he)
	require.Equal(t, "body_schema_mismatch", he.Code, "a handler reading another type than its route's schema is caught")
}
