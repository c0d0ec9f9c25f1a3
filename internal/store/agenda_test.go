package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestAgenda(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	sent := c.sendUpgrade(t, now)
	p, err := c.Store.Project(c.Ctx, sent["IT"].ProjectID)
	require.NoError(t, err)
	overdue, later := now.AddDate(0, 0, -5), now.AddDate(0, 0, 60)
	c.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &c.training, What: "年会上公开感谢培训部", DueDate: &overdue})
	c.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &c.data, What: "项目报告设“数据价值”专章", DueDate: &later})
	items, counts, err := c.Store.Agenda(c.Ctx, c.itHead.ID, 5, now)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.AgendaAnswer])
	require.Equal(t, sent["IT"].ID, items[accord.AgendaAnswer][0].ID)
	require.Equal(t, "CRM system development", items[accord.AgendaAnswer][0].TitleEN)

	lead := c.afterSalesHead.ID
	items, counts, err = c.Store.Agenda(c.Ctx, lead, 5, now.AddDate(0, 0, 20))
	require.NoError(t, err)
	require.Equal(t, 4, counts[accord.AgendaStale], "every request went quiet")
	require.Len(t, items[accord.AgendaStale], 4)
	require.Equal(t, 1, counts[accord.AgendaPromise], "the thank-you to Training is overdue; the chapter for Data is 60 days out")
	require.Equal(t, "年会上公开感谢培训部", items[accord.AgendaPromise][0].Title)
	require.Equal(t, "Training", items[accord.AgendaPromise][0].UnitNameEN)

	e, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), sent["IT"].ID, "需要决定", "", 3, now)
	require.NoError(t, err)
	items, counts, err = c.Store.Agenda(c.Ctx, c.ceo.ID, 5, now)
	require.NoError(t, err)
	require.Equal(t, e.ID, items[accord.AgendaDecide][0].ID)
	require.Equal(t, 1, counts[accord.AgendaDecide])

	// More than a list holds: the first by deadline, and the whole count.
	// (Marketing, under Operations like After-sales, goes to the Operations head.)
	for _, holder := range []string{"Data", "Training"} {
		_, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), sent[holder].ID, "需要决定", "", 3, now)
		require.NoError(t, err)
	}
	items, counts, err = c.Store.Agenda(c.Ctx, c.ceo.ID, 2, now)
	require.NoError(t, err)
	require.Equal(t, 3, counts[accord.AgendaDecide])
	require.Len(t, items[accord.AgendaDecide], 2)
	require.Equal(t, e.ID, items[accord.AgendaDecide][0].ID, "the earliest deadline first")
}

// TestAgendaNextSteps: each person's next step reaches their start page, and only
// theirs: the key person what they must deliver, the lead the declines and counters
// on their projects, the holder's head the statements their unit owes.
func TestAgendaNextSteps(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	sent := c.sendUpgrade(t, now)
	agenda := func(u accord.User) (map[accord.AgendaKind][]accord.AgendaItem, map[accord.AgendaKind]int) {
		t.Helper()
		items, counts, err := c.Store.Agenda(c.Ctx, u.ID, 5, now)
		require.NoError(t, err)
		return items, counts
	}
	ids := func(list []accord.AgendaItem) []int64 {
		var out []int64
		for _, it := range list {
			out = append(out, it.ID)
		}
		return out
	}

	// IT agrees, names its developer and a date: the developer has it to deliver.
	dev := c.itDev.ID
	due := time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC)
	it := sent["IT"]
	_, err := c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev, DueDate: &due}, now)
	require.NoError(t, err)
	items, counts := agenda(c.itDev)
	require.Equal(t, map[accord.AgendaKind]int{accord.AgendaDeliver: 1}, counts)
	got := items[accord.AgendaDeliver][0]
	require.Equal(t, it.ID, got.ID)
	require.Equal(t, "CRM system development", got.TitleEN)
	require.Equal(t, "IT", got.UnitNameEN)
	require.Equal(t, "agreed", got.State)
	require.Equal(t, accord.TierRequired, got.Tier)
	require.Equal(t, "2030-05-01", got.DueDate.Format("2006-01-02"))
	_, counts = agenda(c.itHead)
	require.Zero(t, counts[accord.AgendaDeliver], "the head named someone else")

	// Data declines its P0 and Training counters: both wait for the lead, P0 first.
	data := sent["Data"]
	_, err = c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.dataHead), data.ID, data.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleNotInKPI}, now)
	require.NoError(t, err)
	tr := sent["Training"]
	date := now.AddDate(0, 0, 40)
	_, err = c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.trainingHead), tr.ID, tr.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "先培训 100 人", CounterDate: &date}, now)
	require.NoError(t, err)
	items, counts = agenda(c.afterSalesHead)
	require.Equal(t, 2, counts[accord.AgendaNext])
	require.Equal(t, []int64{data.ID, tr.ID}, ids(items[accord.AgendaNext]))
	require.Equal(t, "declined", items[accord.AgendaNext][0].State)
	require.Equal(t, "countered", items[accord.AgendaNext][1].State)
	require.Zero(t, counts[accord.AgendaAnswer], "the lead answers nothing as a holder")
	_, counts = agenda(c.dataHead)
	require.Zero(t, counts[accord.AgendaNext], "the decliner leads no project")

	// The lead escalates the decline: Data's head owes a statement, nobody else does.
	e, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), data.ID, "需要决定", "", 3, now)
	require.NoError(t, err)
	items, counts = agenda(c.dataHead)
	require.Equal(t, 1, counts[accord.AgendaStatement])
	got = items[accord.AgendaStatement][0]
	require.Equal(t, e.ID, got.ID)
	require.Equal(t, data.ProjectID, got.ProjectID)
	require.Equal(t, "Data", got.UnitNameEN)
	require.Equal(t, "open", got.State)
	for _, u := range []accord.User{c.itHead, c.afterSalesHead, c.ceo, c.dataAnalyst, c.admin} {
		_, counts = agenda(u)
		require.Zero(t, counts[accord.AgendaStatement], u.NameEN)
	}
	_, counts = agenda(c.ceo)
	require.Equal(t, map[accord.AgendaKind]int{accord.AgendaDecide: 1}, counts, "the CEO decides, and has nothing else")

	// Once Data has spoken, nothing is owed.
	require.NoError(t, c.Store.AddStatement(c.Ctx, c.Viewer(t, c.dataHead), e.ID, "本季度排不开", 3, now))
	_, counts = agenda(c.dataHead)
	require.Zero(t, counts[accord.AgendaStatement])

	// The administrator keeps the tree: no list of another role's holds anything.
	_, counts = agenda(c.admin)
	require.Empty(t, counts)
}

