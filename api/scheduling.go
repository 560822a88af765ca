package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/activities"
	"github.com/hireflow/hireflow/internal/infra/mail"
	"github.com/hireflow/hireflow/internal/infra/roster"
	"github.com/hireflow/hireflow/internal/infra/store"
	"github.com/hireflow/hireflow/internal/scheduling"
	"github.com/hireflow/hireflow/workflows"
)

// ---------------------------------------------------------------- settings

func (s *Server) getSchedulingSettings(c *fiber.Ctx) error {
	v, err := s.Store.SchedulingSettingsGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func between(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return hireflow.Errorf(hireflow.KindInvalid, "out_of_range", field, "%s must be between %d and %d", field, lo, hi).
			ZH("%s 必须在 %d 到 %d 之间", field, lo, hi)
	}
	return nil
}

func (s *Server) setSchedulingSettings(c *fiber.Ctx) error {
	var v store.SchedulingSettings
	if err := decodeJSON(c, &v); err != nil {
		return err
	}
	for _, chk := range []error{between("slots_offered", v.SlotsOffered, 1, 10), between("hold_minutes", v.HoldMinutes, 5, 20160),
		between("min_notice_hours", v.MinNoticeHours, 0, 720), between("window_days", v.WindowDays, 1, 90),
		between("max_reschedules", v.MaxReschedules, 0, 10), between("reschedule_notice_hours", v.RescheduleNoticeHours, 0, 168)} {
		if chk != nil {
			return chk
		}
	}
	switch v.MeetingProvider {
	case "tencent", "feishu", "zoom", "room":
	default:
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_provider", "meeting_provider", "meeting_provider is tencent, feishu, zoom or room").
			ZH("meeting_provider 只能是 tencent、feishu、zoom 或 room")
	}
	if v.MeetingTemplate != "" {
		u, err := url.Parse(strings.ReplaceAll(v.MeetingTemplate, "{id}", "x"))
		if v.MeetingProvider != "room" && (err != nil || u.Scheme != "https" || u.Host == "") {
			return hireflow.Errorf(hireflow.KindInvalid, "invalid_meeting_template", "meeting_template", "the meeting link template must be an https URL ({id} is the interview)").
				ZH("会议链接模板必须是 https 地址（{id} 为面试编号）")
		}
		if len(v.MeetingTemplate) > 500 {
			return hireflow.Errorf(hireflow.KindInvalid, "too_long", "meeting_template", "the meeting link template is longer than 500 characters")
		}
	}
	p := principal(c)
	if err := s.Store.SchedulingSettingsSet(c.UserContext(), p.OrgID, v); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "scheduling.settings", "organisation", p.OrgID, map[string]any{"provider": v.MeetingProvider})
	return c.JSON(v)
}

type interviewerSettingsRequest struct {
	TimeZone     string `json:"time_zone"`
	DailyCap     int    `json:"daily_cap"`
	WeeklyCap    int    `json:"weekly_cap"`
	BufferBefore int    `json:"buffer_before_min"`
	BufferAfter  int    `json:"buffer_after_min"`
	ExternalID   string `json:"external_id"`
}

func (s *Server) setInterviewerSettings(c *fiber.Ctx) error {
	var r interviewerSettingsRequest
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if _, err := time.LoadLocation(r.TimeZone); err != nil || r.TimeZone == "" || strings.Contains(r.TimeZone, "..") {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_time_zone", "time_zone", "time_zone must be an IANA zone such as Asia/Shanghai").
			ZH("time_zone 必须是 IANA 时区，例如 Asia/Shanghai")
	}
	for _, chk := range []error{between("daily_cap", r.DailyCap, 0, 24), between("weekly_cap", r.WeeklyCap, 0, 100),
		between("buffer_before_min", r.BufferBefore, 0, 240), between("buffer_after_min", r.BufferAfter, 0, 240)} {
		if chk != nil {
			return chk
		}
	}
	if r.ExternalID != "" && !externalIDRe.MatchString(r.ExternalID) {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_external_id", "external_id", "external_id is the platform's user ID: up to 128 letters, digits and . _ - @ :").
			ZH("external_id 是考勤平台的用户 ID：最多 128 个字母、数字或 . _ - @ :")
	}
	id, err := uuidParam(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	v := store.InterviewerSettings{UserID: id, TimeZone: r.TimeZone, DailyCap: r.DailyCap, WeeklyCap: r.WeeklyCap, BufferBefore: r.BufferBefore,
		BufferAfter: r.BufferAfter, ExternalID: strings.TrimSpace(r.ExternalID)}
	if err := s.Store.InterviewerSettingsSet(c.UserContext(), p.OrgID, v); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "interviewer.settings", "user", id, nil)
	return c.JSON(v)
}

// externalIDRe is an attendance platform's user ID (DingTalk userid, WeCom userid, Feishu
// employee_id).
var externalIDRe = regexp.MustCompile(`^[A-Za-z0-9_.@:-]{1,128}$`)

func uuidParam(c *fiber.Ctx, name string) (string, error) {
	id := c.Params(name)
	if _, err := uuid.Parse(id); err != nil {
		return "", hireflow.NotFound("not_found", name)
	}
	return id, nil
}

// ---------------------------------------------------------------- connector and sync

type connectorRequest struct {
	Kind     string `json:"kind"`
	BaseURL  string `json:"base_url"`
	AppKey   string `json:"app_key"`
	Secret   string `json:"secret"`
	OpUserID string `json:"op_user_id"`
}

