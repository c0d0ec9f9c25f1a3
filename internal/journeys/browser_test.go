package journeys_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"accord/internal/demo"
)

// This file holds the browser plumbing every journey shares (starting Chromium, signing
// in, reading pages, screenshots on failure) and is long for that reason: the journeys
// themselves live in their own files.

const (
	// journeyTimeout bounds one journey from the moment its browser is up.
	// A journey takes 5–20 s on a quiet 2-core machine; the bound is generous because
	// `make test` runs every package at once and a loaded machine is many times slower.
	// Only a failing journey ever waits this long.
	journeyTimeout = 120 * time.Second
	// stepTimeout bounds one step (a click, a wait), so a missing element fails
	// sooner and names itself rather than eating the whole journey's time.
	stepTimeout = 30 * time.Second
	// installHint says how to get the browser the journeys drive.
	installHint = "install it with `make browser` (as root: apt-get update && apt-get install -y chromium)"
)

// chromiumPath finds Debian's Chromium: on the PATH, else where the package puts it.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// inCI reports whether the tests run in CI, where a missing browser is a failure.
func inCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "false" && v != "0"
}

// journey starts one journey: Accord on a fresh demo database, and a Chromium whose
// readers prefer acceptLang. Journeys run in parallel.
func journey(t *testing.T, acceptLang string) (*app, *browser) {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if inCI() {
			t.Fatalf("Chromium is not installed, and CI=true: the browser journeys must run in CI; %s", installHint)
		}
		t.Skipf("Chromium is not installed; %s", installHint)
	}
	t.Parallel()
	a := newApp(t)
	return a, newBrowser(t, path, acceptLang, a.url)
}

// browser is one Chromium for one journey. Each user gets a tab in a browser
// context of their own, so their cookies and sessions never mix.
type browser struct {
	t        *testing.T
	root     context.Context
	base     string
	deadline time.Time
}

func newBrowser(t *testing.T, execPath, acceptLang, base string) *browser {
	t.Helper()
	// DefaultExecAllocatorOptions brings headless, no-first-run, disable-sync and
	// disable-background-networking; without a user-data-dir flag chromedp makes a
	// fresh profile directory and removes it when the browser stops.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("accept-lang", acceptLang),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(actx)
	// Both cancels wait for the browser process to end, so no zombie outlives the test.
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	start := time.Now()
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start Chromium (%s): %v", execPath, err)
	}
	up := time.Now()
	t.Logf("Chromium up in %s", up.Sub(start).Round(time.Millisecond))
	t.Cleanup(func() { t.Logf("journey ran %s in the browser", time.Since(up).Round(time.Millisecond)) })
	return &browser{t: t, root: root, base: base, deadline: up.Add(journeyTimeout)}
}

// tab opens a tab for one user, in a browser context of its own. If the journey
// fails, the tab leaves a screenshot and its HTML behind.
func (b *browser) tab(name string) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		b.t.Fatalf("open a tab for %s: %v", name, err)
	}
	tb := &tab{t: b.t, b: b, name: name, ctx: ctx}
	b.t.Cleanup(cancel) // runs after the capture below: cleanups run last-in first-out
	b.t.Cleanup(func() {
		if b.t.Failed() {
			tb.saveArtefacts()
		}
	})
	return tb
}

// tab is one user's browser tab.
type tab struct {
	t    *testing.T
	b    *browser
	name string
	ctx  context.Context
}

// stepCtx bounds one step by the step timeout and the journey's deadline.
func (tb *tab) stepCtx(d time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(d)
	if tb.b.deadline.Before(deadline) {
		deadline = tb.b.deadline
	}
	return context.WithDeadline(tb.ctx, deadline)
}

// do runs browser actions as one step, failing the journey with what was attempted.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx(stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("[%s] %s: %v", tb.name, what, err)
	}
}

// open loads a page of the app and waits for it.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.b.base+path))
	tb.waitFor("the page "+path+" to load", `document.readyState === "complete"`)
}

// login signs in as a demo user through the sign-in form and waits for the home page.
func (tb *tab) login(email string) {
	tb.t.Helper()
	tb.open("/login")
	tb.fill("#email", email)
	tb.fill("#password", demo.Password)
	tb.submit(`form[action="/login"] button[type="submit"]`)
	tb.waitFor("the home page after signing in as "+email,
		`location.pathname === "/" && document.querySelector('[data-testid="greeting"]') !== null`)
}

// click clicks the first visible element matching a CSS selector.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// clickText clicks the first element matching sel whose text contains text: what a
// user does when they pick a choice by its label.
func (tb *tab) clickText(sel, text string) {
	tb.t.Helper()
	tb.clickTextThen(sel, text, tb.click)
}

