package journeys_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLeadPlansAProjectAndSendsRequests: After-sales' head starts a project in
// English, maps two needs held by other units in the workbook, plans how to win IT
// over, sends both requests and follows them on the tracker — then reads it in Chinese.
func TestLeadPlansAProjectAndSendsRequests(t *testing.T) {
	a, b := journey(t, "en-US,en")
	units := a.units()
	it := units["IT"]
	lead := b.tab("aftersales")
	lead.login("aftersales@accord.demo")

	// A new project, from the project list.
	lead.open("/projects")
	lead.submit(`[data-testid="new-project"]`)
	require.Equal(t, "/projects/new", lead.path())
	require.Equal(t, "New project", lead.mustText("h1"))
	require.Equal(t, "aftersales@accord.demo", evalIn[string](lead, "read the lead", `document.querySelector("#project-lead").value`),
		"the viewer leads by default")
	lead.fill("#project-name", "预约到店提醒")
	lead.fill("#project-name-en", "Appointment reminders")
	lead.fill("#project-goal-statement", "提前一天提醒预约客户，减少爽约。")
	lead.fill("#project-amount", "1200000")
	target := time.Now().AddDate(0, 6, 0).Format("2006-01-02")
	lead.setDate("#project-target", target)
	lead.submit(`[data-testid="project-form"] button[type="submit"]`)
	require.Regexp(t, regexp.MustCompile(`^/projects/\d+$`), lead.path())
	require.Equal(t, "Appointment reminders", lead.mustText(`[data-testid="project-name"]`))
	require.Contains(t, lead.mustText(`[data-testid="flash"]`), "Project “Appointment reminders” started.")
	p := a.project("Appointment reminders")
	require.Equal(t, fmt.Sprintf("/projects/%d", p.ID), lead.path())
	require.Equal(t, a.user("aftersales@accord.demo").ID, p.LeadUserID)

	// Two needs through the workbook's add form, which answers in place.
	addNeed := func(title, titleEN, tier, holder, effort string, rows int) {
		t.Helper()
		lead.fill("#need-add-title", title)
		lead.fill("#need-add-title-en", titleEN)
		lead.choose("#need-add-tier", tier)
		lead.choose("#need-add-holder", holder)
		lead.fill("#need-add-effort", effort)
		lead.click(`[data-testid="need-add-form"] button[type="submit"]`)
		lead.waitCount(`tr[data-testid="need-row"]`, rows)
		lead.waitText(`#resource-map [data-testid="notice"]`, "Added “"+titleEN+"”.")
	}
	require.Equal(t, "true", evalIn[string](lead, "is the add form open", `String(document.querySelector('[data-testid="need-add"]').open)`),
		"an empty workbook opens the add form")
	addNeed("预约短信接口", "Appointment SMS interface", "P0 Required", "IT", "15", 1)
	addNeed("爽约客户数据", "No-show customer data", "P1 Important", "Data", "5", 2)
	require.ElementsMatch(t, []string{"Appointment SMS interface", "No-show customer data"}, lead.texts(`[data-testid="need-title"]`))
	require.ElementsMatch(t, []string{"IT", "Data"}, lead.texts(`[data-testid="need-holder"]`))
	require.Equal(t, 2, lead.count(`[data-testid="plan-card"]`), "each holder became an involved unit")

	// A plan for IT: what worries them and what the project offers.
	card := fmt.Sprintf("#plan-%d", it.ID)
	lead.click(card + ` [data-testid="plan-edit"] > summary`)
	lead.fill(card+"-concerns", "排期已满\n接口需要长期维护")
	lead.fill(card+"-we-give", "售后团队负责短信文案与测试")
	lead.fill(card+"-proposal", "一期只做提醒短信，维护由供应商承担")
	lead.click(card + ` [data-testid="plan-form"] button[type="submit"]`)
	lead.waitText(card+` [data-testid="notice"]`, "Plan for IT saved.")
	require.Equal(t, []string{"排期已满", "接口需要长期维护"}, lead.texts(card+` [data-testid="plan-concerns"] li`))
	require.Contains(t, lead.mustText(card+` [data-testid="plan-exchange"]`), "一期只做提醒短信，维护由供应商承担")

	// Sending: both needs are ticked; they go out with a message.
	lead.submit(`[data-testid="send-requests"]`)
	require.Equal(t, fmt.Sprintf("/projects/%d/send", p.ID), lead.path())
	require.Equal(t, 2, lead.count(`[data-testid="send-item"]`))
	require.Equal(t, 2, lead.count(`input[name="need"]:checked`), "P0 and P1 needs are ticked")
	lead.fill(`[data-testid="send-form"] textarea[name="message"]`, "请支持预约提醒项目")
	lead.submit(`[data-testid="send-submit"]`)

	// Two needs: the lead checks what goes out, then sends.
	require.Equal(t, 2, lead.count(`[data-testid="send-confirm-item"]`))
	lead.submit(`[data-testid="send-confirm"]`)

	// The tracker: one row per request, nobody has agreed yet.
	require.Equal(t, fmt.Sprintf("/projects/%d/tracker", p.ID), lead.path())
	require.Equal(t, "2 requests sent.", lead.mustText(`[data-testid="flash"]`))
	require.Equal(t, 2, lead.count(`[data-testid="tracker-row"]`))
	require.Equal(t, "0 of 2 units agreed", lead.mustText(`[data-testid="tracker-summary"]`))
	require.ElementsMatch(t, []string{"IT", "Data"}, lead.texts(`[data-testid="tracker-unit-name"]`))
	require.Equal(t, []string{"Requested", "Requested"}, lead.texts(`[data-testid="tracker-row"] [data-testid="request-state"]`))
	require.Len(t, a.requests(p.ID), 2)

	// 中文: the same page, in Chinese.
	lead.submit(`button[name="lang"][value="zh"]`)
	require.Equal(t, fmt.Sprintf("/projects/%d/tracker", p.ID), lead.path())
	require.Equal(t, "zh-Hans", lead.attr("html", "lang"))
	require.Equal(t, "进度追踪表", lead.mustText("h1"))
	require.Equal(t, "2 个部门中已有 0 个同意", lead.mustText(`[data-testid="tracker-summary"]`))
	require.ElementsMatch(t, []string{"信息技术部", "数据部"}, lead.texts(`[data-testid="tracker-unit-name"]`))
}
