package workflows

import (
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
)

func (l *pipelineRun) probationStage(params map[string]string) error {
	length := l.in.Steps.ProbationLength
	if days := param(params, "days", 0); days > 0 {
		length = time.Duration(days) * 24 * time.Hour
	}
	l.state.Stage = hireflow.StageProbation
	// The probation period itself: only a stop signal ends it early.
	if _, err := l.wait(length, nil); err != nil {
		return err
	}
	l.probationDue = true // before the email: the manager may answer it at once
	if err := l.exec(a.NotifyStaff, activities.StaffNoticeInput{AppRef: l.ref, Kind: hireflow.NoticeProbationRequest, Key: "probation",
		Roles: []hireflow.Role{hireflow.RoleHiringManager}}, nil); err != nil {
		return err
	}
	done := func() bool { return l.probation != nil }
	if err := l.slaWait(done, l.in.Steps.ProbationSLA, hireflow.NoticeProbationReminder, "probation", []hireflow.Role{hireflow.RoleHiringManager}, "probation evaluation"); err != nil {
		return err
	}
	p := l.probation
	if err := l.exec(a.RecordProbation, activities.ProbationInput{AppRef: l.ref, ManagerID: p.ManagerID, Outcome: p.Outcome, Rating: p.Rating,
		Enter: activities.StageChange{Stage: hireflow.StageCompleted, Status: hireflow.StatusHired, EventKey: "completed"}}, nil); err != nil {
		return err
	}
	// No search-attribute upsert here (one billable action per hire): a finished hire is found as
	// ExecutionStatus="Completed" AND HireflowStatus="hired"; its stage attribute stays
	// "probation", PostgreSQL records "completed" and the probation outcome.
	l.state.Stage = hireflow.StageCompleted
	return nil
}
