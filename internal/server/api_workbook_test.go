package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// The workbook's exchange and commitments and the goal tree through the API: each
// endpoint's happy path, 422 with fields, 409 with the current object, 404 for what
// the caller may not see, 403 for what they may see but not change; every response
// is checked against the OpenAPI document by the client.

func (c *apiClient) put(path string, body any) apiResponse {
	c.t.Helper()
	return c.send(http.MethodPut, path, body)
}

// strs reads a JSON array of strings.
func strs(v any) []string {
	out := []string{}
	list, _ := v.([]any)
	for _, x := range list {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestAPIExchange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.demoProject(t, "Smart service upgrade")
	units := b.units(t)
	marketing, legal := units["Marketing"], units["Legal"]
	base := "/projects/" + idStr(smart.ID) + "/exchange"
	lead := b.api(t, "aftersales@accord.demo")

	t.Run("list in the alliance board's order", func(t *testing.T) {
		body := lead.get(base).expect(t, http.StatusOK)
		var got []string
		for _, e := range body["exchanges"].([]any) {
			m := e.(map[string]any)
			got = append(got, m["unit_name_en"].(string)+":"+m["stance"].(string)+":"+idStr(int64(num(m["approach_order"]))))
		}
		require.Equal(t, []string{"Training:ally:1", "Data:winnable:2", "Marketing:neutral:3", "IT:opposed:4"}, got)
	})

	t.Run("one unit, every field as the store has it", func(t *testing.T) {
		plan := b.wbPlan(t, smart.ID, marketing.ID)
		resp := lead.get(base + "/" + idStr(marketing.ID))
		body := resp.expect(t, http.StatusOK)
		require.Equal(t, idStr(smart.ID), body["project_id"])
		require.Equal(t, idStr(marketing.ID), body["unit_id"])
		require.Equal(t, plan.UnitName, body["unit_name"])
		require.Equal(t, "Marketing", body["unit_name_en"])
		require.Equal(t, plan.Concerns, strs(body["concerns"]))
		require.Equal(t, plan.KPIs, strs(body["kpis"]))
		for field, want := range map[string]string{"they_need": plan.TheyNeed, "we_give": plan.WeGive,
			"they_get": plan.TheyGet, "proposal": plan.Proposal, "option_a": plan.OptionA, "option_b": plan.OptionB,
			"option_c": plan.OptionC} {
			require.Equal(t, want, body[field], field)
		}
		require.Equal(t, "neutral", body["stance"])
		require.Equal(t, 3, num(body["approach_order"]))
		require.Equal(t, plan.Version, num(body["version"]))
		require.Positive(t, plan.Version)
	})

	t.Run("PUT moves the unit on the board and keeps the rest; the page shows it", func(t *testing.T) {
		before := b.wbPlan(t, smart.ID, marketing.ID)
		path := base + "/" + idStr(marketing.ID)
		saved := lead.put(path, map[string]any{"version": before.Version, "stance": "winnable", "approach_order": 2,
			"concerns": []string{"  档期已满 ", "", "要看到曝光"}}).expect(t, http.StatusOK)
		require.Equal(t, before.Version+1, num(saved["version"]))
		require.Equal(t, "winnable", saved["stance"])
		require.Equal(t, []string{"档期已满", "要看到曝光"}, strs(saved["concerns"]), "trimmed, blanks dropped, as the form does")
		require.Equal(t, before.OptionA, saved["option_a"], "fields not sent stay")

		after := b.wbPlan(t, smart.ID, marketing.ID)
		require.Equal(t, accord.StanceWinnable, after.Stance)
		require.Equal(t, 2, after.ApproachOrder)
		require.Equal(t, before.TheyNeed, after.TheyNeed)
		require.Equal(t, before.KPIs, after.KPIs)

		page := b.login(t, "aftersales@accord.demo").get("/projects/" + idStr(smart.ID))
		require.Equal(t, http.StatusOK, page.StatusCode)
		require.ElementsMatch(t, []string{"Data", "Marketing"}, page.wbTexts(`[data-testid="stance-winnable"] [data-testid="board-unit"]`))

		history, _, err := b.st.ProjectHistory(ctx, smart.ID, 0, 1)
		require.NoError(t, err)
		require.Equal(t, accord.AuditUnitPlan, history[0].Entity)
		require.Equal(t, marketing.ID, history[0].EntityID)
		require.Equal(t, b.user(t, "aftersales@accord.demo").NameEN, history[0].ActorNameEN)

		// A stale version: 409 with the plan as it stands, nothing saved.
		stale := lead.put(path, map[string]any{"version": before.Version, "stance": "opposed"})
		stale.expect(t, http.StatusConflict)
		require.Equal(t, "conflict", stale.str("error.code"))
		require.Equal(t, "winnable", stale.str("error.current.stance"))
		require.Equal(t, before.Version+1, num(dig(stale.body, "error.current.version")))
		require.Equal(t, accord.StanceWinnable, b.wbPlan(t, smart.ID, marketing.ID).Stance)

		// The UI's board form with the API's stale version is refused alike.
		ui := b.login(t, "aftersales@accord.demo")
		resp := ui.post("/projects/"+idStr(smart.ID)+"/units/"+idStr(marketing.ID)+"/stance",
			map[string][]string{"version": {idStr(int64(before.Version))}, "stance": {"opposed"}, "approach_order": {"1"}})
		require.Equal(t, http.StatusConflict, resp.StatusCode)
	})

	t.Run("422 names each field, in the request's language", func(t *testing.T) {
		path := base + "/" + idStr(marketing.ID)
		cur := lead.get(path).expect(t, http.StatusOK)
		zh := b.api(t, "aftersales@accord.demo")
		zh.lang = "zh-CN"
		many := make([]string, 13)
		for i := range many {
			many[i] = "关注点"
		}
		resp := zh.put(path, map[string]any{"version": cur["version"], "stance": "friend", "approach_order": -1,
			"concerns": many, "option_a": strings.Repeat("长", accord.MaxNoteLength+1)})
		resp.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "invalid", resp.str("error.code"))
		require.Equal(t, "请填写此项。", resp.str("error.fields.stance"))
		require.Equal(t, "请输入 0 或更大的数。", resp.str("error.fields.approach_order"))
		require.Equal(t, "列表最多 12 项。", resp.str("error.fields.concerns"))
		require.NotEmpty(t, resp.str("error.fields.option_a"))
		require.Len(t, dig(resp.body, "error.fields"), 4)

		noVersion := lead.put(path, map[string]any{"stance": "ally"})
		noVersion.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, noVersion.str("error.fields.version"))
		require.Equal(t, cur["version"], lead.get(path).expect(t, http.StatusOK)["version"], "nothing saved")

		bad := lead.send(http.MethodPut, path, []byte(`{"version": 1, "concerns": "one"}`))
		bad.expect(t, http.StatusBadRequest)
		require.NotEmpty(t, bad.str("error.fields.concerns"))
		lead.send(http.MethodPut, path, []byte(`{"version": 1, "stanse": "ally"}`)).expect(t, http.StatusBadRequest)
	})

	t.Run("a unit newly involved starts at version 0", func(t *testing.T) {
		need := lead.post("/projects/"+idStr(smart.ID)+"/needs", map[string]any{"title": "合同审核",
			"holder_unit_id": idStr(legal.ID), "tier": "P1"}).expect(t, http.StatusCreated)
		require.NotEmpty(t, need["id"])
		path := base + "/" + idStr(legal.ID)
		fresh := lead.get(path).expect(t, http.StatusOK)
		require.Equal(t, 0, num(fresh["version"]))
		require.Equal(t, "", fresh["stance"])
		require.Equal(t, []string{}, strs(fresh["concerns"]))
		lead.put(path, map[string]any{"version": 1, "stance": "ally"}).expect(t, http.StatusConflict)
		saved := lead.put(path, map[string]any{"version": 0, "we_give": "季度法务简报署名", "kpis": []string{"合同周期"}}).
			expect(t, http.StatusOK)
		require.Equal(t, 1, num(saved["version"]))
		require.Equal(t, "季度法务简报署名", saved["we_give"])
		require.Equal(t, "", saved["stance"])
		require.Equal(t, 5, len(lead.get(base).expect(t, http.StatusOK)["exchanges"].([]any)))
	})

	t.Run("404 for a unit not involved, a bad id, and a project the caller may not see", func(t *testing.T) {
		finance := units["Finance"]
		lead.get(base+"/"+idStr(finance.ID)).expect(t, http.StatusNotFound)
		lead.put(base+"/"+idStr(finance.ID), map[string]any{"version": 0, "stance": "ally"}).expect(t, http.StatusNotFound)
		_, err := b.st.UnitPlan(ctx, smart.ID, finance.ID)
		require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "nothing was created")
		lead.get(base+"/abc").expect(t, http.StatusNotFound)
		lead.get(base+"/999999999").expect(t, http.StatusNotFound)

		outsider := b.api(t, "sales@accord.demo") // heads a sibling of the owning unit
		hidden := outsider.get(base + "/" + idStr(marketing.ID))
		hidden.expect(t, http.StatusNotFound)
		missing := outsider.get("/projects/999999999/exchange/" + idStr(marketing.ID))
		require.Equal(t, missing.raw, hidden.raw, "nothing tells a hidden project from a missing one")
		outsider.put(base+"/"+idStr(marketing.ID), map[string]any{"version": 1}).expect(t, http.StatusNotFound)
		outsider.get(base).expect(t, http.StatusNotFound)
	})

	t.Run("403 for the involved head, who may read it", func(t *testing.T) {
		head := b.api(t, "marketing@accord.demo")
		path := base + "/" + idStr(marketing.ID)
		cur := head.get(path).expect(t, http.StatusOK)
		resp := head.put(path, map[string]any{"version": cur["version"], "stance": "ally"})
		resp.expect(t, http.StatusForbidden)
		require.Equal(t, "forbidden", resp.str("error.code"))
		require.Equal(t, cur["stance"], head.get(path).expect(t, http.StatusOK)["stance"])
		b.api(t, "").get(path).expect(t, http.StatusUnauthorized)
	})
}

