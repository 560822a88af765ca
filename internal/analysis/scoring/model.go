package scoring

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// The offline scorer's dimension score is a linear model of the answer's features, fitted on
// the development part of the labelled set (internal/tools/eval) with cross-validation by
// question; the fitted values are data, kept in weights.json with the command that produced
// them (`hireflow eval fit`).

//go:embed weights.json
var weightsJSON []byte

// Model is a fitted linear model: the predicted grade (1–5) is Intercept + Σ Weights[i] ×
// feature i, and the score is that grade on 0–100 (grade 1 → 0, grade 5 → 100).
type Model struct {
	Version    string    `json:"version"`
	Features   []string  `json:"features"`
	Weights    []float64 `json:"weights"`
	Intercept  float64   `json:"intercept"`
	Lambda     float64   `json:"lambda"`      // the ridge penalty cross-validation chose
	Folds      int       `json:"folds"`       // k of the k-fold cross-validation (folds by question)
	CVSpearman float64   `json:"cv_spearman"` // ρ of the out-of-fold predictions on the development part
	TrainedOn  string    `json:"trained_on"`  // which part of which set
	Command    string    `json:"command"`     // how to produce this file again
}

// FeatureNames are the features of one answer for one dimension, each within 0..1.
var FeatureNames = []string{
	"competency",          // the dimension's competency phrases, up to 3
	"competency_example",  // the same, when the answer has an example
	"stock_phrases",       // competency phrases or self-praise without an example
	"example",             // an action of the speaker's, in a situation or with an outcome
	"actions",             // the speaker's own actions ("I asked", "我联系"), up to 3
	"star",                // situation, task, action, result cues, of 4
	"numbers",             // quantities, up to 3
	"attributable_result", // an outcome or a quantity stated after an action of the speaker's
	"self",                // the speaker speaks of themselves (I / 我), up to 3 times
	"length",              // words, full from 60
	"length_on_work",      // the same, when the answer speaks of work (two work words or more)
	"length_with_action",  // the same, when the speaker tells an action of their own
	"relevance",           // coverage of the question and its reference points
	"work",                // the answer speaks of work: colleagues, customers, tasks, up to 4 such words
	"vague",               // deflecting or vague phrases, up to 2
}

// featureParts is which report part a feature's contribution is shown in.
var featureParts = map[string]string{"competency": "competency", "competency_example": "competency", "stock_phrases": "vague",
	"example": "star", "actions": "star", "star": "star", "self": "star", "numbers": "quantified", "attributable_result": "quantified",
	"length": "length", "length_on_work": "length", "length_with_action": "length", "relevance": "relevance", "work": "relevance", "vague": "vague"}

// FeatureSigns are the signs a fitted weight may take: +1 may only raise a score, -1 only
// lower it. They keep the fitted model explainable (more evidence never costs points).
var FeatureSigns = map[string]float64{"stock_phrases": -1, "vague": -1}

var model = mustModel(weightsJSON)

func mustModel(b []byte) Model {
	m, err := ParseModel(b)
	if err != nil {
		panic(err)
	}
	return m
}

// ParseModel reads and checks a weights file: its features must be FeatureNames, in order.
func ParseModel(b []byte) (Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("scoring: weights: %w", err)
	}
	if strings.Join(m.Features, ",") != strings.Join(FeatureNames, ",") || len(m.Weights) != len(FeatureNames) {
		return m, fmt.Errorf("scoring: weights: the features are %v, the file has %v", FeatureNames, m.Features)
	}
	for i, w := range m.Weights {
		if math.IsNaN(w) || math.IsInf(w, 0) || w*signOf(FeatureNames[i]) < 0 {
			return m, fmt.Errorf("scoring: weights: %s has the wrong sign or is not a number", FeatureNames[i])
		}
	}
	return m, nil
}

func signOf(f string) float64 {
	if s, ok := FeatureSigns[f]; ok {
		return s
	}
	return 1
}

// KeptModel is the model the scorer uses.
func KeptModel() Model { return model }

// Predict is the model's grade for the features.
func (m Model) Predict(x []float64) float64 {
	g := m.Intercept
	for i, w := range m.Weights {
		g += w * x[i]
	}
	return g
}

