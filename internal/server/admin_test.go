package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
)

// units returns the demo units by English name, as they are now.
func (b *testBundle) units(t *testing.T) map[string]accord.Unit {
	t.Helper()
	list, err := b.st.Units(context.Background())
	require.NoError(t, err)
	byName := map[string]accord.Unit{}
	for _, u := range list {
		byName[u.NameEN] = u
	}
	return byName
}

func (b *testBundle) user(t *testing.T, email string) accord.User {
	t.Helper()
	u, err := b.st.UserByEmail(context.Background(), email)
	require.NoError(t, err)
	return u
}

func unitPath(u accord.Unit) string { return fmt.Sprintf("/admin/units/%d", u.ID) }

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

// inputValue reads an input's value inside the element with the data-testid.
func (r response) inputValue(testid, name string) string {
	return r.doc.Find(`[data-testid="`+testid+`"] [name="`+name+`"]`).AttrOr("value", "")
}

// attrOf reads an attribute of the first element matching a CSS selector.
func (r response) attrOf(selector, name string) string {
	return r.doc.Find(selector).First().AttrOr(name, "")
}

func (r response) textOf(selector string) string {
	return strings.TrimSpace(r.doc.Find(selector).First().Text())
}

func TestAdminCreatesUnitUnderTechnologyCentre(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	tech := b.units(t)["Technology centre"]

	form := c.get("/admin/units/new?parent_id=" + idStr(tech.ID))
	require.Equal(t, http.StatusOK, form.StatusCode)
	require.Equal(t, idStr(tech.ID), form.attrOf(`#unit-parent option[selected]`, "value"), "the parent is preselected")
	require.Equal(t, "unit-name", form.attrOf(`label[for="unit-name"]`, "for"))

	resp := c.post("/admin/units", url.Values{"name": {" 信息安全部 "}, "name_en": {"Security"}, "parent_id": {idStr(tech.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	created := b.units(t)["Security"]
	require.Equal(t, "信息安全部", created.Name)
	require.Equal(t, []int64{tech.Path[0], tech.ID, created.ID}, created.Path)
	require.Equal(t, unitPath(created), resp.Header.Get("Location"))

	page := c.get(unitPath(created))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Unit “Security” created.", page.text("flash"))
	require.Equal(t, "Security", page.text("unit-title"))
	require.Equal(t, "Vacant", page.text("unit-head"))

	tree := c.get("/admin/units")
	require.Equal(t, http.StatusOK, tree.StatusCode)
	row := tree.doc.Find(`[data-testid="admin-units"] tr[data-unit-id="` + idStr(created.ID) + `"]`)
	require.Equal(t, 1, row.Length())
	require.True(t, row.Find(".tree-name").HasClass("depth-2"), "HQ › Technology centre › Security")
	require.Equal(t, unitPath(created), row.Find("a").AttrOr("href", ""))
	require.Equal(t, "Vacant", strings.TrimSpace(row.Find(".badge.warn").Text()))
	// Depth-first: the new unit sits under its parent, before the next centre.
	var order []string
	tree.doc.Find(`[data-testid="admin-units"] tbody tr a`).Each(func(_ int, a *goquery.Selection) {
		order = append(order, strings.TrimSpace(a.Text()))
	})
	require.Equal(t, []string{"HQ", "Operations centre", "Sales", "After-sales", "Marketing", "Customer service",
		"Finance & insurance", "Accessories", "Technology centre", "IT", "Data", "Security",
		"Corporate functions", "Finance", "Training", "Legal"}, order)
}

func TestAdminNewUnitValidation(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	resp := c.post("/admin/units", url.Values{"name": {"  "}, "name_en": {"Bad\x01name"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Some fields need attention; see the messages below.", resp.text("form-alert"))
	tests := []struct{ input, message, value string }{
		{"unit-name", "Fill in this field.", ""},
		{"unit-name-en", "Remove control characters or invalid text.", "Bad\x01name"},
		{"unit-parent", "Fill in this field.", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.message, resp.textOf("#"+tt.input+"-error"), tt.input)
		require.Equal(t, "true", resp.attrOf("#"+tt.input, "aria-invalid"), tt.input)
		require.Contains(t, resp.attrOf("#"+tt.input, "aria-describedby"), tt.input+"-error", tt.input)
	}
	require.Equal(t, "Bad\x01name", resp.attrOf("#unit-name-en", "value"))
}

func TestAdminRenameWithStaleVersionKeepsInput(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	legal := b.units(t)["Legal"]
	page := c.get(unitPath(legal))
	require.Equal(t, http.StatusOK, page.StatusCode)
	seen := page.inputValue("rename-form", "version")
	require.Equal(t, idStr(int64(legal.Version)), seen)

	// Someone else saves first.
	other, err := b.st.RenameUnit(context.Background(), 0, legal.ID, legal.Version, "法务部", "Legal affairs")
	require.NoError(t, err)

	resp := c.post(unitPath(legal)+"/rename", url.Values{"name": {"法务合规部"}, "name_en": {"Legal & compliance"}, "version": {seen}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, "Someone changed this while you were editing. Your input is kept below; review the current values and save again.",
		resp.text("rename-alert"))
	require.Equal(t, "法务合规部", resp.attrOf("#rename-name", "value"))
	require.Equal(t, "Legal & compliance", resp.attrOf("#rename-name-en", "value"))
	require.Equal(t, idStr(int64(other.Version)), resp.inputValue("rename-form", "version"))
	require.Equal(t, "Legal affairs", resp.text("unit-title"), "the page shows the other change")

	// Saving again applies the input.
	resp = c.post(unitPath(legal)+"/rename", url.Values{"name": {"法务合规部"}, "name_en": {"Legal & compliance"},
		"version": {resp.inputValue("rename-form", "version")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "Legal & compliance", c.get(unitPath(legal)).text("unit-title"))

	// An empty name is refused next to the field; the version the form had is kept.
	current := b.units(t)["Legal & compliance"]
	resp = c.post(unitPath(legal)+"/rename", url.Values{"name": {""}, "name_en": {"X"}, "version": {idStr(int64(current.Version))}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", resp.textOf("#rename-name-error"))
	require.Equal(t, "X", resp.attrOf("#rename-name-en", "value"))
	require.Equal(t, idStr(int64(current.Version)), resp.inputValue("rename-form", "version"))
}

func TestAdminMoveRefusesCycle(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	units := b.units(t)
	tech, it := units["Technology centre"], units["IT"]

	page := c.get(unitPath(tech))
	var options []string
	page.doc.Find("#move-parent option").Each(func(_ int, o *goquery.Selection) {
		options = append(options, strings.TrimSpace(strings.ReplaceAll(o.Text(), "\u00a0", "")))
	})
	require.Equal(t, []string{"HQ", "Operations centre", "Sales", "After-sales", "Marketing", "Customer service",
		"Finance & insurance", "Accessories", "Corporate functions", "Finance", "Training", "Legal"}, options,
		"neither the unit itself nor its sub-units are offered")
	require.Equal(t, idStr(units["HQ"].ID), page.attrOf("#move-parent option[selected]", "value"))

	resp := c.post(unitPath(tech)+"/move", url.Values{"parent_id": {idStr(it.ID)}, "version": {idStr(int64(tech.Version))}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "A unit cannot be moved under itself or one of its own sub-units.", resp.textOf("#move-parent-error"))
	require.Equal(t, "true", resp.attrOf("#move-parent", "aria-invalid"))
	require.Equal(t, "move-parent-hint move-parent-error", resp.attrOf("#move-parent", "aria-describedby"))
	require.Equal(t, []int64{units["HQ"].ID, tech.ID}, b.units(t)["Technology centre"].Path, "nothing moved")

	resp = c.post(unitPath(tech)+"/move", url.Values{"parent_id": {idStr(units["Operations centre"].ID)}, "version": {idStr(int64(tech.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, []int64{units["HQ"].ID, units["Operations centre"].ID, tech.ID, it.ID}, b.units(t)["IT"].Path)
}

func TestAdminSetsHeadByEmail(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	data := b.units(t)["Data"]

	page := c.get(unitPath(data))
	require.Equal(t, "data@accord.demo", page.attrOf("#head-email", "value"))
	require.Equal(t, "unit-member-emails", page.attrOf("#head-email", "list"))
	require.Equal(t, 2, page.doc.Find("#unit-member-emails option").Length())

	resp := c.post(unitPath(data)+"/head", url.Values{"email": {"nobody@accord.demo"}, "version": {idStr(int64(data.Version))}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "No such person.", resp.textOf("#head-email-error"))
	require.Equal(t, "nobody@accord.demo", resp.attrOf("#head-email", "value"))

	resp = c.post(unitPath(data)+"/head", url.Values{"email": {" Data.Analyst@accord.demo "}, "version": {idStr(int64(data.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(unitPath(data))
	require.Equal(t, "Yang Fan now heads this unit.", page.text("flash"))
	require.Equal(t, "Yang Fan", page.text("unit-head"))

	org := c.get("/org")
	var head string
	org.doc.Find(`[data-testid="org-tree"] tr`).Each(func(_ int, tr *goquery.Selection) {
		if strings.TrimSpace(tr.Find("td").First().Text()) == "Data" {
			head = strings.TrimSpace(tr.Find("td").Last().Text())
		}
	})
	require.Equal(t, "Yang Fan", head)

	// An empty email leaves the post vacant.
	resp = c.post(unitPath(data)+"/head", url.Values{"email": {""}, "version": {page.inputValue("head-form", "version")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "Vacant", c.get(unitPath(data)).text("unit-head"))
}

func TestAdminCloseUnit(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	units := b.units(t)
	tech, legal := units["Technology centre"], units["Legal"]

	page := c.get(unitPath(tech))
	require.Equal(t, "It still has 2 open sub-unit(s): close or move them first.", page.textOf("#close-hint"))
	resp := c.post(unitPath(tech)+"/close", url.Values{"version": {idStr(int64(tech.Version))}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Close or move its sub-units first.", resp.text("close-alert"))
	require.True(t, b.units(t)["Technology centre"].Open())

	resp = c.post(unitPath(legal)+"/close", url.Values{"version": {idStr(int64(legal.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(unitPath(legal))
	require.Equal(t, "Unit closed.", page.text("flash"))
	require.Equal(t, "Closed", page.text("unit-closed"))
	require.Equal(t, 0, page.doc.Find(`[data-testid="close-form"], [data-testid="add-member-form"]`).Length())

	tree := c.get("/admin/units")
	row := tree.doc.Find(`tr[data-unit-id="` + idStr(legal.ID) + `"]`)
	require.True(t, row.Find("a").HasClass("closed"))
	require.Equal(t, "Closed", strings.TrimSpace(row.Find(".badge.bad").Text()))
	require.NotContains(t, c.get("/org").text("org-tree"), "Legal", "closed units leave the org chart")

	// The root has no close or move form at all.
	hq := c.get(unitPath(units["HQ"]))
	require.Equal(t, 0, hq.doc.Find(`[data-testid="close-form"], [data-testid="move-form"]`).Length())
}

func TestAdminUnitMembers(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	data := b.units(t)["Data"]

	resp := c.post(unitPath(data)+"/members", url.Values{"email": {"trainer@accord.demo"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page := c.get(unitPath(data))
	require.Equal(t, "Gao Min added.", page.text("flash"))
	require.Contains(t, page.text("members"), "trainer@accord.demo")

	resp = c.post(unitPath(data)+"/members", url.Values{"email": {"who@accord.demo"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "No such person.", resp.textOf("#member-email-error"))
	require.Equal(t, "who@accord.demo", resp.attrOf("#member-email", "value"))

	trainer := b.user(t, "trainer@accord.demo")
	resp = c.post(unitPath(data)+"/members/"+idStr(trainer.ID)+"/remove", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(unitPath(data))
	require.Equal(t, "Gao Min is no longer in Data.", page.text("flash"))
	require.NotContains(t, page.text("members"), "trainer@accord.demo")

	// The head cannot be removed: the page says why.
	head := b.user(t, "data@accord.demo")
	resp = c.post(unitPath(data)+"/members/"+idStr(head.ID)+"/remove", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(unitPath(data))
	require.Equal(t, "The head cannot leave the unit; name another head first.", page.text("flash"))
	require.True(t, page.doc.Find(`[data-testid="flash"]`).HasClass("error"))
	require.Contains(t, page.text("members"), "data@accord.demo")

	// The history lists who did what, newest first.
	require.Contains(t, page.textOf(`[data-testid="history"] tbody tr td:nth-child(2)`), "System")
}

func TestAdminCreateUserValidation(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	resp := c.post("/admin/users", url.Values{"email": {"not an email"}, "name": {"王芳"}, "name_en": {"Wang Fang"},
		"password": {"short"}, "is_admin": {"1"}, "unit_id": {"999999"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Some fields need attention; see the messages below.", resp.text("form-alert"))
	tests := []struct{ input, message string }{
		{"user-email", "Enter an email address like name@example.com."},
		{"user-password", "Use at least 10 characters."},
		{"user-unit", "No such unit."},
	}
	for _, tt := range tests {
		require.Equal(t, tt.message, resp.textOf("#"+tt.input+"-error"), tt.input)
		require.Equal(t, "true", resp.attrOf("#"+tt.input, "aria-invalid"), tt.input)
		require.Contains(t, resp.attrOf("#"+tt.input, "aria-describedby"), tt.input+"-error", tt.input)
	}
	require.Equal(t, "false", resp.attrOf("#user-name", "aria-invalid"))
	require.Equal(t, "not an email", resp.attrOf("#user-email", "value"))
	require.Equal(t, "王芳", resp.attrOf("#user-name", "value"))
	require.Equal(t, "Wang Fang", resp.attrOf("#user-name-en", "value"))
	require.Equal(t, "", resp.attrOf("#user-password", "value"), "the password is never sent back")
	_, checked := resp.doc.Find("#user-admin").Attr("checked")
	require.True(t, checked)

	// A taken email is shown next to the field.
	resp = c.post("/admin/users", url.Values{"email": {"IT@accord.demo"}, "name": {"王芳"}, "password": {"long enough pw"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Someone already uses this email address.", resp.textOf("#user-email-error"))
}

func TestAdminCreatesUserWhoThenIsDeactivated(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	units := b.units(t)

	resp := c.post("/admin/users", url.Values{"email": {" Wang.Fang@Accord.demo "}, "name": {"王芳"}, "name_en": {"Wang Fang"},
		"password": {"first password"}, "unit_id": {idStr(units["IT"].ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	created := b.user(t, "wang.fang@accord.demo")
	require.Equal(t, fmt.Sprintf("/admin/users/%d", created.ID), resp.Header.Get("Location"))
	require.False(t, created.IsAdmin)

	page := c.get(resp.Header.Get("Location"))
	require.Equal(t, "Wang Fang can now sign in.", page.text("flash"))
	require.Equal(t, "wang.fang@accord.demo", page.text("user-email"))
	require.Equal(t, "IT", page.textOf(`[data-testid="user-units"] tbody a`))

	// Add them to a second unit from their page.
	resp = c.post(fmt.Sprintf("/admin/users/%d/units", created.ID), url.Values{"unit_id": {idStr(units["Data"].ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = c.get(fmt.Sprintf("/admin/users/%d", created.ID))
	require.Equal(t, "Added to Data.", page.text("flash"))
	require.Contains(t, page.text("user-units"), "Data")
	resp = c.post(fmt.Sprintf("/admin/users/%d/units", created.ID), url.Values{"unit_id": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", resp.textOf("#add-unit-error"))

	// They can sign in with the initial password.
	newcomer := b.client(t)
	require.Equal(t, http.StatusSeeOther, newcomer.post("/login", url.Values{"email": {"wang.fang@accord.demo"}, "password": {"first password"}}).StatusCode)

	// Deactivating with a version the form never had is a conflict, and the form comes
	// back with the current one; then it works.
	current := page.inputValue("deactivate-form", "version")
	require.Equal(t, idStr(int64(created.Version)), current)
	resp = c.post(fmt.Sprintf("/admin/users/%d/deactivate", created.ID), url.Values{"version": {"0"}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, current, resp.inputValue("deactivate-form", "version"))
	resp = c.post(fmt.Sprintf("/admin/users/%d/deactivate", created.ID), url.Values{"version": {current}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	page = c.get(fmt.Sprintf("/admin/users/%d", created.ID))
	require.Equal(t, "Wang Fang is deactivated.", page.text("flash"))
	require.Equal(t, "Deactivated", page.text("user-status"))
	require.Equal(t, 0, page.doc.Find(`[data-testid="deactivate-form"], [data-testid="add-unit-form"], [data-testid="user-units"] form`).Length())
	require.Equal(t, http.StatusUnauthorized,
		b.client(t).post("/login", url.Values{"email": {"wang.fang@accord.demo"}, "password": {"first password"}}).StatusCode)
	require.Equal(t, http.StatusSeeOther, newcomer.get("/").StatusCode, "their open session ends too")

	// Deactivating a head leaves the post vacant; admins cannot deactivate themselves.
	legalHead := b.user(t, "legal@accord.demo")
	resp = c.post(fmt.Sprintf("/admin/users/%d/deactivate", legalHead.ID), url.Values{"version": {idStr(int64(legalHead.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "Vacant", c.get(unitPath(units["Legal"])).text("unit-head"))
	admin := b.user(t, "admin@accord.demo")
	resp = c.post(fmt.Sprintf("/admin/users/%d/deactivate", admin.ID), url.Values{"version": {idStr(int64(admin.Version))}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "You cannot deactivate yourself. Ask another administrator.", c.get("/admin/users").text("flash"))
	require.True(t, b.user(t, "admin@accord.demo").Active())
}

func TestAdminUsersSearchAndPages(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	for i := range 10 {
		_, err := b.st.CreateUser(ctx, 0, accord.NewUser{Email: fmt.Sprintf("temp%02d@accord.demo", i),
			Name: fmt.Sprintf("临时%02d", i), NameEN: fmt.Sprintf("Temp %02d", i)}, "unused hash")
		require.NoError(t, err)
	}
	c := b.login(t, "admin@accord.demo")

	first := c.get("/admin/users?q=accord")
	require.Equal(t, http.StatusOK, first.StatusCode)
	require.Equal(t, 25, first.doc.Find(`[data-testid="users"] tbody tr`).Length())
	require.Equal(t, "Page 1 of 2 · 30 in all", first.textOf(".pager .muted"))
	next := first.attrOf(`.pager a[rel="next"]`, "href")
	require.Equal(t, "/admin/users?q=accord&page=2", next)

	second := c.get(next)
	require.Equal(t, 5, second.doc.Find(`[data-testid="users"] tbody tr`).Length())
	require.Equal(t, "/admin/users?q=accord&page=1", second.attrOf(`.pager a[rel="prev"]`, "href"))

	one := c.get("/admin/users?q=Huang")
	rows := one.doc.Find(`[data-testid="users"] tbody tr`)
	require.Equal(t, 1, rows.Length())
	require.Contains(t, rows.Text(), "黄磊")
	require.Contains(t, rows.Text(), "Huang Lei")
	require.Contains(t, rows.Text(), "it@accord.demo")
	require.Equal(t, "IT Head", strings.Join(strings.Fields(rows.Find("td").Eq(2).Text()), " "))
	require.Equal(t, "Active", one.text("user-status"))
	require.Equal(t, "Huang", one.attrOf("#user-q", "value"))

	none := c.get("/admin/users?q=nobody-here")
	require.Contains(t, none.text("empty"), "No one matches “nobody-here”.")
	require.Equal(t, "/admin/users", none.attrOf(`[data-testid="empty"] a`, "href"))

	// Deactivated people are hidden unless asked for.
	dev := b.user(t, "it.dev@accord.demo")
	require.NoError(t, b.st.DeactivateUser(ctx, 0, dev.ID, dev.Version))
	require.Equal(t, 0, c.get("/admin/users?q=it.dev").doc.Find(`[data-testid="users"] tbody tr`).Length())
	shown := c.get("/admin/users?q=it.dev&inactive=1")
	require.Equal(t, "Deactivated", shown.text("user-status"))
	_, checked := shown.doc.Find(`input[name="inactive"]`).Attr("checked")
	require.True(t, checked)
}

func TestAdminRoutesAreHiddenFromOthers(t *testing.T) {
	b := setup(t)
	units := b.units(t)
	legal := units["Legal"]
	dev := b.user(t, "it.dev@accord.demo")
	unit := unitPath(legal)
	user := fmt.Sprintf("/admin/users/%d", dev.ID)
	gets := []string{"/admin", "/admin/units", "/admin/units/new", unit, "/admin/users", "/admin/users/new", user}
	posts := []string{"/admin/units", unit + "/rename", unit + "/move", unit + "/head", unit + "/close", unit + "/members",
		unit + "/members/" + idStr(dev.ID) + "/remove", "/admin/users", user + "/units",
		user + "/units/" + idStr(legal.ID) + "/remove", user + "/deactivate"}
	form := url.Values{"name": {"x"}, "email": {"it.dev@accord.demo"}, "version": {idStr(int64(legal.Version))},
		"parent_id": {idStr(units["HQ"].ID)}, "unit_id": {idStr(legal.ID)}, "password": {"long enough pw"}}

	c := b.login(t, "it@accord.demo")
	for _, path := range gets {
		require.Equal(t, http.StatusNotFound, c.get(path).StatusCode, "GET %s", path)
	}
	for _, path := range posts {
		require.Equal(t, http.StatusNotFound, c.post(path, form).StatusCode, "POST %s", path)
	}
	require.Equal(t, legal, b.units(t)["Legal"], "nothing changed")
	require.True(t, b.user(t, "it.dev@accord.demo").Active())

	signedOut := b.client(t)
	resp := signedOut.post(unit+"/close", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login", resp.Header.Get("Location"))
}

func TestAdminUnknownIDsAreNotFound(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	legal := b.units(t)["Legal"]
	for _, path := range []string{"/admin/units/abc", "/admin/units/0", "/admin/units/-3", "/admin/units/999999",
		"/admin/units/1e3", "/admin/users/abc", "/admin/users/999999", "/admin/users/99999999999999999999"} {
		resp := c.get(path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		require.Equal(t, "Page not found", resp.textOf(`[data-testid="error-page"] h1`), path)
	}
	for _, path := range []string{"/admin/units/999999/rename", "/admin/units/abc/close", "/admin/units/999999/members",
		unitPath(legal) + "/members/999999/remove", unitPath(legal) + "/members/x/remove",
		"/admin/users/999999/deactivate", "/admin/users/999999/units", "/admin/users/1/units/999999/remove"} {
		resp := c.post(path, url.Values{"name": {"x"}, "version": {"1"}, "email": {"it@accord.demo"}, "unit_id": {idStr(legal.ID)}})
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
}

func TestAdminPagesInChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	c.lang = "zh-CN"
	page := c.get(unitPath(b.units(t)["IT"]))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "信息技术部", page.text("unit-title"))
	require.Equal(t, "黄磊", page.text("unit-head"))
	require.Contains(t, page.text("members"), "徐航")
	users := c.get("/admin/users?q=" + url.QueryEscape(demo.People()[1].Name))
	require.Equal(t, "在用", users.text("user-status"))
}
