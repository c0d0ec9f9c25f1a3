package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestSmartServiceUpgradeThroughTheAPI plays the whole story with tokens alone: the
// lead maps and sends needs, IT declines and is asked again, Data counters and the
// lead accepts, the lead escalates, the CEO directs IT, and IT's developer delivers.
func TestSmartServiceUpgradeThroughTheAPI(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	lead := b.api(t, "aftersales@accord.demo")
	it := b.api(t, "it@accord.demo")
	data := b.api(t, "data@accord.demo")
	ceo := b.api(t, "ceo@accord.demo")
	dev := b.api(t, "it.dev@accord.demo")

	me := lead.get("/me").expect(t, http.StatusOK)
	require.Equal(t, "aftersales@accord.demo", dig(me, "user.email"))
	require.Equal(t, true, dig(me, "roles.head"))

	units := map[string]string{}
	for _, u := range lead.get("/units").expect(t, http.StatusOK)["units"].([]any) {
		m := u.(map[string]any)
		units[m["name_en"].(string)] = m["id"].(string)
	}
	require.Len(t, units, 15)
	sup := lead.get("/units/"+units["After-sales"]+"/shared-superior?with="+units["IT"]).expect(t, http.StatusOK)
	require.Equal(t, units["HQ"], sup["unit_id"])
	require.Equal(t, idStr(b.user(t, "ceo@accord.demo").ID), sup["head_user_id"])

	// The lead starts the project and maps two needs.
	resp := lead.post("/projects", map[string]any{"name": "智能服务升级二期", "name_en": "Smart service upgrade II",
		"owning_unit_id": units["After-sales"], "expected_amount": 5000000, "target_date": "2027-06-30"})
	project := resp.expect(t, http.StatusCreated)
	pid := project["id"].(string)
	require.Equal(t, "/api/v1/projects/"+pid, resp.header.Get("Location"))
	require.Equal(t, idStr(b.user(t, "aftersales@accord.demo").ID), project["lead_user_id"])
	require.Equal(t, "active", project["status"])
	require.Equal(t, "CNY", project["currency"])
	require.Equal(t, "2027-06-30", project["target_date"])
	require.Equal(t, 1, num(project["version"]))

	crm := lead.post("/projects/"+pid+"/needs", map[string]any{"title": "CRM 二期", "title_en": "CRM phase 2",
		"holder_unit_id": units["IT"], "tier": "P0", "needed_by": "2027-03-31", "effort_days": 60}).expect(t, http.StatusCreated)
	dash := lead.post("/projects/"+pid+"/needs", map[string]any{"title": "服务看板", "title_en": "Service dashboard",
		"holder_unit_id": units["Data"], "tier": "P1", "effort_days": 15}).expect(t, http.StatusCreated)
	require.Equal(t, "IT", crm["holder_name_en"])
	require.Equal(t, "2027-03-31", crm["needed_by"])

	// A patch changes only what it names, and moves the version.
	crm = lead.patch("/needs/"+crm["id"].(string), map[string]any{"version": crm["version"], "effort_days": 45}).expect(t, http.StatusOK)
	require.Equal(t, 45.0, crm["effort_days"])
	require.Equal(t, "CRM 二期", crm["title"])
	require.Equal(t, 2, num(crm["version"]))
	needs := lead.get("/projects/"+pid+"/needs").expect(t, http.StatusOK)["needs"].([]any)
	require.Len(t, needs, 2)

	// Both go out.
	crmReq := lead.post("/needs/"+crm["id"].(string)+"/request", map[string]any{"message": "请支持二期"}).expect(t, http.StatusCreated)
	dashReq := lead.post("/needs/"+dash["id"].(string)+"/request", map[string]any{}).expect(t, http.StatusCreated)
	require.Equal(t, "requested", crmReq["state"])
	require.Equal(t, "请支持二期", crmReq["message"])
	require.Equal(t, []any{"cancel"}, crmReq["available_actions"], "the lead can only cancel while IT decides")
	lead.post("/needs/"+crm["id"].(string)+"/request", map[string]any{}).expect(t, http.StatusConflict)
	crmID, dashID := crmReq["id"].(string), dashReq["id"].(string)

	// IT sees it in its inbox and declines.
	inbox := it.get("/requests?box=incoming").expect(t, http.StatusOK)
	require.Contains(t, requestIDs(inbox), crmID)
	got := it.get("/requests/"+crmID).expect(t, http.StatusOK)
	require.ElementsMatch(t, []any{"agree", "decline", "counter", "delegate", "transfer"}, got["available_actions"])
	declined := it.post("/requests/"+crmID+"/decline", map[string]any{"version": got["version"], "obstacle": "too_busy",
		"reason": "本季度排期已满。"}).expect(t, http.StatusOK)
	require.Equal(t, "declined", declined["state"])
	require.Equal(t, "too_busy", declined["obstacle"])

	// The lead asks again.
	resent := lead.post("/requests/"+crmID+"/resend", map[string]any{"version": declined["version"]}).expect(t, http.StatusOK)
	require.Equal(t, "requested", resent["state"])
	require.Equal(t, "", resent["obstacle"])

	// Data offers less, later; the lead accepts.
	dashNow := data.get("/requests/"+dashID).expect(t, http.StatusOK)
	countered := data.post("/requests/"+dashID+"/counter", map[string]any{"version": dashNow["version"],
		"counter_scope": "只做工单看板", "counter_date": "2027-05-15"}).expect(t, http.StatusOK)
	require.Equal(t, "countered", countered["state"])
	accepted := lead.post("/requests/"+dashID+"/accept-counter", map[string]any{"version": countered["version"]}).expect(t, http.StatusOK)
	require.Equal(t, "agreed", accepted["state"])
	require.Equal(t, "只做工单看板", accepted["scope"])
	require.Equal(t, "2027-05-15", accepted["due_date"])

	// The lead escalates the CRM; it goes to the CEO, who both units share.
	esc := lead.post("/requests/"+crmID+"/escalate", map[string]any{"reason": "二期是年度重点，需要排期。"}).expect(t, http.StatusCreated)
	escID := esc["id"].(string)
	require.Equal(t, idStr(b.user(t, "ceo@accord.demo").ID), esc["assigned_user_id"])
	require.Equal(t, "open", esc["status"])
	require.Equal(t, crmID, dig(esc, "request.id"))
	lead.post("/requests/"+crmID+"/escalate", map[string]any{"reason": "再来一次"}).expect(t, http.StatusConflict)

	// IT is heard; the CEO finds it waiting and directs IT.
	it.post("/escalations/"+escID+"/statement", map[string]any{"text": "可先做客户档案。"}).expect(t, http.StatusOK)
	queue := ceo.get("/escalations?assigned=me").expect(t, http.StatusOK)
	require.Equal(t, 1, num(queue["total"]))
	current := ceo.get("/escalations/"+escID).expect(t, http.StatusOK)
	require.Equal(t, "可先做客户档案。", current["holder_statement"])
	direct := map[string]any{"version": current["version"], "kind": "direct", "note": "二期优先，先交付客户档案。",
		"scope": "客户档案与工单", "due_date": "2027-04-30"}
	it.post("/escalations/"+escID+"/decide", direct).expect(t, http.StatusForbidden)
	decided := ceo.post("/escalations/"+escID+"/decide", direct).expect(t, http.StatusOK)
	require.Equal(t, "decided", decided["status"])
	require.Equal(t, "direct", decided["decision"])
	require.Equal(t, "agreed", dig(decided, "request.state"))
	require.Equal(t, true, dig(decided, "request.binding"))
	require.Equal(t, "客户档案与工单", dig(decided, "request.scope"))
	require.Equal(t, "2027-04-30", dig(decided, "request.due_date"))
	require.Equal(t, "Chen Zhiyuan", decided["decided_by_name_en"])
	require.Equal(t, false, decided["party_decides"])
	b.api(t, "admin@accord.demo").post("/escalations/"+escID+"/decide", direct).expect(t, http.StatusForbidden)

	// The ruling reaches both sides: the brief as decided on, the request, the
	// notification (which opens the escalation), and the parties' lists.
	record := lead.get("/escalations/"+escID).expect(t, http.StatusOK)
	require.Contains(t, record["brief_text"], "本季度排期已满。", "the decline the CEO ruled on")
	require.NotEmpty(t, record["record_taken_at"])
	ruled := it.get("/requests/"+crmID).expect(t, http.StatusOK)
	require.Equal(t, "二期优先，先交付客户档案。", dig(ruled, "ruling.reason"))
	require.Equal(t, "direct", dig(ruled, "ruling.decision"))
	require.Equal(t, escID, dig(ruled, "ruling.escalation_id"))
	for _, side := range []*apiClient{lead, it} {
		notes := side.get("/notifications").expect(t, http.StatusOK)["notifications"].([]any)
		first := notes[0].(map[string]any)
		require.Equal(t, "escalation_decided", first["kind"])
		require.Equal(t, "二期优先，先交付客户档案。", first["reason"])
		require.Equal(t, "/escalations/"+escID, first["link"])
		require.Equal(t, escID, first["escalation_id"])
	}
	require.Equal(t, 1, num(it.get("/escalations?list=units").expect(t, http.StatusOK)["total"]))
	require.Equal(t, 1, num(lead.get("/escalations?list=decided").expect(t, http.StatusOK)["total"]))
	it.get("/escalations?list=all").expect(t, http.StatusUnprocessableEntity)

	// IT's head hands it to the developer, who starts, reports and delivers.
	now := it.get("/requests/"+crmID).expect(t, http.StatusOK)
	require.NotContains(t, now["available_actions"], "decline", "a binding decision cannot be declined")
	devID := idStr(b.user(t, "it.dev@accord.demo").ID)
	delegated := it.post("/requests/"+crmID+"/delegate", map[string]any{"version": now["version"], "key_person_user_id": devID}).expect(t, http.StatusOK)
	require.Equal(t, devID, delegated["key_person_user_id"])
	started := dev.post("/requests/"+crmID+"/start", map[string]any{"version": delegated["version"]}).expect(t, http.StatusOK)
	require.Equal(t, "in_progress", started["state"])
	update := dev.post("/requests/"+crmID+"/updates", map[string]any{"body": "客户档案已上线。", "risk": "low", "effort_days": 20}).expect(t, http.StatusCreated)
	require.Equal(t, devID, update["author_user_id"])
	delivered := dev.post("/requests/"+crmID+"/deliver", map[string]any{"version": started["version"]}).expect(t, http.StatusOK)
	require.Equal(t, "delivered", delivered["state"])
	log := lead.get("/requests/"+crmID+"/updates").expect(t, http.StatusOK)["updates"].([]any)
	require.Len(t, log, 1)

	// The lead's tracker and outbox show where everything stands.
	tracker := lead.get("/projects/"+pid+"/tracker").expect(t, http.StatusOK)
	states := map[string]any{}
	for _, row := range tracker["rows"].([]any) {
		states[dig(row, "request.need_title_en").(string)] = dig(row, "request.state")
	}
	require.Equal(t, map[string]any{"CRM phase 2": "delivered", "Service dashboard": "agreed"}, states)
	out := lead.get("/requests?box=outgoing&limit=100").expect(t, http.StatusOK)
	require.Subset(t, requestIDs(out), []string{crmID, dashID})

	// The store agrees: the same rows the pages read.
	r, err := b.st.Request(ctx, mustID(t, crmID))
	require.NoError(t, err)
	require.Equal(t, accord.RequestDelivered, r.State)
	require.True(t, r.Binding)
}

func requestIDs(list map[string]any) []string {
	var ids []string
	for _, r := range list["requests"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	for _, c := range s {
		require.True(t, c >= '0' && c <= '9', "id %q", s)
		id = id*10 + int64(c-'0')
	}
	return id
}
