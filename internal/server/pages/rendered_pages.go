package pages

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/a-h/templ"

	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
)

// renderedPages keeps the rendered bodies of pages (the part inside the layout) by a
// key that names every input of their rendering: the page, the rows it was read from
// by their epochs (store.ContentEpochs), the viewer's rights it was drawn for, the
// language, time zone and day it was drawn in, and the query. A body is served again
// only under the same key, so it is byte for byte what rendering afresh would give:
// a write moves an epoch in its own transaction, and every request reads the epochs
// again with the project, after its own writes. Nothing passes between servers; each
// keeps its own. Access is not part of what is kept: the project (an escalation's
// page: the escalation and the viewer's part in it) is read for its viewer on every
// request, as before, and a viewer who may no longer see it gets the 404 page without
// the cache being asked.
//
// A page that shows the clock (the time since something happened, what is stale)
// is kept with the moment from which it would be drawn otherwise, and served only
// before it.
//
// A page that lists rows across projects (the inbox) cannot name its epochs before
// reading them: it is kept under a key without them, with the epochs it was read at
// (read), and the caller serves it only after reading those epochs again and finding
// them equal (getRead, renderRead), or when its drawing began after the view arrived
// (servedOrDraw says why that is enough).
//
// The least recently used bodies go first once the kept bytes pass the limit; bodies
// read at older epochs are never asked for again and age out the same way.
//
// A view that finds nothing kept while another request is drawing the same page waits
// for that drawing and looks again (servedOrDraw): the many views that follow a write
// draw the page once between them rather than each reading it afresh.
type renderedPages struct {
	mu      sync.Mutex
	limit   int64
	size    int64
	byKey   map[renderedKey]*list.Element
	order   *list.List                   // of *renderedPage, most recently used first
	drawing map[renderedKey]*drawing     // pages being drawn now
	counts  map[keptPage]*renderedCounts // read-only once made
}

// keptPage names a page kept rendered, as servedOrDraw and /metrics know it.
type keptPage string

const (
	keptWorkbook    keptPage = "workbook"
	keptTracker     keptPage = "tracker"
	keptEscalation  keptPage = "escalation"
	keptEscalations keptPage = "escalations"
	keptInbox       keptPage = "inbox"
	keptHome        keptPage = "home"
	keptUnit        keptPage = "unit"
	keptPortfolio   keptPage = "portfolio"
	keptSearch      keptPage = "search"
)

// keptPages lists every keptPage.
func keptPages() []keptPage {
	return []keptPage{keptWorkbook, keptTracker, keptEscalation, keptEscalations, keptInbox, keptHome, keptUnit,
		keptPortfolio, keptSearch}
}

// drawing is a page being drawn: ended is closed when it is drawn (kept or not).
type drawing struct {
	began   time.Time
	ended   chan struct{}
	waiters int // views waiting for it; c.mu guards it
}

// renderedCounts counts the views of kept pages by how they were answered.
type renderedCounts struct {
	kept   atomic.Uint64 // served as kept at once
	waited atomic.Uint64 // served as kept after waiting for another request to draw it
	drawn  atomic.Uint64 // drawn afresh
}

// RenderedCounts is how the views of a page kept rendered were answered since the
// server started: served as kept at once, served after waiting for another request
// drawing the same page, and drawn afresh.
type RenderedCounts struct{ Kept, Waited, Drawn uint64 }

// renderedKey is the SHA-256 of a rendering's inputs, written out by keyOf.
type renderedKey [sha256.Size]byte

type renderedPage struct {
	key   renderedKey
	body  []byte
	until time.Time // served only before it; the zero time for always
	read  any       // what the caller checks before serving it; nil when the key says all
	drawn time.Time // when its drawing began, before it read anything
}

