package rules

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/pmezard/go-difflib/difflib"
)

// RuleSet is the content of one version: named rules and the pipeline template.
type RuleSet struct {
	Name     string            `json:"name,omitempty" yaml:"name,omitempty"`
	Rules    map[string]string `json:"rules" yaml:"rules"`
	Pipeline []StageSpec       `json:"pipeline,omitempty" yaml:"pipeline,omitempty"`
}

// Compiled is a validated rule set: every rule it defines, plus the defaults it does not.
type Compiled struct {
	Set      RuleSet
	Programs map[string]*Program
	Hashes   map[string]string
}

// CompileSet compiles every rule and validates the pipeline, returning all errors at once.
func CompileSet(rs RuleSet) (*Compiled, []*CompileError) {
	var errs []*CompileError
	c := &Compiled{Set: rs, Programs: map[string]*Program{}, Hashes: map[string]string{}}
	if len(rs.Rules) > len(specs) || len(rs.Pipeline) > 12 {
		return nil, []*CompileError{{Rule: "rules", Line: 1, Column: 1,
			Message:   fmt.Sprintf("a rule set has at most %d rules (%v) and 12 pipeline stages", len(specs), RuleNames()),
			MessageZH: fmt.Sprintf("规则集最多包含 %d 条规则和 12 个流程阶段", len(specs))}}
	}
	if strings.TrimSpace(rs.Rules[RuleScreening]) == "" {
		errs = append(errs, &CompileError{Rule: RuleScreening, Line: 1, Column: 1, Message: "a rule set needs a screening rule", MessageZH: "规则集必须包含筛选规则"})
	}
	names := make([]string, 0, len(rs.Rules))
	for n := range rs.Rules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := Compile(n, rs.Rules[n])
		if err != nil {
			errs = append(errs, err.(*CompileError))
			continue
		}
		c.Programs[n], c.Hashes[n] = p, p.Hash
	}
	for n, src := range Defaults {
		if _, ok := c.Programs[n]; !ok {
			p, err := Compile(n, src)
			if err != nil {
				panic("rules: default " + n + " does not compile: " + err.Error())
			}
			c.Programs[n] = p
		}
	}
	pipe := rs.Pipeline
	if len(pipe) == 0 {
		pipe = DefaultPipeline
	}
	errs = append(errs, ValidatePipeline(pipe)...)
	if len(errs) > 0 {
		return nil, errs
	}
	c.Set.Pipeline = pipe
	return c, nil
}

// MaxYAMLBytes bounds an imported rule set file.
const MaxYAMLBytes = 256 << 10

// ParseYAML reads a rule set file; unknown keys are errors so typos do not pass silently.
func ParseYAML(data []byte) (RuleSet, error) {
	var rs RuleSet
	if len(data) > MaxYAMLBytes {
		return rs, fmt.Errorf("rules: the file is larger than %d KB", MaxYAMLBytes>>10)
	}
	// Anchors and aliases let a small file expand into a huge one; rule files do not need them.
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return rs, fmt.Errorf("rules: %s", yaml.FormatError(err, false, true))
	}
	v := &aliasFinder{}
	for _, doc := range f.Docs {
		if doc.Body != nil {
			ast.Walk(v, doc.Body)
		}
	}
	if v.found {
		return rs, fmt.Errorf("rules: YAML anchors and aliases (&name, *name) are not allowed in rule set files")
	}
	if err := yaml.UnmarshalWithOptions(data, &rs, yaml.Strict()); err != nil {
		return rs, fmt.Errorf("rules: %s", yaml.FormatError(err, false, true))
	}
	if rs.Rules == nil {
		rs.Rules = map[string]string{}
	}
	return rs, nil
}

type aliasFinder struct{ found bool }

func (a *aliasFinder) Visit(n ast.Node) ast.Visitor {
	switch n.(type) {
	case *ast.AliasNode, *ast.AnchorNode:
		a.found = true
		return nil
	}
	return a
}

// MarshalYAML writes a rule set file, rules as literal blocks.
func MarshalYAML(rs RuleSet) ([]byte, error) {
	return yaml.MarshalWithOptions(rs, yaml.UseLiteralStyleIfMultiline(true))
}

// Diff is a unified diff of two rule sets, rule by rule, then the pipeline.
func Diff(a, b RuleSet, aName, bName string) string {
	var out bytes.Buffer
	names := map[string]bool{}
	for n := range a.Rules {
		names[n] = true
	}
	for n := range b.Rules {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		writeDiff(&out, a.Rules[n], b.Rules[n], aName+" rules."+n, bName+" rules."+n)
	}
	ap, _ := yaml.Marshal(a.Pipeline)
	bp, _ := yaml.Marshal(b.Pipeline)
	writeDiff(&out, string(ap), string(bp), aName+" pipeline", bName+" pipeline")
	return out.String()
}

func writeDiff(out *bytes.Buffer, a, b, an, bn string) {
	if a == b {
		return
	}
	d := difflib.UnifiedDiff{A: difflib.SplitLines(ensureNL(a)), B: difflib.SplitLines(ensureNL(b)), FromFile: an, ToFile: bn, Context: 2}
	s, _ := difflib.GetUnifiedDiffString(d)
	out.WriteString(s)
}

func ensureNL(s string) string {
	if s != "" && !strings.HasSuffix(s, "\n") {
		return s + "\n"
	}
	return s
}
