package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// sendSmart sends every need of the Smart service upgrade and returns its requests by
// holding unit's English name.
func sendSmart(t *testing.T, b testBundle, now time.Time) map[string]accord.Request {
	t.Helper()
	smart := b.project(t, "Smart service upgrade")
	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	sent, err := b.st.SendNeeds(b.ctx, b.users["aftersales@accord.demo"].ID, smart.ID, ids, "请支持", now)
	require.NoError(t, err)
	out := map[string]accord.Request{}
	for _, r := range sent {
		out[r.HolderNameEN] = r
	}
	return out
}

func TestSendNeedsSkipsExternalAndLiveRequests(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now)
	require.Len(t, sent, 4, "the external vendor gets no request")
	it := sent["IT"]
	require.Equal(t, accord.RequestRequested, it.State)
	require.Equal(t, "客户管理系统开发", it.Scope)
	require.Contains(t, it.Offer, "标准需求文档", "the value-exchange offer travels with the request")
	require.Equal(t, "请支持", it.Message)

	again := sendSmart(t, b, now)
	require.Empty(t, again, "a need with a live request is not sent twice")
}

func TestSmartServiceUpgradeStory(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now)
	lead := b.viewer(t, "aftersales@accord.demo")
	itHead := b.viewer(t, "it@accord.demo")
	dataHead := b.viewer(t, "data@accord.demo")

	// IT declines: too busy. A reason is kept.
	it := sent["IT"]
	_, err := b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionDecline, accord.RequestInput{}, now)
	require.Equal(t, "request_obstacle_required", accord.FieldErrors(err)["obstacle"])
	it, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "排期已满"}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestDeclined, it.State)
	require.Equal(t, accord.ObstacleTooBusy, it.Obstacle)

	// The lead may not agree on IT's behalf; IT may not resend.
	_, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))
	it, err = b.st.ActOnRequest(b.ctx, lead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestRequested, it.State)
	require.Empty(t, it.Obstacle)

	// IT agrees, naming its developer; a person outside IT cannot be named.
	outsider := b.users["trainer@accord.demo"].ID
	_, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionAgree, accord.RequestInput{KeyPersonUserID: &outsider}, now)
	require.Equal(t, "request_key_person_not_member", accord.FieldErrors(err)["key_person"])
	dev := b.users["it.dev@accord.demo"].ID
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	it, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev, DueDate: &due}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, it.State)
	require.Equal(t, "Xu Hang", it.KeyPersonNameEN)
	require.Equal(t, due, *it.DueDate)
	require.True(t, b.viewer(t, "it.dev@accord.demo").Roles.KeyPerson, "a named key person gets the inbox")

	// The key person starts and reports progress.
	devViewer := b.viewer(t, "it.dev@accord.demo")
	it, err = b.st.ActOnRequest(b.ctx, devViewer, it.ID, it.Version, accord.ActionStart, accord.RequestInput{}, now)
	require.NoError(t, err)
	later := now.Add(time.Hour)
	_, err = b.st.AddProgress(b.ctx, devViewer, it.ID, accord.ProgressInput{Body: "一期需求评审完成", NextStep: "开发", Risk: accord.RiskMedium, EffortDays: 3}, later)
	require.NoError(t, err)

	// Data counters with a later date; the lead accepts and the date becomes binding.
	data := sent["Data"]
	counterDate := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	data, err = b.st.ActOnRequest(b.ctx, dataHead, data.ID, data.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "仅提供脱敏汇总数据", CounterDate: &counterDate}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestCountered, data.State)
	data, err = b.st.ActOnRequest(b.ctx, lead, data.ID, data.Version, accord.ActionAcceptCounter, accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, data.State)
	require.Equal(t, "仅提供脱敏汇总数据", data.Scope)
	require.Equal(t, counterDate, *data.DueDate)

	// The tracker shows every request with its latest progress, in one query.
	rows, err := b.st.Tracker(b.ctx, it.ProjectID)
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
	log, err := b.st.Progress(b.ctx, it.ID)
	require.NoError(t, err)
	require.Len(t, log, 1)
	_, err = b.st.Pool().Exec(b.ctx, `UPDATE request_updates SET body = 'rewritten'`)
	require.ErrorContains(t, err, "append-only")
}

func TestConcurrentActionsOnlyOneWins(t *testing.T) {
	b := setup(t)
	sent := sendSmart(t, b, time.Now())
	it := sent["IT"]
	itHead := b.viewer(t, "it@accord.demo")
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
			_, results[i] = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, act.a, act.in, time.Now())
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
	b := setup(t)
	now := time.Now()
	sendSmart(t, b, now)
	// The insurance drive and the inventory promotion also ask Marketing.
	for _, name := range []string{"Weekend insurance renewal drive", "Inventory car promotion"} {
		p := b.project(t, name)
		needs, err := b.st.Needs(b.ctx, p.ID)
		require.NoError(t, err)
		var ids []int64
		for _, n := range needs {
			ids = append(ids, n.ID)
		}
		_, err = b.st.SendNeeds(b.ctx, p.LeadUserID, p.ID, ids, "", now)
		require.NoError(t, err)
	}
	inbox, total, err := b.st.Inbox(b.ctx, b.users["marketing@accord.demo"].ID, 0, 10)
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

	q, err := b.st.QueuePositions(b.ctx, ids)
	require.NoError(t, err)
	require.Equal(t, 1, q[ids[0]].Position)
	require.Equal(t, 3, q[ids[2]].Position)
	require.Equal(t, 3, q[ids[2]].Of)
	require.InDelta(t, 8+6+15, q[ids[2]].Effort, 0.001)

	// Someone heading no unit has an empty inbox.
	_, total, err = b.st.Inbox(b.ctx, b.users["trainer@accord.demo"].ID, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 0, total)
}

func TestNudgeAtMostEveryFourHours(t *testing.T) {
	b := setup(t)
	now := time.Now()
	it := sendSmart(t, b, now)["IT"]
	lead := b.viewer(t, "aftersales@accord.demo")
	_, err := b.st.Nudge(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))
	next, err := b.st.Nudge(b.ctx, lead, it.ID, now)
	require.NoError(t, err)
	require.Equal(t, now.Add(4*time.Hour), next)
	_, err = b.st.Nudge(b.ctx, lead, it.ID, now.Add(3*time.Hour))
	require.Equal(t, "request_nudge_too_soon", errMessageID(err))
	_, err = b.st.Nudge(b.ctx, lead, it.ID, now.Add(4*time.Hour))
	require.NoError(t, err)
}

func TestNeedWithRequestCannotBeDeleted(t *testing.T) {
	b := setup(t)
	it := sendSmart(t, b, time.Now())["IT"]
	n, err := b.st.Need(b.ctx, it.NeedID)
	require.NoError(t, err)
	err = b.st.DeleteNeed(b.ctx, it.LeadUserID, n.ID, n.Version)
	require.Equal(t, "need_has_requests", errMessageID(err))
}
