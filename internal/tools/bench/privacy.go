package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/minio/minio-go/v7"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/api"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/workflows"
)

// PrivacyResult is the cost of privacy: a staff read through the field-visibility matrix and
// the audit log beside the same store read without either; verifying a large audit chain beside
// reading the same rows; and the retention sweep erasing applications with their objects
// beside the same erasure called directly (no workflow).
type PrivacyResult struct {
	Reads            int     `json:"reads"`
	AuditedReadP50Ms float64 `json:"audited_read_p50_ms"`
	AuditedReadP99Ms float64 `json:"audited_read_p99_ms"`
	BareReadP50Ms    float64 `json:"bare_read_p50_ms"`
	BareReadP99Ms    float64 `json:"bare_read_p99_ms"`
	AuditedReadRatio float64 `json:"audited_read_ratio"` // the endpoint's p50 over its bare twin's
	// The same at the store, without HTTP, sign-in and the workflow query around it: the
	// matrix and one audit row beside ApplicationGet alone; and one audit row alone.
	StoreAuditedP50Ms float64 `json:"store_audited_read_p50_ms"`
	StoreBareP50Ms    float64 `json:"store_bare_read_p50_ms"`
	StoreReadRatio    float64 `json:"store_read_ratio"`
	AuditWriteP50Ms   float64 `json:"audit_write_p50_ms"`
	AuditRows         int64   `json:"audit_rows"`
	VerifyS           float64 `json:"verify_s"`
	ScanS             float64 `json:"scan_s"` // the same rows read without recomputing the chain
	VerifyOK          bool    `json:"verify_ok"`
	Applications      int     `json:"applications"`
	Erased            int     `json:"erased"`
	RetentionS        float64 `json:"retention_s"`
	RetentionPerS     float64 `json:"retention_per_s"`
	DirectErased      int     `json:"direct_erased"`
	DirectPerS        float64 `json:"retention_direct_per_s"`
	ObjectsLeft       int     `json:"objects_left"` // objects of the erased applications still in MinIO (must be 0)
}

