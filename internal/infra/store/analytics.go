package store

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/rules"
)

// analystRoleRe is the shape of an analyst's database login.
var analystRoleRe = regexp.MustCompile(`^[a-z][a-z0-9_]{2,62}$`)

// AnalyticsGrant creates (or updates the password of) a read-only database login that reads
// the organisation's pseudonymised analytics views and nothing else.
func (s *Store) AnalyticsGrant(ctx context.Context, orgID, role, password string) error {
	if !analystRoleRe.MatchString(role) {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_role", "role", "a role name is 3 to 63 lower-case letters, digits and _")
	}
	if len(password) < 12 {
		return hireflow.Errorf(hireflow.KindInvalid, "weak_password", "password", "the password needs at least 12 characters")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).Scan(&exists); err != nil {
			return err
		}
		ident := pgx.Identifier{role}.Sanitize()
		pw := quoteLiteral(password)
		stmt := "CREATE ROLE " + ident + " LOGIN PASSWORD " + pw + " IN ROLE hireflow_analysts"
		if exists {
			var member bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
				JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'hireflow_analysts' AND u.rolname = $1)`, role).Scan(&member); err != nil {
				return err
			}
			if !member {
				return hireflow.Errorf(hireflow.KindConflict, "role_taken", "role", "a database role of that name exists and is not an analyst")
			}
			stmt = "ALTER ROLE " + ident + " LOGIN PASSWORD " + pw
		}
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("store: unable to create the analyst role: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO analytics_grants (role_name, org_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, role, orgID)
		return err
	})
}

// quoteLiteral quotes a string as an SQL literal (CREATE ROLE takes no parameters).
func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// AnalyticsFilter narrows a metric: a job, and a period of application dates.
type AnalyticsFilter struct {
	JobID    string
	From, To time.Time // applied at or after From, before To; zero: open
	// Source and Language narrow the funnel to applications of that source code (the careers
	// page's ?source=; "none" for applications that gave none) and that language.
	Source, Language string
}

// FunnelStep is one step of the funnel with the applications that reached it.
type FunnelStep struct {
	Position     int     `json:"position"`
	Step         string  `json:"step"`
	Applications int64   `json:"applications"`
	Conversion   float64 `json:"conversion"` // of the step before (1 for the first; 0 after a step nobody reached)
	DropOff      int64   `json:"drop_off"`   // applications that did not reach the next step
}

// Funnel counts the applications that reached each step, from the analytics views.
func (s *Store) Funnel(ctx context.Context, orgID string, f AnalyticsFilter) ([]FunnelStep, error) {
	rows, err := s.db.Query(ctx, `SELECT st.position, st.step, coalesce(sum(fu.applications), 0)::bigint
		FROM analytics.funnel_steps st
		LEFT JOIN analytics.funnel fu ON fu.position = st.position AND fu.org_id = $1
			AND ($2::uuid IS NULL OR fu.job_id = $2)
			AND ($3::timestamptz IS NULL OR fu.month >= date_trunc('month', $3::timestamptz))
			AND ($4::timestamptz IS NULL OR fu.month < $4::timestamptz)
			AND ($5::text IS NULL OR fu.source = $5) AND ($6::text IS NULL OR fu.language = $6)
		GROUP BY st.position, st.step ORDER BY st.position`, orgID, nilIfEmpty(f.JobID), nilTime(f.From), nilTime(f.To), sourceArg(f.Source), nilIfEmpty(f.Language))
	if err != nil {
		return nil, fmt.Errorf("store: funnel: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (FunnelStep, error) {
		var st FunnelStep
		return st, r.Scan(&st.Position, &st.Step, &st.Applications)
	})
	for i := range out {
		switch {
		case i == 0:
			out[i].Conversion = 1
		case out[i-1].Applications > 0:
			out[i].Conversion = float64(out[i].Applications) / float64(out[i-1].Applications)
		} // after a step nobody reached, 0
		if i+1 < len(out) {
			out[i].DropOff = out[i].Applications - out[i+1].Applications
		}
	}
	return out, err
}

// StageDuration is how long applications stayed in a stage.
type StageDuration struct {
	Stage        string  `json:"stage"`
	Applications int64   `json:"applications"`
	P50Seconds   float64 `json:"p50_seconds"`
	P90Seconds   float64 `json:"p90_seconds"`
}

// stageOrder is the order stages are listed in (others follow, by name).
var stageOrder = []string{"screening", "hold", "invited", "interview", "review", "offer", "onboarding", "probation"}

// StageDurations reads time in stage (p50, p90, interpolated as percentile_cont does) for
// applications that left each stage, from analytics.events. Without a period it reads each
// percentile by its position in the duration index (a few index probes, not a sort of every
// event); with one, it sorts the period's events.
func (s *Store) StageDurations(ctx context.Context, orgID string, f AnalyticsFilter) ([]StageDuration, error) {
	query := `WITH s AS (
			SELECT t.stage, sum(t.applications)::bigint AS n FROM analytics.stage_totals t
			WHERE t.org_id = $1 AND ($2::uuid IS NULL OR t.job_id = $2)
			GROUP BY t.stage HAVING sum(t.applications) > 0)
		SELECT s.stage, s.n, p50.v, p90.v FROM s
		CROSS JOIN LATERAL (SELECT analytics_interpolate(array_agg(x ORDER BY x), 0.5 * (s.n - 1)) AS v FROM (
			SELECT e.seconds_in_stage AS x FROM analytics.events e
			WHERE e.org_id = $1 AND e.left_at IS NOT NULL AND e.stage = s.stage AND ($2::uuid IS NULL OR e.job_id = $2)
			ORDER BY e.seconds_in_stage OFFSET floor(0.5 * (s.n - 1)) LIMIT 2) q) p50
		CROSS JOIN LATERAL (SELECT analytics_interpolate(array_agg(x ORDER BY x), 0.9 * (s.n - 1)) AS v FROM (
			SELECT e.seconds_in_stage AS x FROM analytics.events e
			WHERE e.org_id = $1 AND e.left_at IS NOT NULL AND e.stage = s.stage AND ($2::uuid IS NULL OR e.job_id = $2)
			ORDER BY e.seconds_in_stage OFFSET floor(0.9 * (s.n - 1)) LIMIT 2) q) p90`
	args := []any{orgID, nilIfEmpty(f.JobID)}
	if !f.From.IsZero() || !f.To.IsZero() {
		query = `SELECT e.stage, count(*),
				percentile_cont(0.5) WITHIN GROUP (ORDER BY e.seconds_in_stage),
				percentile_cont(0.9) WITHIN GROUP (ORDER BY e.seconds_in_stage)
			FROM analytics.events e
			WHERE e.org_id = $1 AND e.left_at IS NOT NULL AND ($2::uuid IS NULL OR e.job_id = $2)
				AND ($3::timestamptz IS NULL OR e.at >= $3) AND ($4::timestamptz IS NULL OR e.at < $4)
			GROUP BY e.stage`
		args = append(args, nilTime(f.From), nilTime(f.To))
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: stage durations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StageDuration, error) {
		var d StageDuration
		return d, r.Scan(&d.Stage, &d.Applications, &d.P50Seconds, &d.P90Seconds)
	})
	rank := func(st string) int {
		if i := slices.Index(stageOrder, st); i >= 0 {
			return i
		}
		return len(stageOrder)
	}
	slices.SortStableFunc(out, func(a, b StageDuration) int {
		if c := rank(a.Stage) - rank(b.Stage); c != 0 {
			return c
		}
		return strings.Compare(a.Stage, b.Stage)
	})
	return out, err
}

// sourceArg is the funnel's source filter: nil for all, ” for applications without one.
func sourceArg(src string) *string {
	switch src {
	case "":
		return nil
	case "none":
		src = ""
	}
	return &src
}

func nilTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ApplicationEvent records that a step happened (a decision was made) at the stage the
// application has, without moving it; once per key.
func (s *Store) ApplicationEvent(ctx context.Context, orgID, appID, eventKey string) error {
	_, err := s.db.Exec(ctx, `INSERT INTO application_events (org_id, application_id, stage, status, event_key)
		SELECT org_id, id, stage, status, $3 FROM applications WHERE org_id = $1 AND id = $2
		ON CONFLICT (application_id, event_key) DO NOTHING`, orgID, appID, eventKey)
	if err != nil {
		return fmt.Errorf("store: unable to record event: %w", err)
	}
	return nil
}

// ApplicationJob is the job of an application of the organisation.
func (s *Store) ApplicationJob(ctx context.Context, orgID, appID string) (string, error) {
	var job string
	err := s.db.QueryRow(ctx, `SELECT job_id FROM applications WHERE org_id = $1 AND id = $2`, orgID, appID).Scan(&job)
	return job, notFound(err, "application_not_found", "application")
}

// ApplicationOrg finds the organisation of an application (operator tools that take an ID).
func (s *Store) ApplicationOrg(ctx context.Context, appID string) (string, error) {
	var org string
	if err := s.db.QueryRow(ctx, `SELECT org_id FROM applications WHERE id = $1`, appID).Scan(&org); err != nil {
		return "", notFound(err, "application_not_found", "application")
	}
	return org, nil
}

// ApplicationEvent is one stage an application entered.
type ApplicationEvent struct {
	EventKey string     `json:"event_key"`
	Stage    string     `json:"stage"`
	Status   string     `json:"status"`
	At       time.Time  `json:"at"`
	LeftAt   *time.Time `json:"left_at,omitempty"`
}

// ApplicationEvents lists an application's stage events in order.
func (s *Store) ApplicationEvents(ctx context.Context, orgID, appID string) ([]ApplicationEvent, error) {
	return listOf(ctx, s.db, "events", func(r pgx.Row) (ApplicationEvent, error) {
		var e ApplicationEvent
		return e, r.Scan(&e.EventKey, &e.Stage, &e.Status, &e.At, &e.LeftAt)
	}, `SELECT event_key, stage, status, at, left_at FROM application_events WHERE org_id = $1 AND application_id = $2 ORDER BY at, id`, orgID, appID)
}

// Metric is a table of one analytics metric: its columns and rows, as the views give them.
type Metric struct {
	Columns []string `json:"columns"`
	Rows    [][]any  `json:"rows"`
}

// metricQueries are the metrics beyond the funnel and stage times, each over an analytics view
// ($1 organisation, $2 job or NULL, $3 and $4 the period or NULL).
var metricQueries = map[string]string{
	// Offer acceptance: each answered status with its reason and share of the answered offers.
	"offers": `SELECT status, response_reason, sum(offers)::bigint AS offers,
			round(sum(offers) / sum(sum(offers)) OVER (), 4)::float8 AS share
		FROM analytics.offer_outcomes WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR month >= date_trunc('month', $3::timestamptz)) AND ($4::timestamptz IS NULL OR month < $4)
		GROUP BY status, response_reason ORDER BY status, response_reason`,
	"time-to-hire": percentiles("hires", "seconds_to_hire", "hired_at"),
	"reviewer-load": `SELECT reviewer, week, sum(reviews)::bigint AS reviews FROM analytics.reviewer_load
		WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR week >= date_trunc('week', $3::timestamptz)) AND ($4::timestamptz IS NULL OR week < $4)
		GROUP BY reviewer, week ORDER BY week, reviewer`,
	"sla-breaches": `SELECT kind, week, sum(reminders)::bigint AS reminders FROM analytics.sla_breaches
		WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR week >= date_trunc('week', $3::timestamptz)) AND ($4::timestamptz IS NULL OR week < $4)
		GROUP BY kind, week ORDER BY week, kind`,
	"report-times": percentiles("report_times", "seconds_to_report", "report_at"),
	// The funnel by source: each source (none: applications that gave none) and step.
	"sources": `SELECT coalesce(nullif(source, ''), 'none') AS source, position, step, sum(applications)::bigint AS applications
		FROM analytics.funnel WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR month >= date_trunc('month', $3::timestamptz)) AND ($4::timestamptz IS NULL OR month < $4)
		GROUP BY 1, position, step ORDER BY 1, position`,
	// SLA breaches by the person each reminder or escalation went to (a pseudonym), per week.
	"sla-by-person": `SELECT person, kind, week, sum(reminders)::bigint AS reminders FROM analytics.sla_breaches_by_person
		WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR week >= date_trunc('week', $3::timestamptz)) AND ($4::timestamptz IS NULL OR week < $4)
		GROUP BY person, kind, week ORDER BY week, person, kind`,
	// Show-up: live rounds with feedback, those the candidate came to, and the share.
	"show-up": `SELECT count(*) AS rounds, count(*) FILTER (WHERE attended) AS attended,
			coalesce(round(count(*) FILTER (WHERE attended)::numeric / nullif(count(*), 0), 4), 0)::float8 AS share
		FROM analytics.live_rounds WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR first_feedback_at >= $3) AND ($4::timestamptz IS NULL OR first_feedback_at < $4)`,
	// Interviewer load: live-round feedback given per interviewer (a pseudonym) and week.
	"interviewer-load": `SELECT interviewer, week, sum(rounds)::bigint AS rounds FROM analytics.interviewer_load
		WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR week >= date_trunc('week', $3::timestamptz)) AND ($4::timestamptz IS NULL OR week < $4)
		GROUP BY interviewer, week ORDER BY week, interviewer`,
}

// percentiles is a metric of how many rows a view has and the p50 and p90 of one of its
// columns, over a period of another (names are constants of this file, never input).
func percentiles(view, col, at string) string {
	return `SELECT count(*) AS n, coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ` + col + `), 0) AS p50_seconds,
			coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY ` + col + `), 0) AS p90_seconds
		FROM analytics.` + view + ` WHERE org_id = $1 AND ($2::uuid IS NULL OR job_id = $2)
			AND ($3::timestamptz IS NULL OR ` + at + ` >= $3) AND ($4::timestamptz IS NULL OR ` + at + ` < $4)`
}

// MetricNames lists the metrics MetricGet answers.
func MetricNames() []string { return slices.Sorted(maps.Keys(metricQueries)) }

// MetricGet computes one named metric for the organisation.
func (s *Store) MetricGet(ctx context.Context, orgID, name string, f AnalyticsFilter) (Metric, error) {
	q, ok := metricQueries[name]
	if !ok {
		return Metric{}, hireflow.Errorf(hireflow.KindNotFound, "metric_not_found", "metric", "no metric %q: one of %v", name, MetricNames())
	}
	rows, err := s.db.Query(ctx, q, orgID, nilIfEmpty(f.JobID), nilTime(f.From), nilTime(f.To))
	if err != nil {
		return Metric{}, fmt.Errorf("store: metric %s: %w", name, err)
	}
	defer rows.Close()
	m := Metric{Rows: [][]any{}}
	for _, fd := range rows.FieldDescriptions() {
		m.Columns = append(m.Columns, fd.Name)
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return m, err
		}
		m.Rows = append(m.Rows, vals)
	}
	return m, rows.Err()
}

// BiasAuditRecords loads the automated decisions of a period (the latest of each kind per
// application, screening and routing), the interview score of each application scored in it
// (the mean of its answers' overall scores), with the candidates' self-identified groups and
// job families, and the rule-set versions in force, for a bias audit. The groups leave this
// function only inside the audit's aggregates.
func (s *Store) BiasAuditRecords(ctx context.Context, orgID string, from, to time.Time) ([]rules.AuditRecord, map[string][]int, error) {
	rows, err := s.db.Query(ctx, `SELECT x.application_id, x.point, x.outcome, x.score, x.version, coalesce(nullif(j.family, ''), j.title),
			g.groups_enc, coalesce(g.sex, ''), coalesce(g.age_band, ''), coalesce(g.region, ''), coalesce(g.race_ethnicity, '')
		FROM (SELECT DISTINCT ON (d.application_id, d.kind) d.application_id, d.kind AS point, d.outcome, 0::float8 AS score,
				coalesce(d.rule_version, 0) AS version
			FROM decisions d
			WHERE d.org_id = $1 AND d.kind IN ('screening', 'routing') AND d.created_at >= $2 AND d.created_at < $3
			ORDER BY d.application_id, d.kind, d.created_at DESC) x
		JOIN applications a ON a.id = x.application_id JOIN jobs j ON j.id = a.job_id
		LEFT JOIN application_groups g ON g.application_id = x.application_id
		UNION ALL
		SELECT sc.application_id, 'scoring', '', avg(sc.overall)::float8, 0, coalesce(nullif(j.family, ''), j.title),
			g.groups_enc, coalesce(g.sex, ''), coalesce(g.age_band, ''), coalesce(g.region, ''), coalesce(g.race_ethnicity, '')
		FROM answer_scores sc JOIN applications a ON a.id = sc.application_id JOIN jobs j ON j.id = a.job_id
		LEFT JOIN application_groups g ON g.application_id = sc.application_id
		WHERE sc.org_id = $1
		GROUP BY sc.application_id, j.family, j.title, g.groups_enc, g.sex, g.age_band, g.region, g.race_ethnicity
		HAVING max(sc.created_at) >= $2 AND max(sc.created_at) < $3`, orgID, from, to)
	if err != nil {
		return nil, nil, fmt.Errorf("store: bias audit: %w", err)
	}
	defer rows.Close()
	var out []rules.AuditRecord
	seen := map[string]map[int]bool{}
	for rows.Next() {
		var rec rules.AuditRecord
		var appID string
		var version int
		var g groupColumns
		if err := rows.Scan(&appID, &rec.Point, &rec.Outcome, &rec.Score, &version, &rec.Family, &g.sealed, &g.sex, &g.age, &g.region, &g.race); err != nil {
			return nil, nil, err
		}
		if rec.Groups, err = s.openGroups(appID, g); err != nil {
			return nil, nil, err
		}
		out = append(out, rec)
		if rec.Point == "scoring" {
			continue
		}
		if seen[rec.Point] == nil {
			seen[rec.Point] = map[int]bool{}
		}
		seen[rec.Point][version] = true
	}
	versions := map[string][]int{}
	for p, vs := range seen {
		versions[p] = slices.Sorted(maps.Keys(vs))
	}
	return out, versions, rows.Err()
}

// BiasAudit is one stored audit.
type BiasAudit struct {
	ID           string            `json:"id"`
	PeriodStart  time.Time         `json:"period_start"`
	PeriodEnd    time.Time         `json:"period_end"`
	RuleVersions map[string][]int  `json:"rule_versions"`
	Report       rules.AuditReport `json:"report"`
	Below        int               `json:"below_threshold"`
	Trigger      string            `json:"trigger"`
	CreatedAt    time.Time         `json:"created_at"`
	RunKey       string            `json:"-"`
}

// BiasAuditSave stores an audit once per key (the workflow run), never changing it after.
func (s *Store) BiasAuditSave(ctx context.Context, orgID string, a BiasAudit) (string, error) {
	var id string
	err := s.db.QueryRow(ctx, `WITH ins AS (
			INSERT INTO bias_audits (org_id, period_start, period_end, rule_versions, report, below, trigger, run_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (run_key) DO NOTHING RETURNING id)
		SELECT id FROM ins UNION ALL SELECT id FROM bias_audits WHERE run_key = $8 LIMIT 1`,
		orgID, a.PeriodStart, a.PeriodEnd, a.RuleVersions, a.Report, a.Below, a.Trigger, a.RunKey).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("store: unable to store the bias audit: %w", err)
	}
	return id, nil
}

// BiasAuditList lists an organisation's audits, newest first.
func (s *Store) BiasAuditList(ctx context.Context, orgID string, limit int) ([]BiasAudit, error) {
	return listOf(ctx, s.db, "bias audits", func(r pgx.Row) (BiasAudit, error) {
		var a BiasAudit
		return a, r.Scan(&a.ID, &a.PeriodStart, &a.PeriodEnd, &a.RuleVersions, &a.Report, &a.Below, &a.Trigger, &a.CreatedAt)
	}, `SELECT id, period_start, period_end, rule_versions, report, below, trigger, created_at FROM analytics.bias_audits
		WHERE org_id = $1 ORDER BY created_at DESC LIMIT $2`, orgID, limit)
}

// CalibrationSamples are the hires with a probation evaluation (of one job, of one job family
// — the family's name, or the title of jobs that name none — or all): each dimension's mean
// answer score, the mean overall score (as rules.OverallDimension), and the manager's rating.
func (s *Store) CalibrationSamples(ctx context.Context, orgID, jobID, family string) ([]rules.CalibrationSample, error) {
	rows, err := s.db.Query(ctx, `WITH h AS (
			SELECT p.application, p.rating FROM analytics.probation p JOIN jobs j ON j.id = p.job_id
			WHERE p.org_id = $1 AND ($2::uuid IS NULL OR p.job_id = $2) AND ($3::text IS NULL OR coalesce(nullif(j.family, ''), j.title) = $3))
		SELECT h.application, h.rating, d.key, avg(d.value::float8)
		FROM h JOIN analytics.scores sc ON sc.org_id = $1 AND sc.application = h.application
		CROSS JOIN LATERAL jsonb_each_text(sc.scores) d
		GROUP BY h.application, h.rating, d.key
		UNION ALL
		SELECT h.application, h.rating, '`+rules.OverallDimension+`', avg(sc.overall)
		FROM h JOIN analytics.scores sc ON sc.org_id = $1 AND sc.application = h.application
		GROUP BY h.application, h.rating
		ORDER BY 1, 3`, orgID, nilIfEmpty(jobID), nilIfEmpty(family))
	if err != nil {
		return nil, fmt.Errorf("store: calibration: %w", err)
	}
	defer rows.Close()
	var out []rules.CalibrationSample
	current := ""
	for rows.Next() {
		var app, dim string
		var rating, v float64
		if err := rows.Scan(&app, &rating, &dim, &v); err != nil {
			return nil, err
		}
		if app != current {
			out = append(out, rules.CalibrationSample{Scores: map[string]float64{}, Rating: rating})
			current = app
		}
		out[len(out)-1].Scores[dim] = v
	}
	return out, rows.Err()
}
