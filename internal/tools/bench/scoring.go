package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hireflow/hireflow/internal/analysis/scoring"
	"github.com/hireflow/hireflow/internal/analysis/speech"
	"github.com/hireflow/hireflow/internal/app"
)

// ScoringResult is what `hireflow bench scoring` prints as its last line.
type ScoringResult struct {
	Answers               int     `json:"answers"`
	AnswerSeconds         float64 `json:"answer_seconds"`
	PaceSeconds           float64 `json:"pace_seconds"`
	ReportAfterLastUpload float64 `json:"report_after_last_upload_s"`
	// ReportAfterLastUploadPieces is the same interview with each recording sent in pieces
	// while it is made and its finished stretches transcribed as they arrive (0: not run).
	ReportAfterLastUploadPieces float64   `json:"report_after_last_upload_with_pieces_s,omitempty"`
	LiveSecondsPerAnswer        float64   `json:"transcribed_while_recording_s_per_answer,omitempty"`
	PipelineSeconds             float64   `json:"pipeline_seconds_per_answer"`
	RawToolsSeconds             float64   `json:"raw_tools_seconds_per_answer"` // the mean of RawToolsRuns
	RawToolsRuns                []float64 `json:"raw_tools_runs_s"`             // before and after the interview
	Ratio                       float64   `json:"ratio"`
	PeakMemoryMBPerAnswer       float64   `json:"peak_memory_mb_per_answer"` // the pipeline: pieces decoded at once × the largest tool process
	PiecesPerAnswer             int       `json:"pieces_per_answer"`         // pocketsphinx processes decoding one answer at once
	Through                     string    `json:"through"`                   // simulation (the worker's functions in process) or stack (API → workflow → scoring worker)
	RawPeakMemoryMB             float64   `json:"raw_peak_memory_mb"`        // the raw tools: the largest process
}

const benchScript = "When I was on call last year our checkout service failed for many customers. My task was to find the root cause quickly. " +
	"I took ownership, analysed the logs and the traces, and tested a hypothesis on one server. I decided to roll back the release and fix the query. " +
	"As a result we reduced errors by ninety percent within twenty minutes, and I followed up with a postmortem for the team. "

// Scoring simulates an interview (or, with a stack, runs one through the API, the workflow and
// the scoring worker) of n spoken answers of about seconds each, uploaded one after
// another every pace seconds, scored as they arrive with as many parallel scorers as cores;
// it reports how long after the last upload the last report is ready, beside the raw ffmpeg +
// pocketsphinx time on the same file measured in the same run.
func Scoring(ctx context.Context, stack *app.App, n int, seconds, pace float64, parallel int, withPieces bool, progress func(string)) (ScoringResult, error) {
	res := ScoringResult{Answers: n, PaceSeconds: pace}
	tools := speech.DefaultTools()
	tools.Parallel = parallel
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
	probe, err := tools.Extract(ctx, webm, dir)
	if err != nil {
		return res, err
	}
	pieces := len(tools.Cuts(probe)) + 1

	// Raw tools on the same file: ffmpeg to 16 kHz WAV, then pocketsphinx. Timed before and
	// after the simulated interview; the baseline is their mean, so that a slower or faster
	// spell of the machine weighs on both sides.
	raw16 := filepath.Join(dir, "raw.wav")
	peak := 0.0
	rawRun := func() (float64, error) {
		start := time.Now()
		for _, args := range [][]string{
			{tools.FFmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", webm, "-vn", "-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le", raw16},
			{tools.Pocketsphinx, "-hmm", filepath.Join(tools.ModelDir, "en-us"), "-lm", filepath.Join(tools.ModelDir, "en-us.lm.bin"),
				"-dict", filepath.Join(tools.ModelDir, "cmudict-en-us.dict"), "-infile", raw16, "-logfn", os.DevNull, "-time", "yes"},
		} {
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			if err := cmd.Run(); err != nil {
				return 0, fmt.Errorf("bench: %s: %w", args[0], err)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				peak = max(peak, float64(ru.Maxrss)/1024)
			}
		}
		return time.Since(start).Seconds(), nil
	}
	progress("timing the raw tools")
	before, err := rawRun()
	if err != nil {
		return res, err
	}
	progress(fmt.Sprintf("raw tools: %.1f s", before))

	var reportAfter, total float64
	if stack != nil {
		progress(fmt.Sprintf("interview of %d answers of %.0f s through the API, the workflow and the scoring worker, one upload every %.0f s", n, d, pace))
		reportAfter, total, err = scoringOnStack(ctx, stack, webm, n, seconds, pace, false, progress)
	} else {
		progress(fmt.Sprintf("simulating %d answers of %.0f s, one every %.0f s", n, d, pace))
		reportAfter, total, err = simulate(ctx, tools, dir, webm, n, pace, progress)
	}
	if err != nil {
		return res, err
	}
	if withPieces && stack != nil {
		progress(fmt.Sprintf("the same %d answers through the API, each sent in pieces while it is recorded", n))
		after, _, err := scoringOnStack(ctx, stack, webm, n, seconds, pace, true, progress)
		if err != nil {
			return res, err
		}
		res.ReportAfterLastUploadPieces = round3(after)
	}
	if withPieces && stack == nil {
		progress(fmt.Sprintf("the same %d answers, each sent in pieces while it is recorded", n))
		after, live, err := simulateLive(ctx, tools, dir, webm, n, d, pace, progress)
		if err != nil {
			return res, err
		}
		res.ReportAfterLastUploadPieces, res.LiveSecondsPerAnswer = round3(after), round3(live)
	}
	res.Through = "simulation"
	if stack != nil {
		res.Through = "stack"
	}
	res.ReportAfterLastUpload = round3(reportAfter)
	progress("timing the raw tools again")
	after, err := rawRun()
	if err != nil {
		return res, err
	}
	progress(fmt.Sprintf("raw tools: %.1f s", after))
	res.RawToolsRuns = []float64{round3(before), round3(after)}
	res.RawToolsSeconds = (before + after) / 2
	res.RawPeakMemoryMB = round3(peak)
	res.PipelineSeconds = round3(total / float64(n))
	res.RawToolsSeconds = round3(res.RawToolsSeconds)
	res.Ratio = round3(res.PipelineSeconds / res.RawToolsSeconds)
	// The largest child process of the whole run (raw tools and pipeline alike) times the pieces
	// one answer is decoded in at once.
	res.PiecesPerAnswer = pieces
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru) == nil {
		res.PeakMemoryMBPerAnswer = round3(float64(ru.Maxrss) / 1024 * float64(pieces))
	}
	return res, nil
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// simulate scores the answer n times as the scoring worker does, one arriving every pace
// seconds; it returns the time from the last upload to the last report and the summed
// processing time.
func simulate(ctx context.Context, tools speech.Tools, dir, webm string, n int, pace float64, progress func(string)) (float64, float64, error) {
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
				return 0, 0, ctx.Err()
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
				if words, err = tools.Transcribe(ctx, audio); err == nil {
					_ = speech.Analyse(words, audio)
					c := scoring.Score(scoring.Answer{Text: speech.Transcript(words), Question: "Tell us about a production incident you resolved.",
						Lang: "en", Dims: []string{"problem_solving", "ownership"}})
					speech.Place(&c, words)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			took := time.Since(t0).Seconds()
			total += took
			progress(fmt.Sprintf("answer %d scored in %.1f s", i+1, took))
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}(i)
	}
	wg.Wait()
	return time.Since(lastUpload).Seconds(), total, firstErr
}

