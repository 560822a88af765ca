package api

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hireflow/hireflow/internal/infra/store"
)

var (
	auditActionRe = regexp.MustCompile(`^[a-z_]{1,40}(\.[a-z_]{0,40}){0,3}$`)
	auditIDRe     = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,100}$`)
)

// auditLogFilter reads ?action=&actor=&subject=&before= (every part optional).
func auditLogFilter(c *fiber.Ctx) (store.AuditFilter, error) {
	f := store.AuditFilter{Action: strings.TrimSpace(c.Query("action")), ActorID: strings.TrimSpace(c.Query("actor")),
		SubjectID: strings.TrimSpace(c.Query("subject"))}
	if f.Action != "" && !auditActionRe.MatchString(f.Action) {
		return f, invalid("action", "action is an action name such as candidate.read, or a prefix such as bias_audit.")
	}
	if f.ActorID != "" && !auditIDRe.MatchString(f.ActorID) {
		return f, invalid("actor", "actor is a user ID")
	}
	if f.SubjectID != "" && !auditIDRe.MatchString(f.SubjectID) {
		return f, invalid("subject", "subject is an ID (an application's, a rule set's, …)")
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, invalid("before", "before is a sequence number")
		}
		f.Before = n
	}
	return f, nil
}

func urlq(s string) string { return url.QueryEscape(s) }

// auditLogList answers the organisation's audit log, newest first, 100 at a time; next_before
// pages on.
func (s *Server) auditLogList(c *fiber.Ctx) error {
	f, err := auditLogFilter(c)
	if err != nil {
		return err
	}
	list, err := s.Store.AuditLog(c.UserContext(), principal(c).OrgID, f, 100)
	if err != nil {
		return err
	}
	if list == nil {
		list = []store.AuditEntry{}
	}
	ans := fiber.Map{"entries": list}
	if len(list) == 100 {
		ans["next_before"] = list[len(list)-1].Seq
	}
	return c.JSON(ans)
}

// auditLogPage shows the same log in the console, with its filters.
func (s *Server) auditLogPage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.audit_log", "/console/audit-log")
	if err != nil {
		return err
	}
	f, ferr := auditLogFilter(c)
	status := fiber.StatusOK
	if ferr != nil {
		d.Console.FilterError = localMessage(ferr, d.Lang)
		f, status = store.AuditFilter{}, fiber.StatusUnprocessableEntity
	}
	list, err := s.Store.AuditLog(c.UserContext(), principal(c).OrgID, f, 100)
	if err != nil {
		return err
	}
	d.Console.Log = list
	d.Console.LogFilter = f
	if len(list) == 100 {
		next := "/console/audit-log?action=" + urlq(f.Action) + "&actor=" + urlq(f.ActorID) + "&subject=" + urlq(f.SubjectID) +
			"&before=" + strconv.FormatInt(list[len(list)-1].Seq, 10) + "&lang=" + d.Lang
		d.Console.LogNext = next
	}
	return s.render(c, status, "auditlog.html", d)
}
