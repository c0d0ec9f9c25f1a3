package main

import (
	"fmt"
	"strings"
	"time"
)

// How the report writes durations, sizes, shares, counts and lists in its text.

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

// latency shows a percentile, or that the clients gave up waiting.
func latency(d time.Duration) string {
	if d >= clientTimeout {
		return fmt.Sprintf("≥ %s (timed out)", ms(clientTimeout))
	}
	return ms(d)
}

// label names a run, saying when a periodic sweep ran at the same time.
func label(name string, l loadResult) string {
	if l.SweepDuring {
		return name + " (a periodic sweep ran meanwhile)"
	}
	return name
}

func mb(kb int) string { return fmt.Sprintf("%.0f MB", float64(kb)/1024) }

func metMissed(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**missed**"
}

func pct(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }

func perRequest(seconds float64, requests int) string {
	if requests == 0 {
		return "—"
	}
	return ms(time.Duration(seconds / float64(requests) * float64(time.Second)))
}

func kindsText(kinds []kindCount) string {
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %s", thousandsInt(k.Count), k.Kind))
	}
	return strings.Join(parts, ", ")
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// firstWords shortens a statement for a table cell.
func firstWords(sql string, n int) string {
	f := strings.Fields(sql)
	if len(f) > n {
		f = append(f[:n], "…")
	}
	return strings.ReplaceAll(strings.Join(f, " "), "|", "\\|")
}

func thousandsInt(n int) string { return thousands64(int64(n)) }

func thousands64(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands64(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
