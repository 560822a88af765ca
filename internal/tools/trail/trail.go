// Package trail assembles one application's decision trail for analysts and auditors: each
// decision with its rule, version, inputs and outcome, each stage it entered, and the
// workflow's own events (signals, updates, activities, timers), in time order.
package trail

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// Item is one line of a trail.
type Item struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"` // decision | stage | workflow
	What   string    `json:"what"`
	Detail string    `json:"detail,omitempty"`
}

// Source is what the trail reads from PostgreSQL (the store).
type Source interface {
	ApplicationOrg(ctx context.Context, appID string) (string, error)
	DecisionList(ctx context.Context, orgID, appID string) ([]hireflow.Decision, error)
	ApplicationEvents(ctx context.Context, orgID, appID string) ([]store.ApplicationEvent, error)
}

// Build reads the trail from PostgreSQL and the workflow's history.
func Build(ctx context.Context, st Source, tc client.Client, appID string) ([]Item, error) {
	orgID, err := st.ApplicationOrg(ctx, appID)
	if err != nil {
		return nil, err
	}
	var items []Item
	ds, err := st.DecisionList(ctx, orgID, appID)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		inputs, _ := json.Marshal(d.Inputs)
		who := "rule " + d.RuleName
		if d.RuleSetID != "" {
			who += fmt.Sprintf(" (rule set %s v%d, program %s)", d.RuleSetID, d.RuleVersion, short(d.ProgramHash))
		}
		if d.DecidedBy != "" {
			who = "by user " + d.DecidedBy
		}
		detail := fmt.Sprintf("%s → %s", who, d.Outcome)
		if d.Reason != "" {
			detail += " (" + d.Reason + ")"
		}
		items = append(items, Item{At: d.CreatedAt, Source: "decision", What: d.Kind, Detail: detail + " inputs " + string(inputs)})
	}
	evs, err := st.ApplicationEvents(ctx, orgID, appID)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		items = append(items, Item{At: e.At, Source: "stage", What: e.EventKey, Detail: e.Stage + " / " + e.Status})
	}
	it := tc.GetWorkflowHistory(ctx, hireflow.WorkflowIDForApplication(appID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return nil, err
		}
		what := ""
		switch ev.EventType {
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			enums.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, enums.EVENT_TYPE_TIMER_FIRED, enums.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED:
			what = strings.ToLower(strings.TrimPrefix(ev.EventType.String(), "EVENT_TYPE_"))
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			what = "signal " + ev.GetWorkflowExecutionSignaledEventAttributes().GetSignalName()
		case enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
			what = "update " + ev.GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetName()
		case enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			what = "activity " + ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case enums.EVENT_TYPE_TIMER_STARTED:
			what = "timer " + ev.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration().String()
		case enums.EVENT_TYPE_ACTIVITY_TASK_FAILED:
			what = "activity failed"
		}
		if what != "" {
			items = append(items, Item{At: ev.GetEventTime().AsTime(), Source: "workflow", What: what})
		}
	}
	slices.SortStableFunc(items, func(x, y Item) int { return x.At.Compare(y.At) })
	return items, nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
