// Package eval measures the answer scorer on a labelled set kept in the repository: the
// Spearman correlation between scores and labels, and the speech-to-text word error rate.
package eval

import (
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"hash/fnv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/sync/errgroup"

	"github.com/goccy/go-yaml"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
	"github.com/hireflow/hireflow/internal/analysis/speech/lm"
	"github.com/hireflow/hireflow/rules"
)

//go:embed set.yaml
var setYAML []byte

// Set is a labelled evaluation set. Labels are on any ordinal scale (the kept set uses 1–5 as
// CRITERIA.md defines them); an answer may also carry labels per dimension. Each question
// belongs to the development part (what the scorer may be tuned on) or the held-out part
// (measured, never tuned on): the split is by question, so no held-out question's answers are
// ever looked at while tuning.
type Set struct {
	Questions []Question `yaml:"questions"`
}

// Question is one question of a set with its graded answers.
type Question struct {
	ID         string   `yaml:"id"`
	Lang       string   `yaml:"lang"` // en: spoken (flite → WebM/Opus → ffmpeg → pocketsphinx); zh: typed
	Text       string   `yaml:"text"`
	Points     []string `yaml:"points"`
	Dimensions []string `yaml:"dimensions"`
	Split      string   `yaml:"split"` // dev (the default) or heldout
	Answers    []struct {
		Label  *Label           `yaml:"label"`
		Labels map[string]Label `yaml:"labels"`
		Typed  bool             `yaml:"typed"` // an English answer scored as typed text
		Voice  string           `yaml:"voice"` // the flite voice that speaks it ("" : the run's)
		// Trap marks a weak answer written to fool a scorer: keyword (competency vocabulary or
		// stock phrases without an example) or numbers (figures the speaker did not bring about).
		// It must score below every answer of its question labelled 3 or more.
		Trap   string `yaml:"trap"`
		Script string `yaml:"script"`
		Text   string `yaml:"text"` // the same as script
	} `yaml:"answers"`
}

// Label is an ordinal grade: a number, or strong/medium/weak (also good/average/poor,
// 强/中/弱, 好/一般/差).
type Label float64

var labelWords = map[string]Label{"strong": 5, "good": 5, "high": 5, "强": 5, "好": 5, "medium": 3, "average": 3, "mid": 3, "中": 3,
	"一般": 3, "weak": 1, "poor": 1, "low": 1, "bad": 1, "弱": 1, "差": 1}

// Voices are the flite voices English answers are spoken with when the run assigns them.
var Voices = []string{"rms", "slt", "awb", "kal16"}

// UnmarshalYAML reads a number or a grade word.
func (l *Label) UnmarshalYAML(unmarshal func(any) error) error {
	var v any
	if err := unmarshal(&v); err != nil {
		return err
	}
	switch x := v.(type) {
	case uint64:
		*l = Label(x)
	case int64:
		*l = Label(x)
	case int:
		*l = Label(x)
	case float64:
		*l = Label(x)
	case string:
		w, ok := labelWords[strings.ToLower(strings.TrimSpace(x))]
		if !ok {
			return fmt.Errorf("eval: unknown label %q (a number, or strong/medium/weak)", x)
		}
		*l = w
	default:
		return fmt.Errorf("eval: a label is a number or strong/medium/weak")
	}
	return nil
}

// Options choose the set and how English answers are spoken.
type Options struct {
	SetFile string // "" uses the set kept in the repository
	Voice   string // flite voice; "" is rms
	// AllVoices speaks each English answer with a voice of its own (its `voice`, else one of
	// Voices chosen by the answer's question and position) and reports the figures per voice.
	AllVoices bool
	Typed     bool // score every answer as typed text (no speech tools needed)
	Browser   bool // record the spoken answers through headless Chromium's MediaRecorder
	Limit     int  // score only the first Limit answers of each question (0: all)
	// DomainLM decodes with the domain language model of the set's questions and reference
	// points and the kept interview-answer corpus (package lm) instead of the generic en-us one.
	DomainLM bool
	// LMUnigrams interpolates the domain model with the generic one's unigrams only (else with
	// every order, as the scoring worker does); LMLambda is the domain's weight (0: the worker's).
	LMUnigrams bool
	LMLambda   float64
	// Decoder are further pocketsphinx settings for this run ("-lw 8 -beam 1e-60").
	Decoder []string
	// Part scores only that part of the set (dev or heldout; "" both).
	Part string
	// NoAdapt decodes once, without adapting the acoustic model to each answer's speaker.
	NoAdapt bool
}

