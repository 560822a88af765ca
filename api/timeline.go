package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow/internal/tools/trail"
)

// timelineEntry is one line of an application's timeline, in the page's language.
type timelineEntry struct {
	At, Source, Text, Detail string
}

// timelinePage is everything that happened to one application, in time order and plain
// words: its stages, each decision (with its rule and inputs one click away) and the
// workflow's own events read from Temporal (staff actions received, waits that ended, steps
// that failed and were retried). Each activity the workflow ran is left out as noise.
func (s *Server) timelinePage(c *fiber.Ctx) error {
	v, err := s.staffPage(c, false)
	if err != nil {
		return err
	}
	items, err := trail.Build(c.UserContext(), s.Store, s.Workflows, v.app.ID)
	if err != nil {
		return err
	}
	l := v.d.Lang
	for _, it := range items {
		e := timelineEntry{At: it.At.UTC().Format("2006-01-02 15:04:05 UTC"), Source: it.Source}
		switch it.Source {
		case "stage":
			e.Text = translateValue(l, "tl.e.", it.What)
			if e.Text == it.What { // an event without words of its own: the stage it entered
				e.Text = translate(l, "tl.entered") + " " + translateValue(l, "an.stage.", strings.SplitN(it.Detail, " / ", 2)[0])
			}
		case "decision":
			e.Text = translateValue(l, "decision.kind.", it.What)
			e.Detail = it.Detail
		case "workflow":
			switch {
			case strings.HasPrefix(it.What, "activity failed"):
				e.Text = translate(l, "tl.retry")
			case strings.HasPrefix(it.What, "activity "):
				continue
			case strings.HasPrefix(it.What, "update "):
				e.Text = translate(l, "tl.update") + " " + translateValue(l, "tl.u.", strings.TrimPrefix(it.What, "update "))
			case strings.HasPrefix(it.What, "signal "):
				e.Text = translate(l, "tl.signal") + " " + translateValue(l, "tl.s.", strings.TrimPrefix(it.What, "signal "))
			case strings.HasPrefix(it.What, "timer "):
				e.Text = translate(l, "tl.timer") + " " + strings.TrimPrefix(it.What, "timer ")
			default:
				e.Text = translateValue(l, "tl.w.", strings.ReplaceAll(it.What, "_", ""))
			}
		}
		v.d.Timeline = append(v.d.Timeline, e)
	}
	v.d.Title = translate(l, "tl.title")
	return s.render(c, fiber.StatusOK, "timeline.html", v.d)
}
