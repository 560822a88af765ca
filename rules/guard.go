package rules

import (
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// MaxRange bounds a literal range (1..n): a larger one could only fail at run time on the memory
// budget, so it is refused when the rule is saved.
const MaxRange = 1_000

// guard refuses constructs whose cost grows faster than the rule's size: string concatenation
// of computed values (doubling in `let` chains reaches gigabytes within the node limit) and
// deeply nested predicates (each level multiplies the work by a list's length).
type guard struct {
	source []rune
	err    *CompileError
}

func (g *guard) fail(n ast.Node, en, zh string) {
	if g.err != nil {
		return
	}
	line, col := lineCol(g.source, n.Location().From)
	g.err = &CompileError{Line: line, Column: col, Message: en, MessageZH: zh}
}

func (g *guard) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator == ".." {
			lo, lok := n.Left.(*ast.IntegerNode)
			hi, hok := n.Right.(*ast.IntegerNode)
			if lok && hok && hi.Value-lo.Value > MaxRange {
				g.fail(n, fmt.Sprintf("a range may hold at most %d numbers", MaxRange), fmt.Sprintf("区间最多包含 %d 个数", MaxRange))
			}
			return
		}
		if n.Operator != "+" {
			return
		}
		if t := n.Type(); t != nil && t.Kind() == reflect.String {
			_, l := n.Left.(*ast.StringNode)
			_, r := n.Right.(*ast.StringNode)
			if !l || !r {
				g.fail(n, "joining computed strings with + is not allowed in rules", "规则中不允许用 + 拼接计算出的字符串")
			}
		}
	case *ast.PredicateNode:
		if depth(n) > MaxClosureDepth {
			g.fail(n, "predicates (all, any, map, filter, …) may be nested at most 2 deep", "谓词（all、any、map、filter 等）最多嵌套 2 层")
		}
	}
}

// depth counts nested predicates from n down.
func depth(n ast.Node) int {
	d := &depthVisitor{}
	ast.Walk(&n, d)
	return d.max
}

type depthVisitor struct{ max int }

func (v *depthVisitor) Visit(node *ast.Node) {
	if p, ok := (*node).(*ast.PredicateNode); ok {
		inner := &depthVisitor{}
		body := p.Node
		ast.Walk(&body, inner)
		if inner.max+1 > v.max {
			v.max = inner.max + 1
		}
	}
}

// lineCol turns a rune offset into a 1-based line and column.
func lineCol(src []rune, off int) (int, int) {
	line, col := 1, 1
	for i := 0; i < off && i < len(src); i++ {
		if src[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func checkGuard(name, source string, p *vm.Program) *CompileError {
	g := &guard{source: []rune(source)}
	root := p.Node()
	ast.Walk(&root, g)
	if g.err != nil {
		g.err.Rule = name
		return g.err
	}
	return nil
}