func (s *Server) setRosterConnector(c *fiber.Ctx) error {
	var r connectorRequest
	if err := decodeJSON(c, &r); err != nil {
		return err
	}
	if _, ok := roster.DefaultBaseURL[r.Kind]; !ok {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_kind", "kind", "kind is dingtalk, wecom or feishu").ZH("kind 只能是 dingtalk、wecom 或 feishu")
	}
	if r.BaseURL == "" {
		r.BaseURL = roster.DefaultBaseURL[r.Kind]
	}
	u, err := url.Parse(r.BaseURL)
	if err != nil || (u.Scheme != "https" && !(!s.Cfg.Production() && u.Scheme == "http")) || u.Host == "" {
		return hireflow.Errorf(hireflow.KindInvalid, "invalid_url", "base_url", "base_url must be an https URL").ZH("base_url 必须是 https 地址")
	}
	if r.AppKey == "" || r.Secret == "" || len(r.AppKey) > 200 || len(r.Secret) > 500 {
		return hireflow.Errorf(hireflow.KindInvalid, "field_required", "secret", "app_key and secret are required").ZH("必须填写 app_key 和 secret")
	}
	if r.Kind == "dingtalk" && r.OpUserID == "" {
		return required("op_user_id", "DingTalk needs the administrator's user ID (op_user_id)", "钉钉需要管理员的 userid（op_user_id）")
	}
	p := principal(c)
	if err := s.Store.RosterConnectorSet(c.UserContext(), p.OrgID, store.RosterConnector{Kind: r.Kind, BaseURL: r.BaseURL, AppKey: r.AppKey, Secret: r.Secret, OpUserID: r.OpUserID}); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "roster.connector", "organisation", p.OrgID, map[string]any{"kind": r.Kind})
	id, err := workflows.EnsureRosterSyncSchedule(c.UserContext(), s.Workflows, s.Cfg.TaskQueue, p.OrgID)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"kind": r.Kind, "base_url": r.BaseURL, "app_key": r.AppKey, "schedule": id, "every": workflows.RosterSyncEvery.String()})
}

func (s *Server) getRosterConnector(c *fiber.Ctx) error {
	conn, ok, err := s.Store.RosterConnectorGet(c.UserContext(), principal(c).OrgID)
	if err != nil {
		return err
	}
	if !ok {
		return hireflow.NotFound("connector_not_found", "connector")
	}
	return c.JSON(conn) // the secret is never written out (json:"-")
}

func (s *Server) syncRosters(c *fiber.Ctx) error {
	p := principal(c)
	if _, ok, err := s.Store.RosterConnectorGet(c.UserContext(), p.OrgID); err != nil || !ok {
		if err != nil {
			return err
		}
		return hireflow.Errorf(hireflow.KindConflict, "no_connector", "", "configure an attendance platform first (PUT /api/v1/organisation/roster-connector)").
			ZH("请先配置考勤平台")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Minute)
	defer cancel()
	res, err := workflows.SyncRostersNow(ctx, s.Workflows, s.Cfg.TaskQueue, p.OrgID)
	if err != nil {
		return hireflow.Errorf(hireflow.KindUnavailable, "sync_failed", "", "the roster sync failed: %v", err).ZH("排班同步失败")
	}
	return c.JSON(fiber.Map{"users": res.Users, "entries": res.Entries, "replanned": len(res.Broken)})
}

// ---------------------------------------------------------------- uploads, push, busy feed

// rosterRow is one row of an upload or a push, before it becomes UTC entries.
type rosterRow struct {
	Line                        int
	Who, Date, Start, End, Kind string
	RestStart, RestEnd          string
}