func TestAPICommitments(t *testing.T) {
	b := setup(t)
	smart := b.demoProject(t, "Smart service upgrade")
	units := b.units(t)
	list := "/projects/" + idStr(smart.ID) + "/commitments"
	lead := b.api(t, "aftersales@accord.demo")

	t.Run("list: open first by due date, overdue as the workbook marks it", func(t *testing.T) {
		// The renewal drive's promise to After-sales is open and past its date.
		drive := b.demoProject(t, "Weekend insurance renewal drive")
		body := b.api(t, "fi@accord.demo").get("/projects/"+idStr(drive.ID)+"/commitments").expect(t, http.StatusOK)
		items := body["commitments"].([]any)
		require.Len(t, items, 3)
		overdue := items[0].(map[string]any)
		require.Equal(t, "After-sales", overdue["unit_name_en"])
		require.Equal(t, "每月共享续保客户的保养回厂数据", overdue["what"], "as typed: the API gives the stored text")
		require.Equal(t, true, overdue["overdue"])
		require.Equal(t, "open", overdue["status"])
		for _, item := range items[1:] {
			require.Equal(t, false, item.(map[string]any)["overdue"], "a kept or broken promise is not overdue")
		}

		// The Smart service upgrade's promises fall due after the help they thank for.
		body = lead.get(list).expect(t, http.StatusOK)
		items = body["commitments"].([]any)
		require.Len(t, items, 2)
		first, second := items[0].(map[string]any), items[1].(map[string]any)
		require.Equal(t, "Data", first["unit_name_en"])
		require.Equal(t, false, first["overdue"])
		require.Equal(t, "open", first["status"])
		require.Equal(t, "Training", second["unit_name_en"])
		require.Equal(t, "年会上公开感谢培训部", second["what"])
		require.Equal(t, false, second["overdue"])
		stored, err := b.st.Commitments(context.Background(), smart.ID)
		require.NoError(t, err)
		require.Equal(t, stored[1].DueDate.Format(time.DateOnly), second["due_date"])
		require.Equal(t, idStr(stored[1].ID), second["id"])
		require.Equal(t, stored[1].Version, num(second["version"]))
	})

	var created map[string]any
	t.Run("POST records a promise the page then lists", func(t *testing.T) {
		resp := lead.post(list, map[string]any{"unit_id": idStr(units["IT"].ID), "what": "  上线后在全员信里致谢 IT  ",
			"due_date": "2031-03-01"})
		created = resp.expect(t, http.StatusCreated)
		require.Equal(t, idStr(smart.ID), created["project_id"])
		require.Equal(t, idStr(units["IT"].ID), created["unit_id"])
		require.Equal(t, "IT", created["unit_name_en"])
		require.Equal(t, "上线后在全员信里致谢 IT", created["what"])
		require.Equal(t, "2031-03-01", created["due_date"])
		require.Equal(t, "open", created["status"], "open unless said")
		require.Equal(t, false, created["overdue"])
		require.Equal(t, 1, num(created["version"]))

		c, err := b.st.Commitment(context.Background(), mustID(t, created["id"].(string)))
		require.NoError(t, err)
		require.Equal(t, "上线后在全员信里致谢 IT", c.What)
		page := b.login(t, "aftersales@accord.demo").get("/projects/" + idStr(smart.ID))
		require.Contains(t, page.wbTexts(`[data-testid="commitment-what"]`), "上线后在全员信里致谢 IT")
		require.Len(t, lead.get(list).expect(t, http.StatusOK)["commitments"], 3)
	})

	t.Run("POST 422 and 400", func(t *testing.T) {
		zh := b.api(t, "aftersales@accord.demo")
		zh.lang = "zh"
		resp := zh.post(list, map[string]any{"what": " ", "status": "done", "due_date": "明天"})
		resp.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "请填写此项。", resp.str("error.fields.unit_id"))
		require.Equal(t, "请填写此项。", resp.str("error.fields.what"))
		require.Equal(t, "请填写此项。", resp.str("error.fields.status"))
		require.Equal(t, "请按“年-月-日”填写日期，例如 2025-06-30。", resp.str("error.fields.due_date"))

		resp = lead.post(list, map[string]any{"unit_id": "999999999", "what": "x"})
		resp.expect(t, http.StatusUnprocessableEntity)
		require.Equal(t, "No such unit.", resp.str("error.fields.unit_id"))
		lead.post(list, map[string]any{"unit_id": "IT", "what": "x"}).expect(t, http.StatusUnprocessableEntity)
		lead.send(http.MethodPost, list, []byte(`{"unit_id": 3, "what": "x"}`)).expect(t, http.StatusBadRequest)
		require.Len(t, lead.get(list).expect(t, http.StatusOK)["commitments"], 3, "nothing saved")
	})

	t.Run("PATCH keeps what it does not name; a stale version gets the current one", func(t *testing.T) {
		path := "/commitments/" + created["id"].(string)
		kept := lead.patch(path, map[string]any{"version": created["version"], "status": "kept"}).expect(t, http.StatusOK)
		require.Equal(t, "kept", kept["status"])
		require.Equal(t, created["what"], kept["what"])
		require.Equal(t, created["due_date"], kept["due_date"])
		require.Equal(t, num(created["version"])+1, num(kept["version"]))

		stale := lead.patch(path, map[string]any{"version": created["version"], "status": "broken"})
		stale.expect(t, http.StatusConflict)
		require.Equal(t, "kept", stale.str("error.current.status"))
		require.Equal(t, num(kept["version"]), num(dig(stale.body, "error.current.version")))

		cleared := lead.patch(path, map[string]any{"version": kept["version"], "due_date": nil}).expect(t, http.StatusOK)
		require.Nil(t, cleared["due_date"])
		require.Equal(t, "kept", cleared["status"])

		resp := lead.patch(path, map[string]any{"version": cleared["version"], "what": "", "unit_id": nil})
		resp.expect(t, http.StatusUnprocessableEntity)
		require.NotEmpty(t, resp.str("error.fields.what"))
		require.NotEmpty(t, resp.str("error.fields.unit_id"))
		lead.patch(path, map[string]any{"status": "open"}).expect(t, http.StatusUnprocessableEntity)
		c, err := b.st.Commitment(context.Background(), mustID(t, created["id"].(string)))
		require.NoError(t, err)
		require.Equal(t, accord.CommitmentKept, c.Status, "refused patches saved nothing")
		require.Equal(t, num(cleared["version"]), c.Version)
	})

	t.Run("the UI's edit form with the API's stale version is refused alike", func(t *testing.T) {
		ui := b.login(t, "aftersales@accord.demo")
		resp := ui.post("/projects/"+idStr(smart.ID)+"/commitments/"+created["id"].(string), map[string][]string{
			"version": {idStr(int64(num(created["version"])))}, "unit_id": {idStr(units["IT"].ID)}, "what": {"x"},
			"status": {"open"}})
		require.Equal(t, http.StatusConflict, resp.StatusCode)
	})

	t.Run("404 for what the caller may not see, 403 for what they may not change", func(t *testing.T) {
		path := "/commitments/" + created["id"].(string)
		outsider := b.api(t, "sales@accord.demo")
		outsider.get(list).expect(t, http.StatusNotFound)
		outsider.post(list, map[string]any{"unit_id": idStr(units["IT"].ID), "what": "x"}).expect(t, http.StatusNotFound)
		hidden := outsider.patch(path, map[string]any{"version": 1, "status": "open"})
		hidden.expect(t, http.StatusNotFound)
		missing := outsider.patch("/commitments/999999999", map[string]any{"version": 1, "status": "open"})
		require.Equal(t, missing.raw, hidden.raw, "nothing tells a hidden commitment from a missing one")
		lead.patch("/commitments/abc", map[string]any{"version": 1}).expect(t, http.StatusNotFound)

		head := b.api(t, "marketing@accord.demo") // holds a need: reads, does not edit
		require.Len(t, head.get(list).expect(t, http.StatusOK)["commitments"], 3)
		resp := head.post(list, map[string]any{"unit_id": idStr(units["Marketing"].ID), "what": "x"})
		resp.expect(t, http.StatusForbidden)
		require.Equal(t, "forbidden", resp.str("error.code"))
		head.patch(path, map[string]any{"version": 1, "status": "open"}).expect(t, http.StatusForbidden)
		b.api(t, "").get(list).expect(t, http.StatusUnauthorized)
		require.Len(t, lead.get(list).expect(t, http.StatusOK)["commitments"], 3)
	})
}

