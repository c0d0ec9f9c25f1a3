package store_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/internal/store"
	"accord/internal/store/storetest"
	"accord/web/i18n"
)

// escalateUpgradeIT has IT decline a new upgrade's CRM as too busy and the lead take
// it to the CEO; it returns the escalation and the request as declined.
func escalateUpgradeIT(t *testing.T, c company, at time.Time) (accord.Escalation, accord.Request) {
	t.Helper()
	it := c.sendUpgrade(t, at)["IT"]
	it, err := c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, at.Add(time.Hour))
	require.NoError(t, err)
	e, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.afterSalesHead), it.ID, "年底前必须上线", "", 3, at.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, c.ceo.ID, e.AssignedUserID)
	return e, it
}

func renderBrief(t *testing.T, f accord.BriefFacts, lang string) string {
	t.Helper()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	l := bundle.Localizer(lang)
	tr := func(id string, data map[string]any) string {
		if data == nil {
			return l.T(id)
		}
		return l.T(id, data)
	}
	return brief.Build(f, tr, nil, lang, time.UTC)
}

// TestDecidedBriefIsFrozen: the brief of a decided escalation reads the same, in each
// language, however the request, its need and its project change afterwards; and it
// keeps the decline the superior ruled on.
func TestDecidedBriefIsFrozen(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e, it := escalateUpgradeIT(t, c, at)
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ceo := c.Viewer(t, c.ceo)
	_, err := c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect,
		Note: "客户满意度是今年第一目标，IT 三月前交付", DueDate: &due}, at.Add(24*time.Hour))
	require.NoError(t, err)

	rec, err := c.Store.EscalationRecord(c.Ctx, e.ID, time.Now())
	require.NoError(t, err)
	require.NotNil(t, rec.Raised)
	require.NotNil(t, rec.Decided)
	require.Equal(t, accord.RequestDeclined, rec.Decided.Request.State, "what the superior decided on")
	before := map[string]string{}
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		before[lang] = renderBrief(t, *rec.Decided, lang)
	}
	require.Contains(t, before[i18n.English], "Too busy right now")
	require.Contains(t, before[i18n.English], "本季度排期已满")
	require.Contains(t, before[i18n.Chinese], "目前太忙")

	// The request moves on: IT starts, logs progress, the lead renames the need and
	// the project.
	req, err := c.Store.Request(c.Ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, req.State)
	require.True(t, req.Binding)
	require.Equal(t, accord.ObstacleTooBusy, req.Obstacle, "the decline stays on the request as its history")
	_, err = c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), req.ID, req.Version, accord.ActionStart,
		accord.RequestInput{}, at.Add(48*time.Hour))
	require.NoError(t, err)
	_, err = c.Store.AddProgress(c.Ctx, c.Viewer(t, c.itHead), req.ID, accord.ProgressInput{Body: "需求评审完成", Risk: accord.RiskLow},
		at.Add(72*time.Hour))
	require.NoError(t, err)
	need, err := c.Store.Need(c.Ctx, req.NeedID)
	require.NoError(t, err)
	in := accord.NeedInput{Title: "新名字", TitleEN: "Renamed need", HolderUnitID: need.HolderUnitID, Tier: need.Tier,
		NeededBy: need.NeededBy, EffortDays: need.EffortDays}
	_, err = c.Store.UpdateNeed(c.Ctx, req.LeadUserID, need.ID, need.Version, in)
	require.NoError(t, err)

	rec, err = c.Store.EscalationRecord(c.Ctx, e.ID, time.Now())
	require.NoError(t, err)
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		require.Equal(t, before[lang], renderBrief(t, *rec.Decided, lang), lang)
	}
	require.NotContains(t, before[i18n.English], "Renamed need")
}

