package api

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/rules"
)

type jobRequest struct {
	Title         string                `json:"title"`
	TitleZH       string                `json:"title_zh"`
	Family        string                `json:"family"` // optional: jobs of one family are audited and calibrated together
	Description   string                `json:"description"`
	Location      string                `json:"location"`
	Requirements  hireflow.Requirements `json:"requirements"`
	Dimensions    []hireflow.Dimension  `json:"dimensions"`
	Questions     []hireflow.Question   `json:"questions"`
	ScreeningRule string                `json:"screening_rule"`
	Timings       hireflow.Timings      `json:"timings"`
	Offer         hireflow.JobOffer     `json:"offer"`
}

var keyRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validate checks a job's fields (the rules are compiled by createJob).
func (r *jobRequest) validate() error {
	if err := textField("title", r.Title, 1, 200); err != nil {
		return err
	}
	if err := textField("family", r.Family, 0, 80); err != nil {
		return err
	}
	for f, v := range map[string]string{"title": r.Title, "title_zh": r.TitleZH, "location": r.Location, "family": r.Family} {
		if err := textField(f, v, 0, 200); err != nil {
			return err
		}
		if err := displayText(f, v); err != nil {
			return err
		}
	}
	if err := textField("description", r.Description, 0, 20000); err != nil {
		return err
	}
	req := &r.Requirements
	if req.MinYears < 0 || req.MinYears > 50 || math.IsNaN(req.MinYears) {
		return invalid("requirements.min_years", "min_years must be between 0 and 50")
	}
	if req.Education == "" {
		req.Education = "none"
	}
	if resume.EducationRank(req.Education) == 0 && req.Education != "none" {
		return invalid("requirements.education", "education must be one of %v", resume.EducationLevels)
	}
	for name, list := range map[string][]string{"must_skills": req.MustSkills, "nice_skills": req.NiceSkills, "languages": req.Languages} {
		if len(list) > 50 {
			return invalid("requirements."+name, "at most 50 entries")
		}
		for _, s := range list {
			if err := textField("requirements."+name, s, 1, 60); err != nil {
				return err
			}
		}
	}
	if len(r.Dimensions) == 0 {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", "dimensions", "at least one competency dimension is required").
			ZH("至少需要一个胜任力维度")
	}
	sum := 0.0
	seen := map[string]bool{}
	for i, d := range r.Dimensions {
		f, err := listEntry(seen, "dimensions", i, "key", d.Key, "name_en", d.NameEN, 100)
		if err != nil {
			return err
		}
		if d.Weight <= 0 || d.Weight > 1 || math.IsNaN(d.Weight) {
			return invalid(f+".weight", "weight must be greater than 0 and at most 1")
		}
		sum += d.Weight
	}
	if math.Abs(sum-1) > 1e-6 {
		return hireflow.Errorf(hireflow.KindInvalid, "weights_sum", "dimensions", "dimension weights must add up to 1 (they add up to %.4g)", sum).
			ZH("维度权重之和必须为 1（当前为 %.4g）", sum)
	}
	if len(r.Questions) > 30 {
		return invalid("questions", "at most 30 questions")
	}
	qids := map[string]bool{}
	for i, q := range r.Questions {
		f, err := listEntry(qids, "questions", i, "id", q.ID, "text_en", q.TextEN, 1000)
		if err != nil {
			return err
		}
		if q.Kind == "" {
			r.Questions[i].Kind, q.Kind = "video", "video"
		}
		if q.Kind != "video" && q.Kind != "text" {
			return invalid(f+".kind", "kind must be video or text")
		}
		if q.ThinkSecs < 0 || q.ThinkSecs > 600 || q.MaxSecs < 0 || q.MaxSecs > 900 || q.Retakes < 0 || q.Retakes > 5 {
			return invalid(f, "think_seconds 0-600, max_seconds 0-900, retakes 0-5")
		}
		for _, d := range q.Dimensions {
			if !seen[d] {
				return invalid(f+".dimensions", "unknown dimension %q", d)
			}
		}
		for i, pts := range [][]string{q.PointsEN, q.PointsZH} {
			name := [2]string{"points_en", "points_zh"}[i]
			if len(pts) > 10 {
				return invalid(f+"."+name, "at most 10 reference points per question")
			}
			for _, pt := range pts {
				if strings.TrimSpace(pt) == "" || utf8.RuneCountInString(pt) > 200 {
					return invalid(f+"."+name, "a reference point has 1-200 characters")
				}
			}
		}
	}
	o := &r.Offer
	if o.BandMin < 0 || o.BandMax < o.BandMin || o.BandMax > 1e9 || math.IsNaN(o.BandMin) || math.IsNaN(o.BandMax) {
		return invalid("offer.band_max", "the salary band must have 0 ≤ band_min ≤ band_max").ZH("薪资范围须满足 0 ≤ 下限 ≤ 上限")
	}
	if o.Currency != "" && (len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency) {
		return invalid("offer.currency", "currency must be an ISO 4217 code such as CNY or EUR").ZH("币种须为 ISO 4217 代码，如 CNY")
	}
	if o.BandMax > 0 && o.Currency == "" {
		return invalid("offer.currency", "a salary band needs its currency").ZH("薪资范围需要币种")
	}
	if o.Level < 0 || o.Level > 30 {
		return invalid("offer.level", "level is between 0 and 30").ZH("职级须在 0 到 30 之间")
	}
	o.Department = strings.TrimSpace(o.Department)
	if err := textField("offer.department", o.Department, 0, 200); err != nil {
		return err
	}
	if err := plainName("offer.department", o.Department); err != nil {
		return err
	}
	t := r.Timings
	if t.InviteReminderAfter != 0 && t.InviteExpiresAfter != 0 && t.InviteReminderAfter >= t.InviteExpiresAfter {
		return invalid("timings.invite_reminder_after", "the reminder must come before the invitation expires")
	}
	return nil
}

