package ui

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Charts are drawn on the server as SVG. The Content-Security-Policy bars inline
// styles and scripts, so shapes carry presentation attributes (fill, x, width) and
// classes the stylesheet may refine for print. Every chart has a <title> and a
// <desc>, and the page shows the same numbers in a table: the picture is a shortcut,
// never the only way to the facts.

const (
	chartWidth    = 720.0
	chartLabelW   = 170.0 // the label column on the left
	chartValueW   = 130.0 // room for the value after the longest bar
	chartFontSize = 12.0
	chartRowH     = 30.0
	chartBarH     = 16.0
)

// Chart colours, shared with the stylesheet's badges.
const (
	colorInk     = "#1d2733"
	colorMuted   = "#5b6877"
	colorLine    = "#dde3ea"
	colorBrand   = "#1f4e79"
	colorBrandLt = "#9fbad6"
	colorOK      = "#1e7b4f"
	colorWarn    = "#c98a00"
	colorBad     = "#b3261e"
)

// chartFill maps a series class to its fill.
var chartFill = map[string]string{
	"committed": colorBrand, "asked": colorBrandLt, "effort": colorBrand, "credit": colorWarn,
	"given": colorBrand, "received": colorOK, "early": colorOK, "late": colorBad, "open": colorWarn,
	"overdue": colorBad, "declined": colorBad,
}

func fillOf(class string) string {
	if f, ok := chartFill[class]; ok {
		return f
	}
	return colorMuted
}

// ChartKey is one entry of a chart's legend.
type ChartKey struct {
	Class   string
	Label   string // already translated
	Diamond bool   // the needed-by marker rather than a swatch
}

// BarChart draws one horizontal bar per row, split into stacked segments.
type BarChart struct {
	ID     string // unique on the page
	Title  string // already translated
	Desc   string
	Rows   []BarRow
	Legend []ChartKey
}

// BarRow is one bar: its label, its parts and the total written after it.
type BarRow struct {
	Label    string
	Segments []BarSegment
	Total    string // already formatted, e.g. "35 person-days"
}

// BarSegment is one part of a bar.
type BarSegment struct {
	Value float64
	Class string // a series: committed, asked, …
	Title string // what the part is, for the tooltip
}

type barGeom struct {
	Label     string
	Full      string
	LabelY    string
	BarY      string
	Segments  []segGeom
	Total     string
	TotalX    string
	Separator string // the y of the line under the row
}

type segGeom struct {
	X, W, Fill, Class, Title string
}

// geometry lays the bars out on a shared scale.
func (c BarChart) geometry() ([]barGeom, string) {
	maxTotal := 0.0
	for _, r := range c.Rows {
		sum := 0.0
		for _, s := range r.Segments {
			sum += max(s.Value, 0)
		}
		maxTotal = max(maxTotal, sum)
	}
	plot := chartWidth - chartLabelW - chartValueW
	out := make([]barGeom, 0, len(c.Rows))
	labels := fitLabels(len(c.Rows), func(i int) string { return c.Rows[i].Label }, chartLabelW-20)
	for i, r := range c.Rows {
		top := float64(i) * chartRowH
		g := barGeom{Label: labels[i], Full: r.Label, LabelY: num(top + chartRowH/2 + 4),
			BarY: num(top + (chartRowH-chartBarH)/2), Total: r.Total, Separator: num(top + chartRowH)}
		x := chartLabelW
		for _, s := range r.Segments {
			if s.Value <= 0 || maxTotal <= 0 {
				continue
			}
			w := s.Value / maxTotal * plot
			g.Segments = append(g.Segments, segGeom{X: num(x), W: num(max(w, 1)), Fill: fillOf(s.Class), Class: "chart-" + s.Class, Title: s.Title})
			x += w
		}
		g.TotalX = num(x + 6)
		out = append(out, g)
	}
	return out, num(float64(len(c.Rows))*chartRowH + legendHeight(c.Legend))
}

// PairChart draws two bars per row on one scale: effort against credit, what a unit
// gave against what it received.
type PairChart struct {
	ID    string
	Title string
	Desc  string
	A, B  ChartKey
	Rows  []PairRow
}

