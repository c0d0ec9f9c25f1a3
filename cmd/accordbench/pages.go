package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/demo"
	"accord/internal/server"
	"accord/internal/store"
	"accord/web/i18n"
)

// pageSpec is one key page of the issue's list.
type pageSpec struct {
	Key   string
	Name  string
	Route string // chi pattern that must exist for the page to count as built
}

var keyPages = []pageSpec{
	// The cheapest page that still loads the session and the viewer: the stand-in
	// settings, one short query of its own. What every signed-in request costs.
	{"floor", "Signed-in floor", "/settings/away"},
	{"workbook", "Workbook", "/projects/{id}"},
	// The same pages under a query no request repeats ("rendered afresh"), so they are
	// never served as kept (the server keeps rendered pages while nothing they show
	// changes): what a view costs after every write.
	{"workbook-afresh", "Workbook, rendered afresh", "/projects/{id}"},
	{"tracker", "Tracker", "/projects/{id}/tracker"},
	{"tracker-afresh", "Tracker, rendered afresh", "/projects/{id}/tracker"},
	{"inbox", "Inbox", "/inbox"},
	{"inbox-afresh", "Inbox, rendered afresh", "/inbox"},
	{"escalations", "Escalation queue", "/escalations"},
	{"escalations-afresh", "Escalation queue, rendered afresh", "/escalations"},
	{"portfolio", "Portfolio", "/portfolio"},
	{"portfolio-afresh", "Portfolio, rendered afresh", "/portfolio"},
	{"api", "API list", ""}, // found among the /api/ routes, if any
	{"search", "Search", "/search"},
	{"search-afresh", "Search, run afresh", "/search"},
	{"search-common", "Search, common word", "/search"},
	{"search-char-afresh", "Search, one character, run afresh", "/search"},
	{"department", "Department page", "/units/{id}"},
	{"department-afresh", "Department page, rendered afresh", "/units/{id}"},
	{"escalation", "Escalation page", "/escalations/{id}"},
	{"escalation-afresh", "Escalation page, rendered afresh", "/escalations/{id}"},
	{"home-exec", "Home of an executive", "/"},
	{"home-exec-afresh", "Home of an executive, rendered afresh", "/"},
	// The kept pages again, while a writer changes what each shows (writesPerSecond):
	// views served as kept, waiting for a drawing or drawn afresh, in the mix a busy
	// organisation makes.
	{"workbook-writes", "Workbook, under writes", "/projects/{id}"},
	{"tracker-writes", "Tracker, under writes", "/projects/{id}/tracker"},
	{"inbox-writes", "Inbox, under writes", "/inbox"},
	{"escalations-writes", "Escalation queue, under writes", "/escalations"},
	{"portfolio-writes", "Portfolio, under writes", "/portfolio"},
	{"search-writes", "Search, under writes", "/search"},
	{"department-writes", "Department page, under writes", "/units/{id}"},
	{"escalation-writes", "Escalation page, under writes", "/escalations/{id}"},
	{"home-exec-writes", "Home of an executive, under writes", "/"},
	// Many people at once, each viewing their own pages, while their own writes come
	// in: what a busy hour asks of one server.
	{"mix", "A working mix, under writes", "/inbox"},
}

// The words search is measured with: one in an eighth of the seeded comments (a
// specific word, as people mostly search), one in every seeded need's title (the
// worst a two-character Chinese word can do), and its first character alone (which
// no index narrows: it searches projects, units and people only).
const (
	searchWord       = "排期"
	searchCommonWord = "资源"
	searchCharacter  = "资"
)

// freshQuery in a page's address is replaced, on every request, by a value no other
// request sends.
const freshQuery = "{fresh}"

// apiListRoutes are the paths an API list would take, in order of preference.
var apiListRoutes = []string{"/api/v1/projects", "/api/projects", "/api/v1/requests", "/api/requests"}

