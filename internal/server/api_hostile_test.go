package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// One file, because it is one machine: the hostile corpus, operations discovered from
// the OpenAPI document, a fixture for every path parameter, and the attack that sends
// the corpus through every field and checks what comes back and what the pages then
// show. Split, a reader would have to rebuild it to see what is attacked.

// The hostile corpus of hostile_test.go, sent through every field of every API
// operation the OpenAPI document lists. Operations are discovered from the document,
// so an endpoint added later is attacked without touching this file — unless it has
// a path parameter or an id field this file has no value for, which fails loudly.

// apiHostileStrings are sent, JSON-encoded, as the value of every field.
var apiHostileStrings = append(slices.Clone(hostileValues), "", "\x00", "\u202eevil\u202c", "  padded  ", `{"$where":"1"}`)

// apiHostileCore is one value of each kind, for variants that share a body.
var apiHostileCore = []string{scriptPayload, `"><img src=x onerror=alert(1)>`, "tab\tnewline\ncontrol\x00\x01\x1b",
	"\xff\xfe invalid utf-8 \xc3\x28", strings.Repeat("长", 5000), ""}

// apiHostileRaw are raw JSON values — wrong types, huge numbers, nested objects —
// sent as every field's value.
var apiHostileRaw = []string{
	`-1`, `1.5`, `1e309`, `99999999999999999999`, `2147483648`, `9223372036854775807`, `1e308`, `true`, `null`,
	`["a"]`, `{"a":{"b":{"c":[1,{"d":null}]}}}`, strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200), `"1"`,
}

// apiHostileBodies are whole bodies that are not what any operation takes.
var apiHostileBodies = []string{
	``, `null`, `[]`, `"x"`, `1`, `{`, `{}}`, `{"a":1}`, `{} {}`, "\xef\xbb\xbf{}", "{\"\xff\":1}",
	strings.Repeat(`{"a":`, 20000), `{"version":1,"version":"x"}`,
}

// apiHostileIDs are path parameters that are not ids of anything.
var apiHostileIDs = []string{
	"1;DROP", "-1", "0", "99999999999999999999", "%00", "1%00", "abc", "1.5", "1e3", "0x10", "%20", "%ff",
	"%E2%80%AE1", "'%20OR%20'1'='1", "%3Cscript%3E", "%2F", strings.Repeat("9", 400),
}

// apiHostileQuery are query-string values, already URL-encoded.
var apiHostileQuery = []string{
	"%00", "-1", "0", "99999999999999999999", "1;DROP", "%27%20OR%201=1%20--", "%3Cscript%3E", "%ff%fe",
	"eyJvIjotMX0", "eyJvIjo5OTk5OTk5OTk5OTk5OTk5OTk5fQ", "bm90IGpzb24", strings.Repeat("A", 10000), "me%00",
}

// hostileOp is one documented operation, with its path and query parameters and,
// when it takes one, its JSON body's schema.
type hostileOp struct {
	method, template string
	pathParams       []hostileParam
	queryParams      []hostileParam
	body             *jsonSchema
	result           string // the schema a success returns, e.g. "Project"
}

type hostileParam struct {
	Name   string `json:"name"`
	In     string `json:"in"`
	Schema struct {
		Enum []string `json:"enum"`
	} `json:"schema"`
}

// hostileVariant is an operation with its enum path parameters chosen.
type hostileVariant struct {
	op    hostileOp
	fixed map[string]string // enum path parameter → value
}

func (v hostileVariant) name() string {
	path := v.op.template
	for k, val := range v.fixed {
		path = strings.Replace(path, "{"+k+"}", val, 1)
	}
	return v.op.method + " " + path
}

// hostileTarget is where and as whom a variant is sent: concrete path parameters and
// the caller who may do it.
type hostileTarget struct {
	params  map[string]string
	caller  string
	version any // the version a body sends, read once per change; nil to read it
}

func (tg hostileTarget) path(template string) string {
	for k, v := range tg.params {
		template = strings.Replace(template, "{"+k+"}", v, 1)
	}
	return template
}

// hostileAPI holds the demo ids, the callers' tokens and the fixtures.
type hostileAPI struct {
	b            *testBundle
	doc          *openAPIDoc
	ops          []hostileOp
	tokens       map[string]string
	sessions     map[string]*client
	emails       map[string]string // user id → email
	unit         map[string]string // unit name_en → id
	user         map[string]string // email → id
	project      string            // a project aftersales@ leads, made for this test
	seq          int
	cached       map[string]hostileTarget // for reads: one fixture per parameter key
	attacked     map[string]bool          // operations whose first variant had the whole corpus
	pagesChecked int                      // HTML pages loaded with hostile markup stored on them
}

const hostileLead = "aftersales@accord.demo"

func newHostileAPI(t *testing.T, b *testBundle) *hostileAPI {
	h := &hostileAPI{b: b, doc: apiDocFor(t, b), tokens: map[string]string{}, sessions: map[string]*client{},
		emails: map[string]string{}, unit: map[string]string{}, user: map[string]string{}, cached: map[string]hostileTarget{}, attacked: map[string]bool{}}
	ctx := context.Background()
	rows, err := b.st.Pool().Query(ctx, `SELECT id::text, email FROM users`)
	require.NoError(t, err)
	for rows.Next() {
		var id, email string
		require.NoError(t, rows.Scan(&id, &email))
		h.emails[id], h.user[email] = email, id
	}
	require.NoError(t, rows.Err())
	rows, err = b.st.Pool().Query(ctx, `SELECT id::text, name_en FROM units`)
	require.NoError(t, err)
	for rows.Next() {
		var id, name string
		require.NoError(t, rows.Scan(&id, &name))
		h.unit[name] = id
	}
	require.NoError(t, rows.Err())
	h.parseOps(t)
	p := h.api(t, hostileLead).post("/projects", map[string]any{"name": "敌意输入靶子", "name_en": "Hostile target",
		"owning_unit_id": h.unit["After-sales"]}).expect(t, http.StatusCreated)
	h.project = p["id"].(string)
	return h
}