// PieceSeconds is how often the interview page sends a piece of the recording.
const PieceSeconds = 5.0

// simulateLive runs the interview as the interview page and the scoring worker do with pieces:
// answer i is recorded during the rec seconds before its upload (rec is the answer's length, or
// the pace when shorter), a piece arrives every PieceSeconds (a byte prefix of the file, as
// MediaRecorder's timeslices join) and the finished stretches are transcribed as they come,
// one run at a time per answer (pieces that arrive meanwhile are taken together, like the
// workflow); at the upload the answer is scored decoding only what follows. It returns the time
// from the last upload to the last report and the mean seconds transcribed while recording.
func simulateLive(ctx context.Context, tools speech.Tools, dir, webm string, n int, d, pace float64, progress func(string)) (float64, float64, error) {
	whole, err := os.ReadFile(webm)
	if err != nil {
		return 0, 0, err
	}
	rec := d
	if pace > 0 {
		rec = min(d, pace)
	}
	start := time.Now()
	uploadAt := func(i int) time.Time {
		return start.Add(time.Duration((rec + float64(i)*pace) * float64(time.Second)))
	}
	sleepUntil := func(t time.Time) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Until(t)):
			return nil
		}
	}
	type result struct {
		done time.Time
		live float64
		err  error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sub := filepath.Join(dir, fmt.Sprint("live", i))
			_ = os.MkdirAll(sub, 0o700)
			up := uploadAt(i)
			began := up.Add(-time.Duration(rec * float64(time.Second)))
			if err := sleepUntil(began); err != nil {
				results[i].err = err
				return
			}
			// While recording: transcribe the stretches of what has arrived.
			var mu sync.Mutex
			var prior speech.Prior
			liveDone := make(chan struct{})
			go func() {
				defer close(liveDone)
				for k := 1; ; k++ {
					at := began.Add(time.Duration(float64(k) * PieceSeconds * float64(time.Second)))
					if !at.Before(up) {
						return
					}
					if time.Now().Before(at) {
						if sleepUntil(at) != nil {
							return
						}
					}
					share := min(1, time.Since(began).Seconds()/rec)
					part := filepath.Join(sub, fmt.Sprint("part", k, ".webm"))
					if os.WriteFile(part, whole[:int(float64(len(whole))*share)], 0o600) != nil {
						return
					}
					mu.Lock()
					was := prior
					mu.Unlock()
					next, err := tools.LiveStretch(ctx, part, sub, was)
					if err == nil && next.Until > was.Until {
						mu.Lock()
						prior = next
						mu.Unlock()
					}
				}
			}()
			if err := sleepUntil(up); err != nil {
				results[i].err = err
				return
			}
			mu.Lock()
			snap := speech.Prior{Until: prior.Until, Words: append([]speech.Word{}, prior.Words...)}
			mu.Unlock()
			raw, err := os.ReadFile(webm)
			if err == nil {
				var r speech.Report
				r, err = speech.ScoreRecordingAfter(ctx, tools, raw, snap, scoring.Answer{Question: "Tell us about a production incident you resolved.",
					Lang: "en", Dims: []string{"problem_solving", "ownership"}}, nil, nil)
				_ = r
			}
			results[i] = result{done: time.Now(), live: snap.Until, err: err}
			progress(fmt.Sprintf("answer %d (pieces) scored %.1f s after its upload, %.0f s of it transcribed while recording", i+1, time.Since(up).Seconds(), snap.Until))
			<-liveDone
		}()
	}
	wg.Wait()
	live := 0.0
	for _, r := range results {
		if r.err != nil {
			return 0, 0, r.err
		}
		live += r.live
	}
	return results[n-1].done.Sub(uploadAt(n - 1)).Seconds(), live / float64(n), nil
}
