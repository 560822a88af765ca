package api

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
	"github.com/hireflow/hireflow/workflows"
)

// navLink is one entry of the console's navigation, shown only to roles that may use it.
type navLink struct {
	Href, Key string
	Current   bool
	Count     int // items waiting (the home page's inbox)
}

// consoleNav lists the console sections the role may open.
func consoleNav(r hireflow.Role, current string) []navLink {
	var out []navLink
	add := func(href, key string, act action) {
		if roleMay(act, r) {
			out = append(out, navLink{Href: href, Key: key, Current: href == current})
		}
	}
	add("/console", "nav.home", actJobsRead)
	add("/console/jobs", "nav.jobs", actBoardRead)
	add("/console/analytics", "nav.analytics", actAnalyticsRead)
	add("/console/analytics/audits", "nav.audits", actAnalyticsRead)
	add("/console/schedule", "nav.schedule", actScheduleRead)
	add("/console/audit-log", "nav.audit_log", actAuditLogRead)
	add("/console/rulesets", "nav.rules", actRulesRead)
	add("/console/admin", "nav.admin", actUsersAdmin)
	add("/console/account", "nav.account", actAccountSelf)
	add("/console/help", "nav.help", actAccountSelf)
	return out
}

// consoleView is what the console's own pages (home, analytics, audits) show.
type consoleView struct {
	Nav      []navLink
	RoleName string
	Jobs     []jobOption
	Filter   filterView
	Query    string // the filter as a query string, for the export links
	Charts   []chartView
	Error    string
	// Audits page.
	Audits      []auditView
	CanRun      bool
	CanPublish  bool
	CanPropose  bool
	Published   bool
	PublicURL   string
	Proposals   []proposalView
	HomeLinks   []navLink
	FilterError string
	Inbox       []inboxSection
	Log         []store.AuditEntry
	LogFilter   store.AuditFilter
	LogNext     string
	// Account page.
	Account *accountView
	// Guides page and the home page's first-run list.
	Help  *helpView
	Start []startStep
	// Practice runs: the banner of a practice organisation, the home page's start card elsewhere.
	Practice    *practiceView
	CanPractise bool
	// Admin page.
	Admin *adminView
	// Jobs pages.
	CanCreateJob bool
	Education    []string
	Departments  []string // the job designer's department choices
	// Rules pages.
	RuleSets   []store.RuleSetSummary
	RuleEditor *ruleEditorView
}

// inboxSection is one stage of the home page's inbox: what waits there for the viewer.
type inboxSection struct {
	Stage string
	Count int
	Late  int // of the items shown, how many are past the stage's SLA
	Items []inboxEntry
}

type inboxEntry struct {
	Href, Name, Job, Waiting string
	Late                     string // how far past the stage's SLA ("" within it)
}

// stageSLA is how long an application may wait at a stage for a person before reminders and
// escalation start: the organisation's default timings, else the deployment's (a job's own
// timings may shorten them).
func stageSLA(stage string, t hireflow.Timings) time.Duration {
	switch stage {
	case string(hireflow.StageHold):
		return t.HoldSLA.D()
	case string(hireflow.StageReview):
		return t.ReviewSLA.D()
	case "live_round":
		return t.FeedbackSLA.D()
	case string(hireflow.StageOffer):
		return t.ApprovalSLA.D()
	case string(hireflow.StageProbation):
		return t.ProbationLength.D() + t.ProbationSLA.D()
	}
	return 0
}

// orgTimings is the organisation's effective default timings (the deployment's on error).
func (s *Server) orgTimings(c *fiber.Ctx) hireflow.Timings {
	t, err := s.Store.OrgTimings(c.UserContext(), principal(c).OrgID)
	if err != nil {
		t = hireflow.Timings{}
	}
	return effectiveTimings(t, s.deploymentTimings())
}

// inboxStages are the stages whose applications wait for each role's action.
var inboxStages = map[hireflow.Role][]string{
	hireflow.RoleRecruiter:     {string(hireflow.StageHold), string(hireflow.StageOffer), string(hireflow.StageProbation)},
	hireflow.RoleHiringManager: {string(hireflow.StageReview), "live_round", string(hireflow.StageProbation)},
	hireflow.RoleInterviewer:   {"live_round", string(hireflow.StageReview)},
}

type jobOption struct {
	ID, Title string
	Selected  bool
}

