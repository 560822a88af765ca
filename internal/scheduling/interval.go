// Package scheduling is the interval algebra and the slot finder behind live interviews: free
// time is working time minus rests, bookings, holds, calendar busy and buffers, and a panel's
// slots are where every required interviewer is free at once. It is pure and deterministic
// (no clock, no I/O): the store loads rosters and bookings, this package only computes.
package scheduling

import (
	"cmp"
	"slices"
	"sort"
	"time"
)

// Interval is the half-open span [Start, End) in Unix seconds (UTC).
type Interval struct {
	Start, End int64
}

// Span builds an interval from two instants.
func Span(a, b time.Time) Interval { return Interval{a.Unix(), b.Unix()} }

// Empty reports whether the interval holds no time.
func (iv Interval) Empty() bool { return iv.End <= iv.Start }

// Overlaps reports whether the two intervals share any time (touching ends do not).
func (iv Interval) Overlaps(o Interval) bool { return iv.Start < o.End && o.Start < iv.End }

// Times returns the interval's ends as UTC instants.
func (iv Interval) Times() (time.Time, time.Time) {
	return time.Unix(iv.Start, 0).UTC(), time.Unix(iv.End, 0).UTC()
}

// Set is a sorted list of disjoint, non-empty, non-touching intervals. Build one with
// Normalize; every operation returns a Set again.
type Set []Interval

// Normalize sorts the intervals and merges those that overlap or touch, dropping empty ones.
// The input is not modified.
func Normalize(in []Interval) Set {
	out := make(Set, 0, len(in))
	for _, iv := range in {
		if !iv.Empty() {
			out = append(out, iv)
		}
	}
	if !slices.IsSortedFunc(out, byStart) { // rows read ORDER BY start are already sorted
		slices.SortFunc(out, byStart)
	}
	n := 0
	for _, iv := range out {
		if n > 0 && iv.Start <= out[n-1].End {
			if iv.End > out[n-1].End {
				out[n-1].End = iv.End
			}
			continue
		}
		out[n] = iv
		n++
	}
	return out[:n]
}

func byStart(a, b Interval) int { return cmp.Compare(a.Start, b.Start) }

// Union merges sets.
func Union(sets ...Set) Set {
	var all []Interval
	for _, s := range sets {
		all = append(all, s...)
	}
	return Normalize(all)
}

// Subtract returns the time in s that is not in o, in one pass over both.
func (s Set) Subtract(o Set) Set {
	var out Set
	j := 0
	for _, iv := range s {
		cur := iv.Start
		for j < len(o) && o[j].End <= cur {
			j++
		}
		k := j
		for k < len(o) && o[k].Start < iv.End {
			if o[k].Start > cur {
				out = append(out, Interval{cur, o[k].Start})
			}
			if o[k].End > cur {
				cur = o[k].End
			}
			k++
		}
		if cur < iv.End {
			out = append(out, Interval{cur, iv.End})
		}
	}
	return out
}

// Intersect returns the time every set holds, in one sweep over all the sets' endpoints: each
// set is already sorted, so the sweep is a k-way merge (O(n log k) for n intervals in k sets).
func Intersect(sets ...Set) Set {
	if len(sets) == 0 {
		return nil
	}
	for _, s := range sets {
		if len(s) == 0 {
			return nil
		}
	}
	if len(sets) == 1 {
		return append(Set(nil), sets[0]...)
	}
	// idx[i] is the next interval of set i; a set's intervals are disjoint, so at any instant
	// each set contributes at most one open interval and "all open" means every set holds it.
	idx := make([]int, len(sets))
	var out Set
	for {
		// The common part of the current intervals: the latest start and the earliest end.
		lo, hi, first := int64(0), int64(0), -1
		for i, s := range sets {
			iv := s[idx[i]]
			if i == 0 || iv.Start > lo {
				lo = iv.Start
			}
			if i == 0 || iv.End < hi {
				hi, first = iv.End, i
			}
		}
		if lo < hi {
			out = append(out, Interval{lo, hi})
		}
		// Advance the set whose interval ends first; the others may still meet its successor.
		idx[first]++
		if idx[first] == len(sets[first]) {
			return out
		}
	}
}

// Expand widens every interval by before at its start and after at its end (a booking's
// buffers), merging what then touches.
func (s Set) Expand(before, after int64) Set {
	if before == 0 && after == 0 {
		return s
	}
	out := make([]Interval, len(s))
	for i, iv := range s {
		out[i] = Interval{iv.Start - before, iv.End + after}
	}
	return Normalize(out)
}

// Clip keeps the part of s inside w.
func (s Set) Clip(w Interval) Set { return Intersect(s, Set{w}) }

// find returns the index of the interval containing t, or -1.
func (s Set) find(t int64) int {
	i := sort.Search(len(s), func(i int) bool { return s[i].End > t })
	if i < len(s) && s[i].Start <= t {
		return i
	}
	return -1
}

// Contains reports whether iv lies wholly inside one interval of s.
func (s Set) Contains(iv Interval) bool {
	i := s.find(iv.Start)
	return i >= 0 && s[i].End >= iv.End
}

// Overlaps reports whether any interval of s shares time with iv.
func (s Set) Overlaps(iv Interval) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].End > iv.Start })
	return i < len(s) && s[i].Start < iv.End
}

// Duration is the total time in s, in seconds.
func (s Set) Duration() int64 {
	var d int64
	for _, iv := range s {
		d += iv.End - iv.Start
	}
	return d
}
