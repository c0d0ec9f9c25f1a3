package store_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/web/i18n"
)

// escalateSmartIT has IT decline the Smart service upgrade's CRM as too busy and the
// lead take it to the CEO; it returns the escalation and the request as declined.
func escalateSmartIT(t *testing.T, b testBundle, at time.Time) (accord.Escalation, accord.Request) {
	t.Helper()
	it := sendSmart(t, b, at)["IT"]
	it, err := b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, at.Add(time.Hour))
	require.NoError(t, err)
	e, err := b.st.Escalate(b.ctx, b.viewer(t, "aftersales@accord.demo"), it.ID, "年底前必须上线", "", 3, at.Add(2*time.Hour))
	require.NoError(t, err)
	require.Equal(t, b.users["ceo@accord.demo"].ID, e.AssignedUserID)
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
	return brief.Build(f, tr, lang, time.UTC)
}

// TestDecidedBriefIsFrozen: the brief of a decided escalation reads the same, in each
// language, however the request, its need and its project change afterwards; and it
// keeps the decline the superior ruled on.
func TestDecidedBriefIsFrozen(t *testing.T) {
	b := setup(t)
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e, it := escalateSmartIT(t, b, at)
	due := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	ceo := b.viewer(t, "ceo@accord.demo")
	_, err := b.st.Decide(b.ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect,
		Note: "客户满意度是今年第一目标，IT 三月前交付", DueDate: &due}, at.Add(24*time.Hour))
	require.NoError(t, err)

	rec, err := b.st.EscalationRecord(b.ctx, e.ID, time.Now())
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
	req, err := b.st.Request(b.ctx, it.ID)
	require.NoError(t, err)
	require.Equal(t, accord.RequestAgreed, req.State)
	require.True(t, req.Binding)
	require.Equal(t, accord.ObstacleTooBusy, req.Obstacle, "the decline stays on the request as its history")
	_, err = b.st.ActOnRequest(b.ctx, b.viewer(t, "it@accord.demo"), req.ID, req.Version, accord.ActionStart,
		accord.RequestInput{}, at.Add(48*time.Hour))
	require.NoError(t, err)
	_, err = b.st.AddProgress(b.ctx, b.viewer(t, "it@accord.demo"), req.ID, accord.ProgressInput{Body: "需求评审完成", Risk: accord.RiskLow},
		at.Add(72*time.Hour))
	require.NoError(t, err)
	need, err := b.st.Need(b.ctx, req.NeedID)
	require.NoError(t, err)
	in := accord.NeedInput{Title: "新名字", TitleEN: "Renamed need", HolderUnitID: need.HolderUnitID, Tier: need.Tier,
		NeededBy: need.NeededBy, EffortDays: need.EffortDays}
	_, err = b.st.UpdateNeed(b.ctx, req.LeadUserID, need.ID, need.Version, in)
	require.NoError(t, err)

	rec, err = b.st.EscalationRecord(b.ctx, e.ID, time.Now())
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
	b := setup(t)
	at := time.Now().Add(-time.Hour)
	e, _ := escalateSmartIT(t, b, at)
	ceo := b.viewer(t, "ceo@accord.demo")
	due := time.Now().AddDate(0, 3, 0)
	const note = "三月前交付一期"
	_, err := b.st.Decide(b.ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect, Note: note, DueDate: &due}, time.Now())
	require.NoError(t, err)
	for _, email := range []string{"aftersales@accord.demo", "it@accord.demo"} {
		list, _, err := b.st.Notifications(b.ctx, b.users[email].ID, 0, 10)
		require.NoError(t, err)
		require.Equal(t, accord.NotifyEscalationDecided, list[0].Kind, email)
		require.Equal(t, accord.DecideDirect, list[0].Decision, email)
		require.Equal(t, note, list[0].Reason, email)
		require.NotNil(t, list[0].EscalationID, email)
		require.Equal(t, e.ID, *list[0].EscalationID, email)
		require.Equal(t, "/escalations/"+strconv.FormatInt(e.ID, 10), list[0].Path(), email)
		out, err := b.st.NotificationForDelivery(b.ctx, list[0].ID)
		require.NoError(t, err)
		require.Equal(t, note, out.Notification.Reason, "email and chat are worded from the same record")
		require.Equal(t, accord.DecideDirect, out.Notification.Decision)
	}
	// The superior's "a decision is needed" and the holder's "add your statement"
	// opened the escalation too.
	for email, kind := range map[string]accord.NotificationKind{"ceo@accord.demo": accord.NotifyEscalationAssigned,
		"it@accord.demo": accord.NotifyEscalationRaised} {
		list, _, err := b.st.Notifications(b.ctx, b.users[email].ID, 0, 10)
		require.NoError(t, err)
		found := false
		for _, n := range list {
			if n.Kind == kind {
				found = true
				require.NotNil(t, n.EscalationID, email)
				require.Equal(t, "/escalations/"+strconv.FormatInt(e.ID, 10), n.Path(), email)
			}
		}
		require.True(t, found, "%s was told %s", email, kind)
	}
}

