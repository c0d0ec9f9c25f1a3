package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// notificationKinds lists a user's notifications, newest first, as "kind:need title".
func notificationKinds(t *testing.T, st *store.Store, userID int64) []string {
	t.Helper()
	list, _, err := st.Notifications(context.Background(), userID, 0, 50)
	require.NoError(t, err)
	var out []string
	for _, n := range list {
		out = append(out, string(n.Kind)+":"+n.NeedTitleEN)
	}
	return out
}

// askedUnit is a unit a project asks, with its head and one other member.
type askedUnit struct {
	unit         accord.Unit
	head, member accord.User
}

// asked adds a unit with a head and a member, and a need of project p it holds.
func asked(t *testing.T, w *storetest.World, p accord.Project, titleEN string) (askedUnit, accord.Need) {
	t.Helper()
	u := w.Unit(t, storetest.UnitOpts{})
	h := askedUnit{unit: u, head: w.Head(t, u), member: w.Person(t, storetest.PersonOpts{Units: []accord.Unit{u}})}
	return h, w.Need(t, storetest.NeedOpts{Project: &p, Holder: &u, TitleEN: titleEN})
}

func TestActionsNotifyTheOtherSide(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	p := w.Project(t, storetest.ProjectOpts{})
	huang := w.Person(t, storetest.PersonOpts{Name: "黄磊", NameEN: "Huang Lei"})
	itUnit := w.Unit(t, storetest.UnitOpts{Head: &huang})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{itUnit}}).ID
	need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &itUnit, TitleEN: "CRM system development"})
	it := w.Request(t, storetest.RequestOpts{Need: &need, At: now})
	kinds := func(userID int64) []string { return notificationKinds(t, w.Store, userID) }
	require.Equal(t, []string{"request_received:CRM system development"}, kinds(huang.ID))
	require.Empty(t, kinds(p.LeadUserID), "the sender is not told about their own action")

	itHead := w.Viewer(t, huang)
	it, err := w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, now)
	require.NoError(t, err)
	list, _, err := w.Store.Notifications(w.Ctx, p.LeadUserID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, accord.NotifyRequestAnswered, list[0].Kind)
	require.Equal(t, accord.RequestDeclined, list[0].State)
	require.Equal(t, "Huang Lei", list[0].ActorNameEN)
	require.Equal(t, p.NameEN, list[0].ProjectNameEN)

	lead := w.Viewer(t, accord.User{ID: p.LeadUserID})
	require.Equal(t, 1, lead.Unread)
	require.NoError(t, w.Store.MarkNotificationsRead(w.Ctx, lead.User.ID, 0, now))
	require.Equal(t, 0, w.Viewer(t, lead.User).Unread)

	it, err = w.Store.ActOnRequest(w.Ctx, lead, it.ID, it.Version, accord.ActionResend, accord.RequestInput{}, now)
	require.NoError(t, err)
	_, err = w.Store.ActOnRequest(w.Ctx, itHead, it.ID, it.Version, accord.ActionDelegate, accord.RequestInput{KeyPersonUserID: &dev}, now)
	require.NoError(t, err)
	require.Equal(t, []string{"request_delegated:CRM system development"}, kinds(dev))
	_, err = w.Store.Nudge(w.Ctx, lead, it.ID, now)
	require.NoError(t, err)
	require.Equal(t, "nudge:CRM system development", kinds(dev)[0], "the key person gets the nudge")
}