// PairRow is one row of a pair chart; the labels are the values as written.
type PairRow struct {
	Label  string
	A, B   float64
	ALabel string
	BLabel string
	Flag   bool // draw attention to the row (e.g. carried more than it was credited)
}

type pairGeom struct {
	Label, Full, LabelY                  string
	AY, AW, BY, BW, AText, BText, AX, BX string
	ALabel, BLabel, Separator, FlagFill  string
	Flag                                 bool
}

const pairRowH = 44.0

func (c PairChart) geometry() ([]pairGeom, string) {
	maxV := 0.0
	for _, r := range c.Rows {
		maxV = max(maxV, r.A, r.B)
	}
	plot := chartWidth - chartLabelW - chartValueW
	scale := func(v float64) float64 {
		if maxV <= 0 || v <= 0 {
			return 0
		}
		return math.Max(v/maxV*plot, 1)
	}
	out := make([]pairGeom, 0, len(c.Rows))
	labels := fitLabels(len(c.Rows), func(i int) string { return c.Rows[i].Label }, chartLabelW-20)
	for i, r := range c.Rows {
		top := float64(i) * pairRowH
		aw, bw := scale(r.A), scale(r.B)
		g := pairGeom{Label: labels[i], Full: r.Label, LabelY: num(top + pairRowH/2 + 4),
			AY: num(top + 6), AW: num(aw), BY: num(top + 6 + 14), BW: num(bw),
			AText: num(top + 6 + 11), BText: num(top + 6 + 14 + 11), AX: num(chartLabelW + aw + 6), BX: num(chartLabelW + bw + 6),
			ALabel: r.ALabel, BLabel: r.BLabel, Separator: num(top + pairRowH), Flag: r.Flag, FlagFill: colorBad}
		out = append(out, g)
	}
	return out, num(float64(len(c.Rows))*pairRowH + legendHeight([]ChartKey{c.A, c.B}))
}

// TimelineChart puts a project's needs on a time axis: when each was needed, and
// when it was delivered.
type TimelineChart struct {
	ID         string
	Title      string
	Desc       string
	Rows       []TimelineRow
	Today      time.Time
	Lang       string
	Legend     []ChartKey
	TodayLabel string // the label of the today line, already translated
}

// TimelineRow is one need on the timeline.
type TimelineRow struct {
	Label  string
	Needed *time.Time
	Done   *time.Time
	Class  string // early (on time), late, open, overdue
	Title  string // the row's facts in words, for the tooltip
}

type timelineGeom struct {
	Label, Full, LabelY, TrackY string
	HasNeeded                   bool
	Diamond                     string // polygon points of the needed-by marker
	HasDone                     bool
	DoneX, DoneY                string
	HasLink                     bool
	LinkX1, LinkX2, LinkY       string
	Fill, Class, Title          string
	Dashed                      bool
}

type tickGeom struct{ X, Label string }

const (
	timelineTop  = 26.0 // room for the tick labels
	timelineRowH = 28.0
	timelineFoot = 16.0 // room for the today label under the plot
)

// showToday reports whether the chart marks today: while a need is still open, or
// while today is close to the dates shown. A project closed long ago keeps its own
// time scale.
func (c TimelineChart) showToday() bool {
	first, last, found := c.dates()
	if !found {
		return true
	}
	for _, r := range c.Rows {
		if r.Done == nil {
			return true
		}
	}
	return !c.Today.Before(first) && !c.Today.After(last.AddDate(0, 0, 14))
}

// dates is the first and last date on the rows.
func (c TimelineChart) dates() (first, last time.Time, found bool) {
	for _, r := range c.Rows {
		for _, d := range []*time.Time{r.Needed, r.Done} {
			if d == nil {
				continue
			}
			if !found || d.Before(first) {
				first = *d
			}
			if !found || d.After(last) {
				last = *d
			}
			found = true
		}
	}
	return first, last, found
}

