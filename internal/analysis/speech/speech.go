// Package speech turns a recorded answer into words with times and speech features, with the
// Debian tools: ffmpeg extracts 16 kHz mono audio and measures loudness and silences,
// pocketsphinx gives words with start/end times and confidences (English).
package speech

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// ErrCorrupt means the media could not be decoded: retrying will not help.
var ErrCorrupt = errors.New("speech: the recording could not be decoded")

// Tools locates the programs and the acoustic model.
type Tools struct {
	FFmpeg       string
	Pocketsphinx string
	ModelDir     string // …/pocketsphinx/model/en-us
	// LM is the language model the decoder uses: "" is the generic en-us.lm.bin, else the path
	// of an ARPA or binary model (a job's domain model, package lm).
	LM string
	// Decoder are further pocketsphinx settings ("-lw", "7" …): data, measured per voice by
	// `hireflow eval scoring --all-voices` (see DecoderSettings).
	Decoder     []string
	MaxDuration time.Duration // longer recordings are cut
	// Parallel is how many pocketsphinx processes decode one recording at once: a recording
	// longer than 2 × MinPiece is cut at pauses into that many pieces. 0 or 1 decodes it whole.
	Parallel int
	MinPiece time.Duration
	// Adapt decodes a second time with the acoustic model adapted to the speaker (adapt.go),
	// with sphinxtrain's programs (SphinxTrain is their directory), sphinx_fe and
	// pocketsphinx_mdef_convert; AdaptCache keeps the expanded model ("" is the temp dir).
	Adapt       bool
	SphinxTrain string
	SphinxFE    string
	MdefConvert string
	AdaptCache  string
}

// DefaultTools uses the Debian packages' paths and the decoder settings kept in decoder.json.
func DefaultTools() Tools {
	return Tools{FFmpeg: "ffmpeg", Pocketsphinx: "pocketsphinx_continuous", ModelDir: "/usr/share/pocketsphinx/model/en-us",
		MaxDuration: 15 * time.Minute, Parallel: runtime.NumCPU(), MinPiece: 15 * time.Second, Decoder: DecoderSettings(),
		Adapt: decoderFile().Adapt, SphinxTrain: "/usr/lib/sphinxtrain", SphinxFE: "sphinx_fe", MdefConvert: "pocketsphinx_mdef_convert"}
}

//go:embed decoder.json
var decoderJSON []byte

// DecoderSettings are the pocketsphinx settings kept in decoder.json (data, chosen by measuring
// each candidate per voice with the command the file names).
func DecoderSettings() []string { return decoderFile().Settings }

func decoderFile() (d struct {
	Settings []string `json:"settings"`
	Adapt    bool     `json:"adapt"`
}) {
	if err := json.Unmarshal(decoderJSON, &d); err != nil {
		panic("speech: decoder.json: " + err.Error())
	}
	return d
}

// Check reports a missing tool or model clearly.
func (t Tools) Check() error {
	for _, p := range []string{t.FFmpeg, t.Pocketsphinx} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("speech: %s is not installed (apt-get install ffmpeg pocketsphinx pocketsphinx-en-us)", p)
		}
	}
	if _, err := os.Stat(filepath.Join(t.ModelDir, "en-us.lm.bin")); err != nil {
		return fmt.Errorf("speech: the en-us model is missing in %s (apt-get install pocketsphinx-en-us)", t.ModelDir)
	}
	if t.Adapt {
		return t.CheckAdapt()
	}
	return nil
}

// CheckAdapt reports a missing program of the speaker adaptation clearly.
func (t Tools) CheckAdapt() error {
	for _, p := range []string{t.SphinxFE, t.MdefConvert, filepath.Join(t.SphinxTrain, "bw"), filepath.Join(t.SphinxTrain, "mllr_solve")} {
		if _, err := exec.LookPath(p); err != nil {
			return fmt.Errorf("speech: %s is not installed, needed to adapt to the speaker (apt-get install sphinxtrain sphinxbase-utils pocketsphinx, or HIREFLOW_SPEAKER_ADAPT=off)", p)
		}
	}
	return nil
}

