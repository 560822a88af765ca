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
		if sl, ok := r.panelWith(s, func(p *Person) bool { return fits(p, s) }); ok {
			all = append(all, sl)
		}
	}
	return pick(all, r.count())
}