type filterView struct{ JobID, From, To, Source, Language string }

// chartView is one chart: an SVG drawn on the server and the table behind it.
type chartView struct {
	ID, Title, Note string
	SVG             template.HTML
	Columns         []string
	Rows            [][]string
	Export          string // the API path of its CSV/XLSX
	CSV, XLSX       string
}

type auditView struct {
	ID, Period, Created, Trigger string
	Records                      int
	Below                        []string
	Families                     []familyView
}

type familyView struct {
	Name  string
	Rates []rules.AuditRate
}

type proposalView struct {
	ID, JobTitle, Created, Trigger string
	RuleSetID                      string
	DraftVersion, N, BelowGate     int
	Weights                        string
}

// consoleData starts a console page: branding, language, navigation.
func (s *Server) consoleData(c *fiber.Ctx, titleKey, current string) (pageData, error) {
	p := principal(c)
	org, err := s.Store.OrgGet(c.UserContext(), p.OrgID)
	if err != nil {
		return pageData{}, err
	}
	l := lang(c)
	d := pageData{Lang: l, Title: translate(l, titleKey), OrgName: org.Name, BrandLine: org.BrandLine, Color: org.Color,
		LogoURL: org.LogoURL, Role: string(p.Role), Wide: true}
	d.Console, err = s.consoleChrome(c, current)
	return d, err
}

// consoleChrome is what every staff page carries around its content: the navigation the role
// may use and, in a practice organisation, the practice banner.
func (s *Server) consoleChrome(c *fiber.Ctx, current string) (*consoleView, error) {
	p := principal(c)
	v := &consoleView{Nav: consoleNav(p.Role, current), RoleName: translateValue(lang(c), "role.", string(p.Role))}
	of, err := s.Store.OrgPracticeOf(c.UserContext(), p.OrgID)
	if err != nil {
		return v, err
	}
	if of != "" {
		home, err := s.Store.OrgGet(c.UserContext(), of)
		if err != nil {
			return v, err
		}
		v.Practice = &practiceView{Roles: practiceRoles, Current: p.Role, HomeSlug: home.Slug}
	}
	return v, nil
}

// consoleHome is where signing in lands: what the role may open.
func (s *Server) consoleHome(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.home", "/console")
	if err != nil {
		return err
	}
	for _, n := range d.Console.Nav {
		if n.Href != "/console" {
			d.Console.HomeLinks = append(d.Console.HomeLinks, n)
		}
	}
	p := principal(c)
	if d.Console.Start, err = s.gettingStarted(c); err != nil {
		return err
	}
	if d.Console.Practice == nil && roleMay(actPracticeRun, p.Role) {
		d.Console.CanPractise = true
		jobs, err := s.Store.JobTitles(c.UserContext(), p.OrgID, 50)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			d.Console.Jobs = append(d.Console.Jobs, jobOption{ID: j[0], Title: j[1]})
		}
	}
	total := 0
	if stages := inboxStages[p.Role]; len(stages) > 0 {
		fp := s.fieldPolicy(c.UserContext(), p)
		withName := fp.sees(fName)
		mine, err := s.assignedSet(c.UserContext(), p)
		if err != nil {
			return err
		}
		items, counts, err := s.Store.Inbox(c.UserContext(), p.OrgID, stages, 100, withName)
		if err != nil {
			return err
		}
		timings := s.orgTimings(c)
		for _, st := range stages {
			sec := inboxSection{Stage: st, Count: counts[st]}
			for _, it := range items {
				if string(it.Stage) == st && (mine == nil || mine[it.ApplicationID]) {
					waited := time.Since(it.Since)
					e := inboxEntry{Href: "/console/applications/" + it.ApplicationID, Name: fp.show(fName, it.CandidateName),
						Job: it.JobTitle, Waiting: span(waited.Seconds(), d.Lang)}
					if sla := stageSLA(st, timings); sla > 0 && waited > sla {
						e.Late = span((waited - sla).Seconds(), d.Lang)
						sec.Late++
					}
					sec.Items = append(sec.Items, e)
				}
			}
			total += sec.Count
			d.Console.Inbox = append(d.Console.Inbox, sec)
		}
		if withName && len(items) > 0 {
			_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "candidate.read", "inbox", "", map[string]any{"count": len(items), "fields": []string{"name"}})
		}
	}
	// Offers waiting for the viewer's approval, for every role a chain may name (admins too).
	if roleMay(actOfferApprove, p.Role) {
		sec, err := s.approvalsWaiting(c, p, d.Lang)
		if err != nil {
			return err
		}
		if sec.Count > 0 {
			d.Console.Inbox = append([]inboxSection{sec}, d.Console.Inbox...)
			total += sec.Count
		}
	}
	for i := range d.Console.Nav {
		if d.Console.Nav[i].Href == "/console" {
			d.Console.Nav[i].Count = total
		}
	}
	return s.render(c, fiber.StatusOK, "console.html", d)
}