// Summary is the figures of one part of the set.
type Summary struct {
	Questions   int                `json:"questions"`
	Answers     int                `json:"answers"`
	Spearman    float64            `json:"spearman"`
	ByDimension map[string]float64 `json:"spearman_by_dimension,omitempty"`
	ByLanguage  map[string]float64 `json:"spearman_by_language"`
	WER         float64            `json:"wer"` // spoken answers: flite voice → WebM/Opus → ffmpeg → pocketsphinx
	// WERFirst is the first decoding's WER of the same answers, before the speaker adaptation
	// (the baseline, from the same run); Adapted counts the answers decoded adapted.
	WERFirst float64 `json:"wer_unadapted,omitempty"`
	Adapted  int     `json:"adapted_answers,omitempty"`
	Spoken   int     `json:"spoken_answers"`
}

// Result is what `hireflow eval scoring` prints as its last line: the whole set, then the
// development and held-out parts, and the figures per voice.
type Result struct {
	Summary
	Capture string `json:"capture,omitempty"` // ffmpeg (Opus encoded directly) or browser (Chromium's MediaRecorder)
	Voice   string `json:"voice,omitempty"`
	// LanguageModel is the decoder's: generic (en-us) or domain (the set's questions and the corpus).
	LanguageModel string             `json:"language_model,omitempty"`
	Dev           Summary            `json:"dev"`
	HeldOut       Summary            `json:"heldout"`
	ByVoice       map[string]Summary `json:"by_voice,omitempty"`
	// The figures the goals name, flat: ρ of the held-out and development parts, WER
	// per voice, and the trap checks per language.
	SpearmanHeldOut float64            `json:"spearman_heldout"`
	SpearmanDev     float64            `json:"spearman_dev"`
	WERByVoice      map[string]float64 `json:"wer_by_voice,omitempty"`
	// WERVoiceMean is the mean of the voices' WERs (the goal's measure), and WERVoiceMeanFirst
	// the same before the speaker adaptation.
	WERVoiceMean      float64         `json:"wer_voice_mean,omitempty"`
	WERVoiceMeanFirst float64         `json:"wer_voice_mean_unadapted,omitempty"`
	KeywordTrapOK     map[string]bool `json:"keyword_trap_ok"`
	NumbersTrapOK     map[string]bool `json:"numbers_trap_ok,omitempty"`
	Traps             []Trap          `json:"traps"`
	PerAnswer         []Row           `json:"-"`
}

// Trap is one trap answer checked against the answers of its question labelled 3 or more.
type Trap struct {
	Question string  `json:"question"`
	Answer   int     `json:"answer"` // 1-based, as --per-answer prints it
	Kind     string  `json:"kind"`
	Lang     string  `json:"lang"`
	Split    string  `json:"split"`
	Score    float64 `json:"score"`
	// Lowest is the lowest score among the question's answers labelled 3 or more; OK when the
	// trap scored below it.
	Lowest float64 `json:"lowest_labelled_3_or_more"`
	OK     bool    `json:"ok"`
}

// checkTraps compares each trap answer with the answers of its question labelled 3 or more.
// A kind and language with no trap answers is not reported.
func checkTraps(rows []Row) (traps []Trap, keyword, numbers map[string]bool) {
	keyword, numbers = map[string]bool{}, map[string]bool{}
	for _, t := range rows {
		if t.Trap == "" {
			continue
		}
		lowest, found := math.Inf(1), false
		for _, r := range rows {
			if r.Question == t.Question && r.HasLabel && r.Label >= 3 {
				lowest, found = math.Min(lowest, r.Score), true
			}
		}
		if !found {
			continue
		}
		tr := Trap{Question: t.Question, Answer: t.Index + 1, Kind: t.Trap, Lang: t.Lang, Split: t.Split, Score: t.Score, Lowest: lowest, OK: t.Score < lowest}
		traps = append(traps, tr)
		m := keyword
		if t.Trap == "numbers" {
			m = numbers
		}
		if ok, seen := m[t.Lang]; seen {
			m[t.Lang] = ok && tr.OK
		} else {
			m[t.Lang] = tr.OK
		}
	}
	return traps, keyword, numbers
}

