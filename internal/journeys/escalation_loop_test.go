package journeys_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// loopTexts are what the escalation loop's readers see, in one language.
type loopTexts struct {
	acceptLang string
	phaseTitle string // the first phase's suggested title
	splitSent  string
	phaseDone  string // IT's card after agreeing to the phase
	keyPerson  string // it.dev, as the agree form names him
	keyNamed   string // it.dev's notification
	strategies []string
	escalated  string // the lead's flash
	raised     string // IT's notification: add your statement
	added      string // IT's flash after the statement
	unitsList  string // IT's list of escalations while one waits
	owed       string
	awaiting   string
	assigned   string // the CEO's notification
	// The brief: IT's partial agreement, the phase split off, the strategies still open.
	briefStanding string
	briefAsked    string // the scope as sent is the need's title, in the reader's language
	briefPhase    string
	briefPhaseIt  string // must not be proposed again: the phase was tried
	briefOthers   []string
	briefReason   string
	direct        string // the decision kind
	decided       string // the CEO's flash
	decidedStatus string
	outcome       string
	bindingNote   string
	rulingOutcome string
	rulingCarries string
	rulingOpen    string
	decidedNote   string // both sides' notification
	history       string // the project's history
}

// The reasons and statement are typed in Chinese in both languages: they are the
// users' own words, shown as given.
const (
	loopDecline   = "本季度排期已满，可先做一期。"
	loopPhaseMsg  = "先做客户档案，其余后续再议"
	loopReason    = "一期已同意，其余部分仍无排期，影响全年服务目标。"
	loopStatement = "IT 本季度承接了三个 P0 项目，二期需要增加两名开发或延后到明年。"
	loopNote      = "服务升级是今年重点，二期按期交付，所需人力由科技中心内部调配。"
	loopScope     = "二期：工单流转与客户画像"
	loopDue       = "2027-03-01"
	// loopDay is the day the journey plays, in the company's zone and in UTC alike.
	loopDay = "2026-11-18"
)

var loopLanguages = map[string]loopTexts{
	"en": {
		acceptLang: "en-US,en",
		phaseTitle: "CRM system development — phase 1",
		splitSent:  "The first phase has been sent to IT.",
		phaseDone:  "“CRM system development — phase 1” is now Agreed.",
		keyPerson:  "Xu Hang",
		keyNamed: "Huang Lei confirmed “CRM system development — phase 1” (Smart service upgrade): " +
			"it is agreed and you are its key person, so it is yours to deliver.",
		strategies: []string{"Lower the bar: phase it", "Raise the priority", "Bring your own resources"},
		escalated:  "Sent to Chen Zhiyuan for a decision. Both sides have been told.",
		raised: "“CRM system development” (Smart service upgrade) has gone to the shared superior for a decision. " +
			"Add your side's statement.",
		added:         "Your statement was added. The superior has been told.",
		unitsList:     "Escalations involving your units",
		owed:          "Your statement is owed",
		awaiting:      "Awaiting decision",
		assigned:      "A decision is needed from you: “CRM system development” (Smart service upgrade).",
		briefStanding: "IT: Declined, a first phase of it agreed",
		briefAsked:    "After-sales asked IT for: CRM system development.",
		briefPhase: "A first phase was split off and sent: CRM system development — phase 1, Agreed, " +
			"with Xu Hang as key person.",
		briefPhaseIt:  "“Lower the bar: phase it”",
		briefOthers:   []string{"A way forward: “Raise the priority”.", "A way forward: “Bring your own resources”."},
		briefReason:   "From the lead: " + loopReason,
		direct:        "Direct the holder",
		decided:       "Decision recorded and applied. Both sides have been told.",
		decidedStatus: "Decided",
		outcome:       "IT delivers “" + loopScope + "” by " + loopDue + ".",
		bindingNote:   "This decision is binding and has been applied to the request.",
		rulingOutcome: "Decided by Chen Zhiyuan on " + loopDay + ": Direct the holder.",
		rulingCarries: "Binding: the holder delivers the scope and date decided; it can no longer be declined.",
		rulingOpen:    "Open the escalation",
		decidedNote: "Chen Zhiyuan decided on “CRM system development” (Smart service upgrade): Direct the holder — “" +
			loopNote + "”. The decision is binding.",
		history: "Binding decision on “CRM system development”: Direct the holder — “" + loopNote + "”",
	},
	"zh": {
		acceptLang:    "zh-CN,zh",
		phaseTitle:    "客户管理系统开发（一期）",
		splitSent:     "一期已发给信息技术部。",
		phaseDone:     "“客户管理系统开发（一期）”现为：已同意。已通知对方。",
		keyPerson:     "徐航",
		keyNamed:      "黄磊 确认了“客户管理系统开发（一期）”（智能服务升级）：已同意，由你担任对接人，请负责交付。",
		strategies:    []string{"降低门槛：分期进行", "提升优先级", "自带资源"},
		escalated:     "已提交陈志远决策，并已通知双方。",
		raised:        "“客户管理系统开发”（智能服务升级）已提交双方共同上级决策，请补充你方说明。",
		added:         "你方的说明已添加，并已通知上级。",
		unitsList:     "涉及你部门的升级事项",
		owed:          "待你补充说明",
		awaiting:      "待决策",
		assigned:      "需要你作出决定：“客户管理系统开发”（智能服务升级）。",
		briefStanding: "信息技术部：已婉拒，已同意其中第一期",
		briefAsked:    "售后服务部请信息技术部支持：客户管理系统开发。",
		briefPhase:    "已拆出第一期并发出：客户管理系统开发（一期），已同意，对接人徐航。",
		briefPhaseIt:  "“降低门槛：分期进行”",
		briefOthers:   []string{"可以尝试“提升优先级”。", "可以尝试“自带资源”。"},
		briefReason:   "项目负责人补充：" + loopReason,
		direct:        "指令持有方执行",
		decided:       "决定已记录并生效，已通知双方。",
		decidedStatus: "已决策",
		outcome:       "信息技术部于 " + loopDue + " 前交付“" + loopScope + "”。",
		bindingNote:   "该决定具有约束力，已应用到请求上。",
		rulingOutcome: "陈志远已于 " + loopDay + " 作出决定：指令持有方执行。",
		rulingCarries: "具有约束力：提供方按决定的范围和日期交付，不能再婉拒。",
		rulingOpen:    "查看升级事项",
		decidedNote:   "陈志远已就“客户管理系统开发”（智能服务升级）作出决定：指令持有方执行——“" + loopNote + "”。该决定具有约束力。",
		history:       "对“客户管理系统开发”作出有约束力的决定：指令持有方执行——“" + loopNote + "”",
	},
}

