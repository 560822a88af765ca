package demo

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/app"
	"github.com/hireflow/hireflow/internal/infra/passwd"
	"github.com/hireflow/hireflow/internal/infra/seal"
	"github.com/hireflow/hireflow/rules"
)

// OrgSlug is the demo organisation's slug.
const OrgSlug = "demo"

// Credentials are the demo staff sign-ins printed by `hireflow dev`.
type Credentials struct {
	Role     hireflow.Role
	Email    string
	Password string
}

// Result is what the seed made.
type Result struct {
	Org        hireflow.Organisation
	Staff      []Credentials
	Jobs       []hireflow.Job
	DemoLink   string
	Candidates int
}

// BackendJob is the demo backend job.
func BackendJob() hireflow.Job {
	return hireflow.Job{Title: "Backend Engineer", TitleZH: "后端工程师", Location: "Shanghai / Remote",
		Description: "Build the services that run hiring as durable workflows.",
		Requirements: hireflow.Requirements{MustSkills: []string{"go", "postgresql", "kubernetes"}, NiceSkills: []string{"temporal", "docker"},
			MinYears: 3, Education: "bachelor", Languages: []string{"english"}},
		Dimensions: []hireflow.Dimension{{Key: "problem_solving", NameEN: "Problem solving", NameZH: "解决问题", Weight: 0.4},
			{Key: "communication", NameEN: "Communication", NameZH: "沟通", Weight: 0.3}, {Key: "ownership", NameEN: "Ownership", NameZH: "担当", Weight: 0.3}},
		Questions: []hireflow.Question{
			{ID: "q1", TextEN: "Tell us about a production incident you resolved.", TextZH: "请讲述一次你解决线上故障的经历。", Kind: "video", ThinkSecs: 30, MaxSecs: 120, Retakes: 1, Dimensions: []string{"problem_solving", "ownership"},
				PointsEN: []string{"how the root cause was found (logs, metrics, traces)", "what they decided and did themselves", "the measured impact", "the follow-up or postmortem"},
				PointsZH: []string{"如何定位根因（日志、监控、链路）", "自己做了什么决定和行动", "可量化的影响", "复盘与后续改进"}},
			{ID: "q2", TextEN: "How do you explain a technical trade-off to a non-engineer?", TextZH: "你如何向非技术人员解释技术取舍？", Kind: "video", ThinkSecs: 30, MaxSecs: 120, Retakes: 1, Dimensions: []string{"communication"}},
			{ID: "q3", TextEN: "Describe a design you would change today and why.", TextZH: "描述一个你现在会改变的设计及原因。", Kind: "text", MaxSecs: 0, Dimensions: []string{"problem_solving"}},
		},
		ScreeningRule: rules.DefaultScreeningRule}
}

// SalesJob is the demo sales job with a custom rule.
func SalesJob() hireflow.Job {
	return hireflow.Job{Title: "Sales Representative", TitleZH: "销售代表", Location: "北京 Beijing",
		Description: "Grow our customer base in North China.",
		Requirements: hireflow.Requirements{MustSkills: []string{"sales", "customer service"}, NiceSkills: []string{"negotiation", "excel"},
			MinYears: 2, Education: "associate", Languages: []string{"chinese"}},
		Dimensions: []hireflow.Dimension{{Key: "customer_focus", NameEN: "Customer focus", NameZH: "客户导向", Weight: 0.5},
			{Key: "communication", NameEN: "Communication", NameZH: "沟通", Weight: 0.5}},
		Questions: []hireflow.Question{
			{ID: "q1", TextEN: "Tell us about a customer you won back.", TextZH: "请讲述一次你挽回客户的经历。", Kind: "text", Dimensions: []string{"customer_focus"},
				PointsEN: []string{"why the customer was leaving", "listening to their needs", "what was done to win them back", "the outcome: renewal, satisfaction"},
				PointsZH: []string{"客户为什么要流失", "倾听客户需求", "为挽回客户做了什么", "结果：续约、满意度"}},
			{ID: "q2", TextEN: "How do you prepare for a negotiation?", TextZH: "你如何准备一次商务谈判？", Kind: "video", ThinkSecs: 30, MaxSecs: 120, Retakes: 2, Dimensions: []string{"communication"}},
		},
		ScreeningRule: "hasAny(resume.skills, job.must) && resume.years >= job.min_years ? \"pass\"\n  : hasAny(resume.skills, job.nice) ? \"hold\"\n  : \"reject\""}
}

// Seed loads the demo data once and, on every run, resets the staff passwords (printed) and
// makes a fresh link to the first demo candidate's status page. apiURL is the running API.
func Seed(ctx context.Context, a *app.App, apiURL string) (Result, error) {
	return SeedOrg(ctx, a, apiURL, OrgSlug)
}

