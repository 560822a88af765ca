// Package hostile is the standing hostile-input suite: every public and staff endpoint on the
// real stack receives broken and malicious input — files, names, text fields, JSON shapes,
// rules, other organisations' IDs, forged tokens — and each case must get a coded 4xx in the
// one error shape, store nothing in PostgreSQL, MinIO, Temporal or mail, and leave the process
// healthy. A new endpoint or field gets its cases here.
package hostile

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
)

var ctx = context.Background()

// A case is one request and what it must not do.
type hcase struct {
	name    string
	method  string
	path    string
	role    hireflow.Role // "" sends no credentials
	ctype   string
	body    []byte
	want    int    // exact status, 0: any 4xx
	code    string // exact error code, "" any
	headers map[string]string
}

// world is one organisation's fixtures.
type world struct {
	env     *testenv.Env
	clients map[hireflow.Role]*http.Client
	job     hireflow.Job
	appID   string
	token   string
	ruleSet string
	email   string
}

func setup(t *testing.T, tag string) *world {
	e := testenv.Start(t)
	w := &world{env: e, clients: map[hireflow.Role]*http.Client{}}
	for _, r := range hireflow.Roles {
		w.clients[r] = e.Client(t, r)
	}
	j := demo.BackendJob()
	body := map[string]any{"title": "Hostile " + tag, "requirements": j.Requirements, "dimensions": j.Dimensions,
		"questions": []map[string]any{
			{"id": "q1", "text_en": "Tell us about an incident.", "kind": "text", "dimensions": []string{"problem_solving"}},
			{"id": "q2", "text_en": "Explain a trade-off.", "kind": "video", "max_seconds": 60, "dimensions": []string{"communication"}},
		}}
	b, _ := json.Marshal(body)
	st, out := send(t, w.clients[hireflow.RoleRecruiter], http.MethodPost, e.BaseURL+"/api/v1/jobs", "application/json", b, nil)
	require.Equal(t, http.StatusCreated, st, "%s", out)
	require.NoError(t, json.Unmarshal(out, &w.job))
	p := demo.StrongBackend("Hostile "+tag, fmt.Sprintf("hostile-%s-%s@candidates.test", tag, uuid.NewString()[:8]))
	w.email = p.Email
	r, err := demo.Apply(ctx, e.HTTP, e.BaseURL, w.job.ID, p, "cv.pdf", demo.ResumePDF(p.Lines), true)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, r.Status, "%+v", r.Error)
	w.appID = r.ApplicationID
	testenv.Eventually(t, 30*time.Second, "the invitation", func() bool {
		a, err := e.Store.ApplicationGet(ctx, e.Org.ID, w.appID, false)
		return err == nil && a.Stage == hireflow.StageInvited
	})
	raw := seal.RandomToken()
	require.NoError(t, e.Store.TokenIssue(ctx, e.Org.ID, w.appID, activities.TokenPurposeApplication, e.Box.Hash("token", raw), time.Now().Add(time.Hour), false))
	w.token = raw
	// The candidate has opened the link (which starts the interview stage), as one attacking the
	// candidate endpoints with a real link would have.
	resp, err := e.HTTP.Get(e.BaseURL + "/c/" + raw)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	testenv.Eventually(t, 20*time.Second, "the workflow to record the interview stage", func() bool {
		a, err := e.Store.ApplicationGet(ctx, e.Org.ID, w.appID, false)
		return err == nil && a.Stage == hireflow.StageInterview
	})
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM rule_sets WHERE org_id = $1 AND job_id = $2`, e.Org.ID, w.job.ID).Scan(&w.ruleSet))
	return w
}

func send(t *testing.T, hc *http.Client, method, url, ctype string, body []byte, headers map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// snapshot is what the two organisations have stored: a digest of every org-scoped table
// (row counts for the tables whose rows legitimately change on any use: link last-use times,
// sessions, the audit log of refusals), the object keys in MinIO, and the workflow count.
type snapshot struct {
	tables   map[string]string
	objects  int
	workflow int64
}

func take(t *testing.T, a, b *world) snapshot {
	t.Helper()
	e := a.env
	orgs := []string{a.env.Org.ID, b.env.Org.ID}
	s := snapshot{tables: map[string]string{}}
	rows, err := e.Store.Pool().Query(ctx, `SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'org_id' ORDER BY 1`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Err())
	countOnly := map[string]bool{"candidate_tokens": true, "sessions": true, "audit_log": true, "users": true, "api_tokens": true}
	for _, tb := range tables {
		q := fmt.Sprintf(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %q t WHERE org_id = ANY($1)`, tb)
		if countOnly[tb] {
			q = fmt.Sprintf(`SELECT count(*)::text FROM %q WHERE org_id = ANY($1)`, tb)
		}
		var v string
		require.NoError(t, e.Store.Pool().QueryRow(ctx, q, orgs).Scan(&v), tb)
		s.tables[tb] = v
	}
	for _, org := range orgs {
		for o := range e.Objects.Client().ListObjects(ctx, e.Objects.Bucket(), minio.ListObjectsOptions{Prefix: org + "/", Recursive: true, WithVersions: true}) {
			require.NoError(t, o.Err)
			s.objects++
		}
	}
	resp, err := e.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: fmt.Sprintf("HireflowOrg = '%s' OR HireflowOrg = '%s'", orgs[0], orgs[1])})
	require.NoError(t, err)
	s.workflow = resp.Count
	return s
}

func (s snapshot) diff(o snapshot) string {
	var d []string
	for k, v := range s.tables {
		if o.tables[k] != v {
			d = append(d, fmt.Sprintf("table %s: %s → %s", k, v, o.tables[k]))
		}
	}
	if s.objects != o.objects {
		d = append(d, fmt.Sprintf("objects: %d → %d", s.objects, o.objects))
	}
	if s.workflow != o.workflow {
		d = append(d, fmt.Sprintf("workflows: %d → %d", s.workflow, o.workflow))
	}
	sort.Strings(d)
	return strings.Join(d, "; ")
}

// mailTo counts the captured emails to any of addrs.
func mailTo(t *testing.T, e *testenv.Env, addrs []string) int {
	n := 0
	for _, a := range addrs {
		n += len(e.Emails(t, a))
	}
	return n
}

// ---------------------------------------------------------------- payloads

const mb = 1 << 20

// jsonString renders a string value as raw JSON, keeping bytes that are not UTF-8 as they are
// (encoding/json would replace them, and the point is to send them).
func jsonString(s string) []byte {
	if strings.ToValidUTF8(s, "") != s {
		return []byte(`"` + s + `"`)
	}
	b, _ := json.Marshal(s)
	return b
}

// textPayloads are refused in every field that takes text.
var textPayloads = []struct{ name, value string }{
	{"NUL", "a\x00b"},
	{"InvalidUTF8", "caf\xe9 \xff\xfe"},
	{"OneMegabyte", strings.Repeat("a", mb)},
}

// displayPayloads are refused in names and titles shown to other people: a right-to-left
// override or zero-width character there can make one text look like another.
var displayPayloads = append(append([]struct{ name, value string }{}, textPayloads...), []struct{ name, value string }{
	{"RTLOverride", "pass\u202egpj.exe"},
	{"ZeroWidth", "pa\u200bss"},
}...)

// strictPayloads are refused in fields with a fixed form (enums, codes, dates, URLs, emails, IDs).
var strictPayloads = append(append([]struct{ name, value string }{}, textPayloads...), []struct{ name, value string }{
	{"RTLOverride", "pass\u202egpj.exe"},
	{"ZeroWidth", "pa\u200bss"},
	{"Script", `<script>alert(document.cookie)</script>`},
	{"SQL", `' OR 1=1; DROP TABLE applications;--`},
	{"Template", `{{.Cfg.DataKey}}${7*7}`},
	{"PathTraversal", `../../../../etc/passwd`},
}...)

