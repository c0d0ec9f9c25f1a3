package journeys_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestHeadDeclinesThenAgreesToAPhaseAndACounterIsAccepted: on the Smart service
// upgrade, IT's head declines as too busy from the inbox; the lead reads the ways
// past that obstacle and splits off a first phase; IT agrees to it, naming its
// developer. Data counters with a later date, the lead accepts, and the tracker
// shows both agreements.
func TestHeadDeclinesThenAgreesToAPhaseAndACounterIsAccepted(t *testing.T) {
	a, b := journey(t, "en-US,en")
	smart := a.project("Smart service upgrade")
	sent := a.sendAll("Smart service upgrade", "请各位支持智能服务升级")
	crm, data := sent["IT"], sent["Data"]

	// IT's head declines from the inbox, naming the obstacle; the card answers in place.
	itHead := b.tab("it")
	itHead.login("it@accord.demo")
	itHead.open("/inbox")
	card := fmt.Sprintf("#request-%d", crm.ID)
	require.Equal(t, "CRM system development", itHead.mustText(card+` [data-testid="card-title"]`))
	require.Equal(t, "20,000,000 CNY", itHead.mustText(card+` [data-testid="card-value"]`))
	require.Equal(t, "请各位支持智能服务升级", itHead.mustText(card+` [data-testid="message"]`))
	itHead.click(card + ` [data-testid="act-decline"] > summary`)
	itHead.click(card + ` input[name="obstacle"][value="too_busy"]`)
	itHead.fill(fmt.Sprintf("#r%d-decline-reason", crm.ID), "排期已满，至少六个月")
	itHead.click(card + ` [data-testid="act-decline"] button[type="submit"]`)
	itHead.waitText(card+` [data-testid="card-notice"]`, "“CRM system development” is now Declined.")
	crm = a.request(crm.ID)
	require.Equal(t, accord.RequestDeclined, crm.State)
	require.Equal(t, accord.ObstacleTooBusy, crm.Obstacle)

	// The lead sees why, and the three ways past "too busy"; a first phase goes out.
	lead := b.tab("aftersales")
	lead.login("aftersales@accord.demo")
	lead.open(fmt.Sprintf("/requests/%d", crm.ID))
	require.Equal(t, "Declined", lead.mustText(`h1 [data-testid="request-state"]`))
	require.Contains(t, lead.mustText(`[data-testid="obstacle"]`), "Too busy right now")
	require.Equal(t, "排期已满，至少六个月", lead.mustText(`[data-testid="decline-reason"]`))
	require.Equal(t, []string{"Lower the bar: phase it", "Raise the priority", "Bring your own resources"},
		lead.texts(`[data-testid="strategies"] .rq-strategy h3`))
	phase := `[data-testid="strategy-phase"]`
	lead.click(phase + ` [data-testid="split"] > summary`)
	require.Equal(t, "CRM system development — phase 1",
		evalIn[string](lead, "read the phase title", `document.querySelector("#s-phase-title").value`))
	lead.fill("#s-phase-effort", "20")
	lead.fill("#s-phase-message", "先做必需功能")
	lead.submit(phase + ` button[type="submit"]`)
	require.Equal(t, "The first phase has been sent to IT.", lead.mustText(`[data-testid="flash"]`))
	phase1 := a.requests(smart.ID)["IT"]
	require.NotEqual(t, crm.ID, phase1.ID)
	require.Equal(t, fmt.Sprintf("/requests/%d", phase1.ID), lead.path())
	require.Equal(t, "CRM system development — phase 1", lead.mustText(`[data-testid="request-title"]`))
	require.Equal(t, "Requested", lead.mustText(`h1 [data-testid="request-state"]`))

	// IT agrees to phase 1 from the inbox, naming its developer and a date.
	itHead.open("/inbox")
	card = fmt.Sprintf("#request-%d", phase1.ID)
	require.Equal(t, "CRM system development — phase 1", itHead.mustText(card+` [data-testid="card-title"]`))
	itHead.click(card + ` [data-testid="act-agree"] > summary`)
	itHead.choose(fmt.Sprintf("#r%d-agree-key_person", phase1.ID), "Xu Hang")
	itHead.setDate(fmt.Sprintf("#r%d-agree-due_date", phase1.ID), "2027-02-01")
	itHead.click(card + ` [data-testid="act-agree"] button[type="submit"]`)
	itHead.waitText(card+` [data-testid="card-notice"]`, "“CRM system development — phase 1” is now Agreed.")
	require.Equal(t, "2027-02-01", itHead.mustText(card+` [data-testid="card-due"]`))
	phase1 = a.request(phase1.ID)
	require.Equal(t, accord.RequestAgreed, phase1.State)
	require.Equal(t, "Xu Hang", phase1.KeyPersonNameEN)

	// Data's head proposes a smaller scope, later.
	dataHead := b.tab("data")
	dataHead.login("data@accord.demo")
	dataHead.open("/inbox")
	card = fmt.Sprintf("#request-%d", data.ID)
	dataHead.click(card + ` [data-testid="act-counter"] > summary`)
	dataHead.fill(fmt.Sprintf("#r%d-counter-counter_scope", data.ID), "仅提供脱敏汇总数据")
	dataHead.setDate(fmt.Sprintf("#r%d-counter-counter_date", data.ID), "2027-01-15")
	dataHead.click(card + ` [data-testid="act-counter"] button[type="submit"]`)
	dataHead.waitText(card+` [data-testid="card-notice"]`, "is now Counter-proposed.")
	require.Equal(t, accord.RequestCountered, a.request(data.ID).State)

	// The lead accepts the counter: the proposed date becomes the due date.
	lead.open(fmt.Sprintf("/requests/%d", data.ID))
	require.Equal(t, "Counter-proposed", lead.mustText(`h1 [data-testid="request-state"]`))
	require.Equal(t, "2027-01-15", lead.mustText(`[data-testid="counter-date"]`))
	lead.submit(`[data-testid="act-accept-counter"] button[type="submit"]`)
	require.Contains(t, lead.mustText(`[data-testid="flash"]`), "is now Agreed.")
	require.Equal(t, "Agreed", lead.mustText(`h1 [data-testid="request-state"]`))
	require.Contains(t, lead.mustText(`[data-testid="due-date"]`), "2027-01-15")
	require.Equal(t, "仅提供脱敏汇总数据", lead.mustText(`[data-testid="scope"]`))

	// The tracker shows both agreements; IT's declined original is still open.
	lead.submit(`[data-testid="tracker-link"]`)
	require.Equal(t, fmt.Sprintf("/projects/%d/tracker", smart.ID), lead.path())
	row := func(r accord.Request) string {
		return fmt.Sprintf(`[data-testid="tracker-row"][data-request-id="%d"]`, r.ID)
	}
	require.Equal(t, "Agreed", lead.mustText(row(phase1)+` [data-testid="request-state"]`))
	require.Equal(t, "Xu Hang", lead.mustText(row(phase1)+` [data-field="key_person"]`))
	require.Equal(t, "Agreed", lead.mustText(row(data)+` [data-testid="request-state"]`))
	require.Equal(t, "Declined", lead.mustText(row(crm)+` [data-testid="request-state"]`))
	// IT agreed to phase 1 only: the phase rolls up into the CRM line and IT counts as
	// agreed in part.
	require.Equal(t, "Phase agreed", lead.mustText(row(crm)+` [data-testid="phase-agreed"]`))
	require.Equal(t, "1 of 4 units agreed · 1 agreed in part", lead.mustText(`[data-testid="tracker-summary"]`))
}
