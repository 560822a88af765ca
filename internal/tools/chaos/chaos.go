// Package chaos is the fault test behind `hireflow chaos` (make faults): a stream of candidates
// applies through the public API while the worker, the API, the Temporal server and PostgreSQL
// are each killed with SIGKILL and restarted in turn. Afterwards every application that was
// answered 201 must have its row, a running workflow at the invited stage (in Temporal and in
// PostgreSQL alike), exactly one invitation email, and a link in it that opens the status page.
package chaos

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/tools/demo"
	"github.com/hireflow/hireflow/workflows"
)

// Options configure a run.
type Options struct {
	Applications int           // how many candidates apply
	Rate         float64       // applications started per second
	Kill         []string      // parts to kill in turn: worker, api, temporal, postgres
	Down         time.Duration // how long a killed part stays down
	Settle       time.Duration // how long the system may take to converge afterwards
	RepoRoot     string        // where deploy/local/stack.sh is
	Profile      string        // the stack profile (dev)
	DataDir      string        // the profile's data dir (pid files)
	MailAPI      string        // maildev's REST API
}

// Result is printed as JSON on the last line.
type Result struct {
	Applications int      `json:"applications"`
	Accepted     int      `json:"accepted"`       // answered 201
	Unanswered   int      `json:"unanswered"`     // never got a 201 within 60 s of retries
	Retries      int      `json:"client_retries"` // requests a candidate's browser had to repeat
	Status5xx    int      `json:"status_5xx"`     // of which 500s
	Status503    int      `json:"status_503"`
	Kills        []string `json:"kills"`

	MissingRows     int `json:"missing_rows"`
	NotRunning      int `json:"workflows_not_running"`
	StageMismatch   int `json:"stage_mismatch"` // workflow and PostgreSQL disagree, or not invited
	EmailsNotOne    int `json:"emails_not_exactly_one"`
	BrokenLinks     int `json:"broken_links"`
	Orphans         int `json:"rows_without_201"` // committed but the answer was lost (the candidate retried)
	SettledSeconds  int `json:"settled_seconds"`
	InvitationDelay struct {
		Max float64 `json:"max"`
	} `json:"invitation_delay_s"` // from the apply request to the email's arrival in maildev (1 s resolution)
	OK bool `json:"ok"`
}

type accepted struct {
	id, email string
	at        time.Time
}

