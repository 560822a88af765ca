package scheduling

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Clock is a wall-clock time of a shift as minutes after the midnight that starts the shift's
// day. It may pass 24:00: Feishu writes "26:00" and DingTalk a next-day flag for a shift that
// ends at 02:00 the next morning; both are 26*60 here.
type Clock int

// ParseClock reads "hh:mm" (hours may be 24 or more, up to 47:59).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 47 || mm < 0 || mm > 59 || len(m) != 2 {
		return 0, fmt.Errorf("scheduling: %q is not a time of day (hh:mm, up to 47:59)", s)
	}
	return Clock(hh*60 + mm), nil
}

// String writes the clock as "hh:mm" (26:00 stays 26:00).
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Section is a span of a shift's day in wall-clock time; End may be before Start only when
// the section crosses midnight and the source gave no next-day flag, which Span corrects.
type Section struct {
	Start, End Clock
}

// Day is a calendar date in the roster's time zone.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDay reads YYYY-MM-DD or YYYYMMDD.
func ParseDay(s string) (Day, error) {
	s = strings.TrimSpace(s)
	layout := "2006-01-02"
	if len(s) == 8 {
		layout = "20060102"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return Day{}, fmt.Errorf("scheduling: %q is not a date (YYYY-MM-DD)", s)
	}
	return DayOf(t), nil
}

// DayOf is the date of t in t's own location.
func DayOf(t time.Time) Day { y, m, d := t.Date(); return Day{y, m, d} }

func (d Day) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// At is the instant of the wall-clock c on day d in loc. time.Date normalises minutes past
// 24:00 into the next day and resolves the wall clock in loc, so daylight-saving days come out
// right (a 01:00–04:00 shift on a spring-forward day lasts two hours).
func (d Day) At(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, int(c), 0, 0, loc)
}

// Span is the section on day d in loc as a UTC interval; a section whose end is not after its
// start crosses midnight.
func (s Section) Span(d Day, loc *time.Location) Interval {
	end := s.End
	if end <= s.Start {
		end += 24 * 60
	}
	return Span(d.At(s.Start, loc), d.At(end, loc))
}

// Shift is one person's planned day as a roster gives it: working sections and rests inside
// them, or a rest day. Kind says what the time is: work, leave or overtime.
type Shift struct {
	Person   string // the hireflow user
	Day      Day
	Rest     bool // a rest day: no working time
	Sections []Section
	Rests    []Section
	Kind     string // KindWork (default), KindLeave or KindOvertime
}

// Kinds of roster time.
const (
	KindWork     = "work"
	KindLeave    = "leave"
	KindOvertime = "overtime"
)

// Intervals is the shift's time in UTC: sections minus rests. A rest day is empty.
func (s Shift) Intervals(loc *time.Location) Set {
	if s.Rest {
		return nil
	}
	var work, rests []Interval
	for _, sec := range s.Sections {
		work = append(work, sec.Span(s.Day, loc))
	}
	for _, r := range s.Rests {
		// A rest that starts before the shift's start belongs to the next morning of a night shift.
		iv := r.Span(s.Day, loc)
		if len(s.Sections) > 0 && r.Start < s.Sections[0].Start && r.End > r.Start {
			iv = Section{r.Start + 24*60, r.End + 24*60}.Span(s.Day, loc)
		}
		rests = append(rests, iv)
	}
	return Normalize(work).Subtract(Normalize(rests))
}

// WorkingTime is a person's working time from their roster: work and overtime, minus leave.
func WorkingTime(shifts []Shift, loc *time.Location) Set {
	var work, leave []Interval
	for _, s := range shifts {
		ivs := s.Intervals(loc)
		if s.Kind == KindLeave {
			if len(s.Sections) == 0 { // a whole day of leave
				leave = append(leave, Span(s.Day.At(0, loc), s.Day.At(24*60, loc)))
			}
			leave = append(leave, ivs...)
			continue
		}
		work = append(work, ivs...)
	}
	return Normalize(work).Subtract(Normalize(leave))
}
