package rules

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDescribeListsEveryRuleAndItsFields(t *testing.T) {
	infos := Describe()
	require.Len(t, infos, len(RuleNames()))
	byName := map[string]RuleInfo{}
	for _, i := range infos {
		byName[i.Name] = i
		require.NotEmpty(t, i.Fields, i.Name)
		require.NotEmpty(t, i.Returns, i.Name)
	}
	has := func(rule, field, typ string) {
		t.Helper()
		for _, f := range byName[rule].Fields {
			if f.Name == field {
				require.Equal(t, typ, f.Type, "%s.%s", rule, field)
				return
			}
		}
		t.Fatalf("%s has no field %s: %+v", rule, field, byName[rule].Fields)
	}
	has(RuleApproval, "offer.salary", "number")
	has(RuleApproval, "offer.band_max", "number")
	has(RuleRouting, "overall", "number")
	has(RuleRouting, "flags.low_confidence", "bool")
	has(RuleReview, "reviews[].rating", "number")
}
