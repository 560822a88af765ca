package rules

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/vm"
)

// EvalTimeout bounds one evaluation; MemoryBudget bounds what the VM may allocate.
const (
	EvalTimeout  = 200 * time.Millisecond
	MemoryBudget = 100_000
)

// guard refuses constructs whose cost grows faster than the rule's size: string concatenation
// of computed values (doubling in `let` chains reaches gigabytes within the node limit).
type guard struct {
	source []rune
	err    *CompileError
}

func (g *guard) Visit(node *ast.Node) {
	if g.err != nil {
		return
	}
	if b, ok := (*node).(*ast.BinaryNode); ok && b.Operator == "+" {
		t := b.Type()
		if t != nil && t.Kind() == reflect.String {
			_, l := b.Left.(*ast.StringNode)
			_, r := b.Right.(*ast.StringNode)
			if !l || !r {
				line, col := lineCol(g.source, b.Location().From)
				g.err = &CompileError{Line: line, Column: col,
					Message:   "joining computed strings with + is not allowed in rules",
					MessageZH: "规则中不允许用 + 拼接计算出的字符串"}
			}
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
		if g.err.Line == 0 {
			g.err.Line = 1
		}
		return g.err
	}
	return nil
}

// ErrEvalTimeout is returned when a rule runs longer than EvalTimeout.
var ErrEvalTimeout = fmt.Errorf("rules: evaluation exceeded %s", EvalTimeout)

// run evaluates with a memory budget and a time bound. A VM cannot be interrupted, so a rule
// that times out leaves its goroutine to finish; the node and memory limits keep that bounded.
func (p *Program) run(ctx context.Context, env any) (any, error) {
	type result struct {
		v   any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- result{err: fmt.Errorf("rules: %s panicked: %v", p.Name, r)}
			}
		}()
		m := vm.VM{MemoryBudget: MemoryBudget}
		v, err := m.Run(p.prog, env)
		ch <- result{v, err}
	}()
	t := time.NewTimer(EvalTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		return nil, ErrEvalTimeout
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
