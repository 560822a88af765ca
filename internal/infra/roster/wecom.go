package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// WeCom reads schedules with checkin/getcheckinschedulist (at most 100 users and one month a
// request; times are seconds after midnight; schedule_id 0 is a rest day) and the rests of
// each schedule from checkin/getcorpcheckinoption.
type WeCom struct{ *base }

// WeCom's limits per getcheckinschedulist request.
const (
	WeComMaxUsers = 100
	WeComMaxDays  = 31
)

// Kind is "wecom".
func (w *WeCom) Kind() string { return "wecom" }

func (w *WeCom) classify(b []byte) (outcome, error) {
	var a dtAnswer // WeCom answers errcode/errmsg too
	if err := json.Unmarshal(b, &a); err != nil {
		return failed, fmt.Errorf("roster: wecom answered malformed JSON: %w", err)
	}
	e := &apiError{"wecom", a.ErrCode, a.ErrMsg}
	switch a.ErrCode {
	case 0:
		return ok, nil
	case 40014, 42001: // invalid, expired access_token
		return tokenExpired, e
	case -1, 45009, 45033: // system busy, frequency limits
		return rateLimited, e
	}
	return failed, e
}

func (w *WeCom) fetchToken(ctx context.Context) (string, time.Duration, error) {
	return w.getToken(ctx, w.cfg.BaseURL+"/cgi-bin/gettoken?corpid="+url.QueryEscape(w.cfg.AppKey)+"&corpsecret="+url.QueryEscape(w.cfg.Secret))
}

func (w *WeCom) post(ctx context.Context, path string, body, out any) error {
	return w.call(ctx, w.fetchToken, func(tok string) (*http.Request, error) {
		return jsonRequest(http.MethodPost, w.cfg.BaseURL+path+"?access_token="+url.QueryEscape(tok), body, nil)
	}, out, w.classify)
}

type wcSection struct {
	WorkSec    int `json:"work_sec"`
	OffWorkSec int `json:"off_work_sec"`
}

// Fetch reads the rests of every schedule once, then the users' schedules month by month.
func (w *WeCom) Fetch(ctx context.Context, users []string, from, to scheduling.Day) ([]scheduling.Shift, error) {
	var opt struct {
		Group []struct {
			ScheduleList []struct {
				ScheduleID  int `json:"schedule_id"`
				TimeSection []struct {
					RestBegin int  `json:"rest_begin_time"`
					RestEnd   int  `json:"rest_end_time"`
					AllowRest bool `json:"allow_rest"`
				} `json:"time_section"`
			} `json:"schedulelist"`
		} `json:"group"`
	}
	if err := w.post(ctx, "/cgi-bin/checkin/getcorpcheckinoption", map[string]any{}, &opt); err != nil {
		return nil, err
	}
	rests := map[int][]scheduling.Section{}
	for _, g := range opt.Group {
		for _, s := range g.ScheduleList {
			for _, t := range s.TimeSection {
				if t.AllowRest && t.RestEnd != t.RestBegin {
					rests[s.ScheduleID] = append(rests[s.ScheduleID], scheduling.Section{Start: scheduling.Clock(t.RestBegin / 60), End: scheduling.Clock(t.RestEnd / 60)})
				}
			}
		}
	}
	var out []scheduling.Shift
	for _, win := range windows(from, to, WeComMaxDays, true) {
		for _, group := range chunks(users, WeComMaxUsers) {
			var a struct {
				ScheduleList []struct {
					UserID    string `json:"userid"`
					YearMonth int    `json:"yearmonth"`
					Schedule  struct {
						List []struct {
							Day  int `json:"day"`
							Info struct {
								ScheduleID  int         `json:"schedule_id"`
								TimeSection []wcSection `json:"time_section"`
							} `json:"schedule_info"`
						} `json:"scheduleList"`
					} `json:"schedule"`
				} `json:"schedule_list"`
			}
			body := map[string]any{"starttime": win[0].At(0, shanghai).Unix(), "endtime": win[1].At(24*60-1, shanghai).Unix(), "useridlist": group}
			if err := w.post(ctx, "/cgi-bin/checkin/getcheckinschedulist", body, &a); err != nil {
				return nil, err
			}
			for _, u := range a.ScheduleList {
				for _, d := range u.Schedule.List {
					day := scheduling.Day{Year: u.YearMonth / 100, Month: time.Month(u.YearMonth % 100), Day: d.Day}
					t := dayTime(day)
					if t.Before(dayTime(win[0])) || t.After(dayTime(win[1])) {
						continue
					}
					s := scheduling.Shift{Person: u.UserID, Day: day}
					if d.Info.ScheduleID == 0 {
						s.Rest = true
						out = append(out, s)
						continue
					}
					for _, ts := range d.Info.TimeSection {
						s.Sections = append(s.Sections, scheduling.Section{Start: scheduling.Clock(ts.WorkSec / 60), End: scheduling.Clock(ts.OffWorkSec / 60)})
					}
					s.Rests = rests[d.Info.ScheduleID]
					out = append(out, s)
				}
			}
		}
	}
	return out, nil
}
