package api

import (
	"context"
	"encoding/csv"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/infra/store"
)

// analyticsFilter reads ?job=UUID&from=YYYY-MM-DD&to=YYYY-MM-DD (to is exclusive).
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

// analyticsAnswer writes rows as {"rows": [...]} or, with ?format=csv, as a CSV attachment.
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
	}
	return hireflow.Errorf(hireflow.KindInvalid, "invalid_field", "format", "format must be json or csv").ZH("format 只能是 json 或 csv")
}
