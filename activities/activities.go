// Package activities holds every side effect of hireflow's workflows: database writes, object
// reads, emails. Each activity is idempotent (keyed writes, an email ledger) and takes and
// returns IDs, enums and decisions only: personal data is loaded here and never leaves.
package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
	"github.com/hireflow/hireflow/internal/analysis/speech/lm"
	"github.com/hireflow/hireflow/internal/infra/mail"
	"github.com/hireflow/hireflow/internal/infra/objects"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// Activities carries the dependencies of every activity; register it once with the worker.
type Activities struct {
	Store      *store.Store
	Objects    *objects.Store
	Mail       *mail.Sender
	PublicURL  string
	ConsoleURL string
	// Speech are the media tools for recorded answers (ffmpeg, speech-to-text); nil: recorded
	// answers are flagged for a person.
	Speech *speech.Tools
	// LM builds each job's domain language model for the speech-to-text decoder (nil: the
	// generic model); a model that cannot be built leaves the generic one.
	LM *lm.Builder
	// AllowPrivateWebhooks lets webhooks reach loopback and private addresses (not in production).
	AllowPrivateWebhooks bool
	// Content scores answer text (typed or transcribed); nil is the built-in offline scorer.
	Content scoring.Scorer
	// LLM is the large-language-model rubric scorer of the deployment (nil: none). It scores
	// only the answers of organisations that turned it on; its fallback is Content.
	LLM *scoring.LLM
	// Defaults are the deployment's waits for plans (BeginApplication).
	Defaults Defaults
	// Metrics count stages, decisions, emails, scoring and webhooks; nil counts nothing.
	Metrics *Metrics
}

// TokenPurposeApplication is the purpose of the candidate's application link.
const TokenPurposeApplication = "application"

// TokenPurposeAccess is the purpose of the link that downloads the candidate's data.
const TokenPurposeAccess = "access"

// ErrTypePermanent marks errors that retrying cannot fix.
const ErrTypePermanent = "permanent"

// permanent wraps errors that will not heal (missing rows, bad configuration).
func permanent(err error) error {
	if err == nil {
		return nil
	}
	switch hireflow.ErrorKind(err) {
	case hireflow.KindNotFound, hireflow.KindInvalid, hireflow.KindGone:
		return temporal.NewNonRetryableApplicationError(hireflow.ErrorCode(err), ErrTypePermanent, nil)
	}
	return err
}

// AppRef names an application; most activities need nothing more.
type AppRef struct {
	OrgID         string
	ApplicationID string
	// Shape is the calling workflow's shape. From ShapeWorkflowRecords on, the workflow records
	// every stage and sends every notice itself, and a decision activity only decides; workflows
	// started earlier send 0 and their activities keep doing what that shape expects.
	Shape int `json:",omitempty"`
}

// ShapeWorkflowRecords is the workflow shape in which the workflow is the only writer of the
// stage (ApplicationInput.Shape; histories without it replay as 0).
const ShapeWorkflowRecords = 1

// legacy reports whether the calling workflow is of the first shape.
func (r AppRef) legacy() bool { return r.Shape < ShapeWorkflowRecords }

// markSent records that an email was handed to SMTP. The mail is out: if the database is
// briefly unreachable, losing this fact would send it again on the activity's retry, so it is
// retried here for up to 25 s (within the activity's timeout) before giving up.
func (a *Activities) markSent(ctx context.Context, key string) error {
	deadline := time.Now().Add(25 * time.Second)
	wait := 100 * time.Millisecond
	for {
		err := a.Store.EmailMarkSent(ctx, key)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}
