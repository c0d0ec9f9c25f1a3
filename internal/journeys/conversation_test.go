package journeys_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// upload puts a file from disk into a file field, as choosing it in the dialog does.
func (tb *tab) upload(sel, path string) {
	tb.t.Helper()
	tb.do("choose "+path+" in "+sel, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{path}))
}

// TestOneConversationPerRequest plays issue 15's journey in a browser: IT's head asks
// a question on the CRM request mentioning the lead, who opens it from the
// notification and answers with the requirement document attached; IT's head passes
// a need that belongs to Data on to it; IT declines the CRM and the lead escalates
// it; the CEO asks Legal's head for advice, who gives an opinion from her
// notification; the CEO decides, and the record carries the advice. Later the lead
// finds the question again by a two-character Chinese word.
func TestOneConversationPerRequest(t *testing.T) {
	a, b := journey(t, "en-US,en")
	a.setNow(time.Date(2026, 11, 18, 12, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	ctx := context.Background()
	smart := a.project("Smart service upgrade")
	units := a.units()
	it := units["IT"].ID
	_, err := a.st.CreateNeed(ctx, smart.LeadUserID, smart.ID, accord.NeedInput{Title: "客户画像数据清洗",
		TitleEN: "Customer profile data cleansing", HolderUnitID: &it, Tier: accord.TierImportant, EffortDays: 5})
	require.NoError(t, err)
	a.sendAll("Smart service upgrade", "请各位支持智能服务升级")
	all, err := a.st.ProjectRequests(ctx, smart.ID)
	require.NoError(t, err)
	var crm, cleansing accord.Request
	for _, r := range all { // IT holds both: the map by holder keeps one
		switch r.NeedTitleEN {
		case "CRM system development":
			crm = r
		case "Customer profile data cleansing":
			cleansing = r
		}
	}
	require.NotZero(t, cleansing.ID)
	crmPath := fmt.Sprintf("/requests/%d", crm.ID)

	// IT's head asks, notifying the lead.
	itHead := b.tab("it")
	itHead.login("it@accord.demo")
	itHead.open(crmPath)
	itHead.fill("#comment-body", "Does phase 1 include ticket routing (工单分派)?")
	itHead.clickText(`label.checkbox`, "Zhang Wei")
	itHead.submit(`[data-testid="comment-submit"]`)
	require.Equal(t, "Comment posted.", itHead.mustText(`[data-testid="flash"]`))

	// The lead opens it from the notification, in one click, and answers with the
	// requirement document attached.
	lead := b.tab("aftersales")
	lead.login("aftersales@accord.demo")
	lead.open("/notifications")
	lead.submitText(`[data-testid="notification-text"]`, "Huang Lei mentioned you on “CRM system development”")
	require.Equal(t, crmPath, lead.path())
	doc := filepath.Join(t.TempDir(), "CRM requirements v3.docx")
	require.NoError(t, os.WriteFile(doc, []byte("PK\x03\x04 requirements"), 0o600))
	lead.fill("#comment-body", "Yes, routing is in phase 1. The requirements are attached.")
	lead.upload("#comment-file", doc)
	// IT's developer should read it too: typing his name offers him.
	lead.fill("#comment-mention-find", "Xu")
	lead.waitText(`[data-testid="mention-found"]`, "Xu Hang")
	lead.clickText(`[data-testid="mention-found"] label.checkbox`, "Xu Hang")
	lead.submit(`[data-testid="comment-submit"]`)
	require.Equal(t, "Comment posted.", lead.mustText(`[data-testid="flash"]`))
	require.Contains(t, lead.texts(`[data-testid="comment"] [data-field="mentions"]`), "Notified: Xu Hang")
	itHead.open(crmPath)
	require.Equal(t, "CRM requirements v3.docx", itHead.mustText(`[data-testid="attachment"] a`))

	// IT's head passes the cleansing on to Data, where it belongs.
	itHead.open(fmt.Sprintf("/requests/%d", cleansing.ID))
	itHead.click(`[data-testid="act-transfer"] > summary`)
	itHead.choose(fmt.Sprintf("#r%d-transfer-unit", cleansing.ID), "Data")
	itHead.fill(fmt.Sprintf("#r%d-transfer-reason", cleansing.ID), "Profile data is owned by Data.")
	itHead.submit(`[data-testid="act-transfer"] button[type="submit"]`)
	require.Equal(t, "“Customer profile data cleansing” is now with Data.", itHead.mustText(`[data-testid="flash"]`))
	require.Equal(t, units["Data"].ID, a.request(cleansing.ID).HolderUnitID)

	// IT declines the CRM; the lead escalates it to the CEO.
	_, err = a.st.ActOnRequest(ctx, a.viewer("it@accord.demo"), crm.ID, a.request(crm.ID).Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, a.now())
	require.NoError(t, err)
	lead.open(crmPath)
	lead.submit(`[data-testid="escalate-link"]`)
	lead.fill(`[data-testid="escalate-form"] textarea[name="reason"]`, "Phase 1 is due before the spring campaign.")
	lead.submit(`[data-testid="escalate-submit"]`)
	escPath := lead.path()
	require.Regexp(t, `^/escalations/\d+$`, escPath)

	// The CEO asks Legal's head for an opinion before deciding.
	ceo := b.tab("ceo")
	ceo.login("ceo@accord.demo")
	ceo.open(escPath)
	ceo.click(`[data-testid="advice-ask"] > summary`)
	ceo.fill("#advice-adviser", "legal@accord.demo")
	ceo.fill("#advice-question", "Any compliance issue with customer profiles?")
	ceo.submit(`[data-testid="advice-ask-form"] button[type="submit"]`)
	require.Equal(t, "Guo Zheng has been asked for an opinion.", ceo.mustText(`[data-testid="flash"]`))
	require.Equal(t, "Advice awaited from Guo Zheng.", ceo.mustText(`[data-testid="advice-pending"]`))

	legal := b.tab("legal")
	legal.login("legal@accord.demo")
	legal.open("/notifications")
	legal.submitText(`[data-testid="notification-text"]`, "asks your opinion before deciding")
	require.Equal(t, escPath, legal.path())
	legal.fill("#advice-opinion", "Fine if the profiles are masked.")
	legal.submit(`[data-testid="opinion-form"] button[type="submit"]`)
	require.Equal(t, "Your opinion was given. The superior has been told.", legal.mustText(`[data-testid="flash"]`))

	// The CEO decides; the record the decision rests on carries the advice.
	ceo.open(escPath)
	ceo.clickText(`[data-testid="decide-form"] label.esc-kind`, "Direct the holder")
	ceo.fill("#esc-note", "Masked profiles, phase 1 first.")
	ceo.setDate("#esc-due", "2027-03-01")
	ceo.submit(`[data-testid="decide-submit"]`)
	require.Equal(t, "Decision recorded and applied. Both sides have been told.", ceo.mustText(`[data-testid="flash"]`))
	require.Contains(t, ceo.mustText(`[data-testid="brief"]`), "Guo Zheng: “Fine if the profiles are masked.”")
	shoot(ceo, "escalation-advised")

	// Weeks later the lead looks for the question by a two-character Chinese word,
	// from the box in the header, and lands on it.
	lead.searchFor("工单")
	require.Equal(t, "/search?q=%E5%B7%A5%E5%8D%95", lead.path())
	require.Contains(t, lead.mustText(`[data-kind="comment"]`), "Does phase 1 include ticket routing (工单分派)?")
	require.Equal(t, "工单", lead.mustText(`[data-kind="comment"] mark`))
	shoot(lead, "search")
	lead.submit(`[data-kind="comment"] [data-testid="search-hit-link"]`)
	require.Equal(t, crmPath, lead.path())
	require.Regexp(t, `^#comment-\d+$`, evalIn[string](lead, "read the fragment", `location.hash`))
}

// searchFor types into the header's search box and presses Enter, as a person does
// (its button is there for screen readers), and waits for the results.
func (tb *tab) searchFor(text string) {
	tb.t.Helper()
	tb.fill("#search-box-q", text)
	tb.eval(`window.__journeyOldPage = true`)
	tb.do("press Enter in the search box", chromedp.SendKeys(chromedp.CSS("#search-box-q"), kb.Enter))
	tb.waitFor("the search results", `window.__journeyOldPage === undefined && document.readyState === "complete"`)
}