// Word is one recognised word.
type Word struct {
	Text  string  `json:"w"`
	Start float64 `json:"s"`
	End   float64 `json:"e"`
	Conf  float64 `json:"c"`
}

// Audio is the extracted 16 kHz mono PCM and what ffmpeg measured of it.
type Audio struct {
	Path     string
	Duration float64      // seconds
	Silence  float64      // seconds of silence (below -35 dB for 0.3 s or more)
	Pauses   [][2]float64 // the silences' start and end, in seconds
	LUFS     float64      // integrated loudness
}

// Extract writes the recording's audio as 16 kHz mono WAV into dir and measures its loudness
// and silences, in one decoding pass.
func (t Tools) Extract(ctx context.Context, recording, dir string) (Audio, error) {
	out := filepath.Join(dir, "audio.wav")
	limit := strconv.Itoa(int(t.MaxDuration.Seconds()))
	cmd := exec.CommandContext(ctx, t.FFmpeg, "-nostdin", "-hide_banner", "-nostats", "-y", "-i", recording,
		// A bare 44-byte WAV header (no metadata chunk): pieces are cut at byte offsets from it.
		"-map", "0:a:0", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", "-t", limit, "-map_metadata", "-1", "-fflags", "+bitexact", out,
		"-map", "0:a:0", "-af", "silencedetect=noise=-35dB:d=0.3,ebur128", "-t", limit, "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Audio{}, ctx.Err()
		}
		return Audio{}, fmt.Errorf("%w: %s", ErrCorrupt, lastLine(stderr.Bytes()))
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() <= 44 {
		return Audio{}, fmt.Errorf("%w: no audio track", ErrCorrupt)
	}
	a := Audio{Path: out, Duration: float64(st.Size()-44) / 32000}
	a.Silence, a.LUFS, a.Pauses = parseLevels(stderr.String())
	return a, nil
}

var (
	silenceRe = regexp.MustCompile(`silence_end: (-?[0-9.]+) \| silence_duration: ([0-9.]+)`)
	lufsRe    = regexp.MustCompile(`I:\s+(-?[0-9.]+|-inf) LUFS`)
)

func parseLevels(s string) (silence, lufs float64, pauses [][2]float64) {
	for _, m := range silenceRe.FindAllStringSubmatch(s, -1) {
		end, _ := strconv.ParseFloat(m[1], 64)
		v, _ := strconv.ParseFloat(m[2], 64)
		silence += v
		pauses = append(pauses, [2]float64{end - v, end})
	}
	lufs = math.Inf(-1)
	if ms := lufsRe.FindAllStringSubmatch(s, -1); len(ms) > 0 {
		if v, err := strconv.ParseFloat(ms[len(ms)-1][1], 64); err == nil {
			lufs = v
		}
	}
	return silence, lufs, pauses
}

// Transcribe runs pocketsphinx over the extracted audio and returns the words with times. A
// long recording is cut in the middle of the pauses nearest to equal shares and its pieces are
// decoded at once (pocketsphinx uses one core); the words keep their times in the whole
// recording. With Adapt, the words are decoded a second time with the model adapted to the
// speaker by the first decoding (SpeakerTransform).
func (t Tools) Transcribe(ctx context.Context, a Audio) ([]Word, error) {
	tr, err := t.TranscribeDetail(ctx, a)
	return tr.Words, err
}

// Transcription is a transcript and how it was made.
type Transcription struct {
	Words []Word
	// Adapted says the words come from a decoding adapted to the speaker; First are then the
	// first decoding's words (the same as Words otherwise).
	Adapted bool
	First   []Word
}