// newRenderedPages keeps up to limit bytes of bodies; none at all (nil, whose methods
// keep nothing) when limit is not positive.
func newRenderedPages(limit int64) *renderedPages {
	if limit <= 0 {
		return nil
	}
	c := &renderedPages{limit: limit, byKey: map[renderedKey]*list.Element{}, order: list.New(),
		drawing: map[renderedKey]*drawing{}, counts: map[keptPage]*renderedCounts{}}
	for _, page := range keptPages() {
		c.counts[page] = &renderedCounts{}
	}
	return c
}

// drawTurn is a request's turn to draw the page kept under key. It began before the
// request read anything the page shows, but what it names the page by: the workbook,
// the tracker and an escalation's page read their project or escalation first and
// name the page by it (and its epochs), which is why a view serves those by their key
// alone (servedBody ignores since) and may never serve them by when they were drawn.
type drawTurn struct {
	key   renderedKey
	began time.Time
	done  func() // ends the turn; idempotent, so a defer may call it again
}

// lookedUp is how a view's lookup of a kept page answered it.
type lookedUp int

const (
	notServed     lookedUp = iota // nothing kept, or no longer the same: the view draws
	servedKept                    // served the kept page
	failedToCheck                 // answered with an error (the epochs could not be read): counted as no view
)

// servedOrDraw answers a view of the page kept under key. lookup serves the page when
// it is kept and still the same, and reports whether it did (or answered with an
// error, counted as no view): a page whose drawing
// began after since (the moment this view arrived) needs no check, since everything
// it shows was read after every write committed before the view, this viewer's own
// included; any other, the key's or the epochs' test. When nothing is served and
// another request is drawing the page, servedOrDraw waits for that drawing and looks
// again: a burst of views after a write draws the page once. Once a drawing that
// began after this view arrived has kept nothing it may serve (a page too big to
// keep, one not kept for this viewer, an error), or after two waits, or when the
// request ends, it stops waiting; it returns the caller's turn to draw, which render
// and renderRead end. A turn is offered to the next views only when none is drawing.
func (c *renderedPages) servedOrDraw(ctx context.Context, page keptPage, key renderedKey, lookup func(since time.Time) lookedUp) (bool, *drawTurn) {
	arrived := time.Now()
	if c == nil {
		return lookup(arrived) != notServed, &drawTurn{key: key, began: arrived, done: func() {}}
	}
	counts, ok := c.counts[page]
	if !ok {
		panic("pages: servedOrDraw of a page not in keptPages: " + string(page))
	}
	switch lookup(arrived) {
	case servedKept:
		counts.kept.Add(1)
		return true, nil
	case failedToCheck:
		return true, nil
	}
	for waits, hopeless := 0, false; ; waits++ {
		c.mu.Lock()
		other, busy := c.drawing[key]
		if !busy || waits == 2 || hopeless || ctx.Err() != nil {
			turn := &drawTurn{key: key, began: time.Now(), done: func() {}}
			if !busy && ctx.Err() == nil {
				mine := &drawing{began: turn.began, ended: make(chan struct{})}
				c.drawing[key] = mine
				turn.done = sync.OnceFunc(func() {
					c.mu.Lock()
					delete(c.drawing, key)
					c.mu.Unlock()
					close(mine.ended)
				})
			}
			c.mu.Unlock()
			counts.drawn.Add(1)
			return false, turn
		}
		other.waiters++
		c.mu.Unlock()
		select {
		case <-other.ended:
		case <-ctx.Done():
		}
		c.mu.Lock()
		other.waiters--
		c.mu.Unlock()
		if ctx.Err() != nil {
			continue // draws, unregistered, for a request that ends anyway
		}
		switch lookup(arrived) {
		case servedKept:
			counts.waited.Add(1)
			return true, nil
		case failedToCheck:
			return true, nil
		}
		// What a drawing begun after this view arrived kept would have served it: it
		// kept nothing, and the next would keep nothing either.
		hopeless = other.began.After(arrived)
	}
}

