// Package calendar writes a person's calendar feed as iCalendar (RFC 5545), for
// Feishu, Outlook, Google Calendar or any app that subscribes to a URL: the requests
// they owe or lead on the dates they are needed by, the decision windows they must
// act in, and the promises of their projects on the dates they fall due. It is pure:
// items, a zone and a language in, bytes out; which items a person gets is accord's
// rule (accord.RequestOnCalendar and its siblings), applied by the store.
package calendar

import (
	"bytes"
	"net/url"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"accord/internal/accord"
)

// Refresh is how often a calendar app is asked to fetch the feed again.
const Refresh = time.Hour

// DecisionSlot is how long a decision window's event lasts: it ends when the window
// does, so the time before the deadline is the one marked.
const DecisionSlot = 30 * time.Minute

// Feed is everything one feed is written from.
type Feed struct {
	Owner    string                // the person's name, in their language, for the calendar's name
	Items    []accord.CalendarItem // what is on it (store.CalendarItems)
	Lang     string                // accord.LocaleZH or accord.LocaleEN
	Location *time.Location        // the company's zone: deadlines are shown in it
	BaseURL  string                // where people reach Accord, e.g. https://accord.example.com
	Now      time.Time             // the moment it is written, for DTSTAMP
}

// Translator says a message in the feed's language (i18n's Localizer.T).
type Translator func(id string, data map[string]any) string

// MessageIDs lists the messages Build uses, so a test can hold the catalogs to them.
func MessageIDs() []string {
	return []string{"calendar_name", "calendar_description", "calendar_summary_owed", "calendar_summary_led",
		"calendar_summary_decide", "calendar_summary_promise", "calendar_detail_owed", "calendar_detail_led",
		"calendar_detail_decide", "calendar_detail_promise", "calendar_detail_open"}
}

// Build writes the feed. Each item is one event whose UID is stable for as long as
// the item exists, so a calendar app replaces an event that moved rather than
// adding another: dates are all-day events, and a decision window's end a timed one
// in the company's zone, described by a VTIMEZONE.
func Build(f Feed, tr Translator) []byte {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	base := strings.TrimRight(f.BaseURL, "/")
	host := "accord"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}

	cal := ics.NewCalendarFor("Accord")
	cal.SetProductId("-//Accord//Calendar feed//" + strings.ToUpper(f.Lang))
	cal.SetMethod(ics.MethodPublish)
	cal.SetCalscale("GREGORIAN")
	cal.SetName(clean(tr("calendar_name", map[string]any{"Name": f.Owner})))
	cal.SetXWRCalDesc(clean(tr("calendar_description", nil)))
	cal.SetXWRTimezone(zoneID(loc))
	cal.SetRefreshInterval(duration(Refresh))
	cal.SetXPublishedTTL(duration(Refresh))

	timed := false
	for _, it := range f.Items {
		timed = timed || (it.At != nil && it.Day == nil)
	}
	if timed && zoneID(loc) != "UTC" {
		from, to := accord.CalendarSpan(f.Now.In(loc))
		addTimezone(cal, loc, time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc),
			time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc))
	}

	for _, it := range f.Items {
		var ev *ics.VEvent
		switch {
		case it.Day != nil:
			ev = cal.AddEvent(uid(it, host))
			day := time.Date(it.Day.Year(), it.Day.Month(), it.Day.Day(), 0, 0, 0, 0, time.UTC)
			ev.SetAllDayStartAt(day)
			ev.SetAllDayEndAt(day.AddDate(0, 0, 1))
			ev.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
		case it.At != nil:
			ev = cal.AddEvent(uid(it, host))
			end := it.At.In(loc)
			setLocal(ev, ics.ComponentPropertyDtStart, end.Add(-DecisionSlot), loc)
			setLocal(ev, ics.ComponentPropertyDtEnd, end, loc)
		default:
			continue // nothing to put on a day
		}
		ev.SetDtStampTime(f.Now)
		link := base + pageOf(it)
		words := map[string]any{"Title": pick(f.Lang, it.Title, it.TitleEN), "Project": pick(f.Lang, it.ProjectName, it.ProjectNameEN),
			"Unit": pick(f.Lang, it.UnitName, it.UnitNameEN), "URL": link}
		if it.At != nil {
			words["Time"] = it.At.In(loc).Format("2006-01-02 15:04") + " (" + zoneID(loc) + ")"
		}
		ev.SetSummary(clean(tr(summaryID(it.Kind), words)))
		ev.SetDescription(clean(tr(detailID(it.Kind), words) + "\n" + tr("calendar_detail_open", words)))
		ev.SetURL(link)
		ev.SetClass(ics.ClassificationPrivate)
	}

	var b bytes.Buffer
	_ = cal.SerializeTo(&b, ics.WithNewLine("\r\n")) // RFC 5545 lines end in CRLF; a bytes.Buffer does not fail
	return b.Bytes()
}

