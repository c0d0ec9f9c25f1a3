package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// agendaTitles lists the titles one of the start page's lists shows.
func (r response) agendaTitles(kind string) []string {
	var out []string
	r.doc.Find(`[data-testid="agenda-` + kind + `"] li [data-field="title"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func (r response) hasAgenda(kind string) bool {
	return r.doc.Find(`[data-testid="agenda-`+kind+`"]`).Length() == 1
}

func TestHomeShowsWhatNeedsEachRoleToday(t *testing.T) {
	b := setup(t)
	ctx := context.Background()

	// The lead of the closed renewal drive still owes After-sales its monthly data,
	// and the first share is overdue.
	drive := b.demoProject(t, "Weekend insurance renewal drive")
	resp := b.login(t, "fi@accord.demo").get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, []string{"Share the service visits of renewing customers every month"}, resp.agendaTitles("promise"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-promise"] li`), "to After-sales")
	require.Contains(t, resp.textOf(`[data-testid="agenda-promise"] [data-field="overdue"]`), "Overdue")
	require.Equal(t, "/projects/"+idStr(drive.ID)+"#commitments", resp.attrOf(`[data-testid="agenda-promise"] li a`, "href"))

	// Before anything is sent, nothing is due: the Smart service upgrade's promises
	// fall due after the help they thank for, two and three months out.
	lead := b.login(t, "aftersales@accord.demo")
	resp = lead.get("/")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, resp.agendaTitles("promise"))
	require.Equal(t, "Every request on your projects moved within its cadence.", resp.textOf(`[data-testid="agenda-stale"] [data-testid="empty"]`))
	require.Contains(t, resp.text("my-projects"), "Smart service upgrade")

	// The requests go out: IT's head has one to answer.
	sent := b.escSendSmart(t, *b.now)
	itHead := b.login(t, "it@accord.demo")
	resp = itHead.get("/")
	require.Equal(t, []string{"CRM system development"}, resp.agendaTitles("answer"))
	require.Equal(t, "/requests/"+idStr(sent["IT"].ID), resp.attrOf(`[data-testid="agenda-answer"] li a`, "href"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-answer"] li`), "Smart service upgrade")
	require.False(t, resp.hasAgenda("stale"), "IT's head leads no project")

	// IT counters: now the lead has the counter-proposal to answer, as their next step.
	it := sent["IT"]
	date := b.now.AddDate(0, 0, 60)
	_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "先做一期", CounterDate: &date}, *b.now)
	require.NoError(t, err)
	resp = lead.get("/")
	require.Equal(t, []string{"CRM system development"}, resp.agendaTitles("next"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-next"] li`), "Counter-proposal")
	require.Empty(t, itHead.get("/").agendaTitles("answer"))

	// Three weeks of silence: every request on the lead's projects has gone quiet.
	*b.now = b.now.AddDate(0, 0, 21)
	resp = lead.get("/")
	require.Len(t, resp.agendaTitles("stale"), 4)
	require.Equal(t, "4", resp.textOf(`[data-testid="agenda-stale"] h2 [data-field="count"]`))

	// The lead escalates the CRM: it is in the CEO's window.
	e, err := b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	ceo := b.login(t, "ceo@accord.demo")
	resp = ceo.get("/")
	require.Equal(t, []string{"CRM system development"}, resp.agendaTitles("decide"))
	require.Equal(t, "/escalations/"+idStr(e.ID), resp.attrOf(`[data-testid="agenda-decide"] li a`, "href"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-decide"] li`), "decide by "+e.WindowDueAt.Format("2006-01-02"))
	require.Regexp(t, `^\d+ days left$`, resp.textOf(`[data-testid="agenda-decide"] [data-field="time-left"]`))
	require.Equal(t, "/portfolio", resp.attrOf(`[data-testid="home-portfolio"]`, "href"))

	// A member with no role is told nothing waits.
	resp = b.login(t, "trainer@accord.demo").get("/")
	require.Equal(t, "Nothing waits for you.", resp.textOf(`[data-testid="agenda"] [data-testid="empty"] strong`))
	require.Zero(t, resp.doc.Find(`[data-testid="home-portfolio"]`).Length())
}

// The start page drawn afresh, as after every write: this server keeps no page drawn
// before (a kept one costs the session and epochs statements alone).
func TestHomeListsAreCappedAndQueriesFixed(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	marketing := b.login(t, "marketing@accord.demo")
	load := func() { require.Equal(t, http.StatusOK, marketing.get("/").StatusCode) }
	load()
	before := b.countQueries(load)
	b.rqExtraRequests(t, b.demoProject(t, "Smart service upgrade"), "Marketing", 12)
	after := b.countQueries(load)
	require.Equal(t, before, after)
	// Session and viewer, the epochs, projects led, every list at once (the epochs and
	// the lists each with the setting that asks for its generic plan, sent in the same
	// round trip).
	require.LessOrEqual(t, after, int64(6))
	resp := marketing.get("/")
	require.Len(t, resp.agendaTitles("answer"), 6)
	require.Equal(t, "12", resp.textOf(`[data-testid="agenda-answer"] h2 [data-field="count"]`))
	require.Equal(t, "6 more", resp.textOf(`[data-testid="agenda-answer"] [data-field="more"]`))
	require.Equal(t, "/inbox", resp.attrOf(`[data-testid="agenda-answer"] [data-field="more"]`, "href"))
}

func TestHomeSpeaksChinese(t *testing.T) {
	b := setup(t)
	c := b.login(t, "fi@accord.demo")
	c.lang = "zh-CN"
	resp := c.get("/")
	require.Equal(t, "你好，吴建华", resp.text("greeting"))
	require.Equal(t, "即将到期的承诺", strings.TrimSpace(resp.doc.Find(`#home-promise-h`).Contents().First().Text()))
	require.Contains(t, resp.textOf(`[data-testid="agenda-promise"] li`), "每月共享续保客户的保养回厂数据")
	require.Contains(t, resp.textOf(`[data-testid="agenda-promise"] li`), "承诺给售后服务部")
	require.Equal(t, "没有等你答复的请求。", resp.textOf(`[data-testid="agenda-answer"] [data-testid="empty"]`))
}

// TestHomeShowsEachRoleItsNextStep: the key person sees what they must deliver, the
// lead a declined P0, the holder's head the statement their unit owes, the superior
// the time left to decide; and nobody sees a list their roles cannot fill.
func TestHomeShowsEachRoleItsNextStep(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	sent := b.escSendSmart(t, *b.now)

	// IT agrees with its developer as key person: it is theirs to deliver.
	dev := b.user(t, "it.dev@accord.demo").ID
	due := b.now.AddDate(0, 0, 30)
	it := sent["IT"]
	_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev, DueDate: &due}, *b.now)
	require.NoError(t, err)
	resp := b.login(t, "it.dev@accord.demo").get("/")
	require.Contains(t, resp.agendaTitles("deliver"), "CRM system development")
	require.Equal(t, "/requests/"+idStr(it.ID), resp.attrOf(`[data-testid="agenda-deliver"] li[data-id="`+idStr(it.ID)+`"] a`, "href"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-deliver"] li[data-id="`+idStr(it.ID)+`"]`), "due "+due.Format("2006-01-02"))
	for _, kind := range []string{"answer", "statement", "next", "stale", "promise", "decide", "admin"} {
		require.False(t, resp.hasAgenda(kind), "a key person who heads and leads nothing has no %s list", kind)
	}
	require.Zero(t, resp.doc.Find(`[aria-labelledby="my-projects"]`).Length(), "nor a card of projects led")

	// Data declines its P0: the lead sees it waiting for their next step.
	data := sent["Data"]
	_, err = b.st.ActOnRequest(ctx, b.escViewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleNotInKPI}, *b.now)
	require.NoError(t, err)
	lead := b.login(t, "aftersales@accord.demo")
	resp = lead.get("/")
	require.Equal(t, []string{"Customer data analytics"}, resp.agendaTitles("next"))
	require.Contains(t, resp.textOf(`[data-testid="agenda-next"] li`), "Declined")
	require.Contains(t, resp.textOf(`[data-testid="agenda-next"] li`), "P0")
	require.Equal(t, "1", resp.textOf(`[data-testid="agenda-next"] h2 [data-field="count"]`))

	// Escalated: Data's head owes a statement; the CEO has three days to decide.
	e, err := b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), data.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	resp = b.login(t, "data@accord.demo").get("/")
	require.Equal(t, []string{"Customer data analytics"}, resp.agendaTitles("statement"))
	require.Equal(t, "/escalations/"+idStr(e.ID), resp.attrOf(`[data-testid="agenda-statement"] li a`, "href"))
	require.False(t, resp.hasAgenda("next"), "Data's head leads no project")
	resp = b.login(t, "it@accord.demo").get("/")
	require.Equal(t, "No escalation on your units' requests waits for your statement.",
		resp.textOf(`[data-testid="agenda-statement"] [data-testid="empty"]`), "a head with nothing owed sees the empty state")

	// The window passes: the CEO sees by how long.
	*b.now = e.WindowDueAt.Add(3 * time.Hour)
	ceo := b.login(t, "ceo@accord.demo")
	resp = ceo.get("/")
	require.Equal(t, "overdue by 3 h", resp.textOf(`[data-testid="agenda-decide"] [data-field="time-left"]`))
	for _, kind := range []string{"next", "stale", "promise", "deliver", "admin"} {
		require.False(t, resp.hasAgenda(kind), "the CEO has no %s list", kind)
	}
	ceo.lang = "zh-CN"
	require.Equal(t, "已超时 3 小时", ceo.get("/").textOf(`[data-testid="agenda-decide"] [data-field="time-left"]`))

	// The administrator gets the administration, not other roles' lists.
	resp = b.login(t, "admin@accord.demo").get("/")
	require.True(t, resp.hasAgenda("admin"))
	require.Equal(t, "/admin/units", resp.attrOf(`[data-testid="agenda-admin"] li a`, "href"))
	for _, kind := range []string{"answer", "statement", "deliver", "next", "stale", "promise", "decide"} {
		require.False(t, resp.hasAgenda(kind), "the administrator has no %s list", kind)
	}
	require.Zero(t, resp.doc.Find(`[data-testid="agenda"] > section > [data-testid="empty"]`).Length())
}

// TestInboxCountsWhatItShowsToAKeyPerson: someone handed one of a unit's requests
// sees their own count on top, not the unit's whole queue.
func TestInboxCountsWhatItShowsToAKeyPerson(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	sent := b.escSendSmart(t, *b.now)
	b.rqExtraRequests(t, b.demoProject(t, "Smart service upgrade"), "IT", 2)
	dev := b.user(t, "it.dev@accord.demo").ID
	it := sent["IT"]
	_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev}, *b.now)
	require.NoError(t, err)

	inbox := b.login(t, "it.dev@accord.demo").get("/inbox")
	require.Equal(t, http.StatusOK, inbox.StatusCode)
	cards := inbox.doc.Find(`[data-testid="inbox-card"]`).Length()
	require.GreaterOrEqual(t, cards, 1)
	require.Zero(t, inbox.doc.Find(`[data-testid="queue"]`).Length(), "IT's queue is its head's to count")
	want := "1 open request"
	if cards > 1 {
		want = strconv.Itoa(cards) + " open requests"
	}
	require.Equal(t, "Handed to you "+want, strings.Join(strings.Fields(inbox.text("queue-handed")), " "))

	// IT's head still sees the whole queue, which the cards add up to.
	inbox = b.login(t, "it@accord.demo").get("/inbox")
	n := inbox.doc.Find(`[data-testid="inbox-card"]`).Length()
	require.Contains(t, inbox.text("queue"), strconv.Itoa(n)+" open requests")
	require.Zero(t, inbox.doc.Find(`[data-testid="queue-handed"]`).Length())
}

