package scheduling

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func iv(a, b int64) Interval { return Interval{a, b} }

func TestSetAlgebra(t *testing.T) {
	for name, c := range map[string]struct {
		a, b                []Interval
		union, minus, inter Set
	}{
		"Disjoint":     {[]Interval{iv(0, 10)}, []Interval{iv(20, 30)}, Set{iv(0, 10), iv(20, 30)}, Set{iv(0, 10)}, nil},
		"Touching":     {[]Interval{iv(0, 10)}, []Interval{iv(10, 20)}, Set{iv(0, 20)}, Set{iv(0, 10)}, nil},
		"Overlap":      {[]Interval{iv(0, 10)}, []Interval{iv(5, 15)}, Set{iv(0, 15)}, Set{iv(0, 5)}, Set{iv(5, 10)}},
		"Inside":       {[]Interval{iv(0, 30)}, []Interval{iv(10, 20)}, Set{iv(0, 30)}, Set{iv(0, 10), iv(20, 30)}, Set{iv(10, 20)}},
		"Covering":     {[]Interval{iv(10, 20)}, []Interval{iv(0, 30)}, Set{iv(0, 30)}, nil, Set{iv(10, 20)}},
		"Many":         {[]Interval{iv(0, 10), iv(20, 30), iv(40, 50)}, []Interval{iv(5, 25), iv(45, 60)}, Set{iv(0, 30), iv(40, 60)}, Set{iv(0, 5), iv(25, 30), iv(40, 45)}, Set{iv(5, 10), iv(20, 25), iv(45, 50)}},
		"Unsorted":     {[]Interval{iv(40, 50), iv(0, 10)}, []Interval{iv(8, 42)}, Set{iv(0, 50)}, Set{iv(0, 8), iv(42, 50)}, Set{iv(8, 10), iv(40, 42)}},
		"EmptyDropped": {[]Interval{iv(5, 5), iv(0, 3)}, nil, Set{iv(0, 3)}, Set{iv(0, 3)}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			a, b := Normalize(c.a), Normalize(c.b)
			require.Equal(t, c.union, Union(a, b))
			require.Equal(t, c.minus, a.Subtract(b))
			require.Equal(t, c.inter, Intersect(a, b))
		})
	}
	require.Equal(t, Set{iv(5, 8)}, Intersect(Set{iv(0, 10)}, Set{iv(5, 20)}, Set{iv(2, 8)}))
	require.Nil(t, Intersect(Set{iv(0, 10)}, nil))
	require.Equal(t, Set{iv(-5, 22)}, Set{iv(0, 10), iv(12, 20)}.Expand(5, 2), "widened intervals merge")
	s := Set{iv(0, 10), iv(20, 30)}
	require.True(t, s.Contains(iv(20, 30)))
	require.False(t, s.Contains(iv(5, 25)), "a span across a gap is not contained")
	require.True(t, s.Overlaps(iv(9, 11)))
	require.False(t, s.Overlaps(iv(10, 20)), "touching ends do not overlap")
}

