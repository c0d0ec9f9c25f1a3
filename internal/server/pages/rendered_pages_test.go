package pages

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitFor blocks until n views wait for the drawing of the page under key in progress,
// for five seconds at most, and reports whether they did. It may run on any goroutine.
func waitFor(c *renderedPages, key renderedKey, n int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Microsecond) {
		c.mu.Lock()
		d := c.drawing[key]
		waiting := d != nil && d.waiters == n
		c.mu.Unlock()
		if waiting {
			return true
		}
	}
	return false
}

// waitingViews starts n views of the page kept under key while another draws it, and
// returns once all n wait for that drawing. lookup is what serves a view; a view given
// the turn to draw calls draw with it. Each view's answer arrives on the channel.
func waitingViews(t *testing.T, ctx context.Context, c *renderedPages, key renderedKey, n int,
	lookup func(since time.Time) lookedUp, draw func(*drawTurn)) <-chan bool {
	t.Helper()
	answers := make(chan bool, n)
	for range n {
		go func() {
			answered, turn := c.servedOrDraw(ctx, keptWorkbook, key, lookup)
			if !answered {
				draw(turn)
				turn.done()
			}
			answers <- answered
		}()
	}
	require.True(t, waitFor(c, key, n), "%d views waiting", n)
	return answers
}

// answered counts the views among n that were served.
func answered(answers <-chan bool, n int) int {
	served := 0
	for range n {
		if <-answers {
			served++
		}
	}
	return served
}