// target is what one page is loaded as in one database: the path and who asks.
type target struct {
	Path  string
	Email string
	API   bool   // authenticated with a personal API token rather than a session
	Who   string // who is signed in, in words
	Data  string // how much data the page covers, in words
	// Writes, when set, is what a writer changes while the page is loaded.
	Writes *writePlan
	// Mix, when set, is a working mix: under load, client i is Mix[i % len(Mix)],
	// viewing its own pages in turn (Path is then the first, for the queries counted
	// and the time alone).
	Mix []mixClient
}

// mixClient is one person of a working mix and the pages they view in turn.
type mixClient struct {
	Email string
	Paths []string
}

// writePlan is what a writer changes while a page is loaded: progress entries (or,
// for search, comments holding the word searched for) on open requests the page
// shows, in turn, by people allowed to write them, each in a session of their own.
type writePlan struct {
	By []writeBy // taking turns
	// CommentEvery makes every CommentEvery-th write a comment on the request's
	// conversation instead of a progress entry (1: all of them; 0: none).
	CommentEvery int
	// RiskTurns reports progress at high risk on a writer's first pass over their
	// requests, at low risk on the next, and so on: each entry changes its project's
	// signals (its requests at high risk). Otherwise every entry is at low risk.
	RiskTurns bool
	What      string // in words
}

// writeBy is one writer of a plan: who, and the requests they write to in turn.
type writeBy struct {
	Email    string
	Requests []int64
}

// credential is a session cookie or an API token.
type credential struct {
	Cookie   *http.Cookie
	Bearer   string
	Encoding string // Accept-Encoding, when set: the client then reads the body as sent
}

// credentials signs in once per user and kind, so clients of one user share a session.
type credentials struct {
	bin, dbURL, base string
	client           *http.Client
	have             map[string]credential
}

// session is the credential a user signed in with (of, without an API token).
func (c *credentials) session(email string) credential { return c.have[fmt.Sprint(email, false)] }

func (c *credentials) of(ctx context.Context, t target) (credential, error) {
	key := fmt.Sprint(t.Email, t.API)
	if cred, ok := c.have[key]; ok {
		return cred, nil
	}
	var cred credential
	var err error
	if t.API {
		cred.Bearer, err = issueToken(ctx, c.bin, c.dbURL, t.Email)
	} else {
		cred.Cookie, err = signIn(ctx, c.client, c.base, t.Email)
	}
	if err != nil {
		return credential{}, err
	}
	if c.have == nil {
		c.have = map[string]credential{}
	}
	c.have[key] = cred
	return cred, nil
}

// issueToken asks the binary for a personal API token: `accord token create`.
func issueToken(ctx context.Context, bin, dbURL, email string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "token", "create", "--email", email, "--name", "accordbench")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("accord token create --email %s: %w\n%s", email, err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// pageResult gathers everything measured for one page.
type pageResult struct {
	Spec    pageSpec
	Built   bool
	Route   string // the route used when built
	Targets map[string]target
	Queries map[string]int // statements per request, by size
	Bytes   map[string]int
	Status  map[string]int
	Slowest map[string]*statement    // the slowest statement of the counted request, by size
	Alone   map[string]time.Duration // the median time of aloneSamples requests sent alone, after the counted one
	Load    *loadResult
}

// routesOf lists the GET routes the server has.
func routesOf(srv *server.Server) (map[string]bool, error) {
	routes := map[string]bool{}
	err := chi.Walk(srv.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet {
			if route != "/" {
				route = strings.TrimSuffix(route, "/")
			}
			routes[route] = true
		}
		return nil
	})
	return routes, err
}

