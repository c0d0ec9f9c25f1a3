package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"
)

// The API's test kit: a token client whose every response is checked against the
// OpenAPI document the server serves, and the check that router and document agree.

// apiClient calls the API with one user's token (none for anonymous).
type apiClient struct {
	t     *testing.T
	b     *testBundle
	token string
	lang  string
}

// apiToken issues a token for a demo user straight through the store.
func (b *testBundle) apiToken(t *testing.T, email string) string {
	t.Helper()
	u := b.user(t, email)
	_, secret, err := b.st.CreateToken(context.Background(), u.ID, u.ID, "test", time.Now())
	require.NoError(t, err)
	return secret
}

// api returns a client acting as email; "" is anonymous.
func (b *testBundle) api(t *testing.T, email string) *apiClient {
	c := &apiClient{t: t, b: b, lang: "en"}
	if email != "" {
		c.token = b.apiToken(t, email)
	}
	return c
}

// apiResponse is a response with its decoded JSON body.
type apiResponse struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// send makes a request; body is JSON-encoded unless it is already []byte. The
// response is validated against the document for its path, method and status.
func (c *apiClient) send(method, path string, body any) apiResponse {
	c.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		reader = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(c.t, err)
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, c.b.srv.URL+"/api/v1"+path, reader)
	require.NoError(c.t, err)
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	out := apiResponse{status: resp.StatusCode, header: resp.Header, raw: raw}
	if resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == "application/octet-stream" {
		return out // a file, documented as bytes (GET /attachments/{id})
	}
	if len(raw) > 0 {
		require.Equal(c.t, "application/json", resp.Header.Get("Content-Type"), "%s %s: %s", method, path, raw)
		require.NoError(c.t, json.Unmarshal(raw, &out.body), "%s %s: %s", method, path, raw)
	}
	apiDocFor(c.t, c.b).validateResponse(c.t, method, path, out)
	return out
}

func (c *apiClient) get(path string) apiResponse {
	c.t.Helper()
	return c.send(http.MethodGet, path, nil)
}

func (c *apiClient) post(path string, body any) apiResponse {
	c.t.Helper()
	return c.send(http.MethodPost, path, body)
}

func (c *apiClient) patch(path string, body any) apiResponse {
	c.t.Helper()
	return c.send(http.MethodPatch, path, body)
}

// ok requires status and returns the body.
func (r apiResponse) expect(t *testing.T, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, "body: %s", r.raw)
	return r.body
}

// str reads a string at a dotted path ("error.fields.name").
func (r apiResponse) str(path string) string {
	v := dig(r.body, path)
	s, _ := v.(string)
	return s
}

func dig(v any, path string) any {
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[key]
	}
	return v
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// ---- the OpenAPI document ----

