package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// writeCounts is what a page's writer did, over a run or since it started.
type writeCounts struct {
	Made, Failed int
	FirstError   string
}

// writer makes a plan's writes until stopped, counting them.
type writer struct {
	mu     sync.Mutex
	counts writeCounts
	stop   context.CancelFunc
	done   chan struct{}
}

// startWriting makes plan's writes, writesPerSecond of them evenly spaced, through the
// server as a browser would (a form posted with its origin), until stopped. Each is
// sent on time whether or not the one before has been answered, as people writing
// independently would, up to maxWritesInFlight at once; a tick finding that many
// unanswered is skipped (the rate reported is the rate made).
func startWriting(ctx context.Context, client *http.Client, base string, sessions map[string]*http.Cookie, plan *writePlan) *writer {
	ctx, stop := context.WithCancel(ctx)
	w := &writer{stop: stop, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var inFlight sync.WaitGroup
		defer inFlight.Wait()
		slots := make(chan struct{}, maxWritesInFlight)
		tick := time.NewTicker(time.Second / writesPerSecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			select {
			case slots <- struct{}{}:
			default:
				continue
			}
			by := plan.By[n%len(plan.By)]
			turn := n / len(plan.By) // this writer's
			id := by.Requests[turn%len(by.Requests)]
			risk := "low"
			if plan.RiskTurns && turn/len(by.Requests)%2 == 0 {
				risk = "high"
			}
			path, form := fmt.Sprintf("/requests/%d/progress", id), url.Values{
				"body": {fmt.Sprintf("Bench progress %d", n)}, "risk": {risk}, "effort_days": {"0"}}
			if plan.CommentEvery > 0 && turn%plan.CommentEvery == plan.CommentEvery-1 {
				path, form = fmt.Sprintf("/requests/%d/comments", id), url.Values{"body": {fmt.Sprintf("%s %d", searchWord, n)}}
			}
			inFlight.Go(func() {
				defer func() { <-slots }()
				err := postForm(ctx, client, base, path, sessions[by.Email], form)
				if ctx.Err() != nil {
					return // cut short by the end of the run: neither made nor failed
				}
				w.mu.Lock()
				defer w.mu.Unlock()
				if err != nil {
					w.counts.Failed++
					if w.counts.FirstError == "" {
						w.counts.FirstError = err.Error()
					}
				} else {
					w.counts.Made++
				}
			})
		}
	}()
	return w
}

// maxWritesInFlight bounds the writes a writer has sent and not seen answered.
const maxWritesInFlight = 8

// snapshot is what the writer did so far.
func (w *writer) snapshot() writeCounts {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts
}

// finish stops the writer and returns what it did in all.
func (w *writer) finish() writeCounts {
	w.stop()
	<-w.done
	return w.snapshot()
}

// since is what was written after before; the first error is the writer's first.
func (c writeCounts) since(before writeCounts) writeCounts {
	run := writeCounts{Made: c.Made - before.Made, Failed: c.Failed - before.Failed}
	if run.Failed > 0 {
		run.FirstError = c.FirstError
	}
	return run
}

// postForm posts form to path as a same-origin browser would, and wants the redirect
// a successful write answers with.
func postForm(ctx context.Context, client *http.Client, base, path string, session *http.Cookie, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	req.AddCookie(session)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("POST %s: %s", path, resp.Status)
	}
	return nil
}

// viewCounts is how the server answered views of the pages it keeps rendered
// (accord_rendered_page_views_total), or the difference over a run.
type viewCounts struct {
	Kept, Waited, Drawn int64
	DrawnBy             map[string]int64 // by page
}

func (v viewCounts) minus(o viewCounts) viewCounts {
	d := viewCounts{Kept: v.Kept - o.Kept, Waited: v.Waited - o.Waited, Drawn: v.Drawn - o.Drawn, DrawnBy: map[string]int64{}}
	for page, n := range v.DrawnBy {
		if n -= o.DrawnBy[page]; n != 0 {
			d.DrawnBy[page] = n
		}
	}
	return d
}

// Total is every view counted.
func (v viewCounts) Total() int64 { return v.Kept + v.Waited + v.Drawn }

// readViewCounts reads the server's counts from its metrics address, summed over the
// pages, with the drawings of each.
func readViewCounts(ctx context.Context, client *http.Client, metricsBase string) (viewCounts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, metricsBase+"/metrics", nil)
	if err != nil {
		return viewCounts{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return viewCounts{}, fmt.Errorf("read /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return viewCounts{}, fmt.Errorf("read /metrics: %s", resp.Status)
	}
	v := viewCounts{DrawnBy: map[string]int64{}}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		// accord_rendered_page_views_total{outcome="drawn",page="inbox"} 12
		rest, ok := strings.CutPrefix(sc.Text(), "accord_rendered_page_views_total{")
		if !ok {
			continue
		}
		labelList, value, ok := strings.Cut(rest, "} ")
		if !ok {
			return viewCounts{}, fmt.Errorf("read /metrics: %q", sc.Text())
		}
		labels := map[string]string{}
		for pair := range strings.SplitSeq(labelList, ",") {
			name, quoted, _ := strings.Cut(pair, "=")
			labels[name] = strings.Trim(quoted, `"`)
		}
		f, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return viewCounts{}, fmt.Errorf("read /metrics: %q: %w", sc.Text(), err)
		}
		found++
		switch n := int64(f); labels["outcome"] {
		case "kept":
			v.Kept += n
		case "waited":
			v.Waited += n
		case "drawn":
			v.Drawn += n
			v.DrawnBy[labels["page"]] = n
		default:
			return viewCounts{}, fmt.Errorf("read /metrics: no outcome in %q", sc.Text())
		}
	}
	if err := sc.Err(); err != nil {
		return viewCounts{}, fmt.Errorf("read /metrics: %w", err)
	}
	if found == 0 {
		return viewCounts{}, errors.New("read /metrics: no counts of kept pages' views")
	}
	return v, nil
}
