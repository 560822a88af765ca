package api

import (
	"cmp"
	"context"
	"encoding/json"
	"html/template"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
)

// The REST API's OpenAPI 3 document is generated from the routes the server registers — every
// path and method under /api, its path parameters, whether it needs a staff sign-in (and which
// roles the policy lets through), the CSRF header for cookie sessions, and the coded error
// shape every 4xx and 5xx answers with — so it cannot miss a route. Served at
// /api/openapi.json and, readable, at /api/docs.

func (s *Server) buildOpenAPI(f *fiber.App) (*openapi3.T, error) {
	doc := &openapi3.T{OpenAPI: "3.0.3",
		Info: &openapi3.Info{Title: "hireflow API", Version: "1",
			Description: "Hiring as durable workflows. Staff sign in with a session cookie (then send X-CSRF-Token on writes) or a bearer API token. Errors are {error:{code,message,field}}."},
		Servers: openapi3.Servers{{URL: cmp.Or(s.Cfg.PublicURL, "/")}},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{
			SecuritySchemes: openapi3.SecuritySchemes{
				"session": {Value: openapi3.NewSecurityScheme().WithType("apiKey").WithIn("cookie").WithName(sessionCookie)},
				"bearer":  {Value: openapi3.NewSecurityScheme().WithType("http").WithScheme("bearer")},
			},
			Schemas: openapi3.Schemas{"Error": openapi3.NewSchemaRef("", openapi3.NewObjectSchema().WithProperty("error",
				openapi3.NewObjectSchema().WithProperty("code", openapi3.NewStringSchema()).WithProperty("message", openapi3.NewStringSchema()).
					WithProperty("field", openapi3.NewStringSchema()).WithRequired([]string{"code", "message"})).WithRequired([]string{"error"}))},
			Responses: openapi3.ResponseBodies{"Error": {Value: openapi3.NewResponse().WithDescription("a coded error").
				WithContent(openapi3.NewContentWithJSONSchemaRef(openapi3.NewSchemaRef("#/components/schemas/Error", nil)))}},
		},
	}
	bodies, err := bodySchemasBuilt()
	if err != nil {
		return nil, err
	}
	staff := map[string]staffRoute{}
	for _, r := range s.routes {
		staff[r.method+" "+r.path] = r
	}
	seen := map[string]bool{}
	for _, r := range f.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/") || r.Method == fiber.MethodHead || r.Method == fiber.MethodOptions || r.Method == fiber.MethodConnect || r.Method == fiber.MethodTrace {
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		path, params := openAPIPath(r.Path)
		op := openapi3.NewOperation()
		op.OperationID = operationID(r.Method, r.Path)
		op.Tags = []string{tagOf(r.Path)}
		for _, p := range params {
			op.AddParameter(openapi3.NewPathParameter(p).WithSchema(openapi3.NewStringSchema()))
		}
		if sr, ok := staff[key]; ok {
			op.Summary = string(sr.act)
			roles := make([]string, 0, len(policy[sr.act]))
			for _, role := range policy[sr.act] {
				roles = append(roles, string(role))
			}
			op.Description = "Roles: " + strings.Join(roles, ", ") + "."
			op.Security = &openapi3.SecurityRequirements{{"session": {}}, {"bearer": {}}}
			if r.Method != fiber.MethodGet {
				op.AddParameter(openapi3.NewHeaderParameter(csrfHeader).WithSchema(openapi3.NewStringSchema()).
					WithDescription("the session's CSRF token (cookie sessions only)"))
			}
		} else {
			op.Summary = "public"
			if strings.Contains(r.Path, "/candidate/") {
				op.Description = "Authorised by the candidate's link token in the path."
			}
			op.Security = &openapi3.SecurityRequirements{}
		}
		if schema, ok := bodies[key]; ok {
			rb := openapi3.NewRequestBody().WithRequired(true).WithContent(openapi3.NewContentWithJSONSchema(schema))
			if yamlBodies[key] {
				rb.Content["application/yaml"] = openapi3.NewMediaType().WithSchema(openapi3.NewStringSchema())
				rb.Description = "the rule set as JSON or in the rule-set file format (YAML)"
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: rb}
		} else if what, ok := otherBodies[key]; ok && what != "no body" {
			ct, desc, _ := strings.Cut(what, ": ")
			rb := openapi3.NewRequestBody().WithRequired(true).WithDescription(desc)
			rb.Content = openapi3.Content{}
			for _, t := range strings.Split(ct, ", ") {
				rb.Content[strings.TrimPrefix(t, "or ")] = openapi3.NewMediaType()
			}
			op.RequestBody = &openapi3.RequestBodyRef{Value: rb}
		}
		op.Responses = openapi3.NewResponsesWithCapacity(2)
		op.Responses.Set("200", &openapi3.ResponseRef{Value: openapi3.NewResponse().WithDescription("success").
			WithContent(openapi3.NewContentWithJSONSchema(openapi3.NewObjectSchema()))})
		op.Responses.Set("default", &openapi3.ResponseRef{Ref: "#/components/responses/Error"})
		doc.AddOperation(path, r.Method, op)
	}
	// Through JSON and the loader, which resolves the references, then validated.
	loaded, err := openapi3.NewLoader().LoadFromData(marshalDoc(doc))
	if err != nil {
		return nil, err
	}
	return loaded, loaded.Validate(context.Background())
}

