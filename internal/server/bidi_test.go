package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"accord/internal/demo"
)

// rlo is RIGHT-TO-LEFT OVERRIDE: text after it reads backwards until a PDF, an
// isolate's end or the end of the paragraph. Unisolated in a page, a need titled with
// it would reverse what follows it on the line.
const rlo = "\u202e"

// TestUserTextIsIsolatedOnEveryPage stores text holding U+202E through both faces in
// projects, needs, requests, commitments, comments, a unit and a person, checks it is
// stored as typed, then loads, as each person who can see it, every page a seed page
// links to: every text node that holds U+202E sits inside <bdi> or an element with a
// dir attribute that holds nothing after it, so it cannot reorder the page, or the
// rest of a sentence, around it.
func TestUserTextIsIsolatedOnEveryPage(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	units := b.units(t)
	it, aftersales := idStr(units["IT"].ID), idStr(units["After-sales"].ID)
	lead := b.api(t, "aftersales@accord.demo")
	admin := b.api(t, "admin@accord.demo")
	text := func(s string) string { return "甲" + rlo + s + " 乙" }

	// The JSON face.
	p := lead.post("/projects", map[string]any{"name": text("项目api"), "name_en": text("project api"),
		"owning_unit_id": aftersales, "goal_statement": text("goal api")}).expect(t, http.StatusCreated)
	pid := p["id"].(string)
	require.Equal(t, text("project api"), p["name_en"], "stored as typed")
	need := lead.post("/projects/"+pid+"/needs", map[string]any{"title": text("需求api"), "title_en": text("need api"),
		"holder_unit_id": it, "tier": "P1", "effort_days": 3, "notes": text("notes api"),
		"external_party": text("party api")}).expect(t, http.StatusCreated)
	require.Equal(t, text("need api"), need["title_en"])
	req := lead.post("/needs/"+need["id"].(string)+"/request", map[string]any{"message": text("message api")}).
		expect(t, http.StatusCreated)
	rid := req["id"].(string)
	lead.post("/requests/"+rid+"/comments", map[string]any{"body": text("comment api")}).expect(t, http.StatusCreated)
	lead.post("/projects/"+pid+"/comments", map[string]any{"body": text("project comment api")}).expect(t, http.StatusCreated)
	lead.post("/projects/"+pid+"/commitments", map[string]any{"unit_id": it, "what": text("commitment api"),
		"status": "open"}).expect(t, http.StatusCreated)
	esc := lead.post("/requests/"+rid+"/escalate", map[string]any{"reason": text("reason api")}).expect(t, http.StatusCreated)
	eid := esc["id"].(string)
	b.api(t, "it@accord.demo").post("/escalations/"+eid+"/statement", map[string]any{"text": text("statement api")}).
		expect(t, http.StatusOK)
	b.api(t, "it@accord.demo").post("/escalations/"+eid+"/comments", map[string]any{"body": text("escalation comment api")}).
		expect(t, http.StatusCreated)
	unit := admin.post("/units", map[string]any{"name": text("单位api"), "name_en": text("unit api"),
		"parent_id": aftersales}).expect(t, http.StatusCreated)
	admin.post("/users", map[string]any{"email": "bidi@accord.demo", "name": text("人api"), "name_en": text("person api"),
		"password": demo.Password, "unit_id": unit["id"]}).expect(t, http.StatusCreated)

	// The HTML face.
	c := b.login(t, "aftersales@accord.demo")
	resp := c.post("/projects", url.Values{"name": {text("项目form")}, "name_en": {text("project form")},
		"owning_unit_id": {aftersales}, "lead_email": {"aftersales@accord.demo"}, "cadence_days": {"14"},
		"status": {"active"}, "currency": {"CNY"}, "goal_statement": {text("goal form")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	var pid2 string
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT id::text FROM projects WHERE name_en = $1`, text("project form")).Scan(&pid2))
	resp = c.post("/projects/"+pid+"/needs", url.Values{"title": {text("需求form")}, "title_en": {text("need form")},
		"tier": {"P1"}, "holder_unit_id": {it}, "effort_days": {"2"}, "notes": {text("notes form")}})
	require.Less(t, resp.StatusCode, 400, resp.body)
	resp = c.post("/projects/"+pid+"/commitments", url.Values{"unit_id": {it}, "what": {text("commitment form")}, "status": {"open"}})
	require.Less(t, resp.StatusCode, 400, resp.body)
	resp = c.post("/requests/"+rid+"/comments", url.Values{"body": {text("comment form")}})
	require.Less(t, resp.StatusCode, 400, resp.body)
	resp = c.post("/projects/"+pid2+"/comments", url.Values{"body": {text("project comment form")}})
	require.Less(t, resp.StatusCode, 400, resp.body)

	// Stored as typed on both faces.
	for table, want := range map[string]int{"projects WHERE name_en": 2, "needs WHERE title_en": 2,
		"comments WHERE body": 5, "escalations WHERE reason": 1, "commitments WHERE what": 2, "units WHERE name_en": 1, "users WHERE name_en": 1} {
		var n int
		require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FROM `+table+` LIKE $1 || '%'`, "甲"+rlo).Scan(&n))
		require.Equal(t, want, n, table)
	}

	// Sentences name people and units the test did not create: authors, deciders,
	// heads, advisers, stand-ins. Every person and unit gets the override too, and
	// the records that show them in sentences are made: a request passed on to
	// another unit, one declined for approval with its pack attached, an adviser
	// asked, a stand-in.
	data := units["Data"].ID
	nreq := func(title string) (string, float64) {
		n := lead.post("/projects/"+pid+"/needs", map[string]any{"title": text(title), "title_en": text(title + " en"),
			"holder_unit_id": it, "tier": "P1", "effort_days": 2}).expect(t, http.StatusCreated)
		r := lead.post("/needs/"+n["id"].(string)+"/request", map[string]any{"message": text("message " + title)}).
			expect(t, http.StatusCreated)
		return r["id"].(string), r["version"].(float64)
	}
	itHead := b.api(t, "it@accord.demo")
	moved, version := nreq("传递")
	itHead.post("/requests/"+moved+"/transfer", map[string]any{"version": version, "unit_id": idStr(data),
		"reason": text("transfer reason")}).expect(t, http.StatusOK)
	packed, version := nreq("审批")
	itHead.post("/requests/"+packed+"/decline", map[string]any{"version": version, "obstacle": "needs_approval",
		"reason": text("approval reason")}).expect(t, http.StatusOK)
	assigned, err := strconv.ParseInt(esc["assigned_user_id"].(string), 10, 64)
	require.NoError(t, err)
	superior := b.loginID(t, assigned)
	resp = superior.post("/escalations/"+eid+"/advice", url.Values{"adviser": {"legal@accord.demo"}, "question": {text("question")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	resp = b.login(t, "it@accord.demo").post("/settings/away", url.Values{"stand_in": {"sales@accord.demo"},
		"starts_on": {b.companyDay(0)}, "ends_on": {b.companyDay(3)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	for _, table := range []string{"users", "units"} {
		_, err := b.st.Pool().Exec(ctx, `UPDATE `+table+` SET name = '甲' || chr(8238) || name || ' 乙',
			name_en = CASE WHEN coalesce(name_en, '') = '' THEN name_en ELSE '甲' || chr(8238) || name_en || ' 乙' END
			WHERE name NOT LIKE '甲' || chr(8238) || '%'`)
		require.NoError(t, err)
	}
	// The pack is written when asked for, so after the names changed.
	resp = c.post("/requests/"+packed+"/approval-pack", url.Values{"lang": {"en"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	var retro string
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT project_id::text FROM retrospectives LIMIT 1`).Scan(&retro))

	seeds := map[string][]string{
		"aftersales@accord.demo": {"/", "/projects", "/projects/" + pid, "/projects/" + pid2, "/requests/" + rid,
			"/projects/" + pid + "/tracker", "/projects/" + pid + "/history", "/projects/" + pid + "/commitments",
			"/projects/" + pid + "/conversation", "/projects/" + pid2 + "/conversation", "/search?q=api",
			"/search?q=form", "/notifications", "/projects/" + pid + "/send", "/projects/" + pid + "/edit", "/escalations/" + eid, "/escalations",
			"/requests/" + moved, "/requests/" + packed, "/projects/" + retro + "/retro", "/projects/" + retro + "/conversation"},
		"it@accord.demo": {"/", "/inbox", "/requests/" + rid, "/escalations/" + eid, "/escalations", "/notifications", "/units/" + it, "/search?q=api",
			"/settings/away", "/requests/" + moved, "/requests/" + packed},
		"sales@accord.demo": {"/", "/inbox", "/requests/" + rid, "/requests/" + packed, "/settings/away"},
		"legal@accord.demo": {"/", "/escalations/" + eid, "/escalations"},
		"admin@accord.demo": {"/admin/users", "/admin/units", "/admin/units/" + unit["id"].(string), "/org",
			"/units/" + unit["id"].(string), "/portfolio"},
		"ceo@accord.demo": {"/portfolio", "/escalations/" + eid, "/escalations", "/projects/" + pid, "/units/" + aftersales, "/"},
	}
	var decider string
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT email FROM users WHERE id = $1`, assigned).Scan(&decider))
	seeds[decider] = append(seeds[decider], "/", "/escalations/"+eid, "/escalations")
	var failures []string
	loaded, shown := 0, 0
	for email, pages := range seeds {
		s := b.login(t, email)
		seen := map[string]bool{}
		queue := slices.Clone(pages)
		depth := map[string]int{}
		for len(queue) > 0 && len(seen) < 160 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			page := s.get(path)
			require.Less(t, page.StatusCode, 500, "%s as %s", path, email)
			if page.StatusCode != http.StatusOK || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
				continue
			}
			loaded++
			doc, err := html.Parse(strings.NewReader(page.body))
			require.NoError(t, err)
			n, bad := unisolated(doc)
			shown += n
			for _, where := range bad {
				failures = append(failures, fmt.Sprintf("%s as %s: %s", path, email, where))
			}
			if depth[path] > 0 {
				continue
			}
			for _, href := range links(doc) {
				if !seen[href] {
					depth[href] = depth[path] + 1
					queue = append(queue, href)
				}
			}
		}
	}
	// The approval pack is a file attached to the request's conversation.
	link := c.get("/requests/"+packed).doc.Find(`[data-testid="attachment"] a`).Last().AttrOr("href", "")
	require.NotEmpty(t, link, "the pack is attached")
	pack := c.get(link)
	require.Equal(t, http.StatusOK, pack.StatusCode)
	doc, err := html.Parse(strings.NewReader(pack.body))
	require.NoError(t, err)
	n, bad := unisolated(doc)
	require.Greater(t, n, 3, "the pack names people, units and the need")
	shown += n
	for _, where := range bad {
		failures = append(failures, "the approval pack: "+where)
	}
	t.Logf("%d pages loaded, %d text nodes with U+202E, %d not isolated", loaded, shown, len(failures))
	require.Greater(t, shown, 50, "the stored text reached the pages")
	require.Empty(t, failures, "user text shown without <bdi> or dir around it:\n%s", strings.Join(failures, "\n"))
}

// unisolated counts the text nodes holding U+202E and describes those with no
// ancestor that is <bdi> or carries dir.
func unisolated(doc *html.Node) (int, []string) {
	count := 0
	var bad []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style") {
			return
		}
		if n.Type == html.TextNode && strings.Contains(n.Data, rlo) {
			count++
			if why := isolation(n); why != "" {
				bad = append(bad, why+": "+ancestry(n)+" "+fmt.Sprintf("%q", strings.TrimSpace(n.Data)))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return count, bad
}

// isolation says what is wrong with how a text node holding U+202E is isolated, or
// "" when it is: its nearest ancestor that is <bdi> or has dir must end where the
// stored text ends (every stored text here ends in "乙"), so the override reverses
// nothing after it. The document's <title> and a <textarea> hold no markup; there
// an FSI … PDI pair around the user's text does the same.
func isolation(n *html.Node) string {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type != html.ElementNode {
			continue
		}
		if p.Data == "option" || p.Namespace == "svg" {
			// No markup inside: the element's own text is its isolate, or FSI … PDI
			// marks the user text when words follow it.
			if !strings.HasSuffix(strings.TrimSpace(n.Data), "乙") && !fsiIsolated(n.Data) {
				return "user text with words after it and no FSI … PDI around it"
			}
			return ""
		}
		if p.Data == "title" || p.Data == "textarea" {
			if !slices.ContainsFunc(p.Attr, func(a html.Attribute) bool { return a.Key == "dir" }) {
				return "no dir"
			}
			if p.Data == "title" && !strings.Contains(n.Data, "\u2068") {
				return "the title's user text without FSI … PDI"
			}
			return ""
		}
		isolating := p.Data == "bdi" || slices.ContainsFunc(p.Attr, func(a html.Attribute) bool { return a.Key == "dir" })
		if !isolating {
			continue
		}
		// An FSI … PDI pair inside the element's text isolates as well (a sentence
		// stored with the user's text marked, such as an attached pack's comment).
		if text := strings.TrimSpace(textContent(p)); !strings.HasSuffix(text, "乙") && !fsiIsolated(n.Data) {
			return fmt.Sprintf("isolated with words after it (%q)", text)
		}
		return ""
	}
	return "not isolated"
}

// fsiIsolated says whether every U+202E in s sits between FSI and PDI, with the
// stored text ending where the isolate ends (or shortened inside it, as a chart's
// row label is, with "…"): where no element can isolate (an <option>), the marks do.
func fsiIsolated(s string) bool {
	depth := 0
	var cur strings.Builder
	for _, r := range s {
		switch {
		case r == '\u2068':
			if depth == 0 {
				cur.Reset()
			}
			depth++
		case r == '\u2069' && depth > 0:
			depth--
			if depth == 0 && strings.Contains(cur.String(), rlo) && !strings.HasSuffix(strings.TrimSpace(cur.String()), "乙") &&
				!strings.Contains(cur.String(), "…") {
				return false
			}
		case string(r) == rlo && depth == 0:
			return false
		}
		if depth > 0 && r != '\u2068' {
			cur.WriteRune(r)
		}
	}
	return depth == 0
}

func textContent(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textContent(c))
	}
	return b.String()
}

// ancestry names a node's nearest elements, innermost last, with their class and test id.
func ancestry(n *html.Node) string {
	var parts []string
	for p := n.Parent; p != nil && p.Type == html.ElementNode && len(parts) < 4; p = p.Parent {
		s := p.Data
		for _, a := range p.Attr {
			switch a.Key {
			case "class":
				s += "." + strings.ReplaceAll(a.Val, " ", ".")
			case "data-testid":
				s += "[" + a.Val + "]"
			}
		}
		parts = append([]string{s}, parts...)
	}
	return strings.Join(parts, " > ")
}

// links are the page's same-site links worth loading: pages, not files or sign-out.
func links(doc *html.Node) []string {
	var out []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "a" {
			for _, a := range n.Attr {
				if a.Key != "href" || !strings.HasPrefix(a.Val, "/") || strings.HasPrefix(a.Val, "//") {
					continue
				}
				href, _, _ := strings.Cut(a.Val, "#")
				if href == "" || slices.ContainsFunc([]string{"logout", ".csv", ".xlsx", ".ics", ".pdf", "/attachments/",
					"/export", "/download", "/static/", "/calendar/"}, func(s string) bool { return strings.Contains(href, s) }) {
					continue
				}
				out = append(out, href)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// plain is the page's text as a person reads it, without markup: a sentence whose
// names and titles each sit in <bdi> reads as one string.
func (r response) plain() string { return r.doc.Text() }