// Privacy runs the three measurements on the running stack for a fresh organisation.
func Privacy(ctx context.Context, a *app.App, reads int, auditRows int64, apps int, progress func(string)) (PrivacyResult, error) {
	res := PrivacyResult{Reads: reads, Applications: apps}
	org, job, err := benchOrg(ctx, a, "privacy")
	if err != nil {
		return res, err
	}
	var userID string
	if err := a.Store.Pool().QueryRow(ctx, `SELECT id FROM users WHERE org_id = $1`, org.ID).Scan(&userID); err != nil {
		return res, err
	}
	direct := max(apps/10, 1)
	progress(fmt.Sprintf("writing %d applications with their résumés in MinIO", apps+direct))
	ids, err := seedPrivacyApps(ctx, a, org.ID, job, apps+direct)
	if err != nil {
		return res, err
	}

	// 1. Reads, interleaved so both see the same cache and load: through the API's endpoint
	// (GET /api/v1/applications/{id} beside the same endpoint without matrix and audit, as the
	// recruiter's session), and at the store (the read function beside ApplicationGet alone).
	progress(fmt.Sprintf("timing %d reads through the matrix and the audit log, and %d bare, at the endpoint and at the store", reads, reads))
	p := hireflow.Principal{OrgID: org.ID, UserID: userID, Role: hireflow.RoleRecruiter}
	deps := a.HTTPDeps()
	srv := api.NewWithBareRead(deps)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, err
	}
	go func() { _ = srv.Listener(ln) }()
	defer func() { _ = srv.Shutdown() }()
	base := "http://" + ln.Addr().String()
	sid := seal.RandomToken()
	if err := a.Store.SessionCreate(ctx, a.Box.Hash("session", sid), org.ID, userID, time.Now().Add(time.Hour)); err != nil {
		return res, err
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	get := func(url string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set("Cookie", "hf_session="+sid)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("Privacy Bench")) {
			return fmt.Errorf("bench: %s answered %d: %.200s", url, resp.StatusCode, body)
		}
		return nil
	}
	var audited, bare, storeAudited, storeBare, writes []time.Duration
	timed := func(into *[]time.Duration, f func() error) error {
		t0 := time.Now()
		err := f()
		*into = append(*into, time.Since(t0))
		return err
	}
	for i := 0; i < reads; i++ {
		id := ids[rand.IntN(len(ids))]
		if err := timed(&audited, func() error { return get(base + "/api/v1/applications/" + id) }); err != nil {
			return res, err
		}
		if err := timed(&bare, func() error { return get(base + "/bench/bare-read/" + id) }); err != nil {
			return res, err
		}
		if err := timed(&storeAudited, func() error {
			got, err := api.ReadApplication(ctx, deps, p, id)
			if err == nil && got.CandidateName == "" {
				err = fmt.Errorf("bench: the recruiter's read shows no name")
			}
			return err
		}); err != nil {
			return res, err
		}
		if err := timed(&storeBare, func() error { _, err := a.Store.ApplicationGet(ctx, org.ID, id, true); return err }); err != nil {
			return res, err
		}
		if err := timed(&writes, func() error {
			return a.Store.Audit(ctx, org.ID, "user", userID, "candidate.read", "application", id, map[string]any{"fields": []string{"name=visible"}, "route": "bench"})
		}); err != nil {
			return res, err
		}
	}
	res.AuditedReadP50Ms, res.AuditedReadP99Ms = percentile(audited, 0.5), percentile(audited, 0.99)
	res.BareReadP50Ms, res.BareReadP99Ms = percentile(bare, 0.5), percentile(bare, 0.99)
	res.AuditedReadRatio = ratio(res.AuditedReadP50Ms, res.BareReadP50Ms)
	res.StoreAuditedP50Ms, res.StoreBareP50Ms = percentile(storeAudited, 0.5), percentile(storeBare, 0.5)
	res.StoreReadRatio = ratio(res.StoreAuditedP50Ms, res.StoreBareP50Ms)
	res.AuditWriteP50Ms = percentile(writes, 0.5)

	// 2. The audit chain: rows written through the chaining trigger, a checkpoint, verify.
	progress(fmt.Sprintf("writing %d audit rows through the chain trigger", auditRows))
	for done := int64(0); done < auditRows; {
		n := min(50_000, auditRows-done)
		if _, err := a.Store.Pool().Exec(ctx, `INSERT INTO audit_log (org_id, actor_type, actor_id, action, subject_type, subject_id, detail)
			SELECT $1, 'user', $2, 'candidate.read', 'application', md5(g::text), '{"fields": ["name=visible"], "route": "bench"}'
			FROM generate_series(1, $3::bigint) g`, org.ID, userID, n); err != nil {
			return res, err
		}
		done += n
		if done%200_000 == 0 || done == auditRows {
			progress(fmt.Sprintf("  %d audit rows", done))
		}
	}
	if _, err := a.Store.AuditCheckpoint(ctx, org.ID); err != nil {
		return res, err
	}
	t0 := time.Now()
	var scanned int64
	if err := a.Store.Pool().QueryRow(ctx, `SELECT sum(length(t) + length(h)) FROM (SELECT a.hash AS h, audit_row_text(a) AS t FROM audit_log a WHERE a.org_id = $1 ORDER BY a.seq) x`,
		org.ID).Scan(&scanned); err != nil {
		return res, err
	}
	res.ScanS = round2(time.Since(t0).Seconds())
	progress("verifying the chain")
	t0 = time.Now()
	v, err := a.Store.AuditVerify(ctx, org.ID)
	if err != nil {
		return res, err
	}
	res.VerifyS, res.AuditRows, res.VerifyOK = round2(time.Since(t0).Seconds()), v.Rows, v.Broken == nil

	// 3. Retention: all applications rejected 40 days ago (the policy keeps 30).
	if err := a.Store.RetentionPolicySet(ctx, org.ID, store.RetentionPolicy{RejectedDays: 30, WithdrawnDays: 7, ExpiredDays: 30, DeclinedDays: 30, CancelledDays: 30}); err != nil {
		return res, err
	}
	if _, err := a.Store.Pool().Exec(ctx, `UPDATE applications SET stage = 'rejected', status = 'rejected', updated_at = now() - interval '40 days' WHERE org_id = $1`, org.ID); err != nil {
		return res, err
	}
	progress(fmt.Sprintf("baseline: erasing %d applications by calling the erasure directly", direct))
	acts := a.Activities()
	t0 = time.Now()
	for _, id := range ids[apps:] {
		in := activities.EraseInput{AppRef: activities.AppRef{OrgID: org.ID, ApplicationID: id, Shape: activities.ShapeWorkflowRecords}, Reason: "retention", Rule: "bench"}
		if _, err := acts.EraseContent(ctx, in); err != nil {
			return res, err
		}
		if err := acts.EraseContact(ctx, in); err != nil {
			return res, err
		}
		res.DirectErased++
	}
	res.DirectPerS = round2(float64(res.DirectErased) / time.Since(t0).Seconds())

	queue := "bench-privacy-" + uuid.NewString()[:8]
	_, stop, err := inProcess(a, queue)
	if err != nil {
		return res, err
	}
	defer stop()
	progress(fmt.Sprintf("retention sweeps (%d applications due)", apps))
	t0 = time.Now()
	for {
		r, err := workflows.RunRetentionNow(ctx, a.Temporal, queue, org.ID)
		if err != nil {
			return res, err
		}
		res.Erased += r.Erased
		progress(fmt.Sprintf("  sweep: %d due, %d erased (%d so far, %.0f/s)", r.Due, r.Erased, res.Erased, float64(res.Erased)/time.Since(t0).Seconds()))
		if r.Due == 0 || r.Erased == 0 {
			break
		}
	}
	res.RetentionS = round2(time.Since(t0).Seconds())
	res.RetentionPerS = round2(float64(res.Erased) / res.RetentionS)
	for o := range a.Objects.Client().ListObjects(ctx, a.Objects.Bucket(), minio.ListObjectsOptions{Prefix: org.ID + "/applications/", Recursive: true}) {
		if o.Err != nil {
			return res, o.Err
		}
		res.ObjectsLeft++
	}
	return res, nil
}

