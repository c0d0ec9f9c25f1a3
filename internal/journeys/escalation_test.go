package journeys_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestStalledRequestIsDecidedByTheSharedSuperior: IT declines the Smart service
// upgrade's CRM; four days on, the sweep takes it to the CEO, the superior IT and
// After-sales share. The CEO reads the brief, directs IT to deliver a first phase by
// a date, and the decision is binding — IT's inbox says so.
func TestStalledRequestIsDecidedByTheSharedSuperior(t *testing.T) {
	a, b := journey(t, "en-US,en")
	ctx := context.Background()
	sent := a.sendAll("Smart service upgrade", "请支持")
	for holder, head := range map[string]string{"Data": "data@accord.demo", "Training": "training@accord.demo", "Marketing": "marketing@accord.demo"} {
		a.agree(sent[holder], head)
	}
	crm := sent["IT"]

	// IT declines in the browser.
	itHead := b.tab("it")
	itHead.login("it@accord.demo")
	itHead.open("/inbox")
	card := fmt.Sprintf("#request-%d", crm.ID)
	itHead.click(card + ` [data-testid="act-decline"] > summary`)
	itHead.clickText(card+` [data-testid="act-decline"] label.rq-radio`, "Too busy right now")
	require.Equal(t, 1, itHead.count(card+` input[name="obstacle"][value="too_busy"]:checked`))
	itHead.fill(fmt.Sprintf("#r%d-decline-reason", crm.ID), "本季度排期已满，可先做一期。")
	itHead.click(card + ` [data-testid="act-decline"] button[type="submit"]`)
	itHead.waitText(card+` [data-testid="card-notice"]`, "is now Declined.")
	require.Zero(t, itHead.count(card+` [data-testid="card-binding"]`))

	// Four days pass with no way found; the sweep escalates the stalled P0.
	later := a.now().Add(96 * time.Hour)
	a.setNow(later)
	n, err := a.st.SweepEscalations(ctx, later, accord.DefaultDecisionWindowDays)
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the declined P0 is stalled")

	// The CEO finds it in the queue, with the project's value.
	ceo := b.tab("ceo")
	ceo.login("ceo@accord.demo")
	ceo.open("/escalations")
	require.Equal(t, "Decisions waiting for you", ceo.mustText("h1"))
	require.Equal(t, 1, ceo.count(`[data-testid="escalations"] tbody tr`))
	require.Equal(t, "CRM system development", ceo.mustText(`[data-testid="escalations"] [data-field="need"]`))
	require.Equal(t, "20,000,000 CNY", ceo.mustText(`[data-testid="escalations"] [data-field="value"]`))
	require.Equal(t, "Declined and unresolved", ceo.mustText(`[data-testid="escalations"] [data-field="cause"]`))
	ceo.submitText(`[data-testid="escalations"] a[data-field="need"]`, "CRM system development")

	// The brief: the value, where things stand, the obstacle in IT's words.
	require.Regexp(t, `^/escalations/\d+$`, ceo.path())
	require.Equal(t, "Awaiting decision", ceo.mustText(`[data-testid="status"]`))
	brief := ceo.mustText(`[data-testid="brief"]`)
	require.Contains(t, brief, "Expected value: 20,000,000 CNY.")
	require.Contains(t, brief, "3 of 4 units agreed.")
	require.Contains(t, brief, "“Too busy right now”")
	require.Contains(t, brief, "本季度排期已满，可先做一期。")

	// The decision: direct IT to deliver phase 1 by a date, with the reason.
	ceo.clickText(`[data-testid="decide-form"] label.esc-kind`, "Direct the holder")
	require.Equal(t, 1, ceo.count(`input[name="kind"][value="direct"]:checked`))
	ceo.fill("#esc-note", "数字化转型优先，先交付一期。")
	ceo.fill("#esc-scope", "一期：客户档案与工单")
	ceo.setDate("#esc-due", "2027-02-01")
	ceo.submit(`[data-testid="decide-submit"]`)
	require.Equal(t, "Decision recorded and applied. Both sides have been told.", ceo.mustText(`[data-testid="flash"]`))
	require.Equal(t, "Decided", ceo.mustText(`[data-testid="status"]`))
	require.Equal(t, "Direct the holder", ceo.mustText(`[data-testid="decision-kind"]`))
	require.Equal(t, "数字化转型优先，先交付一期。", ceo.mustText(`[data-testid="decision-note"]`))
	require.Equal(t, "IT delivers “一期：客户档案与工单” by 2027-02-01.", ceo.mustText(`[data-testid="outcome"]`))
	require.Equal(t, "This decision is binding and has been applied to the request.", ceo.mustText(`[data-testid="binding-note"]`))
	require.Equal(t, "Binding", ceo.mustText(`[data-testid="binding"]`))
	require.Zero(t, ceo.count(`[data-testid="decide-form"]`), "decided once")
	got := a.request(crm.ID)
	require.Equal(t, accord.RequestAgreed, got.State)
	require.True(t, got.Binding)

	// IT's inbox: the request is agreed and carries the binding badge.
	itHead.open("/inbox")
	require.Equal(t, "Binding decision", itHead.mustText(card+` [data-testid="card-binding"]`))
	require.Equal(t, "2027-02-01", itHead.mustText(card+` [data-testid="card-due"]`))
	require.Equal(t, "一期：客户档案与工单", itHead.mustText(card+` [data-testid="scope"]`))
}
