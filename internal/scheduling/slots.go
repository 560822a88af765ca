package scheduling

import (
	"slices"
	"sort"
	"time"
)

// Person is one interviewer as the slot finder sees them.
type Person struct {
	ID   string
	Loc  *time.Location // for daily and weekly caps
	Work Set            // working time (WorkingTime)
	// Busy is what they cannot give: bookings and live holds of any candidate, calendar busy.
	Busy Set
	// Booked are their interviews (bookings and holds), each counted against the caps.
	Booked       []Interval
	BufferBefore int64 // seconds kept free before an interview
	BufferAfter  int64 // and after it
	DailyCap     int   // interviews per day in Loc; 0 = no cap
	WeeklyCap    int   // interviews per ISO week in Loc; 0 = no cap

	free    Set
	perDay  map[int64]int
	perWeek map[int64]int
}

// Free is working time minus busy time widened by the buffers: a slot [s, e) fits when it lies
// inside Free, because then [s-before, e+after) misses every busy interval.
func (p *Person) Free() Set {
	if p.free == nil {
		p.free = p.Work.Subtract(p.Busy.Expand(p.BufferAfter, p.BufferBefore))
		if p.free == nil {
			p.free = Set{}
		}
	}
	return p.free
}

func (p *Person) loc() *time.Location {
	if p.Loc == nil {
		return time.UTC
	}
	return p.Loc
}

// dayKey and weekKey number the local day and ISO week of t.
func dayKey(t int64, loc *time.Location) int64 {
	y, m, d := time.Unix(t, 0).In(loc).Date()
	return int64(y*10000 + int(m)*100 + d)
}

func weekKey(t int64, loc *time.Location) int64 {
	y, w := time.Unix(t, 0).In(loc).ISOWeek()
	return int64(y*100 + w)
}

func (p *Person) counts() {
	if p.perDay != nil {
		return
	}
	p.perDay, p.perWeek = map[int64]int{}, map[int64]int{}
	for _, b := range p.Booked {
		p.perDay[dayKey(b.Start, p.loc())]++
		p.perWeek[weekKey(b.Start, p.loc())]++
	}
}

// canTake reports whether the caps leave room for one more interview starting at t.
func (p *Person) canTake(t int64) bool {
	p.counts()
	if p.DailyCap > 0 && p.perDay[dayKey(t, p.loc())] >= p.DailyCap {
		return false
	}
	return p.WeeklyCap == 0 || p.perWeek[weekKey(t, p.loc())] < p.WeeklyCap
}

// load is how many interviews the person has in the ISO week of t.
func (p *Person) load(t int64) int {
	p.counts()
	return p.perWeek[weekKey(t, p.loc())]
}

// Request asks for a panel's slots.
type Request struct {
	Duration int64 // seconds
	Step     int64 // start times are multiples of Step (default 15 minutes)
	// Window is where a slot may lie: from now plus the minimum notice to the end of the
	// booking window.
	Window   Interval
	Required []*Person
	// Pools are "one of these": each pool adds its least-loaded member free at the slot.
	Pools [][]*Person
	Count int // slots to offer (default 3)
	// Prefer are the candidate's preferred times; a slot inside one ranks first.
	Prefer Set
	// Exclude are starts not to offer again (the slots a candidate already turned down).
	Exclude map[int64]bool
}

// Slot is one offered time and who would sit on the panel.
type Slot struct {
	Start, End   int64
	Interviewers []string
	Preferred    bool
	Load         int // the panel's interviews in that week, before this one
}

func (r Request) step() int64 {
	if r.Step <= 0 {
		return 15 * 60
	}
	return r.Step
}

// Find returns up to Count slots, best first: inside the candidate's preferences first, then
// the panel's lightest week, then the earliest; at most one slot per day while other days have
// room, so the choices are real alternatives.
func Find(r Request) []Slot {
	if r.Duration <= 0 || r.Window.Empty() || len(r.Required)+len(r.Pools) == 0 {
		return nil
	}
	sets := []Set{{r.Window}}
	for _, p := range r.Required {
		sets = append(sets, p.Free())
	}
	for _, pool := range r.Pools {
		var u []Set
		for _, p := range pool {
			u = append(u, p.Free())
		}
		sets = append(sets, Union(u...))
	}
	common := Intersect(sets...)
	step := r.step()
	var all []Slot
	for _, iv := range common {
		s := ceilTo(iv.Start, step)
		for ; s+r.Duration <= iv.End; s += step {
			if r.Exclude[s] {
				continue
			}
			if sl, ok := r.panel(s); ok {
				all = append(all, sl)
			}
		}
	}
	return pick(all, r.count())
}

func (r Request) count() int {
	if r.Count <= 0 {
		return 3
	}
	return r.Count
}

// panel checks the caps of the required interviewers at s and picks each pool's member.
func (r Request) panel(s int64) (Slot, bool) {
	iv := Interval{s, s + r.Duration}
	return r.panelWith(s, func(p *Person) bool { return p.Free().Contains(iv) })
}

// panelWith builds the slot at s with fits telling whether a pool member is free then (the
// required members' freedom is already known).
func (r Request) panelWith(s int64, fits func(*Person) bool) (Slot, bool) {
	sl := Slot{Start: s, End: s + r.Duration}
	for _, p := range r.Required {
		if !p.canTake(s) {
			return sl, false
		}
		sl.Interviewers = append(sl.Interviewers, p.ID)
		sl.Load += p.load(s)
	}
	for _, pool := range r.Pools {
		var best *Person
		for _, p := range pool {
			if !fits(p) || !p.canTake(s) || slices.Contains(sl.Interviewers, p.ID) {
				continue
			}
			if best == nil || p.load(s) < best.load(s) || (p.load(s) == best.load(s) && p.ID < best.ID) {
				best = p
			}
		}
		if best == nil {
			return sl, false
		}
		sl.Interviewers = append(sl.Interviewers, best.ID)
		sl.Load += best.load(s)
	}
	sl.Preferred = r.Prefer.Contains(Interval{s, s + r.Duration})
	return sl, true
}

func ceilTo(t, step int64) int64 {
	if r := t % step; r != 0 {
		if t < 0 {
			return t - r
		}
		return t + step - r
	}
	return t
}

// better orders slots: preferred, lighter week, earlier.
func better(a, b Slot) bool {
	if a.Preferred != b.Preferred {
		return a.Preferred
	}
	if a.Load != b.Load {
		return a.Load < b.Load
	}
	return a.Start < b.Start
}

// pick takes the n best slots, one per UTC day first, then fills from the rest.
func pick(all []Slot, n int) []Slot {
	sort.SliceStable(all, func(i, j int) bool { return better(all[i], all[j]) })
	var out []Slot
	used := map[int64]bool{}
	taken := map[int64]bool{}
	for _, s := range all {
		if len(out) == n {
			break
		}
		if d := s.Start / 86400; !used[d] {
			used[d], taken[s.Start] = true, true
			out = append(out, s)
		}
	}
	for _, s := range all {
		if len(out) == n {
			break
		}
		if !taken[s.Start] && !overlapsAny(out, s) {
			taken[s.Start] = true
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out
}

func overlapsAny(out []Slot, s Slot) bool {
	for _, o := range out {
		if (Interval{o.Start, o.End}).Overlaps(Interval{s.Start, s.End}) {
			return true
		}
	}
	return false
}
