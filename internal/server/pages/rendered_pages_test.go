package pages

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// waitingViews starts n views of the page kept under key while another draws it,
// and returns once each has looked for the page once and found nothing (so each is
// waiting for the drawing, or about to). Each view's answer arrives on the channel.
func waitingViews(t *testing.T, ctx context.Context, c *renderedPages, key renderedKey, n int) <-chan bool {
	t.Helper()
	var looked atomic.Int32
	answers := make(chan bool, n)
	for range n {
		go func() {
			first := true
			answered, done := c.servedOrDraw(ctx, key, func() bool {
				_, ok := c.get(key, time.Now())
				if first {
					first = false
					looked.Add(1)
				}
				return ok
			})
			if !answered {
				done()
			}
			answers <- answered
		}()
	}
	require.Eventually(t, func() bool { return looked.Load() == int32(n) }, 5*time.Second, time.Millisecond)
	return answers
}

// TestViewsWhileAPageIsDrawnWaitForIt: views that find nothing kept while another
// request draws the same page wait for it and serve what it kept, so a burst of views
// after a write reads the page once. A drawing that keeps nothing (a write came
// between, or the page is too big to keep) leaves each waiter to draw it itself,
// without waiting again; a view whose request ends stops waiting.
func TestViewsWhileAPageIsDrawnWaitForIt(t *testing.T) {
	ctx := context.Background()
	c := newRenderedPages(1 << 20)
	key, err := keyOf("page", 1)
	require.NoError(t, err)
	notKept := func() bool { return false }

	answered, done := c.servedOrDraw(ctx, key, notKept)
	require.False(t, answered, "nothing is kept yet: the first view draws")
	answers := waitingViews(t, ctx, c, key, 8)
	time.Sleep(20 * time.Millisecond)
	require.Empty(t, answers, "no view answers while the page is drawn")
	c.put(key, []byte("<main>drawn once</main>"), time.Time{}, nil)
	done()
	for range 8 {
		require.True(t, <-answers, "every waiting view serves what the drawing kept")
	}
	require.Equal(t, RenderedCounts{Waited: 8, Drawn: 1}, c.Counts())

	answered, _ = c.servedOrDraw(ctx, key, func() bool { _, ok := c.get(key, time.Now()); return ok })
	require.True(t, answered, "kept: served at once")
	require.Equal(t, RenderedCounts{Kept: 1, Waited: 8, Drawn: 1}, c.Counts())

	// A drawing that keeps nothing: each waiter draws the page itself, all at once.
	other, err := keyOf("page", 2)
	require.NoError(t, err)
	_, done = c.servedOrDraw(ctx, other, notKept)
	answers = waitingViews(t, ctx, c, other, 3)
	done()
	for range 3 {
		require.False(t, <-answers, "nothing was kept: the view draws the page")
	}
	require.Equal(t, RenderedCounts{Kept: 1, Waited: 8, Drawn: 5}, c.Counts())
	c.mu.Lock()
	require.Empty(t, c.drawing, "every drawing is over")
	c.mu.Unlock()

	// A view whose request is cancelled stops waiting and is not served.
	cancelled, cancel := context.WithCancel(ctx)
	_, done = c.servedOrDraw(ctx, other, notKept)
	answers = waitingViews(t, cancelled, c, other, 1)
	cancel()
	require.False(t, <-answers)
	done()
	done() // once the page is drawn, and again by a defer: the second does nothing

	// A server keeping nothing waits for nothing.
	var none *renderedPages
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			answered, done := none.servedOrDraw(ctx, key, notKept)
			require.False(t, answered)
			done()
		})
	}
	wg.Wait()
	require.Equal(t, RenderedCounts{}, none.Counts())
}