// submitText is clickText for something that loads a new page.
func (tb *tab) submitText(sel, text string) {
	tb.t.Helper()
	tb.clickTextThen(sel, text, tb.submit)
}

func (tb *tab) clickTextThen(sel, text string, click func(string)) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("%s saying %q", sel, text), fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-journey-click]").forEach(e => e.removeAttribute("data-journey-click"));
		for (const e of document.querySelectorAll(%s)) {
			if (e.textContent.replace(/\s+/g, " ").includes(%s)) {
				e.setAttribute("data-journey-click", "");
				return true;
			}
		}
		return false;
	})()`, jsString(sel), jsString(text)))
	click(`[data-journey-click]`)
}

// submit clicks something that loads a new page (a form's button, a link) and waits
// until the new page has loaded. The old page is marked first, so its leftovers are
// never mistaken for the answer.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	tb.eval(`window.__journeyOldPage = true`)
	tb.click(sel)
	tb.waitFor("a new page after clicking "+sel, `window.__journeyOldPage === undefined && document.readyState === "complete"`)
}

// fill types into a text field or textarea, replacing what it held. The text goes in
// as one insertion, as a keyboard or an input method commits it: the page sees the
// same input events, for a fraction of the round trips of a key at a time.
func (tb *tab) fill(sel, value string) {
	tb.t.Helper()
	tb.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	if !evalIn[bool](tb, "focus and clear "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (e === null) return false;
		e.focus();
		e.value = "";
		return document.activeElement === e;
	})()`, jsString(sel))) {
		tb.t.Fatalf("[%s] cannot type into %s: not there, or it takes no focus", tb.name, sel)
	}
	ctx, cancel := tb.stepCtx(stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: value}); err != nil {
		tb.t.Fatalf("[%s] type %q into %s: %v", tb.name, value, sel, err)
	}
	if got := evalIn[string](tb, "read "+sel, fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel))); got != value {
		tb.t.Fatalf("[%s] typed %q into %s, it holds %q", tb.name, value, sel, got)
	}
}

// setDate sets a date field as a date picker would: to yyyy-mm-dd.
func (tb *tab) setDate(sel, day string) {
	tb.t.Helper()
	ok := evalIn[bool](tb, "set "+sel+" to "+day, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (e === null) return false;
		e.value = %s;
		e.dispatchEvent(new Event("input", {bubbles: true}));
		e.dispatchEvent(new Event("change", {bubbles: true}));
		return e.value === %[2]s;
	})()`, jsString(sel), jsString(day)))
	if !ok {
		tb.t.Fatalf("[%s] could not set the date field %s to %s", tb.name, sel, day)
	}
}

// choose picks the option of a select whose visible label is label.
func (tb *tab) choose(sel, label string) {
	tb.t.Helper()
	tb.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	labels := evalIn[[]string](tb, "choose "+label+" in "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		if (e === null) return [];
		const want = %s;
		const labels = [];
		for (const o of e.options) {
			const text = o.textContent.replace(/\s+/g, " ").trim();
			if (text === want) {
				e.value = o.value;
				e.dispatchEvent(new Event("change", {bubbles: true}));
				return null;
			}
			labels.push(text);
		}
		return labels;
	})()`, jsString(sel), jsString(label)))
	if labels != nil {
		tb.t.Fatalf("[%s] no option %q in %s; it offers %q", tb.name, label, sel, labels)
	}
}

// text is the whitespace-normalised text of the first element matching sel, and
// whether there is one.
func (tb *tab) text(sel string) (string, bool) {
	tb.t.Helper()
	got := evalIn[[]string](tb, "read "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		return e === null ? [] : [e.textContent.replace(/\s+/g, " ").trim()];
	})()`, jsString(sel)))
	if len(got) == 0 {
		return "", false
	}
	return got[0], true
}

// mustText is the text of an element that must be on the page now.
func (tb *tab) mustText(sel string) string {
	tb.t.Helper()
	s, ok := tb.text(sel)
	if !ok {
		tb.t.Fatalf("[%s] nothing matches %s on %s", tb.name, sel, tb.path())
	}
	return s
}

// texts are the normalised texts of every element matching sel.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return evalIn[[]string](tb, "read every "+sel, fmt.Sprintf(
		`Array.from(document.querySelectorAll(%s), e => e.textContent.replace(/\s+/g, " ").trim())`, jsString(sel)))
}

// count is how many elements match sel.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return evalIn[int](tb, "count "+sel, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// attr is an attribute of the first element matching sel ("" when absent).
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	return evalIn[string](tb, "read "+name+" of "+sel, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		return e === null ? "" : (e.getAttribute(%s) || "");
	})()`, jsString(sel), jsString(name)))
}