// rowError is one bad row of an upload.
type rowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// rosterEntries validates rows and turns them into entries in each interviewer's zone; every
// bad row is reported, and nothing is written unless all are good.
func (s *Server) rosterEntries(ctx context.Context, orgID, source string, rows []rosterRow) ([]store.RosterEntry, []string, time.Time, time.Time, error) {
	people, err := s.Store.Interviewers(ctx, orgID, nil)
	if err != nil {
		return nil, nil, time.Time{}, time.Time{}, err
	}
	byKey := map[string]store.InterviewerSettings{}
	for _, p := range people {
		byKey[p.UserID] = p
		if u, err := s.Store.UserGet(ctx, orgID, p.UserID); err == nil {
			byKey[strings.ToLower(u.Email)] = p
		}
	}
	var errs []rowError
	var shifts []scheduling.Shift
	var from, to time.Time
	usersSeen := map[string]bool{}
	for _, r := range rows {
		fail := func(field, msg string) { errs = append(errs, rowError{Row: r.Line, Field: field, Message: msg}) }
		p, ok := byKey[strings.ToLower(strings.TrimSpace(r.Who))]
		if !ok {
			fail("interviewer", "no interviewer or hiring manager with this email or ID in the organisation")
			continue
		}
		day, err := scheduling.ParseDay(r.Date)
		if err != nil {
			fail("date", "the date must be YYYY-MM-DD")
			continue
		}
		kind := strings.ToLower(strings.TrimSpace(r.Kind))
		if kind == "" {
			kind = scheduling.KindWork
		}
		if kind != scheduling.KindWork && kind != scheduling.KindLeave && kind != scheduling.KindOvertime && kind != "rest" {
			fail("kind", "kind is work, overtime, leave or rest")
			continue
		}
		sh := scheduling.Shift{Person: p.UserID, Day: day, Kind: kind}
		if kind == "rest" {
			sh.Rest, sh.Kind = true, scheduling.KindWork
		} else if !(kind == scheduling.KindLeave && r.Start == "" && r.End == "") {
			a, err1 := scheduling.ParseClock(r.Start)
			b, err2 := scheduling.ParseClock(r.End)
			if err1 != nil || err2 != nil {
				fail("start", "start and end must be hh:mm (an end past 24:00, such as 26:00, is the next day)")
				continue
			}
			if a == b {
				fail("end", "the end must differ from the start")
				continue
			}
			sh.Sections = []scheduling.Section{{Start: a, End: b}}
			if r.RestStart != "" || r.RestEnd != "" {
				ra, err1 := scheduling.ParseClock(r.RestStart)
				rb, err2 := scheduling.ParseClock(r.RestEnd)
				if err1 != nil || err2 != nil || ra >= rb {
					fail("rest_start", "the rest must be hh:mm to a later hh:mm")
					continue
				}
				sh.Rests = []scheduling.Section{{Start: ra, End: rb}}
			}
		}
		t := time.Date(day.Year, day.Month, day.Day, 0, 0, 0, 0, time.UTC)
		if from.IsZero() || t.Before(from) {
			from = t
		}
		if t.After(to) {
			to = t
		}
		usersSeen[p.UserID] = true
		shifts = append(shifts, sh)
	}
	if len(errs) > 0 {
		e := hireflow.Errorf(hireflow.KindInvalid, "roster_invalid", "rows", "%d rows have errors; nothing was written (first: row %d, %s: %s)",
			len(errs), errs[0].Row, errs[0].Field, errs[0].Message).ZH("%d 行有错误，未写入任何数据", len(errs))
		e.Details = errs
		return nil, nil, from, to, e
	}
	if len(shifts) == 0 {
		return nil, nil, from, to, hireflow.Errorf(hireflow.KindInvalid, "roster_empty", "rows", "the roster has no rows").ZH("排班表没有数据")
	}
	if to.Sub(from) > 92*24*time.Hour {
		return nil, nil, from, to, hireflow.Errorf(hireflow.KindInvalid, "roster_too_long", "date", "one upload covers at most 92 days").ZH("一次最多上传 92 天的排班")
	}
	entries := activities.EntriesFromShifts(shifts, func(id string) (string, *time.Location, bool) {
		loc, err := time.LoadLocation(byKey[id].TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return id, loc, true
	}, source)
	var users []string
	for u := range usersSeen {
		users = append(users, u)
	}
	sort.Strings(users)
	return entries, users, from, to, nil
}

// writeRoster replaces the source's entries and re-plans the bookings the change broke.
func (s *Server) writeRoster(c *fiber.Ctx, source string, rows []rosterRow) error {
	p := principal(c)
	entries, users, from, to, err := s.rosterEntries(c.UserContext(), p.OrgID, source, rows)
	if err != nil {
		return err
	}
	if err := s.Store.RosterReplace(c.UserContext(), p.OrgID, source, users, from, to, entries); err != nil {
		return err
	}
	broken, err := activities.BrokenBookings(c.UserContext(), s.Store, p.OrgID, users)
	if err != nil {
		return err
	}
	workflows.NotifyRosterChanged(c.UserContext(), s.Workflows, broken)
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "roster."+source, "organisation", p.OrgID, map[string]any{"rows": len(rows), "users": len(users)})
	return c.JSON(fiber.Map{"rows": len(rows), "entries": len(entries), "users": len(users), "from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "replanned": len(broken)})
}

// uploadRoster takes a CSV or XLSX roster: interviewer (email or ID), date, start, end, kind,
// rest_start, rest_end.
func (s *Server) uploadRoster(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return required("file", "attach the roster as the multipart field file (CSV or XLSX)", "请以 file 字段上传排班表（CSV 或 XLSX）")
	}
	if fh.Size > 5<<20 {
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "file", "a roster file is at most 5 MB").ZH("排班文件不能超过 5 MB")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, 5<<20))
	if err != nil {
		return err
	}
	var table [][]string
	if bytes.HasPrefix(raw, []byte("PK")) {
		x, err := excelize.OpenReader(bytes.NewReader(raw), excelize.Options{UnzipSizeLimit: 50 << 20, UnzipXMLSizeLimit: 20 << 20})
		if err != nil {
			return hireflow.Errorf(hireflow.KindInvalid, "file_unreadable", "file", "the XLSX file cannot be read").ZH("无法读取该 XLSX 文件")
		}
		defer x.Close()
		sheets := x.GetSheetList()
		if len(sheets) == 0 {
			return hireflow.Errorf(hireflow.KindInvalid, "roster_empty", "file", "the workbook has no sheet")
		}
		if table, err = x.GetRows(sheets[0]); err != nil {
			return hireflow.Errorf(hireflow.KindInvalid, "file_unreadable", "file", "the XLSX file cannot be read").ZH("无法读取该 XLSX 文件")
		}
	} else {
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
		r.FieldsPerRecord = -1
		if table, err = r.ReadAll(); err != nil {
			return hireflow.Errorf(hireflow.KindInvalid, "file_unreadable", "file", "the CSV cannot be read: %v", err).ZH("无法读取该 CSV 文件")
		}
	}
	if len(table) < 2 {
		return hireflow.Errorf(hireflow.KindInvalid, "roster_empty", "file", "the roster has a header and no rows").ZH("排班表没有数据行")
	}
	if len(table) > 20001 {
		return hireflow.Errorf(hireflow.KindTooLarge, "too_many_rows", "file", "a roster file has at most 20,000 rows").ZH("排班表最多 20000 行")
	}
	col := map[string]int{}
	for i, h := range table[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"interviewer", "date"} {
		if _, ok := col[need]; !ok {
			return hireflow.Errorf(hireflow.KindInvalid, "missing_column", need, "the header needs the columns interviewer, date, start, end (kind, rest_start, rest_end optional)").
				ZH("表头需要 interviewer、date、start、end 列（kind、rest_start、rest_end 可选）")
		}
	}
	cell := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	var rows []rosterRow
	for i, row := range table[1:] {
		if strings.Join(row, "") == "" {
			continue
		}
		rows = append(rows, rosterRow{Line: i + 2, Who: cell(row, "interviewer"), Date: cell(row, "date"), Start: cell(row, "start"), End: cell(row, "end"),
			Kind: cell(row, "kind"), RestStart: cell(row, "rest_start"), RestEnd: cell(row, "rest_end")})
	}
	return s.writeRoster(c, "upload", rows)
}