// SeedOrg is Seed for the organisation with the given slug (tests use their own).
func SeedOrg(ctx context.Context, a *app.App, apiURL, slug string) (Result, error) {
	var res Result
	org, err := a.Store.OrgGetBySlug(ctx, slug)
	fresh := false
	if hireflow.ErrorKind(err) == hireflow.KindNotFound {
		if org, err = a.Store.OrgCreate(ctx, slug, "Demo Co. 示例科技"); err != nil {
			return res, err
		}
		if err := a.Store.OrgSetBranding(ctx, org.ID, "Hiring with care · 用心招聘", "#0b6e4f"); err != nil {
			return res, err
		}
		fresh = true
	} else if err != nil {
		return res, err
	}
	res.Org = org
	var recruiter hireflow.User
	for _, role := range hireflow.Roles {
		email := string(role) + "@demo.hireflow.local"
		pw := strings.ReplaceAll(seal.RandomToken()[:16], "-", "x")
		hash, err := passwd.Hash(pw)
		if err != nil {
			return res, err
		}
		u, _, err := a.Store.UserByEmail(ctx, org.ID, email)
		if hireflow.ErrorKind(err) == hireflow.KindNotFound {
			u, err = a.Store.UserCreate(ctx, org.ID, email, "Demo "+strings.ReplaceAll(string(role), "_", " "), role, hash)
		} else if err == nil {
			err = a.Store.UserSetPassword(ctx, org.ID, u.ID, hash)
		}
		if err != nil {
			return res, err
		}
		if role == hireflow.RoleRecruiter {
			recruiter = u
		}
		res.Staff = append(res.Staff, Credentials{Role: role, Email: email, Password: pw})
	}
	p := hireflow.Principal{OrgID: org.ID, UserID: recruiter.ID, Role: hireflow.RoleRecruiter}
	if fresh {
		for _, j := range []hireflow.Job{BackendJob(), SalesJob()} {
			c, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: j.ScreeningRule}})
			if len(errs) > 0 {
				return res, errs[0]
			}
			if err := a.Store.JobCreate(ctx, p, &j, c); err != nil {
				return res, err
			}
		}
	}
	if res.Jobs, err = a.Store.JobList(ctx, org.ID, 10); err != nil {
		return res, err
	}
	if len(res.Jobs) < 2 {
		return res, fmt.Errorf("demo: the demo organisation lost its jobs; run deploy/local/stack.sh reset dev")
	}
	sales, backend := res.Jobs[0], res.Jobs[1] // newest first
	if fresh {
		hc := &http.Client{Timeout: 30 * time.Second}
		type cand struct {
			job  hireflow.Job
			p    Profile
			file string
			data []byte
		}
		strong := StrongBackend("Alex Chen", "alex.chen@example.com")
		partial := PartialBackend("Sam Taylor", "sam.taylor@example.com")
		weak := WeakBackend("Jordan Lee", "jordan.lee@example.com")
		zh := ChineseSales("王小明", "wang.xiaoming@example.com")
		for _, c := range []cand{
			{backend, strong, "alex-chen.pdf", ResumePDF(strong.Lines)},
			{backend, partial, "sam-taylor.docx", ResumeDOCX(partial.Lines)},
			{backend, weak, "jordan-lee.txt", []byte(strings.Join(weak.Lines, "\n"))},
			{sales, zh, "wang.txt", []byte(strings.Join(zh.Lines, "\n"))},
		} {
			r, err := Apply(ctx, hc, apiURL, c.job.ID, c.p, c.file, c.data, true)
			if err != nil {
				return res, err
			}
			if r.Status != http.StatusCreated {
				return res, fmt.Errorf("demo: applying %s answered %d %s: %s", c.file, r.Status, r.Error.Code, r.Error.Message)
			}
			res.Candidates++
		}
	}
	apps, err := a.Store.ApplicationList(ctx, org.ID, backend.ID, 100, false)
	if err != nil {
		return res, err
	}
	if len(apps) > 0 {
		first := apps[len(apps)-1] // the strong candidate applied first
		// Wait for the invitation: it replaces earlier links, so the demo link must come after it.
		for i := 0; i < 150 && first.Stage != hireflow.StageInvited && first.Stage != hireflow.StageInterview; i++ {
			time.Sleep(200 * time.Millisecond)
			if first, err = a.Store.ApplicationGet(ctx, org.ID, first.ID, false); err != nil {
				return res, err
			}
		}
		raw := seal.RandomToken()
		if err := a.Store.TokenIssue(ctx, org.ID, first.ID, activities.TokenPurposeApplication, a.Box.Hash("token", raw),
			time.Now().Add(a.Cfg.TokenTTL), false); err != nil {
			return res, err
		}
		res.DemoLink = a.Cfg.PublicURL + "/c/" + raw
	}
	return res, nil
}

// OrgWithJob makes a fresh organisation (slug prefix-<random>) with one recruiter and the
// backend job, for benchmarks and fault tests that need candidates of their own.
func OrgWithJob(ctx context.Context, a *app.App, prefix string) (hireflow.Organisation, hireflow.Job, error) {
	suffix := strings.ReplaceAll(seal.RandomToken()[:8], "-", "x")
	suffix = strings.ToLower(strings.ReplaceAll(suffix, "_", "x"))
	org, err := a.Store.OrgCreate(ctx, prefix+"-"+suffix, prefix+" "+suffix)
	if err != nil {
		return org, hireflow.Job{}, err
	}
	hash, err := passwd.Hash(prefix + "-password-" + suffix)
	if err != nil {
		return org, hireflow.Job{}, err
	}
	u, err := a.Store.UserCreate(ctx, org.ID, "recruiter@"+prefix+".local", prefix+" recruiter", hireflow.RoleRecruiter, hash)
	if err != nil {
		return org, hireflow.Job{}, err
	}
	job := BackendJob()
	compiled, errs := rules.CompileSet(rules.RuleSet{Rules: map[string]string{rules.RuleScreening: job.ScreeningRule}})
	if len(errs) > 0 {
		return org, job, errs[0]
	}
	err = a.Store.JobCreate(ctx, hireflow.Principal{OrgID: org.ID, UserID: u.ID, Role: hireflow.RoleRecruiter}, &job, compiled)
	return org, job, err
}