// path is the current page's path and query.
func (tb *tab) path() string {
	tb.t.Helper()
	loc := evalIn[string](tb, "read the location", `location.href`)
	u, err := url.Parse(loc)
	if err != nil {
		return loc
	}
	return u.RequestURI()
}

// waitText waits until the first element matching sel contains want.
func (tb *tab) waitText(sel, want string) string {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx(stepTimeout)
	defer cancel()
	last, found := "", false
	for {
		if s, ok, err := tb.tryText(ctx, sel); err == nil {
			last, found = s, ok
			if ok && strings.Contains(s, want) {
				return s
			}
		}
		select {
		case <-ctx.Done():
			if !found {
				tb.t.Fatalf("[%s] waited for %q in %s on %s: nothing matches %[3]s", tb.name, want, sel, tb.pathOr("?"))
			}
			tb.t.Fatalf("[%s] waited for %q in %s on %s; it says %q", tb.name, want, sel, tb.pathOr("?"), last)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (tb *tab) tryText(ctx context.Context, sel string) (string, bool, error) {
	ictx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, err := chromedp.Run(ictx, chromedp.Evaluate[[]string](fmt.Sprintf(`(() => {
		const e = document.querySelector(%s);
		return e === null ? [] : [e.textContent.replace(/\s+/g, " ").trim()];
	})()`, jsString(sel))))
	if err != nil || len(got) == 0 {
		return "", false, err
	}
	return got[0], true, nil
}

// waitFor waits until a JavaScript condition holds. Errors while a page is being
// replaced are expected and retried.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx(stepTimeout)
	defer cancel()
	var lastErr error
	for {
		ictx, icancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(ictx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		icancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				tb.t.Fatalf("[%s] waited for %s on %s (last error: %v)", tb.name, what, tb.pathOr("?"), lastErr)
			}
			tb.t.Fatalf("[%s] waited for %s on %s", tb.name, what, tb.pathOr("?"))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitCount waits until exactly n elements match sel.
func (tb *tab) waitCount(sel string, n int) {
	tb.t.Helper()
	tb.waitFor(fmt.Sprintf("%d of %s", n, sel), fmt.Sprintf(`document.querySelectorAll(%s).length === %d`, jsString(sel), n))
}

// eval runs JavaScript for its effect.
func (tb *tab) eval(js string) {
	tb.t.Helper()
	tb.do("run "+js, chromedp.Evaluate[chromedp.Void](js))
}

// evalIn evaluates JavaScript in a tab and decodes its value.
func evalIn[T any](tb *tab, what, js string) T {
	tb.t.Helper()
	ctx, cancel := tb.stepCtx(stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("[%s] %s: %v", tb.name, what, err)
	}
	return v
}

// pathOr is the current path for a failure message, or fallback if the tab cannot say.
func (tb *tab) pathOr(fallback string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		return fallback
	}
	return loc
}

// screenshot saves a full-page PNG of the tab as test-artifacts/<TestName>/<tab>-<label>.png
// and returns its path.
func (tb *tab) screenshot(label string) (string, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", fmt.Errorf("screenshot: %w", err)
	}
	return writeArtefact(tb.t, tb.name+"-"+label+".png", png)
}

// saveArtefacts keeps what a failed journey's tab showed: a full-page screenshot and
// the page's HTML.
func (tb *tab) saveArtefacts() {
	if p, err := tb.screenshot("failure"); err != nil {
		tb.t.Logf("[%s] no screenshot: %v", tb.name, err)
	} else {
		tb.t.Logf("[%s] screenshot of %s: %s", tb.name, tb.pathOr("the page"), p)
	}
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		tb.t.Logf("[%s] no HTML: %v", tb.name, err)
		return
	}
	if p, err := writeArtefact(tb.t, tb.name+"-failure.html", []byte(html)); err != nil {
		tb.t.Logf("[%s] no HTML: %v", tb.name, err)
	} else {
		tb.t.Logf("[%s] page HTML: %s", tb.name, p)
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// writeArtefact writes a file into test-artifacts/<TestName>/ at the repository root.
func writeArtefact(t *testing.T, name string, data []byte) (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "test-artifacts", unsafeName.ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, unsafeName.ReplaceAllString(name, "_"))
	return p, os.WriteFile(p, data, 0o644)
}

// repoRoot is the directory holding go.mod, above the test's working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
