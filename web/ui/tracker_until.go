package ui

import "time"

// SameUntil is the first moment from which the tracker, drawn at v.Now, would be drawn
// otherwise with nothing else changed: the next day (what is overdue), a request going
// stale, or the time since a request's last activity reading otherwise. A page kept
// past it would be out of date (pages/rendered_pages.go).
func (v TrackerView) SameUntil() time.Time {
	until := nextMidnight(v.Now, v.Now.Location())
	for _, g := range v.Groups {
		for _, l := range g.Lines {
			if at := agoChangesAt(v.Now, l.Request.LastActivityAt); at.Before(until) {
				until = at
			}
			// Stale holds once the clock is past this moment: the page is the same up
			// to and including it.
			if from, ok := l.Request.StaleAfter(v.Project.CadenceDays); ok && !v.Now.After(from) && from.Before(until) {
				until = from.Add(time.Nanosecond)
			}
		}
	}
	return until
}
