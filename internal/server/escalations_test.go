package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// One file for the escalation pages' HTTP tests, as one story: raise, route, state,
// decide, send back, reassign. Splitting it would cut the story between files that
// share its helpers.

// escBlamingWords must never appear in a brief, in either language.
var escBlamingWords = []string{"refus", "block", "fail", "fault", "blame", "uncooperative", "won't", "unwilling",
	"拒绝", "不配合", "推诿", "阻碍", "阻挠", "失职", "告状", "批评", "甩锅", "问责"}

func (b *testBundle) escViewer(t *testing.T, email string) accord.Viewer {
	t.Helper()
	v, err := b.st.Viewer(context.Background(), b.user(t, email).ID)
	require.NoError(t, err)
	return v
}

// escDeclinedCRM is phDeclinedCRM followed by the lead's escalation; it returns the
// escalation and the lead and IT's head signed in.
func (b *testBundle) escDeclinedCRM(t *testing.T) (accord.Escalation, *client, *client) {
	t.Helper()
	_, lead, itHead, it := b.phDeclinedCRM(t)
	e, err := b.st.Escalate(context.Background(), b.escViewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	return e, lead, itHead
}

// escSendSmart sends every need of the Smart service upgrade, by holder's English name.
func (b *testBundle) escSendSmart(t *testing.T, at time.Time) map[string]accord.Request {
	t.Helper()
	ctx := context.Background()
	p := b.demoProject(t, "Smart service upgrade")
	needs, err := b.st.Needs(ctx, p.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	sent, err := b.st.SendNeeds(ctx, p.LeadUserID, p.ID, ids, "请支持", at)
	require.NoError(t, err)
	out := map[string]accord.Request{}
	for _, r := range sent {
		out[r.HolderNameEN] = r
	}
	return out
}

// escSendOne sends one need of a demo project, found by its holder's English name.
func (b *testBundle) escSendOne(t *testing.T, projectEN, holderEN string, at time.Time) accord.Request {
	t.Helper()
	ctx := context.Background()
	p := b.demoProject(t, projectEN)
	needs, err := b.st.Needs(ctx, p.ID)
	require.NoError(t, err)
	for _, n := range needs {
		if n.HolderNameEN == holderEN {
			sent, err := b.st.SendNeeds(ctx, p.LeadUserID, p.ID, []int64{n.ID}, "", at)
			require.NoError(t, err)
			require.Len(t, sent, 1)
			return sent[0]
		}
	}
	t.Fatalf("no need held by %s in %s", holderEN, projectEN)
	return accord.Request{}
}

// escStalledCRM plays the seed's story up to the sweep: the Smart service upgrade's
// needs go out, Data, Training and Marketing agree, IT declines as too busy, and four
// days later the sweep takes the CRM to the CEO. The server's clock is then.
func (b *testBundle) escStalledCRM(t *testing.T) (accord.Request, accord.Escalation) {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	sent := b.escSendSmart(t, start)
	for holder, head := range map[string]string{"Data": "data@accord.demo", "Training": "training@accord.demo", "Marketing": "marketing@accord.demo"} {
		r := sent[holder]
		_, err := b.st.ActOnRequest(ctx, b.escViewer(t, head), r.ID, r.Version, accord.ActionAgree, accord.RequestInput{}, start)
		require.NoError(t, err)
	}
	it := sent["IT"]
	it, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满，可先做一期。"}, start)
	require.NoError(t, err)
	later := start.Add(4 * 24 * time.Hour)
	*b.now = later
	n, err := b.st.SweepEscalations(ctx, later, accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the declined P0 is stalled")
	list, _, err := b.st.EscalationsAssigned(ctx, b.user(t, "ceo@accord.demo").ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	return it, list[0]
}

func escPath(e accord.Escalation, rest ...string) string {
	return "/escalations/" + idStr(e.ID) + strings.Join(rest, "")
}

func escalatePath(r accord.Request) string { return "/requests/" + idStr(r.ID) + "/escalate" }

// queueRows reads the queue: need title → the row.
func (r response) escQueueRows() map[string]*goquery.Selection {
	rows := map[string]*goquery.Selection{}
	r.doc.Find(`[data-testid="escalations"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		rows[strings.TrimSpace(s.Find(`[data-field="need"]`).Text())] = s
	})
	return rows
}

func escField(s *goquery.Selection, name string) string {
	return strings.Join(strings.Fields(s.Find(`[data-field="`+name+`"]`).Text()), " ")
}

func (r response) escTextarea(name string) string {
	return r.doc.Find(`textarea[name="` + name + `"]`).First().Text()
}

func escRequireNoBlame(t *testing.T, text string) {
	t.Helper()
	lower := strings.ToLower(text)
	for _, w := range escBlamingWords {
		require.NotContains(t, lower, w, "the brief asks for guidance; it never blames")
	}
}

func TestStalledCRMReachesTheCEOWhoDirectsIT(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	it, e := b.escStalledCRM(t)

	// The CEO's queue: one row with everything needed to pick it up.
	ceo := b.login(t, "ceo@accord.demo")
	resp := ceo.get("/escalations")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	rows := resp.escQueueRows()
	require.Len(t, rows, 1)
	row := rows["CRM system development"]
	require.NotNil(t, row)
	require.Equal(t, "P0 Required", escField(row, "tier"))
	require.Equal(t, "Smart service upgrade", escField(row, "project"))
	require.Equal(t, "20,000,000 CNY", escField(row, "value"))
	require.Equal(t, "Declined and unresolved", escField(row, "cause"))
	require.Equal(t, "Since today", escField(row, "age"))
	require.Equal(t, "3 working days left", escField(row, "left"))
	require.Equal(t, escPath(e), row.Find(`a[data-field="need"]`).AttrOr("href", ""))

	// The detail: a brief with the value, where things stand and the obstacle.
	resp = ceo.get(escPath(e))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	brief := resp.text("brief")
	require.Contains(t, brief, "Expected value: 20,000,000 CNY.")
	require.Contains(t, brief, "3 of 4 units agreed.")
	require.Contains(t, brief, "“Too busy right now”")
	require.Contains(t, brief, "本季度排期已满，可先做一期。")
	escRequireNoBlame(t, brief)
	require.Equal(t, "Awaiting decision", resp.text("status"))
	require.Contains(t, resp.text("window-left"), "3 working days left")
	require.True(t, resp.doc.Find(`[data-testid="window-bar"] .esc-w-0`).Length() == 1, "nothing of the window used yet")
	require.Equal(t, 1, resp.doc.Find(`[data-testid="decide-form"]`).Length())
	require.Equal(t, 0, resp.doc.Find(`[data-testid="statement-form"]`).Length(), "the superior hears the sides, not speaks for one")
	require.Equal(t, 4, resp.doc.Find(`[data-testid="tracker"] tbody tr`).Length(), "every request of the project")
	require.Equal(t, "Declined", resp.text("request-state"))

	// IT's head is heard before the decision.
	itc := b.login(t, "it@accord.demo")
	resp = itc.get(escPath(e))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, 0, resp.doc.Find(`[data-testid="decide-form"]`).Length())
	resp = itc.post(escPath(e, "/statement"), url.Values{"text": {"可先做一期：客户档案与工单，二期随排期。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = ceo.get(escPath(e))
	require.Contains(t, resp.text("holder-statement"), "可先做一期：客户档案与工单，二期随排期。")
	version := resp.inputValue("decide-form", "version")

	// Only the CEO (or an admin) decides: the two sides get 403, others do not see it.
	direct := url.Values{"version": {version}, "kind": {"direct"}, "note": {"数字化转型优先，先交付一期。"},
		"scope": {"一期：客户档案与工单"}, "due_date": {"2027-02-01"}}
	require.Equal(t, http.StatusForbidden, itc.post(escPath(e, "/decide"), direct).StatusCode)
	lead := b.login(t, "aftersales@accord.demo")
	require.Equal(t, http.StatusForbidden, lead.post(escPath(e, "/decide"), direct).StatusCode)
	cto := b.login(t, "cto@accord.demo")
	require.Equal(t, http.StatusNotFound, cto.get(escPath(e)).StatusCode, "above IT, but neither side nor the superior")
	require.Equal(t, http.StatusNotFound, cto.post(escPath(e, "/decide"), direct).StatusCode)
	require.Equal(t, http.StatusNotFound, cto.post(escPath(e, "/statement"), url.Values{"text": {"x"}}).StatusCode)
	ops := b.login(t, "ops@accord.demo")
	require.Equal(t, http.StatusNotFound, ops.get(escPath(e)).StatusCode)

	// The CEO directs IT to deliver phase 1 by a date.
	resp = ceo.post(escPath(e, "/decide"), direct)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, escPath(e), resp.Header.Get("Location"))
	resp = ceo.get(escPath(e))
	require.Equal(t, "Decision recorded and applied. Both sides have been told.", resp.text("flash"))
	require.Equal(t, "Decided", resp.text("status"))
	require.Equal(t, "Direct the holder", resp.text("decision-kind"))
	require.Equal(t, "数字化转型优先，先交付一期。", resp.text("decision-note"))
	require.Contains(t, resp.text("decided-by"), "Chen Zhiyuan")
	require.Equal(t, "IT delivers “一期：客户档案与工单” by 2027-02-01.", resp.text("outcome"))
	require.Equal(t, "This decision is binding and has been applied to the request.", resp.text("binding-note"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="decide-form"]`).Length())
	require.Equal(t, "Binding", resp.text("binding"))

	// Applied in the same transaction: agreed, binding, scope and date.
	got, err := b.st.Request(ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, got.State)
	require.True(t, got.Binding)
	require.Equal(t, "一期：客户档案与工单", got.Scope)
	require.Equal(t, "2027-02-01", got.DueDate.Format("2006-01-02"))

	// Both sides are told.
	for _, email := range []string{"aftersales@accord.demo", "it@accord.demo"} {
		list, _, err := b.st.Notifications(ctx, b.user(t, email).ID, 0, 50)
		require.NoError(t, err)
		var decided bool
		for _, n := range list {
			decided = decided || (n.Kind == accord.NotifyEscalationDecided && n.NeedTitleEN == "CRM system development")
		}
		require.True(t, decided, "%s hears of the decision", email)
	}

	// The lead and IT see the binding decision; statements are closed.
	resp = itc.get(escPath(e))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "This decision is binding and has been applied to the request.", resp.text("binding-note"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="statement-form"]`).Length())
	resp = itc.post(escPath(e, "/statement"), url.Values{"text": {"补充"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "The decision has been made; statements are closed.", resp.text("page-alert"))
	require.Equal(t, http.StatusOK, lead.get(escPath(e)).StatusCode)

	// Nothing waits for the CEO any more.
	resp = ceo.get("/escalations")
	require.Empty(t, resp.escQueueRows())
	require.Contains(t, resp.text("empty"), "Nothing is waiting for your decision")
}

func TestSalesMarketingEscalationGoesToTheOperationsHead(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ads := b.escSendOne(t, "Inventory car promotion", "Marketing", time.Now())

	sales := b.login(t, "sales@accord.demo")
	resp := sales.get(escalatePath(ads))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.text("superior"), "Wang Liqun")
	require.Contains(t, resp.text("superior"), "Operations centre")
	require.Equal(t, 0, resp.doc.Find(`[data-testid="vacant-skipped"]`).Length())
	generated := resp.escTextarea("brief")
	require.Contains(t, generated, "Expected value: 8,000,000 CNY.")
	require.Contains(t, generated, "0 of 1 unit agreed.")
	require.Contains(t, generated, "Marketing has not answered yet")
	escRequireNoBlame(t, generated)

	// The reason is required; what was typed stays.
	edited := generated + "\n补充：周末档期冲突。"
	resp = sales.post(escalatePath(ads), url.Values{"reason": {"  "}, "brief": {edited}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Say in a sentence why a decision is needed.", strings.TrimSpace(resp.doc.Find("#esc-reason-error").Text()))
	require.Contains(t, resp.escTextarea("brief"), "补充：周末档期冲突。")

	// Sent as generated (browsers post CRLF): nothing stored, each reader gets it fresh.
	resp = sales.post(escalatePath(ads), url.Values{"reason": {"宣传排期冲突，需要确定优先级。"},
		"brief": {strings.ReplaceAll(generated, "\n", "\r\n")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	ops := b.user(t, "ops@accord.demo")
	list, _, err := b.st.EscalationsAssigned(ctx, ops.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	e := list[0]
	require.Equal(t, escPath(e), resp.Header.Get("Location"))
	require.Equal(t, accord.CauseManual, e.Cause)
	require.Equal(t, "宣传排期冲突，需要确定优先级。", e.Reason)
	require.Empty(t, e.Brief)
	resp = sales.get(escPath(e))
	require.Equal(t, "Sent to Wang Liqun for a decision. Both sides have been told.", resp.text("flash"))
	require.Contains(t, resp.text("brief"), "From the lead: 宣传排期冲突，需要确定优先级。", "a generated brief carries the reason")

	// Once per cause: the message, and the input kept.
	resp = sales.post(escalatePath(ads), url.Values{"reason": {"再次申请"}, "brief": {generated}})
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.Equal(t, "This request is already before a superior for that reason.", resp.text("form-error"))
	require.Equal(t, "再次申请", strings.TrimSpace(resp.escTextarea("reason")))

	// It is with the Operations head, not the CEO.
	resp = b.login(t, "ops@accord.demo").get("/escalations")
	require.Contains(t, resp.escQueueRows(), "Advertising")
	ceo := b.login(t, "ceo@accord.demo")
	require.Empty(t, ceo.get("/escalations").escQueueRows())
	require.Equal(t, http.StatusNotFound, ceo.get(escPath(e)).StatusCode)
	require.Equal(t, http.StatusOK, b.login(t, "marketing@accord.demo").get(escPath(e)).StatusCode, "the holder's head is heard")

	// Sent back for information: the lead answers and it is open again.
	opsc := b.login(t, "ops@accord.demo")
	resp = opsc.get(escPath(e))
	resp = opsc.post(escPath(e, "/decide"), url.Values{"version": {resp.inputValue("decide-form", "version")},
		"kind": {"send_back"}, "note": {"请补充两个部门的档期表。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = sales.get(escPath(e))
	require.Equal(t, "Sent back for information", resp.text("status"))
	require.Contains(t, resp.text("decided-by"), "Wang Liqun")
	require.Contains(t, resp.text("window-stopped"), "The clock is stopped")
	resp = sales.post(escPath(e, "/statement"), url.Values{"text": {"档期表已附上：第 3、4 周可调整。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = sales.get(escPath(e))
	require.Equal(t, "Your answer is with Wang Liqun; the decision window starts again.", resp.text("flash"))
	require.Equal(t, "Awaiting decision", resp.text("status"))
	require.Contains(t, resp.text("lead-statement"), "档期表已附上")
	require.Contains(t, resp.text("earlier-question"), "请补充两个部门的档期表。")
	require.Equal(t, 0, resp.doc.Find(`[data-testid="decision"]`).Length(), "nothing is decided yet")

	// Days later the window has run out.
	*b.now = b.now.Add(10 * 24 * time.Hour)
	row := opsc.get("/escalations").escQueueRows()["Advertising"]
	require.Equal(t, "Overdue", escField(row, "left"))
	require.True(t, row.HasClass("overdue"))
}

func TestEditedBriefIsKeptAsWritten(t *testing.T) {
	b := setup(t)
	offer := b.escSendOne(t, "Inventory car promotion", "Finance & insurance", time.Now())
	sales := b.login(t, "sales@accord.demo")
	resp := sales.post(escalatePath(offer), url.Values{"reason": {"需要确定方案"}, "brief": {"金融方案需要在周末前确定。\r\n请指导。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp = sales.get(resp.Header.Get("Location"))
	require.Equal(t, "金融方案需要在周末前确定。\n请指导。", resp.text("brief"))
	require.Equal(t, "As edited by the project's lead.", resp.text("brief-edited"))
	require.Equal(t, "The lead's reason: 需要确定方案", resp.text("reason"), "an edited brief may lack it")
}

func TestEscalatePageIsForTheLead(t *testing.T) {
	b := setup(t)
	it := b.escSendSmart(t, time.Now())["IT"]
	tests := []struct {
		email string
		want  int
	}{
		{"aftersales@accord.demo", http.StatusOK},
		{"admin@accord.demo", http.StatusOK},
		{"it@accord.demo", http.StatusForbidden},   // may see the project, does not lead it
		{"cto@accord.demo", http.StatusForbidden},  // heads a unit above IT: sees the project
		{"legal@accord.demo", http.StatusNotFound}, // not involved
	}
	for _, tt := range tests {
		c := b.login(t, tt.email)
		require.Equal(t, tt.want, c.get(escalatePath(it)).StatusCode, "GET as %s", tt.email)
		if tt.want != http.StatusOK {
			require.Equal(t, tt.want, c.post(escalatePath(it), url.Values{"reason": {"x"}}).StatusCode, "POST as %s", tt.email)
		}
	}
	require.Equal(t, http.StatusNotFound, b.login(t, "aftersales@accord.demo").get("/requests/999999/escalate").StatusCode)
}

func TestLeadWhoIsTheSuperiorIsToldToDecide(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ops := b.user(t, "ops@accord.demo")
	in := accord.ProjectInput{Name: "门店焕新", NameEN: "Showroom refresh", LeadUserID: ops.ID, OwningUnitID: b.units(t)["Operations centre"].ID}
	in.Normalize()
	p, err := b.st.CreateProject(ctx, ops.ID, in)
	require.NoError(t, err)
	sales := b.units(t)["Sales"].ID
	n, err := b.st.CreateNeed(ctx, ops.ID, p.ID, accord.NeedInput{Title: "展厅人手", HolderUnitID: &sales, Tier: accord.TierRequired})
	require.NoError(t, err)
	sent, err := b.st.SendNeeds(ctx, ops.ID, p.ID, []int64{n.ID}, "", time.Now())
	require.NoError(t, err)

	c := b.login(t, "ops@accord.demo")
	resp := c.get(escalatePath(sent[0]))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.text("you-decide"), "this is yours to decide")
	require.Equal(t, "/requests/"+idStr(sent[0].ID)+"#decide", resp.attrOf(`[data-testid="decide-directly"]`, "href"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="escalate-form"]`).Length())
	resp = c.post(escalatePath(sent[0]), url.Values{"reason": {"试试"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.text("form-error"), "You are the superior both units share")
}

func TestDecisionFormKeepsInput(t *testing.T) {
	b := setup(t)
	_, e := b.escStalledCRM(t)
	ceo := b.login(t, "ceo@accord.demo")
	resp := ceo.get(escPath(e))
	version := resp.inputValue("decide-form", "version")

	// No reason: 422, the choice and the scope kept.
	resp = ceo.post(escPath(e, "/decide"), url.Values{"version": {version}, "kind": {"direct"}, "note": {" "},
		"scope": {"一期"}, "due_date": {"2027-02-01"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Give the reason for the decision; both sides will read it.", strings.TrimSpace(resp.doc.Find("#esc-note-error").Text()))
	require.True(t, resp.doc.Find(`input[name="kind"][value="direct"]`).Is("[checked]"))
	require.Equal(t, "一期", resp.escTextarea("scope"))
	require.Equal(t, "2027-02-01", resp.inputValue("decide-form", "due_date"))
	require.Equal(t, version, resp.inputValue("decide-form", "version"))

	// A date that is not one, and no decision chosen.
	resp = ceo.post(escPath(e, "/decide"), url.Values{"version": {version}, "kind": {"direct"}, "note": {"理由"}, "due_date": {"明天"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Enter a date as yyyy-mm-dd.", strings.TrimSpace(resp.doc.Find("#esc-due-error").Text()))
	resp = ceo.post(escPath(e, "/decide"), url.Values{"version": {version}, "note": {"理由"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Choose a decision.", strings.TrimSpace(resp.doc.Find("#esc-kind-error").Text()))
	require.Equal(t, "alert", resp.doc.Find("#esc-kind-error").AttrOr("role", ""), "a problem with the choice, not one input, is announced")
	resp = ceo.post(escPath(e, "/decide"), url.Values{"version": {version}, "kind": {"alternative"}, "note": {"理由"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.NotEmpty(t, strings.TrimSpace(resp.doc.Find("#esc-alt-title-error").Text()))
	require.NotEmpty(t, strings.TrimSpace(resp.doc.Find("#esc-alt-unit-error").Text()))

	// IT speaks meanwhile: the CEO's form is stale — 409, input kept, now current.
	itc := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusSeeOther, itc.post(escPath(e, "/statement"), url.Values{"text": {"可先做一期。"}}).StatusCode)
	stale := url.Values{"version": {version}, "kind": {"rescope"}, "note": {"先缩小范围。"}, "scope": {"一期"}, "tier": {"P1"}}
	resp = ceo.post(escPath(e, "/decide"), stale)
	require.Equal(t, http.StatusConflict, resp.StatusCode)
	require.NotEmpty(t, resp.text("decide-error"))
	require.Equal(t, "先缩小范围。", resp.escTextarea("note"))
	require.True(t, resp.doc.Find(`input[name="kind"][value="rescope"]`).Is("[checked]"))
	require.Equal(t, "P1", resp.doc.Find(`select[name="tier"] option[selected]`).AttrOr("value", ""))
	require.Contains(t, resp.text("holder-statement"), "可先做一期。", "the change is on screen")
	current := resp.inputValue("decide-form", "version")
	require.NotEqual(t, version, current)

	// Sent again with the current version, it applies.
	stale.Set("version", current)
	require.Equal(t, http.StatusSeeOther, ceo.post(escPath(e, "/decide"), stale).StatusCode)
	got, err := b.st.Escalation(context.Background(), e.ID)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, got.Status)
	require.Equal(t, accord.RequestRequested, got.Request.State, "IT answers the narrowed request again")
	require.Equal(t, accord.TierImportant, got.Request.Tier)
}

func TestEscalationSpeaksChinese(t *testing.T) {
	b := setup(t)
	_, e := b.escStalledCRM(t)
	ceo := b.login(t, "ceo@accord.demo")
	ceo.lang = "zh-CN"
	resp := ceo.get(escPath(e))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "客户管理系统开发", resp.text("need"))
	require.Equal(t, "待决策", resp.text("status"))
	brief := resp.text("brief")
	require.Contains(t, brief, "请求决策指导：客户管理系统开发（智能服务升级）")
	require.Contains(t, brief, "预期价值：20,000,000 CNY。")
	require.Contains(t, brief, "4 个部门中已有 3 个达成一致。")
	require.Contains(t, brief, "“目前太忙”")
	escRequireNoBlame(t, brief)
	require.Equal(t, "你的决定", strings.TrimSpace(resp.doc.Find("#esc-decide-title").Text()))
	require.Contains(t, resp.text("window-left"), "还剩 3 个工作日")
	resp = ceo.get("/escalations")
	require.Equal(t, "等你决定的事项", strings.TrimSpace(resp.doc.Find("h1").First().Text()))
	require.Equal(t, "被婉拒且未解决", escField(resp.escQueueRows()["客户管理系统开发"], "cause"))
}

// The lists drawn afresh, as after every write: this server keeps no page drawn
// before (a kept one costs the session and epochs statements alone).
func TestEscalationQueueQueriesAreFixed(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	ctx := context.Background()
	b.escStalledCRM(t)
	ceo := b.login(t, "ceo@accord.demo")
	load := func() {
		resp := ceo.get("/escalations")
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	load() // warm the session
	one := b.countQueries(load)

	// Two more for the CEO, from another project: Data and Training meet After-sales only at HQ.
	lead := b.escViewer(t, "aftersales@accord.demo")
	p := b.demoProject(t, "Smart service upgrade")
	requests, err := b.st.ProjectRequests(ctx, p.ID)
	require.NoError(t, err)
	for _, r := range requests {
		if r.HolderNameEN == "Data" || r.HolderNameEN == "Training" {
			_, err := b.st.Escalate(ctx, lead, r.ID, "需要决定", "", 3, *b.now)
			require.NoError(t, err)
		}
	}
	promo := b.escSendOne(t, "Weekend insurance renewal drive", "Customer service", *b.now)
	_, err = b.st.Escalate(ctx, b.escViewer(t, "fi@accord.demo"), promo.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	require.Len(t, ceo.get("/escalations").escQueueRows(), 3)
	three := b.countQueries(load)
	require.Equal(t, one, three, "one and three escalations cost the same")
	// Session and viewer, the epochs (with the setting that asks for their generic
	// plan, sent in the same round trip), the counts, the escalations with their
	// requests, the projects' values.
	require.LessOrEqual(t, three, int64(6))

	// An administrator sees every open one, the Operations head's too, at the same cost.
	admin := b.login(t, "admin@accord.demo")
	resp := admin.get("/escalations?all=1")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	rows := resp.escQueueRows()
	require.Len(t, rows, 4)
	require.Equal(t, "Wang Liqun", escField(rows["Reminder calls by customer service"], "assigned"))
	require.Equal(t, 1, resp.doc.Find(`[data-testid="escalations-toggle"] a[aria-current="page"][href="/escalations?list=all"]`).Length())
	all := b.countQueries(func() { admin.get("/escalations?all=1") })
	require.LessOrEqual(t, all, int64(5))
	// Everyone else gets their own queue, whatever they ask for.
	resp = ceo.get("/escalations?all=1")
	require.Len(t, resp.escQueueRows(), 3)
	require.Equal(t, 0, resp.doc.Find(`[data-testid="escalations-toggle"] a[data-list="all"]`).Length())
}

// The escalation page drawn afresh costs the same however many people spoke in its
// conversation: whom its form offers to mention is asked of them all in two
// statements (their viewers, then whether those who are no side were asked for
// advice or told of it), not per person. Each offered is someone who may open it.
func TestEscalationPageQueriesDoNotGrowWithItsSpeakers(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	ctx := context.Background()
	_, e := b.escStalledCRM(t)
	ceo := b.login(t, "ceo@accord.demo")
	path := escPath(e)
	offered := func() []string {
		resp := ceo.get(path)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var ids []string
		resp.doc.Find(`[data-testid="mention-option"]`).Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("value", ""))
		})
		return ids
	}
	load := func() { offered() }
	subject := accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID}
	advise := func(email string) {
		adviser := b.user(t, email)
		_, err := b.st.AskAdvice(ctx, b.escViewer(t, "ceo@accord.demo"), e.ID,
			accord.AdviceRequest{AdviserUserID: adviser.ID, Question: "能否分担？"}, *b.now)
		require.NoError(t, err)
		_, err = b.st.AddComment(ctx, adviser.ID, subject, accord.CommentInput{Body: "可以讨论"}, nil, 1<<20, *b.now)
		require.NoError(t, err)
	}
	advisers := []string{"data@accord.demo", "marketing@accord.demo", "training@accord.demo"}
	advise(advisers[0])
	load() // warm the session
	before := b.countQueries(load)

	for _, email := range advisers[1:] {
		advise(email)
	}
	// IT's head speaks, then steps down: no side any more, but told of it.
	it := b.user(t, "it@accord.demo")
	_, err := b.st.AddComment(ctx, it.ID, subject, accord.CommentInput{Body: "本季度排期已满"}, nil, 1<<20, *b.now)
	require.NoError(t, err)
	itUnit := b.units(t)["IT"]
	_, err = b.st.SetUnitHead(ctx, 0, itUnit.ID, itUnit.Version, nil)
	require.NoError(t, err)

	after := b.countQueries(load)
	require.Equal(t, before, after, "three more speakers, two of them advisers, cost nothing more")
	ids := offered()
	for _, email := range append(advisers, "it@accord.demo", "aftersales@accord.demo") {
		require.Contains(t, ids, idStr(b.user(t, email).ID), "%s may read it, so may be mentioned", email)
	}
	// Whoever is offered opens the page; nobody is offered twice, nor the viewer.
	require.NotContains(t, ids, idStr(b.user(t, "ceo@accord.demo").ID))
	seen := map[string]bool{}
	for _, id := range ids {
		require.False(t, seen[id], "offered once")
		seen[id] = true
		n, err := strconv.ParseInt(id, 10, 64)
		require.NoError(t, err)
		u, err := b.st.User(ctx, n)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, b.login(t, u.Email).get(path).StatusCode, "%s is offered and opens it", u.Email)
	}
}

func TestVacantPostIsSkippedAndClosedRequestsStay(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	ads := b.escSendOne(t, "Inventory car promotion", "Marketing", time.Now())
	ops := b.units(t)["Operations centre"]
	_, err := b.st.SetUnitHead(ctx, 0, ops.ID, ops.Version, nil)
	require.NoError(t, err)

	sales := b.login(t, "sales@accord.demo")
	resp := sales.get(escalatePath(ads))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.text("superior"), "Chen Zhiyuan")
	require.Contains(t, resp.text("superior"), "HQ")
	require.Equal(t, "One vacant post above both units was skipped on the way up.", resp.text("vacant-skipped"))

	// A cancelled request has nothing left to decide: no form.
	_, err = b.st.ActOnRequest(ctx, b.escViewer(t, "sales@accord.demo"), ads.ID, ads.Version, accord.ActionCancel,
		accord.RequestInput{Reason: "改期"}, time.Now())
	require.NoError(t, err)
	resp = sales.get(escalatePath(ads))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.text("request-closed"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="escalate-form"]`).Length())
}

// TestEscalationPageAtScale: past unitSelectMax open units the decision form's unit
// select lists the units around the project, the unit chooser finds any other and
// returns to the form with it chosen, and the decision applies with it; a long
// tracker shows its first rows and leads to the rest. What the superior sees
// otherwise is what a small organisation shows.
func TestEscalationPageAtScale(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	_, e := b.escStalledCRM(t)
	ceo := b.login(t, "ceo@accord.demo")
	few := ceo.get(escPath(e))
	require.Zero(t, few.wbCount(`#decide [data-testid="unit-chooser-link"]`), "a small organisation lists every unit")
	everyUnit := few.wbCount(`#esc-alt-unit option`)
	require.Equal(t, 4, few.wbCount(`[data-testid="tracker"] tbody tr`))
	require.Zero(t, few.wbCount(`[data-testid="tracker-more"]`))

	hq := b.units(t)["HQ"]
	for i := range 61 {
		_, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: fmt.Sprintf("分部 %02d", i), NameEN: fmt.Sprintf("Branch %02d", i), ParentID: hq.ID})
		require.NoError(t, err)
	}
	page := ceo.get(escPath(e))
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Less(t, page.wbCount(`#esc-alt-unit option`), everyUnit, "only the units around the project")
	require.Zero(t, page.wbCount(`#esc-alt-unit option:contains("Branch")`))
	require.Equal(t, few.text("brief"), page.text("brief"))
	require.Equal(t, few.text("tracker"), page.text("tracker"))
	chooser := page.attrOf(`#decide [data-testid="unit-chooser-link"]`, "href")
	require.Equal(t, escPath(e, "/units/choose"), chooser)

	// Only who decides may choose: the other side gets what deciding gives it.
	require.Equal(t, http.StatusNotFound, b.login(t, "trainer@accord.demo").get(chooser).StatusCode)
	require.Equal(t, http.StatusForbidden, b.login(t, "it@accord.demo").get(chooser).StatusCode)

	found := ceo.get(chooser + "?q=" + url.QueryEscape("Branch 07"))
	require.Equal(t, http.StatusOK, found.StatusCode)
	choice := found.doc.Find(`[data-testid="unit-choice"]`)
	require.Equal(t, 1, choice.Length())
	branchID := choice.AttrOr("data-unit-id", "")
	require.Equal(t, escPath(e)+"#decide", found.attrOf(`[data-testid="chooser-back"]`, "href"))

	back := ceo.get(choice.AttrOr("href", ""))
	require.Equal(t, http.StatusOK, back.StatusCode)
	require.Equal(t, branchID, back.attrOf(`#esc-alt-unit option[selected]`, "value"))
	require.True(t, back.doc.Find(`input[name="kind"][value="alternative"]`).Is("[checked]"))

	// Without a title the form comes back with the chosen unit still chosen.
	form := url.Values{"version": {back.inputValue("decide-form", "version")}, "kind": {"alternative"},
		"note": {"由分部承接"}, "alt_unit_id": {branchID}}
	resp := ceo.post(escPath(e, "/decide"), form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, branchID, resp.attrOf(`#esc-alt-unit option[selected]`, "value"))
	form.Set("alt_title", "分部代建CRM")
	resp = ceo.post(escPath(e, "/decide"), form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	got, err := b.st.Escalation(ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, got.Status)
}

// TestConversationQueriesDoNotGrowWithTheirSpeakers is the escalation page's test for
// a request's page and a project's conversation: whom the form offers to mention is
// asked of everyone around in a fixed number of statements (who is around, their
// viewers, who of them sees the project), and a speaker who can no longer see it is
// not offered. Everyone offered opens the page; so do the suggestions typed for.
func TestConversationQueriesDoNotGrowWithTheirSpeakers(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	ctx := context.Background()
	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	smart := b.demoProject(t, "Smart service upgrade")
	lead := b.login(t, "aftersales@accord.demo")
	pages := []struct {
		path    string
		subject accord.CommentSubject
	}{
		{rqReq(it.ID, ""), accord.CommentSubject{Kind: accord.CommentOnRequest, ID: it.ID}},
		{"/projects/" + idStr(smart.ID) + "/conversation", accord.CommentSubject{Kind: accord.CommentOnProject, ID: smart.ID}},
	}
	for _, page := range pages {
		offered := func() []string {
			resp := lead.get(page.path)
			require.Equal(t, http.StatusOK, resp.StatusCode, page.path)
			var ids []string
			resp.doc.Find(`[data-testid="mention-option"]`).Each(func(_ int, s *goquery.Selection) {
				ids = append(ids, s.AttrOr("value", ""))
			})
			return ids
		}
		say := func(email string) {
			_, err := b.st.AddComment(ctx, b.user(t, email).ID, page.subject, accord.CommentInput{Body: "收到"}, nil, 1<<20, *b.now)
			require.NoError(t, err)
		}
		say("it@accord.demo")
		offered() // warm the session
		before := b.countQueries(func() { offered() })
		for _, email := range []string{"it.dev@accord.demo", "data@accord.demo", "ceo@accord.demo", "marketing@accord.demo"} {
			say(email)
		}
		after := b.countQueries(func() { offered() })
		require.Equal(t, before, after, "%s: four more speakers cost nothing more", page.path)
		ids := offered()
		for _, email := range []string{"it@accord.demo", "it.dev@accord.demo", "data@accord.demo", "ceo@accord.demo"} {
			require.Contains(t, ids, idStr(b.user(t, email).ID), "%s: %s may see it, so may be mentioned", page.path, email)
		}
		require.NotContains(t, ids, idStr(b.user(t, "aftersales@accord.demo").ID), "not the viewer")
		for _, id := range ids {
			n, err := strconv.ParseInt(id, 10, 64)
			require.NoError(t, err)
			u, err := b.st.User(ctx, n)
			require.NoError(t, err)
			require.Equal(t, http.StatusOK, b.login(t, u.Email).get(page.path).StatusCode, "%s: %s is offered and opens it", page.path, u.Email)
		}
		// Suggestions for typed words: a fixed number of statements too.
		one := b.countQueries(func() {
			lead.get("/" + string(page.subject.Kind) + "s/" + idStr(page.subject.ID) + "/mentionable?q=Huang")
		})
		many := b.countQueries(func() { lead.get("/" + string(page.subject.Kind) + "s/" + idStr(page.subject.ID) + "/mentionable?q=a") })
		require.Equal(t, one, many, "%s: suggestions cost the same however many are named", page.path)
	}
	// IT's developer leaves IT: they spoke on the request, but no longer see it.
	require.NoError(t, b.st.RemoveMembership(ctx, 0, b.user(t, "it.dev@accord.demo").ID, b.units(t)["IT"].ID))
	resp := lead.get(rqReq(it.ID, ""))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Zero(t, resp.doc.Find(`[data-testid="mention-option"][value="`+idStr(b.user(t, "it.dev@accord.demo").ID)+`"]`).Length(),
		"a speaker who can no longer see it is not offered")
	require.Equal(t, http.StatusNotFound, b.login(t, "it.dev@accord.demo").get(rqReq(it.ID, "")).StatusCode)
}