// Features are an answer's features per dimension, in FeatureNames order.
func Features(a Answer) map[string][]float64 {
	doc := analyse(a.Text)
	f := featuresOf(doc, a)
	out := map[string][]float64{}
	for _, d := range a.Dims {
		out[d] = f.forDim(d)
	}
	return out
}

// answerFeatures is what an answer shows apart from a dimension's competency phrases.
type answerFeatures struct {
	doc                   document
	actions, nums         []Evidence
	star                  int
	example, attributable bool
	self, vague, work     int
	length, relevance     float64
}

func featuresOf(doc document, a Answer) answerFeatures {
	f := answerFeatures{doc: doc, actions: doc.actions(), nums: doc.numbers()}
	for i, cues := range starCues {
		_, ok := doc.first(cues, starKinds[i])
		if ok || (i == 2 && len(f.actions) > 0) {
			f.star++
		}
	}
	_, situated := doc.first(starCues[0], "situation")
	res, outcome := doc.first(starCues[3], "result")
	f.example = len(f.actions) > 0 && (situated || outcome || len(f.nums) > 0)
	if len(f.actions) > 0 {
		first := f.actions[0].Offset
		if outcome && res.Offset > first {
			f.attributable = true
		}
		for _, n := range f.nums {
			if n.Offset > first {
				f.attributable = true
			}
		}
	}
	f.self = doc.selfMentions()
	f.vague = len(doc.all(vagueCues, "vague"))
	f.work = len(doc.all(workTerms, "work"))
	switch w := doc.words; {
	case w > 450:
		f.length = 0.67
	default:
		f.length = math.Min(1, float64(w)/60)
	}
	if strings.TrimSpace(a.Question) == "" && len(a.Points) == 0 {
		f.relevance = 0.5
	} else {
		// Echoing the question in a sentence is not relevance: under 50 words it counts in part.
		f.relevance = relevance(doc, a.Question, a.Points) * math.Min(1, float64(doc.words)/50)
	}
	return f
}

func (f answerFeatures) hits(d string) []Evidence {
	hits := f.doc.all(lexiconFor(d), "competency")
	if d == "ownership" {
		// What the candidate did themselves ("I decided", "我推动") is ownership evidence.
		seen := map[int]bool{}
		for _, h := range hits {
			seen[h.Offset] = true
		}
		for _, a := range f.actions {
			if !seen[a.Offset] {
				hits = append(hits, a)
			}
		}
	}
	return hits
}

func (f answerFeatures) forDim(d string) []float64 {
	comp := math.Min(3, float64(len(f.hits(d)))) / 3
	ex := b2f(f.example)
	praise := float64(len(f.doc.all(praiseCues, "vague")))
	stock := math.Min(1, (1-ex)*(comp+praise/3))
	return []float64{
		comp, comp * ex, stock, ex,
		math.Min(3, float64(len(f.actions))) / 3,
		float64(f.star) / 4,
		math.Min(3, float64(len(f.nums))) / 3,
		b2f(f.attributable),
		math.Min(3, float64(f.self)) / 3,
		f.length, f.length * math.Min(1, float64(f.work)/2), f.length * math.Min(1, float64(len(f.actions))), f.relevance,
		math.Min(4, float64(f.work)) / 4,
		math.Min(2, float64(f.vague)) / 2,
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// workTerms are general words of working life, in no particular trade: an answer with none of
// them is about something else, however fluent.
var workTerms = []string{"work", "job", "team", "colleague", "manager", "boss", "lead", "customer", "client", "user", "supplier", "vendor",
	"project", "task", "deadline", "report", "meeting", "company", "office", "department", "staff", "order", "sales", "budget",
	"contract", "plan", "process", "system", "review", "release", "product", "service", "shop", "store", "warehouse", "finance",
	"payroll", "invoice", "email", "launch", "quarter", "shift", "training", "hire", "promot",
	"工作", "团队", "同事", "领导", "经理", "主管", "客户", "用户", "供应商", "项目", "任务", "报告", "会议", "公司", "部门", "员工",
	"订单", "销售", "预算", "合同", "计划", "流程", "系统", "产品", "服务", "门店", "仓库", "财务", "发票", "邮件", "电话", "上线", "季度",
	"每周", "月底", "业务", "数据", "方案", "老板", "组里", "实习"}

// gradeToScore puts a grade (1–5) on 0–100.
func gradeToScore(g float64) float64 { return math.Max(0, math.Min(100, 25*(g-1))) }
