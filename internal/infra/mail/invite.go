package mail

import (
	"time"

	ics "github.com/arran4/golang-ical"
)

// Attendee is one person invited to an interview.
type Attendee struct {
	Name, Email string
}

// InviteSpec is one live interview as an iCalendar event.
type InviteSpec struct {
	UID        string // stable for the interview: every change and the cancellation reuse it
	Sequence   int    // incremented on every change (RFC 5545 §3.8.7.4)
	Cancel     bool   // METHOD:CANCEL instead of REQUEST
	Start, End time.Time
	Summary    string
	Location   string // the meeting link or the room
	Organizer  Attendee
	Attendees  []Attendee
	Stamp      time.Time
}

// Method is the iTIP method of the spec.
func (s InviteSpec) Method() string {
	if s.Cancel {
		return string(ics.MethodCancel)
	}
	return string(ics.MethodRequest)
}

// Invite writes the event as an iTIP REQUEST or CANCEL: CRLF line ends, folded lines, UTC
// times, every attendee a required participant asked to reply.
func Invite(s InviteSpec) string {
	cal := ics.NewCalendarFor("hireflow")
	if s.Cancel {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodRequest)
	}
	ev := cal.AddEvent(s.UID)
	ev.SetDtStampTime(s.Stamp.UTC())
	ev.SetSequence(s.Sequence)
	ev.SetStartAt(s.Start.UTC())
	ev.SetEndAt(s.End.UTC())
	ev.SetSummary(s.Summary)
	if s.Location != "" {
		ev.SetLocation(s.Location)
	}
	ev.SetOrganizer("mailto:"+s.Organizer.Email, ics.WithCN(s.Organizer.Name))
	for _, a := range s.Attendees {
		ev.AddAttendee(a.Email, ics.WithCN(a.Name), ics.ParticipationRoleReqParticipant, ics.ParticipationStatusNeedsAction, ics.WithRSVP(true))
	}
	if s.Cancel {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	return cal.Serialize(ics.WithNewLineWindows)
}
