package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/demo"
)

func TestAPIAdminUnits(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	admin := b.api(t, "admin@accord.demo")
	units := b.units(t)
	tech := units["Technology centre"]

	// Created under the Technology centre, with the path from the root.
	resp := admin.post("/units", map[string]any{"name": " 数据平台部 ", "name_en": "Data platform", "parent_id": idStr(tech.ID)})
	created := resp.expect(t, http.StatusCreated)
	id := created["id"].(string)
	require.Equal(t, "/api/v1/units/"+id, resp.header.Get("Location"))
	require.Equal(t, "数据平台部", created["name"], "trimmed as on the page")
	require.Equal(t, "Data platform", created["name_en"])
	require.Equal(t, idStr(tech.ID), created["parent_id"])
	require.Equal(t, []any{idStr(tech.Path[0]), idStr(tech.ID), id}, created["path"])
	require.Nil(t, created["head_user_id"])
	require.Nil(t, created["closed_at"])
	require.Equal(t, created, admin.get("/units/"+id).expect(t, http.StatusOK), "GET answers what POST did")

	t.Run("create: 422 with each field", func(t *testing.T) {
		bad := admin.post("/units", map[string]any{"name": "", "parent_id": "abc"})
		bad.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "Fill in this field.", bad.str("error.fields.name"))
		require.Equal(t, `Use the id as a string of digits, for example "42".`, bad.str("error.fields.parent_id"))
		orphan := admin.post("/units", map[string]any{"name": "无上级"})
		orphan.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "Fill in this field.", orphan.str("error.fields.parent_id"), "only the first unit may go without a parent")
		missing := admin.post("/units", map[string]any{"name": "孤儿", "parent_id": "999999999"})
		missing.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "No such unit.", missing.str("error.fields.parent_id"))
		admin.post("/units", map[string]any{"name": "x", "colour": "red"}).expect(t, http.StatusBadRequest)
	})

	t.Run("patch: one change at a time, guarded by the version", func(t *testing.T) {
		v := num(created["version"])
		renamed := admin.patch("/units/"+id, map[string]any{"version": v, "name": "数据平台中心"}).expect(t, http.StatusOK)
		require.Equal(t, "数据平台中心", renamed["name"])
		require.Equal(t, "Data platform", renamed["name_en"], "a name not sent stays")
		require.Equal(t, v+1, num(renamed["version"]))

		stale := admin.patch("/units/"+id, map[string]any{"version": v, "name_en": "Stale"})
		stale.expect(t, http.StatusConflict)
		require.Equal(t, "数据平台中心", stale.str("error.current.name"), "the 409 carries the unit as it stands")
		require.Equal(t, v+1, num(dig(stale.body, "error.current.version")))

		noVersion := admin.patch("/units/"+id, map[string]any{"name": "无版本"})
		noVersion.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, noVersion.str("error.fields.version"))
		two := admin.patch("/units/"+id, map[string]any{"version": v + 1, "name": "甲", "closed": true})
		two.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "Change one thing per request: the names, the parent, the head, or closing the unit.", two.str("error.message"))
		admin.patch("/units/"+id, map[string]any{"version": v + 1}).expect(t, http.StatusUnprocessableEntity)
		blank := admin.patch("/units/"+id, map[string]any{"version": v + 1, "name": " "})
		blank.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "Fill in this field.", blank.str("error.fields.name"))

		cycle := admin.patch("/units/"+idStr(tech.ID), map[string]any{"version": tech.Version, "parent_id": id})
		cycle.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "A unit cannot be moved under itself or one of its own sub-units.", cycle.str("error.fields.parent_id"))
		moved := admin.patch("/units/"+id, map[string]any{"version": v + 1, "parent_id": idStr(units["Corporate functions"].ID)}).
			expect(t, http.StatusOK)
		require.Equal(t, idStr(units["Corporate functions"].ID), moved["parent_id"])

		dataHead := b.user(t, "data.analyst@accord.demo")
		headed := admin.patch("/units/"+id, map[string]any{"version": v + 2, "head_user_id": idStr(dataHead.ID)}).expect(t, http.StatusOK)
		require.Equal(t, idStr(dataHead.ID), headed["head_user_id"])
		require.Equal(t, dataHead.NameEN, headed["head_name_en"])
		vacant := admin.patch("/units/"+id, map[string]any{"version": v + 3, "head_user_id": nil}).expect(t, http.StatusOK)
		require.Nil(t, vacant["head_user_id"], "null leaves the post vacant")
		nobody := admin.patch("/units/"+id, map[string]any{"version": v + 4, "head_user_id": "999999999"})
		nobody.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "No such person.", nobody.str("error.fields.head_user_id"))

		reopen := admin.patch("/units/"+id, map[string]any{"version": v + 4, "closed": false})
		reopen.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, reopen.str("error.fields.closed"))
		root := units["HQ"]
		admin.patch("/units/"+idStr(root.ID), map[string]any{"version": root.Version, "closed": true}).
			expect(t, http.StatusUnprocessableEntity)
		closed := admin.patch("/units/"+id, map[string]any{"version": v + 4, "closed": true}).expect(t, http.StatusOK)
		require.NotNil(t, closed["closed_at"])
		again := admin.patch("/units/"+id, map[string]any{"version": v + 5, "closed": true}).expect(t, http.StatusOK)
		require.Equal(t, closed, again, "closing a closed unit changes nothing")

		admin.patch("/units/999999999", map[string]any{"version": 1, "name": "无"}).expect(t, http.StatusNotFound)
		admin.patch("/units/abc", map[string]any{"version": 1, "name": "无"}).expect(t, http.StatusNotFound)
	})

	t.Run("members: by email or id, refused for a closed unit", func(t *testing.T) {
		legal := units["Legal"]
		trainer := b.user(t, "trainer@accord.demo")
		resp := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{"email": " Trainer@Accord.demo "})
		body := resp.expect(t, http.StatusOK)
		require.Equal(t, idStr(trainer.ID), dig(body, "user.id"))
		var unitIDs []string
		for _, m := range body["memberships"].([]any) {
			unitIDs = append(unitIDs, m.(map[string]any)["unit_id"].(string))
		}
		require.ElementsMatch(t, []string{idStr(units["Training"].ID), idStr(legal.ID)}, unitIDs)
		row, err := b.st.UserWithUnits(ctx, trainer.ID)
		require.NoError(t, err)
		require.Len(t, row.Units, 2, "the membership is stored")
		// Adding again changes nothing; by id works the same.
		again := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{"user_id": idStr(trainer.ID)}).expect(t, http.StatusOK)
		require.Equal(t, body, again)

		both := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{"user_id": idStr(trainer.ID), "email": "trainer@accord.demo"})
		both.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, both.str("error.fields.email"))
		neither := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{})
		neither.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, neither.str("error.fields.user_id"))
		unknown := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{"email": "nobody@accord.demo"})
		unknown.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "No such person.", unknown.str("error.fields.email"))
		noID := admin.post("/units/"+idStr(legal.ID)+"/members", map[string]any{"user_id": "999999999"})
		noID.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "No such person.", noID.str("error.fields.user_id"))

		closedUnit := admin.post("/units/"+id+"/members", map[string]any{"email": "trainer@accord.demo"})
		closedUnit.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "This unit is closed and takes no new members.", closedUnit.str("error.message"))
		admin.post("/units/999999999/members", map[string]any{"email": "trainer@accord.demo"}).expect(t, http.StatusNotFound)
	})
}

