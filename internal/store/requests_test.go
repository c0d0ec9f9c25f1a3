package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestSendNeedsSkipsExternalAndLiveRequests(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	p := w.Project(t, storetest.ProjectOpts{})
	itUnit := w.Unit(t, storetest.UnitOpts{})
	_, err := w.Store.SaveUnitPlan(w.Ctx, p.LeadUserID, accord.UnitPlan{ProjectID: p.ID, UnitID: itUnit.ID,
		WeGive: "提供标准需求文档", TheyGet: "系统上线后的运维口碑", Stance: accord.StanceWinnable})
	require.NoError(t, err)
	needs := []accord.Need{
		w.Need(t, storetest.NeedOpts{Project: &p, Holder: &itUnit, Tier: accord.TierRequired, Title: "客户管理系统开发"}),
		w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierRequired}),
		w.Need(t, storetest.NeedOpts{Project: &p}),
		w.Need(t, storetest.NeedOpts{Project: &p}),
		w.Need(t, storetest.NeedOpts{Project: &p, External: "外部培训机构", Tier: accord.TierAlternative}),
	}
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	send := func() []accord.Request {
		sent, err := w.Store.SendNeeds(w.Ctx, p.LeadUserID, p.ID, ids, "请支持", now)
		require.NoError(t, err)
		return sent
	}
	sent := send()
	require.Len(t, sent, 4, "the external vendor gets no request")
	it := sent[0]
	require.Equal(t, itUnit.ID, it.HolderUnitID)
	require.Equal(t, accord.RequestRequested, it.State)
	require.Equal(t, "客户管理系统开发", it.Scope)
	require.Contains(t, it.Offer, "标准需求文档", "the value-exchange offer travels with the request")
	require.Equal(t, "请支持", it.Message)

	require.Empty(t, send(), "a need with a live request is not sent twice")
}

