package rules

import (
	"reflect"
	"sort"
	"strings"
)

// Field is one name a rule's environment offers, with its type ("resume.years: int").
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// RuleInfo describes a decision point for the rules editor: what the rule returns and which
// fields and functions it may use.
type RuleInfo struct {
	Name      string   `json:"name"`
	Returns   string   `json:"returns"`
	Fields    []Field  `json:"fields"`
	Functions []string `json:"functions"`
}

// Functions are the functions hireflow adds to expr's built-ins.
var Functions = []string{"hasAll(list, wanted)", "hasAny(list, wanted)", "countAny(list, wanted)", "keywordScore(list, wanted)",
	`yearsSince("2020-01-31", "2026-01-31")`, "inBand(value, min, max)", "keys(map)", "values(map)", "toPairs(map)"}

// Describe lists every decision point with its environment (fields in a stable order).
func Describe() []RuleInfo {
	var out []RuleInfo
	for _, name := range RuleNames() {
		sp := specs[name]
		info := RuleInfo{Name: name, Returns: sp.doc, Functions: Functions}
		walkFields(reflect.TypeOf(sp.env), "", 0, &info.Fields)
		sort.Slice(info.Fields, func(i, j int) bool { return info.Fields[i].Name < info.Fields[j].Name })
		out = append(out, info)
	}
	return out
}

func walkFields(t reflect.Type, prefix string, depth int, out *[]Field) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("expr"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		full := prefix + name
		ft := f.Type
		switch {
		case ft.Kind() == reflect.Struct && depth < 3:
			walkFields(ft, full+".", depth+1, out)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct && depth < 3:
			*out = append(*out, Field{Name: full, Type: "list"})
			walkFields(ft.Elem(), full+"[].", depth+1, out)
		default:
			*out = append(*out, Field{Name: full, Type: typeName(ft)})
		}
	}
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Elem())
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "int"
	}
	return t.Kind().String()
}