func TestShiftsToUTC(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	mustClock := func(s string) Clock { c, err := ParseClock(s); require.NoError(t, err); return c }
	utc := func(s string) int64 { x, err := time.Parse(time.RFC3339, s); require.NoError(t, err); return x.Unix() }
	for name, c := range map[string]struct {
		shift Shift
		loc   *time.Location
		want  Set
	}{
		"DayWithLunch": {Shift{Day: Day{2026, 12, 7}, Sections: []Section{{mustClock("09:00"), mustClock("18:00")}}, Rests: []Section{{mustClock("12:00"), mustClock("13:00")}}}, sh,
			Set{{utc("2026-12-07T01:00:00Z"), utc("2026-12-07T04:00:00Z")}, {utc("2026-12-07T05:00:00Z"), utc("2026-12-07T10:00:00Z")}}},
		"Feishu26": {Shift{Day: Day{2026, 12, 7}, Sections: []Section{{mustClock("18:00"), mustClock("26:00")}}}, sh,
			Set{{utc("2026-12-07T10:00:00Z"), utc("2026-12-07T18:00:00Z")}}},
		"CrossMidnightNoFlag": {Shift{Day: Day{2026, 12, 7}, Sections: []Section{{mustClock("22:00"), mustClock("06:00")}}, Rests: []Section{{mustClock("02:00"), mustClock("02:30")}}}, sh,
			Set{{utc("2026-12-07T14:00:00Z"), utc("2026-12-07T18:00:00Z")}, {utc("2026-12-07T18:30:00Z"), utc("2026-12-07T22:00:00Z")}}},
		"RestDay": {Shift{Day: Day{2026, 12, 7}, Rest: true, Sections: []Section{{mustClock("09:00"), mustClock("18:00")}}}, sh, nil},
		"SpringForward": {Shift{Day: Day{2026, 3, 8}, Sections: []Section{{mustClock("01:00"), mustClock("04:00")}}}, ny,
			Set{{utc("2026-03-08T06:00:00Z"), utc("2026-03-08T08:00:00Z")}}}, // 01:00 EST to 04:00 EDT: two hours
		"FallBack": {Shift{Day: Day{2026, 11, 1}, Sections: []Section{{mustClock("00:00"), mustClock("03:00")}}}, ny,
			Set{{utc("2026-11-01T04:00:00Z"), utc("2026-11-01T08:00:00Z")}}}, // four hours
	} {
		t.Run(name, func(t *testing.T) { require.Equal(t, c.want, c.shift.Intervals(c.loc)) })
	}
	for _, bad := range []string{"25", "9:5", "48:00", "-1:00", "ab:cd", "12:60"} {
		_, err := ParseClock(bad)
		require.Error(t, err, bad)
	}
	// Leave of a whole day removes that day's work; overtime adds time.
	d := Day{2026, 12, 8}
	work := WorkingTime([]Shift{
		{Day: Day{2026, 12, 7}, Sections: []Section{{9 * 60, 18 * 60}}},
		{Day: d, Sections: []Section{{9 * 60, 18 * 60}}},
		{Day: d, Kind: KindLeave},
		{Day: Day{2026, 12, 7}, Kind: KindOvertime, Sections: []Section{{18 * 60, 20 * 60}}},
	}, sh)
	require.Equal(t, Set{{utc("2026-12-07T01:00:00Z"), utc("2026-12-07T12:00:00Z")}}, work)
}

// randomPanel builds interviewers with random rosters, bookings and calendar busy.
func randomPanel(rng *rand.Rand, n int, start int64, days int) []*Person {
	var out []*Person
	for i := 0; i < n; i++ {
		p := &Person{ID: string(rune('a' + i)), Loc: time.UTC, BufferBefore: int64(rng.Intn(3)) * 300, BufferAfter: int64(rng.Intn(3)) * 300,
			DailyCap: rng.Intn(4)}
		var work, busy []Interval
		for d := 0; d < days; d++ {
			if rng.Intn(7) == 0 {
				continue // a rest day
			}
			day := start + int64(d)*86400
			a := day + int64(7+rng.Intn(4))*3600 + int64(rng.Intn(4))*900
			b := a + int64(4+rng.Intn(6))*3600
			work = append(work, Interval{a, b})
			for k := 0; k < rng.Intn(5); k++ {
				s := a + int64(rng.Intn(int(b-a)))
				bk := Interval{s, s + int64(1+rng.Intn(4))*900}
				busy = append(busy, bk)
				if k%2 == 0 {
					p.Booked = append(p.Booked, bk)
				}
			}
		}
		p.Work, p.Busy = Normalize(work), Normalize(busy)
		out = append(out, p)
	}
	return out
}