type pushEntry struct {
	Interviewer string `json:"interviewer"`
	Date        string `json:"date"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Kind        string `json:"kind"`
	RestStart   string `json:"rest_start"`
	RestEnd     string `json:"rest_end"`
}

// pushRosterBody is the JSON body of pushRoster.
type pushRosterBody struct {
	Entries []pushEntry `json:"entries"`
}

// pushRoster takes the same rows as JSON (the integration's REST push).
func (s *Server) pushRoster(c *fiber.Ctx) error {
	var body pushRosterBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if len(body.Entries) > 20000 {
		return hireflow.Errorf(hireflow.KindTooLarge, "too_many_rows", "entries", "a push has at most 20,000 entries")
	}
	rows := make([]rosterRow, 0, len(body.Entries))
	for i, e := range body.Entries {
		rows = append(rows, rosterRow{Line: i + 1, Who: e.Interviewer, Date: e.Date, Start: e.Start, End: e.End, Kind: e.Kind, RestStart: e.RestStart, RestEnd: e.RestEnd})
	}
	return s.writeRoster(c, "api", rows)
}

// putBusyFeed takes an interviewer's iCalendar (RFC 5545) busy times: every VEVENT that is not
// transparent or cancelled, and every VFREEBUSY period, for the next 92 days.
func (s *Server) putBusyFeed(c *fiber.Ctx) error {
	id, err := uuidParam(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Role == hireflow.RoleInterviewer && p.UserID != id {
		return hireflow.NotFound("interviewer_not_found", "id")
	}
	people, err := s.Store.Interviewers(c.UserContext(), p.OrgID, []string{id})
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return hireflow.NotFound("interviewer_not_found", "id")
	}
	if len(c.Body()) > 2<<20 {
		return hireflow.Errorf(hireflow.KindTooLarge, "file_too_large", "", "a calendar feed is at most 2 MB")
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(c.Body()))
	if err != nil || !bytes.Contains(c.Body(), []byte("BEGIN:VCALENDAR")) {
		return hireflow.Errorf(hireflow.KindInvalid, "calendar_unreadable", "", "the body is not an iCalendar (RFC 5545) object").ZH("请求体不是有效的 iCalendar 日历")
	}
	now := time.Now().UTC()
	from, to := now.Truncate(24*time.Hour), now.Truncate(24*time.Hour).Add(92*24*time.Hour)
	var entries []store.RosterEntry
	add := func(a, b time.Time) {
		if b.After(a) && b.After(from) && a.Before(to) && b.Sub(a) <= 31*24*time.Hour {
			d := a.UTC().Truncate(24 * time.Hour)
			if d.Before(from) {
				d = from
			}
			entries = append(entries, store.RosterEntry{UserID: id, Day: d, Kind: "busy", Start: a, End: b, Source: "ical"})
		}
	}
	for _, ev := range cal.Events() {
		if st := ev.GetProperty(ics.ComponentPropertyStatus); st != nil && strings.EqualFold(st.Value, "CANCELLED") {
			continue
		}
		if tr := ev.GetProperty(ics.ComponentPropertyTransp); tr != nil && strings.EqualFold(tr.Value, "TRANSPARENT") {
			continue
		}
		a, err1 := ev.GetStartAt()
		b, err2 := ev.GetEndAt()
		if err1 == nil && err2 == nil {
			add(a, b)
		}
	}
	for _, comp := range cal.Components {
		fb, ok := comp.(*ics.VBusy)
		if !ok {
			continue
		}
		for _, prop := range fb.Properties {
			if prop.IANAToken != string(ics.ComponentPropertyFreebusy) {
				continue
			}
			for _, period := range strings.Split(prop.Value, ",") {
				a, b, ok := strings.Cut(period, "/")
				if !ok {
					continue
				}
				ta, err1 := time.Parse("20060102T150405Z", a)
				tb, err2 := time.Parse("20060102T150405Z", b)
				if err2 != nil {
					if d, derr := parseISODuration(b); derr == nil && err1 == nil {
						tb, err2 = ta.Add(d), nil
					}
				}
				if err1 == nil && err2 == nil {
					add(ta, tb)
				}
			}
		}
	}
	if len(entries) > 5000 {
		return hireflow.Errorf(hireflow.KindTooLarge, "too_many_events", "", "a calendar feed has at most 5,000 busy times in the next 92 days")
	}
	if err := s.Store.RosterReplace(c.UserContext(), p.OrgID, "ical", []string{id}, from, to, entries); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "roster.ical", "user", id, map[string]any{"busy": len(entries)})
	return c.JSON(fiber.Map{"busy": len(entries)})
}

// parseISODuration reads the RFC 5545 durations a FREEBUSY period may use (PT1H30M, P1D).
func parseISODuration(s string) (time.Duration, error) {
	if !strings.HasPrefix(s, "P") {
		return 0, errors.New("not a duration")
	}
	var d time.Duration
	num := ""
	inTime := false
	for _, r := range s[1:] {
		switch {
		case r == 'T':
			inTime = true
		case r >= '0' && r <= '9':
			num += string(r)
		default:
			n, err := strconv.Atoi(num)
			if err != nil {
				return 0, err
			}
			num = ""
			switch {
			case r == 'W':
				d += time.Duration(n) * 7 * 24 * time.Hour
			case r == 'D':
				d += time.Duration(n) * 24 * time.Hour
			case r == 'H' && inTime:
				d += time.Duration(n) * time.Hour
			case r == 'M' && inTime:
				d += time.Duration(n) * time.Minute
			case r == 'S' && inTime:
				d += time.Duration(n) * time.Second
			default:
				return 0, errors.New("not a duration")
			}
		}
	}
	return d, nil
}

// ---------------------------------------------------------------- an interviewer's week

type weekItem struct {
	Kind  string    `json:"kind"` // work | overtime | leave | busy | hold | booking
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// ApplicationID is set for bookings, for those who may open the application.
	ApplicationID string `json:"application_id,omitempty"`
	Local         string `json:"-"`
}

type weekView struct {
	UserID, Name, TimeZone string
	Start                  time.Time
	Days                   []weekDay
	Prev, Next             string
	People                 []navLink
}

type weekDay struct {
	Date  string
	Items []weekItem
}

// week reads an interviewer's roster, holds and bookings for the 7 days from start (in their
// zone). An interviewer reads only their own week; another ID is not found.
func (s *Server) week(c *fiber.Ctx, id string) (weekView, error) {
	p := principal(c)
	var v weekView
	if p.Role == hireflow.RoleInterviewer && p.UserID != id {
		return v, hireflow.NotFound("interviewer_not_found", "id")
	}
	people, err := s.Store.Interviewers(c.UserContext(), p.OrgID, []string{id})
	if err != nil {
		return v, err
	}
	if len(people) == 0 {
		return v, hireflow.NotFound("interviewer_not_found", "id")
	}
	u, err := s.Store.UserGet(c.UserContext(), p.OrgID, id)
	if err != nil {
		return v, err
	}
	loc, err := time.LoadLocation(people[0].TimeZone)
	if err != nil {
		loc = time.UTC
	}
	start := time.Now().In(loc)
	if q := c.Query("start"); q != "" {
		d, err := time.ParseInLocation(time.DateOnly, q, loc)
		if err != nil {
			return v, hireflow.Errorf(hireflow.KindInvalid, "invalid_date", "start", "start must be YYYY-MM-DD").ZH("start 必须是 YYYY-MM-DD")
		}
		start = d
	}
	start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 7)
	v = weekView{UserID: id, Name: u.DisplayName, TimeZone: loc.String(), Start: start}
	entries, err := s.Store.RosterEntries(c.UserContext(), p.OrgID, []string{id}, start, end)
	if err != nil {
		return v, err
	}
	busy, err := s.Store.SlotsBusy(c.UserContext(), p.OrgID, []string{id}, start, end)
	if err != nil {
		return v, err
	}
	var items []weekItem
	for _, e := range entries {
		items = append(items, weekItem{Kind: e.Kind, Start: e.Start, End: e.End})
	}
	for _, b := range busy {
		it := weekItem{Kind: b.Kind, Start: b.Start, End: b.End}
		if b.Kind == "booking" && roleMay(actApplicationsRead, p.Role) {
			if iv, err := s.Store.InterviewGet(c.UserContext(), p.OrgID, b.InterviewID); err == nil {
				it.ApplicationID = iv.ApplicationID
			}
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Start.Before(items[j].Start) })
	for d := 0; d < 7; d++ {
		day := start.AddDate(0, 0, d)
		wd := weekDay{Date: day.Format("2006-01-02") + " " + weekdayName(lang(c), day.Weekday())}
		for _, it := range items {
			if !it.Start.Before(day) && it.Start.Before(day.AddDate(0, 0, 1)) {
				it.Local = it.Start.In(loc).Format("15:04") + "–" + it.End.In(loc).Format("15:04")
				wd.Items = append(wd.Items, it)
			}
		}
		v.Days = append(v.Days, wd)
	}
	v.Prev = start.AddDate(0, 0, -7).Format(time.DateOnly)
	v.Next = end.Format(time.DateOnly)
	return v, nil
}

func weekdayName(l string, d time.Weekday) string {
	if l == "zh" {
		return [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[d]
	}
	return d.String()[:3]
}

func (s *Server) interviewerWeek(c *fiber.Ctx) error {
	id, err := uuidParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.week(c, id)
	if err != nil {
		return err
	}
	var out []weekItem
	for _, d := range v.Days {
		out = append(out, d.Items...)
	}
	if out == nil {
		out = []weekItem{}
	}
	return c.JSON(fiber.Map{"user_id": v.UserID, "time_zone": v.TimeZone, "start": v.Start.Format(time.DateOnly), "items": out})
}

// schedulePage is the console's week view: an interviewer's own week; recruiters, managers
// and admins choose whose.
func (s *Server) schedulePage(c *fiber.Ctx) error {
	d, err := s.consoleData(c, "nav.schedule", "/console/schedule")
	if err != nil {
		return err
	}
	p := principal(c)
	id := c.Query("user")
	if p.Role == hireflow.RoleInterviewer || id == "" {
		id = p.UserID
	}
	people, err := s.Store.Interviewers(c.UserContext(), p.OrgID, nil)
	if err != nil {
		return err
	}
	var links []navLink
	if p.Role != hireflow.RoleInterviewer {
		for _, pp := range people {
			if u, err := s.Store.UserGet(c.UserContext(), p.OrgID, pp.UserID); err == nil {
				links = append(links, navLink{Href: "/console/schedule?user=" + pp.UserID + "&lang=" + d.Lang, Key: u.DisplayName, Current: pp.UserID == id})
			}
		}
		if id == p.UserID && len(people) > 0 && !isInterviewer(people, id) {
			id = people[0].UserID
			links[0].Current = true
		}
	}
	if !isInterviewer(people, id) {
		d.Console.Error = translate(d.Lang, "sch.no_interviewers")
		return s.render(c, fiber.StatusOK, "schedule.html", d)
	}
	w, err := s.week(c, id)
	if err != nil {
		if herr := hireflow.AsError(err); herr != nil && herr.Kind == hireflow.KindInvalid {
			d.Console.Error = localMessage(err, d.Lang)
			return s.render(c, fiber.StatusUnprocessableEntity, "schedule.html", d)
		}
		return err
	}
	w.People = links
	d.Week = &w
	return s.render(c, fiber.StatusOK, "schedule.html", d)
}

func isInterviewer(people []store.InterviewerSettings, id string) bool {
	for _, p := range people {
		if p.UserID == id {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- one application's interview

// interviewOf loads the application's newest interview.
func (s *Server) interviewOf(ctx context.Context, orgID, appID string) (store.Interview, error) {
	iv, ok, err := s.Store.InterviewForApplication(ctx, orgID, appID)
	if err != nil {
		return iv, err
	}
	if !ok {
		return iv, hireflow.NotFound("interview_not_found", "interview")
	}
	return iv, nil
}

func (s *Server) updateInterview(ctx context.Context, iv store.Interview, name string, arg, out any) error {
	return s.update(ctx, hireflow.WorkflowIDForInterview(iv.ApplicationID, iv.Round), name, arg, out)
}

func (s *Server) getInterview(c *fiber.Ctx) error {
	app, err := s.staffApp(c)
	if err != nil {
		return err
	}
	iv, err := s.interviewOf(c.UserContext(), app.OrgID, app.ID)
	if err != nil {
		return err
	}
	return c.JSON(iv)
}

// bookForCandidateBody is the JSON body of bookForCandidate.
type bookForCandidateBody struct {
	Start        time.Time `json:"start"`
	Interviewers []string  `json:"interviewers"`
}

func (s *Server) bookForCandidate(c *fiber.Ctx) error {
	req, app, err := staffRequest[bookForCandidateBody](s, c)
	if err != nil {
		return err
	}
	if req.Start.IsZero() {
		return required("start", "start is required (RFC 3339)", "必须填写 start（RFC 3339 时间）")
	}
	iv, err := s.interviewOf(c.UserContext(), app.OrgID, app.ID)
	if err != nil {
		return err
	}
	people, err := s.Store.Interviewers(c.UserContext(), app.OrgID, req.Interviewers)
	if err != nil {
		return err
	}
	if len(req.Interviewers) == 0 || len(people) != len(req.Interviewers) {
		return hireflow.Errorf(hireflow.KindInvalid, "unknown_interviewer", "interviewers", "name the interviewers by their user IDs in this organisation").ZH("请填写本组织面试官的用户 ID")
	}
	p := principal(c)
	var res activities.BookResult
	if err := s.updateInterview(c.UserContext(), iv, workflows.UpdateBookFor, workflows.BookFor{UserID: p.UserID, Start: req.Start.UTC(), Interviewers: req.Interviewers}, &res); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "interview.book", "application", app.ID, map[string]any{"start": res.Start})
	return c.JSON(res)
}

// staffRescheduleBody is the JSON body of staffReschedule.
type staffRescheduleBody struct {
	Reason string `json:"reason"`
}

func (s *Server) staffReschedule(c *fiber.Ctx) error {
	req, app, err := staffRequest[staffRescheduleBody](s, c)
	if err != nil {
		return err
	}
	if strings.TrimSpace(req.Reason) == "" || len(req.Reason) > 500 {
		return required("reason", "a reason (up to 500 characters) is required", "必须填写改期原因（最多 500 字）")
	}
	iv, err := s.interviewOf(c.UserContext(), app.OrgID, app.ID)
	if err != nil {
		return err
	}
	p := principal(c)
	if p.Role == hireflow.RoleInterviewer && !slices.Contains(iv.Interviewers, p.UserID) {
		return hireflow.NotFound("interview_not_found", "interview") // not on this panel
	}
	return s.reschedule(c, iv, string(p.Role), "user", p.UserID, req.Reason, func(st workflows.SchedulingState) error { return c.JSON(st) })
}

func (s *Server) reschedule(c *fiber.Ctx, iv store.Interview, by, actorType, actorID, reason string, done func(workflows.SchedulingState) error) error {
	if err := s.Store.InterviewSetStatus(c.UserContext(), iv.OrgID, iv.ID, iv.Status, by+": "+strings.TrimSpace(reason), false); err != nil {
		return err
	}
	var st workflows.SchedulingState
	if err := s.updateInterview(c.UserContext(), iv, workflows.UpdateReschedule, workflows.RescheduleRequest{By: by}, &st); err != nil {
		return err
	}
	_ = s.Store.Audit(c.UserContext(), iv.OrgID, actorType, actorID, "interview.reschedule", "application", iv.ApplicationID, map[string]any{"by": by})
	return done(st)
}

// staffCancelInterviewBody is the JSON body of staffCancelInterview.
type staffCancelInterviewBody struct {
	Reason string `json:"reason"`
}

func (s *Server) staffCancelInterview(c *fiber.Ctx) error {
	_, app, err := staffRequest[staffCancelInterviewBody](s, c)
	if err != nil {
		return err
	}
	iv, err := s.interviewOf(c.UserContext(), app.OrgID, app.ID)
	if err != nil {
		return err
	}
	var st workflows.SchedulingState
	if err := s.updateInterview(c.UserContext(), iv, workflows.UpdateCancelInterview, workflows.CancelInterview{By: "recruiter"}, &st); err != nil {
		return err
	}
	p := principal(c)
	_ = s.Store.Audit(c.UserContext(), p.OrgID, "user", p.UserID, "interview.cancel", "application", app.ID, nil)
	return c.JSON(st)
}

// ---------------------------------------------------------------- the candidate's side

// candidateInterview is what the status page shows of a live round.
type candidateInterview struct {
	Status       string
	Choices      []choiceView
	Start        *choiceView
	MeetingURL   string
	CanChange    bool
	Error        string
	HoldUntil    string
	ICSURL       string
	ProposeError string
}

type choiceView struct {
	Choice    int
	ISO, Text string
	Minutes   int
}

func (s *Server) candidateInterviewView(ctx context.Context, l string, tok store.CandidateToken, token string) *candidateInterview {
	iv, ok, err := s.Store.InterviewForApplication(ctx, tok.OrgID, tok.ApplicationID)
	if err != nil || !ok {
		return nil
	}
	v := &candidateInterview{Status: iv.Status, MeetingURL: iv.MeetingURL, ICSURL: "/c/" + token + "/interview.ics"}
	for _, ch := range iv.Choices {
		v.Choices = append(v.Choices, choiceView{Choice: ch.Choice, ISO: ch.Start.UTC().Format(time.RFC3339), Text: fmtTime(l, ch.Start), Minutes: int(ch.End.Sub(ch.Start).Minutes())})
		v.HoldUntil = fmtTime(l, ch.ExpiresAt)
	}
	if iv.Status == "booked" && iv.StartsAt != nil {
		v.Start = &choiceView{ISO: iv.StartsAt.UTC().Format(time.RFC3339), Text: fmtTime(l, *iv.StartsAt), Minutes: int(iv.EndsAt.Sub(*iv.StartsAt).Minutes())}
		v.CanChange = iv.StartsAt.After(time.Now())
	}
	return v
}

// candidateStep is the preamble of the status page's interview forms: the link, the page and
// the application's interview.
func (s *Server) candidateStep(c *fiber.Ctx) (store.CandidateToken, pageData, store.Interview, error) {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return tok, pageData{}, store.Interview{}, err
	}
	d := s.candidateView(c, tok, ct)
	iv, err := s.interviewOf(c.UserContext(), tok.OrgID, tok.ApplicationID)
	return tok, d, iv, err
}

// statusWithInterview shows the status page again with the interview as it is now, and msg as the
// interview card's error (none when msg is empty).
func (s *Server) statusWithInterview(c *fiber.Ctx, tok store.CandidateToken, d pageData, status int, msg string) error {
	d.Interview = s.candidateInterviewView(c.UserContext(), d.Lang, tok, c.Params("token"))
	if d.Interview != nil && msg != "" {
		d.Interview.Error = msg
	}
	return s.render(c, status, "status.html", d)
}

// candidateChoose books the time the candidate chose on the status page.
func (s *Server) candidateChoose(c *fiber.Ctx) error {
	tok, d, iv, err := s.candidateStep(c)
	if err != nil {
		return err
	}
	choice, cerr := strconv.Atoi(c.FormValue("choice"))
	if cerr != nil {
		return s.statusWithInterview(c, tok, d, fiber.StatusUnprocessableEntity, translate(d.Lang, "sch.choose_one"))
	}
	var res activities.BookResult
	if err := s.updateInterview(c.UserContext(), iv, workflows.UpdatePickSlot, workflows.PickSlot{Choice: choice}, &res); err != nil {
		herr := hireflow.AsError(err)
		if herr == nil {
			return err
		}
		msg := translate(d.Lang, "sch.not_offered")
		if herr.Code == activities.ErrTypeSlotTaken {
			msg = translate(d.Lang, "sch.taken")
		}
		return s.statusWithInterview(c, tok, d, fiber.StatusConflict, msg)
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "interview.choose", "application", tok.ApplicationID, nil)
	d.Notice = translate(d.Lang, "sch.booked")
	return s.statusWithInterview(c, tok, d, fiber.StatusOK, "")
}

// candidatePropose stores the times the candidate proposes ("none of these work") and asks
// the workflow to look again.
func (s *Server) candidatePropose(c *fiber.Ctx) error {
	tok, d, iv, err := s.candidateStep(c)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(c.FormValue("tz_offset")) // minutes east of UTC, from the browser
	if offset < -14*60 || offset > 14*60 {
		offset = 0
	}
	zone := time.FixedZone("candidate", offset*60)
	var prefs []scheduling.Interval
	bad := false
	for i := 1; i <= 3; i++ {
		day, from, to := c.FormValue(fmt.Sprintf("day%d", i)), c.FormValue(fmt.Sprintf("from%d", i)), c.FormValue(fmt.Sprintf("to%d", i))
		if day == "" && from == "" && to == "" {
			continue
		}
		dt, err := time.ParseInLocation(time.DateOnly, day, zone)
		a, err1 := scheduling.ParseClock(from)
		b, err2 := scheduling.ParseClock(to)
		if err != nil || err1 != nil || err2 != nil || b <= a || b > 24*60 {
			bad = true
			continue
		}
		st := dt.Add(time.Duration(a) * time.Minute)
		if st.Before(time.Now()) || st.After(time.Now().AddDate(0, 3, 0)) {
			bad = true
			continue
		}
		prefs = append(prefs, scheduling.Span(st, dt.Add(time.Duration(b)*time.Minute)))
	}
	d.Interview = s.candidateInterviewView(c.UserContext(), d.Lang, tok, c.Params("token"))
	if bad || len(prefs) == 0 {
		if d.Interview != nil {
			d.Interview.ProposeError = translate(d.Lang, "sch.propose_invalid")
		}
		return s.render(c, fiber.StatusUnprocessableEntity, "status.html", d)
	}
	if err := s.Store.InterviewSetPreferences(c.UserContext(), tok.OrgID, iv.ID, prefs); err != nil {
		return err
	}
	if err := s.Workflows.SignalWorkflow(c.UserContext(), hireflow.WorkflowIDForInterview(iv.ApplicationID, iv.Round), "", workflows.SignalPreferences, struct{}{}); err != nil {
		return workflowError(err)
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "interview.propose", "application", tok.ApplicationID, nil)
	d.Notice = translate(d.Lang, "sch.proposed")
	return s.statusWithInterview(c, tok, d, fiber.StatusOK, "")
}

func (s *Server) candidateReschedule(c *fiber.Ctx) error {
	tok, d, iv, err := s.candidateStep(c)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if reason == "" || len(reason) > 500 {
		return s.statusWithInterview(c, tok, d, fiber.StatusUnprocessableEntity, translate(d.Lang, "sch.reason_needed"))
	}
	if err := s.reschedule(c, iv, "candidate", "candidate", tok.ApplicationID, reason, func(workflows.SchedulingState) error { return nil }); err != nil {
		herr := hireflow.AsError(err)
		if herr == nil {
			return err
		}
		return s.statusWithInterview(c, tok, d, fiber.StatusConflict, translateValue(d.Lang, "sch.err.", herr.Code))
	}
	d.Notice = translate(d.Lang, "sch.rescheduling")
	return s.statusWithInterview(c, tok, d, fiber.StatusOK, "")
}

func (s *Server) candidateCancelInterview(c *fiber.Ctx) error {
	tok, d, iv, err := s.candidateStep(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		return s.statusWithInterview(c, tok, d, fiber.StatusUnprocessableEntity, translate(d.Lang, "withdraw.need"))
	}
	var st workflows.SchedulingState
	if err := s.updateInterview(c.UserContext(), iv, workflows.UpdateCancelInterview, workflows.CancelInterview{By: "candidate"}, &st); err != nil {
		herr := hireflow.AsError(err)
		if herr == nil {
			return err
		}
		return s.statusWithInterview(c, tok, d, fiber.StatusConflict, translateValue(d.Lang, "sch.err.", herr.Code))
	}
	_ = s.Store.Audit(c.UserContext(), tok.OrgID, "candidate", tok.ApplicationID, "interview.cancel", "application", tok.ApplicationID, nil)
	d.Notice = translate(d.Lang, "sch.cancelled")
	return s.statusWithInterview(c, tok, d, fiber.StatusOK, "")
}

// candidateICS is the booked interview as an iCalendar file ("add to my calendar").
func (s *Server) candidateICS(c *fiber.Ctx) error {
	tok, ct, err := s.useToken(c)
	if err != nil {
		return err
	}
	iv, err := s.interviewOf(c.UserContext(), tok.OrgID, tok.ApplicationID)
	if err != nil {
		return err
	}
	if iv.Status != "booked" || iv.StartsAt == nil {
		return hireflow.Errorf(hireflow.KindConflict, "not_booked", "", "the interview is not booked").ZH("面试尚未预约")
	}
	body := mail.Invite(mail.InviteSpec{UID: iv.ID + "@hireflow", Sequence: iv.Sequence, Start: *iv.StartsAt, End: *iv.EndsAt,
		Summary: ct.OrgName + " · " + ct.JobTitle, Location: iv.MeetingURL, Organizer: mail.Attendee{Name: ct.OrgName, Email: "noreply@hireflow.local"},
		Attendees: []mail.Attendee{{Name: ct.Name, Email: ct.Email}}, Stamp: time.Now()})
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8; method=REQUEST")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="interview.ics"`)
	return c.SendString(body)
}