// analyticsPage draws every metric of the analytics API for the filter, each chart with its
// table and export links; the numbers are the API's (the same store queries over the views).
func (s *Server) analyticsPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.analytics", "/console/analytics")
	if err != nil {
		return err
	}
	v := d.Console
	ctx, org, l := c.UserContext(), principal(c).OrgID, d.Lang
	f, ferr := analyticsFilter(c)
	status := fiber.StatusOK
	if ferr != nil {
		v.FilterError = localMessage(ferr, l)
		f = store.AnalyticsFilter{}
		status = fiber.StatusUnprocessableEntity
	}
	v.Filter = filterView{JobID: f.JobID, Source: f.Source, Language: f.Language}
	if !f.From.IsZero() {
		v.Filter.From = f.From.Format("2006-01-02")
	}
	if !f.To.IsZero() {
		v.Filter.To = f.To.Format("2006-01-02")
	}
	q := url.Values{}
	for k, val := range map[string]string{"job": v.Filter.JobID, "from": v.Filter.From, "to": v.Filter.To} {
		if val != "" {
			q.Set(k, val)
		}
	}
	v.Query = q.Encode()
	jobs, err := s.Store.JobList(ctx, org, 200)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		t := j.Title
		if l == "zh" && j.TitleZH != "" {
			t = j.TitleZH
		}
		v.Jobs = append(v.Jobs, jobOption{ID: j.ID, Title: t, Selected: j.ID == f.JobID})
	}
	withQ := func(path string, extra url.Values) string {
		qq := url.Values{}
		for k, vs := range q {
			qq[k] = vs
		}
		for k, vs := range extra {
			qq[k] = vs
		}
		if e := qq.Encode(); e != "" {
			return path + "?" + e
		}
		return path
	}

	funnel, err := s.Store.Funnel(ctx, org, f)
	if err != nil {
		return err
	}
	fq := url.Values{}
	if f.Source != "" {
		fq.Set("source", f.Source)
	}
	if f.Language != "" {
		fq.Set("language", f.Language)
	}
	ch := chartView{ID: "funnel", Title: translate(l, "an.funnel"), Note: translate(l, "an.funnel.note"), Export: withQ("/api/v1/analytics/funnel", fq),
		Columns: []string{translate(l, "an.step"), translate(l, "an.applications"), translate(l, "an.conversion"), translate(l, "an.dropoff")}}
	var labels []string
	var vals []float64
	for _, st := range funnel {
		labels = append(labels, translateValue(l, "an.step.", st.Step))
		vals = append(vals, float64(st.Applications))
		ch.Rows = append(ch.Rows, []string{translateValue(l, "an.step.", st.Step), strconv.FormatInt(st.Applications, 10), pct(st.Conversion), strconv.FormatInt(st.DropOff, 10)})
	}
	ch.SVG = barChart("funnel", ch.Title, labels, [][]float64{vals}, nil, count)
	v.Charts = append(v.Charts, ch)

	durs, err := s.Store.StageDurations(ctx, org, f)
	if err != nil {
		return err
	}
	ch = chartView{ID: "durations", Title: translate(l, "an.durations"), Note: translate(l, "an.durations.note"), Export: withQ("/api/v1/analytics/stage-durations", nil),
		Columns: []string{translate(l, "an.stage"), translate(l, "an.applications"), "p50", "p90"}}
	labels, vals = nil, nil
	var p90 []float64
	for _, st := range durs {
		labels = append(labels, translateValue(l, "an.stage.", st.Stage))
		vals, p90 = append(vals, st.P50Seconds), append(p90, st.P90Seconds)
		ch.Rows = append(ch.Rows, []string{translateValue(l, "an.stage.", st.Stage), strconv.FormatInt(st.Applications, 10), span(st.P50Seconds, l), span(st.P90Seconds, l)})
	}
	ch.SVG = barChart("durations", ch.Title, labels, [][]float64{vals, p90}, []string{"p50", "p90"}, func(x float64) string { return span(x, l) })
	v.Charts = append(v.Charts, ch)

	// The further metrics: each one chart of its first label columns against its value column.
	for _, m := range []struct {
		name, title string
		label       func(r []any) string
		value       int
		format      func(float64) string
	}{
		{"sources", "an.sources", func(r []any) string { return cell(r[0]) + " · " + translateValue(l, "an.step.", cell(r[2])) }, 3, count},
		{"offers", "an.offers", func(r []any) string {
			return translateValue(l, "an.offer.", cell(r[0])) + reasonSuffix(cell(r[1]))
		}, 2, count},
		{"time-to-hire", "an.time_to_hire", nil, 0, nil},
		{"report-times", "an.report_times", nil, 0, nil},
		{"show-up", "an.show_up", nil, 0, nil},
		{"sla-breaches", "an.sla", func(r []any) string { return translateValue(l, "an.kind.", cell(r[0])) }, 2, count},
		{"sla-by-person", "an.sla_person", func(r []any) string { return cell(r[0]) }, 3, count},
		{"reviewer-load", "an.reviewer_load", func(r []any) string { return cell(r[0]) }, 2, count},
		{"interviewer-load", "an.interviewer_load", func(r []any) string { return cell(r[0]) }, 2, count},
	} {
		met, err := s.Store.MetricGet(ctx, org, m.name, f)
		if err != nil {
			return err
		}
		ch := chartView{ID: m.name, Title: translate(l, m.title), Note: translate(l, m.title+".note"), Export: withQ("/api/v1/analytics/metrics/"+m.name, nil)}
		for _, col := range met.Columns {
			ch.Columns = append(ch.Columns, translateValue(l, "an.col.", col))
		}
		for _, r := range met.Rows {
			row := make([]string, len(r))
			for i, x := range r {
				row[i] = cell(x)
				if t, ok := x.(time.Time); ok {
					row[i] = t.UTC().Format("2006-01-02")
				}
				if strings.HasSuffix(met.Columns[i], "_seconds") {
					row[i] = span(num(x), l)
				}
			}
			ch.Rows = append(ch.Rows, row)
		}
		if m.label == nil { // a summary: n, p50, p90 (or rounds, attended, share) as tiles
			ch.SVG = tiles(met, l)
		} else {
			// Sum the value per label (weeks and kinds fold into one bar per label).
			sums := map[string]float64{}
			var order []string
			for _, r := range met.Rows {
				k := m.label(r)
				if _, seen := sums[k]; !seen {
					order = append(order, k)
				}
				sums[k] += num(r[m.value])
			}
			vals := make([]float64, len(order))
			for i, k := range order {
				vals[i] = sums[k]
			}
			if len(order) > 20 {
				order, vals = order[:20], vals[:20]
				ch.Note += " " + translate(l, "an.first20")
			}
			ch.SVG = barChart(m.name, ch.Title, order, [][]float64{vals}, nil, m.format)
		}
		v.Charts = append(v.Charts, ch)
	}
	for i := range v.Charts {
		sep := "?"
		if strings.Contains(v.Charts[i].Export, "?") {
			sep = "&"
		}
		v.Charts[i].CSV, v.Charts[i].XLSX = v.Charts[i].Export+sep+"format=csv", v.Charts[i].Export+sep+"format=xlsx"
	}
	return s.render(c, status, "analytics.html", d)
}