// TestDecisionReachesBothSides: the outcome and the reason are in the notification to
// the lead, the holder's head and the key person, which opens the escalation; the
// delivery (email, chat) reads the same fields; the history keeps it.
func TestDecisionReachesBothSides(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	at := time.Now().Add(-time.Hour)
	e, _ := escalateUpgradeIT(t, c, at)
	ceo := c.Viewer(t, c.ceo)
	due := time.Now().AddDate(0, 3, 0)
	const note = "三月前交付一期"
	_, err := c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect, Note: note, DueDate: &due}, time.Now())
	require.NoError(t, err)
	for _, u := range []accord.User{c.afterSalesHead, c.itHead} {
		list, _, err := c.Store.Notifications(c.Ctx, u.ID, 0, 10)
		require.NoError(t, err)
		require.Equal(t, accord.NotifyEscalationDecided, list[0].Kind, u.NameEN)
		require.Equal(t, accord.DecideDirect, list[0].Decision, u.NameEN)
		require.Equal(t, note, list[0].Reason, u.NameEN)
		require.NotNil(t, list[0].EscalationID, u.NameEN)
		require.Equal(t, e.ID, *list[0].EscalationID, u.NameEN)
		require.Equal(t, "/escalations/"+strconv.FormatInt(e.ID, 10), list[0].Path(), u.NameEN)
		out, err := c.Store.NotificationForDelivery(c.Ctx, list[0].ID)
		require.NoError(t, err)
		require.Equal(t, note, out.Notification.Reason, "email and chat are worded from the same record")
		require.Equal(t, accord.DecideDirect, out.Notification.Decision)
	}
	// The superior's "a decision is needed" and the holder's "add your statement"
	// opened the escalation too.
	for _, told := range []struct {
		user accord.User
		kind accord.NotificationKind
	}{{c.ceo, accord.NotifyEscalationAssigned}, {c.itHead, accord.NotifyEscalationRaised}} {
		list, _, err := c.Store.Notifications(c.Ctx, told.user.ID, 0, 10)
		require.NoError(t, err)
		found := false
		for _, n := range list {
			if n.Kind == told.kind {
				found = true
				require.NotNil(t, n.EscalationID, told.user.NameEN)
				require.Equal(t, "/escalations/"+strconv.FormatInt(e.ID, 10), n.Path(), told.user.NameEN)
			}
		}
		require.True(t, found, "%s was told %s", told.user.NameEN, told.kind)
	}
}

// TestAdminsDoNotDecideButReassign: an administrator is refused the decision
// (forbidden) but may move a stuck escalation to another head above both sides who
// is not a party, with a reason, recorded and told.
func TestAdminsDoNotDecideButReassign(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	e := c.escalatePromotion(t, time.Now())
	require.Equal(t, c.opsHead.ID, e.AssignedUserID)

	admin := c.Viewer(t, c.admin)
	due := time.Now().AddDate(0, 1, 0)
	_, err := c.Store.Decide(c.Ctx, admin, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect, Note: "x", DueDate: &due}, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))

	err = c.Store.Reassign(c.Ctx, admin, e.ID, c.marketingHead.ID, "运营中心负责人出差", 3, time.Now())
	require.Equal(t, "escalation_reassign_party", accord.FieldErrors(err)["user_id"], "the holder's head is a party")
	err = c.Store.Reassign(c.Ctx, admin, e.ID, c.legalHead.ID, "运营中心负责人出差", 3, time.Now())
	require.Equal(t, "escalation_reassign_not_head", accord.FieldErrors(err)["user_id"], "Legal has no authority over either side")
	err = c.Store.Reassign(c.Ctx, admin, e.ID, c.ceo.ID, "", 3, time.Now())
	require.Equal(t, "escalation_reason_required", accord.FieldErrors(err)["reason"])
	err = c.Store.Reassign(c.Ctx, c.Viewer(t, c.salesHead), e.ID, c.ceo.ID, "x", 3, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err), "only administrators reassign")

	toDecide := func(who accord.User) int {
		t.Helper()
		n, err := c.Store.EscalationsToDecideCount(c.Ctx, c.Viewer(t, who))
		require.NoError(t, err)
		return n
	}
	ceoBefore := toDecide(c.ceo)
	require.Equal(t, 1, toDecide(c.opsHead))
	require.NoError(t, c.Store.Reassign(c.Ctx, admin, e.ID, c.ceo.ID, "运营中心负责人出差两周", 3, time.Now()))
	require.Equal(t, [2]int{0, ceoBefore + 1}, [2]int{toDecide(c.opsHead), toDecide(c.ceo)},
		"the count of what each may decide follows the escalation")
	requireNoDrift(t, c.Ctx, c.Store.Pool(), "reassigned")
	moved, err := c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, c.ceo.ID, moved.AssignedUserID)
	require.Equal(t, c.root.ID, moved.AssignedUnitID)
	list, _, err := c.Store.Notifications(c.Ctx, c.ceo.ID, 0, 5)
	require.NoError(t, err)
	require.Equal(t, accord.NotifyEscalationReassigned, list[0].Kind)
	require.Equal(t, "运营中心负责人出差两周", list[0].Reason)
	entries, err := c.Store.AuditEntries(c.Ctx, "escalation", e.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditReassign, entries[0].Action)
	require.Contains(t, string(entries[0].After), "运营中心负责人出差两周")
}

// TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest: the Operations head leads a
// project of the Operations centre asking Sales; escalating is refused (they decide),
// deciding directly is recorded as a decided escalation, marked direct and party,
// and both sides are told. A lead who is not the superior may not.
func TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	ops := c.opsHead.ID
	p, req := c.opsProjectAsksSales(t, "Showroom staff", time.Now())
	sent := []accord.Request{req}
	lead := c.Viewer(t, c.opsHead)
	_, err := c.Store.Escalate(c.Ctx, lead, sent[0].ID, "", "", 3, time.Now())
	require.Equal(t, "escalation_you_decide", errMessageID(err))

	due := time.Now().AddDate(0, 0, 30)
	in2 := accord.DecisionInput{Kind: accord.DecideDirect, Note: "周末人手由销售部先出", DueDate: &due}
	_, err = c.Store.DecideDirectly(c.Ctx, c.Viewer(t, c.salesHead), sent[0].ID, in2, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err), "the holder's head is not the lead")

	e, err := c.Store.DecideDirectly(c.Ctx, lead, sent[0].ID, in2, time.Now())
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, e.Status)
	require.True(t, e.Direct)
	require.True(t, e.PartyDecides)
	require.Equal(t, ops, e.AssignedUserID)
	require.Equal(t, accord.RequestAgreed, e.Request.State)
	require.True(t, e.Request.Binding)
	list, _, err := c.Store.Notifications(c.Ctx, c.salesHead.ID, 0, 5)
	require.NoError(t, err)
	require.Equal(t, accord.NotifyEscalationDecided, list[0].Kind)
	require.Equal(t, "周末人手由销售部先出", list[0].Reason)
	entries, err := c.Store.AuditEntries(c.Ctx, "escalation", e.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditDecide, entries[0].Action)
	require.Equal(t, "true", string(jsonField(t, entries[0].After, "Direct")))

	// A rescope sends it back to Sales, who declines again: the lead decides again.
	req = e.Request
	rescope := accord.DecisionInput{Kind: accord.DecideRescope, Note: "只要周六", Scope: "周六展厅人手"}
	_, err = c.Store.DecideDirectly(c.Ctx, lead, req.ID, rescope, time.Now())
	require.NoError(t, err, "a direct decision does not use up the request's once-per-cause")

	// While a superior has the request, the lead's direct decision waits.
	n2 := c.Need(t, storetest.NeedOpts{Project: &p, Holder: &c.sales, Title: "周末导购", Tier: accord.TierRequired})
	sent2 := c.Request(t, storetest.RequestOpts{Need: &n2, At: time.Now().Add(-60 * 24 * time.Hour)})
	raised, err := c.Store.SweepEscalations(c.Ctx, time.Now(), 3)
	require.NoError(t, err)
	require.Equal(t, 1, raised, "the stalled request goes to the lead's superior")
	_, err = c.Store.DecideDirectly(c.Ctx, lead, sent2.ID, in2, time.Now())
	require.Equal(t, "escalation_pending", errMessageID(err))
}

// TestEscalationListsAgreeWithMayView: each party list holds exactly the escalations
// the Go rule lets the viewer see for that reason, for every person in the company.
func TestEscalationListsAgreeWithMayView(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	e, _ := escalateUpgradeIT(t, c, time.Now().Add(-time.Hour))
	people, total, err := c.Store.Users(c.Ctx, store.UserFilter{Limit: 100})
	require.NoError(t, err)
	require.Len(t, people, total)
	for _, person := range people {
		v := c.Viewer(t, person.User)
		email := person.Email
		all := map[int64]accord.Escalation{}
		for _, l := range []accord.EscalationList{accord.ListMyUnits, accord.ListMyProjects, accord.ListDecided} {
			list, total, err := c.Store.EscalationsInList(c.Ctx, v.User.ID, l, 0, 50)
			require.NoError(t, err)
			require.Equal(t, len(list), total)
			for _, x := range list {
				require.True(t, accord.EscalationPartyOf(x, v).MayView(), "%s sees %d in %s", email, x.ID, l)
				all[x.ID] = x
			}
		}
		p := accord.EscalationPartyOf(e, v)
		listed := p.Lead || p.HolderHead || p.KeyPerson
		_, inList := all[e.ID]
		require.Equal(t, listed, inList, email)
	}
	counts, err := c.Store.EscalationCounts(c.Ctx, c.itHead.ID)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.ListMyUnits])
	require.Equal(t, 0, counts[accord.ListToDecide])
	counts, err = c.Store.EscalationCounts(c.Ctx, c.ceo.ID)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.ListToDecide])
}

// TestAFormerSuperiorMayStillOpenWhatTheyWereSent: the Operations head's window runs
// out and the escalation moves to the CEO; the "decision needed" notification the
// Operations head holds must still open, so they count as told of it.
func TestAFormerSuperiorMayStillOpenWhatTheyWereSent(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e := c.escalatePromotion(t, monday)
	moved, err := c.Store.AdvanceWindows(c.Ctx, monday.AddDate(0, 0, 7), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	e, err = c.Store.Escalation(c.Ctx, e.ID)
	require.NoError(t, err)
	ops := c.Viewer(t, c.opsHead)
	require.False(t, accord.EscalationPartyOf(e, ops).MayView(), "no longer its superior")
	standings, err := c.Store.EscalationStandings(c.Ctx, e.ID, []int64{ops.User.ID, c.legalHead.ID})
	require.NoError(t, err)
	require.True(t, standings[ops.User.ID].Told)
	require.False(t, standings[c.legalHead.ID].Told)
	require.True(t, accord.EscalationParty{Told: true}.MayView())
}