func TestAPIGoals(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	goals, err := b.st.Goals(ctx)
	require.NoError(t, err)

	for _, email := range []string{"trainer@accord.demo", "ceo@accord.demo"} {
		t.Run(email, func(t *testing.T) {
			v, err := b.st.Viewer(ctx, b.user(t, email).ID)
			require.NoError(t, err)
			counts, err := b.st.GoalProjectCounts(ctx, v)
			require.NoError(t, err)
			c := b.api(t, email)
			got := c.get("/goals").expect(t, http.StatusOK)["goals"].([]any)
			require.Len(t, got, len(goals))
			for i, g := range goals {
				m := got[i].(map[string]any)
				require.Equal(t, idStr(g.ID), m["id"], "depth-first, as the page")
				require.Equal(t, g.Title, m["title"])
				require.Equal(t, g.TitleEN, m["title_en"])
				require.Equal(t, g.Target, m["target"])
				require.Equal(t, g.Depth, num(m["depth"]))
				require.Equal(t, g.Version, num(m["version"]))
				require.Equal(t, counts[g.ID], num(m["project_count"]), g.TitleEN)
				require.Equal(t, g.UnitNameEN, m["unit_name_en"])
				if g.ParentID == nil {
					require.Nil(t, m["parent_id"])
				} else {
					require.Equal(t, idStr(*g.ParentID), m["parent_id"])
				}
				if g.UnitID == nil {
					require.Nil(t, m["unit_id"])
				} else {
					require.Equal(t, idStr(*g.UnitID), m["unit_id"])
				}
			}
		})
	}

	t.Run("KPIs sit under their company goal; counts follow what the caller may see", func(t *testing.T) {
		byTitle := map[string]map[string]any{}
		for _, g := range b.api(t, "ceo@accord.demo").get("/goals").expect(t, http.StatusOK)["goals"].([]any) {
			m := g.(map[string]any)
			byTitle[m["title_en"].(string)] = m
		}
		turnover := byTitle["Stock turnover under 45 days"]
		require.Equal(t, 1, num(turnover["depth"]))
		require.Equal(t, "Sales", turnover["unit_name_en"])
		parent := turnover["parent_id"].(string)
		var parentDepth int
		for _, m := range byTitle {
			if m["id"] == parent {
				parentDepth = num(m["depth"])
				require.Nil(t, m["parent_id"])
			}
		}
		require.Zero(t, parentDepth)
		require.Positive(t, num(turnover["project_count"]), "the CEO sees the promotion serving it")

		var trainerCount int
		for _, g := range b.api(t, "trainer@accord.demo").get("/goals").expect(t, http.StatusOK)["goals"].([]any) {
			if m := g.(map[string]any); m["id"] == turnover["id"] {
				trainerCount = num(m["project_count"])
			}
		}
		require.Less(t, trainerCount, num(turnover["project_count"]), "a plain member sees fewer projects")
	})

	t.Run("a fixed number of queries whatever the tree's size", func(t *testing.T) {
		c := b.api(t, "ceo@accord.demo")
		before := b.countQueries(func() { c.get("/goals").expect(t, http.StatusOK) })
		admin := b.user(t, "admin@accord.demo")
		for i := range 5 {
			parent := goals[0].ID
			_, err := b.st.CreateGoal(ctx, admin.ID, accord.GoalInput{ParentID: &parent, Title: "新指标 " + idStr(int64(i))})
			require.NoError(t, err)
		}
		var body map[string]any
		after := b.countQueries(func() { body = c.get("/goals").expect(t, http.StatusOK) })
		require.Len(t, body["goals"], len(goals)+5)
		require.Equal(t, before, after)
	})

	t.Run("401 without a token", func(t *testing.T) {
		resp := b.api(t, "").get("/goals")
		resp.expect(t, http.StatusUnauthorized)
		var e map[string]any
		require.NoError(t, json.Unmarshal(resp.raw, &e))
		require.Equal(t, "unauthorized", dig(e, "error.code"))
	})
}