// TestEscalationLoopHoldsEndToEnd plays issue 12's loop in each language: After-sales'
// lead splits a first phase off the CRM that IT declined; IT agrees to the phase and
// names its developer, who is told; the lead escalates the rest. IT's head reaches
// the statement form from the notification in one click and adds IT's side; the CEO
// opens the decision from the notification, reads a brief that knows the phase was
// tried, and directs IT with a date. The lead and IT's head then find the outcome and
// its reason on the request, in their notifications and in the project's history.
func TestEscalationLoopHoldsEndToEnd(t *testing.T) {
	for _, name := range []string{"en", "zh"} {
		want := loopLanguages[name]
		t.Run(name, func(t *testing.T) { playEscalationLoop(t, want) })
	}
}

func playEscalationLoop(t *testing.T, want loopTexts) {
	a, b := journey(t, want.acceptLang)
	// A working Wednesday at noon in Shanghai: the same day in the company's zone and UTC.
	a.setNow(time.Date(2026, 11, 18, 12, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	smart := a.project("Smart service upgrade")
	sent := a.sendAll("Smart service upgrade", "请各位支持智能服务升级")
	for holder, head := range map[string]string{"Data": "data@accord.demo", "Training": "training@accord.demo", "Marketing": "marketing@accord.demo"} {
		a.agree(sent[holder], head)
	}
	crm := sent["IT"]

	// IT's head declines the CRM from the inbox: too busy.
	itHead := b.tab("it")
	itHead.login("it@accord.demo")
	itHead.open("/inbox")
	card := fmt.Sprintf("#request-%d", crm.ID)
	itHead.click(card + ` [data-testid="act-decline"] > summary`)
	itHead.click(card + ` input[name="obstacle"][value="too_busy"]`)
	itHead.fill(fmt.Sprintf("#r%d-decline-reason", crm.ID), loopDecline)
	itHead.click(card + ` [data-testid="act-decline"] button[type="submit"]`)
	itHead.waitFor("the CRM to be declined", fmt.Sprintf(`document.querySelector(%s) !== null`, jsString(card+` [data-testid="card-notice"]`)))
	require.Equal(t, accord.RequestDeclined, a.request(crm.ID).State)

	// The lead splits a first phase off the declined request.
	lead := b.tab("aftersales")
	lead.login("aftersales@accord.demo")
	lead.open(fmt.Sprintf("/requests/%d", crm.ID))
	require.Equal(t, want.strategies, lead.texts(`[data-testid="strategies"] .rq-strategy h3`))
	phase := `[data-testid="strategy-phase"]`
	lead.click(phase + ` [data-testid="split"] > summary`)
	require.Equal(t, want.phaseTitle, evalIn[string](lead, "read the phase title", `document.querySelector("#s-phase-title").value`))
	lead.fill("#s-phase-effort", "20")
	lead.fill("#s-phase-message", loopPhaseMsg)
	lead.submit(phase + ` button[type="submit"]`)
	require.Equal(t, want.splitSent, lead.mustText(`[data-testid="flash"]`))
	phase1 := a.requests(smart.ID)["IT"]
	require.NotEqual(t, crm.ID, phase1.ID)
	require.Equal(t, fmt.Sprintf("/requests/%d", phase1.ID), lead.path())

	// IT agrees to phase 1, naming its developer as key person.
	itHead.open("/inbox")
	card = fmt.Sprintf("#request-%d", phase1.ID)
	itHead.click(card + ` [data-testid="act-agree"] > summary`)
	itHead.choose(fmt.Sprintf("#r%d-agree-key_person", phase1.ID), want.keyPerson)
	itHead.setDate(fmt.Sprintf("#r%d-agree-due_date", phase1.ID), "2027-01-15")
	itHead.click(card + ` [data-testid="act-agree"] button[type="submit"]`)
	itHead.waitText(card+` [data-testid="card-notice"]`, want.phaseDone)
	require.Equal(t, accord.RequestAgreed, a.request(phase1.ID).State)

	// The developer is told the phase is agreed and is theirs to deliver.
	dev := b.tab("it.dev")
	dev.login("it.dev@accord.demo")
	dev.open("/notifications")
	require.Regexp(t, `^/notifications/\d+/open$`, notificationHref(dev, want.keyNamed), "read as it is opened")
	dev.submitText(`[data-testid="notification-text"]`, want.keyNamed)
	require.Equal(t, fmt.Sprintf("/requests/%d", phase1.ID), dev.path(), "one click to the request")

	// The lead escalates the rest: the original, still declined.
	lead.open(fmt.Sprintf("/requests/%d", crm.ID))
	lead.submit(`[data-testid="escalate-link"]`)
	require.Equal(t, fmt.Sprintf("/requests/%d/escalate", crm.ID), lead.path())
	lead.fill(`[data-testid="escalate-form"] textarea[name="reason"]`, loopReason)
	lead.submit(`[data-testid="escalate-submit"]`)
	require.Equal(t, want.escalated, lead.mustText(`[data-testid="flash"]`))
	require.Regexp(t, `^/escalations/\d+$`, lead.path())
	escPath := lead.path()

	// IT's list of escalations opens on the one involving IT, owing IT's statement.
	itHead.open("/escalations")
	require.Equal(t, want.unitsList, itHead.mustText("h1"))
	row := fmt.Sprintf(`[data-testid="escalations"] tr[data-escalation-id="%s"]`, strings.TrimPrefix(escPath, "/escalations/"))
	require.Equal(t, want.owed, itHead.mustText(row+` [data-field="statement-owed"]`))
	shoot(itHead, "escalations-pending")

	// IT's head reaches the statement form from the notification, in one click.
	itHead.open("/notifications")
	itHead.submitText(`[data-testid="notification-text"]`, want.raised)
	require.Equal(t, escPath, itHead.path())
	require.Equal(t, want.awaiting, itHead.mustText(`[data-testid="status"]`))
	itHead.fill(`[data-testid="statement-form"] textarea[name="text"]`, loopStatement)
	itHead.submit(`[data-testid="statement-submit"]`)
	require.Equal(t, want.added, itHead.mustText(`[data-testid="flash"]`))
	require.Contains(t, itHead.mustText(`[data-testid="holder-statement"]`), loopStatement)
	shoot(itHead, "escalation-open")

	// The CEO opens the decision from the notification.
	ceo := b.tab("ceo")
	ceo.login("ceo@accord.demo")
	ceo.open("/notifications")
	ceo.submitText(`[data-testid="notification-text"]`, want.assigned)
	require.Equal(t, escPath, ceo.path())
	require.Equal(t, want.awaiting, ceo.mustText(`[data-testid="status"]`))
	require.Contains(t, ceo.mustText(`[data-testid="holder-statement"]`), loopStatement)

	// The brief knows IT agreed to part of it and that the phase was tried; it does
	// not propose phasing again.
	brief := ceo.mustText(`[data-testid="brief"]`)
	require.Contains(t, brief, want.briefStanding)
	require.Contains(t, brief, want.briefAsked)
	require.Contains(t, brief, want.briefPhase)
	for _, s := range want.briefOthers {
		require.Contains(t, brief, s)
	}
	require.NotContains(t, brief, want.briefPhaseIt, "the phase was tried: the brief does not propose it again")
	require.Contains(t, brief, loopDecline)
	require.Contains(t, brief, want.briefReason)

	// Direct, with a date.
	ceo.clickText(`[data-testid="decide-form"] label.esc-kind`, want.direct)
	require.Equal(t, 1, ceo.count(`input[name="kind"][value="direct"]:checked`))
	ceo.fill("#esc-note", loopNote)
	ceo.fill("#esc-scope", loopScope)
	ceo.setDate("#esc-due", loopDue)
	ceo.submit(`[data-testid="decide-submit"]`)
	require.Equal(t, escPath, ceo.path())
	require.Equal(t, want.decided, ceo.mustText(`[data-testid="flash"]`))
	require.Equal(t, want.decidedStatus, ceo.mustText(`[data-testid="status"]`))
	require.Equal(t, want.direct, ceo.mustText(`[data-testid="decision-kind"]`))
	require.Equal(t, loopNote, ceo.mustText(`[data-testid="decision-note"]`))
	require.Equal(t, want.outcome, ceo.mustText(`[data-testid="outcome"]`))
	require.Equal(t, want.bindingNote, ceo.mustText(`[data-testid="binding-note"]`))
	got := a.request(crm.ID)
	require.Equal(t, accord.RequestAgreed, got.State)
	require.True(t, got.Binding)

	// Both sides find the outcome and its reason on the request, in the notification
	// (which opens the escalation) and in the project's history.
	for _, side := range []*tab{lead, itHead} {
		side.open(fmt.Sprintf("/requests/%d", crm.ID))
		require.Equal(t, want.rulingOutcome, side.mustText(`[data-testid="ruling-outcome"]`), side.name)
		require.Equal(t, "“"+loopNote+"”", side.mustText(`[data-testid="ruling-reason"]`), side.name)
		require.Contains(t, side.mustText(`[data-testid="ruling"]`), want.rulingCarries, side.name)
		require.Equal(t, want.rulingOpen, side.mustText(`[data-testid="ruling-link"]`), side.name)
		require.Equal(t, escPath, side.attr(`[data-testid="ruling-link"]`, "href"), side.name)
		shoot(side, "request-ruled")

		side.open("/notifications")
		require.Regexp(t, `^/notifications/\d+/open$`, notificationHref(side, want.decidedNote), side.name)
		side.submitText(`[data-testid="notification-text"]`, want.decidedNote)
		require.Equal(t, escPath, side.path(), side.name)
		require.Equal(t, loopNote, side.mustText(`[data-testid="decision-note"]`), side.name)
		shoot(side, "escalation-decided")

		side.open(fmt.Sprintf("/projects/%d/history", smart.ID))
		require.Contains(t, side.texts(`[data-testid="history-summary"]`), want.history, side.name)
	}

	// IT's inbox card carries the same ruling.
	itHead.open("/inbox")
	card = fmt.Sprintf("#request-%d", crm.ID)
	require.Equal(t, want.rulingOutcome, itHead.mustText(card+` [data-testid="ruling-outcome"]`))
	require.Equal(t, "“"+loopNote+"”", itHead.mustText(card+` [data-testid="ruling-reason"]`))
	shoot(itHead, "inbox-ruled")

	// IT's list of escalations, once decided.
	itHead.open("/escalations")
	shoot(itHead, "escalations-decided")
	itHead.open("/escalations?list=decided")
	require.Equal(t, 1, itHead.count(row))
	shoot(itHead, "escalations-decided-list")
}

// notificationHref is where the notification saying text leads; the journey fails
// if the reader has no such notification.
func notificationHref(tb *tab, text string) string {
	tb.t.Helper()
	texts := tb.texts(`[data-testid="notification-text"]`)
	i := slices.Index(texts, text)
	if i < 0 {
		tb.t.Fatalf("[%s] no notification %q; the notifications say %q", tb.name, text, texts)
	}
	return evalIn[string](tb, "read the notification's link",
		fmt.Sprintf(`document.querySelectorAll('[data-testid="notification-text"]')[%d].getAttribute("href")`, i))
}

// shoot keeps full-page screenshots of the tab at a desktop and a phone width, when
// JOURNEY_SCREENSHOTS is set, under test-artifacts/ (ignored by git), for a person to
// look at; the journey then goes on at its usual size.
func shoot(tb *tab, label string) {
	tb.t.Helper()
	if os.Getenv("JOURNEY_SCREENSHOTS") == "" {
		return
	}
	for _, width := range []int64{1366, 390} {
		tb.do(fmt.Sprintf("resize to %d px", width), chromedp.EmulateViewport(width, 900))
		if w := evalIn[int](tb, "measure the page", `document.documentElement.scrollWidth`); w > int(width) {
			tb.t.Logf("[%s] %s at %d px: the page is %d px wide and scrolls sideways", tb.name, label, width, w)
		}
		p, err := tb.screenshot(fmt.Sprintf("%s-%d", label, width))
		if err != nil {
			tb.t.Fatalf("[%s] %v", tb.name, err)
		}
		tb.t.Logf("[%s] screenshot: %s", tb.name, p)
	}
	tb.do("reset the size", chromedp.EmulateViewport(1280, 900))
}
