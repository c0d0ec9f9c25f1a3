package journeys_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/pgtest"
	"accord/internal/tour"
)

// TestKeyPagesFitAPhone walks every demo role's key pages (internal/tour: the pages
// `make screenshots` photographs) at 390 px in both languages and fails on any that
// scrolls sideways, naming what sticks out, or that breaks a date over two lines, and
// on any English page that shows Chinese (tour.Tab.HanTexts, built from the bilingual
// demo as `accord dev` serves it); the
// open menu must fit too, and the workbook starts folded. At 1366 px each role's top
// bar must stay one row. One browser, one tab per role; a page several roles reach is
// measured once per language, except home, whose top bar differs by role.
func TestKeyPagesFitAPhone(t *testing.T) {
	path := chromiumPath()
	if path == "" {
		if inCI() {
			t.Fatalf("Chromium is not installed, and CI=true: the browser journeys must run in CI; %s", installHint)
		}
		t.Skipf("Chromium is not installed; %s", installHint)
	}
	t.Parallel()
	a := newAppOn(t, pgtest.DemoLive())
	b, err := tour.StartBrowser(path)
	require.NoError(t, err)
	t.Cleanup(b.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 3*journeyTimeout)
	defer cancel()
	start := time.Now()

	measured := map[string]bool{}
	pages := 0
	for i, role := range tour.Roles() {
		session, tourPages, err := tour.Plan(ctx, a.url, demo.Password, role)
		require.NoError(t, err)
		tab, err := b.Tab(session)
		require.NoError(t, err)
		if i == 0 {
			checkTheCheckBites(t, ctx, tab)
			checkTheHanCheckBites(t, ctx, tab)
		}
		for _, lang := range []string{"en", "zh"} {
			require.NoError(t, tab.Open(ctx, "/", tour.Laptop, lang))
			spread, err := tour.Evaluate[int](ctx, tab, topBarSpreadJS)
			require.NoError(t, err)
			require.Less(t, spread, 16, "%s (%s) in %s at %d px: the top bar's items span %d px from the highest to the lowest: it wraps",
				role.Name, role.Email, lang, tour.Laptop, spread)

			for _, p := range tourPages {
				key := lang + " " + p.Path
				if measured[key] && p.Name != "home" {
					continue
				}
				measured[key] = true
				require.NoError(t, tab.Open(ctx, p.Path, tour.Phone, lang))
				ov, err := tab.Overflow(ctx)
				require.NoError(t, err)
				pages++
				if ov.Overflows() {
					t.Errorf("%s (%s) %s in %s scrolls sideways at %d px: the page is %d px wide; sticking out: %s",
						role.Name, role.Email, p.Path, lang, tour.Phone, ov.ScrollWidth, strings.Join(ov.Culprits, "; "))
				}
				if lang == "en" {
					han, err := tab.HanTexts(ctx)
					require.NoError(t, err)
					if len(han) > 0 {
						t.Errorf("%s (%s) %s in English shows Chinese: %s", role.Name, role.Email, p.Path, strings.Join(han, " | "))
					}
				}
				wrapped, err := tab.WrappedDates(ctx)
				require.NoError(t, err)
				require.Empty(t, wrapped, "%s (%s) %s in %s at %d px: dates break over two lines", role.Name, role.Email, p.Path, lang, tour.Phone)
				if p.Name == "workbook" && lang == "en" {
					checkTheWorkbookFolds(t, ctx, tab, p.Path)
				}
				if p.Name == "home" {
					require.NoError(t, tab.OpenMenu(ctx))
					ov, err := tab.Overflow(ctx)
					require.NoError(t, err)
					if ov.Overflows() {
						t.Errorf("%s (%s) in %s: the open menu scrolls sideways at %d px: %s",
							role.Name, role.Email, lang, tour.Phone, strings.Join(ov.Culprits, "; "))
					}
				}
			}
		}
		tab.Close()
	}
	t.Logf("measured %d pages at %d px and %d top bars at %d px in %s", pages, tour.Phone, 2*len(tour.Roles()), tour.Laptop,
		time.Since(start).Round(time.Millisecond))
}

