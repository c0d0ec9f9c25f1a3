package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAPIErrorShapes(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	lead := b.api(t, "sales@accord.demo")
	p := b.demoProject(t, "Inventory car promotion")
	pid := idStr(p.ID)

	t.Run("401 without, with a wrong, and with a revoked token", func(t *testing.T) {
		anon := b.api(t, "")
		resp := anon.get("/me")
		resp.expect(t, http.StatusUnauthorized)
		require.Equal(t, "unauthorized", resp.str("error.code"))
		require.Contains(t, resp.str("error.message"), "Authorization: Bearer")
		require.Equal(t, `Bearer realm="accord"`, resp.header.Get("WWW-Authenticate"))

		anon.token = "not-a-token"
		anon.get("/me").expect(t, http.StatusUnauthorized)

		u := b.user(t, "legal@accord.demo")
		tok, secret, err := b.st.CreateToken(ctx, u.ID, u.ID, "ci", time.Now())
		require.NoError(t, err)
		c := &apiClient{t: t, b: b, token: secret, lang: "en"}
		c.get("/me").expect(t, http.StatusOK)
		require.NoError(t, b.st.RevokeToken(ctx, u.ID, u.ID, tok.ID, time.Now()))
		c.get("/me").expect(t, http.StatusUnauthorized)
	})

	t.Run("404 for a project the caller may not see, same as a missing one", func(t *testing.T) {
		trainer := b.api(t, "trainer@accord.demo")
		hidden := trainer.get("/projects/" + pid)
		hidden.expect(t, http.StatusNotFound)
		missing := trainer.get("/projects/999999999")
		missing.expect(t, http.StatusNotFound)
		require.Equal(t, missing.raw, hidden.raw, "nothing tells a hidden project from a missing one")
		require.Equal(t, "not_found", hidden.str("error.code"))
		trainer.get("/projects/abc").expect(t, http.StatusNotFound)
		trainer.get("/nothing-here").expect(t, http.StatusNotFound)
	})

	t.Run("409 on a stale version carries the current project", func(t *testing.T) {
		cur := lead.get("/projects/"+pid).expect(t, http.StatusOK)
		v := cur["version"]
		saved := lead.patch("/projects/"+pid, map[string]any{"version": v, "goal_statement": "清库存 200 台"}).expect(t, http.StatusOK)
		require.Equal(t, num(v)+1, num(saved["version"]))
		require.Equal(t, cur["name"], saved["name"], "fields not sent stay")
		stale := lead.patch("/projects/"+pid, map[string]any{"version": v, "goal_statement": "别的"})
		stale.expect(t, http.StatusConflict)
		require.Equal(t, "conflict", stale.str("error.code"))
		require.Equal(t, "清库存 200 台", stale.str("error.current.goal_statement"))
		require.Equal(t, num(saved["version"]), num(dig(stale.body, "error.current.version")))
		lead.patch("/projects/"+pid, map[string]any{"goal_statement": "无版本"}).expect(t, http.StatusUnprocessableEntity)
	})

	t.Run("422 names each field in the request's language", func(t *testing.T) {
		zh := b.api(t, "aftersales@accord.demo")
		zh.lang = "zh-CN,zh;q=0.9"
		resp := zh.post("/projects", map[string]any{"name": "", "owning_unit_id": "1", "cadence_days": 0, "start_date": "明天"})
		resp.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "invalid", resp.str("error.code"))
		require.Equal(t, "请填写此项。", resp.str("error.fields.name"))
		require.Equal(t, "请按“年-月-日”填写日期，例如 2025-06-30。", resp.str("error.fields.start_date"))
		require.Equal(t, "请选择你所在的部门；管理员可指定任意部门。", resp.str("error.fields.owning_unit_id"))
		require.NotEmpty(t, resp.str("error.fields.cadence_days"))
		require.Equal(t, "zh", resp.header.Get("Content-Language"))
		en := b.api(t, "aftersales@accord.demo")
		require.Equal(t, "Fill in this field.", en.post("/projects", map[string]any{"name": " "}).str("error.fields.name"))
	})

	t.Run("400 for malformed JSON, wrong types and unknown fields", func(t *testing.T) {
		for name, body := range map[string]string{
			"syntax":        `{"version": 1,`,
			"empty":         ``,
			"two objects":   `{} {}`,
			"wrong type":    `{"version": "1"}`,
			"id as number":  `{"version": 1, "owning_unit_id": 3}`,
			"unknown field": `{"version": 1, "nmae": "x"}`,
			"not an object": `[1, 2]`,
		} {
			resp := lead.send(http.MethodPatch, "/projects/"+pid, []byte(body))
			require.Equal(t, http.StatusBadRequest, resp.status, "%s: %s", name, resp.raw)
			require.Equal(t, "bad_request", resp.str("error.code"), name)
		}
		resp := lead.send(http.MethodPatch, "/projects/"+pid, []byte(`{"version": "1"}`))
		require.Equal(t, "This field has the wrong type.", resp.str("error.fields.version"))
		resp = lead.send(http.MethodPatch, "/projects/"+pid, []byte(`{"version": 1, "nmae": "x"}`))
		require.Equal(t, "This endpoint does not accept this field.", resp.str("error.fields.nmae"))
	})

	t.Run("413 over 1 MB", func(t *testing.T) {
		big := `{"version": 1, "goal_statement": "` + strings.Repeat("x", 1<<20) + `"}`
		resp := lead.send(http.MethodPatch, "/projects/"+pid, []byte(big))
		resp.expect(t, http.StatusRequestEntityTooLarge)
		require.Equal(t, "too_large", resp.str("error.code"))
	})

	t.Run("403 for the involved non-lead, with the reason", func(t *testing.T) {
		resp := b.api(t, "marketing@accord.demo").patch("/projects/"+pid, map[string]any{"version": 1})
		resp.expect(t, http.StatusForbidden)
		require.Equal(t, "forbidden", resp.str("error.code"))
		require.NotEmpty(t, resp.str("error.message"))
	})

	t.Run("cursor pagination walks every project once", func(t *testing.T) {
		admin := b.api(t, "admin@accord.demo")
		seen := map[string]bool{}
		path := "/projects?limit=1"
		for pages := 0; ; pages++ {
			require.Less(t, pages, 50)
			resp := admin.get(path).expect(t, http.StatusOK)
			for _, p := range resp["projects"].([]any) {
				id := p.(map[string]any)["id"].(string)
				require.False(t, seen[id], "project %s twice", id)
				seen[id] = true
			}
			next, _ := resp["next_cursor"].(string)
			if next == "" {
				require.Equal(t, num(resp["total"]), len(seen))
				break
			}
			path = "/projects?limit=1&cursor=" + next
		}
		require.GreaterOrEqual(t, len(seen), 3)
		admin.get("/projects?cursor=bm9wZQ").expect(t, http.StatusUnprocessableEntity)
		admin.get("/projects?limit=0").expect(t, http.StatusUnprocessableEntity)
	})
}
