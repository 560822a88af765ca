package scheduling

// FindNaive is the baseline the benchmark and the property tests compare Find with: it walks
// every step of the window and checks every interviewer against every one of their intervals
// (no index, no early exit), as a scheduler without interval algebra does. It returns the same
// slots as Find.
func FindNaive(r Request) []Slot {
	if r.Duration <= 0 || r.Window.Empty() || len(r.Required)+len(r.Pools) == 0 {
		return nil
	}
	fits := func(p *Person, s int64) bool {
		in, clear := false, true
		for _, w := range p.Work {
			in = in || (w.Start <= s && s+r.Duration <= w.End)
		}
		padded := Interval{s - p.BufferBefore, s + r.Duration + p.BufferAfter}
		for _, b := range p.Busy {
			clear = clear && !b.Overlaps(padded)
		}
		return in && clear
	}
	step := r.step()
	var all []Slot
	for s := ceilTo(r.Window.Start, step); s+r.Duration <= r.Window.End; s += step {
		if r.Exclude[s] {
			continue
		}
		ok := true
		for _, p := range r.Required {
			ok = fits(p, s) && ok
		}
		for _, pool := range r.Pools {
			any := false
			for _, p := range pool {
				any = fits(p, s) || any
			}
			ok = ok && any
		}
		if !ok {
			continue
		}
		// The same caps and pool choice as Find, so that the two agree slot for slot.
		if sl, ok := r.panelNaive(s, fits); ok {
			all = append(all, sl)
		}
	}
	return pick(all, r.count())
}

func (r Request) panelNaive(s int64, fits func(*Person, int64) bool) (Slot, bool) {
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
			if !fits(p, s) || !p.canTake(s) || contains(sl.Interviewers, p.ID) {
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