// uid names an item for good: its kind of record and id, at this Accord's host. A
// request keeps its UID whether the person owes or leads it.
func uid(it accord.CalendarItem, host string) string {
	kind := "request"
	switch it.Kind {
	case accord.CalendarDecide:
		kind = "escalation"
	case accord.CalendarPromise:
		kind = "promise"
	}
	return "accord-" + kind + "-" + strconv.FormatInt(it.ID, 10) + "@" + host
}

// pageOf is the page where the person acts on the item.
func pageOf(it accord.CalendarItem) string {
	switch it.Kind {
	case accord.CalendarDecide:
		return "/escalations/" + strconv.FormatInt(it.ID, 10)
	case accord.CalendarPromise:
		return "/projects/" + strconv.FormatInt(it.ProjectID, 10) + "/commitments"
	}
	return "/requests/" + strconv.FormatInt(it.ID, 10)
}

func summaryID(k accord.CalendarKind) string {
	switch k {
	case accord.CalendarOwed:
		return "calendar_summary_owed"
	case accord.CalendarLed:
		return "calendar_summary_led"
	case accord.CalendarDecide:
		return "calendar_summary_decide"
	}
	return "calendar_summary_promise"
}

func detailID(k accord.CalendarKind) string {
	switch k {
	case accord.CalendarOwed:
		return "calendar_detail_owed"
	case accord.CalendarLed:
		return "calendar_detail_led"
	case accord.CalendarDecide:
		return "calendar_detail_decide"
	}
	return "calendar_detail_promise"
}

// pick is the English of a name for English readers when there is one, else the
// name as kept.
func pick(lang, zh, en string) string {
	if lang == accord.LocaleEN && en != "" {
		return en
	}
	return zh
}

// clean drops control characters but the newline: a carriage return or a stray
// control byte typed into a title must not break a content line.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || (r >= 0x20 && r != 0x7f) {
			return r
		}
		return -1
	}, s)
}

// duration writes d as an iCalendar DURATION (whole hours and minutes).
func duration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	out := "PT"
	if h > 0 {
		out += strconv.Itoa(h) + "H"
	}
	if m > 0 || h == 0 {
		out += strconv.Itoa(m) + "M"
	}
	return out
}

// zoneID is the zone's IANA name, UTC for Go's stand-ins that are not one.
func zoneID(loc *time.Location) string {
	if name := loc.String(); name != "" && name != "Local" {
		return name
	}
	return "UTC"
}

// setLocal sets a date-time property as wall-clock time in loc, with its TZID, or in
// UTC when the company keeps UTC.
func setLocal(ev *ics.VEvent, p ics.ComponentProperty, t time.Time, loc *time.Location) {
	id := zoneID(loc)
	if id == "UTC" {
		ev.SetProperty(p, t.UTC().Format("20060102T150405Z"))
		return
	}
	ev.SetProperty(p, t.In(loc).Format("20060102T150405"), ics.WithTZID(id))
}

// addTimezone describes loc between from and to as a VTIMEZONE: the offset in force
// at from, then each change of offset until to (Go's zone data has the rules; the
// feed only needs the span its events fall in).
func addTimezone(cal *ics.Calendar, loc *time.Location, from, to time.Time) {
	tz := cal.AddTimezone(zoneID(loc))
	start, end := from.ZoneBounds()
	before := start.Add(-time.Second)
	if start.IsZero() {
		before = from
		start = time.Date(1970, 1, 1, 0, 0, 0, 0, loc)
	}
	for i := 0; i < 64; i++ { // a zone changes a few times a year at most
		addObservance(tz, start, before)
		if end.IsZero() || !end.Before(to) {
			return
		}
		before, start = end.Add(-time.Second), end
		_, end = start.ZoneBounds()
	}
}

// addObservance adds the offset in force from start on, coming from the one in
// force at before: STANDARD or DAYLIGHT as Go's zone data says.
func addObservance(tz *ics.VTimezone, start, before time.Time) {
	name, to := start.Zone()
	_, from := before.Zone()
	var c *ics.ComponentBase
	if start.IsDST() {
		d := &ics.Daylight{}
		tz.Components = append(tz.Components, d)
		c = &d.ComponentBase
	} else {
		s := tz.AddStandard()
		c = &s.ComponentBase
	}
	// DTSTART is the wall-clock time the change happens at, read in the old offset.
	c.SetProperty(ics.ComponentPropertyDtStart, start.In(time.FixedZone("", from)).Format("20060102T150405"))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), offset(from))
	c.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), offset(to))
	if name != "" && !strings.ContainsAny(name, "+-") {
		c.SetProperty(ics.ComponentProperty(ics.PropertyTzname), name)
	}
}

// offset writes seconds east of UTC as an iCalendar UTC-OFFSET (+0800, -0430).
func offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m := sec/3600, sec%3600/60
	return sign + pad2(h) + pad2(m)
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