// TranscribeDetail is Transcribe, saying whether the speaker adaptation was used and what the
// first decoding gave. Adaptation that fails leaves the first decoding's words.
func (t Tools) TranscribeDetail(ctx context.Context, a Audio) (Transcription, error) {
	first, err := t.decodeSplit(ctx, a, "")
	if err != nil || !t.Adapt || !adaptable(first) {
		return Transcription{Words: first, First: first}, err
	}
	tr := Transcription{Words: first, First: first}
	mllr, err := t.SpeakerTransform(ctx, a.Path, first, filepath.Dir(a.Path))
	if ctx.Err() != nil {
		return tr, ctx.Err()
	}
	if err != nil || mllr == "" {
		return tr, nil
	}
	defer os.RemoveAll(filepath.Dir(mllr))
	second, err := t.decodeSplit(ctx, a, mllr)
	if ctx.Err() != nil {
		return tr, ctx.Err()
	}
	if err == nil {
		tr.Words, tr.Adapted = second, true
	}
	return tr, nil
}

// decodeSplit decodes the audio, in pieces cut at pauses when it is long, with the speaker
// transform mllr ("" for none).
func (t Tools) decodeSplit(ctx context.Context, a Audio, mllr string) ([]Word, error) {
	cuts := t.Cuts(a)
	if len(cuts) == 0 {
		return t.decode(ctx, a.Path, 0, mllr)
	}
	pcm, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, err
	}
	bounds := append(append([]float64{0}, cuts...), a.Duration)
	pieces := make([][]Word, len(bounds)-1)
	g, gctx := errgroup.WithContext(ctx)
	for i := range pieces {
		g.Go(func() error {
			from, to := wavOffset(bounds[i]), wavOffset(bounds[i+1])
			if i == len(pieces)-1 {
				to = int64(len(pcm))
			}
			path := fmt.Sprintf("%s.%d.wav", strings.TrimSuffix(a.Path, ".wav"), i)
			if err := writeWAV(path, pcm[min(from, int64(len(pcm))):min(to, int64(len(pcm)))]); err != nil {
				return err
			}
			defer os.Remove(path)
			w, err := t.decode(gctx, path, bounds[i], mllr)
			pieces[i] = w
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var words []Word
	for _, p := range pieces {
		words = append(words, p...)
	}
	return words, nil
}

// Prior is what was transcribed of a recording while it was being recorded: its words up to
// Until seconds, decoded from pieces uploaded as the candidate spoke (LiveStretch).
type Prior struct {
	Until float64 `json:"until"`
	Words []Word  `json:"words"`
	// Speaker is the speaker transform fitted from the words up to SpeakerUntil while they
	// were transcribed (adapt.go; nil: none yet): what remains is decoded adapted with it.
	Speaker      []byte  `json:"-"`
	SpeakerUntil float64 `json:"-"`
}

// TranscribeAfter transcribes the audio from the prior's end: the prior's words, then the rest
// decoded as Transcribe does (in parallel pieces when it is long). With Adapt and a speaker
// transform fitted while the prior was transcribed, the rest is decoded once with it; nothing is
// fitted here, so the report stays seconds from the upload.
func (t Tools) TranscribeAfter(ctx context.Context, a Audio, prior Prior) (Transcription, error) {
	if prior.Until <= 0 || prior.Until >= a.Duration {
		return t.TranscribeDetail(ctx, a)
	}
	pcm, err := os.ReadFile(a.Path)
	if err != nil {
		return Transcription{}, err
	}
	from := min(wavOffset(prior.Until), int64(len(pcm)))
	rest := Audio{Path: strings.TrimSuffix(a.Path, ".wav") + ".rest.wav", Duration: a.Duration - prior.Until}
	for _, p := range a.Pauses {
		if p[0] >= prior.Until {
			rest.Pauses = append(rest.Pauses, [2]float64{p[0] - prior.Until, p[1] - prior.Until})
		}
	}
	if err := writeWAV(rest.Path, pcm[from:]); err != nil {
		return Transcription{}, err
	}
	defer os.Remove(rest.Path)
	var tr Transcription
	mllr, err := t.speakerFile(filepath.Dir(a.Path), prior.Speaker)
	if err != nil {
		return Transcription{}, err
	}
	tr.Words, err = t.decodeSplit(ctx, rest, mllr)
	if err != nil && mllr != "" && ctx.Err() == nil {
		mllr = "" // a transform pocketsphinx refuses: decode unadapted
		tr.Words, err = t.decodeSplit(ctx, rest, "")
	}
	if err != nil {
		return Transcription{}, err
	}
	tr.Adapted = mllr != ""
	shift := func(words []Word) []Word {
		out := append([]Word{}, prior.Words...)
		for _, w := range words {
			w.Start, w.End = round(w.Start+prior.Until, 2), round(w.End+prior.Until, 2)
			out = append(out, w)
		}
		return out
	}
	tr.Words = shift(tr.Words)
	tr.First = tr.Words
	return tr, nil
}

// speakerFile writes a kept speaker transform into dir for pocketsphinx ("" when there is none
// or adaptation is off).
func (t Tools) speakerFile(dir string, transform []byte) (string, error) {
	if !t.Adapt || len(transform) == 0 {
		return "", nil
	}
	path := filepath.Join(dir, "speaker.mllr")
	return path, os.WriteFile(path, transform, 0o600)
}

// RefitSeconds is how much more of a recording being transcribed must be covered before the
// speaker transform is fitted again.
const RefitSeconds = 20.0

// LiveStretch decodes the next finished stretch of a recording that is still being recorded:
// recording is what has arrived so far (the first pieces, joined), prior what was transcribed
// of it before (the stretch starts at prior.Until). A stretch ends in the middle of the last
// pause that starts at least MinStretch after it begins and ends a second before what has
// arrived (a word may still be running into the next piece); with no such pause nothing is
// decoded and prior is returned as it was. With Adapt, the stretch is decoded with the prior's
// speaker transform, and the transform is fitted again from all the words once they are enough
// and RefitSeconds more have been transcribed since it was.
func (t Tools) LiveStretch(ctx context.Context, recording, dir string, prior Prior) (Prior, error) {
	from := prior.Until
	a, err := t.Extract(ctx, recording, dir)
	if err != nil {
		return prior, err
	}
	pcm, err := os.ReadFile(a.Path)
	if err != nil {
		return prior, err
	}
	cut := -1.0
	for _, p := range a.Pauses {
		mid := (p[0] + p[1]) / 2
		if p[0] >= from+MinStretch && p[1] <= a.Duration-1 {
			cut = mid
		}
	}
	if end := a.Duration - 1; cut < 0 && end-from >= MinStretch {
		// No pause of 0.3 s: the quietest moment of the last three seconds, between words.
		cut = quietest(pcm, max(from+MinStretch, end-3), end)
	}
	if cut < 0 {
		return prior, nil
	}
	path := strings.TrimSuffix(a.Path, ".wav") + ".stretch.wav"
	if err := writeWAV(path, pcm[min(wavOffset(from), int64(len(pcm))):min(wavOffset(cut), int64(len(pcm)))]); err != nil {
		return prior, err
	}
	defer os.Remove(path)
	mllr, err := t.speakerFile(dir, prior.Speaker)
	if err != nil {
		return prior, err
	}
	words, err := t.decode(ctx, path, from, mllr)
	if err != nil && mllr != "" && ctx.Err() == nil {
		words, err = t.decode(ctx, path, from, "")
	}
	if err != nil {
		return prior, err
	}
	next := prior
	next.Words, next.Until = append(append([]Word{}, prior.Words...), words...), round(cut, 2)
	if t.Adapt && adaptable(next.Words) && (len(prior.Speaker) == 0 || next.Until-prior.SpeakerUntil >= RefitSeconds) {
		// A fit that fails keeps the transform there was: the words are what matters.
		if f, err := t.SpeakerTransform(ctx, a.Path, next.Words, dir); err == nil && f != "" {
			if b, err := os.ReadFile(f); err == nil {
				next.Speaker, next.SpeakerUntil = b, next.Until
			}
			os.RemoveAll(filepath.Dir(f))
		}
	}
	return next, nil
}

// quietest is the middle of the 30 ms window of least energy between two times of 16 kHz
// 16-bit mono WAV (with its 44-byte header).
func quietest(pcm []byte, from, to float64) float64 {
	const win = 480 // samples: 30 ms
	best, bestAt := math.Inf(1), (from+to)/2
	for at := wavOffset(from); at+2*win <= min(wavOffset(to), int64(len(pcm))); at += win {
		e := 0.0
		for i := at; i < at+2*win; i += 2 {
			v := float64(int16(binary.LittleEndian.Uint16(pcm[i:])))
			e += v * v
		}
		if e < best {
			best, bestAt = e, float64(at-44)/32000+0.015
		}
	}
	return bestAt
}

// MinStretch is the shortest stretch LiveStretch decodes.
const MinStretch = 4.0

// Cuts are the times to cut a recording at: the middle of the pause nearest to each equal share,
// or the share itself when no pause lies within a quarter share of it.
func (t Tools) Cuts(a Audio) []float64 {
	n := t.Parallel
	if n > 1 && t.MinPiece > 0 {
		n = min(n, int(a.Duration/t.MinPiece.Seconds()))
	}
	if n <= 1 {
		return nil
	}
	var cuts []float64
	share := a.Duration / float64(n)
	for k := 1; k < n; k++ {
		want, best, bestDist := share*float64(k), share*float64(k), share/4
		for _, p := range a.Pauses {
			mid := (p[0] + p[1]) / 2
			if d := math.Abs(mid - want); d < bestDist {
				best, bestDist = mid, d
			}
		}
		if len(cuts) == 0 || best > cuts[len(cuts)-1]+1 {
			cuts = append(cuts, best)
		}
	}
	return cuts
}

// wavOffset is the byte offset of a time in 16 kHz 16-bit mono WAV with a 44-byte header.
func wavOffset(sec float64) int64 { return 44 + 2*int64(sec*16000) }

// writeWAV writes 16 kHz 16-bit mono PCM samples with a canonical WAV header.
func writeWAV(path string, samples []byte) error {
	h := make([]byte, 44)
	copy(h, "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+len(samples)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], 1)
	binary.LittleEndian.PutUint32(h[24:], 16000)
	binary.LittleEndian.PutUint32(h[28:], 32000)
	binary.LittleEndian.PutUint16(h[32:], 2)
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(len(samples)))
	return os.WriteFile(path, append(h, samples...), 0o600)
}

// decode runs pocketsphinx on one WAV file, with the speaker transform mllr unless it is "";
// offset is added to the words' times.
func (t Tools) decode(ctx context.Context, wav string, offset float64, mllr string) ([]Word, error) {
	cmd := exec.CommandContext(ctx, t.Pocketsphinx, "-hmm", filepath.Join(t.ModelDir, "en-us"),
		"-lm", cmp.Or(t.LM, filepath.Join(t.ModelDir, "en-us.lm.bin")), "-dict", filepath.Join(t.ModelDir, "cmudict-en-us.dict"),
		"-infile", wav, "-logfn", os.DevNull, "-time", "yes")
	cmd.Args = append(cmd.Args, t.Decoder...)
	if mllr != "" {
		cmd.Args = append(cmd.Args, "-mllr", mllr)
	}
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("speech: pocketsphinx: %w", err)
	}
	words := parseWords(out)
	for i := range words {
		words[i].Start = round(words[i].Start+offset, 2)
		words[i].End = round(words[i].End+offset, 2)
	}
	return words, nil
}

// parseWords reads "word start end confidence" lines, dropping <s>, </s>, <sil>, [NOISE]
// and the pronunciation variant suffix "(2)".
func parseWords(out []byte) []Word {
	var words []Word
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 {
			continue
		}
		w := f[0]
		if strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") {
			continue
		}
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i]
		}
		s, e1 := strconv.ParseFloat(f[1], 64)
		e, e2 := strconv.ParseFloat(f[2], 64)
		c, e3 := strconv.ParseFloat(f[3], 64)
		if e1 != nil || e2 != nil || e3 != nil {
			continue
		}
		words = append(words, Word{Text: w, Start: s, End: e, Conf: c})
	}
	return words
}

