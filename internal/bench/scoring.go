package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hireflow/hireflow/internal/scoring"
	"github.com/hireflow/hireflow/internal/speech"
)

// ScoringResult is what `hireflow bench scoring` prints as its last line.
type ScoringResult struct {
	Answers               int     `json:"answers"`
	AnswerSeconds         float64 `json:"answer_seconds"`
	PaceSeconds           float64 `json:"pace_seconds"`
	ReportAfterLastUpload float64 `json:"report_after_last_upload_s"`
	PipelineSeconds       float64 `json:"pipeline_seconds_per_answer"`
	RawToolsSeconds       float64 `json:"raw_tools_seconds_per_answer"`
	Ratio                 float64 `json:"ratio"`
	PeakMemoryMBPerAnswer float64 `json:"peak_memory_mb_per_answer"`
}

const benchScript = "When I was on call last year our checkout service failed for many customers. My task was to find the root cause quickly. " +
	"I took ownership, analysed the logs and the traces, and tested a hypothesis on one server. I decided to roll back the release and fix the query. " +
	"As a result we reduced errors by ninety percent within twenty minutes, and I followed up with a postmortem for the team. "

// Scoring simulates an interview of n spoken answers of about seconds each, uploaded one after
// another every pace seconds, scored as they arrive with as many parallel scorers as cores;
// it reports how long after the last upload the last report is ready, beside the raw ffmpeg +
// pocketsphinx time on the same file measured in the same run.
func Scoring(ctx context.Context, n int, seconds, pace float64, progress func(string)) (ScoringResult, error) {
	res := ScoringResult{Answers: n, PaceSeconds: pace}
	tools := speech.DefaultTools()
	if err := tools.Check(); err != nil {
		return res, err
	}
	dir, err := os.MkdirTemp("", "hireflow-bench-scoring-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	// A spoken answer of about the requested length (flite, then WebM/Opus like a browser's).
	script := benchScript
	for len(strings.Fields(script)) < int(seconds*2.6) {
		script += benchScript
	}
	wav, webm := filepath.Join(dir, "a.wav"), filepath.Join(dir, "a.webm")
	if out, err := exec.CommandContext(ctx, "flite", "-voice", "rms", "-t", script, "-o", wav).CombinedOutput(); err != nil {
		return res, fmt.Errorf("bench: flite: %v %s", err, out)
	}
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-t", fmt.Sprint(seconds), "-c:a", "libopus", webm).CombinedOutput(); err != nil {
		return res, fmt.Errorf("bench: ffmpeg: %v %s", err, out)
	}
	d, err := tools.Duration(ctx, webm)
	if err != nil {
		return res, err
	}
	res.AnswerSeconds = d

	// Raw tools on the same file: ffmpeg to 16 kHz WAV, then pocketsphinx.
	progress("timing the raw tools")
	start := time.Now()
	raw16 := filepath.Join(dir, "raw.wav")
	peak := 0.0
	for _, args := range [][]string{
		{tools.FFmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", webm, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", raw16},
		{tools.Pocketsphinx, "-hmm", filepath.Join(tools.ModelDir, "en-us"), "-lm", filepath.Join(tools.ModelDir, "en-us.lm.bin"),
			"-dict", filepath.Join(tools.ModelDir, "cmudict-en-us.dict"), "-infile", raw16, "-logfn", os.DevNull, "-time", "yes"},
	} {
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		if err := cmd.Run(); err != nil {
			return res, fmt.Errorf("bench: %s: %w", args[0], err)
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, float64(ru.Maxrss)/1024)
		}
	}
	res.RawToolsSeconds = time.Since(start).Seconds()
	res.PeakMemoryMBPerAnswer = peak

	// The pipeline, as the scoring worker runs it, with uploads arriving at the pace.
	progress(fmt.Sprintf("simulating %d answers of %.0f s, one every %.0f s", n, d, pace))
	sem := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total float64
	var firstErr error
	var lastUpload time.Time
	for i := 0; i < n; i++ {
		if i > 0 && pace > 0 {
			select {
			case <-ctx.Done():
				return res, ctx.Err()
			case <-time.After(time.Duration(pace * float64(time.Second))):
			}
		}
		lastUpload = time.Now()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t0 := time.Now()
			sub := filepath.Join(dir, fmt.Sprint(i))
			_ = os.MkdirAll(sub, 0o700)
			audio, err := tools.Extract(ctx, webm, sub)
			if err == nil {
				var words []speech.Word
				if words, err = tools.Transcribe(ctx, audio.Path); err == nil {
					f := speech.Analyse(words, audio)
					texts := make([]string, len(words))
					for k, w := range words {
						texts[k] = w.Text
					}
					_ = scoring.ScoreAnswer(strings.Join(texts, " "), "Tell us about a production incident you resolved.", []string{"problem_solving", "ownership"})
					_ = f
				}
			}
			mu.Lock()
			defer mu.Unlock()
			total += time.Since(t0).Seconds()
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}(i)
	}
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	res.ReportAfterLastUpload = time.Since(lastUpload).Seconds()
	res.PipelineSeconds = total / float64(n)
	res.Ratio = res.PipelineSeconds / res.RawToolsSeconds
	return res, nil
}
