package api

import (
	"context"
	"io"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/workflows"
)

var phoneRe = regexp.MustCompile(`^\+?[0-9 ()\-]{5,24}$`)

type applyForm struct {
	Name, Email, Phone, Language, Source string
	Groups                               map[string]string
}

// sourceRe is what a source code may be: the careers page, a job board or a referral campaign
// names itself in the link (?source=…), and the funnel is cut by it.
var sourceRe = regexp.MustCompile(`^[a-z0-9_.-]{1,40}$`)

// Voluntary self-identification, used only for bias audits and never by rules.
var groupChoices = map[string][]string{
	"sex":      {"female", "male", "other", "undisclosed"},
	"age_band": {"under_25", "25_39", "40_54", "55_plus", "undisclosed"},
}

func readGroups(c *fiber.Ctx) (map[string]string, error) {
	g := map[string]string{}
	for _, cat := range []string{"sex", "age_band", "region", "race_ethnicity"} {
		v := strings.TrimSpace(c.FormValue("eeo_" + cat))
		if v == "" {
			continue
		}
		if choices, ok := groupChoices[cat]; ok {
			found := false
			for _, x := range choices {
				found = found || x == v
			}
			if !found {
				return nil, hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "eeo_"+cat, "eeo_%s must be one of %v", cat, choices)
			}
		} else if utf8.RuneCountInString(v) > 40 || strings.ContainsAny(v, "<>\x00\r\n") {
			return nil, hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "eeo_"+cat, "eeo_%s must be at most 40 characters", cat)
		}
		g[cat] = v
	}
	if len(g) == 0 {
		return nil, nil
	}
	return g, nil
}

func (s *Server) readApplyForm(c *fiber.Ctx) (applyForm, error) {
	f := applyForm{Name: strings.TrimSpace(c.FormValue("name")), Email: strings.TrimSpace(c.FormValue("email")),
		Phone: strings.TrimSpace(c.FormValue("phone")), Language: c.FormValue("language")}
	switch {
	case f.Name == "":
		return f, required("name", "your name is required", "请填写姓名")
	case utf8.RuneCountInString(f.Name) > 100 || !utf8.ValidString(f.Name) || strings.ContainsAny(f.Name, "<>\x00\r\n"):
		return f, hireflow.Errorf(hireflow.KindInvalid, "invalid_name", "name", "the name must be at most 100 characters without < > or line breaks").
			ZH("姓名最多 100 个字符，且不能包含 < > 或换行")
	case displayText("name", f.Name) != nil:
		return f, displayText("name", f.Name)
	case f.Email == "":
		return f, required("email", "your email is required", "请填写邮箱")
	}
	addr, err := mail.ParseAddress(f.Email)
	if err != nil || addr.Address != f.Email || len(f.Email) > 254 || !strings.Contains(f.Email[strings.LastIndex(f.Email, "@"):], ".") {
		return f, hireflow.Errorf(hireflow.KindInvalid, "invalid_email", "email", "the email address is not valid").ZH("邮箱地址无效")
	}
	if f.Phone != "" && !phoneRe.MatchString(f.Phone) {
		return f, hireflow.Errorf(hireflow.KindInvalid, "invalid_phone", "phone", "the phone number may contain digits, spaces, +, - and brackets").
			ZH("电话号码只能包含数字、空格、+、- 和括号")
	}
	switch f.Language {
	case "en", "zh":
	case "":
		f.Language = lang(c)
	default:
		return f, hireflow.Errorf(hireflow.KindInvalid, "invalid_language", "language", "language must be en or zh")
	}
	if src := strings.ToLower(strings.TrimSpace(c.FormValue("source"))); src != "" {
		if !sourceRe.MatchString(src) {
			return f, hireflow.Errorf(hireflow.KindInvalid, "invalid_source", "source",
				"source is a code of at most 40 letters, digits, dots, dashes or underscores").ZH("来源代码最多 40 个字母、数字、点、横线或下划线")
		}
		f.Source = src
	}
	groups, err := readGroups(c)
	if err != nil {
		return f, err
	}
	if groups != nil {
		switch strings.ToLower(c.FormValue("eeo_consent")) {
		case "true", "on", "yes", "1":
		default:
			return f, hireflow.Errorf(hireflow.KindInvalid, "eeo_consent_required", "eeo_consent",
				"self-identification is voluntary and kept only with its own consent: tick the box or leave those fields empty").
				ZH("自愿填写的身份信息需单独同意：请勾选同意，或将这些字段留空")
		}
	}
	f.Groups = groups
	switch strings.ToLower(c.FormValue("privacy_consent")) {
	case "true", "on", "yes", "1":
	default:
		return f, hireflow.Errorf(hireflow.KindInvalid, "consent_required", "privacy_consent",
			"please accept the privacy notice: we need it to process your application").ZH("请阅读并同意隐私声明，我们需要您的同意才能处理申请")
	}
	return f, nil
}

