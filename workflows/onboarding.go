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
	var res activities.OnboardResult
	if err := l.exec(a.OnboardEmployee, activities.OnboardInput{AppRef: l.ref, OfferID: l.state.OfferID}, &res); err != nil {
		return err
	}
	// Onboarding is immediate; the search attributes go straight to what the next months are.
	stage := hireflow.StageOnboarding
	if l.next.Kind == rules.StageProbation {
		stage = hireflow.StageProbation
	}
	l.setStage(stage, hireflow.StatusHired)
	return nil
}
