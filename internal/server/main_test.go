package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/pgtest"
	"accord/internal/server"
	"accord/internal/store"
	"accord/web/i18n"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testBundle is one server on its own demo database.
type testBundle struct {
	st      *store.Store
	srv     *httptest.Server
	now     *time.Time    // the server's clock; tests move it forward
	queries *atomic.Int64 // statements sent to the database, for query-count tests
	server  *server.Server
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	t.Parallel()
	return setupWith(t, func(*server.Options) {})
}

func setupWith(t *testing.T, configure func(*server.Options)) *testBundle {
	t.Helper()
	return setupOn(t, pgtest.Demo(), configure)
}

// setupOn is setupWith on a database cloned from tpl.
func setupOn(t *testing.T, tpl pgtest.Template, configure func(*server.Options)) *testBundle {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.NewDB(t, tpl))
	require.NoError(t, err)
	queries := &atomic.Int64{}
	cfg.ConnConfig.Tracer = queryCounter{queries}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	st := store.New(pool)
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	bundle.AddContent(demo.English()) // as `accord dev` does
	now := time.Now()
	b := &testBundle{st: st, now: &now, queries: queries}
	// Test chat servers listen on 127.0.0.1, which the default webhook client refuses.
	opts := server.Options{PasswordParams: pgtest.CheapPasswords(), Now: func() time.Time { return *b.now },
		WebhookClient: &http.Client{Timeout: 5 * time.Second}}
	configure(&opts)
	s := server.New(st, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	b.server = s
	b.srv = httptest.NewServer(s.Handler())
	t.Cleanup(func() { b.srv.Close(); s.Close() })
	return b
}

// metrics reads /metrics as the separate metrics listener (ACCORD_METRICS_ADDR)
// serves it.
func (b *testBundle) metrics(t *testing.T) string {
	t.Helper()
	rec := httptest.NewRecorder()
	b.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

// queryCounter counts every statement the pool sends.
type queryCounter struct{ n *atomic.Int64 }

func (q queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}

func (queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// A batch's statements count one by one (the inbox sends its query in one).
func (queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (q queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	q.n.Add(1)
}

func (queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// countQueries runs fn and returns how many statements it sent.
func (b *testBundle) countQueries(fn func()) int64 {
	before := b.queries.Load()
	fn()
	return b.queries.Load() - before
}

// client is a browser-like client: it keeps cookies, does not follow redirects, and
// sends the headers a same-origin form post carries.
type client struct {
	t    *testing.T
	base string
	http *http.Client
	lang string
	// forwardedFor is sent as X-Forwarded-For, as a load balancer (or a liar) would.
	forwardedFor string
}

func (b *testBundle) client(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, base: b.srv.URL, lang: "en", http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login signs in as a demo user and fails the test if that does not work.
func (b *testBundle) login(t *testing.T, email string) *client {
	c := b.client(t)
	resp := c.post("/login", url.Values{"email": {email}, "password": {demo.Password}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "login as %s", email)
	return c
}

type response struct {
	*http.Response
	body string
	doc  *goquery.Document
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	r, err := c.send(req)
	require.NoError(c.t, err)
	return r
}

// send is do on any goroutine: it returns what went wrong instead of failing the test.
func (c *client) send(req *http.Request) (response, error) {
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if c.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", c.forwardedFor)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(raw)))
	if err != nil {
		return response{}, err
	}
	return response{Response: resp, body: string(raw), doc: doc}, nil
}

// tryGet is get on any goroutine.
func (c *client) tryGet(path string) (response, error) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+path, nil)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Sec-Fetch-Site", "none")
	return c.send(req)
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, c.base+path, nil)
	require.NoError(c.t, err)
	req.Header.Set("Sec-Fetch-Site", "none")
	return c.do(req)
}

// post sends a form as a same-origin browser would.
func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// text returns the trimmed text of the first element matching a data-testid.
func (r response) text(testid string) string {
	return strings.TrimSpace(r.doc.Find(`[data-testid="` + testid + `"]`).First().Text())
}
