package scale

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// progress draws one line per step: its name, a bar, the rows so far and the time.
// On a terminal the line redraws in place; elsewhere (a log, a pipe) each update is a
// new line, so a long step still shows it is moving.
type progress struct {
	w         io.Writer
	tty       bool
	steps     int
	index     int
	step      string
	total     int
	rows      int
	start     time.Time
	stepStart time.Time
	open      bool
}

func newProgress(w io.Writer, steps int) *progress {
	p := &progress{w: w, steps: steps, start: time.Now()}
	if w == nil {
		p.w = io.Discard
	}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

// begin starts a step; total 0 means the number of rows is not known in advance.
func (p *progress) begin(step string, total int) {
	p.end()
	p.index++
	p.step, p.total, p.rows, p.stepStart, p.open = step, total, 0, time.Now(), true
	if p.tty {
		p.draw()
	}
}

func (p *progress) add(rows int) {
	p.rows += rows
	if p.tty || (p.total > 0 && p.rows < p.total) {
		p.draw()
	}
}

// end closes the current step's line.
func (p *progress) end() {
	if !p.open {
		return
	}
	p.open = false
	p.draw()
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

// finish ends the last step and prints the total time.
func (p *progress) finish() {
	p.end()
	fmt.Fprintf(p.w, "seeded in %s\n", time.Since(p.start).Round(100*time.Millisecond))
}

// abort ends the line so an error message starts on its own.
func (p *progress) abort() {
	if p.open && p.tty {
		fmt.Fprintln(p.w)
	}
	p.open = false
}

func (p *progress) draw() {
	const width = 24
	bar := strings.Repeat("·", width)
	count := thousands(int64(p.rows))
	if p.total > 0 {
		filled := min(width, p.rows*width/p.total)
		bar = strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
		count += "/" + thousands(int64(p.total))
	}
	line := fmt.Sprintf("[%2d/%d] %-17s %s %21s rows %7.1fs  (total %.0fs)", p.index, p.steps, p.step, bar, count,
		time.Since(p.stepStart).Seconds(), time.Since(p.start).Seconds())
	if p.tty {
		fmt.Fprint(p.w, "\r"+line+"\x1b[K")
		return
	}
	fmt.Fprintln(p.w, line)
}

// thousands writes n with comma separators: 2,000,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