// openAPIPath turns /api/v1/applications/:id into /api/v1/applications/{id}.
func openAPIPath(p string) (string, []string) {
	var params []string
	parts := strings.Split(p, "/")
	for i, x := range parts {
		if strings.HasPrefix(x, ":") {
			name := strings.TrimSuffix(strings.TrimPrefix(x, ":"), "?")
			params = append(params, name)
			parts[i] = "{" + name + "}"
		}
	}
	return strings.Join(parts, "/"), params
}

func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, x := range strings.Split(strings.TrimPrefix(path, "/api/v1"), "/") {
		x = strings.Trim(strings.TrimPrefix(x, ":"), "?")
		for _, w := range strings.FieldsFunc(x, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

func tagOf(path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/")
	if len(parts) == 0 || parts[0] == "" {
		return "api"
	}
	return parts[0]
}

func (s *Server) openAPIJSON(c *fiber.Ctx) error {
	if s.openapi == nil {
		return hireflow.Errorf(hireflow.KindUnavailable, "openapi_unavailable", "", "the API description is not built")
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(s.openapiJSON)
}

type docOp struct{ Method, Path, Summary, Description, ID string }

type docTag struct {
	Name string
	Ops  []docOp
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>hireflow API</title>
<style>body{font:15px/1.5 -apple-system,Helvetica,Arial,sans-serif;margin:0 auto;max-width:1000px;padding:16px;color:#1b1f24}
code{background:#f6f8fa;padding:1px 4px;border-radius:4px;word-break:break-all}h2{border-bottom:1px solid #d0d7de;margin-top:28px}
li{margin:6px 0}.m{display:inline-block;min-width:58px;font-weight:700}.d{color:#57606a;font-size:13px}</style></head><body>
<h1>hireflow API</h1><p>The machine-readable description: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3). Staff sign in with the session cookie (writes also send <code>X-CSRF-Token</code>) or <code>Authorization: Bearer hf_…</code>. Every error is <code>{"error":{"code","message","field"}}</code>.</p>
{{range .}}<h2 id="{{.Name}}">{{.Name}}</h2><ul>{{range .Ops}}<li id="{{.ID}}"><span class="m">{{.Method}}</span> <code>{{.Path}}</code> — {{.Summary}}{{if .Description}}<div class="d">{{.Description}}</div>{{end}}</li>{{end}}</ul>{{end}}
</body></html>`))

// apiDocs is the readable page of the document.
func (s *Server) apiDocs(c *fiber.Ctx) error {
	if s.openapi == nil {
		return hireflow.Errorf(hireflow.KindUnavailable, "openapi_unavailable", "", "the API description is not built")
	}
	tags := map[string][]docOp{}
	for path, item := range s.openapi.Paths.Map() {
		for method, op := range item.Operations() {
			t := "api"
			if len(op.Tags) > 0 {
				t = op.Tags[0]
			}
			tags[t] = append(tags[t], docOp{Method: method, Path: path, Summary: op.Summary, Description: op.Description, ID: op.OperationID})
		}
	}
	var out []docTag
	for name, ops := range tags {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Path+ops[i].Method < ops[j].Path+ops[j].Method })
		out = append(out, docTag{Name: name, Ops: ops})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	var b strings.Builder
	if err := docsPage.Execute(&b, out); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentSecurityPolicy, "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	c.Type("html", "utf-8")
	return c.SendString(b.String())
}

func marshalDoc(doc *openapi3.T) []byte {
	b, _ := json.MarshalIndent(doc, "", "  ")
	return b
}