// Run drives the stream, the kills and the checks. progress gets one line per step.
func Run(ctx context.Context, a *app.App, self string, o Options, progress func(string)) (Result, error) {
	res := Result{Applications: o.Applications}
	org, job, err := demo.OrgWithJob(ctx, a, "chaos")
	if err != nil {
		return res, err
	}
	suffix := strings.TrimPrefix(org.Slug, "chaos-")
	port, err := freePort()
	if err != nil {
		return res, err
	}
	logDir, err := os.MkdirTemp("", "hireflow-chaos-")
	if err != nil {
		return res, err
	}
	progress("child logs in " + logDir)
	env := append(os.Environ(), "HIREFLOW_HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port), "HIREFLOW_PUBLIC_URL=http://127.0.0.1:"+strconv.Itoa(port),
		"HIREFLOW_METRICS_ADDR=", "HIREFLOW_TASK_QUEUE=chaos-"+suffix, "HIREFLOW_SCORING_TASK_QUEUE=chaos-scoring-"+suffix,
		"HIREFLOW_RATE_LIMIT_PER_MIN=0", "HIREFLOW_LOG_LEVEL=warn")
	procs := map[string]*child{
		"api":    {name: "api", args: []string{"api"}, env: env, logDir: logDir, self: self},
		"worker": {name: "worker", args: []string{"worker"}, env: env, logDir: logDir, self: self},
	}
	for _, p := range procs {
		if err := p.start(); err != nil {
			return res, err
		}
		defer p.stop()
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitHTTP(ctx, base+"/healthz", 30*time.Second); err != nil {
		return res, fmt.Errorf("chaos: the API did not come up: %w", err)
	}

	var mu sync.Mutex
	var acc []accepted
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / o.Rate)
	hc := &http.Client{Timeout: 20 * time.Second}
	stream := make(chan struct{})
	go func() {
		defer close(stream)
		for i := 0; i < o.Applications; i++ {
			select {
			case <-ctx.Done():
				return
			case <-time.After(interval):
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				p := demo.StrongBackend(fmt.Sprintf("Chaos Candidate %d", i), fmt.Sprintf("chaos-%s-%d@candidates.test", suffix, i))
				pdf := demo.ResumePDF(p.Lines)
				deadline := time.Now().Add(60 * time.Second)
				for attempt := 0; ; attempt++ {
					sent := time.Now()
					r, err := demo.Apply(ctx, hc, base, job.ID, p, "cv.pdf", pdf, true)
					mu.Lock()
					if err == nil && r.Status == http.StatusCreated {
						acc = append(acc, accepted{id: r.ApplicationID, email: p.Email, at: sent})
						mu.Unlock()
						return
					}
					if err == nil && r.Status >= 500 {
						if r.Status == http.StatusServiceUnavailable {
							res.Status503++
						} else {
							res.Status5xx++
						}
					}
					if err == nil && r.Status < 500 && r.Status != http.StatusTooManyRequests {
						mu.Unlock()
						progress(fmt.Sprintf("application %d refused: %d %s", i, r.Status, r.Error.Code))
						return
					}
					res.Retries++
					mu.Unlock()
					if time.Now().After(deadline) {
						mu.Lock()
						res.Unanswered++
						mu.Unlock()
						return
					}
					time.Sleep(500 * time.Millisecond)
				}
			}(i)
		}
	}()

	// Kill each part in turn at fixed moments of the stream (the first at 15 %, the last at
	// 75 %), so that every outage, restart included, falls while candidates are applying.
	streamStart := time.Now()
	streamTime := time.Duration(o.Applications) * interval
	for i, part := range o.Kill {
		at := streamStart.Add(time.Duration(float64(streamTime) * (0.15 + 0.6*float64(i)/float64(max(1, len(o.Kill)-1)))))
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(time.Until(at)):
		}
		progress("kill -9 " + part)
		if err := kill(ctx, part, procs, o); err != nil {
			return res, err
		}
		res.Kills = append(res.Kills, part)
		time.Sleep(o.Down)
		progress("restart " + part)
		if err := restart(ctx, part, procs, o); err != nil {
			return res, err
		}
	}
	<-stream
	wg.Wait()
	res.Accepted = len(acc)
	progress(fmt.Sprintf("%d accepted; checking that every one converges", res.Accepted))

	start := time.Now()
	// An application that passed every check is not checked again: opening its link moved it
	// on (the candidate opened the invitation), which is right, and no longer "invited".
	done := map[string]bool{}
	var delays []float64
	for {
		c := check(ctx, a, org.ID, base, o.MailAPI, acc, done, &delays, progress)
		c.Applications, c.Accepted, c.Unanswered, c.Retries, c.Status5xx, c.Status503, c.Kills =
			res.Applications, res.Accepted, res.Unanswered, res.Retries, res.Status5xx, res.Status503, res.Kills
		var rows int
		_ = a.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM applications WHERE org_id = $1`, org.ID).Scan(&rows)
		c.Orphans = rows - len(acc)
		c.SettledSeconds = int(time.Since(start).Seconds())
		c.OK = c.MissingRows == 0 && c.NotRunning == 0 && c.StageMismatch == 0 && c.EmailsNotOne == 0 && c.BrokenLinks == 0 && c.Status5xx == 0 && c.Unanswered == 0
		if c.OK || time.Since(start) > o.Settle {
			return c, nil
		}
		time.Sleep(2 * time.Second)
	}
}

var linkRe = regexp.MustCompile(`https?://[^\s"'<>]+/c/[A-Za-z0-9_-]{43}`)

type email struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	Time    string `json:"time"` // when maildev received it
	To      []struct {
		Address string `json:"address"`
	} `json:"to"`
}