// staffInterview is the application page's view of a live round's interview.
type staffInterview struct {
	Status      string
	Start       string
	MeetingURL  string
	Choices     []string
	Reschedules int
	OnPanel     bool
	Panel       []string
	People      []navLink // interviewers to book with (Href: the user ID)
}

func (s *Server) staffInterviewView(ctx context.Context, l string, p hireflow.Principal, appID string) (*staffInterview, error) {
	iv, ok, err := s.Store.InterviewForApplication(ctx, p.OrgID, appID)
	if err != nil || !ok {
		return nil, err
	}
	v := &staffInterview{Status: iv.Status, MeetingURL: iv.MeetingURL, Reschedules: iv.Reschedules, OnPanel: slices.Contains(iv.Interviewers, p.UserID)}
	if iv.StartsAt != nil {
		v.Start = fmtTime(l, *iv.StartsAt)
	}
	for _, ch := range iv.Choices {
		v.Choices = append(v.Choices, fmtTime(l, ch.Start))
	}
	people, err := s.Store.Interviewers(ctx, p.OrgID, nil)
	if err != nil {
		return nil, err
	}
	for _, pp := range people {
		if u, err := s.Store.UserGet(ctx, p.OrgID, pp.UserID); err == nil {
			v.People = append(v.People, navLink{Href: pp.UserID, Key: u.DisplayName})
			if slices.Contains(iv.Interviewers, pp.UserID) {
				v.Panel = append(v.Panel, u.DisplayName)
			}
		}
	}
	return v, nil
}

// jobFor is the job as one application sees it: its high-intensity questions only when the
// intensity decision taken when the application began asked for them (the interview page,
// the answers it accepts and the time it announces all follow the workflow's plan).
func (s *Server) jobFor(ctx context.Context, orgID, appID, jobID string) (hireflow.Job, error) {
	job, err := s.Store.JobGet(ctx, orgID, jobID)
	if err != nil {
		return job, err
	}
	high := false
	for _, q := range job.Questions {
		high = high || q.HighIntensity
	}
	if !high {
		return job, nil
	}
	ds, err := s.Store.DecisionList(ctx, orgID, appID)
	if err != nil {
		return job, err
	}
	for _, d := range ds {
		if d.Kind == "intensity" && d.Outcome == "ask" {
			return job, nil
		}
	}
	var qs []hireflow.Question
	for _, q := range job.Questions {
		if !q.HighIntensity {
			qs = append(qs, q)
		}
	}
	job.Questions = qs
	return job, nil
}
