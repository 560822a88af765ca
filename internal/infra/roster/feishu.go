package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// Feishu reads schedules with attendance/v1/user_daily_shifts/query (at most 50 users and 30
// days a request; shift "0" is a rest day) and each shift with attendance/v1/shifts/:id,
// whose hh:mm may pass 24:00 ("26:00" is 02:00 the next day).
type Feishu struct{ *base }

// Feishu's limits per user_daily_shifts/query request.
const (
	FeishuMaxUsers = 50
	FeishuMaxDays  = 30
)

// Kind is "feishu".
func (f *Feishu) Kind() string { return "feishu" }

type fsAnswer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (f *Feishu) classify(b []byte) (outcome, error) {
	var a fsAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return failed, fmt.Errorf("roster: feishu answered malformed JSON: %w", err)
	}
	e := &apiError{"feishu", a.Code, a.Msg}
	switch a.Code {
	case 0:
		return ok, nil
	case 99991661, 99991663, 99991668: // missing, invalid, expired tenant_access_token
		return tokenExpired, e
	case 99991400: // request trigger frequency limit
		return rateLimited, e
	}
	return failed, e
}

func (f *Feishu) fetchToken(ctx context.Context) (string, time.Duration, error) {
	req, err := jsonRequest(http.MethodPost, f.cfg.BaseURL+"/open-apis/auth/v3/tenant_access_token/internal",
		map[string]string{"app_id": f.cfg.AppKey, "app_secret": f.cfg.Secret}, nil)
	if err != nil {
		return "", 0, err
	}
	body, _, err := f.do(ctx, req)
	if err != nil {
		return "", 0, err
	}
	var a struct {
		fsAnswer
		Token  string `json:"tenant_access_token"`
		Expire int    `json:"expire"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return "", 0, fmt.Errorf("roster: feishu token answer: %w", err)
	}
	if a.Code != 0 || a.Token == "" {
		return "", 0, fmt.Errorf("%w: feishu %d %s", ErrAuth, a.Code, a.Msg)
	}
	return a.Token, time.Duration(max(a.Expire, 120)) * time.Second, nil
}

func (f *Feishu) send(ctx context.Context, method, path string, body, out any) error {
	return f.call(ctx, f.fetchToken, func(tok string) (*http.Request, error) {
		return jsonRequest(method, f.cfg.BaseURL+path, body, map[string]string{"Authorization": "Bearer " + tok})
	}, out, f.classify)
}

func dayNumber(d scheduling.Day) int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// Fetch reads the users' daily shifts in 30-day windows, then each distinct shift once.
func (f *Feishu) Fetch(ctx context.Context, users []string, from, to scheduling.Day) ([]scheduling.Shift, error) {
	type daily struct {
		ShiftID string `json:"shift_id"`
		Month   int    `json:"month"`
		UserID  string `json:"user_id"`
		DayNo   int    `json:"day_no"`
	}
	var all []daily
	for _, w := range windows(from, to, FeishuMaxDays, false) {
		for _, group := range chunks(users, FeishuMaxUsers) {
			var a struct {
				Data struct {
					List []daily `json:"user_daily_shift_list"`
				} `json:"data"`
			}
			body := map[string]any{"user_ids": group, "check_date_from": dayNumber(w[0]), "check_date_to": dayNumber(w[1])}
			if err := f.send(ctx, http.MethodPost, "/open-apis/attendance/v1/user_daily_shifts/query?employee_type=employee_id", body, &a); err != nil {
				return nil, err
			}
			all = append(all, a.Data.List...)
		}
	}
	type rule struct {
		Sections []scheduling.Section
		Rests    []scheduling.Section
	}
	shifts := map[string]rule{}
	var out []scheduling.Shift
	for _, d := range all {
		day := scheduling.Day{Year: d.Month / 100, Month: time.Month(d.Month % 100), Day: d.DayNo}
		s := scheduling.Shift{Person: d.UserID, Day: day}
		if d.ShiftID == "" || d.ShiftID == "0" {
			s.Rest = true
			out = append(out, s)
			continue
		}
		r, ok := shifts[d.ShiftID]
		if !ok {
			var a struct {
				Data struct {
					Punch []struct {
						On  string `json:"on_time"`
						Off string `json:"off_time"`
					} `json:"punch_time_rule"`
					Rest []struct {
						Begin string `json:"rest_begin_time"`
						End   string `json:"rest_end_time"`
					} `json:"rest_time_rule"`
				} `json:"data"`
			}
			if _, err := strconv.ParseInt(d.ShiftID, 10, 64); err != nil {
				return nil, fmt.Errorf("roster: feishu shift id %q is not a number", d.ShiftID)
			}
			if err := f.send(ctx, http.MethodGet, "/open-apis/attendance/v1/shifts/"+url.PathEscape(d.ShiftID), nil, &a); err != nil {
				return nil, err
			}
			for _, p := range a.Data.Punch {
				on, err1 := scheduling.ParseClock(p.On)
				off, err2 := scheduling.ParseClock(p.Off)
				if err1 != nil || err2 != nil {
					return nil, fmt.Errorf("roster: feishu shift %s: times %q–%q", d.ShiftID, p.On, p.Off)
				}
				r.Sections = append(r.Sections, scheduling.Section{Start: on, End: off})
			}
			for _, p := range a.Data.Rest {
				b, err1 := scheduling.ParseClock(p.Begin)
				e, err2 := scheduling.ParseClock(p.End)
				if err1 == nil && err2 == nil {
					r.Rests = append(r.Rests, scheduling.Section{Start: b, End: e})
				}
			}
			shifts[d.ShiftID] = r
		}
		s.Sections, s.Rests = r.Sections, r.Rests
		out = append(out, s)
	}
	return out, nil
}