// ruleErrors turns compile errors into one 422 naming the first rule, line and column; every
// error is listed in Details.
func ruleErrors(errs []*rules.CompileError) error {
	ce := errs[0]
	field := "rules." + ce.Rule
	if ce.Rule == rules.RuleScreening {
		field = "screening_rule"
	}
	return &hireflow.Error{Kind: hireflow.KindInvalid, Code: "rule_invalid", Field: field,
		Message:   fmt.Sprintf("rule %s, line %d, column %d: %s", ce.Rule, ce.Line, ce.Column, ce.Message),
		MessageZH: fmt.Sprintf("规则 %s 第 %d 行第 %d 列：%s", ce.Rule, ce.Line, ce.Column, ce.MessageZH),
		Details:   errs}
}

func (s *Server) createJob(c *fiber.Ctx) error {
	var req jobRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	p := principal(c)
	compiled, screening, err := s.jobRules(c.UserContext(), p.OrgID, req.ScreeningRule)
	if err != nil {
		return err
	}
	req.ScreeningRule = screening
	j := hireflow.Job{Title: strings.TrimSpace(req.Title), TitleZH: strings.TrimSpace(req.TitleZH), Family: strings.TrimSpace(req.Family), Description: req.Description,
		Location: req.Location, Requirements: req.Requirements, Dimensions: req.Dimensions, Questions: req.Questions,
		ScreeningRule: req.ScreeningRule, Timings: req.Timings, Offer: req.Offer}
	if j.Questions == nil {
		j.Questions = []hireflow.Question{}
	}
	if err := s.Store.JobCreate(c.UserContext(), p, &j, compiled); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(j)
}

// jobRules compiles a new job's rule set: the organisation's default rule set (or the built-in
// defaults), with screening — when given — in place of its screening rule. It returns the
// screening rule that applies.
func (s *Server) jobRules(ctx context.Context, orgID, screening string) (*rules.Compiled, string, error) {
	rs, ok, err := s.Store.OrgDefaultRules(ctx, orgID)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		rs = rules.RuleSet{Rules: map[string]string{rules.RuleScreening: rules.DefaultScreeningRule}}
	}
	if strings.TrimSpace(screening) != "" {
		rs.Rules[rules.RuleScreening] = screening
	}
	compiled, errs := rules.CompileSet(rs)
	if len(errs) > 0 {
		return nil, "", ruleErrors(errs)
	}
	return compiled, rs.Rules[rules.RuleScreening], nil
}

func (s *Server) listJobs(c *fiber.Ctx) error {
	jobs, err := s.Store.JobList(c.UserContext(), principal(c).OrgID, 200)
	return listed(c, "jobs", jobs, err)
}

func (s *Server) getJob(c *fiber.Ctx) error {
	j, err := s.Store.JobGet(c.UserContext(), principal(c).OrgID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(j)
}

// publicJob is what a candidate may see of an open job before applying.
func (s *Server) publicJob(c *fiber.Ctx) error {
	j, err := s.Store.JobGetOpen(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"id": j.ID, "title": j.Title, "title_zh": j.TitleZH, "description": j.Description,
		"location": j.Location, "requirements": j.Requirements})
}

// listEntry checks entry i of a list (dimensions, questions): its key is well-formed and
// unique, its English text present and at most max characters. It returns the entry's field
// prefix for further checks.
func listEntry(seen map[string]bool, list string, i int, keyName, key, textName, text string, max int) (string, error) {
	f := list + "[" + strconv.Itoa(i) + "]"
	if err := uniqueKey(seen, f+"."+keyName, key); err != nil {
		return f, err
	}
	return f, textField(f+"."+textName, text, 1, max)
}

// uniqueKey checks a key's shape and that it was not seen before in its list.
func uniqueKey(seen map[string]bool, field, key string) error {
	if !keyRe.MatchString(key) || seen[key] {
		name := field[strings.LastIndex(field, ".")+1:]
		return invalid(field, "%s must be unique, lower-case letters, digits and _", name)
	}
	seen[key] = true
	return nil
}
