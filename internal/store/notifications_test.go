package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func kinds(t *testing.T, b testBundle, email string) []string {
	t.Helper()
	list, _, err := b.st.Notifications(b.ctx, b.users[email].ID, 0, 50)
	require.NoError(t, err)
	var out []string
	for _, n := range list {
		out = append(out, string(n.Kind)+":"+n.NeedTitleEN)
	}
	return out
}

func TestActionsNotifyTheOtherSide(t *testing.T) {
	b := setup(t)
	now := time.Now()
	it := sendSmart(t, b, now)["IT"]
	require.Equal(t, []string{"request_received:CRM system development"}, kinds(t, b, "it@accord.demo"))
	require.Empty(t, kinds(t, b, "aftersales@accord.demo"), "the sender is not told about their own action")

	itHead := b.viewer(t, "it@accord.demo")
	it, err := b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	list, _, err := b.st.Notifications(b.ctx, b.users["aftersales@accord.demo"].ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, accord.NotifyRequestAnswered, list[0].Kind)
	require.Equal(t, accord.RequestDeclined, list[0].State)
	require.Equal(t, "Huang Lei", list[0].ActorNameEN)
	require.Equal(t, "Smart service upgrade", list[0].ProjectNameEN)

	lead := b.viewer(t, "aftersales@accord.demo")
	require.Equal(t, 1, lead.Unread)
	require.NoError(t, b.st.MarkNotificationsRead(b.ctx, lead.User.ID, 0, now))
	require.Equal(t, 0, b.viewer(t, "aftersales@accord.demo").Unread)

	dev := b.users["it.dev@accord.demo"].ID
	it, err = b.st.ActOnRequest(b.ctx, lead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.NoError(t, err)
	_, err = b.st.ActOnRequest(b.ctx, itHead, it.ID, it.Version, accord.ActionDelegate, accord.RequestInput{KeyPersonUserID: &dev}, now)
	require.NoError(t, err)
	require.Equal(t, []string{"request_delegated:CRM system development"}, kinds(t, b, "it.dev@accord.demo"))
	_, err = b.st.Nudge(b.ctx, lead, it.ID, now)
	require.NoError(t, err)
	require.Equal(t, "nudge:CRM system development", kinds(t, b, "it.dev@accord.demo")[0], "the key person gets the nudge")
}

// TestStaleRemindersOncePerCadence runs two sweepers at once, again and again,
// and expects exactly one reminder per stale request per cadence period.
func TestStaleRemindersOncePerCadence(t *testing.T) {
	b := setup(t)
	sentAt := time.Now().Add(-30 * 24 * time.Hour)
	sent := sendSmart(t, b, sentAt) // cadence 14 days: two periods have passed
	require.Len(t, sent, 4)

	sweepTwice := func(now time.Time) int64 {
		var wg sync.WaitGroup
		counts := make([]int64, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := b.st.SweepStale(b.ctx, now)
				require.NoError(t, err)
				counts[i] = n
			}()
		}
		wg.Wait()
		return counts[0] + counts[1]
	}
	now := time.Now()
	require.Equal(t, int64(4), sweepTwice(now), "one reminder per stale request")
	require.Equal(t, int64(0), sweepTwice(now.Add(time.Hour)), "not again within the same period")
	require.Equal(t, int64(4), sweepTwice(now.Add(14*24*time.Hour)), "again in the next period")

	// Activity resets the clock: a fresh update means no reminder.
	it := sent["IT"]
	_, err := b.st.AddProgress(b.ctx, b.viewer(t, "aftersales@accord.demo"), it.ID,
		accord.ProgressInput{Body: "已约 IT 评审", Risk: accord.RiskLow}, now.Add(14*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(3), sweepTwice(now.Add(28*24*time.Hour)))
	// The IT head, with no key person named, got the IT reminders.
	got := kinds(t, b, "it@accord.demo")
	reminders := 0
	for _, k := range got {
		if k == "reminder:CRM system development" {
			reminders++
		}
	}
	require.Equal(t, 2, reminders)
}

// TestKeyPersonToldWhenTheRequestIsAgreed: a key person learns that an agreed request
// is theirs to deliver, whether named with the agreement, handed it before, or handed
// it before a counter-proposal the lead accepts; nobody is told when none is named.
func TestKeyPersonToldWhenTheRequestIsAgreed(t *testing.T) {
	b := setup(t)
	now := time.Now()
	sent := sendSmart(t, b, now)

	// IT agrees and names its developer.
	dev := b.users["it.dev@accord.demo"].ID
	it := sent["IT"]
	_, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev}, now)
	require.NoError(t, err)
	require.Equal(t, []string{"key_person_named:CRM system development"}, kinds(t, b, "it.dev@accord.demo"))
	list, _, err := b.st.Notifications(b.ctx, dev, 0, 1)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, list[0].State)
	require.Equal(t, "Huang Lei", list[0].ActorNameEN)
	require.Equal(t, "Smart service upgrade", list[0].ProjectNameEN)
	require.Equal(t, it.ID, *list[0].RequestID)

	// Data agrees without naming anyone: its analyst hears nothing.
	data := sent["Data"]
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionAgree,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Empty(t, kinds(t, b, "data.analyst@accord.demo"))

	// Training hands the request to its trainer, counters, and the lead accepts: the
	// trainer is told it is theirs; the head hears of the decision once.
	trainer := b.users["trainer@accord.demo"].ID
	training := b.viewer(t, "training@accord.demo")
	tr := sent["Training"]
	tr, err = b.st.ActOnRequest(b.ctx, training, tr.ID, tr.Version, accord.ActionDelegate,
		accord.RequestInput{KeyPersonUserID: &trainer}, now)
	require.NoError(t, err)
	date := now.AddDate(0, 0, 40)
	tr, err = b.st.ActOnRequest(b.ctx, training, tr.ID, tr.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "先培训 100 人", CounterDate: &date}, now)
	require.NoError(t, err)
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "aftersales@accord.demo"), tr.ID, tr.Version, accord.ActionAcceptCounter,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	need := tr.NeedTitleEN
	require.Equal(t, []string{"key_person_named:" + need, "request_delegated:" + need}, kinds(t, b, "trainer@accord.demo"))
	require.Equal(t, []string{"counter_decided:" + need, "request_received:" + need}, kinds(t, b, "training@accord.demo"))

	// A key person who agrees themselves is not told of their own act.
	mk := sent["Marketing"]
	mkHead := b.viewer(t, "marketing@accord.demo")
	mkHeadID := mkHead.User.ID
	_, err = b.st.ActOnRequest(b.ctx, mkHead, mk.ID, mk.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &mkHeadID}, now)
	require.NoError(t, err)
	require.NotContains(t, kinds(t, b, "marketing@accord.demo"), "key_person_named:"+mk.NeedTitleEN)
}
