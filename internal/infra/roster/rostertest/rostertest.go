// Package rostertest is a local stand-in for the attendance APIs of DingTalk, WeCom and Feishu:
// it serves one roster in each platform's documented request and response shapes (tokens,
// schedules, shifts), enforces each platform's user and date-window limits with its error
// answer, expires tokens after a number of uses and answers "slow down" every so often, so the
// clients' paging, token refresh and back-off are exercised against the shapes they will meet.
package rostertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// ShiftDef is a shift: its working sections and rests (clocks may pass 24:00).
type ShiftDef struct {
	Sections, Rests []scheduling.Section
}

// Server is a running stand-in for all three platforms.
type Server struct {
	*httptest.Server
	mu sync.Mutex
	// Plan is user → date (YYYY-MM-DD) → shift ID ("0" for a rest day); Shifts are the IDs.
	Plan   map[string]map[string]string
	Shifts map[string]ShiftDef
	// TokenUses is how many calls a token answers before it is expired (0: never).
	TokenUses int
	// RateEvery makes every n-th data call answer the platform's rate-limit error (0: never).
	RateEvery int

	tokens    map[string]int
	issued    int
	calls     int
	Stats     Stats
	appKey    string
	appSecret string
}

// Stats are what the clients did.
type Stats struct {
	TokensIssued, ScheduleCalls, ShiftCalls, RateLimited, Expired, LimitRefused int
	MaxUsers, MaxDays                                                           int
}

// New starts the server; the clients authenticate with key and secret.
func New(key, secret string) *Server {
	s := &Server{Plan: map[string]map[string]string{}, Shifts: map[string]ShiftDef{}, tokens: map[string]int{}, appKey: key, appSecret: secret}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Snapshot returns the stats so far.
func (s *Server) Snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Stats
}

// Set puts a shift (or "0" for rest) on a user's date.
func (s *Server) Set(user, date, shift string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Plan[user] == nil {
		s.Plan[user] = map[string]string{}
	}
	s.Plan[user][date] = shift
}

var cst = time.FixedZone("CST", 8*3600)

func (s *Server) issue() string {
	s.issued++
	s.Stats.TokensIssued++
	t := fmt.Sprintf("tok-%d", s.issued)
	s.tokens[t] = 0
	return t
}

// use checks a token: "" ok, or the reason it is refused.
func (s *Server) use(tok string) string {
	n, ok := s.tokens[tok]
	if !ok {
		return "invalid"
	}
	if s.TokenUses > 0 && n >= s.TokenUses {
		s.Stats.Expired++
		return "expired"
	}
	s.tokens[tok] = n + 1
	return ""
}

func (s *Server) limited() bool {
	s.calls++
	if s.RateEvery > 0 && s.calls%s.RateEvery == 0 {
		s.Stats.RateLimited++
		return true
	}
	return false
}