func (c TimelineChart) span() (time.Time, time.Time) {
	start, end, found := c.dates()
	if !found || c.showToday() {
		if !found || c.Today.Before(start) {
			start = c.Today
		}
		if !found || c.Today.After(end) {
			end = c.Today
		}
	}
	day := 24 * time.Hour
	return start.Truncate(day).Add(-2 * day), end.Truncate(day).Add(3 * day)
}

func (c TimelineChart) x(t time.Time) float64 {
	start, end := c.span()
	plot := chartWidth - chartLabelW - 20
	return chartLabelW + float64(t.Sub(start))/float64(end.Sub(start))*plot
}

func (c TimelineChart) geometry() ([]timelineGeom, string) {
	out := make([]timelineGeom, 0, len(c.Rows))
	labels := fitLabels(len(c.Rows), func(i int) string { return c.Rows[i].Label }, chartLabelW-20)
	for i, r := range c.Rows {
		top := timelineTop + float64(i)*timelineRowH
		mid := top + timelineRowH/2
		g := timelineGeom{Label: labels[i], Full: r.Label, LabelY: num(mid + 4), TrackY: num(mid),
			Fill: fillOf(r.Class), Class: "chart-" + r.Class, Title: r.Title}
		var from, to float64
		if r.Needed != nil {
			x := c.x(*r.Needed)
			g.HasNeeded = true
			g.Diamond = num(x) + "," + num(mid-7) + " " + num(x+7) + "," + num(mid) + " " + num(x) + "," + num(mid+7) +
				" " + num(x-7) + "," + num(mid)
			from = x
		}
		switch {
		case r.Done != nil:
			to = c.x(*r.Done)
			g.HasDone, g.DoneX, g.DoneY = true, num(to), num(mid)
		case r.Needed != nil && r.Needed.Before(c.Today):
			to, g.Dashed = c.x(c.Today), true // still open past its date: the gap runs to today
		default:
			to = from
		}
		if r.Needed != nil && math.Abs(to-from) > 1 {
			g.HasLink, g.LinkX1, g.LinkX2, g.LinkY = true, num(math.Min(from, to)), num(math.Max(from, to)), num(mid)
		}
		out = append(out, g)
	}
	return out, num(timelineTop + float64(len(c.Rows))*timelineRowH + timelineFoot + legendHeight(c.Legend))
}

// ticks marks the axis: every day, week, fortnight or month, whichever gives at
// most eight marks.
func (c TimelineChart) ticks() []tickGeom {
	start, end := c.span()
	days := int(end.Sub(start).Hours() / 24)
	var out []tickGeom
	add := func(t time.Time) { out = append(out, tickGeom{X: num(c.x(t)), Label: shortDate(t, c.Lang)}) }
	if days > 120 {
		for t := time.Date(start.Year(), start.Month()+1, 1, 0, 0, 0, 0, start.Location()); t.Before(end); t = t.AddDate(0, 1, 0) {
			add(t)
		}
		return out
	}
	step := 1
	for _, s := range []int{1, 2, 7, 14, 28} {
		step = s
		if days/s <= 8 {
			break
		}
	}
	first := start.AddDate(0, 0, 1)
	if step >= 7 { // weeks start on Monday
		for first.Weekday() != time.Monday {
			first = first.AddDate(0, 0, 1)
		}
	}
	for t := first; t.Before(end); t = t.AddDate(0, 0, step) {
		add(t)
	}
	return out
}

func (c TimelineChart) todayX() string { return num(c.x(c.Today)) }

func (c TimelineChart) plotBottom() string {
	return num(timelineTop + float64(len(c.Rows))*timelineRowH)
}

// shortDate writes a day the way each language reads a short date.
func shortDate(t time.Time, lang string) string {
	if lang == "en" {
		return t.Format("Jan 2")
	}
	return strconv.Itoa(int(t.Month())) + "月" + strconv.Itoa(t.Day()) + "日"
}

type legendGeom struct {
	X, Y, TextX, TextY, Fill, Class, Label string
	Diamond                                string // polygon points when the key is the needed-by marker
}

func legendHeight(keys []ChartKey) float64 {
	if len(keys) == 0 {
		return 4
	}
	return 30
}

