package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// One conversation per request (issue 15): played on the smart service upgrade, where
// IT's head asks the lead a question about the CRM request.

// userID is the id of the person with email.
func (b *testBundle) userID(t *testing.T, email string) int64 {
	t.Helper()
	u, err := b.st.UserByEmail(context.Background(), email)
	require.NoError(t, err)
	return u.ID
}

// loginID signs in the person with id.
func (b *testBundle) loginID(t *testing.T, id int64) *client {
	t.Helper()
	u, err := b.st.User(context.Background(), id)
	require.NoError(t, err)
	return b.login(t, u.Email)
}

// cmPost posts a comment on path (a subject's page) and returns the response.
func cmPost(c *client, subjectPath, body string, mentions ...string) response {
	return c.post(subjectPath+"/comments", url.Values{"body": {body}, "mention": mentions})
}

// cmComments lists the conversation's comments on a page as author: body.
func cmComments(r response) []string {
	var out []string
	r.doc.Find(`[data-testid="comment"]`).Each(func(_ int, c *goquery.Selection) {
		out = append(out, rowField(c, "author")+": "+strings.TrimSpace(c.Find(`[data-field="body"]`).Text()))
	})
	return out
}

func TestRequestConversation(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(it.ID, "")
	itHead := b.login(t, "it@accord.demo")

	// IT's head may notify the lead: the picker offers the people around the request
	// who may see it.
	resp := itHead.get(page)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "Nothing has been said here yet. Questions, documents and agreements said here stay with the record.",
		resp.text("comments-empty"))
	var leadID string
	resp.doc.Find(`[data-testid="mention-option"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Parent().Text(), "Zhang Wei") {
			leadID = s.AttrOr("value", "")
		}
	})
	require.NotEmpty(t, leadID, "the lead is offered")

	// An empty comment keeps the people ticked and says what to fix; nothing is stored.
	resp = cmPost(itHead, page, "  ", leadID)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Write something to post, or attach a file.", resp.textOf(`#comment-body-error`))
	_, ticked := resp.doc.Find(`[data-testid="mention-option"][value="` + leadID + `"]`).Attr("checked")
	require.True(t, ticked, "the lead stays ticked")

	// Someone who may not see the project cannot be notified; the words are kept.
	legal := b.userID(t, "legal@accord.demo")
	resp = cmPost(itHead, page, "一期范围是否包含工单？", idStr(legal))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, resp.body)
	require.Equal(t, "That person cannot see this, so they cannot be notified here.", resp.textOf(`#comment-mention-email-error`))
	require.Equal(t, "一期范围是否包含工单？", resp.textOf(`#comment-body`))
	resp = itHead.post(page+"/comments", url.Values{"body": {"x"}, "mention_email": {"legal@accord.demo"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "the same by email")
	resp = itHead.post(page+"/comments", url.Values{"body": {"x"}, "mention_email": {"nobody@example.com"}})
	require.Equal(t, "That person cannot see this, so they cannot be notified here.", resp.textOf(`#comment-mention-email-error`),
		"an unknown address reads the same: the field does not tell who has an account")
	require.Equal(t, "Nothing has been said here yet. Questions, documents and agreements said here stay with the record.",
		itHead.get(page).text("comments-empty"))

	// The question, mentioning the lead.
	resp = rqFollow(t, itHead, cmPost(itHead, page, "一期范围是否包含工单？\n请确认。", leadID))
	require.Equal(t, "Comment posted.", resp.text("flash"))
	require.Equal(t, []string{"Huang Lei: 一期范围是否包含工单？\n请确认。"}, cmComments(resp))
	require.Equal(t, "Notified: Zhang Wei", resp.textOf(`[data-testid="comment"] [data-field="mentions"]`))

	// The lead is told, and the notification opens the comment.
	notes := lead.get("/notifications")
	require.Contains(t, notes.plain(), "Huang Lei mentioned you on “CRM system development” (Smart service upgrade).")
	link := notes.doc.Find(`a:contains("mentioned you")`).First().AttrOr("href", "")
	opened := lead.get(link)
	require.Equal(t, http.StatusSeeOther, opened.StatusCode)
	comment := resp.doc.Find(`[data-testid="comment"]`).First()
	require.Equal(t, page+"#comment-"+comment.AttrOr("data-comment-id", ""), opened.Header.Get("Location"))

	// The answer, with a link; it is shown as a link, the rest as text.
	resp = rqFollow(t, lead, cmPost(lead, page, "包含。需求文档：https://wiki.example.com/crm-v3，见第 4 节。<b>x</b>"))
	answer := resp.doc.Find(`[data-testid="comment"]`).Last()
	a := answer.Find(`[data-field="body"] a`)
	require.Equal(t, 1, a.Length())
	require.Equal(t, "https://wiki.example.com/crm-v3", a.AttrOr("href", ""))
	require.Equal(t, "nofollow noopener noreferrer", a.AttrOr("rel", ""))
	require.Contains(t, answer.Find(`[data-field="body"]`).Text(), "<b>x</b>", "markup is shown as text")
	require.Zero(t, answer.Find(`[data-field="body"] b`).Length())
	require.Contains(t, itHead.get("/notifications").plain(), "Zhang Wei commented on “CRM system development” (Smart service upgrade).",
		"the other side hears of it")

	// Data's head sees the project, not this request's conversation as a party: reads only.
	data := b.login(t, "data@accord.demo")
	resp = data.get(page)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NotEmpty(t, resp.text("comment-read-only"))
	require.Zero(t, resp.doc.Find(`[data-testid="comment-form"]`).Length())
	require.Equal(t, http.StatusForbidden, cmPost(data, page, "我也想说").StatusCode)

	// A stranger finds nothing: not the conversation, not its comments.
	stranger := b.login(t, "legal@accord.demo")
	require.Equal(t, http.StatusNotFound, stranger.get(page).StatusCode)
	require.Equal(t, http.StatusNotFound, cmPost(stranger, page, "?").StatusCode)
	id := comment.AttrOr("data-comment-id", "")
	require.Equal(t, http.StatusNotFound, stranger.post("/comments/"+id+"/retract", url.Values{"version": {"1"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, stranger.post("/comments/"+id+"/edit", url.Values{"version": {"1"}, "body": {"改"}}).StatusCode)

	// The author corrects it within 15 minutes; it says so. Later it stands as written.
	resp = rqFollow(t, itHead, itHead.post("/comments/"+id+"/edit", url.Values{"version": {"1"}, "body": {"一期范围是否包含工单流转？"}}))
	require.Equal(t, "Comment corrected.", resp.text("flash"))
	first := resp.doc.Find(`[data-testid="comment"]`).First()
	require.Equal(t, "一期范围是否包含工单流转？", strings.TrimSpace(first.Find(`[data-field="body"]`).Text()))
	require.Contains(t, first.Find(`[data-field="edited"]`).Text(), "edited")
	require.Zero(t, resp.doc.Find(`[data-comment-id="`+id+`"] [data-testid="comment-edit-form"]`).Length()-1, "still editable")
	require.Equal(t, http.StatusOK, lead.get(page).StatusCode)
	require.Zero(t, lead.get(page).doc.Find(`[data-comment-id="`+id+`"] [data-testid="comment-edit-form"]`).Length(),
		"only its author may correct it")
	*b.now = b.now.Add(accord.CommentEditWindow + time.Minute)
	require.Zero(t, itHead.get(page).doc.Find(`[data-comment-id="`+id+`"] [data-testid="comment-edit-form"]`).Length(),
		"the window has closed")
	resp = rqFollow(t, itHead, itHead.post("/comments/"+id+"/edit", url.Values{"version": {"2"}, "body": {"再改"}}))
	require.Contains(t, resp.text("flash"), "within 15 minutes")
	require.Equal(t, "一期范围是否包含工单流转？", strings.TrimSpace(resp.doc.Find(`[data-testid="comment"]`).First().Find(`[data-field="body"]`).Text()))

	// Retracted, the words stay in the record, marked withdrawn.
	require.Equal(t, http.StatusSeeOther, lead.post("/comments/"+id+"/retract", url.Values{"version": {"2"}}).StatusCode)
	require.Zero(t, itHead.get(page).doc.Find(`[data-comment-id="`+id+`"] [data-field="retracted"]`).Length(), "only its author retracts")
	resp = rqFollow(t, itHead, itHead.post("/comments/"+id+"/retract", url.Values{"version": {"2"}}))
	require.Equal(t, "Comment retracted. It stays in the record, marked as withdrawn.", resp.text("flash"))
	first = resp.doc.Find(`[data-comment-id="` + id + `"]`)
	require.Contains(t, first.Find(`[data-field="retracted"]`).Text(), "Retracted by its author")
	require.Equal(t, "一期范围是否包含工单流转？", strings.TrimSpace(first.Find(`[data-field="body"]`).Text()))

	// The project's history keeps every step, in words.
	history := lead.get(wbPath(smart, "/history")).wbTexts(`[data-testid="history-summary"]`)
	require.Contains(t, history, "Retracted a comment: “一期范围是否包含工单流转？”")
	require.Contains(t, history, "Corrected a comment: “一期范围是否包含工单流转？”")
	require.Contains(t, history, "Commented: “一期范围是否包含工单？ 请确认。”")

	// In Chinese, the conversation speaks Chinese.
	itHead.lang = "zh-CN"
	resp = itHead.get(page)
	require.Equal(t, "讨论", strings.TrimSpace(resp.doc.Find(`#conversation-title`).Text()))
	require.Equal(t, "发表评论", strings.TrimSpace(resp.doc.Find(`[data-testid="comment-submit"]`).Text()))
}

func TestProjectAndEscalationConversations(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")

	// The project's conversation, linked from its workbook, open to whoever sees it.
	wb := lead.get(wbPath(smart, ""))
	convPath := wb.attrOf(`[data-testid="conversation-link"]`, "href")
	require.Equal(t, "/projects/"+idStr(smart.ID)+"/conversation", convPath)
	resp := rqFollow(t, lead, lead.post("/projects/"+idStr(smart.ID)+"/comments", url.Values{"body": {"周五评审一期范围"}}))
	require.Equal(t, []string{"Zhang Wei: 周五评审一期范围"}, cmComments(resp))
	require.Equal(t, http.StatusNotFound, b.login(t, "legal@accord.demo").get(convPath).StatusCode)

	// An escalation's conversation: its superior and both sides speak; the others
	// are told.
	e, _, itHead := b.escDeclinedCRM(t)
	escPage := "/escalations/" + idStr(e.ID)
	superior := b.loginID(t, e.AssignedUserID)
	// Its form offers the parties who may see it (the lead, IT's head), not the
	// superior themself.
	var offered []string
	superior.get(escPage).doc.Find(`[data-testid="mention-option"]`).Each(func(_ int, s *goquery.Selection) {
		offered = append(offered, strings.TrimSpace(s.Parent().Text()))
	})
	require.Len(t, offered, 2, "offered: %v", offered)
	require.Contains(t, strings.Join(offered, " | "), "Zhang Wei")
	resp = rqFollow(t, superior, cmPost(superior, escPage, "IT 本季度还有哪些 P0？"))
	require.Len(t, cmComments(resp), 1)
	require.Contains(t, itHead.get("/notifications").plain(), "commented on “CRM system development”")
	require.Contains(t, lead.get("/notifications").plain(), "commented on “CRM system development”")
	admin := b.login(t, "admin@accord.demo")
	require.Equal(t, http.StatusOK, admin.get(escPage).StatusCode)
	require.Equal(t, http.StatusForbidden, cmPost(admin, escPage, "?").StatusCode, "an administrator reads, does not speak")

	// Data's head sees the project, not the escalation: its history says someone spoke
	// there, never what.
	data := b.login(t, "data@accord.demo")
	require.Equal(t, http.StatusNotFound, data.get(escPage).StatusCode)
	history := data.get(wbPath(smart, "/history"))
	require.Contains(t, history.wbTexts(`[data-testid="history-summary"]`), "Spoke in an escalation's conversation")
	require.NotContains(t, history.body, "IT 本季度还有哪些 P0")
	require.Contains(t, history.body, "周五评审一期范围", "the project's own conversation is the project's readers'")
}

// TestConversationThroughTheAPI: the same rules as the page, through the JSON face.
func TestConversationThroughTheAPI(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	path := "/requests/" + idStr(it.ID) + "/comments"
	itAPI, leadAPI := b.api(t, "it@accord.demo"), b.api(t, "aftersales@accord.demo")

	got := itAPI.post(path, map[string]any{"body": "范围？", "mentions": []string{idStr(b.userID(t, "legal@accord.demo"))}})
	require.Equal(t, http.StatusUnprocessableEntity, got.status, "body: %s", got.raw)
	require.Equal(t, "That person cannot see this, so they cannot be notified here.", got.str("error.fields.mentions"))

	c := itAPI.post(path, map[string]any{"body": "范围？", "mentions": []string{idStr(b.userID(t, "aftersales@accord.demo"))}}).
		expect(t, http.StatusCreated)
	require.Equal(t, "request", c["subject_kind"])
	require.Equal(t, idStr(it.ID), c["subject_id"])
	require.Equal(t, []any{idStr(b.userID(t, "aftersales@accord.demo"))}, c["mentions"])
	id := c["id"].(string)

	list := leadAPI.get(path).expect(t, http.StatusOK)
	require.Equal(t, float64(1), list["total"])
	require.Equal(t, true, list["may_comment"])
	require.Equal(t, false, b.api(t, "data@accord.demo").get(path).expect(t, http.StatusOK)["may_comment"],
		"Data's head reads the request's conversation, does not speak in it")
	require.Equal(t, http.StatusNotFound, b.api(t, "legal@accord.demo").get(path).status)
	require.Equal(t, http.StatusNotFound, b.api(t, "legal@accord.demo").get("/comments/"+id).status)

	require.Equal(t, http.StatusForbidden, leadAPI.patch("/comments/"+id, map[string]any{"version": 1, "body": "改"}).status,
		"only its author corrects it")
	edited := itAPI.patch("/comments/"+id, map[string]any{"version": 1, "body": "一期范围？"}).expect(t, http.StatusOK)
	require.NotNil(t, edited["edited_at"])
	stale := itAPI.patch("/comments/"+id, map[string]any{"version": 1, "body": "再改"})
	require.Equal(t, http.StatusConflict, stale.status)
	*b.now = b.now.Add(accord.CommentEditWindow)
	require.Equal(t, http.StatusForbidden, itAPI.patch("/comments/"+id, map[string]any{"version": 2, "body": "晚了"}).status)
	retracted := itAPI.post("/comments/"+id+"/retract", map[string]any{"version": 2}).expect(t, http.StatusOK)
	require.NotNil(t, retracted["retracted_at"])
	require.Equal(t, "一期范围？", retracted["body"], "the words stay")
}

// TestFollowersHearOfStepsAndTalk (抄送): Data's head follows IT's CRM request; the
// lead adds the CEO; both hear of its answer and its conversation; a stranger can be
// neither.
func TestFollowersHearOfStepsAndTalk(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(it.ID, "")

	data := b.login(t, "data@accord.demo")
	resp := data.get(page)
	require.Equal(t, "Nobody else follows this.", strings.TrimSpace(resp.doc.Find(`[data-testid="followers"] .muted`).First().Text()))
	require.Zero(t, resp.doc.Find(`[data-testid="follower-form"]`).Length(), "only the lead adds others")
	resp = rqFollow(t, data, data.post(page+"/follow", nil))
	require.Equal(t, "You follow this now: its steps and its conversation reach you.", resp.text("flash"))
	require.Equal(t, "Following: Lin Xiao", resp.textOf(`[data-field="followers"]`))
	require.Equal(t, 1, resp.doc.Find(`[data-testid="unfollow-form"]`).Length())

	// The lead adds someone who may see it; a stranger (or an unknown address) is refused alike.
	resp = rqFollow(t, lead, lead.post(page+"/followers", url.Values{"email": {"legal@accord.demo"}}))
	require.Equal(t, "That person cannot see this, so they cannot follow it.", resp.text("flash"))
	resp = rqFollow(t, lead, lead.post(page+"/followers", url.Values{"email": {"ceo@accord.demo"}}))
	require.Equal(t, "Chen Zhiyuan follows this now.", resp.text("flash"))
	require.Equal(t, http.StatusForbidden, data.post(page+"/followers", url.Values{"email": {"ceo@accord.demo"}}).StatusCode)
	require.Equal(t, http.StatusNotFound, b.login(t, "legal@accord.demo").post(page+"/follow", nil).StatusCode)

	// IT's head answers and speaks: both followers hear of each.
	itHead := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusSeeOther, itHead.post(rqReq(it.ID, "/agree"), url.Values{"version": {rqVersion(it)}}).StatusCode)
	rqFollow(t, itHead, cmPost(itHead, page, "下周开始排期"))
	for _, c := range []*client{data, b.login(t, "ceo@accord.demo")} {
		notes := c.get("/notifications").plain()
		require.Contains(t, notes, "Huang Lei moved “CRM system development” (Smart service upgrade) on: Agreed.")
		require.Contains(t, notes, "Huang Lei commented on “CRM system development” (Smart service upgrade).")
	}

	// Unfollowed, Data's head hears no more.
	rqFollow(t, data, data.post(page+"/unfollow", nil))
	rqFollow(t, itHead, cmPost(itHead, page, "已排期"))
	require.Equal(t, 1, strings.Count(data.get("/notifications").plain(), "commented on"))
}

// TestFollowingThroughTheAPI: the same rules through the JSON face.
func TestFollowingThroughTheAPI(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	path := "/requests/" + idStr(it.ID)

	got := b.api(t, "data@accord.demo").post(path+"/follow", nil).expect(t, http.StatusOK)
	require.Equal(t, true, got["following"])
	require.Len(t, got["followers"], 1)
	require.Equal(t, http.StatusNotFound, b.api(t, "legal@accord.demo").post(path+"/follow", nil).status)
	require.Equal(t, http.StatusForbidden, b.api(t, "data@accord.demo").post(path+"/followers",
		map[string]any{"user_id": idStr(b.userID(t, "ceo@accord.demo"))}).status, "only the lead adds others")
	refused := b.api(t, "aftersales@accord.demo").post(path+"/followers", map[string]any{"user_id": idStr(b.userID(t, "legal@accord.demo"))})
	require.Equal(t, http.StatusUnprocessableEntity, refused.status)
	require.Equal(t, "That person cannot see this, so they cannot follow it.", refused.str("error.fields.user_id"))
	got = b.api(t, "aftersales@accord.demo").post(path+"/followers", map[string]any{"user_id": idStr(b.userID(t, "ceo@accord.demo"))}).
		expect(t, http.StatusOK)
	require.Len(t, got["followers"], 2)
	require.Equal(t, false, got["following"], "the lead added someone else")
	got = b.api(t, "data@accord.demo").post(path+"/unfollow", nil).expect(t, http.StatusOK)
	require.Equal(t, false, got["following"])
	require.Len(t, b.api(t, "it@accord.demo").get(path+"/followers").expect(t, http.StatusOK)["followers"], 1)
}

// The name field offers, as it is typed, the people of that name who may see the
// request, and nobody else; only someone who may speak there is answered.
func TestMentionSuggestionsOfferOnlyThoseWhoMaySee(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	page := itHead.get(rqReq(it.ID, ""))
	find := page.doc.Find(`#comment-mention-find`)
	require.Equal(t, rqReq(it.ID, "/mentionable"), find.AttrOr("hx-get", ""), "the field asks as it is typed")

	suggest := func(c *client, text string) response {
		return c.get(rqReq(it.ID, "/mentionable") + "?mention_find=" + url.QueryEscape(text))
	}
	names := func(r response) []string {
		return rqTexts(r.doc.Find(`label:has([data-testid="mention-suggestion"])`))
	}
	resp := suggest(itHead, "Zhang")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{"Zhang Wei"}, names(resp))
	require.Equal(t, idStr(b.userID(t, "aftersales@accord.demo")),
		resp.doc.Find(`[data-testid="mention-suggestion"]`).AttrOr("value", ""), "a box the form posts as a mention")
	require.Equal(t, []string{"Zhang Wei"}, names(suggest(itHead, "张伟")), "either language's name")

	// Legal's head may not see the request: not offered, and the field says so.
	resp = suggest(itHead, "Guo Zheng")
	require.Empty(t, names(resp))
	require.Equal(t, "No one of that name can see this.", resp.text("mention-none"))
	// Too little typed to look anyone up: nothing, and no verdict.
	resp = suggest(itHead, "G")
	require.Empty(t, names(resp))
	require.Zero(t, resp.doc.Find(`[data-testid="mention-none"]`).Length())
	// The speaker is not offered to themself; addresses find no one.
	require.Empty(t, names(suggest(itHead, "Huang Lei")))
	require.Empty(t, names(suggest(itHead, "aftersales@accord")))

	// Someone who may not see the request learns nothing of it.
	require.Equal(t, http.StatusNotFound, suggest(b.login(t, "legal@accord.demo"), "Zhang").StatusCode)
}

// TestEscalationFormLeavesOutWhoNoLongerSeesIt: someone who spoke in an escalation's
// conversation while standing in for IT's head is offered to be told while the
// arrangement lasts, and no longer once it ends: they may not open it any more.
func TestEscalationFormLeavesOutWhoNoLongerSeesIt(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	e, _, _ := b.escDeclinedCRM(t)
	escPage := "/escalations/" + idStr(e.ID)

	today := time.Date(b.now.Year(), b.now.Month(), b.now.Day(), 0, 0, 0, 0, time.UTC)
	later := today.AddDate(0, 0, 5)
	head := b.escViewer(t, "it@accord.demo")
	si, err := b.st.CreateStandIn(ctx, head, head.User.ID, "it.dev@accord.demo", &today, &later, time.UTC, *b.now)
	require.NoError(t, err)
	standIn := b.login(t, "it.dev@accord.demo")
	require.Equal(t, http.StatusOK, standIn.get(escPage).StatusCode, "the stand-in opens it")
	rqFollow(t, standIn, cmPost(standIn, escPage, "我先替部门负责人回复"))

	superior := b.loginID(t, e.AssignedUserID)
	offered := func() string {
		var names []string
		superior.get(escPage).doc.Find(`[data-testid="mention-option"]`).Each(func(_ int, s *goquery.Selection) {
			names = append(names, strings.TrimSpace(s.Parent().Text()))
		})
		return strings.Join(names, " | ")
	}
	require.Contains(t, offered(), "Xu Hang", "the stand-in, while standing in")

	require.NoError(t, b.st.EndStandIn(ctx, head, si.ID, *b.now))
	require.Equal(t, http.StatusNotFound, standIn.get(escPage).StatusCode, "no longer opens it")
	require.NotContains(t, offered(), "Xu Hang", "so is no longer offered")
	require.Contains(t, offered(), "Zhang Wei", "the lead still is")
}
