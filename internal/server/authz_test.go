package server_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// The authorisation matrix: every route the router has, against a table of roles.
// A route without an entry fails the test, so a new page cannot ship unreviewed.

// Roles, relative to the target project "Inventory car promotion" (led by sales@,
// owned by Sales, asking Finance, Marketing and F&I).
var matrixRoles = []struct{ name, email string }{
	{"anonymous", ""},
	{"plain member", "trainer@accord.demo"}, // Training: not involved
	{"lead of another project", "aftersales@accord.demo"},
	{"head of another unit", "legal@accord.demo"},
	{"executive of another branch", "cto@accord.demo"},
	{"admin", "admin@accord.demo"},
	{"holder's head", "marketing@accord.demo"}, // involved: holds a need, answers the request
}

// outcome is what a role gets: ok (served, whatever the form's fate), login
// (redirected to sign in), or a status that denies.
type outcome string

const (
	ok    outcome = "ok"
	login outcome = "login"
	nf    outcome = "404"
	fb    outcome = "403"
)

// policy gives the outcome per role, in matrixRoles order.
type policy [7]outcome

var (
	public        = policy{ok, ok, ok, ok, ok, ok, ok}
	signOut       = policy{login, login, login, login, login, login, login} // signing out ends at the sign-in page
	signedIn      = policy{login, ok, ok, ok, ok, ok, ok}
	adminOnly     = policy{login, nf, nf, nf, nf, ok, nf}
	projectView   = policy{login, nf, nf, nf, nf, ok, ok}
	projectEdit   = policy{login, nf, nf, nf, nf, ok, fb}
	projectCreate = policy{login, fb, ok, ok, ok, ok, ok} // heads and admins start projects
	goalWrite     = policy{login, fb, fb, fb, ok, ok, fb} // executives and admins keep goals
	requestLead   = policy{login, nf, nf, nf, nf, ok, fb} // the lead's steps (admins act as the lead)
	requestHolder = policy{login, nf, nf, nf, nf, fb, ok} // the holder's steps
	requestLog    = policy{login, nf, nf, nf, nf, ok, ok} // both sides write progress
	escalationSee = policy{login, nf, nf, nf, nf, ok, ok}
	decide        = policy{login, nf, nf, nf, nf, fb, fb} // the assigned superior only: admins do not decide
	reassign      = policy{login, nf, nf, nf, nf, ok, fb} // administrators move a stuck escalation
	refresh       = policy{login, nf, nf, nf, nf, fb, fb} // the project's lead only
	decideDirect  = policy{login, nf, nf, nf, nf, fb, fb} // a lead who heads the unit above both
	statement     = policy{login, nf, nf, nf, nf, fb, ok} // the two sides only
	recipient     = policy{login, nf, nf, nf, nf, nf, ok} // a notification: its recipient alone, admins included
	// A request's conversation: seen with the request, spoken in by both sides
	// (admins act as the lead); a comment is changed by its author alone, which the
	// page says (its conversation is seen first).
	requestTalk    = policy{login, nf, nf, nf, nf, ok, ok}
	escalationTalk = policy{login, nf, nf, nf, nf, fb, ok} // its superior and both sides: admins read only
	// The approval pack: the lead's, once the holder declined for want of approval,
	// which the fixture's request was not.
	packNotNow = policy{login, nf, nf, nf, nf, fb, fb}
)

// addPolicies lets a feature's own test file list its routes (call it from init).
func addPolicies(more map[string]policy) {
	for route, p := range more {
		if _, dup := routePolicies[route]; dup {
			panic("authz: route listed twice: " + route)
		}
		routePolicies[route] = p
	}
}