// Counts reads how views of each kept page were answered (none when nothing is kept).
func (c *renderedPages) Counts() map[string]RenderedCounts {
	all := map[string]RenderedCounts{}
	if c == nil {
		return all
	}
	for page, n := range c.counts {
		all[string(page)] = RenderedCounts{Kept: n.kept.Load(), Waited: n.waited.Load(), Drawn: n.drawn.Load()}
	}
	return all
}

// keyOf names a rendering by its inputs, each written out as JSON in order: pointers
// are followed, so two equal inputs always give one key.
func keyOf(inputs ...any) (renderedKey, error) {
	b, err := json.Marshal(inputs)
	if err != nil {
		return renderedKey{}, fmt.Errorf("pages: key of a rendered page: %w", err)
	}
	return sha256.Sum256(b), nil
}

// get returns the body kept under key, if it is still the same at now. The caller
// must not change it.
func (c *renderedPages) get(key renderedKey, now time.Time) ([]byte, bool) {
	p, ok := c.getRead(key, now)
	if !ok {
		return nil, false
	}
	return p.body, true
}

// getRead is get with what the body was kept with by renderRead, which the caller
// must check before serving it unless the page was drawn after the view arrived.
func (c *renderedPages) getRead(key renderedKey, now time.Time) (*renderedPage, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	p := e.Value.(*renderedPage)
	if !p.until.IsZero() && !now.Before(p.until) {
		c.drop(e)
		return nil, false
	}
	c.order.MoveToFront(e)
	return p, true
}

// drop forgets one body; c.mu is held.
func (c *renderedPages) drop(e *list.Element) {
	p := e.Value.(*renderedPage)
	c.order.Remove(e)
	delete(c.byKey, p.key)
	c.size -= keptSize(p.body)
}

// keptSize is what a kept body costs: its bytes and the map and list entries around it.
func keptSize(body []byte) int64 { return int64(cap(body)) + 256 }

// put keeps body under key until then (the zero time: always), with read, drawn by a
// drawing begun at drawn, in place of what was kept under it, unless that drawing
// began later: then it stays, since views that arrived before it began may serve it
// unchecked. It drops the least recently used bodies beyond the limit. A body larger
// than a quarter of the limit is not kept (it would push out many), and what was kept
// under its key, drawn earlier, goes all the same.
func (c *renderedPages) put(key renderedKey, body []byte, until time.Time, read any, drawn time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		if e.Value.(*renderedPage).drawn.After(drawn) {
			return // a drawing that began later finished first
		}
		c.drop(e) // kept with epochs a later read found moved, or the same bytes rendered alongside
	}
	if keptSize(body) > c.limit/4 {
		return
	}
	c.byKey[key] = c.order.PushFront(&renderedPage{key: key, body: body, until: until, read: read, drawn: drawn})
	c.size += keptSize(body)
	for c.size > c.limit {
		c.drop(c.order.Back())
	}
}

// render renders content and keeps it under the turn's key until then (the zero time:
// always), ending the turn. The result is a component for the layout.
func (c *renderedPages) render(ctx context.Context, turn *drawTurn, until time.Time, content templ.Component) (templ.Component, error) {
	return c.renderRead(ctx, turn, until, nil, content)
}

// renderRead is render for a body kept with read, for getRead.
func (c *renderedPages) renderRead(ctx context.Context, turn *drawTurn, until time.Time, read any, content templ.Component) (templ.Component, error) {
	defer turn.done()
	var buf bytes.Buffer
	if err := content.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("pages: render a page's body: %w", err)
	}
	if c == nil {
		return renderedBody(buf.Bytes()), nil
	}
	// A copy of its own size: the buffer's spare capacity would be kept with it.
	body := bytes.Clone(buf.Bytes())
	c.put(turn.key, body, until, read, turn.began)
	return renderedBody(body), nil
}

// renderedBody writes a body rendered before.
type renderedBody []byte

