package api

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// A practice run is HR's sandbox: the organisation's own practice organisation (created the
// first time), where the person who starts it is every member of staff in turn — recruiter,
// hiring manager, interviewer, admin, each a stand-in with no password and the person's address
// plus-tagged with the role — and its one candidate.
// Everything lives under the practice organisation's ID, so no real candidate, report, analytics
// figure, bias audit, calibration, webhook or employee record sees any of it; the candidate's
// emails go to the person's own address, so they take the interview on their phone as a
// candidate would.

// practiceRoles are the roles a practice run lets its owner act as.
var practiceRoles = []hireflow.Role{hireflow.RoleRecruiter, hireflow.RoleHiringManager, hireflow.RoleInterviewer, hireflow.RoleAdmin}

// startPracticeBody names the job to practise on (a copy is made; none: a sample job).
type startPracticeBody struct {
	JobID string `json:"job_id,omitempty"`
}

// practiceRoleBody is the role to act as next.
type practiceRoleBody struct {
	Role hireflow.Role `json:"role"`
}

// practiceJob is the sample job a run uses when none is named: two typed questions, so the run
// needs no camera.
func practiceJob() hireflow.Job {
	return hireflow.Job{Title: "Backend Engineer (practice)", TitleZH: "后端工程师（练习）",
		Description:  "A sample job for a practice run.",
		Requirements: hireflow.Requirements{MustSkills: []string{"Go", "SQL"}, MinYears: 2},
		Dimensions: []hireflow.Dimension{{Key: "problem_solving", NameEN: "Problem solving", NameZH: "解决问题", Weight: 0.5},
			{Key: "communication", NameEN: "Communication", NameZH: "沟通", Weight: 0.5}},
		Questions: []hireflow.Question{
			{ID: "q1", TextEN: "Tell us about a problem you solved at work: what you did and what changed.", TextZH: "请讲一个您在工作中解决的问题：您做了什么，带来了什么变化。",
				Kind: "text", Dimensions: []string{"problem_solving"}, MaxSecs: 600},
			{ID: "q2", TextEN: "How do you explain a trade-off to someone outside your team?", TextZH: "您如何向团队外的人解释一个取舍？",
				Kind: "text", Dimensions: []string{"communication"}, MaxSecs: 600}},
		Offer: hireflow.JobOffer{Currency: "CNY", BandMin: 30000, BandMax: 45000}}
}