func reasonSuffix(r string) string {
	if r == "" {
		return ""
	}
	return " · " + r
}

func num(x any) float64 {
	switch v := x.(type) {
	case int64:
		return float64(v)
	case int32:
		return float64(v)
	case int:
		return float64(v)
	case float64:
		return v
	case float32:
		return float64(v)
	}
	f, _ := strconv.ParseFloat(cell(x), 64)
	return f
}

func count(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

// span writes seconds as minutes, hours or days.
func span(sec float64, l string) string {
	unit := func(en, zh string) string {
		if l == "zh" {
			return zh
		}
		return en
	}
	switch {
	case sec < 3600:
		return strconv.FormatFloat(sec/60, 'f', 1, 64) + unit(" min", " 分钟")
	case sec < 72*3600:
		return strconv.FormatFloat(sec/3600, 'f', 1, 64) + unit(" h", " 小时")
	}
	return strconv.FormatFloat(sec/86400, 'f', 1, 64) + unit(" d", " 天")
}

// tiles draws a one-row metric as figures side by side.
func tiles(m store.Metric, l string) template.HTML {
	if len(m.Rows) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<div class="tiles">`)
	for i, col := range m.Columns {
		x := m.Rows[0][i]
		val := cell(x)
		switch {
		case strings.HasSuffix(col, "_seconds"):
			val = span(num(x), l)
		case col == "share":
			val = pct(num(x))
		}
		fmt.Fprintf(&b, `<div class="tile"><div class="v">%s</div><div class="k">%s</div></div>`, html.EscapeString(val), html.EscapeString(translateValue(l, "an.col.", col)))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

var seriesColors = []string{"var(--brand)", "#8c959f"}

// barChart draws horizontal bars, one group per label and one bar per series, scaled to the
// largest value; every text is escaped. It fits any width (viewBox) and reads on a phone.
func barChart(id, title string, labels []string, series [][]float64, names []string, format func(float64) string) template.HTML {
	if len(labels) == 0 {
		return template.HTML(`<p class="muted">—</p>`)
	}
	const w, labelW, valueW, barH, gap = 640.0, 190.0, 90.0, 16.0, 10.0
	group := barH*float64(len(series)) + gap
	top := 8.0
	if len(names) > 0 {
		top = 30
	}
	h := top + group*float64(len(labels)) + 4
	max := 0.0
	for _, s := range series {
		for _, x := range s {
			max = math.Max(max, x)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="%s-t" class="chart"><title id="%s-t">%s</title>`,
		w, h, id, id, html.EscapeString(title))
	for i, n := range names {
		fmt.Fprintf(&b, `<rect x="%.0f" y="6" width="12" height="12" style="fill:%s"/><text x="%.0f" y="16" font-size="13">%s</text>`,
			labelW+float64(i)*80, seriesColors[i%len(seriesColors)], labelW+float64(i)*80+16, html.EscapeString(n))
	}
	for i, lab := range labels {
		y := top + float64(i)*group
		short := lab
		if utf8.RuneCountInString(short) > 22 {
			short = string([]rune(short)[:21]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="13" text-anchor="end"><title>%s</title>%s</text>`, labelW-8, y+barH*float64(len(series))/2+4,
			html.EscapeString(lab), html.EscapeString(short))
		for si, s := range series {
			x := 0.0
			if i < len(s) {
				x = s[i]
			}
			bw := 0.0
			if max > 0 {
				bw = (w - labelW - valueW) * x / max
			}
			by := y + float64(si)*barH
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" style="fill:%s"/>`, labelW, by, math.Max(bw, 1), barH-2, seriesColors[si%len(seriesColors)])
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="12">%s</text>`, labelW+math.Max(bw, 1)+4, by+barH-5, html.EscapeString(format(x)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// auditsPage lists the stored bias audits with their ratios per job family, where their
// alerts went, the calibration proposals, and the actions the role may take.
func (s *Server) auditsPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.audits", "/console/analytics/audits")
	if err != nil {
		return err
	}
	v, p, ctx := d.Console, principal(c), c.UserContext()
	v.CanRun, v.CanPublish, v.CanPropose = roleMay(actBiasAuditRun, p.Role), roleMay(actAuditPublish, p.Role), roleMay(actCalibrationPropose, p.Role)
	org, err := s.Store.OrgGet(ctx, p.OrgID)
	if err != nil {
		return err
	}
	v.Published, v.PublicURL = org.AuditPublished, "/audits/"+org.Slug
	list, err := s.Store.BiasAuditList(ctx, p.OrgID, 24)
	if err != nil {
		return err
	}
	for _, a := range list {
		v.Audits = append(v.Audits, viewAudit(a))
	}
	jobs, err := s.Store.JobList(ctx, p.OrgID, 200)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, j := range jobs {
		titles[j.ID] = j.Title
		v.Jobs = append(v.Jobs, jobOption{ID: j.ID, Title: j.Title})
	}
	props, err := s.Store.CalibrationProposals(ctx, p.OrgID, "", 20)
	if err != nil {
		return err
	}
	for _, pr := range props {
		pv := proposalView{ID: pr.ID, JobTitle: titles[pr.JobID], Created: pr.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Trigger: pr.Trigger,
			RuleSetID: pr.RuleSetID, DraftVersion: pr.DraftVersion, N: pr.Evidence.N, Weights: rules.WeightsRule(pr.Evidence.Proposed)}
		if pr.Simulation != nil {
			pv.BelowGate = len(pr.Simulation.Below)
		}
		v.Proposals = append(v.Proposals, pv)
	}
	return s.render(c, fiber.StatusOK, "audits.html", d)
}

func viewAudit(a store.BiasAudit) auditView {
	av := auditView{ID: a.ID, Period: a.PeriodStart.Format("2006-01-02") + " – " + a.PeriodEnd.AddDate(0, 0, -1).Format("2006-01-02"),
		Created: a.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Trigger: a.Trigger, Records: a.Report.Records, Below: a.Report.Below}
	av.Families = append(av.Families, familyView{Name: "", Rates: a.Report.Rates})
	for _, name := range sortedFamilies(a.Report.Families) {
		av.Families = append(av.Families, familyView{Name: name, Rates: a.Report.Families[name].Rates})
	}
	return av
}

func sortedFamilies(m map[string]rules.AuditReport) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// publicAuditPage is the summary NYC LL144 asks employers to publish: the latest audit's
// date, the data counts and every rate and impact ratio, per job family; nothing else. It
// answers 404 for an organisation that has not published (or does not exist) alike.
func (s *Server) publicAuditPage(c *fiber.Ctx) error {
	l := lang(c)
	slug := c.Params("slug")
	if len(slug) > 64 {
		return s.renderError(c, fiber.StatusNotFound, "audit_not_found", translate(l, "audit.none"))
	}
	pa, err := s.Store.PublicAuditBySlug(c.UserContext(), slug)
	if err != nil {
		if hireflow.ErrorKind(err) == hireflow.KindNotFound {
			return s.renderError(c, fiber.StatusNotFound, "audit_not_found", translate(l, "audit.none"))
		}
		return err
	}
	d := pageData{Lang: l, Title: translate(l, "audit.public"), OrgName: pa.OrgName, Color: pa.Color, Wide: true,
		Console: &consoleView{Audits: []auditView{viewAudit(pa.Audit)}}}
	return s.render(c, fiber.StatusOK, "public_audit.html", d)
}

// approvalsWaiting is the inbox's section of offers whose approval chain waits for the viewer —
// named by role or as a user in the step now open (asked of each chain's workflow).
func (s *Server) approvalsWaiting(c *fiber.Ctx, p hireflow.Principal, l string) (inboxSection, error) {
	sec, timings := inboxSection{Stage: "approvals"}, s.orgTimings(c)
	offers, err := s.Store.ApprovingOffers(c.UserContext(), p.OrgID, 50)
	if err != nil {
		return sec, err
	}
	mine, err := s.assignedSet(c.UserContext(), p)
	if err != nil {
		return sec, err
	}
	for _, o := range offers {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		v, err := s.Workflows.QueryWorkflow(ctx, "approval/"+o.OfferID, "", workflows.QueryApprovalState)
		cancel()
		if err != nil {
			continue // a chain that does not answer now shows next time
		}
		var st workflows.ApprovalState
		if v.Get(&st) != nil || !(slices.Contains(st.Waiting, string(p.Role)) || slices.Contains(st.Waiting, "user:"+p.UserID)) {
			continue
		}
		if mine != nil && p.Role != hireflow.RoleHiringManager && !mine[o.ApplicationID] {
			continue
		}
		waited := time.Since(o.Since)
		e := inboxEntry{Href: "/console/applications/" + o.ApplicationID, Job: o.JobTitle, Waiting: span(waited.Seconds(), l)}
		if !roleMay(actApplicationsRead, p.Role) {
			e.Href = "/console/offers/" + o.OfferID // approvers who open no application decide on the terms
		}
		if sla := timings.ApprovalSLA.D(); sla > 0 && waited > sla {
			e.Late, sec.Late = span((waited-sla).Seconds(), l), sec.Late+1
		}
		sec.Items = append(sec.Items, e)
	}
	sec.Count = len(sec.Items)
	return sec, nil
}