// checkTheCheckBites makes a page too wide on purpose and expects the overflow check
// to say so and to name the element, so a check that can never fail does not pass
// for a page that fits.
func checkTheCheckBites(t *testing.T, ctx context.Context, tab *tour.Tab) {
	t.Helper()
	require.NoError(t, tab.Open(ctx, "/", tour.Phone, "en"))
	wide, err := tour.Evaluate[bool](ctx, tab, `(() => {
		const wide = document.createElement("div");
		wide.className = "too-wide-on-purpose";
		wide.style.width = "600px";
		wide.style.height = "10px";
		document.querySelector("main").append(wide);
		return wide.getBoundingClientRect().width === 600;
	})()`)
	require.NoError(t, err)
	require.True(t, wide, "a 600 px wide element")
	ov, err := tab.Overflow(ctx)
	require.NoError(t, err)
	require.True(t, ov.Overflows(), "a 600 px element at 390 px must overflow: %+v", ov)
	require.Len(t, ov.Culprits, 1)
	require.Contains(t, ov.Culprits[0], "div.too-wide-on-purpose")
}

// topBarSpreadJS is how far apart, in px, the vertical centres of the top bar's items
// are: the brand, each page link, the bell and the viewer's links. One row is a few px.
const topBarSpreadJS = `(() => {
	const centres = [];
	for (const e of document.querySelectorAll(".topbar .brand, .topbar .nav a, .topbar .bell, .topbar .who > *")) {
		const r = e.getBoundingClientRect();
		if (r.width > 0) centres.push(r.top + r.height / 2);
	}
	return Math.round(Math.max(...centres) - Math.min(...centres));
})()`

// checkTheWorkbookFolds: on a phone the workbook opens on the project at a glance with
// every section folded, and a link to a section opens it.
func checkTheWorkbookFolds(t *testing.T, ctx context.Context, tab *tour.Tab, path string) {
	t.Helper()
	open, err := tour.Evaluate[[]string](ctx, tab, `Array.from(document.querySelectorAll("details.wb-fold[open]"), e => e.dataset.testid)`)
	require.NoError(t, err)
	require.Empty(t, open, "%s at %d px: the sections start folded", path, tour.Phone)
	require.NoError(t, tab.Open(ctx, path+"#alliance", tour.Phone, "en"))
	opened, err := tour.Evaluate[bool](ctx, tab, `document.querySelector('[data-testid="fold-alliance"]').open`)
	require.NoError(t, err)
	require.True(t, opened, "%s#alliance at %d px: a link to a section unfolds it", path, tour.Phone)
	unfolded, err := tab.Unfold(ctx)
	require.NoError(t, err)
	require.True(t, unfolded)
	ov, err := tab.Overflow(ctx)
	require.NoError(t, err)
	require.False(t, ov.Overflows(), "%s at %d px with every section unfolded scrolls sideways: %s", path, tour.Phone, strings.Join(ov.Culprits, "; "))
}

// checkTheHanCheckBites puts Chinese on an English page on purpose and expects the
// language check to find it, and to leave alone a name the page marks as Chinese.
func checkTheHanCheckBites(t *testing.T, ctx context.Context, tab *tour.Tab) {
	t.Helper()
	require.NoError(t, tab.Open(ctx, "/", tour.Phone, "en"))
	han, err := tab.HanTexts(ctx)
	require.NoError(t, err)
	require.Empty(t, han, "home in English, before")
	_, err = tour.Evaluate[bool](ctx, tab, `(() => {
		const main = document.querySelector("main");
		const leak = document.createElement("p");
		leak.textContent = "未翻译的文字";
		const marked = document.createElement("span");
		marked.lang = "zh-Hans";
		marked.textContent = "张伟";
		main.append(leak, marked);
		return true;
	})()`)
	require.NoError(t, err)
	han, err = tab.HanTexts(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{"未翻译的文字"}, han, "the untranslated text, not the name marked as Chinese")
}
