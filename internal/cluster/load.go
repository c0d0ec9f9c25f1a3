package cluster

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/store"
)

// client is one person's browser (a cookie jar and its session) plus their API
// token, talking to one base address.
type client struct {
	base  string
	http  *http.Client
	token string
}

func newClient(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: base, http: &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends one request and reads the whole answer.
func (c *client) do(method, path string, form url.Values, bearer bool) (int, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return 0, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", c.base)
	}
	if bearer {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return resp.StatusCode, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, nil
}

func (c *client) login(email string) error {
	status, err := c.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {demo.Password}}, false)
	if err != nil {
		return fmt.Errorf("sign in %s: %w", email, err)
	}
	if status != http.StatusSeeOther {
		return fmt.Errorf("sign in %s: status %d", email, status)
	}
	return nil
}

// recorder collects one phase's outcomes.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	failures  int
	refused   int
	errs      []string
}

func (r *recorder) add(what string, took time.Duration, status int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, took)
	switch {
	case err != nil || status >= 500:
		r.failures++
		if len(r.errs) < 5 {
			if err != nil {
				r.errs = append(r.errs, fmt.Sprintf("%s: %v", what, err))
			} else {
				r.errs = append(r.errs, fmt.Sprintf("%s: status %d", what, status))
			}
		}
	case status >= 400:
		r.refused++
		if len(r.errs) < 5 {
			r.errs = append(r.errs, fmt.Sprintf("%s: refused with %d (not counted as a failure)", what, status))
		}
	}
}

func (r *recorder) figures() Load {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := Load{Requests: len(r.latencies), Failures: r.failures, Refused: r.refused, FirstErrors: slices.Clone(r.errs)}
	if len(r.latencies) > 0 {
		s := slices.Clone(r.latencies)
		slices.Sort(s)
		l.P50 = s[len(s)*50/100]
		l.P99 = s[min(len(s)-1, len(s)*99/100)]
	}
	return l
}

// load is clients working through the balancer until stopped; phase starts a new
// recorder, which every request started from then on reports to.
type load struct {
	mu   sync.Mutex
	cur  *recorder
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

func (l *load) phase() *recorder {
	r := &recorder{}
	l.mu.Lock()
	l.cur = r
	l.mu.Unlock()
	return r
}

func (l *load) recorder() *recorder {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}

// end stops the clients and waits for their last requests; again is a no-op.
func (l *load) end() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// people are the demo users the clients sign in as; every fourth client is the
// lead of "Smart service upgrade" and also writes.
var people = []string{"aftersales@accord.demo", "it@accord.demo", "ceo@accord.demo", "admin@accord.demo"}

// startLoad signs in opts.Clients clients through the balancer and sets them to
// work: pages (home, inbox, notifications, a project's tracker), the API's request
// list, and, for the project's lead, new commitments.
func (c *cluster) startLoad(ctx context.Context) (*load, error) {
	var project, unit, lead int64
	if err := c.pool.QueryRow(ctx, `SELECT p.id, p.lead_user_id, (SELECT id FROM units WHERE name_en = 'IT')
		FROM projects p WHERE p.name_en = 'Smart service upgrade'`).Scan(&project, &lead, &unit); err != nil {
		return nil, fmt.Errorf("the demo project: %w", err)
	}
	st := store.New(c.pool)
	tokens := map[string]string{}
	for _, email := range people {
		var id int64
		if err := c.pool.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, email).Scan(&id); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", email, err)
		}
		_, secret, err := st.CreateToken(ctx, id, id, "cluster load", time.Now())
		if err != nil {
			return nil, err
		}
		tokens[email] = secret
	}
	l := &load{stop: make(chan struct{})}
	l.phase()
	clients := make([]*client, c.opts.Clients)
	for i := range clients {
		cl := newClient(c.base)
		email := people[i%len(people)]
		if err := cl.login(email); err != nil {
			return nil, err
		}
		cl.token = tokens[email]
		clients[i] = cl
	}
	type op struct {
		method, path string
		form         func(n int) url.Values
		bearer       bool
	}
	reads := []op{
		{method: http.MethodGet, path: "/"},
		{method: http.MethodGet, path: "/inbox"},
		{method: http.MethodGet, path: "/notifications"},
		{method: http.MethodGet, path: fmt.Sprintf("/projects/%d/tracker", project)},
		{method: http.MethodGet, path: "/api/v1/requests?box=incoming", bearer: true},
	}
	write := op{method: http.MethodPost, path: fmt.Sprintf("/projects/%d/commitments", project), form: func(n int) url.Values {
		return url.Values{"unit_id": {fmt.Sprint(unit)}, "what": {fmt.Sprintf("cluster load %d", n)}, "status": {"open"}}
	}}
	for i, cl := range clients {
		ops := slices.Clone(reads)
		if i%len(people) == 0 {
			ops = append(ops, write)
		}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; ; n++ {
				select {
				case <-l.stop:
					return
				default:
				}
				o := ops[n%len(ops)]
				var form url.Values
				if o.form != nil {
					form = o.form(i*1_000_000 + n)
				}
				rec := l.recorder()
				began := time.Now()
				status, err := cl.do(o.method, o.path, form, o.bearer)
				rec.add(o.method+" "+o.path, time.Since(began), status, err)
			}
		}()
	}
	return l, nil
}

// receiver is the chat server the webhooks post to; it counts each delivery.
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	seen  map[string]int
	posts int
	byID  bool
}

// newReceiver listens on this machine's first address a webhook may post to:
// Accord never posts to loopback (accord.RefuseWebhookAddress), so the receiver
// takes the machine's own network address, as a chat server inside the company
// would have; nil when the machine has none.
func newReceiver() (*receiver, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var listener net.Listener
	for _, a := range addrs {
		prefix, err := netip.ParsePrefix(a.String())
		if err != nil || !prefix.Addr().Is4() || accord.RefuseWebhookAddress(prefix.Addr(), true) != "" {
			continue
		}
		if listener, err = net.Listen("tcp", prefix.Addr().String()+":0"); err == nil {
			break
		}
	}
	if listener == nil {
		return nil, nil
	}
	r := &receiver{seen: map[string]int{}}
	r.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		key := req.Header.Get("X-Accord-Delivery")
		r.mu.Lock()
		if key != "" {
			r.byID = true
		} else {
			sum := sha256.Sum256(body)
			key = req.URL.Path + " " + hex.EncodeToString(sum[:])
		}
		r.seen[key]++
		r.posts++
		r.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	r.Listener.Close()
	r.Listener = listener
	r.Start()
	return r, nil
}

// counts is the posts received, those received more than once, and how they were
// told apart.
func (r *receiver) counts() (posts, repeats int, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.seen {
		repeats += n - 1
	}
	key = "webhook path and payload"
	if r.byID {
		key = "X-Accord-Delivery header"
	}
	return r.posts, repeats, key
}