func (b renderedBody) Render(_ context.Context, w io.Writer) error {
	_, err := w.Write(b)
	return err
}

// keptAt is what a page kept by the epochs it was read at (the inbox, the escalation
// lists, the start page, a unit's page) is kept with: those epochs, and its title's
// message (the escalation list shown when none is asked for follows what was read) or,
// without one, its title as drawn (a unit's name).
type keptAt struct {
	at      store.QueueEpochs
	titleID string
	title   string
}

// servedKeptPage serves the page kept under key in the layout's section, when it was
// drawn after since or the epochs it was read at are all unchanged now (one
// statement), and reports whether it did, or answered with an error.
func (s *Server) servedKeptPage(w http.ResponseWriter, r *http.Request, key renderedKey, now, since time.Time, section string) lookedUp {
	p, ok := s.rendered.getRead(key, now)
	if !ok {
		return notServed
	}
	kept := p.read.(keptAt)
	ctx := r.Context()
	if !p.drawn.After(since) {
		current, err := s.store.QueueEpochsNow(ctx, spine.ViewerFrom(ctx).User.ID, kept.at)
		switch {
		case err != nil:
			s.Fail(w, r, err)
			return failedToCheck
		case !current.Equal(kept.at):
			return notServed
		}
	}
	title := kept.title
	if kept.titleID != "" {
		title = i18n.T(ctx, kept.titleID)
	}
	s.page(w, r, http.StatusOK, title, section, renderedBody(p.body))
	return servedKept
}

// servedBody serves the body kept under key (titled title, in the layout's section)
// when it is still the same at now, and reports whether it did: the key names the
// epochs it was read at, so it needs no other check.
func (s *Server) servedBody(w http.ResponseWriter, r *http.Request, key renderedKey, now time.Time, title, section string) lookedUp {
	body, ok := s.rendered.get(key, now)
	if !ok {
		return notServed
	}
	s.page(w, r, http.StatusOK, title, section, renderedBody(body))
	return servedKept
}

// keptAtCompanyOrDraw is servedOrDraw for a page kept with the organisation's epoch
// and the company-wide epoch of (the portfolio, search), and the row epochs of the
// projects the kept page listed (the portfolio's), titled title in the layout's
// section. It serves the kept page when its drawing began after the view arrived, or
// when those epochs are what it was read at, and reports whether it answered (an
// error included). Otherwise it returns the caller's turn to draw, and the company's
// epochs as read last, before the page is: the page read after them may be kept with
// them and the row epochs of the projects it lists, read with those (renderRead).
func (s *Server) keptAtCompanyOrDraw(w http.ResponseWriter, r *http.Request, page keptPage, key renderedKey, now time.Time,
	of store.CompanyEpoch, title, section string) (store.CompanyEpochs, bool, *drawTurn) {
	var at store.CompanyEpochs
	answered, turn := s.rendered.servedOrDraw(r.Context(), page, key, func(since time.Time) lookedUp {
		p, kept := s.rendered.getRead(key, now)
		if kept && p.drawn.After(since) {
			s.page(w, r, http.StatusOK, title, section, renderedBody(p.body))
			return servedKept
		}
		var was store.CompanyEpochs
		if kept {
			was, _ = p.read.(store.CompanyEpochs)
		}
		var err error
		if at, err = s.store.CompanyEpochsNow(r.Context(), of, slices.Collect(maps.Keys(was.Projects))); err != nil {
			s.Fail(w, r, err)
			return failedToCheck
		}
		if kept && was.Equal(at) {
			s.page(w, r, http.StatusOK, title, section, renderedBody(p.body))
			return servedKept
		}
		return notServed
	})
	at.Projects = nil // the drawing reads its own
	return at, answered, turn
}

// RenderedCounts is how the views of each page kept rendered were answered since start.
func (s *Server) RenderedCounts() map[string]RenderedCounts { return s.rendered.Counts() }