func TestAPIAdminCreateUser(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	admin := b.api(t, "admin@accord.demo")
	marketing := b.units(t)["Marketing"]

	resp := admin.post("/users", map[string]any{"email": " Liu.Yang@Accord.demo ", "name": "刘洋", "name_en": "Liu Yang",
		"password": demo.Password, "unit_id": idStr(marketing.ID)})
	body := resp.expect(t, http.StatusCreated)
	require.Equal(t, "liu.yang@accord.demo", dig(body, "user.email"), "lower-cased as on the page")
	require.Equal(t, "刘洋", dig(body, "user.name"))
	require.Equal(t, "Liu Yang", dig(body, "user.name_en"))
	require.Equal(t, false, dig(body, "user.is_admin"))
	require.Equal(t, []any{map[string]any{"unit_id": idStr(marketing.ID), "unit_name": "市场部",
		"unit_name_en": "Marketing", "is_head": false}}, body["memberships"])
	require.NotContains(t, string(resp.raw), demo.Password, "the password is never echoed")
	u := b.user(t, "liu.yang@accord.demo")
	require.Equal(t, dig(body, "user.id"), idStr(u.ID))
	row, err := b.st.UserWithUnits(ctx, u.ID)
	require.NoError(t, err)
	require.Len(t, row.Units, 1)
	// The person signs in with the initial password.
	require.Equal(t, "Liu Yang", b.login(t, "liu.yang@accord.demo").get("/").text("viewer-name"))

	noUnit := admin.post("/users", map[string]any{"email": "solo@accord.demo", "name": "独行", "password": "another-long-pw"}).
		expect(t, http.StatusCreated)
	require.Equal(t, []any{}, noUnit["memberships"])

	taken := admin.post("/users", map[string]any{"email": "LIU.YANG@accord.demo", "name": "重名", "password": "a-long-initial-pw"})
	taken.expect(t, http.StatusConflict)
	require.Equal(t, "Someone already uses this email address.", taken.str("error.fields.email"))

	zh := b.api(t, "admin@accord.demo")
	zh.lang = "zh-CN"
	bad := zh.post("/users", map[string]any{"email": "not-an-email", "name": "", "password": "short", "unit_id": "999999999"})
	bad.expect(t, http.StatusUnprocessableEntity)
	require.Len(t, bad.body["error"].(map[string]any)["fields"], 4)
	require.Equal(t, "请填写此项。", bad.str("error.fields.name"))
	for _, f := range []string{"email", "password", "unit_id"} {
		require.NotEmpty(t, bad.str("error.fields."+f), f)
	}
	admin.post("/users", map[string]any{"email": "x@accord.demo", "is_admin": "yes"}).expect(t, http.StatusBadRequest)
}

