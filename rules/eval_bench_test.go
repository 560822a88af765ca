package rules

import (
	"context"
	"testing"

	"github.com/expr-lang/expr/vm"
)

func BenchmarkRoutingRule(b *testing.B) {
	p, err := Compile(RuleRouting, Defaults[RuleRouting])
	if err != nil {
		b.Fatal(err)
	}
	env := RoutingEnv{Overall: 72, Scores: map[string]float64{"communication": 70}}
	b.Run("Route", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _, _ = p.Route(context.Background(), env)
		}
	})
	b.Run("RawVM", func(b *testing.B) {
		b.ReportAllocs()
		m := &vm.VM{}
		for i := 0; i < b.N; i++ {
			_, _ = m.Run(p.prog, env)
		}
	})
	b.Run("RawVMPtr", func(b *testing.B) {
		b.ReportAllocs()
		m := &vm.VM{}
		for i := 0; i < b.N; i++ {
			_, _ = m.Run(p.prog, &env)
		}
	})
}
