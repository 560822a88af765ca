package api

import (
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// stageRe is the shape of a stage or status name in a filter.
var stageRe = regexp.MustCompile(`^[a-z_]{1,30}$`)

// boardPageSize is how many cards one page of a board shows.
const boardPageSize = 50

// boardStages is the order of the board's columns (others follow by name).
var boardStages = []string{"screening", "hold", "invited", "interview", "live_round", "review", "offer", "onboarding", "probation",
	"completed", "rejected", "expired", "withdrawn", "offer_declined", "cancelled", "deletion_requested"}

type boardView struct {
	JobID, JobTitle string
	Columns         []boardColumn
	Cards           []boardCardView
	Total           int
	Filter          boardFilterView
	Prev, Next      string
	Page, Pages     int
	Statuses        []string
	CanBulk         bool // the held column, for a role that decides holds: cards can be decided together
}

type boardColumn struct {
	Stage, Href string
	Count       int
	Current     bool
}

type boardCardView struct {
	ID, Href, Name, Stage, Source, Applied, Score string
}

type boardFilterView struct {
	Stage, Status, Source, Language, Email, From, To, MinScore string
	Query                                                      string // a whole name or email address
}

// jobsPage lists the organisation's jobs, each with a link to its board.
func (s *Server) jobsPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.jobs", "/console/jobs")
	if err != nil {
		return err
	}
	jobs, err := s.Store.JobList(c.UserContext(), principal(c).OrgID, 200)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		t := j.Title
		if d.Lang == "zh" && j.TitleZH != "" {
			t = j.TitleZH
		}
		d.Console.Jobs = append(d.Console.Jobs, jobOption{ID: j.ID, Title: t})
	}
	d.Console.CanCreateJob = roleMay(actJobsWrite, principal(c).Role)
	return s.render(c, fiber.StatusOK, "jobs.html", d)
}

// jobNewPage is the job designer: the job, its requirements, the competency model with a live
// check of the weights, the question bank, and what the candidate will see; it posts to the API.
func (s *Server) jobNewPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "jd.title", "/console/jobs")
	if err != nil {
		return err
	}
	d.Console.Education = resume.EducationLevels
	ds, err := s.Store.Departments(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	for _, x := range ds {
		d.Console.Departments = append(d.Console.Departments, x.Name)
	}
	return s.render(c, fiber.StatusOK, "jobnew.html", d)
}

// boardPage is a job's candidate board: a column count per stage and one page of cards for the
// filter; an email is searched through its blind index. A bad filter shows its reason (422).
func (s *Server) boardPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.jobs", "/console/jobs")
	if err != nil {
		return err
	}
	p, l := principal(c), d.Lang
	jobID := c.Params("id")
	if _, err := uuid.Parse(jobID); err != nil {
		return hireflow.NotFound("job_not_found", "job")
	}
	job, err := s.Store.JobGet(c.UserContext(), p.OrgID, jobID)
	if err != nil {
		return err
	}
	b := &boardView{JobID: job.ID, JobTitle: job.Title, Statuses: []string{"active", "hired", "rejected", "withdrawn", "expired"}}
	if l == "zh" && job.TitleZH != "" {
		b.JobTitle = job.TitleZH
	}
	d.Board = b
	fv := boardFilterView{Stage: c.Query("stage"), Status: c.Query("status"), Source: c.Query("source"), Language: c.Query("language"),
		Email: strings.TrimSpace(c.Query("email")), From: c.Query("from"), To: c.Query("to"), MinScore: c.Query("min_score"),
		Query: strings.TrimSpace(c.Query("q"))}
	if strings.Contains(fv.Query, "@") && fv.Email == "" {
		fv.Email, fv.Query = fv.Query, ""
	}
	b.Filter = fv
	f, page, ferr := boardFilter(fv, c.Query("page"))
	status := fiber.StatusOK
	if ferr != nil {
		d.Console.FilterError = localMessage(ferr, l)
		f, page, status = store.BoardFilter{}, 1, fiber.StatusUnprocessableEntity
	}
	if fv.Email != "" && ferr == nil {
		f.EmailIndex = s.Box.EmailIndex(fv.Email)
	}
	if fv.Query != "" && ferr == nil {
		f.NameIndex = s.Box.NameIndex(fv.Query)
	}
	fp := s.fieldPolicy(c.UserContext(), p)
	withName := fp.sees(fName)
	limit := boardPageSize
	if ferr != nil {
		limit = 0 // a refused filter shows its reason and the columns, and reads nobody's name
	}
	cards, counts, err := s.Store.Board(c.UserContext(), p.OrgID, jobID, f, limit, (page-1)*boardPageSize, withName)
	if err != nil {
		return err
	}
	q := url.Values{}
	for k, v := range map[string]string{"status": fv.Status, "source": fv.Source, "language": fv.Language, "email": fv.Email, "q": fv.Query,
		"from": fv.From, "to": fv.To, "min_score": fv.MinScore, "lang": l} {
		if v != "" && ferr == nil {
			q.Set(k, v)
		}
	}
	link := func(stage string, pg int) string {
		qq := url.Values{}
		for k, v := range q {
			qq[k] = v
		}
		if stage != "" {
			qq.Set("stage", stage)
		}
		if pg > 1 {
			qq.Set("page", strconv.Itoa(pg))
		}
		path := "/console/jobs/" + jobID + "/board"
		if e := qq.Encode(); e != "" {
			return path + "?" + e
		}
		return path
	}
	stages := make([]string, 0, len(counts))
	for st := range counts {
		stages = append(stages, st)
	}
	rank := func(st string) int {
		for i, x := range boardStages {
			if x == st {
				return i
			}
		}
		return len(boardStages)
	}
	sort.Slice(stages, func(i, j int) bool {
		if rank(stages[i]) != rank(stages[j]) {
			return rank(stages[i]) < rank(stages[j])
		}
		return stages[i] < stages[j]
	})
	b.Columns = append(b.Columns, boardColumn{Stage: "", Href: link("", 1), Current: f.Stage == ""})
	for _, st := range stages {
		b.Columns = append(b.Columns, boardColumn{Stage: st, Href: link(st, 1), Count: counts[st], Current: st == f.Stage})
		b.Total += counts[st]
	}
	b.Columns[0].Count = b.Total
	inView := b.Total
	if f.Stage != "" {
		inView = counts[f.Stage]
	}
	b.Page, b.Pages = page, (inView+boardPageSize-1)/boardPageSize
	if page > 1 {
		b.Prev = link(f.Stage, page-1)
	}
	if page < b.Pages {
		b.Next = link(f.Stage, page+1)
	}
	mine, err := s.assignedSet(c.UserContext(), p)
	if err != nil {
		return err
	}
	for _, cd := range cards {
		if mine != nil && !mine[cd.ApplicationID] {
			continue // a hiring manager sees the cards of the applications they take part in
		}
		v := boardCardView{ID: cd.ApplicationID, Href: "/console/applications/" + cd.ApplicationID, Name: fp.show(fName, cd.CandidateName), Stage: string(cd.Stage),
			Source: cd.Source, Applied: cd.AppliedAt.UTC().Format("2006-01-02")}
		if cd.Score != nil {
			v.Score = strconv.FormatFloat(*cd.Score, 'f', 2, 64)
		}
		b.Cards = append(b.Cards, v)
	}
	b.CanBulk = f.Stage == string(hireflow.StageHold) && roleMay(actApplicationsDecide, p.Role) && len(b.Cards) > 0
	if withName && len(cards) > 0 {
		_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "candidate.read", "board", jobID,
			map[string]any{"count": len(cards), "fields": []string{"name"}, "email_search": fv.Email != ""})
	}
	return s.render(c, status, "board.html", d)
}

