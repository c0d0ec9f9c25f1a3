package journeys_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStandInWhileTheHeadIsAway plays issue 16's stand-in journey: IT's head names his
// developer to stand in for three days; the lead's request reaches IT meanwhile; the
// developer finds it in his inbox and agrees to it from there; the lead sees it
// answered by the developer for the head. After the last day the developer's inbox
// no longer holds it and the request page offers him nothing to do.
func TestStandInWhileTheHeadIsAway(t *testing.T) {
	a, b := journey(t, "en-US,en")
	// The test server keeps the company's time in UTC.
	today := a.now().UTC()
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }

	itHead := b.tab("it")
	itHead.login("it@accord.demo")
	itHead.open("/settings/tokens")
	itHead.submit(`[data-testid="settings-away"]`) // a link: wait for the page it opens
	require.Equal(t, "/settings/away", itHead.path())
	itHead.fill("#standin-email", "it.dev@accord.demo")
	itHead.setDate("#standin-from", day(0))
	itHead.setDate("#standin-to", day(2))
	itHead.submit(`[data-testid="standin-form"] button[type="submit"]`)
	require.Equal(t, "Stand-in saved.", itHead.mustText(`[data-testid="flash"]`))
	require.Equal(t, "Xu Hang stands in for you", itHead.mustText(`[data-testid="standin"] strong`))

	reqs := a.sendAll("Smart service upgrade", "请各位支持智能服务升级")
	crm := reqs["IT"]

	dev := b.tab("dev")
	dev.login("it.dev@accord.demo")
	require.Contains(t, dev.mustText(`[data-testid="standin-banner"]`), "You are standing in for Huang Lei until "+day(2))
	dev.submitText(`[data-testid="standin-banner"] a`, "Open the inbox") // a link: wait for the page it opens
	require.Equal(t, "/inbox", dev.path())
	card := fmt.Sprintf("#request-%d", crm.ID)
	dev.waitText(card+` [data-testid="acting-for"]`, "for Huang Lei, who is away")
	dev.click(card + ` [data-testid="act-agree"] > summary`)
	dev.click(card + ` [data-testid="act-agree"] button[type="submit"]`)
	dev.waitText(card+` [data-testid="card-notice"]`, "“CRM system development” is now Agreed.")

	lead := b.tab("lead")
	lead.login("aftersales@accord.demo")
	lead.open(fmt.Sprintf("/requests/%d", crm.ID))
	require.Equal(t, "Xu Hang for Huang Lei", lead.mustText(`[data-testid="answered-by"]`))

	// Past the last day, the arrangement is over.
	a.setNow(a.now().Add(4 * 24 * time.Hour))
	dev.open("/inbox")
	require.Zero(t, dev.count(`[data-testid="inbox-card"]`), "the head's requests have left the stand-in's inbox")
	require.Zero(t, dev.count(`[data-testid="standin-banner"]`))
	dev.open(fmt.Sprintf("/requests/%d", crm.ID))
	require.Zero(t, dev.count(`[data-testid="progress-add"]`), "nothing to do on IT's request any more")
	require.Zero(t, dev.count(`[data-testid="acting-for"]`))
}