var routePolicies = map[string]policy{
	"GET /static/*": public, "GET /healthz": public, "GET /readyz": public,
	"GET /login": public, "POST /login": public, "POST /logout": signOut, "POST /lang": public,
	// Single sign-on: public when configured (sso_test.go); this server has it off.
	"GET /auth/oidc/start": ssoOff, "GET /auth/oidc/callback": ssoOff,

	"GET /": signedIn, "GET /org": signedIn, "GET /units/{id}": signedIn, "GET /inbox": signedIn,
	"GET /notifications": signedIn, "POST /notifications/read": signedIn, "GET /escalations": signedIn,
	"GET /projects": signedIn, "GET /goals": signedIn, "GET /goals/{id}": signedIn, "GET /search": signedIn,

	"GET /notifications/{id}/open": recipient,

	"GET /projects/new": projectCreate, "POST /projects": projectCreate,
	"GET /goals/new": goalWrite, "POST /goals": goalWrite, "GET /goals/{id}/edit": goalWrite, "POST /goals/{id}/edit": goalWrite,

	"GET /admin": adminOnly, "GET /admin/units": adminOnly, "POST /admin/units": adminOnly, "GET /admin/units/new": adminOnly,
	"GET /admin/units/{id}": adminOnly, "POST /admin/units/{id}/close": adminOnly, "POST /admin/units/{id}/head": adminOnly,
	"POST /admin/units/{id}/members": adminOnly, "POST /admin/units/{id}/members/{userID}/remove": adminOnly,
	"POST /admin/units/{id}/move": adminOnly, "POST /admin/units/{id}/rename": adminOnly,
	"GET /admin/users": adminOnly, "POST /admin/users": adminOnly, "GET /admin/users/new": adminOnly,
	"GET /admin/users/{id}": adminOnly, "POST /admin/users/{id}/deactivate": adminOnly,
	"POST /admin/users/{id}/units": adminOnly, "POST /admin/users/{id}/units/{unitID}/remove": adminOnly,

	"GET /projects/{id}": projectView, "GET /projects/{id}/history": projectView, "GET /projects/{id}/tracker": projectView,
	"GET /projects/{id}/export.xlsx": projectView, "GET /projects/{id}/{table}.csv": projectView,
	"GET /projects/{id}/needs": projectView, "GET /projects/{id}/commitments": projectView,
	"GET /projects/{id}/import-template.csv": projectView,

	"GET /projects/{id}/edit": projectEdit, "POST /projects/{id}/edit": projectEdit,
	"POST /projects/{id}/needs": projectEdit, "POST /projects/{id}/needs/{needID}": projectEdit,
	"POST /projects/{id}/needs/{needID}/delete": projectEdit, "GET /projects/{id}/needs/{needID}/edit": projectEdit,
	"POST /projects/{id}/commitments": projectEdit, "POST /projects/{id}/commitments/{commitmentID}": projectEdit,
	"POST /projects/{id}/commitments/{commitmentID}/delete": projectEdit,
	"GET /projects/{id}/commitments/{commitmentID}/edit":    projectEdit,
	"GET /projects/{id}/import":                             projectEdit, "POST /projects/{id}/import": projectEdit,
	"GET /projects/{id}/send": projectEdit, "POST /projects/{id}/send": projectEdit,
	"POST /projects/{id}/units/{unitID}/plan": projectEdit, "POST /projects/{id}/units/{unitID}/stance": projectEdit,

	"GET /requests/{id}":         projectView,
	"POST /requests/{id}/cancel": requestLead, "POST /requests/{id}/resend": requestLead,
	"POST /requests/{id}/accept-counter": requestLead, "POST /requests/{id}/refuse-counter": requestLead,
	"POST /requests/{id}/nudge": requestLead, "POST /requests/{id}/split": requestLead,
	"POST /requests/{id}/commit":  requestLead,
	"GET /requests/{id}/escalate": requestLead, "POST /requests/{id}/escalate": requestLead,
	"POST /requests/{id}/agree": requestHolder, "POST /requests/{id}/decline": requestHolder,
	"POST /requests/{id}/counter": requestHolder, "POST /requests/{id}/delegate": requestHolder,
	"POST /requests/{id}/start": requestHolder, "POST /requests/{id}/deliver": requestHolder,
	"POST /requests/{id}/progress": requestLog,
	"POST /requests/{id}/transfer": requestHolder, "POST /requests/{id}/transfer-back": requestLead,
	"POST /requests/{id}/approval-pack": packNotNow,

	"GET /escalations/{id}": escalationSee, "POST /escalations/{id}/decide": decide,
	"GET /escalations/{id}/units/choose": decide,
	"POST /escalations/{id}/statement":   statement,
	"POST /escalations/{id}/reassign":    reassign, "POST /escalations/{id}/refresh": refresh,
	"POST /escalations/{id}/advice": decide, "POST /escalations/{id}/opinion": decide, // the superior asks; only advisers answer
	"POST /requests/{id}/decide": decideDirect,

	"POST /requests/{id}/comments": requestTalk, "POST /escalations/{id}/comments": escalationTalk,
	"GET /requests/{id}/mentionable": requestTalk, "GET /escalations/{id}/mentionable": escalationTalk,
	"GET /projects/{id}/mentionable": projectView,
	"POST /projects/{id}/comments":   projectView, "GET /projects/{id}/conversation": projectView,
	"POST /comments/{id}/edit": requestTalk, "POST /comments/{id}/retract": requestTalk,

	// Following: whoever sees it follows it; the lead adds others.
	"POST /requests/{id}/follow": projectView, "POST /requests/{id}/unfollow": projectView,
	"POST /requests/{id}/followers": requestLead,
	"POST /escalations/{id}/follow": escalationSee, "POST /escalations/{id}/unfollow": escalationSee,
	"POST /escalations/{id}/followers": refresh, // the project's lead, as a party to it

	// A file is seen with the conversation it was attached in.
	"GET /attachments/{id}": requestTalk, "GET /attachments/{id}/preview": requestTalk,
}

func TestAuthorizationMatrix(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ids := matrixFixture(t, b)

	var routes []string
	require.NoError(t, chi.Walk(b.server.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routes = append(routes, method+" "+route)
		return nil
	}))
	sort.Strings(routes)
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r] = true
		if _, ok := routePolicies[r]; !ok {
			t.Errorf("route %q has no entry in the authorisation matrix", r)
		}
	}
	for r := range routePolicies {
		if !seen[r] {
			t.Errorf("the matrix lists %q, which the router does not have", r)
		}
	}

	for i, role := range matrixRoles {
		t.Run(role.name, func(t *testing.T) {
			c := b.client(t)
			if role.email != "" {
				c = b.login(t, role.email)
			}
			for _, route := range routes {
				want, listed := routePolicies[route]
				if !listed {
					continue
				}
				method, pattern, _ := strings.Cut(route, " ")
				path := ids.fill(pattern)
				var resp response
				if method == http.MethodGet {
					resp = c.get(path)
				} else {
					resp = c.post(path, url.Values{})
				}
				require.NotEqual(t, http.StatusInternalServerError, resp.StatusCode, "%s as %s: a 500", route, role.name)
				require.Contains(t, resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", "%s: security headers", route)
				require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), "%s: security headers", route)
				got := classify(resp)
				require.Equal(t, want[i], got, "%s %s as %s (status %d, location %q)", method, path, role.name,
					resp.StatusCode, resp.Header.Get("Location"))
				if route == "POST /logout" && role.email != "" {
					c = b.login(t, role.email)
				}
			}
		})
	}
	// The fixture's objects are unchanged: nobody's empty or stale post took effect.
	r, err := b.st.Request(ctx, ids.request)
	require.NoError(t, err)
	require.Equal(t, accord.RequestRequested, r.State)
	said, err := b.st.Comment(ctx, ids.comment)
	require.NoError(t, err)
	require.Equal(t, 1, said.Version, "the comment stands as written")
}

func classify(resp response) outcome {
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nf
	case resp.StatusCode == http.StatusForbidden:
		return fb
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login"):
		return login
	default:
		return ok
	}
}

// matrixIDs are the objects the routes point at.
type matrixIDs struct {
	project, request, escalation, need, commitment, goal   int64
	comment                                                int64 // the holder's head's, on the request
	attachment                                             int64 // an image, with that comment
	notification                                           int64 // the holder's head's, of the request
	holderUnit, adminUnit, adminUser, spareUnit, spareUser int64
}

func (m matrixIDs) fill(pattern string) string {
	id := map[string]int64{"/projects/": m.project, "/requests/": m.request, "/escalations/": m.escalation,
		"/goals/": m.goal, "/notifications/": m.notification, "/comments/": m.comment, "/attachments/": m.attachment, "/units/": m.holderUnit, "/admin/units/": m.adminUnit, "/admin/users/": m.adminUser}
	var prefix string
	for p := range id {
		if strings.HasPrefix(pattern, p) && len(p) > len(prefix) {
			prefix = p
		}
	}
	r := strings.NewReplacer(
		"{id}", itoa64(id[prefix]),
		"{needID}", itoa64(m.need),
		"{commitmentID}", itoa64(m.commitment),
		"{table}", "resource-map",
		"{userID}", itoa64(m.spareUser),
		"*", "accord.css",
	)
	path := r.Replace(pattern)
	if strings.Contains(pattern, "{unitID}") {
		unit := m.holderUnit
		if strings.HasPrefix(pattern, "/admin/") {
			unit = m.spareUnit // a unit the user is not in: removing is a no-op
		}
		path = strings.ReplaceAll(path, "{unitID}", itoa64(unit))
	}
	return path
}

// matrixFixture sends the promotion's Marketing request, escalates it (to the
// Operations head) and records a commitment, so every route has a real target.
func matrixFixture(t *testing.T, b *testBundle) matrixIDs {
	t.Helper()
	ctx := context.Background()
	var m matrixIDs
	q := func(sql string, args ...any) int64 {
		var id int64
		require.NoError(t, b.st.Pool().QueryRow(ctx, sql, args...).Scan(&id))
		return id
	}
	m.project = q(`SELECT id FROM projects WHERE name_en = 'Inventory car promotion'`)
	m.holderUnit = q(`SELECT id FROM units WHERE name_en = 'Marketing'`)
	m.adminUnit = q(`SELECT id FROM units WHERE name_en = 'Accessories'`)
	m.spareUnit = q(`SELECT id FROM units WHERE name_en = 'Legal'`)
	m.adminUser = q(`SELECT id FROM users WHERE email = 'data.analyst@accord.demo'`)
	m.spareUser = q(`SELECT id FROM users WHERE email = 'trainer@accord.demo'`)
	m.goal = q(`SELECT id FROM goals WHERE title_en = 'Stock turnover under 45 days'`)
	m.need = q(`SELECT id FROM needs WHERE project_id = $1 AND holder_unit_id = $2`, m.project, m.holderUnit)
	leadID := q(`SELECT lead_user_id FROM projects WHERE id = $1`, m.project)
	now := time.Now()
	sent, err := b.st.SendNeeds(ctx, leadID, m.project, []int64{m.need}, "", now)
	require.NoError(t, err)
	m.request = sent[0].ID
	m.notification = q(`SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
		WHERE u.email = 'marketing@accord.demo' AND n.request_id = $1 ORDER BY n.id LIMIT 1`, m.request)
	lead, err := b.st.Viewer(ctx, leadID)
	require.NoError(t, err)
	e, err := b.st.Escalate(ctx, lead, m.request, "排期冲突", "", 3, now)
	require.NoError(t, err)
	m.escalation = e.ID
	c, err := b.st.CreateCommitment(ctx, leadID, m.project, accord.CommitmentInput{UnitID: m.holderUnit, What: "联合署名", Status: accord.CommitmentOpen})
	require.NoError(t, err)
	m.commitment = c.ID
	holderHead := q(`SELECT id FROM users WHERE email = 'marketing@accord.demo'`)
	var shot bytes.Buffer
	require.NoError(t, png.Encode(&shot, image.NewGray(image.Rect(0, 0, 2, 2))))
	said, err := b.st.AddComment(ctx, holderHead, accord.CommentSubject{Kind: accord.CommentOnRequest, ID: m.request},
		accord.CommentInput{Body: "宣传排期见附件"}, &accord.Upload{Name: "排期.png", Body: &shot}, 1<<20, now)
	require.NoError(t, err)
	m.comment, m.attachment = said.ID, said.Attachments[0].ID
	return m
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestCrossSitePostsRefusedEverywhere sends a forged cross-site POST to every
// state-changing route, signed in as an admin (who could do anything): all refused.
func TestCrossSitePostsRefusedEverywhere(t *testing.T) {
	b := setup(t)
	ids := matrixFixture(t, b)
	c := b.login(t, "admin@accord.demo")
	posts := 0
	require.NoError(t, chi.Walk(b.server.Router(), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet {
			return nil
		}
		posts++
		req, err := http.NewRequest(method, b.srv.URL+ids.fill(route), strings.NewReader("x=1"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp := c.do(req)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s %s", method, route)
		require.Contains(t, resp.body, "Request refused", route)
		return nil
	}))
	require.Greater(t, posts, 40)
}
