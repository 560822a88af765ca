package eval

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hireflow/hireflow/internal/analysis/speech"
)

// recordPage records the microphone the way the interview page does (camera and microphone,
// MediaRecorder, WebM with VP8 and Opus) for a given time and returns the recording as base64.
const recordPage = `<!doctype html><meta charset="utf-8"><title>record</title><script>
async function record(ms) {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
  const type = MediaRecorder.isTypeSupported('video/webm;codecs=vp8,opus') ? 'video/webm;codecs=vp8,opus' : '';
  const rec = new MediaRecorder(stream, type ? {mimeType: type} : {});
  const chunks = [];
  rec.ondataavailable = e => { if (e.data.size) chunks.push(e.data); };
  const stopped = new Promise(r => rec.onstop = r);
  rec.start(1000);
  await new Promise(r => setTimeout(r, ms));
  rec.stop();
  await stopped;
  stream.getTracks().forEach(t => t.stop());
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 8192) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return btoa(bin);
}
</script>`

// recordInBrowser plays wav as the microphone of a headless Chromium and records it with
// MediaRecorder, as a candidate's phone would; the WebM is written to webm. The WAV is padded
// with a second of silence so that the looping fake microphone does not start over inside the
// recording.
func recordInBrowser(ctx context.Context, wav, webm string) error {
	path, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("eval: chromium is not installed (apt-get install chromium)")
	}
	padded := wav + ".padded.wav"
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", wav, "-af", "apad=pad_dur=1.5",
		"-ar", "48000", padded).CombinedOutput(); err != nil {
		return fmt.Errorf("eval: ffmpeg: %v %s", err, out)
	}
	seconds, err := speech.DefaultTools().Duration(ctx, wav)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(recordPage))
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	profile, err := os.MkdirTemp("", "hireflow-eval-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true), chromedp.Flag("use-file-for-fake-audio-capture", padded)}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	bctx, cancel3 := context.WithTimeout(bctx, time.Duration(seconds+60)*time.Second)
	defer cancel3()
	var b64 string
	ms := int((seconds + 0.7) * 1000)
	if err := chromedp.Run(bctx, chromedp.Navigate("http://"+ln.Addr().String()+"/"),
		chromedp.Evaluate(fmt.Sprintf("record(%d)", ms), &b64, func(p *runtime.EvaluateParams) *runtime.EvaluateParams {
			return p.WithAwaitPromise(true)
		})); err != nil {
		return fmt.Errorf("eval: recording in Chromium: %w", err)
	}
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(data) == 0 {
		return fmt.Errorf("eval: Chromium returned no recording")
	}
	return os.WriteFile(webm, data, 0o600)
}