// Features are the speech measures reported beside the content scores.
type Features struct {
	DurationSeconds float64 `json:"duration_seconds"`
	Words           int     `json:"words"`
	WordsPerMinute  float64 `json:"words_per_minute"`
	Pauses          int     `json:"pauses"`
	PauseSeconds    float64 `json:"pause_seconds"`
	LongestPause    float64 `json:"longest_pause_seconds"`
	Fillers         int     `json:"fillers"`
	LoudnessLUFS    float64 `json:"loudness_lufs"`
	MeanConfidence  float64 `json:"mean_confidence"`
	SilenceRatio    float64 `json:"silence_ratio"`
}

var fillers = map[string]bool{"um": true, "uh": true, "er": true, "ah": true, "like": false, "hmm": true, "mm": true}

// Analyse computes the features of a transcript over its audio.
func Analyse(words []Word, a Audio) Features {
	f := Features{DurationSeconds: round(a.Duration, 1), Words: len(words), LoudnessLUFS: round(a.LUFS, 1)}
	if math.IsInf(a.LUFS, -1) {
		f.LoudnessLUFS = -70
	}
	if a.Duration > 0 {
		f.SilenceRatio = round(math.Min(1, a.Silence/a.Duration), 2)
		f.WordsPerMinute = round(float64(len(words))/(a.Duration/60), 1)
	}
	sum := 0.0
	for i, w := range words {
		sum += w.Conf
		if fillers[w.Text] {
			f.Fillers++
		}
		if i > 0 {
			if gap := w.Start - words[i-1].End; gap >= 0.6 {
				f.Pauses++
				f.PauseSeconds += gap
				f.LongestPause = math.Max(f.LongestPause, gap)
			}
		}
	}
	if len(words) > 0 {
		f.MeanConfidence = round(sum/float64(len(words)), 3)
	}
	f.PauseSeconds, f.LongestPause = round(f.PauseSeconds, 1), round(f.LongestPause, 1)
	return f
}

