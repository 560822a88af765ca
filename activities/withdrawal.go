package activities

import (
	"context"

	"github.com/hireflow/hireflow"
)

// CloseInput ends an application: links revoked, final stage, and a candidate notice if Notice is set.
type CloseInput struct {
	AppRef
	Stage       hireflow.Stage
	Status      hireflow.Status
	Notice      string // candidate notice kind, optional
	OfferID     string // an open offer to settle, optional
	OfferStatus string
	ReasonCode  string
}

// CloseApplication revokes links, settles an open offer, records the final stage, and tells
// the candidate when asked to.
func (a *Activities) CloseApplication(ctx context.Context, in CloseInput) error {
	if in.OfferID != "" && in.OfferStatus != "" {
		if err := a.Store.OfferSetStatus(ctx, in.OrgID, in.OfferID, in.OfferStatus, in.ReasonCode); err != nil {
			return err
		}
	}
	if in.Notice != "" {
		if _, err := a.notifyCandidate(ctx, CandidateNoticeInput{AppRef: in.AppRef, Kind: in.Notice, Key: string(in.Stage)}); err != nil {
			return err
		}
		if in.OfferID != "" {
			if _, err := a.NotifyStaff(ctx, StaffNoticeInput{AppRef: in.AppRef, Kind: hireflow.NoticeOfferResponse, Key: in.OfferID,
				Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: in.OfferStatus}); err != nil {
				return err
			}
		}
	}
	if err := a.Store.TokenRevokeAll(ctx, in.OrgID, in.ApplicationID); err != nil {
		return err
	}
	return permanent(a.Store.ApplicationSetStage(ctx, in.OrgID, in.ApplicationID, in.Stage, in.Status, string(in.Stage)))
}
