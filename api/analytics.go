package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/rules"
	"github.com/hireflow/hireflow/workflows"
)

// analyticsFilter reads ?job=UUID&from=YYYY-MM-DD&to=YYYY-MM-DD (to is exclusive), and for
// the funnel ?source=&language=.
func analyticsFilter(c *fiber.Ctx) (store.AnalyticsFilter, error) {
	var f store.AnalyticsFilter
	if j := c.Query("job"); j != "" {
		if _, err := uuid.Parse(j); err != nil {
			return f, invalid("job", "job must be a job ID")
		}
		f.JobID = j
	}
	for _, p := range []struct {
		name string
		to   *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				return f, invalid(p.name, "%s must be a date, YYYY-MM-DD", p.name)
			}
			*p.to = t
		}
	}
	if v := c.Query("source"); v != "" {
		if !sourceRe.MatchString(v) {
			return f, invalid("source", "source is a code of up to 40 lower-case letters, digits, '.', '_' and '-' (none: applications without one)")
		}
		f.Source = v
	}
	if v := c.Query("language"); v != "" {
		if v != "en" && v != "zh" {
			return f, invalid("language", "language is en or zh")
		}
		f.Language = v
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, invalid("to", "to must be after from")
	}
	return f, nil
}

// analyticsFunnel answers how many applications reached each step, with conversion and
// drop-off; analyticsDurations the time in each stage (p50, p90 seconds). JSON, or CSV with
// ?format=csv; the numbers come from the analytics views.
func (s *Server) analyticsFunnel(c *fiber.Ctx) error {
	return analyticsEndpoint(c, "funnel", s.Store.Funnel, []string{"position", "step", "applications", "conversion", "drop_off"},
		func(st store.FunnelStep) []string {
			return []string{strconv.Itoa(st.Position), st.Step, strconv.FormatInt(st.Applications, 10),
				strconv.FormatFloat(st.Conversion, 'f', 4, 64), strconv.FormatInt(st.DropOff, 10)}
		})
}

func (s *Server) analyticsDurations(c *fiber.Ctx) error {
	return analyticsEndpoint(c, "stage-durations", s.Store.StageDurations, []string{"stage", "applications", "p50_seconds", "p90_seconds"},
		func(d store.StageDuration) []string {
			return []string{d.Stage, strconv.FormatInt(d.Applications, 10), strconv.FormatFloat(d.P50Seconds, 'f', 0, 64), strconv.FormatFloat(d.P90Seconds, 'f', 0, 64)}
		})
}

// analyticsEndpoint reads the filter, fetches the metric for the caller's organisation and
// answers it.
func analyticsEndpoint[T any](c *fiber.Ctx, name string, fetch func(context.Context, string, store.AnalyticsFilter) ([]T, error),
	header []string, line func(T) []string) error {
	f, err := analyticsFilter(c)
	if err != nil {
		return err
	}
	rows, err := fetch(c.UserContext(), principal(c).OrgID, f)
	if err != nil {
		return err
	}
	return analyticsAnswer(c, name, rows, header, line)
}

// analyticsMetric answers one of the further metrics (store.MetricNames) as a table.
func (s *Server) analyticsMetric(c *fiber.Ctx) error {
	f, err := analyticsFilter(c)
	if err != nil {
		return err
	}
	m, err := s.Store.MetricGet(c.UserContext(), principal(c).OrgID, c.Params("name"), f)
	if err != nil {
		return err
	}
	if c.Query("format", "json") == "json" {
		return c.JSON(m)
	}
	return analyticsAnswer(c, c.Params("name"), m.Rows, m.Columns, func(r []any) []string {
		out := make([]string, len(r))
		for i, v := range r {
			out[i] = cell(v)
		}
		return out
	})
}

// cell formats a value of a metric's row for CSV and XLSX.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// analyticsAnswer writes rows as {"rows": [...]} or, with ?format=csv or xlsx, as an
// attachment of that table.
func analyticsAnswer[T any](c *fiber.Ctx, name string, rows []T, header []string, line func(T) []string) error {
	switch c.Query("format", "json") {
	case "json":
		if rows == nil {
			rows = []T{}
		}
		return c.JSON(fiber.Map{"rows": rows})
	case "csv":
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		w := csv.NewWriter(c.Response().BodyWriter())
		_ = w.Write(header)
		for _, r := range rows {
			_ = w.Write(line(r))
		}
		w.Flush()
		return w.Error()
	case "xlsx":
		x := excelize.NewFile()
		defer x.Close()
		sheet := x.GetSheetName(0)
		write := func(row int, vals []string) error {
			cellName, err := excelize.CoordinatesToCellName(1, row)
			if err != nil {
				return err
			}
			cells := make([]any, len(vals))
			for i, v := range vals {
				if f, err := strconv.ParseFloat(v, 64); err == nil && row > 1 {
					cells[i] = f
				} else {
					cells[i] = v
				}
			}
			return x.SetSheetRow(sheet, cellName, &cells)
		}
		if err := write(1, header); err != nil {
			return err
		}
		for i, r := range rows {
			if err := write(i+2, line(r)); err != nil {
				return err
			}
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		return x.Write(c.Response().BodyWriter())
	}
	return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "format", "format must be json, csv or xlsx").ZH("format 只能是 json、csv 或 xlsx")
}

// listBiasAudits lists the organisation's stored bias audits, newest first.
func (s *Server) listBiasAudits(c *fiber.Ctx) error {
	list, err := s.Store.BiasAuditList(c.UserContext(), principal(c).OrgID, 50)
	return listed(c, "audits", list, err)
}

// runBiasAudit runs an audit now for ?from=&to= (dates; to exclusive, at most two years) and
// answers the stored audit.
func (s *Server) runBiasAudit(c *fiber.Ctx) error {
	f, err := analyticsFilter(c)
	if err != nil {
		return err
	}
	if f.From.IsZero() || f.To.IsZero() || f.To.Sub(f.From) > 2*366*24*time.Hour {
		return invalid("to", "name a period: from and to, at most two years apart")
	}
	in := workflows.BiasAuditInput{OrgID: principal(c).OrgID, From: f.From, To: f.To}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Minute)
	defer cancel()
	res, err := workflows.RunBiasAudit(ctx, s.Workflows, s.Cfg.TaskQueue, in)
	if err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), principal(c).OrgID, "user", principal(c).UserID, "bias_audit.run", "bias_audit", res.AuditID, nil)
	list, err := s.Store.BiasAuditList(c.UserContext(), principal(c).OrgID, 50)
	if err != nil {
		return err
	}
	for _, a := range list {
		if a.ID == res.AuditID {
			return c.Status(fiber.StatusCreated).JSON(a)
		}
	}
	return hireflow.NotFound("bias_audit_not_found", "bias audit")
}

// calibration correlates each scoring dimension with probation ratings (?job=) and proposes
// weights; a proposal is only a proposal: it becomes a rule set's draft weights rule by hand,
// is simulated, passes the bias gate and is published by a person.
func (s *Server) calibration(c *fiber.Ctx) error {
	f, err := analyticsFilter(c)
	if err != nil {
		return err
	}
	family := strings.TrimSpace(c.Query("family"))
	if err := textField("family", family, 0, 80); err != nil {
		return err
	}
	samples, err := s.Store.CalibrationSamples(c.UserContext(), principal(c).OrgID, f.JobID, family)
	if err != nil {
		return err
	}
	return c.JSON(rules.Calibrate(samples, activities.CalibrationMinN))
}
