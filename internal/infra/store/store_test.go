package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/internal/tools/testenv"
	"github.com/hireflow/hireflow/rules"
)

var ctx = context.Background()

// txStore is a store on the real test PostgreSQL whose every write is rolled back at cleanup.
func txStore(t *testing.T) *store.Store {
	t.Helper()
	cfg := testenv.Config(t, nil)
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	require.NoError(t, err)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = tx.Rollback(context.Background())
		_ = conn.Close(context.Background())
	})
	box, err := seal.New(cfg.DataKey, cfg.HashKey)
	require.NoError(t, err)
	return store.NewInTx(tx, box)
}

type fixture struct {
	s   *store.Store
	org hireflow.Organisation
	p   hireflow.Principal
	job hireflow.Job
}

func newFixture(t *testing.T) fixture {
	s := txStore(t)
	org, err := s.OrgCreate(ctx, "st-"+uuid.NewString()[:8], "Store Test")
	require.NoError(t, err)
	u, err := s.UserCreate(ctx, org.ID, "rec@store.test", "Rec", hireflow.RoleRecruiter, "x")
	require.NoError(t, err)
	p := hireflow.Principal{OrgID: org.ID, UserID: u.ID, Role: hireflow.RoleRecruiter}
	job := demo.BackendJob()
	c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: job.ScreeningRule}})
	require.Empty(t, errs)
	require.NoError(t, s.JobCreate(ctx, p, &job, c))
	return fixture{s: s, org: org, p: p, job: job}
}

func (f fixture) apply(t *testing.T, email string) hireflow.Application {
	id := uuid.NewString()
	app, err := f.s.ApplicationCreate(ctx, store.NewApplication{ID: id, OrgID: f.org.ID, JobID: f.job.ID, RuleSetID: f.job.RuleSetID,
		RuleVersion: f.job.RuleVersion, Name: "Ada", Email: email, Language: "en", ResumeText: "Go engineer",
		Object: store.StoredObject{OrgID: f.org.ID, ApplicationID: id, Kind: "resume", Bucket: "b", Key: f.org.ID + "/applications/" + id + "/resume",
			ContentType: "application/pdf", Size: 1, SHA256: "00", KeyEnc: []byte{1}}}, func(context.Context) error { return nil })
	require.NoError(t, err)
	return app
}

func TestRuleSetDraftSavedAgainReplacesIt(t *testing.T) {
	f := newFixture(t)
	for i, src := range []string{`"hold"`, `resume.years > 1 ? "pass" : "hold"`, `resume.years > 2 ? "pass" : "reject"`} {
		c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: src}})
		require.Empty(t, errs)
		v, err := f.s.RuleSetSaveDraft(ctx, f.p, f.job.RuleSetID, c)
		require.NoError(t, err, "save %d", i+1)
		require.Equal(t, 2, v, "the draft keeps its number")
	}
	_, versions, err := f.s.RuleSetGet(ctx, f.org.ID, f.job.RuleSetID)
	require.NoError(t, err)
	require.Len(t, versions, 2, "the published version 1 and one draft")
	require.Error(t, f.s.RuleSetPublish(ctx, f.p, f.job.RuleSetID, 1, "", nil), "version 1 is published, not a draft")
}

func TestApplicationStageMovesOpenApplicationsOnce(t *testing.T) {
	f := newFixture(t)
	app := f.apply(t, "ada@store.test")
	require.NoError(t, f.s.ApplicationSetStage(ctx, f.org.ID, app.ID, hireflow.StageInvited, hireflow.StatusActive, "invited"))
	require.NoError(t, f.s.ApplicationSetStage(ctx, f.org.ID, app.ID, hireflow.StageInvited, hireflow.StatusActive, "invited"), "idempotent")
	require.NoError(t, f.s.ApplicationSetStage(ctx, f.org.ID, app.ID, hireflow.StageWithdrawn, hireflow.StatusWithdrawn, "withdrawn"))
	require.NoError(t, f.s.ApplicationSetStage(ctx, f.org.ID, app.ID, hireflow.StageInterview, hireflow.StatusActive, "interview"))
	got, err := f.s.ApplicationGet(ctx, f.org.ID, app.ID, true)
	require.NoError(t, err)
	require.Equal(t, hireflow.StageWithdrawn, got.Stage, "a closed application does not move again")
	require.Equal(t, "Ada", got.CandidateName, "sealed columns read back")
	_, err = f.s.ApplicationGet(ctx, uuid.NewString(), app.ID, false)
	require.Equal(t, hireflow.KindNotFound, hireflow.ErrorKind(err), "another organisation sees nothing")
}

func TestEmailClaimIsOnce(t *testing.T) {
	f := newFixture(t)
	app := f.apply(t, "bo@store.test")
	sent, id1, err := f.s.EmailClaim(ctx, f.org.ID, app.ID, "k1", "invitation", "en", "<m1@x>")
	require.NoError(t, err)
	require.False(t, sent)
	sent, id2, err := f.s.EmailClaim(ctx, f.org.ID, app.ID, "k1", "invitation", "en", "<m2@x>")
	require.NoError(t, err)
	require.False(t, sent, "claimed but not yet sent: the retry may send")
	require.Equal(t, id1, id2, "the retry keeps the message ID")
	require.NoError(t, f.s.EmailMarkSent(ctx, "k1"))
	sent, _, err = f.s.EmailClaim(ctx, f.org.ID, app.ID, "k1", "invitation", "en", "<m3@x>")
	require.NoError(t, err)
	require.True(t, sent, "once sent, never again")
}

func TestTokensExpireAndAreReplaced(t *testing.T) {
	f := newFixture(t)
	app := f.apply(t, "cy@store.test")
	h1, h2, h3 := []byte("hash-one-000000000000000000000001"), []byte("hash-two-000000000000000000000002"), []byte("hash-three-0000000000000000000003")
	require.NoError(t, f.s.TokenIssue(ctx, f.org.ID, app.ID, "application", h1, time.Now().Add(time.Hour), false))
	_, ok, err := f.s.TokenUse(ctx, h1)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, f.s.TokenIssue(ctx, f.org.ID, app.ID, "application", h2, time.Now().Add(time.Hour), true))
	_, _, err = f.s.TokenUse(ctx, h1)
	require.Equal(t, "link_revoked", hireflow.ErrorCode(err))
	require.NoError(t, f.s.TokenIssue(ctx, f.org.ID, app.ID, "application", h3, time.Now().Add(-time.Minute), false))
	_, _, err = f.s.TokenUse(ctx, h3)
	require.Equal(t, "link_expired", hireflow.ErrorCode(err))
	_, _, err = f.s.TokenUse(ctx, []byte("forged-00000000000000000000000000"))
	require.Equal(t, "link_invalid", hireflow.ErrorCode(err))
}