// TestViewsWhileAPageIsDrawnWaitForIt: views that find nothing kept while another
// request draws the same page wait for it and serve what it kept, so a burst of views
// after a write reads the page once. A view serves without a check only a page whose
// drawing began after it arrived, and waits for such a drawing even after another;
// once one has kept nothing it may serve, it draws the page itself; a view whose
// request ends stops waiting and takes no turn the others would wait for.
func TestViewsWhileAPageIsDrawnWaitForIt(t *testing.T) {
	ctx := context.Background()
	c := newRenderedPages(1 << 20)
	key, err := keyOf("page", 1)
	require.NoError(t, err)
	byKey := func(time.Time) lookedUp { return servedIf(c.get(key, time.Now())) }
	drawNothing := func(*drawTurn) {}

	served, turn := c.servedOrDraw(ctx, keptWorkbook, key, byKey)
	require.False(t, served, "nothing is kept yet: the first view draws")
	answers := waitingViews(t, ctx, c, key, 8, byKey, drawNothing)
	require.Empty(t, answers, "no view answers while the page is drawn")
	_, err = c.render(ctx, turn, time.Time{}, renderedBody("<main>drawn once</main>"))
	require.NoError(t, err)
	require.Equal(t, 8, answered(answers, 8), "every waiting view serves what the drawing kept")
	require.Equal(t, RenderedCounts{Waited: 8, Drawn: 1}, c.Counts()["workbook"])
	served, _ = c.servedOrDraw(ctx, keptWorkbook, key, byKey)
	require.True(t, served, "kept: served at once")
	require.Equal(t, RenderedCounts{Kept: 1, Waited: 8, Drawn: 1}, c.Counts()["workbook"])

	// Kept with epochs that have moved since (a write came while it was drawn): only a
	// page whose drawing began after the view arrived is served, and a view waits for
	// another view's drawing, begun after it arrived, rather than draw it too.
	c = newRenderedPages(1 << 20)
	drawnSince := func(since time.Time) lookedUp {
		p, ok := c.getRead(key, time.Now())
		return servedIf(p, ok && p.drawn.After(since)) // the epochs, in this test, always moved
	}
	keep := func(turn *drawTurn) {
		if _, err := c.renderRead(ctx, turn, time.Time{}, "epochs", renderedBody("<main>read after</main>")); err != nil {
			t.Error(err)
		}
	}
	_, turn = c.servedOrDraw(ctx, keptWorkbook, key, drawnSince)
	answers = waitingViews(t, ctx, c, key, 2, drawnSince, func(turn *drawTurn) {
		if !waitFor(c, key, 1) { // the other view waits for this drawing before it keeps the page
			t.Error("the other view did not wait for the drawing begun after it arrived")
		}
		keep(turn)
	})
	keep(turn) // began before both arrived: neither may serve it
	require.Equal(t, 1, answered(answers, 2), "one view draws again, the other serves what it drew")
	require.Equal(t, RenderedCounts{Waited: 1, Drawn: 2}, c.Counts()["workbook"])

	// Drawings that keep nothing (an error, a page too big to keep): after one begun
	// since they arrived, the views draw the page themselves.
	c = newRenderedPages(1 << 20)
	_, turn = c.servedOrDraw(ctx, keptWorkbook, key, drawnSince)
	answers = waitingViews(t, ctx, c, key, 3, drawnSince, func(*drawTurn) {})
	turn.done()
	require.Equal(t, 0, answered(answers, 3), "nothing was kept: the views draw the page")
	require.Equal(t, RenderedCounts{Drawn: 4}, c.Counts()["workbook"])
	c.mu.Lock()
	require.Empty(t, c.drawing, "every drawing is over")
	c.mu.Unlock()

	// A view whose request is cancelled stops waiting, is not served, and takes no turn
	// others would wait for.
	cancelled, cancel := context.WithCancel(ctx)
	_, turn = c.servedOrDraw(ctx, keptWorkbook, key, drawnSince)
	answers = waitingViews(t, cancelled, c, key, 1, drawnSince, drawNothing)
	cancel()
	require.Equal(t, 0, answered(answers, 1))
	turn.done()
	turn.done() // once the page is drawn, and again by a defer: the second does nothing
	_, turn = c.servedOrDraw(cancelled, keptWorkbook, key, drawnSince)
	c.mu.Lock()
	require.Empty(t, c.drawing, "an ended request's drawing is no one's to wait for")
	c.mu.Unlock()
	turn.done()

	// A server keeping nothing waits for nothing.
	var none *renderedPages
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			served, turn := none.servedOrDraw(ctx, keptWorkbook, key, func(time.Time) lookedUp { return notServed })
			if served {
				t.Error("served from nothing kept")
			}
			turn.done()
		})
	}
	wg.Wait()
	require.Empty(t, none.Counts())

	// A view whose check failed was answered (with the error), and is counted as no
	// view: neither kept nor drawn, at once or after waiting for a drawing.
	c = newRenderedPages(1 << 20)
	served, turn = c.servedOrDraw(ctx, keptWorkbook, key, func(time.Time) lookedUp { return failedToCheck })
	require.True(t, served, "answered with the error")
	require.Nil(t, turn)
	require.Equal(t, RenderedCounts{}, c.Counts()["workbook"])
	_, turn = c.servedOrDraw(ctx, keptWorkbook, key, func(time.Time) lookedUp { return notServed })
	var looks atomic.Int32
	failsAfterWaiting := func(time.Time) lookedUp {
		if looks.Add(1) == 1 {
			return notServed
		}
		return failedToCheck
	}
	answers = waitingViews(t, ctx, c, key, 1, failsAfterWaiting, drawNothing)
	turn.done()
	require.Equal(t, 1, answered(answers, 1), "answered with the error after waiting")
	require.Equal(t, RenderedCounts{Drawn: 1}, c.Counts()["workbook"], "the drawing alone is counted")
}

// servedIf is a lookup's answer: served when ok (what was kept is not used).
func servedIf[T any](_ T, ok bool) lookedUp {
	if ok {
		return servedKept
	}
	return notServed
}

// TestAPageDrawnLaterIsNotReplacedByOneDrawnBefore: two drawings of one page overlap
// and the one begun first ends last; the other's page stays, for the views that may
// serve it unchecked.
func TestAPageDrawnLaterIsNotReplacedByOneDrawnBefore(t *testing.T) {
	c := newRenderedPages(1 << 20)
	key, err := keyOf("page", 3)
	require.NoError(t, err)
	first := time.Now()
	c.put(key, []byte("later"), time.Time{}, "new", first.Add(time.Millisecond))
	c.put(key, []byte("earlier"), time.Time{}, "old", first)
	p, ok := c.getRead(key, time.Now())
	require.True(t, ok)
	require.Equal(t, "later", string(p.body))
	require.Equal(t, "new", p.read)
}
