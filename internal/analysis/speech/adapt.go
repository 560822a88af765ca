package speech

// Speaker adaptation: the en-us acoustic model was trained on other voices than the
// candidate's, so a first decoding is used to fit a transform of the model's means to this
// speaker (MLLR, unsupervised: the first decoding's own words are the transcript), and the
// audio is decoded again with it. sphinxtrain's bw collects the statistics and mllr_solve fits
// the transform; pocketsphinx decodes with it (-mllr). Debian's en-us model ships its mixture
// weights only in pocketsphinx's compressed form (sendump), which bw cannot read: they are
// expanded once into a model directory of our own (AdaptModel).

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Adaptation needs this much of the speaker: fewer words fit a transform to noise.
const (
	MinAdaptWords   = 20
	MinAdaptSeconds = 8.0
)

// adaptable says whether words are enough to fit a speaker transform from.
func adaptable(words []Word) bool {
	if len(words) < MinAdaptWords {
		return false
	}
	speech := 0.0
	for _, w := range words {
		speech += w.End - w.Start
	}
	return speech >= MinAdaptSeconds
}

var modelOnce sync.Map // model dir → *onceModel

type onceModel struct {
	once sync.Once
	dir  string
	err  error
}

// AdaptModel is the directory bw reads the acoustic model from: the model's own files, its
// definition as text and its mixture weights expanded from sendump. It is made once per cache
// directory (atomically, so processes may race) and reused.
func (t Tools) AdaptModel() (string, error) {
	cache := t.AdaptCache
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "hireflow-speaker-model")
	}
	v, _ := modelOnce.LoadOrStore(cache+"\x00"+t.ModelDir, &onceModel{})
	m := v.(*onceModel)
	m.once.Do(func() { m.dir, m.err = t.makeAdaptModel(cache) })
	return m.dir, m.err
}

func (t Tools) makeAdaptModel(cache string) (string, error) {
	src := filepath.Join(t.ModelDir, "en-us")
	dir := filepath.Join(cache, "en-us")
	if _, err := os.Stat(filepath.Join(dir, "mixture_weights")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(cache, "making-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	for _, f := range []string{"feat.params", "mdef", "means", "variances", "transition_matrices", "noisedict"} {
		if err := os.Symlink(filepath.Join(src, f), filepath.Join(tmp, f)); err != nil {
			return "", err
		}
	}
	if out, err := exec.Command(t.MdefConvert, "-text", filepath.Join(src, "mdef"), filepath.Join(tmp, "mdef.txt")).CombinedOutput(); err != nil {
		return "", fmt.Errorf("speech: %s: %v %s", t.MdefConvert, err, lastLine(out))
	}
	sd, err := os.ReadFile(filepath.Join(src, "sendump"))
	if err != nil {
		return "", err
	}
	mw, err := MixtureWeights(sd)
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, "mixture_weights"), mw, 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, "mixture_weights")); serr == nil {
			return dir, nil // another process made it first
		}
		return "", err
	}
	return dir, nil
}

// MixtureWeights expands pocketsphinx's sendump (mixture weights of a tied-mixture model as
// 8-bit negative logarithms, base 1.0001 shifted by 10 bits, stored feature × codeword ×
// senone) into sphinxtrain's mixture_weights file (float32 senone × feature × codeword, each
// senone's weights of a feature summing to one).
func MixtureWeights(sendump []byte) ([]byte, error) {
	r := bytes.NewReader(sendump)
	var n int32
	features := 0
	for {
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, fmt.Errorf("speech: sendump: %w", err)
		}
		if n == 0 {
			break
		}
		if n < 0 || n > 1<<16 {
			return nil, errors.New("speech: sendump: not a little-endian sendump")
		}
		s := make([]byte, n)
		if _, err := io.ReadFull(r, s); err != nil {
			return nil, fmt.Errorf("speech: sendump: %w", err)
		}
		if v, ok := strings.CutPrefix(strings.TrimRight(string(s), "\x00"), "feature_count "); ok {
			features, _ = strconv.Atoi(v)
		}
	}
	var dims [2]int32
	if err := binary.Read(r, binary.LittleEndian, &dims); err != nil {
		return nil, fmt.Errorf("speech: sendump: %w", err)
	}
	codewords, senones := int(dims[0]), int(dims[1])
	if features <= 0 || codewords <= 0 || senones <= 0 || r.Len() != features*codewords*senones {
		return nil, fmt.Errorf("speech: sendump: %d features × %d codewords × %d senones do not match its %d bytes", features, codewords, senones, r.Len())
	}
	data := sendump[len(sendump)-r.Len():]
	var weight [256]float64
	for v := range weight {
		weight[v] = math.Exp(-float64(v<<10) * math.Log(1.0001))
	}
	w := make([]float32, features*codewords*senones)
	for f := 0; f < features; f++ {
		for c := 0; c < codewords; c++ {
			row := data[(f*codewords+c)*senones:][:senones]
			for s, v := range row {
				w[(s*features+f)*codewords+c] = float32(weight[v])
			}
		}
	}
	for i := 0; i < len(w); i += codewords {
		sum := float32(0)
		for _, x := range w[i : i+codewords] {
			sum += x
		}
		for k := range w[i : i+codewords] {
			w[i+k] /= sum
		}
	}
	var out bytes.Buffer
	// sphinxtrain's header: text lines up to "endhdr", padded so the data is 4-byte aligned,
	// then the byte-order mark, the dimensions, the count and the values.
	head := "s3\nversion 1.0\n"
	out.WriteString(head + strings.Repeat(" ", (4-(len(head)+len("endhdr\n"))%4)%4) + "endhdr\n")
	for _, v := range []uint32{0x11223344, uint32(senones), uint32(features), uint32(codewords), uint32(len(w))} {
		_ = binary.Write(&out, binary.LittleEndian, v)
	}
	_ = binary.Write(&out, binary.LittleEndian, w)
	return out.Bytes(), nil
}