// resolveTargets picks, in one database, the big project, the head with the longest
// inbox and the root's head, and who is signed in for each page.
func resolveTargets(ctx context.Context, pool *pgxpool.Pool, apiRoute string) (map[string]target, error) {
	var project, needs, holders, requests int64
	var lead, leadName string
	err := pool.QueryRow(ctx, `SELECT d.project_id, count(*), count(DISTINCT d.holder_unit_id),
			(SELECT count(*) FROM requests r WHERE r.project_id = d.project_id AND r.state <> 'cancelled'),
			u.email, u.name_en
		FROM needs d JOIN projects p ON p.id = d.project_id JOIN users u ON u.id = p.lead_user_id
		GROUP BY d.project_id, u.email, u.name_en ORDER BY count(*) DESC, d.project_id LIMIT 1`).
		Scan(&project, &needs, &holders, &requests, &lead, &leadName)
	if err != nil {
		return nil, fmt.Errorf("find the biggest project: %w", err)
	}
	var head, headName string
	var queue int64
	err = pool.QueryRow(ctx, `SELECT u.email, u.name_en, count(*) FROM requests r JOIN units h ON h.id = r.holder_unit_id
			JOIN users u ON u.id = h.head_user_id
		WHERE r.state IN ('requested', 'agreed', 'countered', 'in_progress')
		GROUP BY u.email, u.name_en ORDER BY count(*) DESC, u.email LIMIT 1`).Scan(&head, &headName, &queue)
	if err != nil {
		return nil, fmt.Errorf("find the longest inbox: %w", err)
	}
	var root, rootName string
	var escalations int64
	err = pool.QueryRow(ctx, `SELECT u.email, u.name_en,
			(SELECT count(*) FROM escalations e WHERE e.assigned_user_id = u.id AND e.status = 'open')
		FROM units n JOIN users u ON u.id = n.head_user_id WHERE n.parent_id IS NULL`).Scan(&root, &rootName, &escalations)
	if err != nil {
		return nil, fmt.Errorf("find the root's head: %w", err)
	}
	var projects, needsTotal int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM needs)`).Scan(&projects, &needsTotal); err != nil {
		return nil, err
	}
	projectPath := fmt.Sprintf("/projects/%d", project)
	t := map[string]target{
		"workbook": {Path: projectPath, Email: lead, Who: "the project's lead (" + leadName + ")",
			Data: fmt.Sprintf("project %d: %d needs held by %d units", project, needs, holders)},
		"workbook-afresh": {Path: projectPath + "?afresh=" + freshQuery, Email: lead, Who: "the project's lead (" + leadName + ")",
			Data: fmt.Sprintf("project %d: %d needs held by %d units; a new query on every request", project, needs, holders)},
		"tracker": {Path: projectPath + "/tracker", Email: lead, Who: "the project's lead (" + leadName + ")",
			Data: fmt.Sprintf("project %d: %d requests", project, requests)},
		"tracker-afresh": {Path: projectPath + "/tracker?afresh=" + freshQuery, Email: lead, Who: "the project's lead (" + leadName + ")",
			Data: fmt.Sprintf("project %d: %d requests; a new query on every request", project, requests)},
		"inbox": {Path: "/inbox", Email: head, Who: "the head with the longest queue (" + headName + ")",
			Data: fmt.Sprintf("%d open requests in the queue", queue)},
		"inbox-afresh": {Path: "/inbox?afresh=" + freshQuery, Email: head, Who: "the head with the longest queue (" + headName + ")",
			Data: fmt.Sprintf("%d open requests in the queue; a new query on every request", queue)},
		"escalations": {Path: "/escalations", Email: root, Who: "the root unit's head (" + rootName + ")",
			Data: fmt.Sprintf("%d open escalations assigned", escalations)},
		"escalations-afresh": {Path: "/escalations?afresh=" + freshQuery, Email: root, Who: "the root unit's head (" + rootName + ")",
			Data: fmt.Sprintf("%d open escalations assigned; a new query on every request", escalations)},
		"portfolio": {Path: "/portfolio", Email: root, Who: "the root unit's head (" + rootName + ")",
			Data: fmt.Sprintf("%d projects in the organisation", projects)},
		"portfolio-afresh": {Path: "/portfolio?afresh=" + freshQuery, Email: root, Who: "the root unit's head (" + rootName + ")",
			Data: fmt.Sprintf("%d projects in the organisation; a new query on every request", projects)},
	}
	var comments int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM comments`).Scan(&comments); err != nil {
		return nil, err
	}
	t["search"] = target{Path: "/search?q=" + url.QueryEscape(searchWord), Email: head,
		Who:  "the head with the longest queue (" + headName + ")",
		Data: fmt.Sprintf("“%s”, in about one of the %d comments in eight", searchWord, comments)}
	t["search-afresh"] = target{Path: "/search?q=" + url.QueryEscape(searchWord) + "&afresh=" + freshQuery, Email: head,
		Who:  "the head with the longest queue (" + headName + ")",
		Data: fmt.Sprintf("“%s”, in about one of the %d comments in eight; a new query on every request", searchWord, comments)}
	t["search-common"] = target{Path: "/search?q=" + url.QueryEscape(searchCommonWord), Email: head,
		Who:  "the head with the longest queue (" + headName + ")",
		Data: fmt.Sprintf("“%s”, in every one of the %d needs' titles", searchCommonWord, needsTotal)}
	t["search-char-afresh"] = target{Path: "/search?q=" + url.QueryEscape(searchCharacter) + "&afresh=" + freshQuery, Email: head,
		Who: "the head with the longest queue (" + headName + ")",
		Data: fmt.Sprintf("“%s”, in every one of the %d needs' titles, which one character does not search; "+
			"a new query on every request", searchCharacter, needsTotal)}
	t["floor"] = target{Path: "/settings/away", Email: head, Who: "the head with the longest queue (" + headName + ")",
		Data: "the viewer's stand-in arrangements (none)"}
	t["home-exec"] = target{Path: "/", Email: root, Who: "the root unit's head (" + rootName + ")",
		Data: fmt.Sprintf("the agenda and projects led; %d open escalations assigned", escalations)}
	t["home-exec-afresh"] = target{Path: "/?afresh=" + freshQuery, Email: root, Who: "the root unit's head (" + rootName + ")",
		Data: fmt.Sprintf("the agenda and projects led; %d open escalations assigned; a new query on every request", escalations)}
	// The department page of the unit with the longest queue, as its head.
	var unit, members int64
	var unitName string
	err = pool.QueryRow(ctx, `SELECT h.id, h.name_en, (SELECT count(*) FROM memberships m WHERE m.unit_id = h.id)
		FROM units h JOIN users u ON u.id = h.head_user_id WHERE u.email = $1 ORDER BY h.id LIMIT 1`, head).Scan(&unit, &unitName, &members)
	if err != nil {
		return nil, fmt.Errorf("find the longest queue's unit: %w", err)
	}
	t["department"] = target{Path: fmt.Sprintf("/units/%d", unit), Email: head,
		Who:  "its head (" + headName + ")",
		Data: fmt.Sprintf("unit %s: %d members; its head has %d open requests in the queue", unitName, members, queue)}
	t["department-afresh"] = target{Path: fmt.Sprintf("/units/%d?afresh=%s", unit, freshQuery), Email: head,
		Who: "its head (" + headName + ")",
		Data: fmt.Sprintf("unit %s: %d members; its head has %d open requests in the queue; a new query on every request",
			unitName, members, queue)}
	// One escalation's page as the superior it is assigned to: the open one on the
	// project with the most requests.
	var esc, escRequests int64
	var superior, superiorName string
	err = pool.QueryRow(ctx, `SELECT e.id, u.email, u.name_en,
			(SELECT count(*) FROM requests r WHERE r.project_id = e.project_id)
		FROM escalations e JOIN users u ON u.id = e.assigned_user_id
		ORDER BY e.status = 'open' DESC, 4 DESC, e.id LIMIT 1`).Scan(&esc, &superior, &superiorName, &escRequests)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// No escalation to show: the page is not measured at this size.
	case err != nil:
		return nil, fmt.Errorf("find an escalation: %w", err)
	default:
		t["escalation"] = target{Path: fmt.Sprintf("/escalations/%d", esc), Email: superior,
			Who:  "the superior it is assigned to (" + superiorName + ")",
			Data: fmt.Sprintf("escalation %d, on a project of %d requests", esc, escRequests)}
		t["escalation-afresh"] = target{Path: fmt.Sprintf("/escalations/%d?afresh=%s", esc, freshQuery), Email: superior,
			Who:  "the superior it is assigned to (" + superiorName + ")",
			Data: fmt.Sprintf("escalation %d, on a project of %d requests; a new query on every request", esc, escRequests)}
	}
	if err := addWriteTargets(ctx, pool, t, project, lead, head, esc); err != nil {
		return nil, err
	}
	if mix, err := workingMix(ctx, pool); err != nil {
		return nil, err
	} else if len(mix.Mix) > 0 {
		t["mix"] = mix
	}
	if apiRoute != "" {
		t["api"] = target{Path: apiRoute, Email: root, API: true, Who: "the root unit's head (" + rootName + "), API token",
			Data: fmt.Sprintf("%d projects in the organisation, first page", projects)}
	}
	return t, nil
}

