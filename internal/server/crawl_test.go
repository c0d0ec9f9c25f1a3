package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/password"
	"accord/internal/pgtest"
)

// Bounds that keep one role's crawl to well under a second on the demo organisation.
// Every link a page renders is requested; the bounds only limit which of the pages
// reached are read for more links.
const (
	crawlMaxRequests   = 1000 // requests per role, whatever else
	crawlMaxPerPattern = 40   // paths read per pattern (numeric ids collapsed)
	crawlMaxPerShape   = 3    // query strings read per path and query shape (digits collapsed)
	crawlMaxRedirects  = 5
)

// crawlOutsider is the person the crawl creates: a member of a unit with no projects.
const crawlOutsider = "outsider@accord.demo"

// TestLinkCrawlFindsNoDeadEnds signs in as every demo person and as an outsider (a
// member of a unit that has no projects) and, breadth-first from home, follows every
// same-origin link and GET form Accord renders for them, failing on any 401, 403, 404
// or 5xx — and on any redirect to the sign-in page — that such a link leads to. A POST
// form is not submitted; its target must be a route (405 to a GET counts). Downloads
// are fetched once and must answer 200. Every page Accord shows is a promise that
// what it links to opens for the person reading it: a link that does not is either a
// dead end or, worse, a leak of something the reader may not see (a project, request
// or promise named on a page they can open). The crawl guards both for every role at
// once, so a page that starts listing more than its reader may open fails here even
// if no test was written for that page. The demo is first brought to a state where
// every kind of page exists: requests in each answer, a pending and a decided
// escalation, progress, commitments, notifications and history.
func TestLinkCrawlFindsNoDeadEnds(t *testing.T) {
	b := setup(t)
	crawlFixture(t, b)

	emails := []string{crawlOutsider}
	for _, p := range demo.People() {
		emails = append(emails, p.Email)
	}
	for _, email := range emails {
		role := strings.TrimSuffix(email, "@accord.demo")
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			cr := newCrawler(b.login(t, email), role)
			cr.run("/")
			require.Empty(t, cr.queue, "the crawl ended before its queue: raise crawlMaxRequests")
			require.Greater(t, cr.pages, 5, "the crawl read a handful of pages at least")
			for _, f := range cr.failures {
				t.Errorf("%s", f)
			}
			t.Logf("%s: %d requests, %d pages read, %d left unread by the bounds, %d form targets",
				role, cr.requests, cr.pages, cr.unread, len(cr.posts))
			for _, pattern := range crawlMustOpen[role] {
				require.True(t, cr.opened[pattern], "the crawl opened no %s page: a link to it went missing", pattern)
			}
		})
	}
}

// crawlMustOpen are pages each role must reach, so that the crawl cannot pass by
// shrinking: a link lost from the navigation or a list fails here.
var crawlMustOpen = map[string][]string{
	"outsider":   {"/org", "/units/#", "/projects", "/goals/#", "/notifications"},
	"aftersales": {"/projects/#", "/projects/#/tracker", "/projects/#/history", "/projects/#/retro", "/requests/#", "/escalations/#", "/inbox"},
	"ceo":        {"/escalations/#", "/portfolio", "/goals/#/edit"},
	"ops":        {"/escalations/#"},
	"it.dev":     {"/requests/#"},
	"trainer":    {"/requests/#"},
	"admin":      {"/admin/units/#", "/admin/users/#", "/admin/webhooks", "/escalations/#"},
}

