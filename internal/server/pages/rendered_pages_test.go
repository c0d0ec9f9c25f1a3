package pages

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitingViews starts n views of the page kept under key while another draws it, and
// returns once each has looked for the page once and found nothing (so each is
// waiting for the drawing, or about to). lookup is what serves a view; a view given
// the turn to draw calls draw with it. Each view's answer arrives on the channel.
func waitingViews(t *testing.T, ctx context.Context, c *renderedPages, key renderedKey, n int,
	lookup func(since time.Time) bool, draw func(*drawTurn)) <-chan bool {
	t.Helper()
	var looked atomic.Int32
	answers := make(chan bool, n)
	for range n {
		go func() {
			first := true
			answered, turn := c.servedOrDraw(ctx, "workbook", key, func(since time.Time) bool {
				ok := lookup(since)
				if first {
					first = false
					looked.Add(1)
				}
				return ok
			})
			if !answered {
				draw(turn)
				turn.done()
			}
			answers <- answered
		}()
	}
	require.Eventually(t, func() bool { return looked.Load() == int32(n) }, 5*time.Second, time.Millisecond)
	return answers
}

// TestViewsWhileAPageIsDrawnWaitForIt: views that find nothing kept while another
// request draws the same page wait for it and serve what it kept, so a burst of views
// after a write reads the page once. A view serves without a check only a page whose
// drawing began after it arrived; one whose drawing kept nothing waits for one more
// drawing at most, then draws it itself; a view whose request ends stops waiting.
func TestViewsWhileAPageIsDrawnWaitForIt(t *testing.T) {
	ctx := context.Background()
	c := newRenderedPages(1 << 20)
	key, err := keyOf("page", 1)
	require.NoError(t, err)
	byKey := func(time.Time) bool { _, ok := c.get(key, time.Now()); return ok }
	drawNothing := func(*drawTurn) {}

	answered, turn := c.servedOrDraw(ctx, "workbook", key, byKey)
	require.False(t, answered, "nothing is kept yet: the first view draws")
	answers := waitingViews(t, ctx, c, key, 8, byKey, drawNothing)
	time.Sleep(20 * time.Millisecond)
	require.Empty(t, answers, "no view answers while the page is drawn")
	_, err = c.render(ctx, turn, time.Time{}, renderedBody("<main>drawn once</main>"))
	require.NoError(t, err)
	for range 8 {
		require.True(t, <-answers, "every waiting view serves what the drawing kept")
	}
	require.Equal(t, RenderedCounts{Waited: 8, Drawn: 1}, c.Counts()["workbook"])
	answered, _ = c.servedOrDraw(ctx, "workbook", key, byKey)
	require.True(t, answered, "kept: served at once")
	require.Equal(t, RenderedCounts{Kept: 1, Waited: 8, Drawn: 1}, c.Counts()["workbook"])

	// Kept with epochs that have moved since (a write came while it was drawn): only a
	// page whose drawing began after the view arrived is served, and no view draws
	// what another, begun after it arrived, is drawing.
	c = newRenderedPages(1 << 20)
	other, err := keyOf("page", 2)
	require.NoError(t, err)
	drawnSince := func(since time.Time) bool {
		p, ok := c.getRead(other, time.Now())
		return ok && p.drawn.After(since) // the epochs, in this test, always moved
	}
	keep := func(turn *drawTurn) {
		time.Sleep(20 * time.Millisecond) // reading the page, while the other view comes to wait
		_, err := c.renderRead(ctx, turn, time.Time{}, "epochs", renderedBody("<main>read after the write</main>"))
		require.NoError(t, err)
	}
	_, turn = c.servedOrDraw(ctx, "workbook", other, drawnSince)
	answers = waitingViews(t, ctx, c, other, 2, drawnSince, keep)
	keep(turn) // began before both arrived: neither may serve it
	served := 0
	for range 2 {
		if <-answers {
			served++
		}
	}
	require.Equal(t, 1, served, "one view draws again, the other serves what it drew")
	require.Equal(t, RenderedCounts{Waited: 1, Drawn: 2}, c.Counts()["workbook"])

	// Drawings that keep nothing (errors, a page too big to keep): a view waits for two
	// at most, then draws it itself.
	c = newRenderedPages(1 << 20)
	_, turn = c.servedOrDraw(ctx, "workbook", other, drawnSince)
	answers = waitingViews(t, ctx, c, other, 3, drawnSince, func(*drawTurn) { time.Sleep(5 * time.Millisecond) })
	turn.done()
	for range 3 {
		require.False(t, <-answers, "nothing was kept: the view draws the page")
	}
	require.Equal(t, RenderedCounts{Drawn: 4}, c.Counts()["workbook"])
	c.mu.Lock()
	require.Empty(t, c.drawing, "every drawing is over")
	c.mu.Unlock()

	// A view whose request is cancelled stops waiting and is not served.
	cancelled, cancel := context.WithCancel(ctx)
	_, turn = c.servedOrDraw(ctx, "workbook", other, drawnSince)
	answers = waitingViews(t, cancelled, c, other, 1, drawnSince, drawNothing)
	cancel()
	require.False(t, <-answers)
	turn.done()
	turn.done() // once the page is drawn, and again by a defer: the second does nothing

	// A server keeping nothing waits for nothing.
	var none *renderedPages
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			answered, turn := none.servedOrDraw(ctx, "workbook", key, func(time.Time) bool { return false })
			require.False(t, answered)
			turn.done()
		})
	}
	wg.Wait()
	require.Empty(t, none.Counts())
}

// TestAPageDrawnLaterIsNotReplacedByOneDrawnBefore: two drawings of one page overlap
// and the one begun first ends last; what the later one read is kept.
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
