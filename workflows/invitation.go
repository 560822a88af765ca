package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

func (r *applicationRun) invite() error {
	t := r.in.Timings
	expires := workflow.Now(r.ctx).Add(t.InviteExpiresAfter)
	r.state.InviteExpiresAt = expires
	if r.recordsStage() {
		if err := r.enter(activities.StageInput{Stage: hireflow.StageInvited, Status: hireflow.StatusActive, EventKey: "invited",
			Candidate: []activities.CandidateNoticeInput{activities.Invitation(r.ref, expires)}}); err != nil {
			return err
		}
		return r.life.run(expires)
	}
	var res activities.InviteResult
	if err := r.exec(a.InviteCandidate, activities.InviteInput{AppRef: r.ref, ExpiresAt: expires}, &res); err != nil {
		return err
	}
	r.setStage(hireflow.StageInvited, hireflow.StatusActive)
	return r.life.run(expires)
}
