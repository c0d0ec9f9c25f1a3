package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNotificationsListAndMarkRead(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	itHead := b.login(t, "it@accord.demo")

	empty := itHead.get("/notifications")
	require.Equal(t, http.StatusOK, empty.StatusCode)
	require.Equal(t, "No notifications", empty.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, 0, empty.doc.Find(`[data-testid="mark-read"]`).Length())

	rqSendAll(t, lead, smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]
	page := itHead.get("/notifications")
	require.Equal(t, "1", page.text("unread-count"))
	items := page.doc.Find(`[data-testid="notification"]`)
	require.Equal(t, 1, items.Length())
	require.True(t, items.HasClass("rq-unread"))
	require.Equal(t, "Zhang Wei asks your unit for “CRM system development” (Smart service upgrade).", page.text("notification-text"))
	upTo := page.inputValue("mark-read", "up_to")

	// A notification that arrives after the page was shown stays unread.
	require.Equal(t, http.StatusSeeOther, lead.post(rqReq(it.ID, "/nudge"), nil).StatusCode)
	resp := itHead.post("/notifications/read", url.Values{"up_to": {upTo}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/notifications", resp.Header.Get("Location"))
	page = itHead.get("/notifications")
	require.Equal(t, "1", page.text("unread-count"))
	require.Equal(t, []string{"Zhang Wei is asking for an update on “CRM system development” (Smart service upgrade).",
		"Zhang Wei asks your unit for “CRM system development” (Smart service upgrade)."}, rqTexts(page.doc.Find(`[data-testid="notification-text"]`)))
	require.Equal(t, 1, page.doc.Find(`.rq-unread`).Length())

	resp = itHead.post("/notifications/read", url.Values{"up_to": {page.inputValue("mark-read", "up_to")}})
	page = rqFollow(t, itHead, resp)
	require.Equal(t, 0, page.doc.Find(`[data-testid="unread-count"]`).Length(), "the bell has nothing to count")
	require.Equal(t, 0, page.doc.Find(`.rq-unread`).Length())

	// The lead hears about the answer, with the state in words.
	resp = itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)}, "obstacle": {"too_busy"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	page = lead.get("/notifications")
	require.Equal(t, "Huang Lei answered “CRM system development”: Declined.", page.text("notification-text"))
}

func TestNotificationsPages(t *testing.T) {
	b := setup(t)
	b.rqExtraRequests(t, b.rqSmart(t), "IT", 31)
	itHead := b.login(t, "it@accord.demo")
	page := itHead.get("/notifications")
	require.Equal(t, 30, page.doc.Find(`[data-testid="notification"]`).Length())
	require.Contains(t, page.textOf(`.pager`), "Page 1 of 2 · 31 in all")
	require.Equal(t, "31", page.text("unread-count"))
	page = itHead.get("/notifications?page=2")
	require.Equal(t, 1, page.doc.Find(`[data-testid="notification"]`).Length())
	require.Equal(t, "0", page.inputValue("mark-read", "up_to"), "from a later page, mark everything")
}

// TestUnreadBadgeIsCapped: past accord.UnreadCap unread notifications the badge says
// "99+", and the count every page makes stops there.
func TestUnreadBadgeIsCapped(t *testing.T) {
	b := setup(t)
	c := b.login(t, "it@accord.demo")
	_, err := b.st.Pool().Exec(context.Background(), `INSERT INTO notifications (user_id, kind, data)
		SELECT u.id, 'nudge', '{}' FROM users u, generate_series(1, 150) WHERE u.email = 'it@accord.demo'`)
	require.NoError(t, err)
	page := c.get("/")
	require.Equal(t, "99+", page.text("unread-count"))
	label, _ := page.doc.Find(`[data-testid="notifications-link"]`).Attr("aria-label")
	require.Equal(t, "Notifications: 99+ unread", label)

	_, err = b.st.Pool().Exec(context.Background(), `UPDATE notifications SET read_at = now()
		WHERE id IN (SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
			WHERE u.email = 'it@accord.demo' AND n.read_at IS NULL ORDER BY n.id LIMIT 100)`)
	require.NoError(t, err)
	require.Equal(t, "50", c.get("/").text("unread-count"))
}

// TestOpeningANotificationMarksItRead: a notification is a link; following it marks
// that one read and lands, one click on, where its reader acts. Nobody else opens it.
func TestOpeningANotificationMarksItRead(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	itHead := b.login(t, "it@accord.demo")
	rqSendAll(t, lead, smart, "")
	it := b.rqRequests(t, smart.ID)["IT"]
	require.Equal(t, http.StatusSeeOther, lead.post(rqReq(it.ID, "/nudge"), nil).StatusCode)

	page := itHead.get("/notifications")
	require.Equal(t, "2", page.text("unread-count"))
	links := page.doc.Find(`a[data-testid="notification-text"]`)
	require.Equal(t, 2, links.Length(), "each notification is a link")
	open := links.Last().AttrOr("href", "")
	require.Regexp(t, `^/notifications/\d+/open$`, open)

	// Someone else's notification does not open for them, and stays unread.
	require.Equal(t, http.StatusNotFound, lead.get(open).StatusCode)
	require.Equal(t, http.StatusNotFound, b.login(t, "admin@accord.demo").get(open).StatusCode)
	require.Equal(t, http.StatusNotFound, itHead.get("/notifications/999999/open").StatusCode)
	require.Equal(t, "2", itHead.get("/notifications").text("unread-count"))

	// Its recipient lands on the request, where they answer it; that one is read now.
	resp := itHead.get(open)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, rqReq(it.ID, ""), resp.Header.Get("Location"))
	target := itHead.get(resp.Header.Get("Location"))
	require.Equal(t, http.StatusOK, target.StatusCode)
	require.Equal(t, 1, target.doc.Find(`[data-testid="act-agree"]`).Length(), "where the head acts")
	page = itHead.get("/notifications")
	require.Equal(t, "1", page.text("unread-count"))
	require.Equal(t, 1, page.doc.Find(`.rq-unread`).Length())
	require.False(t, page.doc.Find(`[data-testid="notification"]`).Last().HasClass("rq-unread"), "the one opened")

	// Opening it again still leads there.
	resp = itHead.get(open)
	require.Equal(t, rqReq(it.ID, ""), resp.Header.Get("Location"))
}
