package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
)

// helpView is the staff guides page: the guides that fit the viewer's role, in the order they
// need them, and links only to what they may open.
type helpView struct {
	Sections                                   []string
	CanCreateJob, CanRules, CanAdmin, CanBoard bool
}

// helpSections orders the guides by role: HR starts with the first-run tour, those who read
// reports with the report guide; everyone can read what candidates are told.
var helpSections = map[hireflow.Role][]string{
	hireflow.RoleRecruiter:     {"tour", "report", "cand"},
	hireflow.RoleAdmin:         {"tour", "cand"},
	hireflow.RoleHiringManager: {"report", "cand"},
	hireflow.RoleInterviewer:   {"report", "cand"},
	hireflow.RoleAnalyst:       {"report", "cand"},
	hireflow.RoleIntegration:   {"cand"},
}

func (s *Server) helpPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "help.title", "/console/help")
	if err != nil {
		return err
	}
	r := principal(c).Role
	d.Console.Help = &helpView{Sections: helpSections[r], CanCreateJob: roleMay(actJobsWrite, r), CanRules: roleMay(actRulesWrite, r),
		CanAdmin: roleMay(actOrgSettings, r), CanBoard: roleMay(actBoardRead, r)}
	return s.render(c, fiber.StatusOK, "help.html", d)
}

// startStep is one item of the home page's getting-started list.
type startStep struct {
	Key, Href string
	Done      bool
}

// gettingStarted is the first-run list for HR (recruiters: a job and its published rules;
// admins: the organisation's defaults), shown on the home page until every step is done.
func (s *Server) gettingStarted(c *fiber.Ctx) ([]startStep, error) {
	p := principal(c)
	ctx := c.UserContext()
	var steps []startStep
	switch p.Role {
	case hireflow.RoleRecruiter:
		hasJob, published, err := s.Store.HRProgress(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		steps = []startStep{{Key: "help.start_job", Href: "/console/jobs/new", Done: hasJob},
			{Key: "help.start_chain", Href: "/console/rulesets", Done: published}}
	case hireflow.RoleAdmin:
		t, err := s.Store.OrgTimings(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		ds, err := s.Store.Departments(ctx, p.OrgID)
		if err != nil {
			return nil, err
		}
		steps = []startStep{{Key: "help.start_settings", Href: "/console/admin#timings", Done: t != (hireflow.Timings{}) || len(ds) > 0}}
	default:
		return nil, nil
	}
	for _, st := range steps {
		if !st.Done {
			return append(steps, startStep{Key: "help.start_tour", Href: "/console/help#tour"}), nil
		}
	}
	return nil, nil
}