// featParams reads the model's feat.params ("-name value" lines).
func featParams(model string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(model, "feat.params"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			p[k] = strings.TrimSpace(v)
		}
	}
	return p, sc.Err()
}

// SpeakerTransform fits an MLLR transform of the acoustic model to the speaker of the 16 kHz
// mono WAV at wav from words already recognised in it (a first decoding): the words are cut
// into utterances at their pauses, bw aligns each with its words, and mllr_solve fits the
// transform. It returns the transform's path in dir, or "" when the words are too few.
func (t Tools) SpeakerTransform(ctx context.Context, wav string, words []Word, dir string) (_ string, err error) {
	if !adaptable(words) {
		return "", nil
	}
	model, err := t.AdaptModel()
	if err != nil {
		return "", err
	}
	params, err := featParams(model)
	if err != nil {
		return "", err
	}
	pcm, err := os.ReadFile(wav)
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(dir, "adapt-")
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(work)
		}
	}()
	var ids, trn strings.Builder
	for k, u := range utterances(words) {
		id := fmt.Sprintf("u%03d", k)
		from, to := max(0, u[0].Start-0.15), u[len(u)-1].End+0.15
		a, b := min(wavOffset(from), int64(len(pcm))), min(wavOffset(to), int64(len(pcm)))
		if b-a < 3200 { // under 0.1 s
			continue
		}
		if err := writeWAV(filepath.Join(work, id+".wav"), pcm[a&^1:b&^1]); err != nil {
			return "", err
		}
		fmt.Fprintln(&ids, id)
		fmt.Fprintf(&trn, "<s> %s </s> (%s)\n", Transcript(u), id)
	}
	if ids.Len() == 0 {
		os.RemoveAll(work)
		return "", nil
	}
	if err := os.WriteFile(filepath.Join(work, "ids"), []byte(ids.String()), 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(work, "trn"), []byte(trn.String()), 0o600); err != nil {
		return "", err
	}
	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = work
		if out, err := cmd.CombinedOutput(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("speech: %s: %v %s", filepath.Base(name), err, lastLine(out))
		}
		return nil
	}
	if err := run(t.SphinxFE, "-argfile", filepath.Join(model, "feat.params"), "-samprate", "16000", "-c", "ids",
		"-di", ".", "-do", ".", "-ei", "wav", "-eo", "mfc", "-mswav", "yes"); err != nil {
		return "", err
	}
	ts2cb := "." + cmp.Or(params["-model"], "cont") + "."
	bw := []string{"-hmmdir", model, "-moddeffn", filepath.Join(model, "mdef.txt"), "-ts2cbfn", ts2cb,
		"-feat", cmp.Or(params["-feat"], "1s_c_d_dd"), "-cmn", cmp.Or(params["-cmn"], "current"), "-agc", cmp.Or(params["-agc"], "none"),
		"-dictfn", filepath.Join(t.ModelDir, "cmudict-en-us.dict"), "-fdictfn", filepath.Join(model, "noisedict"),
		"-ctlfn", "ids", "-lsnfn", "trn", "-accumdir", "."}
	if sv := params["-svspec"]; sv != "" {
		bw = append(bw, "-svspec", sv)
	}
	if err := run(filepath.Join(t.SphinxTrain, "bw"), bw...); err != nil {
		return "", err
	}
	out := filepath.Join(work, "mllr")
	if err := run(filepath.Join(t.SphinxTrain, "mllr_solve"), "-meanfn", filepath.Join(model, "means"),
		"-varfn", filepath.Join(model, "variances"), "-outmllrfn", out, "-accumdir", "."); err != nil {
		return "", err
	}
	return out, nil
}

// utterances groups words into stretches for alignment: a new one after a gap of 0.3 s or
// once a stretch holds 20 s.
func utterances(words []Word) [][]Word {
	var out [][]Word
	var cur []Word
	for _, w := range words {
		if len(cur) > 0 && (w.Start-cur[len(cur)-1].End >= 0.3 || w.End-cur[0].Start > 20) {
			out, cur = append(out, cur), nil
		}
		cur = append(cur, w)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