// crawlFixture plays the Smart service upgrade and the Inventory car promotion far
// enough that every kind of page has something to show, and adds the outsider.
func crawlFixture(t *testing.T, b *testBundle) {
	t.Helper()
	ctx := context.Background()
	start := b.now.Add(-6 * 24 * time.Hour)
	v := func(email string) accord.Viewer { return b.escViewer(t, email) }
	act := func(email string, r accord.Request, action accord.RequestAction, in accord.RequestInput, at time.Time) accord.Request {
		t.Helper()
		r, err := b.st.ActOnRequest(ctx, v(email), r.ID, r.Version, action, in, at)
		require.NoError(t, err, "%s %s", email, action)
		return r
	}
	day := func(days int) *time.Time { d := b.now.AddDate(0, 0, days); return &d }

	// Smart service upgrade: Training agrees and is at work, Data counters, Marketing
	// agrees, IT declines; the lead escalates to the CEO, who directs IT.
	smart := b.escSendSmart(t, start)
	trainer := b.user(t, "trainer@accord.demo").ID
	training := act("training@accord.demo", smart["Training"], accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &trainer, DueDate: day(20)}, start.Add(time.Hour))
	training = act("trainer@accord.demo", training, accord.ActionStart, accord.RequestInput{}, start.Add(2*time.Hour))
	_, err := b.st.AddProgress(ctx, v("trainer@accord.demo"), training.ID,
		accord.ProgressInput{Body: "课程大纲已完成", NextStep: "排第一期培训", Risk: accord.RiskMedium}, start.Add(3*time.Hour))
	require.NoError(t, err)
	act("data@accord.demo", smart["Data"], accord.ActionCounter,
		accord.RequestInput{CounterScope: "先给近半年的客户数据", CounterDate: day(25)}, start.Add(time.Hour))
	act("marketing@accord.demo", smart["Marketing"], accord.ActionAgree, accord.RequestInput{}, start.Add(time.Hour))
	it := act("it@accord.demo", smart["IT"], accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, start.Add(time.Hour))
	e, err := b.st.Escalate(ctx, v("aftersales@accord.demo"), it.ID, "排期冲突", "", 3, start.Add(2*24*time.Hour))
	require.NoError(t, err)
	_, err = b.st.Decide(ctx, v("ceo@accord.demo"), e.ID, e.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先交付一期", Scope: "一期：客户档案与工单", DueDate: day(30)},
		start.Add(3*24*time.Hour))
	require.NoError(t, err)
	it = b.rqRequest(t, it.ID)
	itDev := b.user(t, "it.dev@accord.demo").ID
	act("it@accord.demo", it, accord.ActionDelegate, accord.RequestInput{KeyPersonUserID: &itDev}, start.Add(4*24*time.Hour))
	smartID := b.demoProject(t, "Smart service upgrade").ID
	_, err = b.st.CreateCommitment(ctx, b.user(t, "aftersales@accord.demo").ID, smartID,
		accord.CommitmentInput{UnitID: it.HolderUnitID, What: "项目周报致谢", Status: accord.CommitmentOpen})
	require.NoError(t, err)

	// Inventory car promotion: every need goes out, Finance agrees, Marketing declines
	// and the lead escalates; the Operations head has not decided yet.
	promo := b.demoProject(t, "Inventory car promotion")
	needs, err := b.st.Needs(ctx, promo.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		if n.HolderUnitID != nil {
			ids = append(ids, n.ID)
		}
	}
	sent, err := b.st.SendNeeds(ctx, promo.LeadUserID, promo.ID, ids, "", start)
	require.NoError(t, err)
	for _, r := range sent {
		switch r.HolderNameEN {
		case "Finance":
			act("finance@accord.demo", r, accord.ActionAgree, accord.RequestInput{}, start.Add(time.Hour))
		case "Marketing":
			r = act("marketing@accord.demo", r, accord.ActionDecline,
				accord.RequestInput{Obstacle: accord.ObstacleRules, Reason: "宣传须经集团审核"}, start.Add(time.Hour))
			_, err := b.st.Escalate(ctx, v("sales@accord.demo"), r.ID, "宣传排期冲突", "", 3, start.Add(24*time.Hour))
			require.NoError(t, err)
		}
	}

	// The outsider: a member, not the head, of a new unit that no project touches.
	hq := b.units(t)["HQ"]
	unit, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: "战略研究室", NameEN: "Strategy studio", ParentID: hq.ID})
	require.NoError(t, err)
	hash, err := password.Hash(demo.Password, pgtest.CheapPasswords())
	require.NoError(t, err)
	outsider, err := b.st.CreateUser(ctx, 0, accord.NewUser{Email: crawlOutsider, Name: "局外人", NameEN: "Outsider"}, hash)
	require.NoError(t, err)
	require.NoError(t, b.st.AddMembership(ctx, 0, outsider.ID, unit.ID))
}

// crawlFailure is one link that did not open for the person it was shown to.
type crawlFailure struct {
	role, page, kind, link string
	status                 int
	note                   string
}

func (f crawlFailure) String() string {
	s := fmt.Sprintf("%s: %s on %s → %s: %d", f.role, f.kind, f.page, f.link, f.status)
	if f.note != "" {
		s += " (" + f.note + ")"
	}
	return s
}

// crawlLink is a target found on a page.
type crawlLink struct {
	page, kind, target string // kind: link, get-form, post-form, download, asset
}

// crawler walks one signed-in person's pages breadth-first.
type crawler struct {
	c        *client
	role     string
	queue    []crawlLink
	seen     map[string]bool            // URLs requested
	read     map[string]map[string]bool // path pattern → paths read for links
	shapes   map[string]int             // path and query shape → query strings read
	posts    map[string]bool            // POST targets checked
	opened   map[string]bool            // path patterns (digits as #) of HTML pages that opened
	requests int
	pages    int // HTML pages read for links
	unread   int // pages requested but, by the bounds, not read
	failures []crawlFailure
}

