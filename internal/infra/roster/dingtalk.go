package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// DingTalk reads schedules with topapi/attendance/schedule/listbyusers (at most 50 users and 7
// days a request) and each shift's sections, punches and rests with
// topapi/attendance/shift/query.
type DingTalk struct{ *base }

// DingTalk's limits per listbyusers request.
const (
	DingTalkMaxUsers = 50
	DingTalkMaxDays  = 7
)

// Kind is "dingtalk".
func (d *DingTalk) Kind() string { return "dingtalk" }

type dtAnswer struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func (d *DingTalk) classify(b []byte) (outcome, error) {
	var a dtAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return failed, fmt.Errorf("roster: dingtalk answered malformed JSON: %w", err)
	}
	e := &apiError{"dingtalk", a.ErrCode, a.ErrMsg}
	switch a.ErrCode {
	case 0:
		return ok, nil
	case 40014, 42001, 88: // invalid or expired access_token
		return tokenExpired, e
	case 90002, 90006, 90018: // call frequency limits
		return rateLimited, e
	}
	return failed, e
}

func (d *DingTalk) fetchToken(ctx context.Context) (string, time.Duration, error) {
	return d.getToken(ctx, d.cfg.BaseURL+"/gettoken?appkey="+url.QueryEscape(d.cfg.AppKey)+"&appsecret="+url.QueryEscape(d.cfg.Secret))
}

// getToken reads a DingTalk- or WeCom-style token answer: errcode, access_token, expires_in.
func (b *base) getToken(ctx context.Context, tokenURL string) (string, time.Duration, error) {
	req, err := http.NewRequest(http.MethodGet, tokenURL, nil)
	if err != nil {
		return "", 0, err
	}
	body, _, err := b.do(ctx, req)
	if err != nil {
		return "", 0, err
	}
	var a struct {
		dtAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return "", 0, fmt.Errorf("roster: %s token answer: %w", b.cfg.Kind, err)
	}
	if a.ErrCode != 0 || a.AccessToken == "" {
		return "", 0, fmt.Errorf("%w: %s %d %s", ErrAuth, b.cfg.Kind, a.ErrCode, a.ErrMsg)
	}
	return a.AccessToken, time.Duration(max(a.ExpiresIn, 120)) * time.Second, nil
}

func (d *DingTalk) post(ctx context.Context, path string, body, out any) error {
	return d.call(ctx, d.fetchToken, func(tok string) (*http.Request, error) {
		return jsonRequest(http.MethodPost, d.cfg.BaseURL+path+"?access_token="+url.QueryEscape(tok), body, nil)
	}, out, d.classify)
}

// dtTime is DingTalk's date-time: "yyyy-MM-dd HH:mm:ss" (China time) or milliseconds.
type dtTime struct{ time.Time }

var shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone(name, 8*3600)
	}
	return l
}

func (t *dtTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.Time = time.UnixMilli(ms).In(shanghai)
		return nil
	}
	v, err := time.ParseInLocation(time.DateTime, s, shanghai)
	if err != nil {
		return fmt.Errorf("roster: dingtalk time %q: %w", s, err)
	}
	t.Time = v
	return nil
}

type dtPunch struct {
	CheckType string `json:"check_type"` // OnDuty | OffDuty
	Across    int    `json:"across"`     // 1: the next day
	CheckTime dtTime `json:"check_time"`
}

// clock is the punch's wall-clock time on the shift's day, past 24:00 when it is the next day.
func (p dtPunch) clock() scheduling.Clock {
	t := p.CheckTime.In(shanghai)
	return scheduling.Clock(t.Hour()*60+t.Minute()) + scheduling.Clock(p.Across*24*60)
}

type dtShift struct {
	ID       int64 `json:"id"`
	Sections []struct {
		Punches []dtPunch `json:"punches"`
		Rests   []dtPunch `json:"rests"`
	} `json:"sections"`
}

// pairs turns OnDuty/OffDuty punches into sections, in order.
func pairs(ps []dtPunch) []scheduling.Section {
	var out []scheduling.Section
	var start *scheduling.Clock
	for _, p := range ps {
		c := p.clock()
		switch p.CheckType {
		case "OnDuty":
			start = &c
		case "OffDuty":
			if start != nil {
				out = append(out, scheduling.Section{Start: *start, End: c})
				start = nil
			}
		}
	}
	return out
}

// Fetch reads the users' schedules window by window, then each distinct shift once.
func (d *DingTalk) Fetch(ctx context.Context, users []string, from, to scheduling.Day) ([]scheduling.Shift, error) {
	type entry struct {
		UserID   string `json:"userid"`
		WorkDate dtTime `json:"work_date"`
		ShiftID  int64  `json:"shift_id"`
		IsRest   string `json:"is_rest"`
	}
	days := map[string]map[string]entry{} // user → date → entry
	for _, w := range windows(from, to, DingTalkMaxDays, false) {
		for _, group := range chunks(users, DingTalkMaxUsers) {
			var a struct {
				Result []entry `json:"result"`
			}
			body := map[string]any{"op_user_id": d.cfg.OpUserID, "userids": strings.Join(group, ","),
				"from_date_time": w[0].At(0, shanghai).UnixMilli(), "to_date_time": w[1].At(24*60-1, shanghai).UnixMilli()}
			if err := d.post(ctx, "/topapi/attendance/schedule/listbyusers", body, &a); err != nil {
				return nil, err
			}
			for _, e := range a.Result {
				if days[e.UserID] == nil {
					days[e.UserID] = map[string]entry{}
				}
				key := scheduling.DayOf(e.WorkDate.In(shanghai)).String()
				// A day has one row per punch; a rest row wins over none, a shift over a rest.
				if prev, seen := days[e.UserID][key]; !seen || (prev.ShiftID == 0 && e.ShiftID != 0) {
					days[e.UserID][key] = e
				}
			}
		}
	}
	shifts := map[int64]dtShift{}
	var out []scheduling.Shift
	for _, u := range sortedKeys(days) {
		for _, key := range sortedKeys(days[u]) {
			e := days[u][key]
			day, _ := scheduling.ParseDay(key)
			if e.IsRest == "Y" || e.ShiftID == 0 {
				out = append(out, scheduling.Shift{Person: u, Day: day, Rest: true})
				continue
			}
			sh, ok := shifts[e.ShiftID]
			if !ok {
				var a struct {
					Result dtShift `json:"result"`
				}
				if err := d.post(ctx, "/topapi/attendance/shift/query", map[string]any{"op_user_id": d.cfg.OpUserID, "shift_id": e.ShiftID}, &a); err != nil {
					return nil, err
				}
				sh = a.Result
				shifts[e.ShiftID] = sh
			}
			s := scheduling.Shift{Person: u, Day: day}
			for _, sec := range sh.Sections {
				s.Sections = append(s.Sections, pairs(sec.Punches)...)
				s.Rests = append(s.Rests, pairs(sec.Rests)...)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
