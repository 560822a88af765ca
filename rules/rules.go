// Package rules compiles and evaluates the expr programs HR writes. Each decision point has a
// typed environment; a rule is type-checked when saved, never first at run time, and `now()`
// is unavailable: time is an input. Rule sets group the rules of a job with its pipeline
// template, are versioned, diffable, simulated against recorded inputs, and import/export as YAML.
package rules

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Limits that keep a careless or hostile rule from hurting the service.
const (
	MaxSourceBytes = 4000
	MaxNodes       = 400
	// MemoryBudget bounds what one evaluation may allocate (ranges, maps, arrays), in expr's units.
	MemoryBudget = 100_000
	// MaxClosureDepth bounds nested predicates (all/any/map/filter…): with input lists of bounded
	// length, work then grows at most with the square of the input, never exponentially.
	MaxClosureDepth = 2
)

// CompileError says where and why a rule does not compile, in en and zh.
type CompileError struct {
	Rule      string `json:"rule"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	Message   string `json:"message"`
	MessageZH string `json:"message_zh"`
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("rule %s: line %d, column %d: %s", e.Rule, e.Line, e.Column, e.Message)
}

// Program is a compiled rule with the hash recorded next to every decision it makes.
type Program struct {
	Name   string
	Source string
	Hash   string
	prog   *vm.Program
}

// disabled builtins: time must come in as input, and these can allocate without bound.
var disabled = []string{"now", "repeat", "date", "duration", "timezone"}

var noFieldRe = regexp.MustCompile(`has no field (\w+)`)

var (
	cache       sync.Map // kind+source → *Program; published rules are immutable, compile once
	cacheCount  atomic.Int64
	maxCacheLen = int64(2000)
)

func compile(name, source string, env any, kind reflect.Kind) (*Program, error) {
	key := name + "\x00" + source
	if p, ok := cache.Load(key); ok {
		return p.(*Program), nil
	}
	if strings.TrimSpace(source) == "" {
		return nil, &CompileError{Rule: name, Line: 1, Column: 1, Message: "the rule is empty", MessageZH: "规则为空"}
	}
	if len(source) > MaxSourceBytes || !utf8.ValidString(source) {
		return nil, &CompileError{Rule: name, Line: 1, Column: 1,
			Message:   fmt.Sprintf("the rule is longer than %d bytes or not valid UTF-8", MaxSourceBytes),
			MessageZH: fmt.Sprintf("规则超过 %d 字节或不是有效的 UTF-8", MaxSourceBytes)}
	}
	opts := []expr.Option{expr.Env(env), expr.MaxNodes(MaxNodes), expr.Optimize(true)}
	if kind != reflect.Invalid {
		opts = append(opts, expr.AsKind(kind))
	}
	for _, b := range disabled {
		opts = append(opts, expr.DisableBuiltin(b))
	}
	opts = append(opts, library()...)
	p, err := expr.Compile(source, opts...)
	if err != nil {
		return nil, toCompileError(name, err)
	}
	if ce := checkGuard(name, source, p); ce != nil {
		return nil, ce
	}
	if ce := checkOutcomes(name, source, p); ce != nil {
		return nil, ce
	}
	sum := sha256.Sum256([]byte(name + "\x00" + source))
	prog := &Program{Name: name, Source: source, Hash: hex.EncodeToString(sum[:8]), prog: p}
	if cacheCount.Load() < maxCacheLen {
		if _, loaded := cache.LoadOrStore(key, prog); !loaded {
			cacheCount.Add(1)
		}
	}
	return prog, nil
}

func toCompileError(name string, err error) *CompileError {
	ce := &CompileError{Rule: name, Line: 1, Column: 1, Message: err.Error()}
	var fe *file.Error
	if errors.As(err, &fe) {
		ce.Line, ce.Column, ce.Message = fe.Line, fe.Column+1, fe.Message
		if ce.Line == 0 {
			ce.Line = 1
		}
	}
	if m := noFieldRe.FindStringSubmatch(ce.Message); m != nil {
		ce.Message = "unknown field " + m[1]
	}
	if strings.Contains(ce.Message, "exceeds maximum allowed nodes") {
		ce.Message = fmt.Sprintf("the rule is too large (more than %d nodes)", MaxNodes)
	}
	ce.MessageZH = translate(ce.Message)
	return ce
}

// translate gives the Chinese text for the compiler messages HR meets most; others keep the
// English text behind a Chinese prefix so nothing is lost.
func translate(msg string) string {
	switch {
	case strings.HasPrefix(msg, "unknown name"):
		return "未知名称：" + strings.TrimPrefix(msg, "unknown name ")
	case strings.HasPrefix(msg, "unknown field"):
		return "未知字段：" + strings.TrimPrefix(msg, "unknown field ")
	case strings.HasPrefix(msg, "expected"):
		return "结果类型不对：" + msg
	case strings.Contains(msg, "too large"):
		return fmt.Sprintf("规则过大（超过 %d 个节点）", MaxNodes)
	case strings.HasPrefix(msg, "unexpected token"):
		return "语法错误：" + msg
	case strings.Contains(msg, "mismatched types") || strings.Contains(msg, "invalid operation"):
		return "类型不匹配：" + msg
	}
	return "规则无法编译：" + msg
}

var vmPool = sync.Pool{New: func() any { return &vm.VM{} }}

// Eval runs the program synchronously on a pooled VM under the memory budget. Evaluation time
// is bounded by construction (node limit, memory budget, closure depth), so no timer is needed.
// (vm.Run itself turns a panic inside the program into an error.)
func (p *Program) Eval(ctx context.Context, env any) (out any, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m := vmPool.Get().(*vm.VM)
	m.MemoryBudget = MemoryBudget
	out, err = m.Run(p.prog, env)
	vmPool.Put(m)
	if err != nil {
		return nil, fmt.Errorf("rules: %s: %w", p.Name, err)
	}
	return out, nil
}
