package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestNoHeadAboveBothUnitsLeavesNothingToEscalate deactivates the CEO: After-sales and
// IT share no headed unit, so the lead is told no one can decide and gets no form,
// and a post sent anyway (a stale page) changes nothing.
func TestNoHeadAboveBothUnitsLeavesNothingToEscalate(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	it := b.escSendSmart(t, time.Now())["IT"]
	ceo := b.user(t, "ceo@accord.demo")
	require.NoError(t, b.st.DeactivateUser(ctx, 0, ceo.ID, ceo.Version))

	lead := b.login(t, "aftersales@accord.demo")
	resp := lead.get(escalatePath(it))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "No one above both units currently has a head, so there is no one to decide. An administrator can fill the post.",
		resp.text("no-superior"))
	require.Equal(t, 0, resp.doc.Find(`[data-testid="escalate-form"]`).Length())

	resp = lead.post(escalatePath(it), url.Values{"reason": {"需要决策"}, "brief": {"请指导。"}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "a post raced against the change finds no one to send to")
	var n int
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FROM escalations`).Scan(&n))
	require.Zero(t, n)
}

// TestAncestorIsTheSharedSuperior: a Technology centre project asks Data, a unit
// below it. The lowest unit both share is the owning unit itself, whose head, the
// CTO, is a party: nobody judges their own case, so it goes to the CEO, and the page
// says why.
func TestAncestorIsTheSharedSuperior(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	dev := b.user(t, "it.dev@accord.demo")
	in := accord.ProjectInput{Name: "数据中台", NameEN: "Data platform", LeadUserID: dev.ID, OwningUnitID: b.units(t)["Technology centre"].ID}
	in.Normalize()
	p, err := b.st.CreateProject(ctx, 0, in)
	require.NoError(t, err)
	data := b.units(t)["Data"].ID
	n, err := b.st.CreateNeed(ctx, dev.ID, p.ID, accord.NeedInput{Title: "指标口径", HolderUnitID: &data, Tier: accord.TierRequired})
	require.NoError(t, err)
	sent, err := b.st.SendNeeds(ctx, dev.ID, p.ID, []int64{n.ID}, "", time.Now())
	require.NoError(t, err)

	lead := b.login(t, "it.dev@accord.demo")
	resp := lead.get(escalatePath(sent[0]))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.text("superior"), "Chen Zhiyuan")
	require.Contains(t, resp.text("superior"), "HQ")
	require.Contains(t, resp.text("parties-skipped"), "nobody judges their own case")
	require.Equal(t, 0, resp.doc.Find(`[data-testid="head-is-party"]`).Length())
	resp = lead.post(escalatePath(sent[0]), url.Values{"reason": {"口径分歧"}, "brief": {"请指导。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-error"))
	list, _, err := b.st.EscalationsAssigned(ctx, b.user(t, "ceo@accord.demo").ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, _, err = b.st.EscalationsAssigned(ctx, b.user(t, "cto@accord.demo").ID, 0, 10)
	require.NoError(t, err)
	require.Empty(t, list)
}

// TestEscalationAtTheTopIsFlagged lets the Operations head's window run out, then the
// CEO's: the escalation stays with the CEO, flagged in the queue and on its page.
func TestEscalationAtTheTopIsFlagged(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	*b.now = monday
	ads := b.escSendOne(t, "Inventory car promotion", "Marketing", monday)
	e, err := b.st.Escalate(ctx, b.escViewer(t, "sales@accord.demo"), ads.ID, "宣传排期冲突", "", 3, monday)
	require.NoError(t, err)
	for _, at := range []time.Time{monday.AddDate(0, 0, 4), monday.AddDate(0, 0, 30)} {
		_, err := b.st.AdvanceWindows(ctx, at, 3)
		require.NoError(t, err)
	}
	*b.now = monday.AddDate(0, 0, 30)

	ceo := b.login(t, "ceo@accord.demo")
	rows := ceo.get("/escalations").escQueueRows()
	require.Contains(t, rows, "Advertising")
	require.Equal(t, "At the top", escField(rows["Advertising"], "at-top"))
	resp := ceo.get(escPath(e))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "There is no one higher: it stays here and is flagged.", resp.text("at-top"))
	require.Equal(t, 0, b.login(t, "ops@accord.demo").get("/escalations").doc.Find(`[data-testid="escalations"] tbody tr`).Length(),
		"it left the Operations head's queue")
}
