package calendar

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/web/i18n"
)

// echo says each message as its id and its data, so a test sees what was asked.
func echo(id string, data map[string]any) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(id)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, data[k])
	}
	return b.String()
}

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func parse(t *testing.T, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	require.NoError(t, err, "%s", b)
	return cal
}

func events(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		out[e.Id()] = e
	}
	return out
}

func prop(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if got := c.GetProperty(p); got != nil {
		return got.Value
	}
	return ""
}

func TestBuildWritesEachItemAsOneEvent(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, ny)
	deadline := time.Date(2026, 12, 8, 17, 30, 0, 0, ny) // 22:30 UTC
	items := []accord.CalendarItem{
		{Kind: accord.CalendarOwed, ID: 11, ProjectID: 1, Title: "门店数据", TitleEN: "Store data, weekly; cleaned",
			ProjectName: "库存车促销", ProjectNameEN: "Inventory car promotion", UnitName: "销售部", UnitNameEN: "Sales",
			Day: day(2026, 12, 20)},
		{Kind: accord.CalendarLed, ID: 12, ProjectID: 2, Title: "海报", ProjectName: "新车发布", UnitName: "市场部",
			UnitNameEN: "Marketing", Day: day(2027, 1, 5)},
		{Kind: accord.CalendarDecide, ID: 7, ProjectID: 2, Title: "海报", ProjectName: "新车发布", UnitName: "市场部", At: &deadline},
		{Kind: accord.CalendarPromise, ID: 3, ProjectID: 2, Title: "周报\r\n每周一", ProjectName: "新车发布", UnitName: "财务部",
			Day: day(2026, 11, 30)},
	}
	out := Build(Feed{Owner: "Sam", Items: items, Lang: accord.LocaleEN, Location: ny,
		BaseURL: "https://accord.example.com/", Now: now}, echo)
	require.Contains(t, string(out), "\r\n", "content lines end in CRLF")
	for _, line := range strings.Split(string(out), "\r\n") {
		require.LessOrEqual(t, len(line), 75, "lines are folded at 75 octets: %q", line)
		require.NotContains(t, line, "\n", "no bare line feed")
	}
	cal := parse(t, out)

	head := map[string]string{}
	for _, p := range cal.CalendarProperties {
		head[p.IANAToken] = p.Value
	}
	require.Equal(t, "2.0", head["VERSION"])
	require.Equal(t, "PUBLISH", head["METHOD"])
	require.Equal(t, "calendar_name Name=Sam", head["X-WR-CALNAME"])
	require.Equal(t, "America/New_York", head["X-WR-TIMEZONE"])
	require.Equal(t, "PT1H", head["X-PUBLISHED-TTL"])
	require.Contains(t, string(out), "REFRESH-INTERVAL;VALUE=DURATION:PT1H")

	evs := events(cal)
	require.Len(t, evs, 4)

	owed := evs["accord-request-11@accord.example.com"]
	require.NotNil(t, owed)
	start := owed.GetProperty(ics.ComponentPropertyDtStart)
	require.Equal(t, "20261220", start.Value)
	require.Equal(t, []string{"DATE"}, start.ICalParameters["VALUE"])
	require.Equal(t, "20261221", prop(&owed.ComponentBase, ics.ComponentPropertyDtEnd), "an all-day event ends the next day")
	allDay, err := owed.GetAllDayStartAt()
	require.NoError(t, err)
	require.Equal(t, "2026-12-20", allDay.Format(time.DateOnly))
	require.Equal(t, "calendar_summary_owed Project=Inventory car promotion Title=Store data, weekly; cleaned URL=https://accord.example.com/requests/11 Unit=Sales",
		prop(&owed.ComponentBase, ics.ComponentPropertySummary), "English names, typed punctuation kept")
	require.Equal(t, "https://accord.example.com/requests/11", prop(&owed.ComponentBase, ics.ComponentPropertyUrl))
	require.Contains(t, prop(&owed.ComponentBase, ics.ComponentPropertyDescription), "calendar_detail_owed Project=Inventory car promotion")
	require.Contains(t, prop(&owed.ComponentBase, ics.ComponentPropertyDescription), "\ncalendar_detail_open")
	require.NotEmpty(t, prop(&owed.ComponentBase, ics.ComponentPropertyDtstamp))

	led := evs["accord-request-12@accord.example.com"]
	require.NotNil(t, led)
	require.Equal(t, "20270105", prop(&led.ComponentBase, ics.ComponentPropertyDtStart))
	require.Contains(t, prop(&led.ComponentBase, ics.ComponentPropertySummary), "Project=新车发布 Title=海报 URL=https://accord.example.com/requests/12 Unit=Marketing",
		"the Chinese name where there is no English")

	decide := evs["accord-escalation-7@accord.example.com"]
	require.NotNil(t, decide)
	end := decide.GetProperty(ics.ComponentPropertyDtEnd)
	require.Equal(t, "20261208T173000", end.Value, "wall-clock time in the company's zone")
	require.Equal(t, []string{"America/New_York"}, end.ICalParameters["TZID"])
	got, err := decide.GetEndAt()
	require.NoError(t, err)
	require.True(t, got.Equal(deadline), "the window's end: %s", got)
	begin, err := decide.GetStartAt()
	require.NoError(t, err)
	require.Equal(t, DecisionSlot, got.Sub(begin))
	require.Equal(t, "https://accord.example.com/escalations/7", prop(&decide.ComponentBase, ics.ComponentPropertyUrl))
	require.Contains(t, prop(&decide.ComponentBase, ics.ComponentPropertyDescription), "Time=2026-12-08 17:30 (America/New_York)")

	promise := evs["accord-promise-3@accord.example.com"]
	require.NotNil(t, promise)
	require.Equal(t, "20261130", prop(&promise.ComponentBase, ics.ComponentPropertyDtStart))
	require.Equal(t, "https://accord.example.com/projects/2/commitments", prop(&promise.ComponentBase, ics.ComponentPropertyUrl))
	require.Contains(t, prop(&promise.ComponentBase, ics.ComponentPropertySummary), "Title=周报\n每周一",
		"a carriage return is dropped, the line break kept")

	// The zone is described for the span the feed covers: New York changes to
	// daylight time on 14 March 2027 and back on 7 November 2027.
	zones := cal.Timezones()
	require.Len(t, zones, 1)
	require.Equal(t, "America/New_York", prop(&zones[0].ComponentBase, ics.ComponentPropertyTzid))
	var seen []string
	for _, c := range zones[0].Components {
		var base *ics.ComponentBase
		kind := "STANDARD"
		switch o := c.(type) {
		case *ics.Standard:
			base = &o.ComponentBase
		case *ics.Daylight:
			base, kind = &o.ComponentBase, "DAYLIGHT"
		default:
			t.Fatalf("unexpected component %T", c)
		}
		seen = append(seen, kind+" "+prop(base, ics.ComponentPropertyDtStart)+" "+
			prop(base, ics.ComponentProperty(ics.PropertyTzoffsetfrom))+"→"+prop(base, ics.ComponentProperty(ics.PropertyTzoffsetto))+
			" "+prop(base, ics.ComponentProperty(ics.PropertyTzname)))
	}
	require.Equal(t, []string{
		"STANDARD 20261101T020000 -0400→-0500 EST",
		"DAYLIGHT 20270314T020000 -0500→-0400 EDT",
		"STANDARD 20271107T020000 -0400→-0500 EST",
	}, seen)
}