// TestRequestStory follows a project's requests through decline, resend, agreement
// with a key person, progress and an accepted counter-proposal, to the tracker.
func TestRequestStory(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	p := w.Project(t, storetest.ProjectOpts{})
	lead := w.Viewer(t, accord.User{ID: p.LeadUserID})
	itUnit := w.Unit(t, storetest.UnitOpts{})
	devUser := w.Person(t, storetest.PersonOpts{NameEN: "Xu Hang", Units: []accord.Unit{itUnit}})
	dataUnit := w.Unit(t, storetest.UnitOpts{})
	outsider := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{w.Unit(t, storetest.UnitOpts{})}}).ID
	send := func(n accord.Need) accord.Request { return w.Request(t, storetest.RequestOpts{Need: &n, At: now}) }
	it := send(w.Need(t, storetest.NeedOpts{Project: &p, Holder: &itUnit, Tier: accord.TierRequired}))
	data := send(w.Need(t, storetest.NeedOpts{Project: &p, Holder: &dataUnit, Tier: accord.TierRequired}))
	send(w.Need(t, storetest.NeedOpts{Project: &p}))
	send(w.Need(t, storetest.NeedOpts{Project: &p}))
	itHead := w.Viewer(t, w.Head(t, itUnit))
	dataHead := w.Viewer(t, w.Head(t, dataUnit))

	// IT declines: too busy. A reason is kept.
	_, err := w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionDecline, accord.RequestInput{}, now)
	require.Equal(t, "request_obstacle_required", accord.FieldErrors(err)["obstacle"])
	it, err = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "排期已满"}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestDeclined, it.State)
	require.Equal(t, accord.ObstacleTooBusy, it.Obstacle)

	// The lead may not agree on IT's behalf; IT may not resend.
	_, err = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))
	it, err = w.Store.ActOnRequest(w.Ctx, lead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestRequested, it.State)
	require.Empty(t, it.Obstacle)

	// IT agrees, naming its developer; a person outside IT cannot be named.
	_, err = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionAgree, accord.RequestInput{KeyPersonUserID: &outsider}, now)
	require.Equal(t, "request_key_person_not_member", accord.FieldErrors(err)["key_person"])
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	it, err = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &devUser.ID, DueDate: &due}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, it.State)
	require.Equal(t, "Xu Hang", it.KeyPersonNameEN)
	require.Equal(t, due, *it.DueDate)
	require.True(t, w.Viewer(t, devUser).Roles.KeyPerson, "a named key person gets the inbox")

	// The key person starts and reports progress.
	devViewer := w.Viewer(t, devUser)
	it, err = w.Store.ActOnRequest(w.Ctx, devViewer, it.ID, it.Version, accord.ActionStart, accord.RequestInput{}, now)
	require.NoError(t, err)
	later := now.Add(time.Hour)
	_, err = w.Store.AddProgress(w.Ctx, devViewer, it.ID, accord.ProgressInput{Body: "一期需求评审完成", NextStep: "开发", Risk: accord.RiskMedium, EffortDays: 3}, later)
	require.NoError(t, err)

	// Data counters with a later date; the lead accepts and the date becomes binding.
	counterDate := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	data, err = w.Store.ActOnRequest(w.Ctx, dataHead, data.ID, data.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "仅提供脱敏汇总数据", CounterDate: &counterDate}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestCountered, data.State)
	data, err = w.Store.ActOnRequest(w.Ctx, lead, data.ID, data.Version, accord.ActionAcceptCounter, accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, data.State)
	require.Equal(t, "仅提供脱敏汇总数据", data.Scope)
	require.Equal(t, counterDate, *data.DueDate)

	// The tracker shows every request with its latest progress, in one query.
	rows, err := w.Store.Tracker(w.Ctx, it.ProjectID)
	require.NoError(t, err)
	require.Len(t, rows, 4)
	for _, row := range rows {
		if row.ID == it.ID {
			require.NotNil(t, row.Latest)
			require.Equal(t, "一期需求评审完成", row.Latest.Body)
			require.Equal(t, accord.RiskMedium, row.Latest.Risk)
			require.Equal(t, "Xu Hang", row.Latest.AuthorNameEN)
		} else {
			require.Nil(t, row.Latest, row.HolderNameEN)
		}
	}
	log, err := w.Store.Progress(w.Ctx, it.ID)
	require.NoError(t, err)
	require.Len(t, log, 1)
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE request_updates SET body = 'rewritten'`)
	require.ErrorContains(t, err, "append-only")
}

func TestConcurrentActionsOnlyOneWins(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Request(t, storetest.RequestOpts{})
	itHead := w.Viewer(t, w.Head(t, accord.Unit{ID: it.HolderUnitID}))
	var wg sync.WaitGroup
	results := make([]error, 2)
	actions := []struct {
		a  accord.RequestAction
		in accord.RequestInput
	}{
		{accord.ActionAgree, accord.RequestInput{}},
		{accord.ActionDecline, accord.RequestInput{Obstacle: accord.ObstacleRules}},
	}
	for i, act := range actions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, act.a, act.in, time.Now())
		}()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range results {
		if err == nil {
			wins++
		} else if accord.ErrorCodeOf(err) == accord.ECodeConflict {
			conflicts++
		}
	}
	require.Equal(t, 1, wins)
	require.Equal(t, 1, conflicts)
}

func TestInboxAndQueue(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	today := now.UTC().Truncate(24 * time.Hour)
	in := func(days int) *time.Time { d := today.AddDate(0, 0, days); return &d }
	marketing := w.Unit(t, storetest.UnitOpts{})
	// Three projects ask Marketing, sent in an order the inbox must not keep.
	for _, n := range []storetest.NeedOpts{
		{TitleEN: "Launch promotion", Tier: accord.TierImportant, NeededBy: in(20), EffortDays: 15},
		{TitleEN: "Advertising", Tier: accord.TierRequired, NeededBy: in(30), EffortDays: 8},
		{TitleEN: "Weekend campaign publicity", Tier: accord.TierImportant, NeededBy: in(10), EffortDays: 6},
	} {
		n.Holder = &marketing
		need := w.Need(t, n)
		w.Request(t, storetest.RequestOpts{Need: &need, At: now})
	}
	inbox, total, err := w.Store.Inbox(w.Ctx, w.Head(t, marketing).ID, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 3, total)
	var order []string
	var ids []int64
	for _, r := range inbox {
		order = append(order, string(r.Tier)+" "+r.NeedTitleEN)
		ids = append(ids, r.ID)
	}
	// P0 first; among the P1s, the one needed soonest.
	require.Equal(t, []string{"P0 Advertising", "P1 Weekend campaign publicity", "P1 Launch promotion"}, order)

	q, err := w.Store.QueuePositions(w.Ctx, ids)
	require.NoError(t, err)
	require.Equal(t, 1, q[ids[0]].Position)
	require.Equal(t, 3, q[ids[2]].Position)
	require.Equal(t, 3, q[ids[2]].Of)
	require.InDelta(t, 8+6+15, q[ids[2]].Effort, 0.001)

	// Someone heading no unit has an empty inbox.
	member := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{marketing}})
	_, total, err = w.Store.Inbox(w.Ctx, member.ID, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 0, total)
}

func TestNudgeAtMostEveryFourHours(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	it := w.Request(t, storetest.RequestOpts{At: now})
	lead := w.Viewer(t, accord.User{ID: it.LeadUserID})
	_, err := w.Store.Nudge(w.Ctx, w.Viewer(t, w.Head(t, accord.Unit{ID: it.HolderUnitID})), it.ID, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))
	next, err := w.Store.Nudge(w.Ctx, lead, it.ID, now)
	require.NoError(t, err)
	require.Equal(t, now.Add(4*time.Hour), next)
	_, err = w.Store.Nudge(w.Ctx, lead, it.ID, now.Add(3*time.Hour))
	require.Equal(t, "request_nudge_too_soon", errMessageID(err))
	_, err = w.Store.Nudge(w.Ctx, lead, it.ID, now.Add(4*time.Hour))
	require.NoError(t, err)
}

func TestNeedWithRequestCannotBeDeleted(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Request(t, storetest.RequestOpts{})
	n, err := w.Store.Need(w.Ctx, it.NeedID)
	require.NoError(t, err)
	_, err = w.Store.DeleteNeed(w.Ctx, it.LeadUserID, n.ID, n.Version)
	require.Equal(t, "need_has_requests", errMessageID(err))
}

// TestQueueEffortCountsAPhaseOnce: the effort of a unit's queue in its inbox is the
// unit's load, as its page shows it: a first phase split from a need and asked of the
// same unit counts on its own, and is taken out of the need it was split from.
func TestQueueEffortCountsAPhaseOnce(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"})
	p := w.Project(t, storetest.ProjectOpts{})
	crm := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Tier: accord.TierRequired, EffortDays: 120})
	whole := w.Request(t, storetest.RequestOpts{Need: &crm, State: accord.RequestCountered})
	phase := w.Need(t, storetest.NeedOpts{PhaseOf: &crm, Tier: accord.TierRequired, EffortDays: 40})
	first := w.Request(t, storetest.RequestOpts{Need: &phase})
	other := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, EffortDays: 5})
	w.Request(t, storetest.RequestOpts{Need: &other, State: accord.RequestAgreed})

	q, err := w.Store.QueuePositions(w.Ctx, []int64{whole.ID, first.ID})
	require.NoError(t, err)
	require.Equal(t, 3, q[first.ID].Of)
	require.InDelta(t, 80+40+5, q[first.ID].Effort, 0.001, "the phase's 40 days once, not again in its need's 120")
	ledger, _, err := w.Store.UnitLedgerAt(w.Ctx, w.Viewer(t, w.Head(t, it)), it.ID, 10, time.Now())
	require.NoError(t, err)
	require.InDelta(t, ledger.QueueAsked+ledger.QueueCommitted, q[first.ID].Effort, 0.001, "as the unit's page counts it")
	require.Equal(t, ledger.QueueCount, q[first.ID].Of)
}
