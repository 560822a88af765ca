package roster_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hireflow/hireflow/internal/infra/roster"
	"github.com/hireflow/hireflow/internal/infra/roster/rostertest"
	"github.com/hireflow/hireflow/internal/scheduling"
)

// TestEachPlatformPagesRefreshesAndBacksOff reads the same roster of 120 users over 40 days
// from each platform's stand-in, whose tokens expire after a few calls and which answers
// "slow down" every fifth call: every client stays inside its platform's limits, refreshes
// its token, backs off, and returns the same shifts — day shifts with a lunch rest, a night
// shift to 02:00 the next day (Feishu's "26:00", DingTalk's next-day flag, WeCom's seconds),
// and rest days.
func TestEachPlatformPagesRefreshesAndBacksOff(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := scheduling.Day{Year: 2026, Month: 12, Day: 1}
	to := scheduling.Day{Year: 2027, Month: 1, Day: 9}
	var users []string
	for i := 0; i < 120; i++ {
		users = append(users, fmt.Sprintf("u%03d", i))
	}
	for _, kind := range []string{"dingtalk", "wecom", "feishu"} {
		t.Run(kind, func(t *testing.T) {
			srv := rostertest.New("key", "secret")
			defer srv.Close()
			srv.Shifts["11"] = rostertest.ShiftDef{Sections: []scheduling.Section{{Start: 9 * 60, End: 18 * 60}}, Rests: []scheduling.Section{{Start: 12 * 60, End: 13 * 60}}}
			srv.Shifts["12"] = rostertest.ShiftDef{Sections: []scheduling.Section{{Start: 18 * 60, End: 26 * 60}}}
			for i, u := range users {
				d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
				for k := 0; k < 40; k++ {
					date := d.AddDate(0, 0, k).Format(time.DateOnly)
					switch {
					case (k+i)%7 >= 5:
						srv.Set(u, date, "0")
					case i%3 == 0:
						srv.Set(u, date, "12")
					default:
						srv.Set(u, date, "11")
					}
				}
			}
			srv.TokenUses, srv.RateEvery = 3, 5
			src, err := roster.New(roster.Config{Kind: kind, BaseURL: srv.URL, AppKey: "key", Secret: "secret", OpUserID: "admin", Backoff: time.Millisecond})
			require.NoError(t, err)
			shifts, err := src.Fetch(context.Background(), users, from, to)
			require.NoError(t, err)
			st := srv.Snapshot()
			require.Zero(t, st.LimitRefused, "every request within the platform's limits")
			require.Greater(t, st.TokensIssued, 1, "the expired token was refreshed")
			require.Positive(t, st.Expired)
			require.Positive(t, st.RateLimited, "rate limits were met and survived")
			require.Len(t, shifts, 120*40, "one shift or rest per user and day")
			byKey := map[string]scheduling.Shift{}
			for _, s := range shifts {
				byKey[s.Person+" "+s.Day.String()] = s
			}
			day := byKey["u001 2026-12-02"]
			require.Equal(t, scheduling.Set{
				{Start: time.Date(2026, 12, 2, 9, 0, 0, 0, sh).Unix(), End: time.Date(2026, 12, 2, 12, 0, 0, 0, sh).Unix()},
				{Start: time.Date(2026, 12, 2, 13, 0, 0, 0, sh).Unix(), End: time.Date(2026, 12, 2, 18, 0, 0, 0, sh).Unix()},
			}, day.Intervals(sh), "day shift with its lunch rest")
			night := byKey["u000 2026-12-31"]
			require.Equal(t, scheduling.Set{{Start: time.Date(2026, 12, 31, 18, 0, 0, 0, sh).Unix(), End: time.Date(2027, 1, 1, 2, 0, 0, 0, sh).Unix()}},
				night.Intervals(sh), "the night shift ends at 02:00 the next day, across the month and year")
			require.True(t, byKey["u000 2026-12-06"].Rest, "rest day")
		})
	}
}

func TestPlatformErrors(t *testing.T) {
	srv := rostertest.New("key", "secret")
	defer srv.Close()
	day := scheduling.Day{Year: 2026, Month: 12, Day: 7}
	for _, kind := range []string{"dingtalk", "wecom", "feishu"} {
		src, err := roster.New(roster.Config{Kind: kind, BaseURL: srv.URL, AppKey: "key", Secret: "wrong"})
		require.NoError(t, err)
		_, err = src.Fetch(context.Background(), []string{"u"}, day, day)
		require.True(t, errors.Is(err, roster.ErrAuth), "%s: refused credentials are named: %v", kind, err)
	}
	srv.RateEvery = 1 // always slow down
	src, err := roster.New(roster.Config{Kind: "feishu", BaseURL: srv.URL, AppKey: "key", Secret: "secret", Backoff: time.Millisecond, Retries: 3})
	require.NoError(t, err)
	_, err = src.Fetch(context.Background(), []string{"u"}, day, day)
	require.ErrorContains(t, err, "kept answering slow down")
	_, err = roster.New(roster.Config{Kind: "slack"})
	require.Error(t, err)
}
