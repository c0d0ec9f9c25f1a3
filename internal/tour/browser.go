package tour

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The two widths every key page is looked at.
const (
	Laptop = 1366
	Phone  = 390
)

// AcceptLanguage is what a browser preferring each of Accord's languages sends.
var AcceptLanguage = map[string]string{"en": "en-US,en;q=0.9", "zh": "zh-CN,zh;q=0.9"}

// ChromiumPath finds Debian's Chromium: on the PATH, else where the package puts it;
// "" when there is none.
func ChromiumPath() string {
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

// Browser is one headless Chromium; each Tab in it keeps its own cookies.
type Browser struct {
	ctx    context.Context
	cancel func()
}

// StartBrowser starts Chromium. Close it, or its processes outlive the caller.
func StartBrowser(execPath string) (*Browser, error) {
	// DefaultExecAllocatorOptions brings headless, no-first-run, disable-sync,
	// disable-background-networking and hidden scrollbars.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &Browser{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}
	if err := chromedp.Do(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("tour: start Chromium (%s): %w", execPath, err)
	}
	return b, nil
}

// Close stops Chromium and waits for its processes.
func (b *Browser) Close() { b.cancel() }

// Tab is one signed-in person's tab, in a browser context of its own.
type Tab struct {
	ctx    context.Context
	cancel context.CancelFunc
	base   string
}

// Tab opens a tab holding the session's cookies.
func (b *Browser) Tab(s Session) (*Tab, error) {
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t := &Tab{ctx: ctx, cancel: cancel, base: s.Base.String()}
	var cookies []*network.CookieParam
	for _, c := range s.Cookies {
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: s.Base.String(), HTTPOnly: true})
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		cancel()
		return nil, fmt.Errorf("tour: open a tab: %w", err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
		cancel()
		return nil, fmt.Errorf("tour: sign the tab in: %w", err)
	}
	return t, nil
}

// Close closes the tab.
func (t *Tab) Close() { t.cancel() }

// Open shows a page at a width, in a language, and waits until it has loaded.
func (t *Tab) Open(ctx context.Context, path string, width int, lang string) error {
	ctx, cancel := t.bound(ctx, 30*time.Second)
	defer cancel()
	headers := network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": AcceptLanguage[lang]}}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, headers); err != nil {
		return fmt.Errorf("open %s in %s: %w", path, lang, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(t.base+path)); err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	return nil
}

// OpenMenu opens the top bar's menu, as a tap on its button does.
func (t *Tab) OpenMenu(ctx context.Context) error {
	ctx, cancel := t.bound(ctx, 10*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const m = document.querySelector('details.menu');
		if (m) m.open = true;
		return !!m;
	})()`))
	return err
}

// Unfold opens every folded section of the page (the workbook's on a phone), as
// tapping each does, and reports whether there was any.
func (t *Tab) Unfold(ctx context.Context) (bool, error) {
	return Evaluate[bool](ctx, t, `(() => {
		const folds = document.querySelectorAll("details.wb-fold");
		folds.forEach(d => d.open = true);
		return folds.length > 0;
	})()`)
}

// Screenshot is a PNG of the whole page.
func (t *Tab) Screenshot(ctx context.Context) ([]byte, error) {
	ctx, cancel := t.bound(ctx, 30*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.FullScreenshot(100))
}

// Overflow is what sticks out past the right edge of the window.
type Overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
	Culprits    []string `json:"culprits"` // the outermost elements that stick out, described
}

// Overflows reports whether the page scrolls sideways.
func (o Overflow) Overflows() bool { return o.ScrollWidth > o.ClientWidth }

// overflowJS measures the page and names the outermost elements reaching past the
// window's right edge that no scrolling box of their own contains.
const overflowJS = `(() => {
	const de = document.documentElement, width = de.clientWidth;
	const out = {scrollWidth: de.scrollWidth, clientWidth: width, culprits: []};
	if (de.scrollWidth <= width) return out;
	const clips = e => { const o = getComputedStyle(e).overflowX; return o !== "visible"; };
	const sticksOut = e => e.getBoundingClientRect().right > width + 0.5;
	const describe = e => {
		let d = e.tagName.toLowerCase();
		if (e.id) d += "#" + e.id;
		if (typeof e.className === "string" && e.className.trim()) d += "." + e.className.trim().split(/\s+/).join(".");
		const testid = e.closest("[data-testid]");
		if (testid) d += " in [data-testid=" + testid.dataset.testid + "]";
		const text = (e.textContent || "").replace(/\s+/g, " ").trim().slice(0, 60);
		return d + " (right edge " + Math.round(e.getBoundingClientRect().right) + " px" + (text ? ": \"" + text + "\"" : "") + ")";
	};
	for (const e of document.body.querySelectorAll("*")) {
		if (!sticksOut(e) || !e.checkVisibility()) continue; // a closed menu's links are not on screen
		let contained = false, outermost = true;
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			if (clips(p)) { contained = true; break; }
			if (sticksOut(p)) outermost = false;
		}
		if (!contained && outermost) out.culprits.push(describe(e));
		if (out.culprits.length >= 5) break;
	}
	return out;
})()`

// Overflow measures the page as it is now.
func (t *Tab) Overflow(ctx context.Context) (Overflow, error) {
	ctx, cancel := t.bound(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[Overflow](overflowJS))
}

// hanJS lists the visible texts holding Han characters, leaving out what
// internal/server's TestEnglishPagesHaveNoChinese leaves out: the language switch
// (which names 中文 on purpose), text the page marks as Chinese (lang="zh…": a
// Chinese name labelled so), text a form holds for editing (as stored), and the
// Chinese app name a chat bot's keyword needs.
const hanJS = `(() => {
	const out = [];
	const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n = walk.nextNode(); n; n = walk.nextNode()) {
		const e = n.parentElement;
		if (!e || e.closest('.lang-switch, script, style, template, textarea, [hidden], [lang^="zh"]')) continue;
		if (!/\p{Script=Han}/u.test(n.data.replaceAll("“协同”", ""))) continue;
		let text = n.data.replace(/\s+/g, " ").trim();
		if (text.length > 40) text = text.slice(0, 40) + "…";
		if (!out.includes(text)) out.push(text);
	}
	return out;
})()`

// HanTexts lists the texts on the page written in Han characters, outside the
// language switch: in an English page each is a place Chinese shows through.
func (t *Tab) HanTexts(ctx context.Context) ([]string, error) {
	ctx, cancel := t.bound(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[[]string](hanJS))
}

// bound gives a step of the tab a deadline, also ending with ctx.
func (t *Tab) bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	step, cancel := context.WithTimeout(t.ctx, d)
	stop := context.AfterFunc(ctx, cancel)
	return step, func() { stop(); cancel() }
}

// Evaluate runs JavaScript in a tab's page and decodes its value.
func Evaluate[T any](ctx context.Context, t *Tab, js string) (T, error) {
	ctx, cancel := t.bound(ctx, 10*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](js))
}

// WrappedDates lists the dates (<time> elements) on the page that break over two lines.
func (t *Tab) WrappedDates(ctx context.Context) ([]string, error) {
	return Evaluate[[]string](ctx, t, `Array.from(document.querySelectorAll("time"))
		.filter(e => e.checkVisibility() && e.getClientRects().length > 1)
		.map(e => e.textContent.trim())`)
}