// TestInboxCountsWhatItListsForAClosedUnit: the units whose queue an inbox shows are
// the open units its reader heads (accord.RequestPartyOf's HolderHead), for the cards
// and the counts alike. A unit closed with requests still open leaves its former
// head's inbox whole: no card without a count, none they could no longer answer.
func TestInboxCountsWhatItListsForAClosedUnit(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	sent := b.escSendSmart(t, *b.now)
	require.Contains(t, sent, "Training")
	training := b.units(t)["Training"]
	_, err := b.st.CloseUnit(ctx, 0, training.ID, training.Version)
	require.NoError(t, err)

	head := b.login(t, "training@accord.demo")
	inbox := head.get("/inbox")
	require.Equal(t, http.StatusOK, inbox.StatusCode)
	cards := inbox.doc.Find(`[data-testid="inbox-card"]`).Length()
	counted := 0
	inbox.doc.Find(`[data-testid="queue"], [data-testid="queue-handed"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(strings.Fields(s.Find("span").Text())[0])
		counted += n
	})
	require.Equal(t, cards, counted, "the header counts the cards it shows")
	require.Zero(t, cards, "a closed unit's queue is nobody's to answer from the inbox")
	in, err := b.st.InboxPage(ctx, b.user(t, "training@accord.demo").ID, nil, 0, 20)
	require.NoError(t, err)
	require.Zero(t, in.Total)
}