// countQueries builds the server in-process on each database with a tracer that
// counts statements, signs in, and requests each built page twice, counting the
// second (warm) request.
func countQueries(ctx context.Context, bin string, sizes []string, dbs map[string]string) ([]*pageResult, error) {
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	var pages []*pageResult
	for _, spec := range keyPages {
		pages = append(pages, &pageResult{Spec: spec, Targets: map[string]target{}, Queries: map[string]int{},
			Bytes: map[string]int{}, Status: map[string]int{}, Slowest: map[string]*statement{}, Alone: map[string]time.Duration{}})
	}
	for _, size := range sizes {
		tr := &tracer{}
		pool, err := store.Open(ctx, dbs[size], tr)
		if err != nil {
			return nil, err
		}
		srv := server.New(store.New(pool), bundle, logger, server.Options{})
		routes, err := routesOf(srv)
		if err != nil {
			pool.Close()
			return nil, err
		}
		apiRoute := ""
		for _, r := range apiListRoutes {
			if routes[r] {
				apiRoute = r
				break
			}
		}
		targets, err := resolveTargets(ctx, pool, apiRoute)
		if err != nil {
			pool.Close()
			return nil, err
		}
		ts := httptest.NewServer(srv.Handler())
		client := newHTTPClient(4)
		creds := &credentials{bin: bin, dbURL: dbs[size], base: ts.URL, client: client}
		for _, p := range pages {
			switch {
			case p.Spec.Key == "api":
				p.Built, p.Route = apiRoute != "", apiRoute
			default:
				p.Built, p.Route = routes[p.Spec.Route], p.Spec.Route
			}
			if !p.Built {
				continue
			}
			t, ok := targets[p.Spec.Key]
			if !ok {
				continue
			}
			p.Targets[size] = t
			if t.Writes != nil {
				// Its statements, size and time alone are its page's, measured on that
				// page's own row (a mix's pages all are).
				continue
			}
			c, err := creds.of(ctx, t)
			if err != nil {
				ts.Close()
				pool.Close()
				return nil, err
			}
			// A first request warms the pool's connections, the second is counted, and
			// the median of aloneSamples more is the time alone: one sample swung by a
			// connection's first use of a statement (prepared on first use) said little.
			var status, n int
			var took []time.Duration
			for i := range 2 + aloneSamples {
				tr.begin(i == 1)
				start := time.Now()
				status, n, err = get(ctx, client, ts.URL+t.Path, c)
				if i >= 2 {
					took = append(took, time.Since(start))
				}
				var stmts []*statement
				if q, s := tr.end(); i == 1 {
					p.Queries[size], stmts = q, s
				}
				for _, s := range stmts {
					if p.Slowest[size] == nil || s.Duration > p.Slowest[size].Duration {
						p.Slowest[size] = s
					}
				}
				if err != nil {
					ts.Close()
					pool.Close()
					return nil, fmt.Errorf("%s at %s: %w", t.Path, size, err)
				}
			}
			slices.Sort(took)
			p.Alone[size] = took[len(took)/2]
			p.Status[size], p.Bytes[size] = status, n
		}
		ts.Close()
		srv.Close()
		pool.Close()
	}
	return pages, nil
}