// apply is the public application endpoint: multipart fields name, email, phone, language,
// privacy_consent and the file resume (PDF, DOCX or TXT). It either stores everything and
// starts the workflow, or leaves nothing behind.
func (s *Server) apply(c *fiber.Ctx) error {
	ctx := c.UserContext()
	if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		return hireflow.Errorf(hireflow.KindUnsupported, "multipart_required", "", "send the application as multipart/form-data").
			ZH("请以 multipart/form-data 提交申请")
	}
	if _, err := uuid.Parse(c.Params("id")); err != nil {
		return hireflow.NotFound("job_not_found", "job")
	}
	job, err := s.Store.JobGetOpen(ctx, c.Params("id"))
	if err != nil {
		return err
	}
	form, err := s.readApplyForm(c)
	if err != nil {
		return err
	}
	fh, err := c.FormFile("resume")
	if err != nil {
		return required("resume", "attach your résumé (PDF, DOCX or TXT)", "请上传简历（PDF、DOCX 或 TXT）")
	}
	if fh.Size > s.Cfg.MaxResumeBytes {
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "resume", "the résumé is larger than %d MB", s.Cfg.MaxResumeBytes>>20).
			ZH("简历文件超过 %d MB", s.Cfg.MaxResumeBytes>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(f, s.Cfg.MaxResumeBytes+1))
	f.Close()
	if err != nil {
		return err
	}
	text, format, herr := resume.Extract(ctx, data, fh.Filename)
	if herr != nil {
		return herr
	}
	fileName, ok := resume.DisplayName(fh.Filename, format)
	if !ok {
		return hireflow.Errorf(hireflow.KindBadRequest, "invalid_filename", "resume",
			"the file name cannot be shown safely; rename the file (for example resume.pdf) and retry").
			ZH("文件名无法安全显示，请重命名文件（例如 resume.pdf）后重试")
	}

	app, err := s.newApplication(ctx, job, store.NewApplication{Name: form.Name, Email: form.Email, Phone: form.Phone,
		Language: form.Language, Source: form.Source, ResumeText: text, Groups: form.Groups}, format.ContentType(), data)
	if err != nil {
		return err
	}
	msg := "Thank you — your application was received. We will email you about the next step."
	if form.Language == "zh" {
		msg = "感谢您的申请，我们已收到。下一步安排将通过邮件通知您。"
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"application_id": app.ID, "status": "received", "message": msg, "file": fileName})
}

// newApplication stores an application to job — the candidate, the résumé file sealed in the
// object store, the row — and starts its workflow; if the workflow cannot start, nothing is
// kept. in names the candidate and the résumé's text; the IDs are filled in here.
func (s *Server) newApplication(ctx context.Context, job hireflow.Job, in store.NewApplication, contentType string, resumeFile []byte) (hireflow.Application, error) {
	in.ID, in.OrgID, in.JobID, in.RuleSetID, in.RuleVersion = uuid.NewString(), job.OrgID, job.ID, job.RuleSetID, job.RuleVersion
	key := job.OrgID + "/applications/" + in.ID + "/resume"
	obj, err := s.Objects.Prepare(job.OrgID, in.ID, "resume", key, contentType, resumeFile)
	if err != nil {
		return hireflow.Application{}, err
	}
	in.Object = obj.Row
	app, err := s.Store.ApplicationCreate(ctx, in, func(ctx context.Context) error { return s.Objects.Upload(ctx, obj) })
	if err != nil {
		if hireflow.AsError(err) == nil {
			_ = s.Objects.Delete(context.WithoutCancel(ctx), key) // the upload may have landed before the commit failed
		}
		return app, err
	}
	if err := s.startApplication(ctx, job, app); err != nil {
		cctx := context.WithoutCancel(ctx)
		_ = s.Store.ApplicationDiscard(cctx, app.OrgID, app.ID)
		_ = s.Objects.Delete(cctx, key)
		s.Log.Error("workflow start failed; application discarded", "application", app.ID, "err", err.Error())
		return app, hireflow.Errorf(hireflow.KindUnavailable, "workflow_unavailable", "",
			"we could not start processing your application; nothing was kept, please retry in a minute").
			ZH("暂时无法处理您的申请，未保存任何数据，请稍后重试")
	}
	return app, nil
}

// startApplication starts the application's workflow with IDs and enums only.
func (s *Server) startApplication(ctx context.Context, job hireflow.Job, app hireflow.Application) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// IDs only: the workflow's first activity resolves the plan from the job and the pinned rule set.
	in := workflows.ApplicationInput{OrgID: app.OrgID, ApplicationID: app.ID, JobID: app.JobID, RuleSetID: app.RuleSetID,
		RuleVersion: app.RuleVersion, ScoringQueue: s.Cfg.ScoringTaskQueue, Shape: workflows.CurrentShape}
	_, err := s.Workflows.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        app.WorkflowID,
		TaskQueue: s.Cfg.TaskQueue,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.SAOrg.ValueSet(app.OrgID), workflows.SAJob.ValueSet(app.JobID),
			workflows.SAStage.ValueSet(string(hireflow.StageScreening)), workflows.SAStatus.ValueSet(string(hireflow.StatusActive)),
			workflows.SARuleVersion.ValueSet(int64(app.RuleVersion))),
	}, workflows.ApplicationWorkflow, in)
	return err
}