// TestAdminsDoNotDecideButReassign: an administrator is refused the decision
// (forbidden) but may move a stuck escalation to another head above both sides who
// is not a party, with a reason, recorded and told.
func TestAdminsDoNotDecideButReassign(t *testing.T) {
	b := setup(t)
	e := escalatePromoAds(t, b, time.Now())
	require.Equal(t, b.users["ops@accord.demo"].ID, e.AssignedUserID)

	admin := b.viewer(t, "admin@accord.demo")
	due := time.Now().AddDate(0, 1, 0)
	_, err := b.st.Decide(b.ctx, admin, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect, Note: "x", DueDate: &due}, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))

	err = b.st.Reassign(b.ctx, admin, e.ID, b.users["marketing@accord.demo"].ID, "运营中心负责人出差", 3, time.Now())
	require.Equal(t, "escalation_reassign_party", accord.FieldErrors(err)["user_id"], "the holder's head is a party")
	err = b.st.Reassign(b.ctx, admin, e.ID, b.users["legal@accord.demo"].ID, "运营中心负责人出差", 3, time.Now())
	require.Equal(t, "escalation_reassign_not_head", accord.FieldErrors(err)["user_id"], "Legal has no authority over either side")
	err = b.st.Reassign(b.ctx, admin, e.ID, b.users["ceo@accord.demo"].ID, "", 3, time.Now())
	require.Equal(t, "escalation_reason_required", accord.FieldErrors(err)["reason"])
	err = b.st.Reassign(b.ctx, b.viewer(t, "sales@accord.demo"), e.ID, b.users["ceo@accord.demo"].ID, "x", 3, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err), "only administrators reassign")

	require.NoError(t, b.st.Reassign(b.ctx, admin, e.ID, b.users["ceo@accord.demo"].ID, "运营中心负责人出差两周", 3, time.Now()))
	moved, err := b.st.Escalation(b.ctx, e.ID)
	require.NoError(t, err)
	require.Equal(t, b.users["ceo@accord.demo"].ID, moved.AssignedUserID)
	require.Equal(t, b.units["HQ"].ID, moved.AssignedUnitID)
	list, _, err := b.st.Notifications(b.ctx, b.users["ceo@accord.demo"].ID, 0, 5)
	require.NoError(t, err)
	require.Equal(t, accord.NotifyEscalationReassigned, list[0].Kind)
	require.Equal(t, "运营中心负责人出差两周", list[0].Reason)
	entries, err := b.st.AuditEntries(b.ctx, "escalation", e.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditReassign, entries[0].Action)
	require.Contains(t, string(entries[0].After), "运营中心负责人出差两周")
}

// TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest: the Operations head leads a
// project of the Operations centre asking Sales; escalating is refused (they decide),
// deciding directly is recorded as a decided escalation, marked direct and party,
// and both sides are told. A lead who is not the superior may not.
func TestLeadWhoIsTheSharedSuperiorDecidesOnTheRequest(t *testing.T) {
	b := setup(t)
	ops := b.users["ops@accord.demo"].ID
	p, req := opsProjectAsksSales(t, b, "展厅人手", time.Now())
	sales := b.units["Sales"].ID
	sent := []accord.Request{req}
	lead := b.viewer(t, "ops@accord.demo")
	_, err := b.st.Escalate(b.ctx, lead, sent[0].ID, "", "", 3, time.Now())
	require.Equal(t, "escalation_you_decide", errMessageID(err))

	due := time.Now().AddDate(0, 0, 30)
	in2 := accord.DecisionInput{Kind: accord.DecideDirect, Note: "周末人手由销售部先出", DueDate: &due}
	_, err = b.st.DecideDirectly(b.ctx, b.viewer(t, "sales@accord.demo"), sent[0].ID, in2, time.Now())
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err), "the holder's head is not the lead")

	e, err := b.st.DecideDirectly(b.ctx, lead, sent[0].ID, in2, time.Now())
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, e.Status)
	require.True(t, e.Direct)
	require.True(t, e.PartyDecides)
	require.Equal(t, ops, e.AssignedUserID)
	require.Equal(t, accord.RequestAgreed, e.Request.State)
	require.True(t, e.Request.Binding)
	list, _, err := b.st.Notifications(b.ctx, b.users["sales@accord.demo"].ID, 0, 5)
	require.NoError(t, err)
	require.Equal(t, accord.NotifyEscalationDecided, list[0].Kind)
	require.Equal(t, "周末人手由销售部先出", list[0].Reason)
	entries, err := b.st.AuditEntries(b.ctx, "escalation", e.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditDecide, entries[0].Action)
	require.Equal(t, "true", string(jsonField(t, entries[0].After, "Direct")))

	// A rescope sends it back to Sales, who declines again: the lead decides again.
	req = e.Request
	rescope := accord.DecisionInput{Kind: accord.DecideRescope, Note: "只要周六", Scope: "周六展厅人手"}
	_, err = b.st.DecideDirectly(b.ctx, lead, req.ID, rescope, time.Now())
	require.NoError(t, err, "a direct decision does not use up the request's once-per-cause")

	// While a superior has the request, the lead's direct decision waits.
	n2, err := b.st.CreateNeed(b.ctx, ops, p.ID, accord.NeedInput{Title: "周末导购", HolderUnitID: &sales, Tier: accord.TierRequired})
	require.NoError(t, err)
	sent2, err := b.st.SendNeeds(b.ctx, ops, p.ID, []int64{n2.ID}, "", time.Now().Add(-60*24*time.Hour))
	require.NoError(t, err)
	_, err = b.st.SweepEscalations(b.ctx, time.Now(), 3)
	require.NoError(t, err)
	_, err = b.st.DecideDirectly(b.ctx, lead, sent2[0].ID, in2, time.Now())
	require.Equal(t, "escalation_pending", errMessageID(err))
}

