package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// outcomesOf names the results each decision point accepts. A rule whose result is known when
// it is compiled (a constant, or a branch of ?: / ?? / if-else that is one) must be one of them;
// results only known at run time are checked when evaluated, and a wrong one is a rule error
// that holds the application for a person.
func outcomesOf(name string) []string {
	switch name {
	case RuleScreening:
		return ScreeningOutcomes
	case RuleRouting:
		return RoutingOutcomes
	case RuleReview:
		return ReviewOutcomes
	}
	return nil
}

// resultLeaves returns the nodes that can become the rule's result: the branches of
// conditionals and ?? are followed, everything else is a leaf.
func resultLeaves(n ast.Node, out []ast.Node) []ast.Node {
	switch x := n.(type) {
	case *ast.ConditionalNode:
		return resultLeaves(x.Exp2, resultLeaves(x.Exp1, out))
	case *ast.BinaryNode:
		if x.Operator == "??" {
			return resultLeaves(x.Right, resultLeaves(x.Left, out))
		}
	case *ast.SequenceNode:
		if len(x.Nodes) > 0 {
			return resultLeaves(x.Nodes[len(x.Nodes)-1], out)
		}
	case *ast.VariableDeclaratorNode:
		return resultLeaves(x.Expr, out)
	}
	return append(out, n)
}

// constString reports the string a node stands for when it is known at compile time.
func constString(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.ConstantNode:
		s, ok := x.Value.(string)
		return s, ok
	}
	return "", false
}

func checkOutcomes(name, source string, p *vm.Program) *CompileError {
	src := []rune(source)
	at := func(n ast.Node, en, zh string) *CompileError {
		line, col := lineCol(src, n.Location().From)
		return &CompileError{Rule: name, Line: line, Column: col, Message: en, MessageZH: zh}
	}
	root := p.Node()
	leaves := resultLeaves(root, nil)
	if allowed := outcomesOf(name); allowed != nil {
		for _, leaf := range leaves {
			s, ok := constString(leaf)
			if !ok {
				continue
			}
			if !slices.Contains(allowed, s) {
				q := `"` + strings.Join(allowed, `", "`) + `"`
				return at(leaf, fmt.Sprintf("the result %q is not an outcome of the %s rule: use one of %s", s, name, q),
					fmt.Sprintf("结果 %q 不是 %s 规则的可选结果，请使用：%s", s, name, q))
			}
		}
	}
	switch name {
	case RuleApproval:
		for _, leaf := range leaves {
			if ce := checkApproval(leaf, at); ce != nil {
				return ce
			}
		}
	case RuleDurations:
		for _, leaf := range leaves {
			m, ok := leaf.(*ast.MapNode)
			if !ok {
				continue
			}
			for _, pn := range m.Pairs {
				pair, ok := pn.(*ast.PairNode)
				if !ok {
					continue
				}
				if k, ok := constString(pair.Key); ok && !slices.Contains(DurationKeys, k) {
					return at(pair.Key, fmt.Sprintf("unknown duration %q: use %v", k, DurationKeys),
						fmt.Sprintf("未知的时长名 %q，可用：%v", k, DurationKeys))
				}
				if v, ok := constString(pair.Value); ok {
					if d, err := time.ParseDuration(v); err != nil || d <= 0 || d > 366*24*time.Hour {
						return at(pair.Value, fmt.Sprintf("duration %q must be like \"48h\", between 1s and 8784h", v),
							fmt.Sprintf("时长 %q 须形如 \"48h\"，介于 1s 与 8784h 之间", v))
					}
				}
			}
		}
	}
	return nil
}

// checkApproval checks a chain known at compile time: a list literal, or the constant the
// optimiser folded it into. Computed steps are checked when the rule is evaluated.
func checkApproval(leaf ast.Node, at func(ast.Node, string, string) *CompileError) *CompileError {
	type item struct {
		node  ast.Node
		value any // a string, a []any group, or nil when computed
	}
	var steps []item
	switch x := leaf.(type) {
	case *ast.ArrayNode:
		for _, n := range x.Nodes {
			it := item{node: n}
			if s, ok := constString(n); ok {
				it.value = s
			} else if g, ok := n.(*ast.ArrayNode); ok {
				group := make([]any, len(g.Nodes))
				for i, gn := range g.Nodes {
					if s, ok := constString(gn); ok {
						group[i] = s
					}
				}
				it.value = group
			} else if c, ok := n.(*ast.ConstantNode); ok {
				it.value = c.Value
			}
			steps = append(steps, it)
		}
	case *ast.ConstantNode:
		list, ok := x.Value.([]any)
		if !ok {
			return nil
		}
		for _, v := range list {
			steps = append(steps, item{node: leaf, value: v})
		}
	default:
		return nil
	}
	if len(steps) == 0 || len(steps) > 10 {
		return at(leaf, "an approval chain has 1 to 10 steps", "审批链须有 1 到 10 个步骤")
	}
	approver := func(n ast.Node, v any) *CompileError {
		if s, ok := v.(string); ok && !slices.Contains(Approvers, s) && !userRe.MatchString(s) {
			return at(n, fmt.Sprintf("approver %q is not one of %v or user:<id>", s, Approvers),
				fmt.Sprintf("审批人 %q 不是 %v 之一，也不是 user:<id>", s, Approvers))
		}
		return nil
	}
	for _, st := range steps {
		switch v := st.value.(type) {
		case []any:
			if len(v) == 0 {
				return at(st.node, "an approval chain has an empty parallel group", "审批链中有空的并行组")
			}
			for _, g := range v {
				if ce := approver(st.node, g); ce != nil {
					return ce
				}
			}
		default:
			if ce := approver(st.node, v); ce != nil {
				return ce
			}
		}
	}
	return nil
}