// endpoint is a JSON endpoint with a well-formed body and the fields to attack.
type endpoint struct {
	name    string
	method  string
	path    string
	role    hireflow.Role
	base    map[string]any
	strict  []string // dotted paths
	free    []string
	display []string
	// destructive endpoints get no structural cases whose zero values could be valid.
}

func setPath(m map[string]any, path string, v json.RawMessage) map[string]any {
	out := deepCopy(m)
	cur := out
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = v
	return out
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

func marshalRaw(m map[string]any) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// jsonCases expands an endpoint into its hostile cases.
func jsonCases(ep endpoint) []hcase {
	var cs []hcase
	add := func(name string, body []byte, ctype string) {
		cs = append(cs, hcase{name: ep.name + "/" + name, method: ep.method, path: ep.path, role: ep.role, ctype: ctype, body: body})
	}
	for _, f := range ep.strict {
		for _, p := range strictPayloads {
			add(f+"/"+p.name, marshalRaw(setPath(ep.base, f, jsonString(p.value))), "application/json")
		}
		add(f+"/WrongTypeList", marshalRaw(setPath(ep.base, f, json.RawMessage(`["x"]`))), "application/json")
	}
	for _, f := range ep.display {
		for _, p := range displayPayloads {
			add(f+"/"+p.name, marshalRaw(setPath(ep.base, f, jsonString(p.value))), "application/json")
		}
	}
	for _, f := range ep.free {
		for _, p := range textPayloads {
			add(f+"/"+p.name, marshalRaw(setPath(ep.base, f, jsonString(p.value))), "application/json")
		}
	}
	first := ""
	for k := range ep.base {
		if first == "" || k < first {
			first = k
		}
	}
	good := marshalRaw(ep.base)
	add("NotJSON", []byte(`{"`+first+`": `), "application/json")
	add("TrailingGarbage", append(append([]byte{}, good...), []byte(` {"x":1}`)...), "application/json")
	add("DeepNesting", marshalRaw(setPath(ep.base, first, json.RawMessage(strings.Repeat("[", 200)+strings.Repeat("]", 200)))), "application/json")
	add("DuplicateKey", append([]byte(`{"`+first+`": null, `), good[1:]...), "application/json")
	add("HugeNumber", marshalRaw(setPath(ep.base, first, json.RawMessage(`1e400`))), "application/json")
	add("UnknownField", marshalRaw(setPath(ep.base, "zz_unknown", json.RawMessage(`1`))), "application/json")
	add("WrongContentType", good, "text/plain")
	add("Empty", nil, "application/json")
	add("TopLevelArray", []byte(`[`+string(good)+`]`), "application/json")
	return cs
}

// ---------------------------------------------------------------- files

func multipartApply(fields map[string]string, filename string, file []byte, withFile bool) ([]byte, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		_ = w.WriteField(k, fields[k])
	}
	if withFile {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="resume"; filename="`+filename+`"`)
		h.Set("Content-Type", "application/pdf")
		part, _ := w.CreatePart(h)
		_, _ = part.Write(file)
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

func zipOf(files map[string]string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range slices.Sorted(maps.Keys(files)) {
		w, _ := z.Create(n)
		_, _ = w.Write([]byte(files[n]))
	}
	_ = z.Close()
	return b.Bytes()
}

func wordXML(inner string) string {
	return `<?xml version="1.0"?>` + inner + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Go engineer with PostgreSQL &amp; Kubernetes</w:t></w:r></w:p></w:body></w:document>`
}

func fileCases(jobID string) []hcase {
	good := demo.StrongBackend("Hostile Files", "hostile-files@candidates.test")
	pdf := demo.ResumePDF(good.Lines)
	fields := map[string]string{"name": good.Name, "email": good.Email, "phone": "+44 20 7946 0000", "language": "en", "privacy_consent": "true"}
	bomb := `<w:p><w:r><w:t>` + strings.Repeat("A", 1000) + `</w:t></w:r></w:p>`
	files := []struct {
		name, filename string
		data           []byte
		code           string
	}{
		{"Empty", "cv.pdf", []byte{}, "file_empty"},
		{"PNG", "cv.pdf", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1, 2, 3}, 300)...), "unsupported_file_type"},
		{"EXE", "cv.pdf", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 500)...), "unsupported_file_type"},
		{"ELF", "cv.txt", append([]byte("\x7fELF\x02\x01\x01"), bytes.Repeat([]byte{0}, 500)...), "unsupported_file_type"},
		{"TruncatedPDF", "cv.pdf", pdf[:len(pdf)/3], "resume_unreadable"},
		{"GarbagePDF", "cv.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("garbage "), 60)...), "resume_unreadable"},
		{"EncryptedPDF", "cv.pdf", demo.ProtectedPDF([]string{"Go engineer with PostgreSQL and Kubernetes experience"}), "encrypted_document"},
		{"JavaScriptPDF", "cv.pdf", demo.ScriptedPDF([]string{"Go engineer with PostgreSQL and Kubernetes experience"}), "active_content"},
		{"ZipNotWord", "cv.docx", zipOf(map[string]string{"hello.txt": "hi"}), "unsupported_file_type"},
		{"CorruptZip", "cv.docx", []byte("PK\x03\x04garbage-garbage-garbage-garbage"), "resume_unreadable"},
		{"ZipBomb", "cv.docx", zipOf(map[string]string{"word/document.xml": wordXML("") + strings.Repeat(bomb, 30000)}), "document_too_large"},
		{"XXE", "cv.docx", zipOf(map[string]string{"word/document.xml": wordXML(`<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>`)}), "active_content"},
		{"BillionLaughs", "cv.docx", zipOf(map[string]string{"word/document.xml": wordXML(`<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>`)}), "active_content"},
		{"Macros", "cv.docm", zipOf(map[string]string{"word/document.xml": wordXML(""), "word/vbaProject.bin": "Attribute VB_Name = \"x\""}), "active_content"},
		{"ActiveX", "cv.docx", zipOf(map[string]string{"word/document.xml": wordXML(""), "word/activeX/activeX1.xml": "<ax/>"}), "active_content"},
		{"EncryptedOffice", "cv.docx", demo.EncryptedOffice(), "encrypted_document"},
		{"OldDoc", "cv.doc", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, bytes.Repeat([]byte{1}, 600)...), "unsupported_file_type"},
		{"AmbiguousEncoding", "cv.txt", []byte("\xcd\xf5\xd0\xa1\xc3\xf7 \xcf\xfa\xca\xdb"), "unsupported_encoding"},
		{"TooShort", "cv.txt", []byte("hi"), "resume_no_text"},
		{"ScannedNoText", "cv.txt", bytes.Repeat([]byte(" \n"), 100), "resume_no_text"},
		{"TooLarge", "cv.pdf", append(append([]byte{}, pdf...), bytes.Repeat([]byte(" "), 11*mb)...), "file_too_large"},
	}
	var cs []hcase
	path := "/api/v1/public/jobs/" + jobID + "/applications"
	for _, f := range files {
		body, ct := multipartApply(fields, f.filename, f.data, true)
		cs = append(cs, hcase{name: "apply/file/" + f.name, method: http.MethodPost, path: path, ctype: ct, body: body, code: f.code})
	}
	// Form fields: every text payload in every field, and broken values of the fixed-form ones.
	for _, field := range []string{"name", "email", "phone", "language", "privacy_consent"} {
		payloads := textPayloads
		if field == "name" {
			payloads = displayPayloads
		}
		for _, p := range payloads {
			f := map[string]string{}
			for k, v := range fields {
				f[k] = v
			}
			f[field] = p.value
			body, ct := multipartApply(f, "cv.pdf", pdf, true)
			cs = append(cs, hcase{name: "apply/" + field + "/" + p.name, method: http.MethodPost, path: path, ctype: ct, body: body})
		}
	}
	for _, bad := range []struct{ field, value, name string }{
		{"email", "not-an-email", "NoAt"}, {"email", "<script>@x.com", "ScriptEmail"}, {"email", "a@b.c\r\nBcc: x@evil.test", "HeaderInjection"},
		{"email", "' OR 1=1--@x.com", "SQLEmail"}, {"phone", "call me maybe", "WordsPhone"}, {"phone", strings.Repeat("9", 60), "LongPhone"},
		{"name", "", "EmptyName"}, {"name", strings.Repeat("名", 300), "LongName"}, {"name", "\u202e\u200b", "OnlyInvisible"},
		{"privacy_consent", "false", "NoConsent"}, {"language", "xx\u0000", "LanguageNUL"},
	} {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f[bad.field] = bad.value
		body, ct := multipartApply(f, "cv.pdf", pdf, true)
		cs = append(cs, hcase{name: "apply/" + bad.field + "/" + bad.name, method: http.MethodPost, path: path, ctype: ct, body: body})
	}
	noFile, ct := multipartApply(fields, "", nil, false)
	badName, badNameCT := multipartApply(fields, "cv\xff\xfe.pdf", pdf, true)
	cs = append(cs,
		hcase{name: "apply/NoFile", method: http.MethodPost, path: path, ctype: ct, body: noFile, code: "field_required"},
		hcase{name: "apply/FileNameNotUTF8", method: http.MethodPost, path: path, ctype: badNameCT, body: badName, code: "invalid_filename"},
		hcase{name: "apply/NotMultipart", method: http.MethodPost, path: path, ctype: "application/json", body: []byte(`{"name":"x"}`), code: "multipart_required"},
		hcase{name: "apply/BrokenBoundary", method: http.MethodPost, path: path, ctype: "multipart/form-data; boundary=xyz", body: []byte("--xyz\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx\r\n--xy"), code: "invalid_multipart"},
		hcase{name: "apply/NoBoundary", method: http.MethodPost, path: path, ctype: "multipart/form-data", body: []byte("garbage"), code: "invalid_multipart"},
		hcase{name: "apply/HeaderLineGarbage", method: http.MethodPost, path: path, ctype: "multipart/form-data; boundary=b", body: []byte("--b\r\nthis is not a header\r\n\r\nx\r\n--b--\r\n"), code: "invalid_multipart"},
		hcase{name: "apply/JobNotUUID", method: http.MethodPost, path: "/api/v1/public/jobs/1%20OR%201=1/applications", ctype: ct, body: noFile, want: 404},
		hcase{name: "apply/JobUnknown", method: http.MethodPost, path: "/api/v1/public/jobs/" + uuid.NewString() + "/applications", ctype: ct, body: noFile, want: 404},
	)
	return cs
}