// boardFilter checks the board's query; every field is optional.
func boardFilter(fv boardFilterView, pageArg string) (store.BoardFilter, int, error) {
	f := store.BoardFilter{Stage: fv.Stage, Status: fv.Status, Language: fv.Language}
	if fv.Stage != "" && !stageRe.MatchString(fv.Stage) {
		return f, 1, invalid("stage", "stage is a stage name such as hold or review")
	}
	if fv.Status != "" && !stageRe.MatchString(fv.Status) {
		return f, 1, invalid("status", "status is a status such as active or rejected")
	}
	if fv.Source != "" {
		if !sourceRe.MatchString(fv.Source) {
			return f, 1, invalid("source", "source is a code of up to 40 lower-case letters, digits, '.', '_' and '-' (none: applications without one)")
		}
		f.Source = fv.Source
	}
	if fv.Language != "" && fv.Language != "en" && fv.Language != "zh" {
		return f, 1, invalid("language", "language is en or zh")
	}
	if len(fv.Email) > 254 || (fv.Email != "" && !strings.Contains(fv.Email, "@")) {
		return f, 1, invalid("email", "search by the candidate's whole email address")
	}
	if utf8.RuneCountInString(fv.Query) > 200 || checkText("q", fv.Query) != nil {
		return f, 1, invalid("q", "search by the candidate's whole name or email address (at most 200 characters)")
	}
	for _, x := range []struct {
		name, v string
		to      *time.Time
	}{{"from", fv.From, &f.From}, {"to", fv.To, &f.To}} {
		if x.v != "" {
			t, err := time.Parse("2006-01-02", x.v)
			if err != nil {
				return f, 1, invalid(x.name, "%s must be a date, YYYY-MM-DD", x.name)
			}
			*x.to = t
		}
	}
	if fv.MinScore != "" {
		v, err := strconv.ParseFloat(fv.MinScore, 64)
		if err != nil || v < 0 || v > 100 {
			return f, 1, invalid("min_score", "min_score is a number from 0 to 100")
		}
		f.MinScore = &v
	}
	page := 1
	if pageArg != "" {
		n, err := strconv.Atoi(pageArg)
		if err != nil || n < 1 || n > 100000 {
			return f, 1, invalid("page", "page is a number from 1")
		}
		page = n
	}
	return f, page, nil
}

// localMessage is an error's message in the page's language.
func localMessage(err error, l string) string {
	if e := hireflow.AsError(err); e != nil {
		if l == "zh" && e.MessageZH != "" {
			return e.MessageZH
		}
		return e.Message
	}
	return err.Error()
}