func check(ctx context.Context, a *app.App, orgID, base, mailAPI string, acc []accepted, done map[string]bool, delays *[]float64, progress func(string)) Result {
	var r Result
	failed := map[string]string{}
	fail := func(n *int, id, why string) {
		*n++
		if len(failed) < 3 {
			failed[id] = why
		}
	}
	defer func() {
		for id, why := range failed {
			progress("not yet: " + id + ": " + why)
		}
	}()
	mails := map[string][]email{}
	if resp, err := http.Get(mailAPI + "/email"); err == nil {
		var all []email
		_ = json.NewDecoder(resp.Body).Decode(&all)
		resp.Body.Close()
		for _, m := range all {
			for _, to := range m.To {
				mails[strings.ToLower(to.Address)] = append(mails[strings.ToLower(to.Address)], m)
			}
		}
	}
	for _, x := range acc {
		if done[x.id] {
			continue
		}
		row, err := a.Store.ApplicationGet(ctx, orgID, x.id, false)
		if err != nil {
			fail(&r.MissingRows, x.id, "no row: "+err.Error())
			continue
		}
		desc, err := a.Temporal.DescribeWorkflowExecution(ctx, hireflow.WorkflowIDForApplication(x.id), "")
		if err != nil || desc.WorkflowExecutionInfo.Status.String() != "Running" {
			fail(&r.NotRunning, x.id, fmt.Sprintf("workflow not running: %v", err))
			continue
		}
		var st workflows.State
		v, err := a.Temporal.QueryWorkflow(ctx, hireflow.WorkflowIDForApplication(x.id), "", workflows.QueryState)
		if err == nil {
			err = v.Get(&st)
		}
		if err != nil || st.Stage != hireflow.StageInvited || row.Stage != hireflow.StageInvited {
			fail(&r.StageMismatch, x.id, fmt.Sprintf("workflow %s, PostgreSQL %s (%v)", st.Stage, row.Stage, err))
			continue
		}
		var invites []email
		for _, m := range mails[strings.ToLower(x.email)] {
			if strings.Contains(m.Subject, "next step") {
				invites = append(invites, m)
			}
		}
		if len(invites) != 1 {
			fail(&r.EmailsNotOne, x.id, fmt.Sprintf("%d invitation emails", len(invites)))
			continue
		}
		link := linkRe.FindString(invites[0].Text)
		if link == "" {
			fail(&r.BrokenLinks, x.id, "no link in the email")
			continue
		}
		// The link as the candidate's phone would open it (the API's address in the email is the child's).
		resp, err := http.Get(base + link[strings.Index(link, "/c/"):])
		if err != nil {
			fail(&r.BrokenLinks, x.id, err.Error())
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fail(&r.BrokenLinks, x.id, fmt.Sprintf("the link answered %d", resp.StatusCode))
			continue
		}
		done[x.id] = true
		if t, err := time.Parse(time.RFC3339, invites[0].Time); err == nil {
			*delays = append(*delays, t.Sub(x.at).Seconds())
		}
	}
	if d := *delays; len(d) > 0 {
		sort.Float64s(d)
		r.InvitationDelay.Max = d[len(d)-1]
	}
	return r
}

// ---------------------------------------------------------------- processes

type child struct {
	name, self, logDir string
	args, env          []string
	cmd                *exec.Cmd
	log                *os.File
}

func (c *child) start() error {
	f, err := os.OpenFile(filepath.Join(c.logDir, c.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	cmd := exec.Command(c.self, c.args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = c.env, f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("chaos: start %s: %w", c.name, err)
	}
	c.cmd, c.log = cmd, f
	return nil
}

func (c *child) kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		_ = c.cmd.Wait()
	}
	if c.log != nil {
		c.log.Close()
	}
}

func (c *child) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = c.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	if c.log != nil {
		c.log.Close()
	}
}

func pidFrom(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return 0, fmt.Errorf("chaos: %s is empty", path)
	}
	return strconv.Atoi(strings.TrimSpace(sc.Text()))
}

func kill(_ context.Context, part string, procs map[string]*child, o Options) error {
	switch part {
	case "api", "worker":
		procs[part].kill()
		return nil
	case "temporal":
		pid, err := pidFrom(filepath.Join(o.DataDir, "temporal.pid"))
		if err != nil {
			return err
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		return nil
	case "postgres":
		pid, err := pidFrom(filepath.Join(o.DataDir, "pg", "postmaster.pid"))
		if err != nil {
			return err
		}
		// The whole server: the postmaster and every backend (backends outlive a killed
		// postmaster for a while and would keep serving the pool's open connections).
		if out, err := exec.Command("pkill", "-KILL", "-P", strconv.Itoa(pid)).CombinedOutput(); err != nil && len(out) > 0 {
			return fmt.Errorf("chaos: pkill: %v %s", err, out)
		}
		return syscall.Kill(pid, syscall.SIGKILL)
	}
	return fmt.Errorf("chaos: unknown part %q (use worker, api, temporal, postgres)", part)
}

func restart(ctx context.Context, part string, procs map[string]*child, o Options) error {
	switch part {
	case "api", "worker":
		return procs[part].start()
	}
	// The stack script starts what is not running and waits for real health.
	var out []byte
	var err error
	for i := 0; i < 5; i++ {
		cmd := exec.CommandContext(ctx, "bash", filepath.Join(o.RepoRoot, "deploy", "local", "stack.sh"), "start", o.Profile)
		if out, err = cmd.CombinedOutput(); err == nil {
			return nil
		}
		time.Sleep(2 * time.Second) // e.g. PostgreSQL's old backends still exiting
	}
	return fmt.Errorf("chaos: restarting %s: %v\n%s", part, err, out)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHTTP(ctx context.Context, url string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %s", url, d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// RepoRoot finds the checkout (the directory holding deploy/local/stack.sh) above the working
// directory: the fault test drives the project's own stack script.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "deploy", "local", "stack.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("chaos: run it inside the hireflow checkout (deploy/local/stack.sh not found)")
		}
		dir = parent
	}
}