// ---------------------------------------------------------------- the suite

func TestHostileInputs(t *testing.T) {
	a := setup(t, "a")
	b := setup(t, "b") // another organisation: its IDs must be invisible to a's staff
	app, tok := "/api/v1/applications/"+a.appID, "/api/v1/candidate/"+a.token
	offerID := uuid.NewString()
	var cs []hcase

	for _, ep := range []endpoint{
		{"login", http.MethodPost, "/api/v1/auth/login", "", map[string]any{"org": a.env.Org.Slug, "email": "nobody@staff.test", "password": "wrong"}, []string{"org", "email"}, []string{"password"}, nil},
		{"api-tokens", http.MethodPost, "/api/v1/api-tokens", hireflow.RoleAdmin, map[string]any{"name": "ci"}, nil, nil, []string{"name"}},
		{"jobs", http.MethodPost, "/api/v1/jobs", hireflow.RoleRecruiter, map[string]any{"title": "Role", "dimensions": []any{}, "requirements": map[string]any{"education": "bachelor"}},
			[]string{"requirements.education"}, []string{"description", "screening_rule"}, []string{"title", "title_zh", "location", "family"}},
		{"decision", http.MethodPost, app + "/decision", hireflow.RoleRecruiter, map[string]any{"outcome": "pass", "reason_code": "skills", "note": "ok"}, []string{"outcome", "reason_code"}, []string{"note"}, nil},
		{"feedback", http.MethodPost, app + "/feedback", hireflow.RoleInterviewer, map[string]any{"round": 1, "ratings": map[string]any{"communication": 4}, "recommendation": "advance", "comment": "ok"}, []string{"recommendation"}, []string{"comment"}, nil},
		{"reviews", http.MethodPost, app + "/reviews", hireflow.RoleHiringManager, map[string]any{"rating": 4, "decision": "advance", "reason_code": "skills", "note": "ok"}, []string{"decision", "reason_code"}, []string{"note"}, nil},
		{"offers", http.MethodPost, app + "/offers", hireflow.RoleRecruiter, map[string]any{"position": "Engineer", "salary": 40000, "currency": "CNY", "band_min": 30000, "band_max": 50000, "level": 3, "department": "Platform", "start_date": "2027-02-01"},
			[]string{"currency", "start_date", "expires_at"}, nil, []string{"position", "department"}},
		{"offer-decision", http.MethodPost, "/api/v1/offers/" + offerID + "/decision", hireflow.RoleHiringManager, map[string]any{"decision": "approve", "reason_code": "other"}, []string{"decision", "delegate_to", "reason_code"}, nil, nil},
		{"probation", http.MethodPost, app + "/probation", hireflow.RoleHiringManager, map[string]any{"outcome": "pass", "rating": 4}, []string{"outcome"}, nil, nil},
		{"cancel", http.MethodPost, app + "/cancel", hireflow.RoleRecruiter, map[string]any{"reason_code": "other"}, []string{"reason_code"}, nil, nil},
		{"webhook", http.MethodPut, "/api/v1/webhook", hireflow.RoleIntegration, map[string]any{"url": "https://hooks.example.com/h", "secret": "0123456789abcdef0123456789"}, []string{"url"}, []string{"secret"}, nil},
		{"branding", http.MethodPut, "/api/v1/organisation/branding", hireflow.RoleAdmin, map[string]any{"brand_line": "Careers", "color": "#112233", "logo_url": "https://cdn.example.com/l.png"}, []string{"color", "logo_url"}, nil, []string{"brand_line"}},
		{"alert-chat", http.MethodPut, "/api/v1/organisation/alert-chat", hireflow.RoleAdmin, map[string]any{"kind": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "secret": ""},
			[]string{"kind", "url"}, []string{"secret"}, nil},
		{"audit-publication", http.MethodPut, "/api/v1/analytics/bias-audits/publication", hireflow.RoleAdmin, map[string]any{"published": false}, nil, nil, nil},
		{"calibration-proposal", http.MethodPost, "/api/v1/analytics/calibration/proposals", hireflow.RoleRecruiter, map[string]any{"job_id": a.job.ID}, []string{"job_id"}, nil, nil},
		{"publish", http.MethodPost, "/api/v1/rulesets/" + a.ruleSet + "/publish", hireflow.RoleRecruiter, map[string]any{"version": 999, "override_reason": "x"}, nil, []string{"override_reason"}, nil},
		{"simulate", http.MethodPost, "/api/v1/rulesets/" + a.ruleSet + "/simulate", hireflow.RoleRecruiter, map[string]any{"version": 999, "from": "2026-01-01T00:00:00Z"}, []string{"from", "to"}, nil, nil},
		{"migrate-rules", http.MethodPost, app + "/migrate-rules", hireflow.RoleRecruiter, map[string]any{"version": 999}, nil, nil, nil},
		{"consent", http.MethodPost, tok + "/consent", "", map[string]any{"recording": true, "notice_version": "2026-11"}, []string{"notice_version"}, nil, nil},
		{"answers", http.MethodPost, tok + "/answers", "", map[string]any{"question_id": "q1", "text": "An answer."}, []string{"question_id"}, []string{"text"}, nil},
		{"offer-response", http.MethodPost, tok + "/offer", "", map[string]any{"accept": false, "reason_code": "salary"}, []string{"reason_code"}, nil, nil},
		{"scheduling-settings", http.MethodPut, "/api/v1/organisation/scheduling", hireflow.RoleAdmin, map[string]any{"slots_offered": 3, "hold_minutes": 60, "min_notice_hours": 2,
			"window_days": 14, "max_reschedules": 2, "reschedule_notice_hours": 4, "meeting_provider": "zoom", "meeting_template": "https://zoom.us/j/{id}"},
			[]string{"meeting_provider", "meeting_template"}, nil, nil},
		{"interviewer-settings", http.MethodPut, "/api/v1/interviewers/" + a.env.Users[hireflow.RoleInterviewer].ID + "/settings", hireflow.RoleRecruiter,
			map[string]any{"time_zone": "Asia/Shanghai", "daily_cap": 4, "weekly_cap": 10, "buffer_before_min": 5, "buffer_after_min": 5, "external_id": "user1"},
			[]string{"time_zone", "external_id"}, nil, nil},
		{"roster-connector", http.MethodPut, "/api/v1/organisation/roster-connector", hireflow.RoleAdmin, map[string]any{"kind": "feishu", "base_url": "https://open.feishu.cn", "app_key": "cli_x", "secret": ""},
			[]string{"kind", "base_url"}, nil, nil},
		{"roster-push", http.MethodPut, "/api/v1/rosters", hireflow.RoleIntegration, map[string]any{"entries": []map[string]any{{"interviewer": "nobody@staff.test", "date": "2026-12-07", "start": "09:00", "end": "18:00"}}}, nil, nil, nil},
		{"interview-book", http.MethodPost, app + "/interview/book", hireflow.RoleRecruiter, map[string]any{"start": "2027-01-04T02:00:00Z", "interviewers": []string{a.env.Users[hireflow.RoleInterviewer].ID}},
			[]string{"start"}, nil, nil},
		{"interview-reschedule", http.MethodPost, app + "/interview/reschedule", hireflow.RoleInterviewer, map[string]any{"reason": "clash"}, nil, []string{"reason"}, nil},
		{"interview-cancel", http.MethodPost, app + "/interview/cancel", hireflow.RoleRecruiter, map[string]any{"reason": "clash"}, nil, []string{"reason"}, nil},
		{"retention-policy", http.MethodPut, "/api/v1/organisation/retention", hireflow.RoleAdmin, map[string]any{"rejected_days": 30, "withdrawn_days": 7, "expired_days": 30,
			"declined_days": 30, "cancelled_days": 30, "request_days": 40}, nil, nil, nil},
		{"legal-hold", http.MethodPost, app + "/legal-hold", hireflow.RoleRecruiter, map[string]any{"reason": "tribunal"}, nil, []string{"reason"}, nil},
		{"timings", http.MethodPut, "/api/v1/organisation/timings", hireflow.RoleAdmin, map[string]any{"timings": map[string]any{"review_sla": "48h"}},
			[]string{"timings.review_sla", "timings.hold_sla"}, nil, nil},
		{"offer-preview", http.MethodPost, app + "/offer/preview", hireflow.RoleRecruiter, map[string]any{"position": "Engineer", "salary": 40000, "currency": "CNY", "department": "Platform"},
			[]string{"currency"}, nil, []string{"position", "department"}},
		{"llm-scoring", http.MethodPut, "/api/v1/organisation/llm-scoring", hireflow.RoleAdmin, map[string]any{"enabled": false}, nil, nil, nil},
		{"practice", http.MethodPost, "/api/v1/practice", hireflow.RoleRecruiter, map[string]any{"job_id": a.job.ID}, []string{"job_id"}, nil, nil},
		{"practice-role", http.MethodPost, "/api/v1/practice/role", hireflow.RoleRecruiter, map[string]any{"role": "admin"}, []string{"role"}, nil, nil},
	} {
		cs = append(cs, jsonCases(ep)...)
	}

	// Rules that must be refused when saved, with the line and column of the fault.
	for name, src := range map[string]string{
		"WrongOutcome": `"yes"`, "WrongBranch": `resume.years > 2 ? "pass" : "maybe"`, "UnknownField": `resume.salary > 1 ? "pass" : "hold"`,
		"Now": `now().Year() > 2000 ? "pass" : "hold"`, "Repeat": `repeat("x", 1000000000) == "" ? "pass" : "hold"`,
		"HugeRange": `len(1..1000000000) > 0 ? "pass" : "hold"`, "NestedPredicates": `all(resume.skills, {all(resume.skills, {all(resume.skills, {# != ""})})}) ? "pass" : "hold"`,
		"StringDoubling": `let a = job.education + job.education; let b = a + a; b == "" ? "pass" : "hold"`,
		"TooLong":        `"` + strings.Repeat("x", 5000) + `"`, "Syntax": `resume.years >`, "SQL": `'; DROP TABLE rule_sets;--`,
		"Template": `{{ .Cfg }}`, "WrongType": `resume.years + 1`, "DeepArrays": strings.Repeat("[", 1500) + strings.Repeat("]", 1500),
		"KeysOfNumber": `keys(5)[0] == "a" ? "pass" : "hold"`, "Empty": `   `,
	} {
		body := marshalRaw(map[string]any{"rules": map[string]any{"screening": src}})
		cs = append(cs, hcase{name: "rules/screening/" + name, method: http.MethodPut, path: "/api/v1/rulesets/" + a.ruleSet + "/draft", role: hireflow.RoleRecruiter, ctype: "application/json", body: body, want: 422})
	}
	for name, body := range map[string]string{
		"UnknownRuleName":  `{"rules":{"teleport":"true"}}`,
		"BadApprover":      `{"rules":{"approval":"[\"ceo\"]"}}`,
		"BadDuration":      `{"rules":{"durations":"{\"hold_sla\": \"soon\"}"}}`,
		"UnknownStage":     `{"rules":{},"pipeline":[{"stage":"teleport"}]}`,
		"RoutingOutcome":   `{"rules":{"routing":"overall > 50 ? \"advance\" : \"fail\""}}`,
		"YAMLNUL":          "yaml:rules:\n  screening: \"\\0\"\n",
		"YAMLBomb":         "yaml:a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nrules: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
		"YAMLInvalidUTF8":  "yaml:rules:\n  screening: \"\xff\xfe\"\n",
		"YAMLNotARuleSet":  "yaml:- 1\n- 2\n",
		"RuleNULEscaped":   `{"rules":{"screening":"\"pa\u0000ss\""}}`,
		"RuleInvalidUTF8":  "{\"rules\":{\"screening\":\"\xff\"}}",
		"RuleNameInjected": `{"rules":{"screening\u0000x":"\"pass\""}}`,
	} {
		ct := "application/json"
		if strings.HasPrefix(body, "yaml:") {
			ct, body = "application/yaml", strings.TrimPrefix(body, "yaml:")
		}
		cs = append(cs, hcase{name: "rules/" + name, method: http.MethodPut, path: "/api/v1/rulesets/" + a.ruleSet + "/draft", role: hireflow.RoleRecruiter, ctype: ct, body: []byte(body)})
	}

	// Departments: names shown in offers and chains, managers that must be the organisation's.
	depts := func(item string) []byte { return []byte(`{"departments":[` + item + `]}`) }
	for _, p := range append(append([]struct{ name, value string }{}, displayPayloads...), struct{ name, value string }{"Markup", "<b>Sales</b>"}) {
		cs = append(cs, hcase{name: "departments/name/" + p.name, method: http.MethodPut, path: "/api/v1/organisation/departments", role: hireflow.RoleAdmin,
			ctype: "application/json", body: depts(`{"name":` + string(jsonString(p.value)) + `}`)})
	}
	for name, item := range map[string]string{
		"OtherOrgManager": `{"name":"Platform","manager_id":"` + b.env.Users[hireflow.RoleHiringManager].ID + `"}`,
		"NotAUUID":        `{"name":"Platform","manager_id":"42"}`,
		"Twice":           `{"name":"Platform"},{"name":" platform "}`,
		"Empty":           `{"name":"  "}`,
		"WrongType":       `{"name":7}`,
	} {
		cs = append(cs, hcase{name: "departments/" + name, method: http.MethodPut, path: "/api/v1/organisation/departments", role: hireflow.RoleAdmin,
			ctype: "application/json", body: depts(item)})
	}
	cs = append(cs, hcase{name: "departments/TooMany", method: http.MethodPut, path: "/api/v1/organisation/departments", role: hireflow.RoleAdmin,
		ctype: "application/json", body: depts(strings.TrimSuffix(strings.Repeat(`{"name":"d"},`, 201), ","))})
	// Rotating a secret with no address to sign for.
	cs = append(cs, hcase{name: "webhook-secret/NotConfigured", method: http.MethodPost, path: "/api/v1/webhook/secret", role: hireflow.RoleAdmin, want: 409, code: "webhook_not_configured"})
	// The board's name search: whole names only, through the index.
	for name, q := range map[string]string{"NUL": "a%00b", "InvalidUTF8": "%FF%FE", "TooLong": strings.Repeat("x", 201)} {
		cs = append(cs, hcase{name: "board-search/" + name, method: http.MethodGet, path: "/console/jobs/" + a.job.ID + "/board?q=" + q, role: hireflow.RoleRecruiter})
	}

	cs = append(cs, fileCases(a.job.ID)...)

	// Recorded answers that are not recordings.
	rec := tok + "/answers/q2/recording"
	for name, body := range map[string][]byte{
		"Empty": {}, "PNG": append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 400)...), "Text": []byte("just some text, not a video"),
		"TruncatedWebM": {0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01}, "EXE": append([]byte("MZ"), bytes.Repeat([]byte{0}, 400)...),
	} {
		cs = append(cs, hcase{name: "recording/" + name, method: http.MethodPost, path: rec, ctype: "video/webm", body: body})
	}
	cs = append(cs,
		hcase{name: "recording/UnknownQuestion", method: http.MethodPost, path: tok + "/answers/q9/recording", ctype: "video/webm", body: []byte{0x1a, 0x45, 0xdf, 0xa3}},
		hcase{name: "recording/TextQuestion", method: http.MethodPost, path: tok + "/answers/q1/recording", ctype: "video/webm", body: []byte{0x1a, 0x45, 0xdf, 0xa3}},
		hcase{name: "recording/QuestionInjection", method: http.MethodPost, path: tok + "/answers/q1'%20OR%201=1/recording", ctype: "video/webm", body: []byte{0x1a, 0x45, 0xdf, 0xa3}},
	)
	// Pieces of a recording being made: a first piece that is not a recording, and bad takes,
	// numbers and questions. (A valid piece is stored, so none is sent here.)
	piece := tok + "/answers/q2/pieces/0?take=a1b2c3d4e5f60718"
	for name, body := range map[string][]byte{
		"Empty": {}, "PNG": append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 400)...), "Text": []byte("just some text, not a video"),
		"EXE": append([]byte("MZ"), bytes.Repeat([]byte{0}, 400)...), "TooLarge": bytes.Repeat([]byte{0x1a}, 8<<20+1),
	} {
		cs = append(cs, hcase{name: "piece/" + name, method: http.MethodPut, path: piece, ctype: "application/octet-stream", body: body})
	}
	webmHead := []byte{0x1a, 0x45, 0xdf, 0xa3}
	for name, path := range map[string]string{
		"NoTake": tok + "/answers/q2/pieces/0", "TakeInjection": tok + "/answers/q2/pieces/0?take=x'%20OR%201=1", "TakeTooLong": tok + "/answers/q2/pieces/0?take=" + strings.Repeat("a", 33),
		"TakeUpperCase": tok + "/answers/q2/pieces/0?take=ABCDEFGH12", "NegativeSeq": tok + "/answers/q2/pieces/-1?take=a1b2c3d4",
		"HugeSeq": tok + "/answers/q2/pieces/99999999999999999999?take=a1b2c3d4", "PaddedSeq": tok + "/answers/q2/pieces/007?take=a1b2c3d4",
		"WordSeq": tok + "/answers/q2/pieces/one?take=a1b2c3d4", "UnknownQuestion": tok + "/answers/q9/pieces/0?take=a1b2c3d4",
		"TextQuestion": tok + "/answers/q1/pieces/0?take=a1b2c3d4",
	} {
		cs = append(cs, hcase{name: "piece/" + name, method: http.MethodPut, path: path, ctype: "application/octet-stream", body: webmHead})
	}

	// Other organisations' IDs: 404, never 403 (no existence oracle).
	bApp := "/api/v1/applications/" + b.appID
	for _, x := range []struct {
		method, path string
		role         hireflow.Role
		body         string
	}{
		{http.MethodGet, bApp, hireflow.RoleRecruiter, ""},
		{http.MethodGet, bApp + "/decisions", hireflow.RoleRecruiter, ""},
		{http.MethodGet, bApp + "/offer", hireflow.RoleRecruiter, ""},
		{http.MethodPost, bApp + "/decision", hireflow.RoleRecruiter, `{"outcome":"pass"}`},
		{http.MethodPost, bApp + "/reviews", hireflow.RoleHiringManager, `{"rating":4,"decision":"advance"}`},
		{http.MethodPost, bApp + "/feedback", hireflow.RoleInterviewer, `{"round":1,"ratings":{"communication":4},"recommendation":"advance"}`},
		{http.MethodPost, bApp + "/offers", hireflow.RoleRecruiter, `{"position":"x","salary":1,"currency":"CNY","band_min":1,"band_max":2,"start_date":"2027-01-04"}`},
		{http.MethodPost, bApp + "/probation", hireflow.RoleHiringManager, `{"outcome":"pass","rating":4}`},
		{http.MethodPost, bApp + "/cancel", hireflow.RoleRecruiter, `{"reason_code":"other"}`},
		{http.MethodPost, bApp + "/migrate-rules", hireflow.RoleRecruiter, `{"version":1}`},
		{http.MethodGet, "/api/v1/jobs/" + b.job.ID, hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/api/v1/rulesets/" + b.ruleSet, hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/api/v1/rulesets/" + b.ruleSet + "/versions/1", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/api/v1/rulesets/" + b.ruleSet + "/diff?from=1&to=1", hireflow.RoleRecruiter, ""},
		{http.MethodPut, "/api/v1/rulesets/" + b.ruleSet + "/draft", hireflow.RoleRecruiter, `{"rules":{"screening":"\"pass\""}}`},
		{http.MethodPost, "/api/v1/rulesets/" + b.ruleSet + "/simulate", hireflow.RoleRecruiter, `{"version":1}`},
		{http.MethodPost, "/api/v1/rulesets/" + b.ruleSet + "/publish", hireflow.RoleRecruiter, `{"version":1}`},
		{http.MethodGet, "/console/applications/" + b.appID, hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/console/applications/" + b.appID + "/decisions", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/console/applications/" + b.appID + "/report", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/console/answers/" + uuid.NewString() + "/recording", hireflow.RoleHiringManager, ""},
		{http.MethodGet, "/console/applications/" + b.appID + "/timeline", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/console/jobs/" + b.job.ID + "/board", hireflow.RoleRecruiter, ""},
		{http.MethodPost, "/api/v1/analytics/calibration/proposals", hireflow.RoleRecruiter, `{"job_id":"` + b.job.ID + `"}`},
		{http.MethodGet, "/api/v1/analytics/bias-audits/" + uuid.NewString() + "/alerts", hireflow.RoleAnalyst, ""},
		{http.MethodGet, "/api/v1/interviewers/" + b.env.Users[hireflow.RoleInterviewer].ID + "/week", hireflow.RoleRecruiter, ""},
		{http.MethodPut, "/api/v1/interviewers/" + b.env.Users[hireflow.RoleInterviewer].ID + "/settings", hireflow.RoleRecruiter, `{"time_zone":"UTC","daily_cap":1,"weekly_cap":1}`},
		{http.MethodPut, "/api/v1/interviewers/" + b.env.Users[hireflow.RoleInterviewer].ID + "/busy", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/api/v1/interviewers/" + a.env.Users[hireflow.RoleHiringManager].ID + "/week", hireflow.RoleInterviewer, ""},
		{http.MethodGet, bApp + "/interview", hireflow.RoleRecruiter, ""},
		{http.MethodPost, bApp + "/interview/book", hireflow.RoleRecruiter, `{"start":"2027-01-04T02:00:00Z","interviewers":["x"]}`},
		{http.MethodPost, bApp + "/interview/reschedule", hireflow.RoleRecruiter, `{"reason":"x"}`},
		{http.MethodPost, bApp + "/interview/cancel", hireflow.RoleRecruiter, `{"reason":"x"}`},
		{http.MethodPost, bApp + "/legal-hold", hireflow.RoleRecruiter, `{"reason":"x"}`},
		{http.MethodDelete, bApp + "/legal-hold", hireflow.RoleRecruiter, ""},
		{http.MethodGet, bApp + "/deletion-proof", hireflow.RoleAdmin, ""},
		{http.MethodGet, bApp + "/resume", hireflow.RoleRecruiter, ""},
		{http.MethodGet, "/api/v1/applications/not-a-uuid/resume", hireflow.RoleRecruiter, ""},
		{http.MethodPost, bApp + "/offer/preview", hireflow.RoleRecruiter, `{"salary":1}`},
		{http.MethodGet, "/console/offers/" + uuid.NewString(), hireflow.RoleAdmin, ""},
		{http.MethodPost, "/api/v1/practice", hireflow.RoleRecruiter, `{"job_id":"` + b.job.ID + `"}`},
	} {
		ct := ""
		if x.body != "" {
			ct = "application/json"
		}
		cs = append(cs, hcase{name: "other-org/" + x.method + x.path[strings.LastIndex(x.path, "/"):] + "/" + strings.ReplaceAll(x.path, b.appID, "B"),
			method: x.method, path: x.path, role: x.role, ctype: ct, body: []byte(x.body), want: 404})
	}

	// The candidate's interview forms on an application without an interview, broken roster
	// files and calendars.
	form := "application/x-www-form-urlencoded"
	for _, x := range []struct {
		name, method, path, body string
	}{
		{"choose/NotANumber", http.MethodPost, "/c/" + a.token + "/schedule", "choice=abc"},
		{"choose/NoInterview", http.MethodPost, "/c/" + a.token + "/schedule", "choice=1"},
		{"propose/Garbage", http.MethodPost, "/c/" + a.token + "/schedule/propose", "day1=2026-13-40&from1=25:99&to1=x&tz_offset=99999"},
		{"reschedule/NoInterview", http.MethodPost, "/c/" + a.token + "/schedule/reschedule", "reason=" + strings.Repeat("x", 600)},
		{"cancel/NoInterview", http.MethodPost, "/c/" + a.token + "/schedule/cancel", "confirm=yes"},
		{"ics/NoInterview", http.MethodGet, "/c/" + a.token + "/interview.ics", ""},
	} {
		ct := form
		if x.body == "" {
			ct = ""
		}
		cs = append(cs, hcase{name: "schedule/" + x.name, method: x.method, path: x.path, ctype: ct, body: []byte(x.body)})
	}
	upload := func(name string, file []byte) ([]byte, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		part, _ := w.CreateFormFile("file", name)
		_, _ = part.Write(file)
		_ = w.Close()
		return b.Bytes(), w.FormDataContentType()
	}
	for name, file := range map[string][]byte{
		"BrokenXLSX":     append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 200)...),
		"ZipNotWorkbook": zipOf(map[string]string{"a.txt": strings.Repeat("A", 100000)}),
		"NoColumns":      []byte("who,when\nx,y\n"),
		"BadRows":        []byte("interviewer,date,start,end,kind\nnobody@x.test,2026-02-30,25:00,09:00,party\n"),
		"HeaderOnly":     []byte("interviewer,date,start,end\n"),
		"UnclosedQuote":  []byte("interviewer,date\n\"a,b\n"),
	} {
		body, ct := upload("roster.csv", file)
		cs = append(cs, hcase{name: "roster-upload/" + name, method: http.MethodPost, path: "/api/v1/rosters/upload", role: hireflow.RoleRecruiter, ctype: ct, body: body})
	}
	cs = append(cs, hcase{name: "roster-upload/NoFile", method: http.MethodPost, path: "/api/v1/rosters/upload", role: hireflow.RoleRecruiter, ctype: "application/json", body: []byte(`{}`)})
	for name, body := range map[string]string{
		"NotCalendar": "hello", "Unterminated": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n",
	} {
		cs = append(cs, hcase{name: "busy-feed/" + name, method: http.MethodPut, path: "/api/v1/interviewers/" + a.env.Users[hireflow.RoleInterviewer].ID + "/busy",
			role: hireflow.RoleRecruiter, ctype: "text/calendar", body: []byte(body)})
	}

	// Applications an interviewer or hiring manager takes no part in: 404, as another
	// organisation's (no existence oracle).
	for _, x := range []struct {
		method, path string
		role         hireflow.Role
	}{
		{http.MethodGet, app, hireflow.RoleHiringManager}, {http.MethodGet, app, hireflow.RoleInterviewer},
		{http.MethodGet, app + "/decisions", hireflow.RoleHiringManager}, {http.MethodGet, app + "/interview", hireflow.RoleInterviewer},
		{http.MethodGet, "/console/applications/" + a.appID, hireflow.RoleInterviewer}, {http.MethodGet, "/console/applications/" + a.appID + "/report", hireflow.RoleHiringManager},
		{http.MethodGet, "/console/applications/" + a.appID + "/timeline", hireflow.RoleHiringManager},
	} {
		cs = append(cs, hcase{name: "unassigned/" + string(x.role) + x.method + strings.ReplaceAll(x.path, a.appID, "A"), method: x.method, path: x.path, role: x.role, want: 404})
	}

	// Huge lists where a few are expected.
	many := func(n int, item string) string {
		return "[" + strings.TrimSuffix(strings.Repeat(item+",", n), ",") + "]"
	}
	for name, body := range map[string]string{
		"TenThousandQuestions":  `{"title":"x","questions":` + many(10000, `{"id":"q","text_en":"t","kind":"text"}`) + `}`,
		"TenThousandDimensions": `{"title":"x","dimensions":` + many(10000, `{"key":"d","name_en":"d","weight":0.0001}`) + `}`,
		"TenThousandSkills":     `{"title":"x","requirements":{"must_skills":` + many(10000, `"go"`) + `}}`,
		"HundredThousandPoints": `{"title":"x","questions":[{"id":"q1","text_en":"t","kind":"text","points_en":` + many(100000, `"p"`) + `}]}`,
	} {
		cs = append(cs, hcase{name: "jobs/huge/" + name, method: http.MethodPost, path: "/api/v1/jobs", role: hireflow.RoleRecruiter, ctype: "application/json", body: []byte(body)})
	}
	cs = append(cs, hcase{name: "rules/huge/ManyRules", method: http.MethodPut, path: "/api/v1/rulesets/" + a.ruleSet + "/draft", role: hireflow.RoleRecruiter,
		ctype: "application/json", body: []byte(`{"rules":{"screening":"\"pass\""},"pipeline":` + many(10000, `{"stage":"review"}`) + `}`)})

	// IDs that are not UUIDs, on every route that takes one.
	for _, x := range []struct {
		method, path string
		role         hireflow.Role
	}{
		{http.MethodGet, "/jobs/%s/apply", ""}, {http.MethodGet, "/api/v1/public/jobs/%s", ""},
		{http.MethodGet, "/api/v1/jobs/%s", hireflow.RoleRecruiter}, {http.MethodGet, "/api/v1/applications/%s", hireflow.RoleRecruiter},
		{http.MethodGet, "/api/v1/applications/%s/decisions", hireflow.RoleRecruiter}, {http.MethodGet, "/api/v1/applications/%s/offer", hireflow.RoleRecruiter},
		{http.MethodPost, "/api/v1/offers/%s/decision", hireflow.RoleHiringManager}, {http.MethodGet, "/api/v1/rulesets/%s", hireflow.RoleRecruiter},
		{http.MethodGet, "/api/v1/rulesets/%s/versions/1", hireflow.RoleRecruiter}, {http.MethodGet, "/api/v1/rulesets/" + a.ruleSet + "/versions/%s", hireflow.RoleRecruiter},
		{http.MethodGet, "/api/v1/rulesets/%s/diff?from=1&to=2", hireflow.RoleRecruiter}, {http.MethodGet, "/console/applications/%s", hireflow.RoleRecruiter},
		{http.MethodGet, "/console/applications/%s/decisions", hireflow.RoleRecruiter}, {http.MethodGet, "/console/applications/%s/report", hireflow.RoleRecruiter},
		{http.MethodGet, "/console/answers/%s/recording", hireflow.RoleHiringManager}, {http.MethodGet, "/console/offers/%s", hireflow.RoleAdmin},
	} {
		for _, id := range []struct{ name, v string }{{"Word", "abc"}, {"SQL", "1%27%20OR%20%271%27=%271"}, {"AlmostUUID", uuid.NewString()[:35] + "g"}} {
			body, ct := []byte(nil), ""
			if x.method == http.MethodPost {
				body, ct = []byte(`{"decision":"approve"}`), "application/json"
			}
			cs = append(cs, hcase{name: "bad-id/" + id.name + "/" + x.method + strings.ReplaceAll(x.path, "%s", "X"), method: x.method,
				path: fmt.Sprintf(x.path, id.v), role: x.role, ctype: ct, body: body})
		}
	}

	// Forged, malformed and misplaced tokens on every candidate endpoint.
	forged := seal.RandomToken()
	for _, tk := range []struct{ name, value string }{{"Forged", forged}, {"Short", "abc"}, {"SQL", "x'%20OR%20'1'='1"}, {"Traversal", "..%2F..%2Fetc%2Fpasswd"}, {"Unicode", "%E2%80%AEabc"}} {
		for _, ep := range []struct{ method, path, ctype, body string }{
			{http.MethodGet, "/api/v1/candidate/%s/status", "", ""},
			{http.MethodPost, "/api/v1/candidate/%s/consent", "application/json", `{"recording":true,"notice_version":"2026-11"}`},
			{http.MethodPost, "/api/v1/candidate/%s/answers", "application/json", `{"question_id":"q1","text":"hi"}`},
			{http.MethodPost, "/api/v1/candidate/%s/answers/q2/recording", "video/webm", "\x1a\x45\xdf\xa3"},
			{http.MethodPut, "/api/v1/candidate/%s/answers/q2/pieces/0?take=a1b2c3d4", "application/octet-stream", "\x1a\x45\xdf\xa3"},
			{http.MethodPost, "/api/v1/candidate/%s/offer", "application/json", `{"accept":true}`},
			{http.MethodPost, "/api/v1/candidate/%s/deletion", "", ""},
			{http.MethodPost, "/api/v1/candidate/%s/automated-decisions", "", ""},
			{http.MethodGet, "/c/%s", "", ""},
			{http.MethodGet, "/c/%s/interview", "", ""},
			{http.MethodGet, "/c/%s/onboarding", "", ""},
			{http.MethodPost, "/c/%s/withdraw", "application/x-www-form-urlencoded", "confirm=yes"},
			{http.MethodPost, "/c/%s/delete", "application/x-www-form-urlencoded", "confirm=yes"},
			{http.MethodPost, "/c/%s/offer", "application/x-www-form-urlencoded", "accept=true"},
			{http.MethodPost, "/c/%s/onboarding", "application/x-www-form-urlencoded", "phone=%2B86+139+0000+0000"},
		} {
			cs = append(cs, hcase{name: "token/" + tk.name + "/" + ep.method + strings.ReplaceAll(ep.path, "%s", "T"), method: ep.method,
				path: fmt.Sprintf(ep.path, tk.value), ctype: ep.ctype, body: []byte(ep.body)})
		}
	}
	// Candidate form posts with hostile fields on a valid link.
	for _, p := range textPayloads {
		cs = append(cs,
			hcase{name: "withdraw-form/confirm/" + p.name, method: http.MethodPost, path: "/c/" + a.token + "/withdraw", ctype: "application/x-www-form-urlencoded", body: []byte("confirm=" + urlEncode(p.value))},
			hcase{name: "onboarding-form/phone/" + p.name, method: http.MethodPost, path: "/c/" + a.token + "/onboarding", ctype: "application/x-www-form-urlencoded", body: []byte("phone=" + urlEncode(p.value) + "&id_type=passport")},
			hcase{name: "offer-form/accept/" + p.name, method: http.MethodPost, path: "/c/" + a.token + "/offer", ctype: "application/x-www-form-urlencoded", body: []byte("accept=" + urlEncode(p.value))},
			hcase{name: "delete-form/confirm/" + p.name, method: http.MethodPost, path: "/c/" + a.token + "/delete", ctype: "application/x-www-form-urlencoded", body: []byte("confirm=" + urlEncode(p.value))},
			// A URL is capped far below a body: 8 KB stands for "too long" there.
			hcase{name: "query/lang/" + p.name, method: http.MethodGet, path: "/api/v1/candidate/" + a.token + "/status?lang=" + urlEncode(p.value[:min(len(p.value), 8<<10)])},
		)
	}
	// Analytics filters: every strict payload in every query parameter of every analytics answer.
	for _, p := range strictPayloads {
		v := urlEncode(p.value[:min(len(p.value), 8<<10)])
		for _, path := range []string{"/api/v1/analytics/funnel", "/api/v1/analytics/stage-durations", "/api/v1/analytics/metrics/offers"} {
			for _, q := range []string{"job", "from", "to", "format"} {
				cs = append(cs, hcase{name: "analytics" + path[len("/api/v1/analytics"):] + "/" + q + "/" + p.name, method: http.MethodGet,
					path: path + "?" + q + "=" + v, role: hireflow.RoleAnalyst})
			}
		}
		cs = append(cs, hcase{name: "analytics/metric-name/" + p.name, method: http.MethodGet, path: "/api/v1/analytics/metrics/" + v, role: hireflow.RoleAnalyst})
		cs = append(cs, hcase{name: "analytics/calibration/job/" + p.name, method: http.MethodGet, path: "/api/v1/analytics/calibration?job=" + v, role: hireflow.RoleAnalyst})
		cs = append(cs,
			hcase{name: "bias-audit/from/" + p.name, method: http.MethodPost, path: "/api/v1/analytics/bias-audits?to=2026-11-01&from=" + v, role: hireflow.RoleAnalyst},
			hcase{name: "bias-audit/to/" + p.name, method: http.MethodPost, path: "/api/v1/analytics/bias-audits?from=2026-10-01&to=" + v, role: hireflow.RoleAnalyst})
	}
	cs = append(cs,
		hcase{name: "analytics/period-backwards", method: http.MethodGet, path: "/api/v1/analytics/funnel?from=2027-01-01&to=2026-01-01", role: hireflow.RoleAnalyst, want: 422, code: "invalid_field"},
		hcase{name: "analytics/no-such-date", method: http.MethodGet, path: "/api/v1/analytics/funnel?from=2026-02-30", role: hireflow.RoleAnalyst, want: 422},
		hcase{name: "analytics/interviewer", method: http.MethodGet, path: "/api/v1/analytics/funnel", role: hireflow.RoleInterviewer, want: 403},
		hcase{name: "analytics/no-credentials", method: http.MethodGet, path: "/api/v1/analytics/metrics/offers", want: 401},
		// A parameter given twice is refused, not read as its first value.
		hcase{name: "bias-audit/twice", method: http.MethodPost, path: "/api/v1/analytics/bias-audits?from=2026-10-01&to=2026-11-01&to=2026-12-01",
			role: hireflow.RoleAnalyst, want: 400, code: "duplicate_parameter"},
		hcase{name: "bias-audit/no-period", method: http.MethodPost, path: "/api/v1/analytics/bias-audits", role: hireflow.RoleAnalyst, want: 422},
		hcase{name: "bias-audit/ten-years", method: http.MethodPost, path: "/api/v1/analytics/bias-audits?from=2016-01-01&to=2026-01-01", role: hireflow.RoleAnalyst, want: 422},
		hcase{name: "bias-audit/recruiter", method: http.MethodPost, path: "/api/v1/analytics/bias-audits?from=2026-10-01&to=2026-11-01", role: hireflow.RoleRecruiter, want: 403},
	)
	// Credentials and roles.
	for _, x := range []struct {
		method, path string
		role         hireflow.Role
		want         int
	}{
		{http.MethodGet, "/api/v1/applications", "", 401},
		{http.MethodPost, "/api/v1/jobs", "", 401},
		{http.MethodPost, "/api/v1/jobs", hireflow.RoleInterviewer, 403},
		{http.MethodPost, "/api/v1/jobs", hireflow.RoleAnalyst, 403},
		{http.MethodPut, "/api/v1/rulesets/" + a.ruleSet + "/draft", hireflow.RoleHiringManager, 403},
		{http.MethodPost, "/api/v1/rulesets/" + a.ruleSet + "/publish", hireflow.RoleAnalyst, 403},
		{http.MethodPost, app + "/decision", hireflow.RoleHiringManager, 403},
		{http.MethodPost, app + "/offers", hireflow.RoleInterviewer, 403},
		{http.MethodPut, "/api/v1/webhook", hireflow.RoleRecruiter, 403},
		{http.MethodPut, "/api/v1/organisation/branding", hireflow.RoleRecruiter, 403},
		{http.MethodPost, "/api/v1/api-tokens", hireflow.RoleRecruiter, 403},
		{http.MethodGet, "/metrics", "", 404},
	} {
		cs = append(cs, hcase{name: fmt.Sprintf("auth/%s%s/%s", x.method, strings.ReplaceAll(x.path, a.appID, "A"), x.role), method: x.method, path: x.path,
			role: x.role, ctype: "application/json", body: []byte(`{}`), want: x.want})
	}
	cs = append(cs,
		hcase{name: "auth/ForgedBearer", method: http.MethodGet, path: "/api/v1/applications", headers: map[string]string{"Authorization": "Bearer hf_" + forged}, want: 401},
		hcase{name: "auth/ForgedCookie", method: http.MethodGet, path: "/api/v1/applications", headers: map[string]string{"Cookie": "hf_session=" + forged}, want: 401},
		hcase{name: "auth/BearerSQL", method: http.MethodGet, path: "/api/v1/applications", headers: map[string]string{"Authorization": "Bearer ' OR 1=1--"}, want: 401},
	)

	require.GreaterOrEqual(t, len(cs), 200, "the suite keeps at least 200 cases")
	t.Logf("%d hostile cases", len(cs))

	watched := []string{a.email, b.email}
	for _, r := range hireflow.Roles {
		watched = append(watched, a.env.Users[r].Email, b.env.Users[r].Email)
	}
	mailBefore := mailTo(t, a.env, watched)
	anon := &http.Client{Timeout: 60 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	first := take(t, a, b)
	seen := map[string]bool{}
	for _, c := range cs {
		require.False(t, seen[c.name], "duplicate case name %s", c.name)
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			before := take(t, a, b)
			hc := anon
			if c.role != "" {
				hc = a.clients[c.role]
			}
			st, body := send(t, hc, c.method, a.env.BaseURL+c.path, c.ctype, c.body, c.headers)
			short := body
			if len(short) > 300 {
				short = short[:300]
			}
			require.True(t, st >= 400 && st < 500, "want a 4xx, got %d: %s", st, short)
			if c.want != 0 {
				require.Equal(t, c.want, st, "%s", short)
			}
			html := strings.HasPrefix(c.path, "/c/") || strings.HasPrefix(c.path, "/console/") ||
				(strings.HasPrefix(c.path, "/jobs/") && strings.HasSuffix(c.path, "/apply"))
			if !html {
				var eb struct {
					Error struct{ Code, Message, Field string } `json:"error"`
				}
				require.NoError(t, json.Unmarshal(body, &eb), "the one error shape: %s", short)
				require.NotEmpty(t, eb.Error.Code, "%s", short)
				require.NotEmpty(t, eb.Error.Message, "%s", short)
				require.NotContains(t, eb.Error.Message, "multipart:", "no parser internals")
				require.NotContains(t, eb.Error.Message, "SQLSTATE")
				if c.code != "" {
					require.Equal(t, c.code, eb.Error.Code, "%s", short)
				}
			} else {
				require.Contains(t, string(body), "<html", "an error page, not a blank answer")
			}
			after := take(t, a, b)
			require.Empty(t, before.diff(after), "nothing may be stored")
			st, _ = send(t, anon, http.MethodGet, a.env.BaseURL+"/healthz", "", nil, nil)
			require.Equal(t, 200, st, "the process is still healthy")
		})
	}
	// Mail goes out from activities, a moment after a request: look once more at the end.
	time.Sleep(2 * time.Second)
	require.Equal(t, mailBefore, mailTo(t, a.env, watched), "no email was sent because of a hostile request")
	require.Empty(t, first.diff(take(t, a, b)), "nothing stored by the whole suite")
}

func urlEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
