package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/hireflow/hireflow"
)

// issueLink makes a fresh application link; only its hash is stored.
func (a *Activities) issueLink(ctx context.Context, ref AppRef, purpose string, expires time.Time, revokePrevious bool) (string, error) {
	raw := newToken()
	if purpose == "" {
		purpose = TokenPurposeApplication
	}
	if err := a.Store.TokenIssue(ctx, ref.OrgID, ref.ApplicationID, purpose, a.Store.Box().Hash("token", raw), expires, revokePrevious); err != nil {
		return "", err
	}
	if purpose == TokenPurposeAccess {
		return a.PublicURL + "/c/" + raw + "/data", nil
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

// InviteCandidate issues the application link, emails the invitation and marks the stage
// (workflows of the first shape; later ones use RecordStage with Invitation).
func (a *Activities) InviteCandidate(ctx context.Context, in InviteInput) (InviteResult, error) {
	sent, err := a.notifyCandidate(ctx, Invitation(in.AppRef, in.ExpiresAt))
	if err != nil {
		return InviteResult{}, err
	}
	if err := a.enter(ctx, in.AppRef, StageChange{Stage: hireflow.StageInvited, Status: hireflow.StatusActive, EventKey: "invited"}); err != nil {
		return InviteResult{}, err
	}
	return InviteResult{Sent: sent}, nil
}

// Invitation is the invitation email with a link valid until expires (replacing earlier links).
// Its ledger name serves the first shape's InviteCandidate, which calls it in process; passed
// to RecordStage as an activity input it travels without it (unexported) and is keyed by kind.
func Invitation(ref AppRef, expires time.Time) CandidateNoticeInput {
	return CandidateNoticeInput{AppRef: ref, Kind: hireflow.NoticeInvitation, WithLink: true, ExpiresAt: expires, RevokeOld: true,
		ledger: "invite:" + ref.ApplicationID, msgID: fmt.Sprintf("<%s.%s@hireflow>", hireflow.NoticeInvitation, ref.ApplicationID)}
}

// Rejection is the rejection email.
func Rejection(ref AppRef) CandidateNoticeInput {
	return CandidateNoticeInput{AppRef: ref, Kind: hireflow.NoticeRejection,
		ledger: "reject:" + ref.ApplicationID, msgID: fmt.Sprintf("<%s.%s@hireflow>", hireflow.NoticeRejection, ref.ApplicationID)}
}