func round(x float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(x*p) / p
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	s := strings.TrimSpace(lines[len(lines)-1])
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

var timeRe = regexp.MustCompile(`time=(\d+):(\d+):(\d+(?:\.\d+)?)`)

// Duration decodes the whole recording's audio (MediaRecorder's WebM has no duration header)
// and returns how long it plays. An undecodable or truncated file (any decoder error) is
// ErrCorrupt.
func (t Tools) Duration(ctx context.Context, path string) (float64, error) {
	cmd := exec.CommandContext(ctx, t.FFmpeg, "-nostdin", "-hide_banner", "-v", "error", "-stats", "-i", path, "-map", "0:a:0", "-f", "null", "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		return 0, fmt.Errorf("%w: %s", ErrCorrupt, firstLine(stderr.Bytes()))
	}
	for _, line := range strings.FieldsFunc(stderr.String(), func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "size=") {
			return 0, fmt.Errorf("%w: %s", ErrCorrupt, l)
		}
	}
	ms := timeRe.FindAllStringSubmatch(stderr.String(), -1)
	if len(ms) == 0 {
		return 0, fmt.Errorf("%w: no audio", ErrCorrupt)
	}
	m := ms[len(ms)-1]
	h, _ := strconv.ParseFloat(m[1], 64)
	mi, _ := strconv.ParseFloat(m[2], 64)
	s, _ := strconv.ParseFloat(m[3], 64)
	return h*3600 + mi*60 + s, nil
}
