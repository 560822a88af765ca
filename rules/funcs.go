package rules

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr"
)

// The function library every rule may use (documented in README.md):
//
//	hasAll(have, want) bool        every item of want is in have (case-insensitive)
//	hasAny(have, want) bool        at least one item of want is in have
//	countAny(have, want) int       how many items of want are in have
//	keywordScore(have, want) float share of want found in have, 0..1 (1 when want is empty)
//	yearsSince(date, today) float  years from "YYYY[-MM[-DD]]" to today (time is an input)
//	inBand(x, min, max) bool       min <= x <= max
func library() []expr.Option {
	norm := func(v any) []string {
		var out []string
		switch xs := v.(type) {
		case []string:
			for _, x := range xs {
				out = append(out, strings.ToLower(strings.TrimSpace(x)))
			}
		case []any:
			for _, x := range xs {
				if s, ok := x.(string); ok {
					out = append(out, strings.ToLower(strings.TrimSpace(s)))
				}
			}
		}
		return out
	}
	count := func(have, want []string) int {
		n := 0
		for _, w := range want {
			for _, h := range have {
				if h == w {
					n++
					break
				}
			}
		}
		return n
	}
	lists := func(ret any) []any {
		switch ret.(type) {
		case bool:
			return []any{new(func([]string, []string) bool), new(func([]string, []any) bool),
				new(func([]any, []string) bool), new(func([]any, []any) bool)}
		case int:
			return []any{new(func([]string, []string) int), new(func([]string, []any) int),
				new(func([]any, []string) int), new(func([]any, []any) int)}
		}
		return []any{new(func([]string, []string) float64), new(func([]string, []any) float64),
			new(func([]any, []string) float64), new(func([]any, []any) float64)}
	}
	return []expr.Option{
		expr.Function("hasAll", func(p ...any) (any, error) {
			want := norm(p[1])
			return count(norm(p[0]), want) == len(want), nil
		}, lists(true)...),
		expr.Function("hasAny", func(p ...any) (any, error) {
			return count(norm(p[0]), norm(p[1])) > 0, nil
		}, lists(true)...),
		expr.Function("countAny", func(p ...any) (any, error) {
			return count(norm(p[0]), norm(p[1])), nil
		}, lists(0)...),
		expr.Function("keywordScore", func(p ...any) (any, error) {
			want := norm(p[1])
			if len(want) == 0 {
				return 1.0, nil
			}
			return float64(count(norm(p[0]), want)) / float64(len(want)), nil
		}, lists(0.0)...),
		expr.Function("yearsSince", func(p ...any) (any, error) {
			from, err := parseDay(p[0].(string))
			if err != nil {
				return nil, err
			}
			to, err := parseDay(p[1].(string))
			if err != nil {
				return nil, err
			}
			return to.Sub(from).Hours() / 24 / 365.25, nil
		}, new(func(string, string) float64)),
		expr.Function("inBand", func(p ...any) (any, error) {
			x, lo, hi := toFloat(p[0]), toFloat(p[1]), toFloat(p[2])
			return lo <= x && x <= hi, nil
		}, new(func(float64, float64, float64) bool), new(func(int, int, int) bool),
			new(func(float64, int, int) bool), new(func(int, float64, float64) bool)),
		// keys, values and toPairs replace expr's builtins, which follow Go's random map order:
		// with them `keys(m)[0]` or a float sum over values could differ between two
		// evaluations of the same inputs, and a decision's "why" could not be replayed.
		expr.Function("keys", func(p ...any) (any, error) {
			ks, _, err := sortedMap(p[0])
			return ks, err
		}, mapFuncs()...),
		expr.Function("values", func(p ...any) (any, error) {
			_, vs, err := sortedMap(p[0])
			return vs, err
		}, mapFuncs()...),
		expr.Function("toPairs", func(p ...any) (any, error) {
			ks, vs, err := sortedMap(p[0])
			out := make([]any, len(ks))
			for i := range ks {
				out[i] = []any{ks[i], vs[i]}
			}
			return out, err
		}, mapFuncs()...),
	}
}

// mapFuncs lists the map types rules meet (the environments' maps and map literals) as
// signatures, so that keys(5) is still refused when the rule is compiled.
func mapFuncs() []any {
	return []any{new(func(map[string]any) []any), new(func(map[string]float64) []any),
		new(func(map[string]string) []any), new(func(map[string]int) []any), new(func(map[string]bool) []any),
		new(func(map[any]any) []any)}
}

// sortedMap returns a map's keys in order (by their text) and the values in the same order.
func sortedMap(m any) ([]any, []any, error) {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Map {
		return nil, nil, fmt.Errorf("expected a map, got %T", m)
	}
	type kv struct {
		sortKey string
		k, v    any
	}
	items := make([]kv, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		k := it.Key().Interface()
		items = append(items, kv{fmt.Sprint(k), k, it.Value().Interface()})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].sortKey < items[j].sortKey })
	ks, vs := make([]any, len(items)), make([]any, len(items))
	for i, x := range items {
		ks[i], vs[i] = x.k, x.v
	}
	return ks, vs, nil
}

func parseDay(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("yearsSince: %q is not a date like 2019, 2019-06 or 2019-06-30", s)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	return 0
}
