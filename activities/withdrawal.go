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

// CloseApplication ends an application for workflows of the first shape; later ones call
// RecordStage with the same fields.
func (a *Activities) CloseApplication(ctx context.Context, in CloseInput) error {
	return a.RecordStage(ctx, Closing(in))
}

// Closing is the final stage an ending records: links revoked, an open offer settled, the
// candidate told (and the recruiters, when an offer was open).
func Closing(in CloseInput) StageInput {
	st := StageInput{AppRef: in.AppRef, Stage: in.Stage, Status: in.Status, EventKey: string(in.Stage),
		OfferID: in.OfferID, OfferStatus: in.OfferStatus, ReasonCode: in.ReasonCode, RevokeLinks: true}
	if in.Notice != "" {
		st.Candidate = []CandidateNoticeInput{{Kind: in.Notice, Key: string(in.Stage)}}
		if in.OfferID != "" {
			st.Staff = []StaffNoticeInput{OfferResponseNotice(in.OfferID, in.OfferStatus)}
		}
	}
	return st
}

// OfferResponseNotice tells the recruiters how the candidate answered an offer.
func OfferResponseNotice(offerID, status string) StaffNoticeInput {
	return StaffNoticeInput{Kind: hireflow.NoticeOfferResponse, Key: offerID, Roles: []hireflow.Role{hireflow.RoleRecruiter}, Detail: status}
}