// TestStaleRemindersOncePerCadence runs two sweepers at once, again and again,
// and expects exactly one reminder per stale request per cadence period.
func TestStaleRemindersOncePerCadence(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	sentAt := time.Now().Add(-30 * 24 * time.Hour)
	p := w.Project(t, storetest.ProjectOpts{}) // cadence 14 days: two periods have passed
	var sent []accord.Request
	var first askedUnit
	for i := range 4 {
		h, need := asked(t, w, p, "")
		if i == 0 {
			first = h
		}
		sent = append(sent, w.Request(t, storetest.RequestOpts{Need: &need, At: sentAt}))
	}

	sweepTwice := func(now time.Time) int64 {
		var wg sync.WaitGroup
		counts := make([]int64, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := w.Store.SweepStale(w.Ctx, now)
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
	it := sent[0]
	_, err := w.Store.AddProgress(w.Ctx, w.Viewer(t, accord.User{ID: p.LeadUserID}), it.ID,
		accord.ProgressInput{Body: "已约 IT 评审", Risk: accord.RiskLow}, now.Add(14*24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, int64(3), sweepTwice(now.Add(28*24*time.Hour)))
	// The holder's head, with no key person named, got that request's reminders.
	reminders := 0
	for _, k := range notificationKinds(t, w.Store, first.head.ID) {
		if k == "reminder:"+it.NeedTitleEN {
			reminders++
		}
	}
	require.Equal(t, 2, reminders)
}

// TestKeyPersonToldWhenTheRequestIsAgreed: a key person learns that an agreed request
// is theirs to deliver, whether named with the agreement, handed it before, or handed
// it before a counter-proposal the lead accepts; nobody is told when none is named.
func TestKeyPersonToldWhenTheRequestIsAgreed(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	p := w.Project(t, storetest.ProjectOpts{})
	kinds := func(u accord.User) []string { return notificationKinds(t, w.Store, u.ID) }
	send := func(n accord.Need) accord.Request {
		return w.Request(t, storetest.RequestOpts{Need: &n, At: now})
	}

	// One holder agrees and names its developer.
	huang := w.Person(t, storetest.PersonOpts{Name: "黄磊", NameEN: "Huang Lei"})
	itUnit := w.Unit(t, storetest.UnitOpts{Head: &huang})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{itUnit}})
	itNeed := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &itUnit, TitleEN: "CRM system development"})
	it := send(itNeed)
	_, err := w.Store.ActOnRequest(w.Ctx, w.Viewer(t, huang), it.ID, it.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &dev.ID}, now)
	require.NoError(t, err)
	require.Equal(t, []string{"key_person_named:CRM system development"}, kinds(dev))
	list, _, err := w.Store.Notifications(w.Ctx, dev.ID, 0, 1)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, list[0].State)
	require.Equal(t, "Huang Lei", list[0].ActorNameEN)
	require.Equal(t, p.NameEN, list[0].ProjectNameEN)
	require.Equal(t, it.ID, *list[0].RequestID)

	// Another agrees without naming anyone: its other member hears nothing.
	data, dataNeed := asked(t, w, p, "")
	r := send(dataNeed)
	_, err = w.Store.ActOnRequest(w.Ctx, w.Viewer(t, data.head), r.ID, r.Version, accord.ActionAgree,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	require.Empty(t, kinds(data.member))

	// A third hands the request to its trainer, counters, and the lead accepts: the
	// trainer is told it is theirs; the head hears of the decision once.
	training, trNeed := asked(t, w, p, "")
	trainer, head := training.member, w.Viewer(t, training.head)
	tr := send(trNeed)
	tr, err = w.Store.ActOnRequest(w.Ctx, head, tr.ID, tr.Version, accord.ActionDelegate,
		accord.RequestInput{KeyPersonUserID: &trainer.ID}, now)
	require.NoError(t, err)
	date := now.AddDate(0, 0, 40)
	tr, err = w.Store.ActOnRequest(w.Ctx, head, tr.ID, tr.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: "先培训 100 人", CounterDate: &date}, now)
	require.NoError(t, err)
	_, err = w.Store.ActOnRequest(w.Ctx, w.Viewer(t, accord.User{ID: p.LeadUserID}), tr.ID, tr.Version, accord.ActionAcceptCounter,
		accord.RequestInput{}, now)
	require.NoError(t, err)
	need := tr.NeedTitleEN
	require.Equal(t, []string{"key_person_named:" + need, "request_delegated:" + need}, kinds(trainer))
	require.Equal(t, []string{"counter_decided:" + need, "request_received:" + need}, kinds(training.head))

	// A key person who agrees themselves is not told of their own act.
	mk, mkNeed := asked(t, w, p, "")
	mr := send(mkNeed)
	_, err = w.Store.ActOnRequest(w.Ctx, w.Viewer(t, mk.head), mr.ID, mr.Version, accord.ActionAgree,
		accord.RequestInput{KeyPersonUserID: &mk.head.ID}, now)
	require.NoError(t, err)
	require.NotContains(t, kinds(mk.head), "key_person_named:"+mr.NeedTitleEN)
}
