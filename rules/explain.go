package rules

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

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
	inner map[ast.Node]bool
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

// Explain says in one line why a recorded decision came out as it did:
// `screening v4: <rule> → reject; resume.years = 2, job.min_years = 3`.
func Explain(name string, version int, source string, inputs map[string]any, outcome string) string {
	var parts []string
	for _, p := range Inputs(source) {
		if v, ok := lookup(inputs, p); ok {
			b, _ := json.Marshal(v)
			parts = append(parts, fmt.Sprintf("%s = %s", p, b))
		}
	}
	rule := strings.Join(strings.Fields(source), " ")
	if len(rule) > 300 {
		rule = rule[:300] + "…"
	}
	s := fmt.Sprintf("%s v%d: `%s` → %s", name, version, rule, outcome)
	if len(parts) > 0 {
		s += "; " + strings.Join(parts, ", ")
	}
	return s
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