// startPractice starts a practice run: the practice organisation and the caller's stand-ins,
// a copy of the job, the caller applied as its candidate (the invitation goes to their own
// address), and the caller signed in to the practice organisation as its recruiter.
func (s *Server) startPractice(c *fiber.Ctx) error {
	var req startPracticeBody // {} for the sample job
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.UserContext()
	if p.Scopes != nil {
		return hireflow.Errorf(hireflow.KindForbidden, "practice_needs_person", "", "a practice run is for a signed-in person, not an API token")
	}
	if of, err := s.Store.OrgPracticeOf(ctx, p.OrgID); err != nil {
		return err
	} else if of != "" {
		return hireflow.Errorf(hireflow.KindConflict, "already_practising", "", "this is already the practice organisation: start a run from your own").
			ZH("这里已是练习组织：请从您自己的组织开始练习")
	}
	job := practiceJob()
	if req.JobID != "" {
		if _, err := uuid.Parse(req.JobID); err != nil {
			return hireflow.NotFound("job_not_found", "job")
		}
		real, err := s.Store.JobGet(ctx, p.OrgID, req.JobID)
		if err != nil {
			return err
		}
		job = hireflow.Job{Title: real.Title + " (practice)", TitleZH: strings.TrimSpace(real.TitleZH + "（练习）"), Family: real.Family,
			Description: real.Description, Location: real.Location, Requirements: real.Requirements, Dimensions: real.Dimensions,
			Questions: real.Questions, Offer: real.Offer, ScreeningRule: real.ScreeningRule}
	}
	owner, err := s.Store.UserGet(ctx, p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	org, err := s.Store.PracticeOrg(ctx, p.OrgID)
	if err != nil {
		return err
	}
	l := lang(c)
	stand := map[hireflow.Role]hireflow.User{}
	for _, r := range practiceRoles {
		u, err := s.Store.PracticeUser(ctx, org.ID, p.UserID, owner.Email, r, fmt.Sprintf("%s (%s)", owner.DisplayName, translateValue(l, "role.", string(r))))
		if err != nil {
			return err
		}
		stand[r] = u
	}
	// The job, under the practice organisation's rules (the defaults, or the copied screening rule).
	compiled, screening, err := s.jobRules(ctx, org.ID, job.ScreeningRule)
	if err != nil {
		return err
	}
	job.ScreeningRule = screening
	if job.Questions == nil {
		job.Questions = []hireflow.Question{}
	}
	if err := s.Store.JobCreate(ctx, hireflow.Principal{OrgID: org.ID, UserID: stand[hireflow.RoleRecruiter].ID, Role: hireflow.RoleRecruiter}, &job, compiled); err != nil {
		return err
	}
	if job, err = s.Store.JobGet(ctx, org.ID, job.ID); err != nil {
		return err
	}
	// The caller applies as the candidate, with a résumé that meets the job's requirements.
	years := job.Requirements.MinYears + 2
	skills := append(append([]string{}, job.Requirements.MustSkills...), job.Requirements.NiceSkills...)
	text := fmt.Sprintf("%s\n%s\nSkills: %s\n%.0f years of experience as an engineer.\nEducation: %s\nLanguages: English, Chinese\n",
		owner.DisplayName, owner.Email, strings.Join(skills, ", "), years, resume.EducationLevels[len(resume.EducationLevels)-1])
	app, err := s.newApplication(ctx, job, store.NewApplication{Name: owner.DisplayName, Email: owner.Email, Language: l, Source: "practice",
		ResumeText: text}, "text/plain", []byte(text))
	if err != nil {
		return err
	}
	_ = s.Store.Audit(ctx, p.OrgID, "user", p.UserID, "practice.start", "organisation", org.ID, map[string]any{"job_id": job.ID})
	return s.practiceSession(c, org, stand[hireflow.RoleRecruiter], fiber.Map{"application_id": app.ID, "job_id": job.ID})
}

// practiceSession signs the caller in as one of their stand-ins.
func (s *Server) practiceSession(c *fiber.Ctx, org hireflow.Organisation, u hireflow.User, extra fiber.Map) error {
	if sid := c.Cookies(sessionCookie); sid != "" {
		_ = s.Store.SessionDelete(c.UserContext(), s.Box.Hash("session", sid))
	}
	sid, _, err := s.sessionCookie(c, org.ID, u, "practice")
	if err != nil {
		return err
	}
	out := fiber.Map{"organisation": org.Slug, "user_id": u.ID, "role": u.Role, "console": "/console", "csrf_token": s.csrfToken(sid)}
	for k, v := range extra {
		out[k] = v
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// practiceRole switches a practice run to acting as another role (only a stand-in may).
func (s *Server) practiceRole(c *fiber.Ctx) error {
	var req practiceRoleBody
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p := principal(c)
	ctx := c.UserContext()
	owner, err := s.Store.PracticeOwner(ctx, p.OrgID, p.UserID)
	if err != nil {
		return err
	}
	if owner == "" || p.Scopes != nil {
		return hireflow.Errorf(hireflow.KindForbidden, "not_practising", "", "switching roles is only for a practice run").ZH("只有练习时才能切换角色")
	}
	known := false
	for _, r := range practiceRoles {
		known = known || r == req.Role
	}
	if !known {
		return invalid("role", "role is one of recruiter, hiring_manager, interviewer, admin").ZH("角色须为 recruiter、hiring_manager、interviewer、admin 之一")
	}
	org, err := s.Store.OrgGet(ctx, p.OrgID)
	if err != nil {
		return err
	}
	name, email, err := s.Store.PracticeOwnerUser(ctx, owner)
	if err != nil {
		return err
	}
	u, err := s.Store.PracticeUser(ctx, p.OrgID, owner, email, req.Role, fmt.Sprintf("%s (%s)", name, translateValue(lang(c), "role.", string(req.Role))))
	if err != nil {
		return err
	}
	return s.practiceSession(c, org, u, nil)
}

// practiceView is the banner every console page of a practice organisation carries.
type practiceView struct {
	Roles    []hireflow.Role
	Current  hireflow.Role
	HomeSlug string // the real organisation, to sign in to on leaving
}