// Row is one answer's outcome.
type Row struct {
	Question string
	Lang     string
	Label    Label
	HasLabel bool
	Labels   map[string]Label
	Score    float64
	Scores   map[string]float64
	WER      float64
	Spoken   bool
	Split    string // dev or heldout
	Voice    string // the voice that spoke it ("" when typed)
	Index    int    // the answer's position in its question
	Trap     string // keyword, numbers or ""
	errWords int
	errFirst int // the first decoding's, before the speaker adaptation
	refWords int
	adapted  bool
}

// LoadSet reads and checks a set: every question needs an id, a language (en or zh), text,
// dimensions and at least two answers with labels.
func LoadSet(file string) (Set, error) {
	raw := setYAML
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return Set{}, err
		}
		raw = b
	}
	var set Set
	if err := yaml.Unmarshal(raw, &set); err != nil {
		return Set{}, fmt.Errorf("eval: the set is not valid YAML: %w", err)
	}
	if len(set.Questions) == 0 {
		return Set{}, fmt.Errorf("eval: the set has no questions")
	}
	for qi, q := range set.Questions {
		where := fmt.Sprintf("eval: questions[%d] (%s)", qi, q.ID)
		switch {
		case q.ID == "" || strings.TrimSpace(q.Text) == "":
			return Set{}, fmt.Errorf("%s: id and text are required", where)
		case q.Lang != "en" && q.Lang != "zh":
			return Set{}, fmt.Errorf("%s: lang must be en or zh", where)
		case len(q.Dimensions) == 0:
			return Set{}, fmt.Errorf("%s: dimensions are required", where)
		case len(q.Answers) < 2:
			return Set{}, fmt.Errorf("%s: at least two graded answers are needed", where)
		case q.Split != "" && q.Split != "dev" && q.Split != "heldout":
			return Set{}, fmt.Errorf("%s: split must be dev or heldout", where)
		}
		if q.Split == "" {
			set.Questions[qi].Split = "dev"
		}
		for ai := range q.Answers {
			a := &set.Questions[qi].Answers[ai]
			if a.Script == "" {
				a.Script = a.Text
			}
			if strings.TrimSpace(a.Script) == "" || (a.Label == nil && len(a.Labels) == 0) {
				return Set{}, fmt.Errorf("%s answers[%d]: a script and a label are required", where, ai)
			}
			if a.Trap != "" && a.Trap != "keyword" && a.Trap != "numbers" {
				return Set{}, fmt.Errorf("%s answers[%d]: trap is keyword or numbers", where, ai)
			}
			if a.Trap != "" && (a.Label == nil || *a.Label >= 3) {
				return Set{}, fmt.Errorf("%s answers[%d]: a trap is a weak answer (label below 3)", where, ai)
			}
			if a.Voice != "" && !slices.Contains(Voices, a.Voice) {
				return Set{}, fmt.Errorf("%s answers[%d]: voice is one of %v", where, ai, Voices)
			}
		}
	}
	return set, nil
}