// clientTimeout is how long a client waits for a page before giving up.
const clientTimeout = 30 * time.Second

// newHTTPClient keeps up to conns connections open and never follows redirects: a
// redirect to the sign-in page is an error, not a page.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Timeout: clientTimeout,
	}
}

// signIn posts the demo password and returns the session cookie.
func signIn(ctx context.Context, client *http.Client, base, email string) (*http.Cookie, error) {
	form := url.Values{"email": {email}, "password": {demo.Password}, "next": {"/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", email, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign in as %s: %s", email, resp.Status)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "accord_session" {
			return c, nil
		}
	}
	return nil, errors.New("sign in as " + email + ": no session cookie")
}

// get requests a page and reads it whole.
func get(ctx context.Context, client *http.Client, u string, c credential) (status, size int, err error) {
	u = strings.ReplaceAll(u, freshQuery, strconv.FormatUint(rand.Uint64(), 36))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	if c.Cookie != nil {
		req.AddCookie(c.Cookie)
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	if c.Encoding != "" {
		req.Header.Set("Accept-Encoding", c.Encoding)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), err
}

// openRequestState is the states in which a request takes progress entries.
const openRequestState = `state IN ('requested', 'agreed', 'countered', 'in_progress')`

// addWriteTargets adds the "under writes" targets: each kept page's own, with the
// writes that change it. esc is the escalation measured (0 for none).
func addWriteTargets(ctx context.Context, pool *pgxpool.Pool, t map[string]target, project int64, lead, head string, esc int64) error {
	ids := func(sql string, args ...any) ([]int64, error) {
		rows, err := pool.Query(ctx, sql, args...)
		if err != nil {
			return nil, fmt.Errorf("requests to write to: %w", err)
		}
		list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("requests to write to: %w", err)
		}
		return list, nil
	}
	ofProject, err := ids(`SELECT id FROM requests WHERE project_id = $1 AND `+openRequestState+` ORDER BY id LIMIT 100`, project)
	if err != nil {
		return err
	}
	ofQueue, err := ids(`SELECT r.id FROM requests r JOIN units h ON h.id = r.holder_unit_id JOIN users u ON u.id = h.head_user_id
		WHERE u.email = $1 AND r.`+openRequestState+` ORDER BY r.queue_tier, r.queue_date, r.queue_value, r.queue_sent, r.id LIMIT 100`, head)
	if err != nil {
		return err
	}
	byLead := &writePlan{By: []writeBy{{lead, ofProject}},
		What: fmt.Sprintf("progress entries on the open requests of project %d, by its lead", project)}
	// The portfolio reads a request's progress only through its project's signals (and
	// a listed project's quiet requests, migration 0059): its writer's entries turn
	// requests high risk and back, so each changes what it shows.
	atRisk := &writePlan{By: byLead.By, RiskTurns: true,
		What: fmt.Sprintf("progress entries on the open requests of project %d, by its lead, at high risk on a first pass "+
			"over them and low on the next, in turn", project)}
	plans := map[string]*writePlan{
		"workbook": byLead, "tracker": byLead, "portfolio": atRisk,
		"search": {By: []writeBy{{lead, ofProject}}, CommentEvery: 1,
			What: fmt.Sprintf("comments holding “%s” on the open requests of project %d, by its lead", searchWord, project)},
		"inbox":      {By: []writeBy{{head, ofQueue}}, What: "progress entries on the first open requests of the queue, by its head"},
		"department": {By: []writeBy{{head, ofQueue}}, What: "progress entries on the first open requests of the unit's queue, by its head"},
	}
	if esc != 0 {
		var escProject int64
		var escLead string
		err := pool.QueryRow(ctx, `SELECT e.project_id, u.email FROM escalations e JOIN projects p ON p.id = e.project_id
			JOIN users u ON u.id = p.lead_user_id WHERE e.id = $1`, esc).Scan(&escProject, &escLead)
		if err != nil {
			return fmt.Errorf("the escalated project: %w", err)
		}
		onEscalated, err := ids(`SELECT id FROM requests WHERE project_id = $1 AND `+openRequestState+` ORDER BY id LIMIT 100`, escProject)
		if err != nil {
			return err
		}
		plan := &writePlan{By: []writeBy{{escLead, onEscalated}},
			What: fmt.Sprintf("progress entries on the open requests of escalation %d's project, by its lead", esc)}
		plans["escalation"], plans["home-exec"] = plan, plan
		// The queue is kept with the epochs of the projects it lists: progress on the
		// open requests of the projects of the first escalations in the root's head's
		// queue (its order, escalations_assigned_queue), each by its project's lead.
		// (Progress elsewhere in escalation 1's project leaves the queue's first page as
		// it is, and it is rightly not drawn again.)
		rows, err := pool.Query(ctx, `WITH listed AS (
				SELECT DISTINCT e.project_id FROM (SELECT e.project_id FROM escalations e
					WHERE e.assigned_user_id = (SELECT assigned_user_id FROM escalations WHERE id = $1) AND e.status = 'open'
					ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id LIMIT 10) e)
			SELECT u.email, array_agg(r.id ORDER BY r.id) FROM listed x JOIN projects p ON p.id = x.project_id
			JOIN users u ON u.id = p.lead_user_id JOIN requests r ON r.project_id = p.id AND r.`+openRequestState+`
			GROUP BY u.email ORDER BY u.email`, esc)
		if err != nil {
			return fmt.Errorf("the queue's first projects: %w", err)
		}
		byLeads, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (writeBy, error) {
			var w writeBy
			return w, r.Scan(&w.Email, &w.Requests)
		})
		if err != nil {
			return fmt.Errorf("the queue's first projects: %w", err)
		}
		plans["escalations"] = &writePlan{By: byLeads,
			What: fmt.Sprintf("progress entries on the open requests of the projects of the first 10 escalations in the queue, by their %d leads", len(byLeads))}
	}
	for key, plan := range plans {
		base, ok := t[key]
		if !ok || len(plan.By) == 0 || len(plan.By[0].Requests) == 0 {
			continue
		}
		base.Writes = plan
		base.Data += fmt.Sprintf("; meanwhile %d writes a second: %s", writesPerSecond, plan.What)
		t[key+"-writes"] = base
	}
	return nil
}