// legend lays the keys out in one line under a plot of the given height.
func legend(keys []ChartKey, top float64) []legendGeom {
	var out []legendGeom
	x := chartLabelW
	for _, k := range keys {
		g := legendGeom{X: num(x), Y: num(top + 10), TextX: num(x + 18), TextY: num(top + 21),
			Fill: fillOf(k.Class), Class: "chart-" + k.Class, Label: k.Label}
		if k.Diamond {
			g.Diamond = num(x+6) + "," + num(top+9) + " " + num(x+12) + "," + num(top+16) + " " + num(x+6) + "," +
				num(top+23) + " " + num(x) + "," + num(top+16)
		}
		out = append(out, g)
		x += 18 + textWidth(k.Label) + 24
	}
	return out
}

func (c BarChart) legend() []legendGeom {
	return legend(c.Legend, float64(len(c.Rows))*chartRowH)
}

func (c PairChart) legend() []legendGeom {
	return legend([]ChartKey{c.A, c.B}, float64(len(c.Rows))*pairRowH)
}

func (c TimelineChart) legend() []legendGeom {
	return legend(c.Legend, timelineTop+float64(len(c.Rows))*timelineRowH+timelineFoot)
}

// textWidth estimates the drawn width of s at the chart's font size: CJK characters
// are about one em wide, others a little over half.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w * chartFontSize
}

func runeWidth(r rune) float64 {
	if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		(r >= 0xFF00 && r <= 0xFFEF) || (r >= 0x3000 && r <= 0x303F) {
		return 1
	}
	if unicode.IsUpper(r) {
		return 0.72
	}
	if r == ' ' || r == '.' || r == ',' || r == 'i' || r == 'l' {
		return 0.32
	}
	return 0.6
}

// fitLabel shortens s with an ellipsis so it fits in width; the full text stays in
// the element's <title>.
func fitLabel(s string, width float64) string {
	if textWidth(s) <= width {
		return s
	}
	var b strings.Builder
	w := runeWidth('…') * chartFontSize
	for _, r := range s {
		rw := runeWidth(r) * chartFontSize
		if w+rw > width {
			break
		}
		b.WriteRune(r)
		w += rw
	}
	return strings.TrimSpace(b.String()) + "…"
}

// fitLabels fits n labels into width, each told apart from the others: where two
// different labels would shorten to the same text ("Customer management sy…" for
// phase 1 and phase 2), those keep their beginning and their end instead
// ("Customer ma…phase 1").
func fitLabels(n int, label func(int) string, width float64) []string {
	out := make([]string, n)
	seen := map[string][]int{}
	for i := range n {
		out[i] = fitLabel(label(i), width)
		seen[out[i]] = append(seen[out[i]], i)
	}
	for _, same := range seen {
		distinct := map[string]bool{}
		for _, i := range same {
			distinct[label(i)] = true
		}
		if len(distinct) < 2 {
			continue // the same label twice, or no clash
		}
		for _, i := range same {
			out[i] = fitLabelMiddle(label(i), width)
		}
	}
	return out
}

// fitLabelMiddle shortens s by its middle, keeping as much of its end as its beginning.
func fitLabelMiddle(s string, width float64) string {
	if textWidth(s) <= width {
		return s
	}
	runes := []rune(s)
	half := (width - runeWidth('…')*chartFontSize) / 2
	var head, tail []rune
	w := 0.0
	for _, r := range runes {
		if w+runeWidth(r)*chartFontSize > half {
			break
		}
		head = append(head, r)
		w += runeWidth(r) * chartFontSize
	}
	w = 0
	for i := len(runes) - 1; i >= len(head); i-- {
		if w+runeWidth(runes[i])*chartFontSize > half {
			break
		}
		tail = append([]rune{runes[i]}, tail...)
		w += runeWidth(runes[i]) * chartFontSize
	}
	return strings.TrimSpace(string(head)) + "…" + strings.TrimSpace(string(tail))
}

// num writes a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

func chartViewBox(height string) string { return "0 0 " + num(chartWidth) + " " + height }