// parseOps reads every operation from the document the server serves.
func (h *hostileAPI) parseOps(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(docRaw, &doc))
	for path, ops := range doc.Paths {
		var shared []hostileParam
		if raw, ok := ops["parameters"]; ok {
			require.NoError(t, json.Unmarshal(raw, &shared))
		}
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			var o struct {
				Parameters []hostileParam `json:"parameters"`
				Responses  map[string]struct {
					Content map[string]struct {
						Schema struct {
							Ref string `json:"$ref"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"responses"`
				RequestBody *struct {
					Content map[string]struct {
						Schema json.RawMessage `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			require.NoError(t, json.Unmarshal(raw, &o))
			op := hostileOp{method: strings.ToUpper(method), template: path}
			for code, r := range o.Responses {
				if c, ok := r.Content["application/json"]; ok && strings.HasPrefix(code, "2") {
					op.result = strings.TrimPrefix(c.Schema.Ref, "#/components/schemas/")
				}
			}
			for _, p := range append(slices.Clone(shared), o.Parameters...) {
				switch p.In {
				case "path":
					op.pathParams = append(op.pathParams, p)
				case "query":
					op.queryParams = append(op.queryParams, p)
				}
			}
			if o.RequestBody != nil {
				c, ok := o.RequestBody.Content["application/json"]
				require.True(t, ok, "%s %s: a request body that is not JSON", method, path)
				s := h.resolve(t, c.Schema)
				op.body = &s
			}
			h.ops = append(h.ops, op)
		}
	}
	sort.Slice(h.ops, func(i, j int) bool {
		return h.ops[i].template+h.ops[i].method < h.ops[j].template+h.ops[j].method
	})
}

// resolve follows a $ref to the schema it names.
func (h *hostileAPI) resolve(t *testing.T, raw json.RawMessage) jsonSchema {
	var s jsonSchema
	require.NoError(t, json.Unmarshal(raw, &s))
	if s.Ref != "" {
		target, ok := h.doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		require.True(t, ok, "dangling $ref %s", s.Ref)
		return h.resolve(t, target)
	}
	return s
}

func schemaTypes(s jsonSchema) []string {
	switch tv := s.Type.(type) {
	case string:
		return []string{tv}
	case []any:
		var out []string
		for _, x := range tv {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// api is a token client for email bound to t.
func (h *hostileAPI) api(t *testing.T, email string) *apiClient {
	t.Helper()
	tok, ok := h.tokens[email]
	if !ok {
		tok = h.b.apiToken(t, email)
		h.tokens[email] = tok
	}
	return &apiClient{t: t, b: h.b, token: tok, lang: "en"}
}

// do sends body (nil for none) as email and checks the response: never 5xx, said
// with what was sent; then as apiClient.send does, against the document.
func (h *hostileAPI) do(t *testing.T, email, what, method, path string, body []byte) apiResponse {
	t.Helper()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.b.srv.URL+"/api/v1"+path, reader)
	require.NoError(t, err, what)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+h.api(t, email).token)
	req.Header.Set("Accept-Language", "en")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err, what)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err, what)
	out := apiResponse{status: resp.StatusCode, header: resp.Header, raw: raw}
	require.Less(t, out.status, 500, "%s %s as %s, %s: a server error: %s", method, path, email, what, raw)
	if len(raw) > 0 {
		require.Equal(t, "application/json", resp.Header.Get("Content-Type"), "%s %s, %s: %s", method, path, what, raw)
		require.NoError(t, json.Unmarshal(raw, &out.body), "%s %s, %s: %s", method, path, what, raw)
	}
	h.doc.validateResponse(t, method, path, out)
	checkResponse(t, method+" "+path+" "+what, out)
	return out
}

// page loads an HTML page as email, signed in with a session.
func (h *hostileAPI) page(t *testing.T, email, path string) response {
	t.Helper()
	c, ok := h.sessions[email]
	if !ok {
		c = h.b.login(t, email)
		h.sessions[email] = c
	}
	c.t = t
	return c.get(path)
}

func (h *hostileAPI) next() int { h.seq++; return h.seq }

// ---- fixtures: a value for every path parameter ----

// paramKey names a path parameter by the collection before it: "projects/{id}".
func paramKey(template, name string) string {
	segs := strings.Split(strings.Trim(template, "/"), "/")
	for i, s := range segs {
		if s == "{"+name+"}" && i > 0 && !strings.HasPrefix(segs[i-1], "{") {
			return segs[i-1] + "/{" + name + "}"
		}
	}
	return "{" + name + "}"
}

// after is the part of the template after a parameter: "/request" for
// /needs/{id}/request.
func after(template, name string) string {
	_, rest, _ := strings.Cut(template, "{"+name+"}")
	return rest
}

// hostileParams gives each path parameter a value from the demo data and says who
// may act on it; "" leaves the caller to the probe. A parameter missing here fails
// the test: a new endpoint needs a fixture.
var hostileParams = map[string]func(t *testing.T, h *hostileAPI, v hostileVariant, name string) (string, string){
	"projects/{id}": func(t *testing.T, h *hostileAPI, v hostileVariant, name string) (string, string) {
		if v.op.method == http.MethodGet || after(v.op.template, name) != "" {
			return h.project, hostileLead
		}
		// Edits of the project itself get one of their own: a hostile lead_user_id
		// that happens to be a user's id hands it over.
		p := h.api(t, hostileLead).post("/projects", map[string]any{"name": fmt.Sprintf("敌意项目 %d", h.next()),
			"owning_unit_id": h.unit["After-sales"]}).expect(t, http.StatusCreated)
		return p["id"].(string), hostileLead
	},
	"units/{id}": func(t *testing.T, h *hostileAPI, v hostileVariant, _ string) (string, string) {
		if v.op.method == http.MethodGet {
			return h.unit["IT"], ""
		}
		// Changes go to a unit of their own, so closing or renaming it harms no fixture.
		u := h.api(t, "admin@accord.demo").post("/units", map[string]any{"name": fmt.Sprintf("敌意单位 %d", h.next()),
			"parent_id": h.unit["After-sales"]}).expect(t, http.StatusCreated)
		return u["id"].(string), "admin@accord.demo"
	},
	"exchange/{unit_id}": func(_ *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		return h.unit["IT"], hostileLead
	},
	"needs/{id}": func(t *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		return h.freshNeed(t), hostileLead
	},
	"requests/{id}": func(t *testing.T, h *hostileAPI, v hostileVariant, name string) (string, string) {
		state, lead := accord.RequestRequested, true
		if action, ok := v.fixed["action"]; ok {
			state, lead = stateFor(t, accord.RequestAction(action))
		} else {
			switch rest := after(v.op.template, name); rest {
			case "", "/updates":
				state = accord.RequestAgreed
			case "/escalate", "/comments", "/follow", "/unfollow", "/followers":
			default:
				t.Fatalf("no fixture for requests/{id}%s: say in which state and as whom to call it", rest)
			}
		}
		caller := hostileLead
		if !lead {
			caller = "it@accord.demo"
		}
		id := h.requestIn(t, state)
		if v.fixed["action"] == string(accord.ActionTransferBack) {
			// Only a request passed on can be sent back: IT passes it to Data first.
			cur := h.api(t, "it@accord.demo").get("/requests/"+id).expect(t, http.StatusOK)
			h.api(t, "it@accord.demo").post("/requests/"+id+"/transfer", map[string]any{"version": cur["version"],
				"unit_id": h.unit["Data"], "reason": "归数据部"}).expect(t, http.StatusOK)
		}
		return id, caller
	},
	"escalations/{id}": func(t *testing.T, h *hostileAPI, v hostileVariant, name string) (string, string) {
		e := h.freshEscalation(t)
		switch rest := after(v.op.template, name); rest {
		case "/decide":
			return e["id"].(string), h.emails[e["assigned_user_id"].(string)]
		case "", "/statement", "/comments", "/follow", "/unfollow", "/followers":
			return e["id"].(string), hostileLead
		case "/advice":
			return e["id"].(string), h.emails[e["assigned_user_id"].(string)]
		case "/opinion":
			// Legal's head, asked by the superior, answers.
			h.api(t, h.emails[e["assigned_user_id"].(string)]).post("/escalations/"+e["id"].(string)+"/advice",
				map[string]any{"adviser_user_id": h.user["legal@accord.demo"]}).expect(t, http.StatusCreated)
			return e["id"].(string), "legal@accord.demo"
		default:
			t.Fatalf("no fixture for escalations/{id}%s: say as whom to call it", rest)
			return "", ""
		}
	},
	"attachments/{id}": func(t *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		// Files come only through the page's comment form: attach one there.
		r := h.requestIn(t, accord.RequestRequested)
		lead := h.b.login(t, hostileLead)
		resp := lead.postComment("/requests/"+r+"/comments", "附件", "说明.txt", []byte("敌意测试"))
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
		c := h.api(t, hostileLead).get("/requests/"+r+"/comments").expect(t, http.StatusOK)
		return dig(c["comments"].([]any)[0], "attachments").([]any)[0].(map[string]any)["id"].(string), hostileLead
	},
	"stand-ins/{id}": func(t *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		// A day of its own, far enough ahead that no two fixtures overlap.
		day := time.Now().UTC().AddDate(0, 0, 2*h.next()).Format(time.DateOnly)
		si := h.api(t, "it@accord.demo").post("/stand-ins", map[string]any{"stand_in_email": "it.dev@accord.demo",
			"starts_on": day, "ends_on": day}).expect(t, http.StatusCreated)
		return si["id"].(string), "it@accord.demo"
	},
	"comments/{id}": func(t *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		c := h.api(t, hostileLead).post("/requests/"+h.requestIn(t, accord.RequestRequested)+"/comments", map[string]any{
			"body": fmt.Sprintf("评论 %d", h.next())}).expect(t, http.StatusCreated)
		return c["id"].(string), hostileLead
	},
	"commitments/{id}": func(t *testing.T, h *hostileAPI, _ hostileVariant, _ string) (string, string) {
		c := h.api(t, hostileLead).post("/projects/"+h.project+"/commitments", map[string]any{
			"unit_id": h.unit["IT"], "what": fmt.Sprintf("承诺 %d", h.next())}).expect(t, http.StatusCreated)
		return c["id"].(string), hostileLead
	},
}

// stateFor finds a state an action can be taken from, and whether the lead (else the
// holder's head) takes it, from the request state machine itself.
func stateFor(t *testing.T, action accord.RequestAction) (accord.RequestState, bool) {
	for _, st := range []accord.RequestState{accord.RequestRequested, accord.RequestAgreed, accord.RequestDeclined,
		accord.RequestCountered, accord.RequestInProgress} {
		for _, lead := range []bool{true, false} {
			if _, err := accord.NextRequestState(st, action, accord.RequestParty{Lead: lead, HolderHead: !lead}); err == nil {
				return st, lead
			}
		}
	}
	t.Fatalf("no state takes the action %q", action)
	return "", false
}

// freshNeed maps a new need on the test project, held by IT.
func (h *hostileAPI) freshNeed(t *testing.T) string {
	n := h.api(t, hostileLead).post("/projects/"+h.project+"/needs", map[string]any{
		"title": fmt.Sprintf("需求 %d", h.next()), "holder_unit_id": h.unit["IT"], "tier": "P1", "effort_days": 3,
	}).expect(t, http.StatusCreated)
	return n["id"].(string)
}

// requestIn sends a fresh need to IT and walks it to state through the API.
func (h *hostileAPI) requestIn(t *testing.T, state accord.RequestState) string {
	lead, it := h.api(t, hostileLead), h.api(t, "it@accord.demo")
	r := lead.post("/needs/"+h.freshNeed(t)+"/request", map[string]any{}).expect(t, http.StatusCreated)
	id := r["id"].(string)
	act := func(c *apiClient, action string, body map[string]any) {
		body["version"] = r["version"]
		r = c.post("/requests/"+id+"/"+action, body).expect(t, http.StatusOK)
	}
	switch state {
	case accord.RequestRequested:
	case accord.RequestDeclined:
		act(it, "decline", map[string]any{"obstacle": "too_busy"})
	case accord.RequestCountered:
		act(it, "counter", map[string]any{"counter_scope": "先做一期"})
	case accord.RequestAgreed:
		act(it, "agree", map[string]any{})
	case accord.RequestInProgress:
		act(it, "agree", map[string]any{})
		act(it, "start", map[string]any{})
	default:
		t.Fatalf("no recipe for a request in state %s", state)
	}
	require.Equal(t, string(state), r["state"])
	return id
}

// freshEscalation takes a fresh request to the shared superior (the CEO).
func (h *hostileAPI) freshEscalation(t *testing.T) map[string]any {
	return h.api(t, hostileLead).post("/requests/"+h.requestIn(t, accord.RequestDeclined)+"/escalate",
		map[string]any{"reason": "排期冲突"}).expect(t, http.StatusCreated)
}

// target fills the variant's path parameters; reads share one fixture per key.
func (h *hostileAPI) target(t *testing.T, v hostileVariant) hostileTarget {
	tg := hostileTarget{params: map[string]string{}}
	for k, val := range v.fixed {
		tg.params[k] = val
	}
	for _, p := range v.op.pathParams {
		if _, ok := tg.params[p.Name]; ok {
			continue
		}
		key := paramKey(v.op.template, p.Name)
		if c, ok := h.cached[key]; ok && v.op.method == http.MethodGet {
			tg.params[p.Name] = c.params[p.Name]
			tg.caller = c.caller
			continue
		}
		fill, ok := hostileParams[key]
		if !ok {
			t.Fatalf("%s: no fixture for the path parameter %q (key %q): add one to hostileParams", v.name(), p.Name, key)
		}
		val, caller := fill(t, h, v, p.Name)
		tg.params[p.Name] = val
		if caller != "" {
			tg.caller = caller
		}
		if v.op.method == http.MethodGet {
			h.cached[key] = hostileTarget{params: map[string]string{p.Name: val}, caller: caller}
		}
	}
	return tg
}

// ---- an otherwise valid body ----

// validValue is a value the field accepts; include false leaves it out of the base
// body (it conflicts with another field), though it is still attacked.
func (h *hostileAPI) validValue(t *testing.T, v hostileVariant, field string, s jsonSchema) (any, bool) {
	if rows, ok := orgImportHostileRows(v.op.template, field); ok {
		return rows, true // a dry run's organisation (org_import_test.go)
	}
	switch field {
	case "owning_unit_id":
		return h.unit["After-sales"], true
	case "holder_unit_id", "unit_id":
		if v.fixed["action"] == string(accord.ActionTransfer) {
			return h.unit["Data"], true // passed on from IT, which holds the fixture
		}
		return h.unit["IT"], true
	case "alt_unit_id":
		return h.unit["Data"], true
	case "lead_user_id":
		return h.user[hostileLead], true
	case "parent_id":
		return h.unit["After-sales"], true
	case "user_id", "head_user_id":
		if strings.HasSuffix(v.op.template, "/followers") {
			return h.user["it@accord.demo"], true // the holder's head sees every fixture request and escalation
		}
		return h.user["it.dev@accord.demo"], true
	case "up_to":
		return "1", true
	case "email":
		return fmt.Sprintf("hostile%d@accord.test", h.next()), true
	case "key_person_user_id":
		return h.user["it.dev@accord.demo"], true
	case "goal_id", "backs_up_need_id", "external_party":
		return nil, false // optional links whose valid values depend on other fields
	case "cadence_days":
		return 14, true
	case "expected_amount":
		return 1000000, true
	case "currency":
		return "CNY", true
	case "start_date":
		return "2027-01-04", true
	case "target_date":
		return "2027-12-31", true
	case "approach_order":
		return 1, true
	case "mentions":
		return []any{h.user["it@accord.demo"]}, true // IT's head sees every fixture the lead comments on
	case "adviser_user_id":
		return h.user["legal@accord.demo"], true // outside every fixture's escalation
	case "principal_id":
		return nil, false // optional: the caller names their own stand-in
	case "stand_in_email":
		return "it.dev@accord.demo", true
	case "starts_on", "ends_on":
		// One day a year ahead, apart from the stand-ins/{id} fixtures' days.
		return time.Now().UTC().AddDate(1, 0, 0).Format(time.DateOnly), true
	}
	types := schemaTypes(s)
	switch {
	case len(s.Enum) > 0:
		for _, e := range s.Enum {
			if e != "" && e != nil {
				return e, true
			}
		}
	case s.Format == "date":
		return "2027-06-30", true
	case s.Pattern == "^[0-9]+$" || strings.HasSuffix(field, "_id"):
		t.Fatalf("%s: no valid id for the field %q: add one to validValue", v.name(), field)
	case slices.Contains(types, "string"):
		return fmt.Sprintf("敌意测试 %s %d", field, h.next()), true
	case slices.Contains(types, "integer"), slices.Contains(types, "number"):
		return 1, true
	case slices.Contains(types, "boolean"):
		return false, true
	case slices.Contains(types, "array"):
		return []any{fmt.Sprintf("项 %d", h.next())}, true
	}
	t.Fatalf("%s: no valid value for the field %q", v.name(), field)
	return nil, false
}

// version reads the current version of what the path names: from the longest prefix
// the API can GET, else from the table the collection is stored in.
func (h *hostileAPI) version(t *testing.T, v hostileVariant, tg hostileTarget) any {
	segs := strings.Split(strings.Trim(v.op.template, "/"), "/")
	for n := len(segs); n > 0; n-- {
		if !strings.HasPrefix(segs[n-1], "{") {
			continue
		}
		prefix := "/" + strings.Join(segs[:n], "/")
		if ops, ok := h.doc.Paths[prefix]; ok {
			if _, ok := ops["get"]; ok {
				resp := h.api(t, tg.caller).get(tg.path(prefix))
				if resp.status == http.StatusOK {
					if ver, ok := resp.body["version"]; ok {
						return ver
					}
				}
			}
		}
	}
	// Collections the API cannot GET one of: read the row.
	if table, ok := map[string]string{"needs": "needs", "commitments": "commitments"}[segs[0]]; ok && len(segs) >= 2 {
		var ver int
		require.NoError(t, h.b.st.Pool().QueryRow(context.Background(), `SELECT version FROM `+table+` WHERE id = $1`,
			tg.params["id"]).Scan(&ver))
		return ver
	}
	t.Fatalf("%s: the body takes a version, and nothing says where to read it", v.name())
	return nil
}

// baseBody fills the fields of shape with valid values; version, when the body takes
// one, is read fresh. A nil shape is every field that has a valid value.
func (h *hostileAPI) baseBody(t *testing.T, v hostileVariant, tg hostileTarget, shape []string) map[string]any {
	body := map[string]any{}
	if _, ok := v.op.body.Properties["version"]; ok {
		body["version"] = tg.version
		if tg.version == nil {
			body["version"] = h.version(t, v, tg)
		}
	}
	for _, field := range sortedKeys(v.op.body.Properties) {
		if field == "version" || (shape != nil && !slices.Contains(shape, field)) {
			continue
		}
		if val, ok := h.validValue(t, v, field, h.resolve(t, v.op.body.Properties[field])); ok {
			body[field] = val
		}
	}
	return body
}

// shapes are the bodies to try, in order, until one is accepted: every field; the
// required ones; the required ones and one more, free text first. Some operations
// take one kind of change at a time, or exactly one of two fields.
func shapes(s *jsonSchema) [][]string {
	out := [][]string{nil, slices.Clone(s.Required)}
	var optional []string
	for _, k := range sortedKeys(s.Properties) {
		if !slices.Contains(s.Required, k) && k != "version" {
			optional = append(optional, k)
		}
	}
	sort.SliceStable(optional, func(i, j int) bool { return isFreeText(s, optional[i]) && !isFreeText(s, optional[j]) })
	for _, k := range optional {
		out = append(out, append(slices.Clone(s.Required), k))
	}
	return out
}

// isFreeText says whether a property is text a person types: a string with no enum,
// format or pattern. Such text must come back exactly as sent.
func isFreeText(s *jsonSchema, field string) bool {
	var p jsonSchema
	if json.Unmarshal(s.Properties[field], &p) != nil {
		return false
	}
	return slices.Contains(schemaTypes(p), "string") && len(p.Enum) == 0 && p.Format == "" && p.Pattern == ""
}

// encode marshals body with field's value replaced by raw JSON bytes, which may be
// anything, even invalid JSON.
func encode(t *testing.T, body map[string]any, field string, raw []byte) []byte {
	const marker = "\u2603HOSTILE\u2603"
	m := make(map[string]any, len(body)+1)
	for k, v := range body {
		m[k] = v
	}
	m[field] = marker
	out, err := json.Marshal(m)
	require.NoError(t, err)
	quoted, _ := json.Marshal(marker)
	return bytes.Replace(out, quoted, raw, 1)
}

// ---- the checks every response gets ----

var controlByte = regexp.MustCompile(`[\x00-\x1f]`)

// checkResponse: never 5xx; an error is the API's error document with 4xx (send
// has already checked it against the documented schema); a success's JSON has no
// raw control bytes and is valid UTF-8.
func checkResponse(t *testing.T, what string, resp apiResponse) {
	t.Helper()
	require.Less(t, resp.status, 500, "%s: a server error: %s", what, resp.raw)
	if resp.status >= 400 {
		require.GreaterOrEqual(t, resp.status, 400)
		require.NotEmpty(t, resp.str("error.code"), "%s: %d without the error document: %s", what, resp.status, resp.raw)
		require.NotEmpty(t, resp.str("error.message"), "%s: an error without a message", what)
		return
	}
	raw := bytes.TrimSuffix(resp.raw, []byte("\n"))
	require.False(t, controlByte.Match(raw), "%s: raw control bytes in the JSON: %q", what, raw)
	require.True(t, utf8.Valid(raw), "%s: the JSON is not UTF-8", what)
}

// TestHostileInputThroughTheAPI sends the hostile corpus through every field of
// every documented operation that takes a JSON body, as a caller allowed to call it;
// then hostile bodies, oversized bodies, hostile path parameters and query strings.
func TestHostileInputThroughTheAPI(t *testing.T) {
	b := setup(t)
	h := newHostileAPI(t, b)
	var variants []hostileVariant
	for _, op := range h.ops {
		variants = append(variants, expand(op)...)
	}
	sends, fields, withBody := 0, 0, 0
	for _, v := range variants {
		if v.op.body == nil {
			continue
		}
		withBody++
		t.Run(v.name(), func(t *testing.T) {
			n, f := h.attack(t, v)
			sends += n
			fields += f
		})
	}
	reads := 0
	for _, v := range variants {
		t.Run("ids "+v.name(), func(t *testing.T) { reads += h.attackPath(t, v) })
	}
	t.Logf("%d documented operations; %d with a JSON body (counting each {action}); %d (operation, field) pairs attacked with %d bodies; %d hostile paths and queries; %d page renders checked",
		len(h.ops), withBody, fields, sends, reads, h.pagesChecked)
	require.Greater(t, withBody, 10, "the document lists the API's writes")
	require.Greater(t, sends, 3000)
	require.Greater(t, h.pagesChecked, 20, "hostile markup reached the pages and was checked there")

	// The lead's project named with a script tag shows it as text.
	p := h.api(t, hostileLead).get("/projects/"+h.project).expect(t, http.StatusOK)
	h.api(t, hostileLead).patch("/projects/"+h.project, map[string]any{"version": p["version"], "name": scriptPayload}).
		expect(t, http.StatusOK)
	page := h.page(t, hostileLead, "/projects/"+h.project)
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.NotContains(t, page.body, scriptPayload)
	require.Contains(t, page.body, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

// expand makes one variant per value of each enum path parameter.
func expand(op hostileOp) []hostileVariant {
	out := []hostileVariant{{op: op, fixed: map[string]string{}}}
	for _, p := range op.pathParams {
		if len(p.Schema.Enum) == 0 {
			continue
		}
		var next []hostileVariant
		for _, v := range out {
			for _, e := range p.Schema.Enum {
				fixed := map[string]string{p.Name: e}
				for k, val := range v.fixed {
					fixed[k] = val
				}
				next = append(next, hostileVariant{op: op, fixed: fixed})
			}
		}
		out = next
	}
	return out
}

// attack sends every hostile value in every field of an otherwise valid body. After
// each success the fixture is made again (a request answered, an escalation decided
// is used up; the shared project stays) and versions are read afresh. It returns
// how many bodies it sent and how many fields it attacked.
func (h *hostileAPI) attack(t *testing.T, v hostileVariant) (int, int) {
	tg := h.target(t, v)
	path := tg.path(v.op.template)

	// The probe: the first shape of body that the fixture's caller, or else one of a
	// few others, gets accepted. It says which fields a success echoes.
	callers := []string{hostileLead, "admin@accord.demo", "ceo@accord.demo", "it@accord.demo"}
	if tg.caller != "" {
		callers = append([]string{tg.caller}, callers...)
	}
	var probe apiResponse
	var shape []string
	var base map[string]any
probing:
	for _, sh := range shapes(v.op.body) {
		for _, c := range callers {
			base = h.baseBody(t, v, tg, sh)
			probe = h.do(t, c, "the base body", v.op.method, path, mustJSON(t, base))
			if probe.status < 300 {
				tg.caller, shape = c, sh
				break probing
			}
		}
	}
	require.Less(t, probe.status, 300, "%s: no otherwise valid body is accepted; the last, %v: %s", v.name(), base, probe.raw)
	echoed := map[string]bool{}
	for field, val := range base {
		if s, ok := val.(string); ok && isFreeText(v.op.body, field) && probe.body[field] == strings.TrimSpace(s) {
			echoed[field] = true
		}
	}
	caller := tg.caller
	_, versioned := v.op.body.Properties["version"]
	renew := func() {
		tg = h.target(t, v)
		tg.caller = caller
		path = tg.path(v.op.template)
		if versioned {
			tg.version = h.version(t, v, tg)
		}
	}
	renew()
	send := func(what string, body []byte) apiResponse {
		resp := h.do(t, tg.caller, what, v.op.method, path, body)
		if resp.status == http.StatusConflict && versioned {
			tg.version = h.version(t, v, tg)
		}
		if resp.status < 300 {
			// An empty body, or null, may mean "nothing sent" (mark all read); the rest are not bodies.
			if strings.HasPrefix(what, "body ") && what != "body "+trim("") && what != "body "+trim("null") {
				t.Errorf("%s %s: a body that is not the operation's was accepted: %s", v.name(), what, resp.raw)
			}
			renew()
		}
		return resp
	}
	// Variants of one operation ({action} values) decode the same body the same way:
	// the first gets the whole corpus, the others a value of each kind (markup,
	// control bytes, invalid UTF-8, long text, empty), which is what differs
	// downstream: what each one stores.
	strs, raws := apiHostileStrings, apiHostileRaw
	if h.attacked[v.op.method+" "+v.op.template] {
		strs, raws = apiHostileCore, nil
	}
	h.attacked[v.op.method+" "+v.op.template] = true
	fields := sortedKeys(v.op.body.Properties)
	sent := 0
	for _, field := range fields {
		for _, value := range strs {
			raw, err := json.Marshal(value)
			require.NoError(t, err)
			if !utf8.ValidString(value) { // invalid UTF-8 goes on the wire as it is
				raw = []byte(`"` + value + `"`)
			}
			resp := send(fmt.Sprintf("%s=%q", field, value), encode(t, h.baseBody(t, v, tg, shape), field, raw))
			sent++
			if badText(value) && (isFreeText(v.op.body, field) && !ignoredText[field] || !utf8.ValidString(value)) {
				// The rule forms apply (accord.TextProblem): refused, nothing stored.
				require.GreaterOrEqual(t, resp.status, 400, "%s %s=%q: text a form refuses was accepted: %s", v.name(), field, value, resp.raw)
				if isFreeText(v.op.body, field) && resp.status == http.StatusUnprocessableEntity && !utf8.ValidString(value) {
					require.NotEmpty(t, resp.str("error.fields."+field), "%s %s=%q: the problem names the field: %s", v.name(), field, value, resp.raw)
				}
			}
			if resp.status >= 300 {
				continue
			}
			var decoded string
			require.NoError(t, json.Unmarshal(raw, &decoded))
			if badText(value) && strings.TrimSpace(decoded) != "" {
				require.NotEqual(t, strings.TrimSpace(decoded), resp.body[field], "%s %s=%q: bad text stored", v.name(), field, value)
			}
			if echoed[field] && strings.TrimSpace(decoded) != "" { // blank asks for the default
				got, _ := resp.body[field].(string)
				require.True(t, strings.EqualFold(strings.TrimSpace(decoded), got),
					"%s %s=%q came back as %q: stored text comes back as sent, not cut or altered", v.name(), field, decoded, got)
			}
			if strings.Contains(value, "<") {
				h.checkPages(t, v, tg, resp)
			}
		}
		for _, raw := range raws {
			send(fmt.Sprintf("%s=%s", field, trim(raw)), encode(t, h.baseBody(t, v, tg, shape), field, []byte(raw)))
			sent++
		}
		// Lone surrogates, which Go's decoder would turn into U+FFFD: refused like the
		// invalid UTF-8 a form gets, in every field.
		for _, lone := range []string{`"a\ud800b"`, `"\udc00"`, `"\ud800\u0041"`} {
			resp := send(field+" lone surrogate "+lone, encode(t, h.baseBody(t, v, tg, shape), field, []byte(lone)))
			sent++
			require.GreaterOrEqual(t, resp.status, 400, "%s %s=%s: a lone surrogate was accepted: %s", v.name(), field, lone, resp.raw)
		}
		// A raw control byte inside a JSON string is not JSON.
		send(field+" raw control byte", encode(t, h.baseBody(t, v, tg, shape), field, []byte("\"a\x01b\"")))
		sent++
	}
	for _, raw := range apiHostileBodies {
		send("body "+trim(raw), []byte(raw))
		sent++
	}
	// Over the limit: one field a megabyte long, and a valid body behind a megabyte of
	// whitespace. Both get 413.
	for _, big := range []struct {
		what string
		body []byte
	}{
		{"1 MB field", encode(t, h.baseBody(t, v, tg, shape), firstString(v.op.body), []byte(`"`+strings.Repeat("长", 1<<20/3+1)+`"`))},
		{"1 MB whitespace", append(bytes.Repeat([]byte(" "), 1<<20), mustJSON(t, h.baseBody(t, v, tg, shape))...)},
	} {
		resp := send(big.what, big.body)
		sent++
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.status, "%s %s: %s", v.name(), big.what, resp.raw)
		require.Equal(t, "too_large", resp.str("error.code"))
	}
	return sent, len(fields)
}

// ignoredText are free-text fields a body may carry where they are dropped unread
// (external_party beside a holder unit, alt_title and alt_party for a decision that
// is not an alternative) or that are secrets, not text anyone reads (password): forms accept
// them alike. Bad text in them is never stored, which the echo check below holds.
var ignoredText = map[string]bool{"external_party": true, "alt_title": true, "alt_party": true, "password": true}

// badText is text that accord.TextProblem refuses in any field, even a multi-line
// one: invalid UTF-8, NUL or another control character.
func badText(s string) bool {
	return accord.TextProblem(s, accord.LineText(0)) == "field_bad_characters"
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// firstString is the body's first string property, where a megabyte fits; with none,
// an undocumented field carries it (the limit comes before the field check).
func firstString(s *jsonSchema) string {
	for _, k := range sortedKeys(s.Properties) {
		var p jsonSchema
		if json.Unmarshal(s.Properties[k], &p) == nil && slices.Contains(schemaTypes(p), "string") && len(p.Enum) == 0 &&
			p.Format == "" && p.Pattern == "" {
			return k
		}
	}
	return "padding"
}

func mustJSON(t *testing.T, v any) []byte {
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return out
}

func trim(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q… (%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// hostilePages are the HTML pages that show what an operation returning each schema
// stored. {self} is the returned object's id; {project} and {request} come from its
// fields or from the path. A success that stores text with a schema not listed here
// fails: say where the new thing shows.
var hostilePages = map[string][]string{
	"Project":       {"/projects/{self}", "/projects/{self}/tracker", "/projects"},
	"Need":          {"/projects/{project}", "/projects/{project}/tracker"},
	"Request":       {"/requests/{self}", "/projects/{project}/tracker", "/inbox"},
	"ProgressEntry": {"/requests/{request}", "/projects/{project}/tracker"},
	"Escalation":    {"/escalations/{self}", "/requests/{request}", "/escalations"},
	"Unit":          {"/units/{self}", "/admin/units/{self}", "/org"},
	"UserWithUnits": {"/admin/users/{self}", "/admin/users"},
	"Commitment":    {"/projects/{project}/commitments", "/projects/{project}"},
	"Exchange":      {"/projects/{project}"},
	"Comment":       {"/requests/{request}", "/escalations/{escalation}", "/projects/{project}/conversation"},
	"Advice":        {"/escalations/{escalation}"},
}

// checkPages loads, as the caller, the pages that show what a success just stored:
// hostile markup is text there, never markup.
func (h *hostileAPI) checkPages(t *testing.T, v hostileVariant, tg hostileTarget, resp apiResponse) {
	t.Helper()
	templates, ok := hostilePages[v.op.result]
	require.True(t, ok, "%s stored text and returns %q, which hostilePages lacks: say which pages show it", v.name(), v.op.result)
	ids := map[string]string{}
	if self, ok := resp.body["id"].(string); ok {
		ids["self"] = self
	} else if self, ok := dig(resp.body, "user.id").(string); ok {
		ids["self"] = self
	}
	for _, k := range []string{"project", "request", "escalation"} {
		if id, ok := resp.body[k+"_id"].(string); ok {
			ids[k] = id
		} else if strings.HasPrefix(v.op.template, "/"+k+"s/{id}") {
			ids[k] = tg.params["id"]
		}
	}
	shown := 0
	for _, tpl := range templates {
		path := tpl
		for k, id := range ids {
			path = strings.ReplaceAll(path, "{"+k+"}", id)
		}
		if strings.Contains(path, "{") {
			continue // this success did not say which one
		}
		page := h.page(t, tg.caller, path)
		require.Less(t, page.StatusCode, 500, "%s: %s", v.name(), path)
		if page.StatusCode != http.StatusOK {
			continue
		}
		shown++
		h.pagesChecked++
		require.NotContains(t, page.body, scriptPayload, "%s: raw markup on %s", v.name(), path)
		require.NotContains(t, page.body, `<img src=x onerror`, "%s: raw markup on %s", v.name(), path)
	}
	require.Positive(t, shown, "%s: none of the pages %v showed for %s: %s", v.name(), templates, tg.caller, resp.raw)
}

// attackPath sends hostile ids in each path parameter and hostile values in each
// query parameter: 400 or 404 for the ids, and never 5xx. Writes carry their base body.
func (h *hostileAPI) attackPath(t *testing.T, v hostileVariant) int {
	tg := h.target(t, v)
	if tg.caller == "" {
		tg.caller = "admin@accord.demo" // may call anything: what it gets comes from the id alone
	}
	var body []byte
	if v.op.body != nil {
		body = mustJSON(t, h.baseBody(t, v, tg, nil))
	}
	sent := 0
	for _, p := range v.op.pathParams {
		if _, fixed := v.fixed[p.Name]; fixed {
			continue
		}
		for _, bad := range apiHostileIDs {
			params := map[string]string{}
			for k, val := range tg.params {
				params[k] = val
			}
			params[p.Name] = bad
			path := hostileTarget{params: params}.path(v.op.template)
			resp := h.do(t, tg.caller, "hostile "+p.Name, v.op.method, path, body)
			sent++
			require.Contains(t, []int{http.StatusBadRequest, http.StatusNotFound}, resp.status, "%s: %s", path, resp.raw)
		}
	}
	if v.op.method == http.MethodGet {
		base := tg.path(v.op.template)
		for _, q := range v.op.queryParams {
			for _, bad := range apiHostileQuery {
				path := base + "?" + url.QueryEscape(q.Name) + "=" + bad
				h.do(t, tg.caller, "hostile ?"+q.Name, v.op.method, path, nil)
				sent++
			}
		}
	}
	return sent
}
