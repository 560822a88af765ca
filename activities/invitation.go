package activities

import (
	"context"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/mail"
)

// issueLink makes a fresh application link; only its hash is stored.
func (a *Activities) issueLink(ctx context.Context, ref AppRef, expires time.Time, revokePrevious bool) (string, error) {
	raw := newToken()
	if err := a.Store.TokenIssue(ctx, ref.OrgID, ref.ApplicationID, TokenPurposeApplication, a.Store.Box().Hash("token", raw), expires, revokePrevious); err != nil {
		return "", err
	}
	return a.PublicURL + "/c/" + raw, nil
}

// InviteInput sends the invitation.
type InviteInput struct {
	AppRef
	ExpiresAt time.Time
}

// InviteResult says whether this attempt sent the email (false when an earlier one did).
type InviteResult struct {
	Sent bool
}

// InviteCandidate issues the application link, emails the invitation and marks the stage.
func (a *Activities) InviteCandidate(ctx context.Context, in InviteInput) (InviteResult, error) {
	sent, err := a.sendToCandidate(ctx, in.AppRef, hireflow.NoticeInvitation, "invite:"+in.ApplicationID, func(d *mail.Data) error {
		link, err := a.issueLink(ctx, in.AppRef, in.ExpiresAt, true)
		d.Link, d.ExpiresAt = link, in.ExpiresAt
		return err
	})
	if err != nil {
		return InviteResult{}, err
	}
	if err := a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, hireflow.StageInvited, hireflow.StatusActive, "invited"); err != nil {
		return InviteResult{}, permanent(err)
	}
	return InviteResult{Sent: sent}, nil
}