// Run scores every answer of the set: English ones spoken and transcribed (as many at once as
// there are cores), Chinese ones typed.
func Run(ctx context.Context, opt Options, progress func(string)) (Result, error) {
	set, err := LoadSet(opt.SetFile)
	if err != nil {
		return Result{}, err
	}
	voice := opt.Voice
	if voice == "" {
		voice = "rms"
	}
	tools := speech.DefaultTools()
	if !opt.Typed {
		if err := tools.Check(); err != nil {
			return Result{}, err
		}
		if _, err := exec.LookPath("flite"); err != nil {
			return Result{}, fmt.Errorf("eval: flite is not installed (apt-get install flite), or use --typed")
		}
	}
	dir, err := os.MkdirTemp("", "hireflow-eval-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	if opt.DomainLM && !opt.Typed {
		var bank []string
		for _, q := range set.Questions {
			if q.Lang == "en" {
				bank = append(bank, q.Text)
				bank = append(bank, q.Points...)
			}
		}
		b := lm.NewBuilder(tools.ModelDir)
		b.Full, b.Lambda = !opt.LMUnigrams, cmp.Or(opt.LMLambda, lm.DefaultLambda)
		if opt.LMUnigrams && opt.LMLambda == 0 {
			b.Lambda = 0.5
		}
		if tools.LM, err = b.For(ctx, bank); err != nil {
			return Result{}, err
		}
	}

	type job struct {
		q   Question
		i   int
		row *Row
	}
	var jobs []job
	var res Result
	tools.Decoder = append(tools.Decoder, opt.Decoder...)
	tools.Adapt = tools.Adapt && !opt.NoAdapt
	for _, q := range set.Questions {
		if opt.Part != "" && q.Split != opt.Part {
			continue
		}
		for i, a := range q.Answers {
			if opt.Limit > 0 && i >= opt.Limit {
				break
			}
			row := &Row{Question: q.ID, Lang: q.Lang, Labels: a.Labels, Spoken: q.Lang == "en" && !a.Typed && !opt.Typed, Split: q.Split,
				Index: i, Trap: a.Trap}
			if a.Label != nil {
				row.Label, row.HasLabel = *a.Label, true
			}
			if row.Spoken {
				row.Voice = voice
				if opt.AllVoices {
					// By the answer itself, so adding questions never moves another answer's voice.
					h := fnv.New32a()
					fmt.Fprintf(h, "%s/%d", q.ID, i)
					row.Voice = cmp.Or(a.Voice, Voices[h.Sum32()%uint32(len(Voices))])
				}
			}
			jobs = append(jobs, job{q, i, row})
		}
	}
	var (
		oneBrowser sync.Mutex // recordings play in real time: one Chromium at a time
	)
	capture := func(ctx context.Context, wav, webm string) error {
		if opt.Browser {
			oneBrowser.Lock()
			defer oneBrowser.Unlock()
			return recordInBrowser(ctx, wav, webm)
		}
		if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-c:a", "libopus", webm).CombinedOutput(); err != nil {
			return fmt.Errorf("eval: ffmpeg: %v %s", err, out)
		}
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, runtime.NumCPU()))
	for n, j := range jobs {
		g.Go(func() error {
			a := j.q.Answers[j.i]
			text := a.Script
			if j.row.Spoken {
				hyp, first, adapted, err := speak(gctx, tools, j.row.Voice, a.Script, filepath.Join(dir, fmt.Sprint(n)), capture)
				if err != nil {
					return err
				}
				ref := normalise(a.Script)
				e := editDistance(ref, hyp)
				j.row.errWords, j.row.refWords, j.row.errFirst = e, len(ref), editDistance(ref, first)
				j.row.adapted = adapted
				j.row.WER = float64(e) / float64(max(1, len(ref)))
				text = strings.Join(hyp, " ")
			}
			r := scoring.Score(scoring.Answer{Text: text, Question: j.q.Text, Points: j.q.Points, Lang: j.q.Lang, Dims: j.q.Dimensions})
			j.row.Score, j.row.Scores = r.Overall, r.Scores
			progress(fmt.Sprintf("%s #%d label %g → %.1f", j.q.ID, j.i+1, j.row.Label, r.Overall))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	for _, j := range jobs {
		res.PerAnswer = append(res.PerAnswer, *j.row)
	}
	if opt.AllVoices {
		voice = "all"
	}
	res.Summary = summarise(res.PerAnswer, func(Row) bool { return true })
	if res.Spoken > 0 {
		res.Voice, res.Capture = voice, "ffmpeg"
		if opt.Browser {
			res.Capture = "browser"
		}
	}
	res.Dev = summarise(res.PerAnswer, func(r Row) bool { return r.Split == "dev" })
	res.HeldOut = summarise(res.PerAnswer, func(r Row) bool { return r.Split == "heldout" })
	if opt.AllVoices {
		res.ByVoice, res.WERByVoice = map[string]Summary{}, map[string]float64{}
		for _, v := range Voices {
			if s := summarise(res.PerAnswer, func(r Row) bool { return r.Voice == v }); s.Answers > 0 {
				res.ByVoice[v], res.WERByVoice[v] = s, s.WER
				res.WERVoiceMean += s.WER / float64(len(Voices))
				res.WERVoiceMeanFirst += cmp.Or(s.WERFirst, s.WER) / float64(len(Voices))
			}
		}
		res.WERVoiceMean = math.Round(res.WERVoiceMean*1000) / 1000
		res.WERVoiceMeanFirst = math.Round(res.WERVoiceMeanFirst*1000) / 1000
	}
	res.SpearmanHeldOut, res.SpearmanDev = res.HeldOut.Spearman, res.Dev.Spearman
	if res.Spoken > 0 {
		res.LanguageModel = "generic"
		if opt.DomainLM {
			res.LanguageModel = "domain"
		}
	}
	res.Traps, res.KeywordTrapOK, res.NumbersTrapOK = checkTraps(res.PerAnswer)
	return res, nil
}

// summarise is the figures of the rows keep selects: Spearman ρ overall, per language and per
// labelled dimension, and the word error rate of the spoken ones.
func summarise(all []Row, keep func(Row) bool) Summary {
	var rows []Row
	questions := map[string]bool{}
	errWords, errFirst, refWords, adapted := 0, 0, 0, 0
	for _, r := range all {
		if keep(r) {
			rows = append(rows, r)
			questions[r.Question] = true
			errWords += r.errWords
			errFirst += r.errFirst
			refWords += r.refWords
			if r.adapted {
				adapted++
			}
		}
	}
	s := Summary{Questions: len(questions), Answers: len(rows), ByLanguage: map[string]float64{}}
	for _, r := range rows {
		if r.Spoken {
			s.Spoken++
		}
	}
	s.Spearman = correlate(rows, func(r Row) (float64, float64, bool) { return float64(r.Label), r.Score, r.HasLabel })
	for _, l := range []string{"en", "zh"} {
		if v, ok := correlateOK(rows, func(r Row) (float64, float64, bool) { return float64(r.Label), r.Score, r.HasLabel && r.Lang == l }); ok {
			s.ByLanguage[l] = v
		}
	}
	dims := map[string]bool{}
	for _, r := range rows {
		for d := range r.Labels {
			dims[d] = true
		}
	}
	for d := range dims {
		if v, ok := correlateOK(rows, func(r Row) (float64, float64, bool) {
			l, ok := r.Labels[d]
			sc, ok2 := r.Scores[d]
			return float64(l), sc, ok && ok2
		}); ok {
			if s.ByDimension == nil {
				s.ByDimension = map[string]float64{}
			}
			s.ByDimension[d] = v
		}
	}
	if refWords > 0 {
		s.WER = math.Round(float64(errWords)/float64(refWords)*1000) / 1000
		if adapted > 0 {
			s.WERFirst, s.Adapted = math.Round(float64(errFirst)/float64(refWords)*1000)/1000, adapted
		}
	}
	return s
}

// speak turns a script into speech with flite, captures it as WebM/Opus (encoded by ffmpeg, or
// recorded by Chromium), and transcribes it with the scoring worker's pipeline.
// It returns the words of the transcript, and those of the first decoding before the speaker
// adaptation (the same when there was none).
func speak(ctx context.Context, tools speech.Tools, voice, script, base string, capture func(context.Context, string, string) error) (hyp, first []string, adapted bool, err error) {
	if err := os.MkdirAll(base, 0o700); err != nil {
		return nil, nil, false, err
	}
	wav, webm := filepath.Join(base, "tts.wav"), filepath.Join(base, "answer.webm")
	if out, err := exec.CommandContext(ctx, "flite", "-voice", voice, "-t", script, "-o", wav).CombinedOutput(); err != nil {
		return nil, nil, false, fmt.Errorf("eval: flite: %v %s", err, out)
	}
	if err := capture(ctx, wav, webm); err != nil {
		return nil, nil, false, err
	}
	audio, err := tools.Extract(ctx, webm, base)
	if err != nil {
		return nil, nil, false, err
	}
	tr, err := tools.TranscribeDetail(ctx, audio)
	if err != nil {
		return nil, nil, false, err
	}
	return strings.Fields(speech.Transcript(tr.Words)), strings.Fields(speech.Transcript(tr.First)), tr.Adapted, nil
}

func correlate(rows []Row, pick func(Row) (float64, float64, bool)) float64 {
	v, _ := correlateOK(rows, pick)
	return v
}

// correlateOK is Spearman's ρ over the rows pick keeps, rounded to 3 places; false when fewer
// than three rows are kept.
func correlateOK(rows []Row, pick func(Row) (float64, float64, bool)) (float64, bool) {
	var x, y []float64
	for _, r := range rows {
		if a, b, ok := pick(r); ok {
			x, y = append(x, a), append(y, b)
		}
	}
	if len(x) < 3 {
		return 0, false
	}
	return math.Round(spearman(x, y)*1000) / 1000, true
}

func normalise(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
}

// editDistance counts word substitutions, insertions and deletions.
func editDistance(ref, hyp []string) int {
	prev := make([]int, len(hyp)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ref); i++ {
		cur := make([]int, len(hyp)+1)
		cur[0] = i
		for j := 1; j <= len(hyp); j++ {
			cost := 1
			if ref[i-1] == hyp[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(hyp)]
}

// spearman is the rank correlation with average ranks for ties (the one rules calibrates with).
var spearman = rules.Spearman