func TestBuildKeepsUIDsWhenDatesMove(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	one := []accord.CalendarItem{{Kind: accord.CalendarOwed, ID: 5, Title: "a", Day: day(2026, 12, 10)}}
	two := []accord.CalendarItem{{Kind: accord.CalendarLed, ID: 5, Title: "a", Day: day(2026, 12, 17)}}
	a := events(parse(t, Build(Feed{Items: one, Location: time.UTC, BaseURL: "http://x.test", Now: now}, echo)))
	b := events(parse(t, Build(Feed{Items: two, Location: time.UTC, BaseURL: "http://x.test", Now: now.Add(time.Hour)}, echo)))
	require.Equal(t, slices.Collect(mapKeys(a)), slices.Collect(mapKeys(b)), "the same request keeps its UID")
	require.Equal(t, "20261217", prop(&b["accord-request-5@x.test"].ComponentBase, ics.ComponentPropertyDtStart))
}

func mapKeys(m map[string]*ics.VEvent) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func TestBuildInUTCAndInAZoneWithoutChanges(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	items := []accord.CalendarItem{{Kind: accord.CalendarDecide, ID: 1, Title: "x", At: &at}}
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

	utc := parse(t, Build(Feed{Items: items, Location: time.UTC, Now: now}, echo))
	require.Empty(t, utc.Timezones(), "UTC needs no VTIMEZONE")
	ev := utc.Events()[0]
	require.Equal(t, "20261208T100000Z", prop(&ev.ComponentBase, ics.ComponentPropertyDtEnd))
	require.Equal(t, "accord-escalation-1@accord", ev.Id(), "no base URL: a fixed host")

	sh, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	cal := parse(t, Build(Feed{Items: items, Location: sh, Now: now.In(sh)}, echo))
	zones := cal.Timezones()
	require.Len(t, zones, 1)
	require.Len(t, zones[0].Components, 1, "Shanghai keeps one offset")
	std, ok := zones[0].Components[0].(*ics.Standard)
	require.True(t, ok)
	require.Equal(t, "+0800", prop(&std.ComponentBase, ics.ComponentProperty(ics.PropertyTzoffsetto)))
	require.Equal(t, "20261208T180000", prop(&cal.Events()[0].ComponentBase, ics.ComponentPropertyDtEnd))

	empty := parse(t, Build(Feed{Location: sh, Now: now}, echo))
	require.Empty(t, empty.Events())
	require.Empty(t, empty.Timezones(), "no timed event, no zone to describe")
}

func TestEveryMessageIsInBothCatalogs(t *testing.T) {
	t.Parallel()
	b, err := i18n.NewBundle()
	require.NoError(t, err)
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		known := b.MessageIDs(lang)
		for _, id := range MessageIDs() {
			require.True(t, slices.Contains(known, id), "%s lacks %s", lang, id)
		}
	}
	// And Build asks for no other.
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var asked []string
	Build(Feed{Items: []accord.CalendarItem{
		{Kind: accord.CalendarOwed, ID: 1, Day: &now}, {Kind: accord.CalendarLed, ID: 2, Day: &now},
		{Kind: accord.CalendarDecide, ID: 3, At: &now}, {Kind: accord.CalendarPromise, ID: 4, Day: &now},
	}, Location: time.UTC, Now: now}, func(id string, _ map[string]any) string {
		asked = append(asked, id)
		return id
	})
	for _, id := range asked {
		require.Contains(t, MessageIDs(), id)
	}
	slices.Sort(asked)
	want := slices.Clone(MessageIDs())
	slices.Sort(want)
	require.Equal(t, want, slices.Compact(asked), "every listed message is used")
}

func TestDuration(t *testing.T) {
	t.Parallel()
	require.Equal(t, "PT1H", duration(time.Hour))
	require.Equal(t, "PT1H30M", duration(90*time.Minute))
	require.Equal(t, "PT0M", duration(0))
	require.Equal(t, "+0800", offset(8*3600))
	require.Equal(t, "-0430", offset(-(4*3600 + 30*60)))
}