func newCrawler(c *client, role string) *crawler {
	return &crawler{c: c, role: role, seen: map[string]bool{}, read: map[string]map[string]bool{},
		shapes: map[string]int{}, posts: map[string]bool{}, opened: map[string]bool{}}
}

func (cr *crawler) run(home string) {
	cr.queue = append(cr.queue, crawlLink{page: "(home)", kind: "link", target: home})
	for len(cr.queue) > 0 && cr.requests < crawlMaxRequests {
		l := cr.queue[0]
		cr.queue = cr.queue[1:]
		if l.kind == "post-form" {
			cr.checkPost(l)
			continue
		}
		if check, read := cr.admit(l.target); check {
			cr.visit(l, read)
		}
	}
}

// admit says whether a GET target is new, and whether its page is to be read for
// more links: a path whose pattern or a query whose shape has been read often enough
// is requested but not read, which ends pagination and calendar chains.
func (cr *crawler) admit(target string) (check, read bool) {
	if cr.seen[target] {
		return false, false
	}
	cr.seen[target] = true
	p, query, _ := strings.Cut(target, "?")
	pattern := crawlDigits.ReplaceAllString(p, "#")
	shape := p + "?" + crawlDigits.ReplaceAllString(query, "#")
	if cr.read[pattern] == nil {
		cr.read[pattern] = map[string]bool{}
	}
	if !cr.read[pattern][p] && len(cr.read[pattern]) >= crawlMaxPerPattern || cr.shapes[shape] >= crawlMaxPerShape {
		cr.unread++
		return true, false
	}
	cr.read[pattern][p] = true
	cr.shapes[shape]++
	return true, true
}

var crawlDigits = regexp.MustCompile(`[0-9]+`)

// fail records a failure for the link.
func (cr *crawler) fail(l crawlLink, status int, note string) {
	cr.failures = append(cr.failures, crawlFailure{role: cr.role, page: l.page, kind: l.kind, link: l.target, status: status, note: note})
}

// visit requests a GET target, following redirects, and queues what an HTML page links to.
func (cr *crawler) visit(l crawlLink, read bool) {
	target := l.target
	var resp response
	for hops := 0; ; hops++ {
		cr.requests++
		resp = cr.c.get(target)
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			break
		}
		loc := resp.Header.Get("Location")
		if loc == "/login" || strings.HasPrefix(loc, "/login?") {
			cr.fail(l, resp.StatusCode, "sent to sign in from "+target)
			return
		}
		next, ok := crawlResolve(target, loc)
		if !ok || hops == crawlMaxRedirects {
			cr.fail(l, resp.StatusCode, "redirect to "+loc)
			return
		}
		target = next
		cr.seen[target] = true
	}
	if resp.StatusCode != http.StatusOK {
		note := ""
		if target != l.target {
			note = "after redirect to " + target
		}
		cr.fail(l, resp.StatusCode, note)
		return
	}
	if l.kind != "link" && l.kind != "get-form" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		return
	}
	p, _, _ := strings.Cut(target, "?")
	cr.opened[crawlDigits.ReplaceAllString(p, "#")] = true
	if !read {
		return
	}
	cr.pages++
	cr.collect(target, resp.doc)
}

// checkPost checks that a POST form's target is a route: a GET to it answers 405
// (POST only) or the page behind it, never 404 or a denial.
func (cr *crawler) checkPost(l crawlLink) {
	if cr.posts[l.target] {
		return
	}
	cr.posts[l.target] = true
	cr.requests++
	resp := cr.c.get(l.target)
	switch {
	case resp.StatusCode == http.StatusMethodNotAllowed, resp.StatusCode < 300:
	case resp.StatusCode < 400 && !strings.HasPrefix(resp.Header.Get("Location"), "/login"):
	default:
		cr.fail(l, resp.StatusCode, "")
	}
}

// collect queues every same-origin link and form target on a page, in document order.
func (cr *crawler) collect(page string, doc *goquery.Document) {
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		target, ok := crawlResolve(page, a.AttrOr("href", ""))
		if !ok {
			return
		}
		kind := "link"
		if crawlIsDownload(target) || a.Is("[download]") {
			kind = "download"
		}
		cr.queue = append(cr.queue, crawlLink{page: page, kind: kind, target: target})
	})
	doc.Find("link[href], script[src], img[src]").Each(func(_ int, a *goquery.Selection) {
		target, ok := crawlResolve(page, a.AttrOr("href", a.AttrOr("src", "")))
		if ok {
			cr.queue = append(cr.queue, crawlLink{page: page, kind: "asset", target: target})
		}
	})
	doc.Find("form").Each(func(_ int, f *goquery.Selection) {
		action := f.AttrOr("action", "")
		if action == "" {
			action = page
		}
		target, ok := crawlResolve(page, action)
		if !ok || strings.HasPrefix(target, "/logout") {
			return
		}
		if !strings.EqualFold(f.AttrOr("method", "get"), "get") {
			cr.queue = append(cr.queue, crawlLink{page: page, kind: "post-form", target: strings.SplitN(target, "?", 2)[0]})
			return
		}
		// A GET form is sent as it stands: its fields with their current values.
		p, _, _ := strings.Cut(target, "?")
		if q := crawlFormValues(f).Encode(); q != "" {
			p += "?" + q
		}
		cr.queue = append(cr.queue, crawlLink{page: page, kind: "get-form", target: p})
	})
}