// writesPerSecond is how often a page's writer writes: more than a busy organisation
// of this size is likely to write in all (20,000 people each writing a dozen times in
// an eight-hour day make about eight a second), all of it to what the one page shows.
const writesPerSecond = 10

// workingMix is the people of a busy hour, each viewing their own pages in turn: the
// heads of the twelve longest queues (their inbox, their unit's page, their start
// page), the leads of the twelve biggest projects (its workbook, its tracker, their
// start page) and eight executives from the top of the tree (the portfolio, their
// escalations, their start page, a search). Meanwhile each head and lead, in turn,
// logs progress on one of the first open requests of their queue or project, or
// every fourth turn comments on it.
func workingMix(ctx context.Context, pool *pgxpool.Pool) (target, error) {
	var mix target
	plan := &writePlan{}
	rows, err := pool.Query(ctx, `SELECT u.email, min(h.id),
			(array_agg(r.id ORDER BY r.queue_tier, r.queue_date, r.queue_value, r.queue_sent, r.id))[1:20]
		FROM requests r JOIN units h ON h.id = r.holder_unit_id JOIN users u ON u.id = h.head_user_id
		WHERE r.`+openRequestState+`
		GROUP BY u.email ORDER BY count(*) DESC, u.email LIMIT 12`)
	if err != nil {
		return target{}, fmt.Errorf("the mix's heads: %w", err)
	}
	for rows.Next() {
		var email string
		var unit int64
		var queue []int64
		if err := rows.Scan(&email, &unit, &queue); err != nil {
			rows.Close()
			return target{}, fmt.Errorf("the mix's heads: %w", err)
		}
		mix.Mix = append(mix.Mix, mixClient{email, []string{"/inbox", fmt.Sprintf("/units/%d", unit), "/"}})
		plan.By = append(plan.By, writeBy{email, queue})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return target{}, fmt.Errorf("the mix's heads: %w", err)
	}
	heads := len(mix.Mix)
	rows, err = pool.Query(ctx, `SELECT u.email, p.id,
			(array_agg(r.id ORDER BY r.id) FILTER (WHERE r.`+openRequestState+`))[1:20]
		FROM projects p JOIN users u ON u.id = p.lead_user_id JOIN requests r ON r.project_id = p.id
		GROUP BY u.email, p.id ORDER BY count(*) DESC, u.email, p.id LIMIT 40`)
	if err != nil {
		return target{}, fmt.Errorf("the mix's leads: %w", err)
	}
	seen := map[string]bool{}
	for _, m := range mix.Mix {
		seen[m.Email] = true // a head who also leads is in the mix once, as a head
	}
	for rows.Next() {
		var email string
		var project int64
		var open []int64
		if err := rows.Scan(&email, &project, &open); err != nil {
			rows.Close()
			return target{}, fmt.Errorf("the mix's leads: %w", err)
		}
		if seen[email] || len(open) == 0 || len(mix.Mix) == heads+12 {
			continue
		}
		seen[email] = true
		path := fmt.Sprintf("/projects/%d", project)
		mix.Mix = append(mix.Mix, mixClient{email, []string{path, path + "/tracker", "/"}})
		plan.By = append(plan.By, writeBy{email, open})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return target{}, fmt.Errorf("the mix's leads: %w", err)
	}
	leads := len(mix.Mix) - heads
	execs, err := pool.Query(ctx, `SELECT u.email FROM units n JOIN users u ON u.id = n.head_user_id
		WHERE n.closed_at IS NULL AND EXISTS (SELECT 1 FROM units c WHERE c.parent_id = n.id AND c.closed_at IS NULL)
		ORDER BY cardinality(n.path), n.id LIMIT 8`)
	if err != nil {
		return target{}, fmt.Errorf("the mix's executives: %w", err)
	}
	emails, err := pgx.CollectRows(execs, pgx.RowTo[string])
	if err != nil {
		return target{}, fmt.Errorf("the mix's executives: %w", err)
	}
	executives := 0
	for _, email := range emails {
		if seen[email] {
			continue // heads a long queue or leads a big project: in the mix already
		}
		seen[email] = true
		executives++
		mix.Mix = append(mix.Mix, mixClient{email,
			[]string{"/portfolio", "/escalations", "/", "/search?q=" + url.QueryEscape(searchWord)}})
	}
	if heads == 0 || leads == 0 {
		return target{}, nil // nothing to mix at this size
	}
	// A comment moves every kept search (migration 0057), a progress entry only the
	// pages of its request's project and units (0059).
	plan.CommentEvery = 4
	plan.What = fmt.Sprintf("by the %d heads (on the first open requests of their queues) and the %d leads "+
		"(of their projects), in turn, progress entries and, every fourth turn, a comment holding “%s”", heads, leads, searchWord)
	mix.Writes, mix.Path, mix.Email = plan, mix.Mix[0].Paths[0], mix.Mix[0].Email
	mix.Who = fmt.Sprintf("%d people: %d heads, %d leads, %d executives", len(mix.Mix), heads, leads, executives)
	mix.Data = "heads: inbox, unit page, start page; leads: workbook, tracker, start page; executives: portfolio, " +
		"escalations, start page, search; meanwhile " + fmt.Sprint(writesPerSecond) + " writes a second: " + plan.What
	return mix, nil
}