type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas   map[string]json.RawMessage `json:"schemas"`
		Responses map[string]struct {
			Content map[string]struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"components"`
}

type openAPIOperation struct {
	Responses map[string]struct {
		Ref     string `json:"$ref"`
		Content map[string]struct {
			Schema json.RawMessage `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

var (
	docOnce sync.Once
	docVal  *openAPIDoc
	docRaw  []byte
)

// apiDocFor fetches the document from the server once per test binary.
func apiDocFor(t *testing.T, b *testBundle) *openAPIDoc {
	t.Helper()
	docOnce.Do(func() {
		resp, err := http.Get(b.srv.URL + "/api/v1/openapi.json")
		if err != nil {
			return
		}
		defer resp.Body.Close()
		docRaw, _ = io.ReadAll(resp.Body)
		var d openAPIDoc
		if json.Unmarshal(docRaw, &d) == nil {
			docVal = &d
		}
	})
	require.NotNil(t, docVal, "the OpenAPI document is served and parses")
	return docVal
}

// matchPath finds the documented path template a concrete path falls under; static
// segments beat parameters, as in the router.
func (d *openAPIDoc) matchPath(path string) (string, bool) {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best, bestStatic := "", -1
	for tpl := range d.Paths {
		tsegs := strings.Split(strings.Trim(tpl, "/"), "/")
		if len(tsegs) != len(segs) {
			continue
		}
		static, ok := 0, true
		for i, ts := range tsegs {
			switch {
			case strings.HasPrefix(ts, "{"):
			case ts == segs[i]:
				static++
			default:
				ok = false
			}
		}
		if ok && static > bestStatic {
			best, bestStatic = tpl, static
		}
	}
	return best, bestStatic >= 0
}

// validateResponse checks a response's status is documented for the operation and
// its body fits the documented schema.
func (d *openAPIDoc) validateResponse(t *testing.T, method, path string, r apiResponse) {
	t.Helper()
	if r.status == http.StatusMethodNotAllowed || r.status >= 500 {
		require.Less(t, r.status, 500, "%s %s: a server error: %s", method, path, r.raw)
		return
	}
	tpl, ok := d.matchPath(path)
	if !ok {
		require.Equal(t, http.StatusNotFound, r.status, "%s %s is not documented", method, path)
		return
	}
	rawOp, ok := d.Paths[tpl][strings.ToLower(method)]
	if !ok {
		return // the router answered 405; nothing documented to check
	}
	var op openAPIOperation
	require.NoError(t, json.Unmarshal(rawOp, &op))
	code := fmt.Sprint(r.status)
	resp, ok := op.Responses[code]
	require.True(t, ok, "%s %s: status %d is not documented for %s %s (body %s)", method, path, r.status, method, tpl, r.raw)
	schema := json.RawMessage(nil)
	if resp.Ref != "" {
		name := strings.TrimPrefix(resp.Ref, "#/components/responses/")
		if c, ok := d.Components.Responses[name].Content["application/json"]; ok {
			schema = c.Schema
		}
	} else if c, ok := resp.Content["application/json"]; ok {
		schema = c.Schema
	}
	if schema == nil {
		require.Empty(t, r.raw, "%s %s: %d documents no body", method, path, r.status)
		return
	}
	var body any
	require.NoError(t, json.Unmarshal(r.raw, &body))
	if problems := d.validate(schema, body, "$"); len(problems) > 0 {
		t.Fatalf("%s %s (%d) does not fit the documented schema:\n  %s\nbody: %s", method, path, r.status,
			strings.Join(problems, "\n  "), r.raw)
	}
}

type jsonSchema struct {
	Ref                  string                     `json:"$ref"`
	Type                 any                        `json:"type"`
	Format               string                     `json:"format"`
	Pattern              string                     `json:"pattern"`
	Enum                 []any                      `json:"enum"`
	Required             []string                   `json:"required"`
	Properties           map[string]json.RawMessage `json:"properties"`
	AdditionalProperties json.RawMessage            `json:"additionalProperties"`
	Items                json.RawMessage            `json:"items"`
	OneOf                []json.RawMessage          `json:"oneOf"`
}

// validate is a small JSON Schema check: $ref, type (with null), required,
// properties, additionalProperties, items, enum, oneOf, pattern, date and date-time.
func (d *openAPIDoc) validate(raw json.RawMessage, v any, at string) []string {
	var s jsonSchema
	if err := json.Unmarshal(raw, &s); err != nil {
		return []string{at + ": bad schema: " + err.Error()}
	}
	if s.Ref != "" {
		return d.validate(d.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")], v, at)
	}
	if len(s.OneOf) > 0 {
		matched := 0
		for _, alt := range s.OneOf {
			if len(d.validate(alt, v, at)) == 0 {
				matched++
			}
		}
		if matched != 1 {
			return []string{fmt.Sprintf("%s: matches %d of oneOf", at, matched)}
		}
		return nil
	}
	var types []string
	switch tv := s.Type.(type) {
	case string:
		types = []string{tv}
	case []any:
		for _, x := range tv {
			types = append(types, fmt.Sprint(x))
		}
	}
	if len(types) > 0 && !slicesContains(types, jsonTypeOf(v)) &&
		!(jsonTypeOf(v) == "integer" && slicesContains(types, "number")) {
		return []string{fmt.Sprintf("%s: is %s, want %v", at, jsonTypeOf(v), types)}
	}
	if len(s.Enum) > 0 {
		found := false
		for _, e := range s.Enum {
			found = found || e == v
		}
		if !found {
			return []string{fmt.Sprintf("%s: %v is not one of %v", at, v, s.Enum)}
		}
	}
	var problems []string
	switch val := v.(type) {
	case string:
		if s.Pattern != "" && !regexp.MustCompile(s.Pattern).MatchString(val) {
			problems = append(problems, fmt.Sprintf("%s: %q does not match %s", at, val, s.Pattern))
		}
		switch s.Format {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, val); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %q is not RFC 3339", at, val))
			}
		case "date":
			if _, err := time.Parse(time.DateOnly, val); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %q is not a date", at, val))
			}
		}
	case map[string]any:
		for _, req := range s.Required {
			if _, ok := val[req]; !ok {
				problems = append(problems, fmt.Sprintf("%s: required %q missing", at, req))
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sub, ok := s.Properties[k]; ok {
				problems = append(problems, d.validate(sub, val[k], at+"."+k)...)
				continue
			}
			switch strings.TrimSpace(string(s.AdditionalProperties)) {
			case "", "true":
			case "false":
				problems = append(problems, fmt.Sprintf("%s: %q is not documented", at, k))
			default:
				problems = append(problems, d.validate(s.AdditionalProperties, val[k], at+"."+k)...)
			}
		}
	case []any:
		if s.Items != nil {
			for i, item := range val {
				problems = append(problems, d.validate(s.Items, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return problems
}

func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		// Trunc, not an int64 round trip: integers beyond int64 (9223372036854775807
		// decodes to 2^63) are still integers.
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// apiRoutes lists the router's API routes, "METHOD /path" with the /api/v1 prefix cut.
func apiRoutes(t *testing.T, b *testBundle) []string {
	t.Helper()
	var out []string
	require.NoError(t, chi.Walk(b.server.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if rest, ok := strings.CutPrefix(route, "/api/v1/"); ok {
			out = append(out, method+" /"+rest)
		}
		return nil
	}))
	sort.Strings(out)
	return out
}

// TestOpenAPIDocumentsEveryRoute: each API route is in the document, and each
// documented operation is a route.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	b := setup(t)
	doc := apiDocFor(t, b)
	var parsed map[string]any
	require.NoError(t, json.Unmarshal(docRaw, &parsed))
	require.Equal(t, "3.1.0", parsed["openapi"])

	routes := apiRoutes(t, b)
	require.Greater(t, len(routes), 20)
	seen := map[string]bool{}
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		seen[strings.ToLower(method)+" "+path] = true
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("route %s is missing from the OpenAPI document's paths", route)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("route %s: the document lacks %s for %s", route, method, path)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !seen[method+" "+path] {
				t.Errorf("the document has %s %s, which the router does not", strings.ToUpper(method), path)
			}
		}
	}
	// Every $ref points at something.
	for _, ref := range regexp.MustCompile(`"\$ref":\s*"#/components/(schemas|responses)/([A-Za-z]+)"`).FindAllStringSubmatch(string(docRaw), -1) {
		if ref[1] == "schemas" {
			require.Contains(t, doc.Components.Schemas, ref[2])
		} else {
			require.Contains(t, doc.Components.Responses, ref[2])
		}
	}
}

// TestSchemaValidatorCatchesMismatches keeps the validator honest: it must reject
// what does not fit.
func TestSchemaValidatorCatchesMismatches(t *testing.T) {
	b := setup(t)
	doc := apiDocFor(t, b)
	user := json.RawMessage(`{"$ref":"#/components/schemas/User"}`)
	good := map[string]any{"id": "1", "email": "a@b.c", "name": "甲", "name_en": "", "is_admin": false, "locale": "", "version": float64(1)}
	require.Empty(t, doc.validate(user, good, "$"))
	for name, mutate := range map[string]func(map[string]any){
		"id as number":  func(m map[string]any) { m["id"] = float64(1) },
		"missing email": func(m map[string]any) { delete(m, "email") },
		"bad locale":    func(m map[string]any) { m["locale"] = "fr" },
		"extra field":   func(m map[string]any) { m["password"] = "x" },
	} {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		mutate(m)
		require.NotEmpty(t, doc.validate(user, m, "$"), name)
	}
	unit := json.RawMessage(`{"$ref":"#/components/schemas/Unit"}`)
	require.NotEmpty(t, doc.validate(unit, map[string]any{"created_at": "yesterday"}, "$"))
}