// TestSlotsNeverCrossBoundariesAndMatchNaive: over random rosters, every slot lies inside every
// panel member's working time, misses every booking, hold and calendar block with its buffers,
// respects the caps, and Find offers exactly what the step-by-step baseline offers.
func TestSlotsNeverCrossBoundariesAndMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC).Unix()
	offered := 0
	for i := 0; i < 300; i++ {
		people := randomPanel(rng, 2+rng.Intn(4), start, 14)
		req := Request{Duration: int64(2+rng.Intn(3)) * 900, Window: Interval{start + int64(rng.Intn(24))*3600, start + 14*86400},
			Required: people[:len(people)-1], Count: 1 + rng.Intn(5)}
		if rng.Intn(2) == 0 {
			req.Required, req.Pools = people[:1], [][]*Person{people[1:]}
		}
		if rng.Intn(3) == 0 {
			req.Prefer = Set{{start + 3*86400, start + 5*86400}}
		}
		fast, naive := Find(req), FindNaive(req)
		require.Equal(t, naive, fast, "run %d", i)
		byID := map[string]*Person{}
		for _, p := range people {
			byID[p.ID] = p
		}
		for _, s := range fast {
			offered++
			slot := Interval{s.Start, s.End}
			require.True(t, req.Window.Start <= s.Start && s.End <= req.Window.End)
			require.Equal(t, int64(0), s.Start%900)
			for _, id := range s.Interviewers {
				p := byID[id]
				require.True(t, p.Work.Contains(slot), "slot inside %s's shift", id)
				require.False(t, p.Busy.Overlaps(Interval{s.Start - p.BufferBefore, s.End + p.BufferAfter}), "slot clear of %s's bookings and buffers", id)
				require.True(t, p.canTake(s.Start))
			}
			require.Len(t, s.Interviewers, len(req.Required)+len(req.Pools))
		}
		for a := range fast {
			for b := a + 1; b < len(fast); b++ {
				require.False(t, Interval{fast[a].Start, fast[a].End}.Overlaps(Interval{fast[b].Start, fast[b].End}), "offered slots are real alternatives")
			}
		}
	}
	require.Greater(t, offered, 300, "the random rosters left room for slots")
}

func TestRankingAndCaps(t *testing.T) {
	start := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC).Unix()
	day := func(d int, h0, h1 int) Interval {
		return Interval{start + int64(d)*86400 + int64(h0)*3600, start + int64(d)*86400 + int64(h1)*3600}
	}
	a := &Person{ID: "a", Work: Set{day(0, 9, 17), day(1, 9, 17), day(2, 9, 17)}}
	b := &Person{ID: "b", Work: Set{day(0, 9, 17), day(1, 9, 17), day(2, 9, 17)}, Busy: Set{day(0, 9, 12)}, Booked: []Interval{day(0, 9, 10)}, DailyCap: 1}
	c := &Person{ID: "c", Work: Set{day(0, 9, 17), day(1, 9, 17), day(2, 9, 17)}}
	slots := Find(Request{Duration: 3600, Window: Interval{start, start + 3*86400}, Required: []*Person{a}, Pools: [][]*Person{{b, c}}})
	require.Len(t, slots, 3)
	require.Equal(t, day(0, 9, 10).Start, slots[0].Start, "earliest first")
	require.Equal(t, []string{"a", "c"}, slots[0].Interviewers, "the pool member with the lighter week and room under the cap")
	require.NotEqual(t, slots[0].Start/86400, slots[1].Start/86400, "one slot per day while days have room")
	pref := Find(Request{Duration: 3600, Window: Interval{start, start + 3*86400}, Required: []*Person{a}, Prefer: Set{day(2, 14, 16)}})
	require.Equal(t, day(2, 14, 15).Start, pref[0].Start, "the candidate's preference first")
	require.True(t, pref[0].Preferred)
	require.Empty(t, Find(Request{Duration: 9 * 3600, Window: Interval{start, start + 3*86400}, Required: []*Person{a}}), "longer than any shift")
}