// TestAPIAdminEndpointsRefuseOthers: everyone but an admin gets what the admin pages
// give them, 404, and nothing changes; no token gets 401.
func TestAPIAdminEndpointsRefuseOthers(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	units := b.units(t)
	legal := units["Legal"]
	before, err := b.st.Units(ctx)
	require.NoError(t, err)
	calls := []struct {
		method, path string
		body         map[string]any
	}{
		{http.MethodPost, "/units", map[string]any{"name": "影子部门", "parent_id": idStr(legal.ID)}},
		{http.MethodPatch, "/units/" + idStr(legal.ID), map[string]any{"version": legal.Version, "name": "改名"}},
		{http.MethodPost, "/units/" + idStr(legal.ID) + "/members", map[string]any{"email": "trainer@accord.demo"}},
		{http.MethodPost, "/users", map[string]any{"email": "sneaky@accord.demo", "name": "潜入", "password": "a-long-initial-pw"}},
	}
	for _, email := range []string{"ceo@accord.demo", "legal@accord.demo", "trainer@accord.demo"} {
		c := b.api(t, email)
		for _, call := range calls {
			resp := c.send(call.method, call.path, call.body)
			resp.expect(t, http.StatusNotFound)
			require.Equal(t, "not_found", resp.str("error.code"), "%s %s as %s", call.method, call.path, email)
		}
	}
	for _, call := range calls {
		b.api(t, "").send(call.method, call.path, call.body).expect(t, http.StatusUnauthorized)
	}
	after, err := b.st.Units(ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
	_, err = b.st.UserByEmail(ctx, "sneaky@accord.demo")
	require.Error(t, err)
	row, err := b.st.UserWithUnits(ctx, b.user(t, "trainer@accord.demo").ID)
	require.NoError(t, err)
	require.Len(t, row.Units, 1)
}
