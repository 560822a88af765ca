// Package activities holds every side effect of hireflow's workflows: database writes, object
// reads, emails. Each activity is idempotent (keyed writes, an email ledger) and takes and
// returns IDs, enums and decisions only: personal data is loaded here and never leaves.
package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
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
	// AllowPrivateWebhooks lets webhooks reach loopback and private addresses (not in production).
	AllowPrivateWebhooks bool
	// Content scores answer text (typed or transcribed); nil is the built-in offline scorer.
	Content scoring.Scorer
}

// TokenPurposeApplication is the purpose of the candidate's application link.
const TokenPurposeApplication = "application"

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
}

// sendToCandidate renders and sends one email to the application's candidate at most once per key.
func (a *Activities) sendToCandidate(ctx context.Context, ref AppRef, kind, key string, fill func(*mail.Data) error) (bool, error) {
	c, err := a.Store.ApplicationContact(ctx, ref.OrgID, ref.ApplicationID)
	if err != nil {
		return false, permanent(err)
	}
	sent, msgID, err := a.Store.EmailClaim(ctx, ref.OrgID, ref.ApplicationID, key, kind, c.Language,
		fmt.Sprintf("<%s.%s@hireflow>", kind, ref.ApplicationID))
	if err != nil {
		return false, err
	}
	if sent {
		return false, nil
	}
	title := c.JobTitle
	if c.Language == "zh" && c.JobTitleZH != "" {
		title = c.JobTitleZH
	}
	d := mail.Data{Lang: c.Language, ToName: c.Name, OrgName: c.OrgName, BrandLine: c.BrandLine, Color: c.Color, LogoURL: c.LogoURL, JobTitle: title}
	if fill != nil {
		if err := fill(&d); err != nil {
			return false, err
		}
	}
	r, err := mail.Render(kind, d)
	if err != nil {
		return false, permanent(hireflow.Errorf(hireflow.KindInvalid, "template", "", "%v", err))
	}
	if err := a.Mail.Send(ctx, c.Name, c.Email, msgID, r); err != nil {
		return false, err
	}
	return true, a.markSent(ctx, key)
}

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