// seedPrivacyApps writes n applications the way the apply endpoint does (sealed contact and
// résumé text, the résumé encrypted in MinIO under its own key), eight at a time.
func seedPrivacyApps(ctx context.Context, a *app.App, orgID string, job hireflow.Job, n int) ([]string, error) {
	ids := make([]string, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				p := demo.StrongBackend(fmt.Sprintf("Privacy Bench %d", i), fmt.Sprintf("privacy-%d-%s@bench.hireflow.local", i, uuid.NewString()[:6]))
				appID := uuid.NewString()
				key := orgID + "/applications/" + appID + "/resume"
				obj, err := a.Objects.Prepare(orgID, appID, "resume", key, "application/pdf", demo.ResumePDF(p.Lines))
				if err == nil {
					_, err = a.Store.ApplicationCreate(ctx, store.NewApplication{ID: appID, OrgID: orgID, JobID: job.ID, RuleSetID: job.RuleSetID,
						RuleVersion: job.RuleVersion, Name: p.Name, Email: p.Email, Phone: "+86 138 0000 0000", Language: "en",
						ResumeText: "Go PostgreSQL 5 years", Object: obj.Row}, func(ctx context.Context) error { return a.Objects.Upload(ctx, obj) })
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
				ids[i] = appID
			}
		}()
	}
	wg.Wait()
	return ids, first
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return round2(a / b)
}