// TestAgendaCutListsFollowWritesAndHeadship: a head's lists of requests to answer and
// statements owed are cut at the list's length and counted whole; an answer, a new
// request and a statement change them at once, and when the unit passes to another
// head, the lists go with it: the former head's start page no longer shows them.
func TestAgendaCutListsFollowWritesAndHeadship(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	ids := func(items []accord.AgendaItem) []int64 {
		var out []int64
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	first := c.sendUpgrade(t, now.Add(-3*time.Hour))["IT"]
	second := c.sendUpgrade(t, now.Add(-2*time.Hour))["IT"]
	items, counts, err := c.Store.Agenda(c.Ctx, c.itHead.ID, 1, now)
	require.NoError(t, err)
	require.Equal(t, 2, counts[accord.AgendaAnswer])
	require.Equal(t, []int64{first.ID}, ids(items[accord.AgendaAnswer]), "the same tier: the earliest sent first")

	// Declined, it leaves the list; escalated, it is a statement the unit owes.
	declined, err := c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), first.ID, first.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "排不开"}, now)
	require.NoError(t, err)
	third := c.sendUpgrade(t, now.Add(-time.Hour))["IT"]
	e, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), declined.ID, "需要决定", "", 3, now)
	require.NoError(t, err)
	items, counts, err = c.Store.Agenda(c.Ctx, c.itHead.ID, 1, now)
	require.NoError(t, err)
	require.Equal(t, 2, counts[accord.AgendaAnswer])
	require.Equal(t, []int64{second.ID}, ids(items[accord.AgendaAnswer]))
	require.Equal(t, 1, counts[accord.AgendaStatement])
	require.Equal(t, []int64{e.ID}, ids(items[accord.AgendaStatement]))
	require.NoError(t, c.Store.AddStatement(c.Ctx, c.Viewer(t, c.itHead), e.ID, "人手已排满", accord.DefaultDecisionWindowDays, now))
	_, counts, err = c.Store.Agenda(c.Ctx, c.itHead.ID, 1, now)
	require.NoError(t, err)
	require.Zero(t, counts[accord.AgendaStatement], "the statement is given")

	// IT passes to its developer: the requests are theirs to answer now.
	it, err := c.Store.Unit(c.Ctx, c.it.ID)
	require.NoError(t, err)
	_, err = c.Store.SetUnitHead(c.Ctx, c.admin.ID, it.ID, it.Version, &c.itDev.ID)
	require.NoError(t, err)
	items, counts, err = c.Store.Agenda(c.Ctx, c.itHead.ID, 1, now)
	require.NoError(t, err)
	require.Zero(t, counts[accord.AgendaAnswer], "no longer the head")
	require.Empty(t, items[accord.AgendaAnswer])
	items, counts, err = c.Store.Agenda(c.Ctx, c.itDev.ID, 5, now)
	require.NoError(t, err)
	require.Equal(t, 2, counts[accord.AgendaAnswer])
	require.Equal(t, []int64{second.ID, third.ID}, ids(items[accord.AgendaAnswer]))
}