func write(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var body map[string]any
	if r.Method == http.MethodPost {
		_ = json.NewDecoder(r.Body).Decode(&body)
	}
	q := r.URL.Query()
	p := r.URL.Path
	switch {
	// DingTalk
	case p == "/gettoken":
		if q.Get("appkey") != s.appKey || q.Get("appsecret") != s.appSecret {
			write(w, map[string]any{"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
			return
		}
		write(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": s.issue(), "expires_in": 7200})
	case strings.HasPrefix(p, "/topapi/attendance/"):
		if why := s.use(q.Get("access_token")); why != "" {
			write(w, map[string]any{"errcode": map[string]int{"invalid": 40014, "expired": 42001}[why], "errmsg": "不合法的access_token"})
			return
		}
		if s.limited() {
			write(w, map[string]any{"errcode": 90018, "errmsg": "当前企业调用该接口超过频率限制"})
			return
		}
		if p == "/topapi/attendance/shift/query" {
			s.dingtalkShift(w, body)
			return
		}
		s.dingtalkSchedules(w, body)
	// WeCom
	case p == "/cgi-bin/gettoken":
		if q.Get("corpid") != s.appKey || q.Get("corpsecret") != s.appSecret {
			write(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
			return
		}
		write(w, map[string]any{"errcode": 0, "errmsg": "ok", "access_token": s.issue(), "expires_in": 7200})
	case strings.HasPrefix(p, "/cgi-bin/checkin/"):
		if why := s.use(q.Get("access_token")); why != "" {
			write(w, map[string]any{"errcode": map[string]int{"invalid": 40014, "expired": 42001}[why], "errmsg": "access_token expired"})
			return
		}
		if s.limited() {
			write(w, map[string]any{"errcode": 45009, "errmsg": "api freq out of limit"})
			return
		}
		if p == "/cgi-bin/checkin/getcorpcheckinoption" {
			s.wecomOption(w)
			return
		}
		s.wecomSchedules(w, body)
	// Feishu
	case p == "/open-apis/auth/v3/tenant_access_token/internal":
		if body["app_id"] != s.appKey || body["app_secret"] != s.appSecret {
			write(w, map[string]any{"code": 10014, "msg": "app secret invalid"})
			return
		}
		write(w, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": s.issue(), "expire": 7200})
	case strings.HasPrefix(p, "/open-apis/attendance/v1/"):
		if why := s.use(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")); why != "" {
			write(w, map[string]any{"code": map[string]int{"invalid": 99991663, "expired": 99991668}[why], "msg": "Invalid access token for authorization"})
			return
		}
		if s.limited() {
			w.WriteHeader(http.StatusTooManyRequests)
			write(w, map[string]any{"code": 99991400, "msg": "request trigger frequency limit"})
			return
		}
		if strings.HasPrefix(p, "/open-apis/attendance/v1/shifts/") {
			s.feishuShift(w, strings.TrimPrefix(p, "/open-apis/attendance/v1/shifts/"))
			return
		}
		s.feishuSchedules(w, body)
	default:
		http.NotFound(w, r)
	}
}

// days lists the dates from..to (inclusive) and counts them.
func days(from, to time.Time) []time.Time {
	var out []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

func (s *Server) note(users, ndays int) {
	s.Stats.MaxUsers = max(s.Stats.MaxUsers, users)
	s.Stats.MaxDays = max(s.Stats.MaxDays, ndays)
}

func (s *Server) dingtalkSchedules(w http.ResponseWriter, body map[string]any) {
	s.Stats.ScheduleCalls++
	users := strings.Split(fmt.Sprint(body["userids"]), ",")
	from := time.UnixMilli(int64(num(body["from_date_time"]))).In(cst)
	to := time.UnixMilli(int64(num(body["to_date_time"]))).In(cst)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, cst)
	ds := days(from, to)
	s.note(len(users), len(ds))
	if len(users) > 50 || len(ds) > 7 {
		s.Stats.LimitRefused++
		write(w, map[string]any{"errcode": 40035, "errmsg": "不合法的参数: 最多50人，最多7天"})
		return
	}
	var result []map[string]any
	for _, u := range users {
		for _, d := range ds {
			date := d.Format(time.DateOnly)
			id, ok := s.Plan[u][date]
			if !ok {
				continue
			}
			workDate := d.Format(time.DateTime)
			if id == "0" {
				result = append(result, map[string]any{"userid": u, "work_date": workDate, "is_rest": "Y", "shift_id": 0, "check_type": "OnDuty"})
				continue
			}
			sid, _ := strconv.Atoi(id)
			def := s.Shifts[id]
			for _, sec := range def.Sections {
				for _, c := range []struct {
					t string
					c scheduling.Clock
				}{{"OnDuty", sec.Start}, {"OffDuty", sec.End}} {
					at := d.Add(time.Duration(c.c) * time.Minute)
					result = append(result, map[string]any{"userid": u, "work_date": workDate, "is_rest": "N", "shift_id": sid,
						"check_type": c.t, "plan_check_time": at.Format(time.DateTime)})
				}
			}
		}
	}
	write(w, map[string]any{"errcode": 0, "errmsg": "ok", "success": true, "result": result, "request_id": "req"})
}

func dtPunch(kind string, c scheduling.Clock) map[string]any {
	across := 0
	if c >= 24*60 {
		across, c = 1, c-24*60
	}
	return map[string]any{"check_type": kind, "across": across, "check_time": fmt.Sprintf("2020-01-01 %02d:%02d:00", int(c)/60, int(c)%60)}
}

func (s *Server) dingtalkShift(w http.ResponseWriter, body map[string]any) {
	s.Stats.ShiftCalls++
	id := strconv.Itoa(int(num(body["shift_id"])))
	def, ok := s.Shifts[id]
	if !ok {
		write(w, map[string]any{"errcode": 850002, "errmsg": "班次不存在"})
		return
	}
	var secs []map[string]any
	for i, sec := range def.Sections {
		one := map[string]any{"punches": []any{dtPunch("OnDuty", sec.Start), dtPunch("OffDuty", sec.End)}}
		if i == 0 {
			var rests []any
			for _, r := range def.Rests {
				rests = append(rests, dtPunch("OnDuty", r.Start), dtPunch("OffDuty", r.End))
			}
			one["rests"] = rests
		}
		secs = append(secs, one)
	}
	write(w, map[string]any{"errcode": 0, "errmsg": "ok", "result": map[string]any{"id": num(body["shift_id"]), "name": "班次" + id, "sections": secs}})
}

func (s *Server) wecomOption(w http.ResponseWriter) {
	var list []any
	for id, def := range s.Shifts {
		sid, _ := strconv.Atoi(id)
		var ts []any
		for i, sec := range def.Sections {
			t := map[string]any{"time_id": i + 1, "work_sec": int(sec.Start) * 60, "off_work_sec": int(sec.End) * 60, "allow_rest": false}
			if i < len(def.Rests) {
				t["allow_rest"], t["rest_begin_time"], t["rest_end_time"] = true, int(def.Rests[i].Start)*60, int(def.Rests[i].End)*60
			}
			ts = append(ts, t)
		}
		list = append(list, map[string]any{"schedule_id": sid, "schedule_name": "班次" + id, "time_section": ts})
	}
	write(w, map[string]any{"errcode": 0, "errmsg": "ok", "group": []any{map[string]any{"groupid": 1, "groupname": "排班", "grouptype": 3, "schedulelist": list}}})
}

func (s *Server) wecomSchedules(w http.ResponseWriter, body map[string]any) {
	s.Stats.ScheduleCalls++
	var users []string
	for _, u := range body["useridlist"].([]any) {
		users = append(users, fmt.Sprint(u))
	}
	from := time.Unix(int64(num(body["starttime"])), 0).In(cst)
	to := time.Unix(int64(num(body["endtime"])), 0).In(cst)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, cst)
	ds := days(from, to)
	s.note(len(users), len(ds))
	if len(users) > 100 || from.Month() != to.Month() || from.Year() != to.Year() {
		s.Stats.LimitRefused++
		write(w, map[string]any{"errcode": 301023, "errmsg": "useridlist too long or range across months"})
		return
	}
	var out []any
	for _, u := range users {
		var list []any
		for _, d := range ds {
			id, ok := s.Plan[u][d.Format(time.DateOnly)]
			if !ok {
				continue
			}
			sid, _ := strconv.Atoi(id)
			var ts []any
			for i, sec := range s.Shifts[id].Sections {
				ts = append(ts, map[string]any{"id": i + 1, "work_sec": int(sec.Start) * 60, "off_work_sec": int(sec.End) * 60,
					"remind_work_sec": int(sec.Start)*60 - 600, "remind_off_work_sec": int(sec.End) * 60})
			}
			info := map[string]any{"schedule_id": sid, "schedule_name": "班次" + id, "time_section": ts}
			if id == "0" {
				info = map[string]any{"schedule_id": 0, "schedule_name": "休息", "time_section": []any{}}
			}
			list = append(list, map[string]any{"day": d.Day(), "schedule_info": info})
		}
		out = append(out, map[string]any{"userid": u, "yearmonth": from.Year()*100 + int(from.Month()), "groupid": 1, "groupname": "排班",
			"schedule": map[string]any{"scheduleList": list}})
	}
	write(w, map[string]any{"errcode": 0, "errmsg": "ok", "schedule_list": out})
}

func (s *Server) feishuSchedules(w http.ResponseWriter, body map[string]any) {
	s.Stats.ScheduleCalls++
	var users []string
	for _, u := range body["user_ids"].([]any) {
		users = append(users, fmt.Sprint(u))
	}
	parse := func(v any) time.Time {
		t, _ := time.ParseInLocation("20060102", strconv.Itoa(int(num(v))), cst)
		return t
	}
	ds := days(parse(body["check_date_from"]), parse(body["check_date_to"]))
	s.note(len(users), len(ds))
	if len(users) > 50 || len(ds) > 30 {
		s.Stats.LimitRefused++
		write(w, map[string]any{"code": 1220001, "msg": "param is invalid: at most 50 users and 30 days"})
		return
	}
	var list []any
	for _, u := range users {
		for _, d := range ds {
			id, ok := s.Plan[u][d.Format(time.DateOnly)]
			if !ok {
				continue
			}
			list = append(list, map[string]any{"group_id": "1", "shift_id": id, "month": d.Year()*100 + int(d.Month()), "user_id": u, "day_no": d.Day(), "is_clear_schedule": false})
		}
	}
	write(w, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"user_daily_shift_list": list}})
}

func (s *Server) feishuShift(w http.ResponseWriter, id string) {
	s.Stats.ShiftCalls++
	def, ok := s.Shifts[id]
	if !ok {
		write(w, map[string]any{"code": 1220404, "msg": "shift not found"})
		return
	}
	var punch, rest []any
	for _, sec := range def.Sections {
		punch = append(punch, map[string]any{"on_time": sec.Start.String(), "off_time": sec.End.String(), "on_advance_minutes": 60, "off_delay_minutes": 120})
	}
	for _, r := range def.Rests {
		rest = append(rest, map[string]any{"rest_begin_time": r.Start.String(), "rest_end_time": r.End.String()})
	}
	write(w, map[string]any{"code": 0, "msg": "success", "data": map[string]any{"shift_id": id, "shift_name": "班次" + id, "punch_times": len(punch),
		"is_flexible": false, "punch_time_rule": punch, "rest_time_rule": rest}})
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case string:
		f, _ := strconv.ParseFloat(x, 64)
		return f
	}
	return 0
}