// crawlFormValues are what a browser sends for a form left as rendered.
func crawlFormValues(f *goquery.Selection) url.Values {
	v := url.Values{}
	f.Find("input[name], select[name], textarea[name]").Each(func(_ int, s *goquery.Selection) {
		name := s.AttrOr("name", "")
		switch {
		case s.Is("select"):
			opt := s.Find("option[selected]").First()
			if opt.Length() == 0 {
				opt = s.Find("option").First()
			}
			if opt.Length() > 0 {
				v.Add(name, opt.AttrOr("value", strings.TrimSpace(opt.Text())))
			}
		case s.Is("textarea"):
			v.Add(name, s.Text())
		case s.Is(`[type="checkbox"], [type="radio"]`):
			if _, checked := s.Attr("checked"); checked {
				v.Add(name, s.AttrOr("value", "on"))
			}
		case s.Is(`[type="submit"], [type="button"], [type="file"]`):
		default:
			v.Add(name, s.AttrOr("value", ""))
		}
	})
	return v
}

// crawlResolve turns an href into a same-origin path and query, without the fragment;
// it refuses other origins, fragment-only links and non-HTTP schemes.
func crawlResolve(page, href string) (string, bool) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return "", false
	}
	base, err := url.Parse(page)
	if err != nil {
		return "", false
	}
	u, err := base.Parse(href)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "", false
	}
	u.Fragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	u.Path = path.Clean(u.Path)
	return u.RequestURI(), true
}

func crawlIsDownload(target string) bool {
	p, _, _ := strings.Cut(target, "?")
	for _, ext := range []string{".xlsx", ".csv", ".pdf", ".zip"} {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

// TestLinkCrawlerReportsEveryKindOfDeadEnd runs the crawler on a small site of its
// own, so that a crawl that passes is known to have been able to fail.
func TestLinkCrawlerReportsEveryKindOfDeadEnd(t *testing.T) {
	t.Parallel()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><html><body>"+body+"</body></html>")
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", page(`<a href="/fine#top">fine</a> <a href="#top">top</a> <a href="https://example.com/">away</a>
		<a href="/gone">gone</a> <a href="/secret">secret</a> <a href="/broken">broken</a> <a href="/moved">moved</a>
		<a href="/report.xlsx">report</a> <a href="/old.csv">old</a> <img src="/static/missing.png">
		<form method="post" action="/save"></form> <form method="post" action="/nowhere"></form>
		<form method="post" action="/logout"></form>
		<form method="get" action="/search"><input name="q" value="x"><input type="checkbox" name="all" value="1"></form>`))
	mux.HandleFunc("GET /fine", page(`<a href="/">home</a> <a href="/list?page=1">1</a>`))
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) { // pages without end
		n, _ := strconv.Atoi(r.URL.Query().Get("page"))
		page(fmt.Sprintf(`<a href="/list?page=%d">next</a>`, n+1))(w, r)
	})
	mux.HandleFunc("GET /secret", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) })
	mux.HandleFunc("GET /moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/login?next=/moved", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /report.xlsx", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "PK") })
	mux.HandleFunc("POST /save", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "q=x" {
			http.NotFound(w, r)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &client{t: t, base: srv.URL, http: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}

	cr := newCrawler(c, "tester")
	cr.run("/")
	var got []string
	for _, f := range cr.failures {
		got = append(got, f.String())
	}
	require.ElementsMatch(t, []string{
		"tester: link on / → /gone: 404",
		"tester: link on / → /secret: 403",
		"tester: link on / → /broken: 500",
		"tester: link on / → /moved: 303 (sent to sign in from /moved)",
		"tester: download on / → /old.csv: 404",
		"tester: asset on / → /static/missing.png: 404",
		"tester: post-form on / → /nowhere: 404",
	}, got)
	require.True(t, cr.seen["/search?q=x"], "a GET form is sent with its fields as rendered")
	require.True(t, cr.seen["/fine"], "the fragment is dropped")
	require.False(t, cr.seen["/logout"], "signing out is never followed")
	require.True(t, cr.seen["/list?page=4"], "a link is checked even where the bounds stop reading")
	require.False(t, cr.seen["/list?page=5"], "pages of one shape are read three times, not without end")
}
