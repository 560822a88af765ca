package activities

import (
	"context"

	"github.com/hireflow/hireflow/rules"
)

type pinned struct {
	rules.RuleSet
	id      string
	version int
}

func (a *Activities) pinnedRules(ctx context.Context, ref AppRef) (pinned, error) {
	app, err := a.Store.ApplicationGet(ctx, ref.OrgID, ref.ApplicationID, false)
	if err != nil {
		return pinned{}, permanent(err)
	}
	v, err := a.Store.RuleSetVersion(ctx, ref.OrgID, app.RuleSetID, app.RuleVersion)
	if err != nil {
		return pinned{}, permanent(err)
	}
	return pinned{RuleSet: v.Content, id: app.RuleSetID, version: app.RuleVersion}, nil
}