// TestEscalationListsAgreeWithMayView: each party list holds exactly the escalations
// the Go rule lets the viewer see for that reason, for every demo person.
func TestEscalationListsAgreeWithMayView(t *testing.T) {
	b := setup(t)
	e, _ := escalateSmartIT(t, b, time.Now().Add(-time.Hour))
	for email := range b.users {
		v := b.viewer(t, email)
		all := map[int64]accord.Escalation{}
		for _, l := range []accord.EscalationList{accord.ListMyUnits, accord.ListMyProjects, accord.ListDecided} {
			list, total, err := b.st.EscalationsInList(b.ctx, v.User.ID, l, 0, 50)
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
	counts, err := b.st.EscalationCounts(b.ctx, b.users["it@accord.demo"].ID)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.ListMyUnits])
	require.Equal(t, 0, counts[accord.ListToDecide])
	counts, err = b.st.EscalationCounts(b.ctx, b.users["ceo@accord.demo"].ID)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.ListToDecide])
}

// TestAFormerSuperiorMayStillOpenWhatTheyWereSent: the Operations head's window runs
// out and the escalation moves to the CEO; the "decision needed" notification the
// Operations head holds must still open, so they count as told of it.
func TestAFormerSuperiorMayStillOpenWhatTheyWereSent(t *testing.T) {
	b := setup(t)
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	e := escalatePromoAds(t, b, monday)
	moved, err := b.st.AdvanceWindows(b.ctx, monday.AddDate(0, 0, 7), 3)
	require.NoError(t, err)
	require.Equal(t, 1, moved)
	e, err = b.st.Escalation(b.ctx, e.ID)
	require.NoError(t, err)
	ops := b.viewer(t, "ops@accord.demo")
	require.False(t, accord.EscalationPartyOf(e, ops).MayView(), "no longer its superior")
	told, err := b.st.ToldOfEscalation(b.ctx, ops.User.ID, e.ID)
	require.NoError(t, err)
	require.True(t, told)
	told, err = b.st.ToldOfEscalation(b.ctx, b.users["legal@accord.demo"].ID, e.ID)
	require.NoError(t, err)
	require.False(t, told)
	require.True(t, accord.EscalationParty{Told: true}.MayView())
}

// sendPromoAds sends the Inventory car promotion's Marketing need at `at`.
func sendPromoAds(t *testing.T, b testBundle, at time.Time) accord.Request {
	t.Helper()
	promo := b.project(t, "Inventory car promotion")
	needs, err := b.st.Needs(b.ctx, promo.ID)
	require.NoError(t, err)
	var ids []int64
	for _, n := range needs {
		if n.HolderNameEN == "Marketing" {
			ids = append(ids, n.ID)
		}
	}
	sent, err := b.st.SendNeeds(b.ctx, promo.LeadUserID, promo.ID, ids, "", at)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	return sent[0]
}

// escalatePromoAds sends the Inventory car promotion's Marketing need at `at` and has
// its lead escalate it: to the Operations head, the superior Sales and Marketing share.
func escalatePromoAds(t *testing.T, b testBundle, at time.Time) accord.Escalation {
	t.Helper()
	ads := sendPromoAds(t, b, at)
	e, err := b.st.Escalate(b.ctx, b.viewer(t, "sales@accord.demo"), ads.ID, "宣传排期冲突", "", 3, at)
	require.NoError(t, err)
	return e
}

// opsProjectAsksSales has the Operations head start a project of the Operations
// centre and send Sales one P0 need at `at`: a lead who heads the unit above both.
func opsProjectAsksSales(t *testing.T, b testBundle, title string, at time.Time) (accord.Project, accord.Request) {
	t.Helper()
	ops := b.users["ops@accord.demo"].ID
	in := accord.ProjectInput{Name: "门店焕新", LeadUserID: ops, OwningUnitID: b.units["Operations centre"].ID}
	in.Normalize()
	p, err := b.st.CreateProject(b.ctx, ops, in)
	require.NoError(t, err)
	sales := b.units["Sales"].ID
	n, err := b.st.CreateNeed(b.ctx, ops, p.ID, accord.NeedInput{Title: title, HolderUnitID: &sales, Tier: accord.TierRequired})
	require.NoError(t, err)
	sent, err := b.st.SendNeeds(b.ctx, ops, p.ID, []int64{n.ID}, "", at)
	require.NoError(t, err)
	require.Len(t, sent, 1)
	return p, sent[0]
}
