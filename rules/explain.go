package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// Inputs returns the input paths a rule reads ("resume.years", "job.must", "overall"), sorted.
func Inputs(source string) []string {
	tree, err := parser.Parse(source)
	if err != nil {
		return nil
	}
	c := &pathCollector{seen: map[string]bool{}}
	ast.Walk(&tree.Node, c)
	sort.Strings(c.paths)
	return c.paths
}

type pathCollector struct {
	seen  map[string]bool
	paths []string
}

func (c *pathCollector) add(p string) {
	if p != "" && !c.seen[p] {
		c.seen[p] = true
		c.paths = append(c.paths, p)
	}
}

func (c *pathCollector) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.MemberNode:
		if p := memberPath(n); p != "" {
			// Drop the shorter prefix recorded when the inner identifier was visited.
			root := strings.SplitN(p, ".", 2)[0]
			if c.seen[root] {
				delete(c.seen, root)
				for i, x := range c.paths {
					if x == root {
						c.paths = append(c.paths[:i], c.paths[i+1:]...)
						break
					}
				}
			}
			c.add(p)
		}
	case *ast.IdentifierNode:
		if _, isFunc := libraryNames[n.Value]; !isFunc {
			c.add(n.Value)
		}
	}
}

var libraryNames = map[string]struct{}{"hasAll": {}, "hasAny": {}, "countAny": {}, "keywordScore": {}, "yearsSince": {}, "inBand": {}}

func memberPath(n *ast.MemberNode) string {
	prop, ok := n.Property.(*ast.StringNode)
	if !ok {
		return ""
	}
	switch inner := n.Node.(type) {
	case *ast.IdentifierNode:
		return inner.Value + "." + prop.Value
	case *ast.MemberNode:
		if p := memberPath(inner); p != "" {
			return p + "." + prop.Value
		}
	}
	return ""
}

// ExplainParts returns the rule's source on one line (at most 300 bytes) and "path = value"
// for every input it reads, lists separated by ", " so that a narrow page wraps between items.
func ExplainParts(source string, inputs map[string]any) (string, []string) {
	var parts []string
	for _, p := range Inputs(source) {
		if v, ok := lookup(inputs, p); ok {
			parts = append(parts, fmt.Sprintf("%s = %s", p, valueText(v)))
		}
	}
	rule := strings.Join(strings.Fields(source), " ")
	if len(rule) > 300 {
		cut := 300
		for cut > 0 && !utf8.RuneStart(rule[cut]) {
			cut--
		}
		rule = rule[:cut] + "…"
	}
	return rule, parts
}

func valueText(v any) string {
	if list, ok := v.([]any); ok {
		items := make([]string, len(list))
		for i, x := range list {
			b, _ := json.Marshal(x)
			items[i] = string(b)
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Explain says in one line why a recorded decision came out as it did:
// `screening v4: <rule> → reject; resume.years = 2, job.min_years = 3`.
func Explain(name string, version int, source string, inputs map[string]any, outcome string) string {
	rule, parts := ExplainParts(source, inputs)
	s := fmt.Sprintf("%s v%d: `%s` → %s", name, version, rule, outcome)
	if len(parts) > 0 {
		s += "; " + strings.Join(parts, ", ")
	}
	return s
}

// ExplainZH is Explain in Chinese: `简历筛选规则（第 4 版）：<rule> → 拒绝；依据：resume.years = 2`.
func ExplainZH(name string, version int, source string, inputs map[string]any, outcome string) string {
	rule, parts := ExplainParts(source, inputs)
	s := fmt.Sprintf("%s规则（第 %d 版）：`%s` → %s", RuleNameZH(name), version, rule, OutcomeZH(outcome))
	if len(parts) > 0 {
		s += "；依据：" + strings.Join(parts, "，")
	}
	return s
}

// RuleNameZH names a decision point in Chinese.
func RuleNameZH(name string) string {
	if z, ok := map[string]string{RuleScreening: "简历筛选", RuleRouting: "面试分流", RuleReview: "评审汇总",
		RuleApproval: "审批链", RuleWeights: "权重", RuleDurations: "时限", RuleIntensity: "面试强度", "recruiter": "招聘专员"}[name]; ok {
		return z
	}
	return name
}

// OutcomeZH names an outcome in Chinese.
func OutcomeZH(o string) string {
	if z, ok := map[string]string{"pass": "通过", "reject": "拒绝", "hold": "待定（转人工）", "advance": "进入下一步",
		"approve": "批准", "approved": "已批准", "rejected": "已拒绝", "timed_out": "超时", "delegate": "转交"}[o]; ok {
		return z
	}
	return o
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}
