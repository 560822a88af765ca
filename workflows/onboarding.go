package workflows

import (
	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/rules"
)

func (l *pipelineRun) onboard() error {
	if l.state.OfferID == "" {
		return nil // no offer stage in this pipeline
	}
	// Onboarding is immediate; the stage goes straight to what the next months are, in the
	// search attributes and in PostgreSQL alike (the activity records the stage it is given).
	stage := hireflow.StageOnboarding
	if l.next.Kind == rules.StageProbation {
		stage = hireflow.StageProbation
	}
	var res activities.OnboardResult
	if err := l.exec(a.OnboardEmployee, activities.OnboardInput{AppRef: l.ref, OfferID: l.state.OfferID, Stage: stage}, &res); err != nil {
		return err
	}
	l.setStage(stage, hireflow.StatusHired)
	return nil
}
