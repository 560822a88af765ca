package bench

import (
	"cmp"
	"math"
	"math/rand"
	"slices"
	"time"

	"github.com/hireflow/hireflow/internal/scheduling"
)

// ScheduleResult is the slot finder beside the step-by-step baseline, at two sizes.
type ScheduleResult struct {
	Interviewers   int     `json:"interviewers"`
	Weeks          int     `json:"weeks"`
	Bookings       int     `json:"bookings"`
	Intervals      int     `json:"intervals"` // shift sections, rests and bookings read
	P50Ms          float64 `json:"p50_ms"`
	P99Ms          float64 `json:"p99_ms"`
	Slots          int     `json:"slots"`
	X10Intervals   int     `json:"x10_intervals"`
	X10P50Ms       float64 `json:"x10_p50_ms"`
	X10P99Ms       float64 `json:"x10_p99_ms"`
	Growth         float64 `json:"growth"` // x10 p50 / p50: 10 is linear
	NaiveP50Ms     float64 `json:"naive_p50_ms"`
	NaiveP99Ms     float64 `json:"naive_p99_ms"`
	SpeedupVsNaive float64 `json:"speedup_vs_naive"` // naive p50 / p50
	SameSlots      bool    `json:"same_slots"`       // the baseline offered the same slots
}

// scheduleData is one panel's raw roster and bookings, as the store reads them.
type scheduleData struct {
	start  time.Time
	shifts [][]scheduling.Shift
	busy   [][]scheduling.Interval
	weeks  int
	n      int
}

// makeSchedule builds 5 interviewers' shifts (day and night shifts with a rest, rest days)
// over weeks, and bookings spread among them.
func makeSchedule(weeks, bookings int, seed int64) scheduleData {
	rng := rand.New(rand.NewSource(seed))
	d := scheduleData{start: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), weeks: weeks}
	for p := 0; p < 5; p++ {
		var sh []scheduling.Shift
		for day := 0; day < weeks*7; day++ {
			date := scheduling.DayOf(d.start.AddDate(0, 0, day))
			if (day+p/4)%7 >= 5 { // the fifth interviewer rests a day earlier
				sh = append(sh, scheduling.Shift{Day: date, Rest: true})
				continue
			}
			s := scheduling.Clock(8*60 + 30*rng.Intn(4))
			sh = append(sh, scheduling.Shift{Day: date, Sections: []scheduling.Section{{Start: s, End: s + 9*60}},
				Rests: []scheduling.Section{{Start: s + 4*60, End: s + 5*60}}})
		}
		d.shifts = append(d.shifts, sh)
		d.n += len(sh) * 2
	}
	d.busy = make([][]scheduling.Interval, 5)
	for i := 0; i < bookings; i++ {
		p := i % 5
		day := rng.Intn(weeks * 7)
		// Bookings and calendar busy at any quarter hour of the day: most of a calendar's
		// entries fall outside one person's shift, as in a rotating roster.
		s := d.start.AddDate(0, 0, day).Add(time.Duration(15*rng.Intn(96)) * time.Minute)
		d.busy[p] = append(d.busy[p], scheduling.Span(s, s.Add(time.Duration(15+15*rng.Intn(2))*time.Minute)))
		d.n++
	}
	// The store reads each interviewer's rows ORDER BY the start of the range (its GiST index
	// serves the window), so they arrive sorted.
	for _, b := range d.busy {
		slices.SortFunc(b, func(x, y scheduling.Interval) int { return cmp.Compare(x.Start, y.Start) })
	}
	return d
}

// request builds the panel from the raw data, as SchedulingWorkflow's activity does each time.
func (d scheduleData) request() scheduling.Request {
	req := scheduling.Request{Duration: 45 * 60, Window: scheduling.Span(d.start.Add(24*time.Hour), d.start.AddDate(0, 0, d.weeks*7)), Count: 3}
	// A third of each person's rows are interviews (counted against the daily cap); the rest
	// are other calendar entries.
	for p := range d.shifts {
		busy := scheduling.Normalize(d.busy[p])
		req.Required = append(req.Required, &scheduling.Person{ID: string(rune('a' + p)), Loc: time.UTC,
			Work: scheduling.WorkingTime(d.shifts[p], time.UTC), Busy: busy, Booked: d.busy[p][:len(d.busy[p])/3], BufferBefore: 300, BufferAfter: 300, DailyCap: 8})
	}
	return req
}

func timeRuns(runs int, f func() []scheduling.Slot) ([]time.Duration, []scheduling.Slot) {
	var out []scheduling.Slot
	ds := make([]time.Duration, 0, runs)
	for i := 0; i < runs; i++ {
		t0 := time.Now()
		out = f()
		ds = append(ds, time.Since(t0))
	}
	return ds, out
}

// Schedule times finding the 3 best slots for 5 required interviewers over 4 weeks of shifts
// with the given bookings (building the free sets from raw rows each run), the same at 10× the
// intervals (40 weeks, 10× the bookings), and the step-by-step baseline on the first size.
func Schedule(bookings, runs int, progress func(string)) ScheduleResult {
	small, large := makeSchedule(4, bookings, 1), makeSchedule(40, bookings*10, 1)
	res := ScheduleResult{Interviewers: 5, Weeks: 4, Bookings: bookings, Intervals: small.n, X10Intervals: large.n}
	progress("slot finder, 4 weeks")
	ds, slots := timeRuns(runs, func() []scheduling.Slot { return scheduling.Find(small.request()) })
	res.P50Ms, res.P99Ms, res.Slots = percentile(ds, 0.5), percentile(ds, 0.99), len(slots)
	progress("slot finder, 10x the intervals")
	ds, _ = timeRuns(runs, func() []scheduling.Slot { return scheduling.Find(large.request()) })
	res.X10P50Ms, res.X10P99Ms = percentile(ds, 0.5), percentile(ds, 0.99)
	progress("step-by-step baseline, 4 weeks")
	ds, naive := timeRuns(max(runs/10, 5), func() []scheduling.Slot { return scheduling.FindNaive(small.request()) })
	res.NaiveP50Ms, res.NaiveP99Ms = percentile(ds, 0.5), percentile(ds, 0.99)
	res.SameSlots = len(naive) == len(slots)
	for i := range naive {
		res.SameSlots = res.SameSlots && naive[i].Start == slots[i].Start
	}
	if res.P50Ms > 0 {
		res.Growth = round2(res.X10P50Ms / res.P50Ms)
		res.SpeedupVsNaive = round2(res.NaiveP50Ms / res.P50Ms)
	}
	return res
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }
