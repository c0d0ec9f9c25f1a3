package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// The API answers bearer tokens only: the cookie matrix's clients all get 401 (or,
// for the public document, 200), which it counts as served. The API's own matrix
// below holds it to the UI's outcomes.
func init() {
	m := map[string]policy{}
	for route := range apiMirrors {
		if !strings.Contains(route, "{action}") {
			m[strings.Replace(route, " /", " /api/v1/", 1)] = public
		}
	}
	m["POST /api/v1/requests/{id}/{action}"] = public
	addPolicies(m)
}

// apiMirrors maps each API route to the page route whose policy it shares: the API
// and the UI answer every role alike. {action} stands for every request action.
var apiMirrors = map[string]string{
	"GET /openapi.json":                "GET /healthz",
	"GET /me":                          "GET /",
	"GET /me/calendar-feed":            "GET /settings/tokens",
	"POST /me/calendar-feed":           "POST /settings/calendar-feed",
	"DELETE /me/calendar-feed":         "POST /settings/calendar-feed/revoke",
	"GET /me/stand-ins":                "GET /settings/away",
	"POST /stand-ins":                  "POST /settings/away",
	"POST /stand-ins/{id}/end":         "POST /settings/away/{id}/end",
	"GET /units":                       "GET /org",
	"GET /units/{id}":                  "GET /units/{id}",
	"GET /units/{id}/shared-superior":  "GET /org",
	"POST /units":                      "POST /admin/units",
	"PATCH /units/{id}":                "POST /admin/units/{id}/rename",
	"POST /units/{id}/members":         "POST /admin/units/{id}/members",
	"POST /users":                      "POST /admin/users",
	"POST /org/import":                 "POST /admin/import",
	"GET /org/export":                  "GET /admin/export.xlsx",
	"GET /portfolio":                   "GET /portfolio",
	"GET /notifications":               "GET /notifications",
	"GET /search":                      "GET /search",
	"POST /notifications/read":         "POST /notifications/read",
	"GET /projects":                    "GET /projects",
	"POST /projects":                   "POST /projects",
	"GET /projects/{id}":               "GET /projects/{id}",
	"PATCH /projects/{id}":             "POST /projects/{id}/edit",
	"GET /projects/{id}/needs":         "GET /projects/{id}/needs",
	"POST /projects/{id}/needs":        "POST /projects/{id}/needs",
	"GET /projects/{id}/tracker":       "GET /projects/{id}/tracker",
	"PATCH /needs/{id}":                "POST /projects/{id}/needs/{needID}",
	"DELETE /needs/{id}":               "POST /projects/{id}/needs/{needID}/delete",
	"POST /needs/{id}/request":         "POST /projects/{id}/send",
	"GET /requests":                    "GET /inbox",
	"GET /requests/{id}":               "GET /requests/{id}",
	"POST /requests/{id}/{action}":     "POST /requests/{id}/{action}",
	"GET /requests/{id}/updates":       "GET /requests/{id}",
	"POST /requests/{id}/updates":      "POST /requests/{id}/progress",
	"POST /requests/{id}/escalate":     "POST /requests/{id}/escalate",
	"GET /escalations":                 "GET /escalations",
	"GET /escalations/{id}":            "GET /escalations/{id}",
	"POST /escalations/{id}/statement": "POST /escalations/{id}/statement",
	"POST /escalations/{id}/decide":    "POST /escalations/{id}/decide",

	// The workbook's exchange and commitments, and the goals, as their pages.
	"GET /projects/{id}/exchange":           "GET /projects/{id}",
	"GET /projects/{id}/exchange/{unit_id}": "GET /projects/{id}",
	"PUT /projects/{id}/exchange/{unit_id}": "POST /projects/{id}/units/{unitID}/plan",
	"GET /projects/{id}/commitments":        "GET /projects/{id}/commitments",
	"POST /projects/{id}/commitments":       "POST /projects/{id}/commitments",
	"PATCH /commitments/{id}":               "POST /projects/{id}/commitments/{commitmentID}",
	"GET /goals":                            "GET /goals",

	// Conversations, as on their pages; one comment is seen with its request.
	"GET /requests/{id}/comments":     "GET /requests/{id}",
	"POST /requests/{id}/comments":    "POST /requests/{id}/comments",
	"GET /escalations/{id}/comments":  "GET /escalations/{id}",
	"POST /escalations/{id}/comments": "POST /escalations/{id}/comments",
	"GET /projects/{id}/comments":     "GET /projects/{id}/conversation",
	"POST /projects/{id}/comments":    "POST /projects/{id}/comments",
	"GET /comments/{id}":              "GET /requests/{id}",
	"GET /attachments/{id}":           "GET /attachments/{id}",
	"PATCH /comments/{id}":            "POST /comments/{id}/edit",
	"POST /comments/{id}/retract":     "POST /comments/{id}/retract",

	// Advice on an escalation, as on its page.
	"GET /escalations/{id}/advice":   "GET /escalations/{id}",
	"POST /escalations/{id}/advice":  "POST /escalations/{id}/advice",
	"POST /escalations/{id}/opinion": "POST /escalations/{id}/opinion",

	// Following, as on the pages.
	"GET /requests/{id}/followers":     "GET /requests/{id}",
	"POST /requests/{id}/followers":    "POST /requests/{id}/followers",
	"POST /requests/{id}/follow":       "POST /requests/{id}/follow",
	"POST /requests/{id}/unfollow":     "POST /requests/{id}/unfollow",
	"GET /escalations/{id}/followers":  "GET /escalations/{id}",
	"POST /escalations/{id}/followers": "POST /escalations/{id}/followers",
	"POST /escalations/{id}/follow":    "POST /escalations/{id}/follow",
	"POST /escalations/{id}/unfollow":  "POST /escalations/{id}/unfollow",
}

// apiActions are the actions POST /requests/{id}/{action} takes.
var apiActions = []accord.RequestAction{accord.ActionAgree, accord.ActionDecline, accord.ActionCounter,
	accord.ActionAcceptCounter, accord.ActionRefuseCounter, accord.ActionDelegate, accord.ActionStart,
	accord.ActionDeliver, accord.ActionResend, accord.ActionCancel}

// apiFill puts the fixture's ids, and the query each list needs, into an API route.
func (m matrixIDs) apiFill(route string) string {
	ids := map[string]int64{"/projects/": m.project, "/needs/": m.need, "/requests/": m.request,
		"/escalations/": m.escalation, "/units/": m.holderUnit, "/commitments/": m.commitment, "/comments/": m.comment,
		"/attachments/": m.attachment}
	for prefix, id := range ids {
		if strings.HasPrefix(route, prefix) {
			route = strings.Replace(route, "{id}", itoa64(id), 1)
		}
	}
	route = strings.Replace(route, "{unit_id}", itoa64(m.holderUnit), 1)
	switch route {
	case "/requests":
		route += "?box=incoming"
	case "/escalations":
		route += "?assigned=me"
	}
	if strings.HasSuffix(route, "/shared-superior") {
		route += "?with=" + itoa64(m.spareUnit)
	}
	return route
}

func apiClassify(status int) outcome {
	switch status {
	case http.StatusUnauthorized:
		return login
	case http.StatusNotFound:
		return nf
	case http.StatusForbidden:
		return fb
	default:
		return ok
	}
}

// TestAPIAuthorizationMatchesTheUI sends every API route, as every matrix role,
// with an empty body: each gets what the page route it mirrors gets, and nothing
// takes effect.
func TestAPIAuthorizationMatchesTheUI(t *testing.T) {
	b := setup(t)
	ids := matrixFixture(t, b)

	var cases []struct{ route, mirror string }
	for _, route := range apiRoutes(t, b) {
		mirror, listed := apiMirrors[route]
		require.True(t, listed, "API route %s has no mirror in the UI's matrix", route)
		if !strings.Contains(route, "{action}") {
			cases = append(cases, struct{ route, mirror string }{route, mirror})
			continue
		}
		for _, a := range apiActions {
			cases = append(cases, struct{ route, mirror string }{strings.Replace(route, "{action}", string(a), 1),
				strings.Replace(mirror, "{action}", string(a), 1)})
		}
	}
	for i, role := range matrixRoles {
		t.Run(role.name, func(t *testing.T) {
			c := b.api(t, role.email)
			for _, tc := range cases {
				want, listed := routePolicies[tc.mirror]
				require.True(t, listed, "%s mirrors %s, which the UI matrix lacks", tc.route, tc.mirror)
				method, pattern, _ := strings.Cut(tc.route, " ")
				var body any
				if method != http.MethodGet {
					body = map[string]any{}
				}
				resp := c.send(method, ids.apiFill(pattern), body)
				require.Equal(t, want[i], apiClassify(resp.status), "%s as %s (status %d: %s)", tc.route, role.name,
					resp.status, resp.raw)
			}
		})
	}
	r, err := b.st.Request(context.Background(), ids.request)
	require.NoError(t, err)
	require.Equal(t, accord.RequestRequested, r.State, "nobody's empty post took effect")
}

// TestAPIInventoryPromotionTable spells out the brief's table for the promotion:
// reading, changing and adding needs, role by role.
func TestAPIInventoryPromotionTable(t *testing.T) {
	b := setup(t)
	p := b.demoProject(t, "Inventory car promotion")
	pid := itoa64(p.ID)
	want := map[string][3]int{ // GET project, PATCH project, POST needs
		"trainer@accord.demo":    {404, 404, 404},
		"aftersales@accord.demo": {404, 404, 404},
		"legal@accord.demo":      {404, 404, 404},
		"cto@accord.demo":        {404, 404, 404},
		"admin@accord.demo":      {200, 422, 422}, // allowed; the empty body is refused
		"marketing@accord.demo":  {200, 403, 403},
		"sales@accord.demo":      {200, 422, 422}, // the lead
	}
	for email, w := range want {
		c := b.api(t, email)
		require.Equal(t, w[0], c.get("/projects/"+pid).status, "GET as %s", email)
		require.Equal(t, w[1], c.patch("/projects/"+pid, map[string]any{}).status, "PATCH as %s", email)
		require.Equal(t, w[2], c.post("/projects/"+pid+"/needs", map[string]any{}).status, "POST needs as %s", email)
	}
	require.Equal(t, http.StatusUnauthorized, b.api(t, "").get("/projects/"+pid).status)
}
