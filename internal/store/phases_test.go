package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestNeedWhoseRequestsWereCancelledIsArchived(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"})
	crm := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Tier: accord.TierRequired, EffortDays: 120})
	w.Request(t, storetest.RequestOpts{Need: &crm, State: accord.RequestCountered})
	phase := w.Need(t, storetest.NeedOpts{PhaseOf: &crm, Tier: accord.TierRequired, EffortDays: 40})
	withdrawn := w.Request(t, storetest.RequestOpts{Need: &phase, State: accord.RequestCancelled})
	backup := w.Need(t, storetest.NeedOpts{Project: &p, Tier: accord.TierAlternative, BacksUp: &phase, EffortDays: 5})
	lonely := w.Unit(t, storetest.UnitOpts{NameEN: "Legal"})
	legal := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &lonely, EffortDays: 7})
	w.Request(t, storetest.RequestOpts{Need: &legal, State: accord.RequestCancelled})

	// A need with a live request stays.
	_, err := w.Store.DeleteNeed(w.Ctx, p.LeadUserID, crm.ID, crm.Version)
	require.Equal(t, "need_has_requests", errMessageID(err))

	for _, n := range []accord.Need{phase, legal} {
		done, err := w.Store.DeleteNeed(w.Ctx, p.LeadUserID, n.ID, n.Version)
		require.NoError(t, err)
		require.Equal(t, accord.NeedArchive, done)
		_, err = w.Store.Need(w.Ctx, n.ID)
		require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "an archived need is off the map")
	}

	// Off the resource map (and so the send list and the workbook's totals)...
	needs, err := w.Store.Needs(w.Ctx, p.ID)
	require.NoError(t, err)
	ids := []int64{}
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	require.ElementsMatch(t, []int64{crm.ID, backup.ID}, ids)
	for _, n := range needs {
		if n.ID == backup.ID {
			require.Nil(t, n.BacksUpNeedID, "an alternative backs up nothing once what it backed up is archived")
		}
	}
	// ...out of the alliance map and exchange matrix...
	plans, err := w.Store.UnitPlans(w.Ctx, p.ID)
	require.NoError(t, err)
	for _, pl := range plans {
		require.NotEqual(t, lonely.ID, pl.UnitID, "a unit asked only for an archived need is not on the alliance map")
	}
	// ...and out of the retrospective's effort and timeline.
	units, err := w.Store.RetroUnits(w.Ctx, p.ID)
	require.NoError(t, err)
	for _, u := range units {
		require.NotEqual(t, lonely.ID, u.UnitID)
		if u.UnitID == it.ID {
			require.Equal(t, 1, u.Needs)
			require.Equal(t, 120.0, u.PlannedDays, "the withdrawn phase's 40 days are not counted")
		}
	}
	timeline, err := w.Store.RetroTimeline(w.Ctx, p.ID)
	require.NoError(t, err)
	for _, n := range timeline {
		require.NotContains(t, []int64{phase.ID, legal.ID}, n.NeedID)
	}
	// The cancelled request and its record still find their need.
	r, err := w.Store.Request(w.Ctx, withdrawn.ID)
	require.NoError(t, err)
	require.Equal(t, phase.Title, r.NeedTitle)
	history, _, err := w.Store.ProjectHistory(w.Ctx, p.ID, 0, 1)
	require.NoError(t, err)
	require.Equal(t, accord.AuditArchive, history[0].Action)

	// A need never sent is still deleted outright.
	draft := w.Need(t, storetest.NeedOpts{Project: &p})
	done, err := w.Store.DeleteNeed(w.Ctx, p.LeadUserID, draft.ID, draft.Version)
	require.NoError(t, err)
	require.Equal(t, accord.NeedDelete, done)
}

func TestPhaseStaysWithinItsParent(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"})
	crm := w.Need(t, storetest.NeedOpts{Holder: &it, Tier: accord.TierRequired, EffortDays: 120})
	w.Request(t, storetest.RequestOpts{Need: &crm, State: accord.RequestCountered})
	p, err := w.Store.Project(w.Ctx, crm.ProjectID)
	require.NoError(t, err)
	phaseIn := func(days float64, holder int64) accord.NeedInput {
		return accord.NeedInput{Title: "一期", HolderUnitID: &holder, Tier: accord.TierRequired, EffortDays: days,
			PhaseOfNeedID: &crm.ID}
	}

	_, err = w.Store.CreateNeed(w.Ctx, p.LeadUserID, p.ID, phaseIn(999, it.ID))
	require.Equal(t, map[string]string{"effort_days": "phase_effort_exceeds_parent"}, accord.FieldErrors(err))
	other := w.Unit(t, storetest.UnitOpts{})
	_, err = w.Store.CreateNeed(w.Ctx, p.LeadUserID, p.ID, phaseIn(10, other.ID))
	require.Equal(t, map[string]string{"holder": "phase_holder_differs"}, accord.FieldErrors(err))

	one, err := w.Store.CreateNeed(w.Ctx, p.LeadUserID, p.ID, phaseIn(80, it.ID))
	require.NoError(t, err)
	require.Equal(t, crm.ID, *one.PhaseOfNeedID)
	require.Equal(t, crm.Title, one.PhaseOfTitle, "a phase states its parent")
	require.Equal(t, crm.TitleEN, one.DisplayPhaseOf("en"))

	// A second phase gets what the first left.
	_, err = w.Store.CreateNeed(w.Ctx, p.LeadUserID, p.ID, phaseIn(50, it.ID))
	require.Equal(t, map[string]string{"effort_days": "phase_effort_exceeds_parent"}, accord.FieldErrors(err))
	_, err = w.Store.CreateNeed(w.Ctx, p.LeadUserID, p.ID, phaseIn(40, it.ID))
	require.NoError(t, err)

	// Editing keeps a phase within its parent, and the parent above its phases.
	in := needInputOf(one)
	in.EffortDays = 999
	_, err = w.Store.UpdateNeed(w.Ctx, p.LeadUserID, one.ID, one.Version, in)
	require.Equal(t, map[string]string{"effort_days": "phase_effort_exceeds_parent"}, accord.FieldErrors(err))
	in = needInputOf(crm)
	in.EffortDays = 100
	_, err = w.Store.UpdateNeed(w.Ctx, p.LeadUserID, crm.ID, crm.Version, in)
	require.Equal(t, map[string]string{"effort_days": "phase_parent_below_phases"}, accord.FieldErrors(err))
	in.EffortDays = 130
	_, err = w.Store.UpdateNeed(w.Ctx, p.LeadUserID, crm.ID, crm.Version, in)
	require.NoError(t, err)

	// The retrospective plans the parent's days; its phases are within them.
	units, err := w.Store.RetroUnits(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, units, 1)
	require.Equal(t, 3, units[0].Needs)
	require.Equal(t, 130.0, units[0].PlannedDays)
}

func TestCounterMustAskForLess(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	due := time.Date(2026, 11, 18, 0, 0, 0, 0, time.UTC)
	n := w.Need(t, storetest.NeedOpts{NeededBy: &due})
	r := w.Request(t, storetest.RequestOpts{Need: &n})
	holder := w.Viewer(t, w.Head(t, accord.Unit{ID: r.HolderUnitID}))
	earlier, later := due.AddDate(0, 0, -7), due.AddDate(0, 0, 7)

	_, err := w.Store.ActOnRequest(w.Ctx, holder, r.ID, r.Version, accord.ActionCounter,
		accord.RequestInput{CounterDate: &earlier}, time.Now())
	require.Equal(t, map[string]string{"counter_date": "request_counter_not_later"}, accord.FieldErrors(err))
	_, err = w.Store.ActOnRequest(w.Ctx, holder, r.ID, r.Version, accord.ActionCounter,
		accord.RequestInput{CounterScope: r.Scope}, time.Now())
	require.Equal(t, map[string]string{"counter_scope": "request_counter_same_scope"}, accord.FieldErrors(err))

	after, err := w.Store.ActOnRequest(w.Ctx, holder, r.ID, r.Version, accord.ActionCounter,
		accord.RequestInput{CounterDate: &later}, time.Now())
	require.NoError(t, err)
	require.Equal(t, accord.RequestCountered, after.State)
	require.Equal(t, later, after.CounterDate.UTC())
}

func TestTrackerRollsPhasesIntoTheirParent(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"})
	data := w.Unit(t, storetest.UnitOpts{NameEN: "Data"})
	training := w.Unit(t, storetest.UnitOpts{NameEN: "Training"})
	late, early := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)
	crm := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Tier: accord.TierRequired, EffortDays: 120, NeededBy: &late})
	// IT's other need falls between the two dates: by date alone it would part the phase from its parent.
	mid := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	other := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &it, Tier: accord.TierRequired, NeededBy: &mid})
	otherReq := w.Request(t, storetest.RequestOpts{Need: &other})
	parent := w.Request(t, storetest.RequestOpts{Need: &crm, State: accord.RequestDeclined})
	phase := w.Need(t, storetest.NeedOpts{PhaseOf: &crm, EffortDays: 40, NeededBy: &early, Tier: accord.TierRequired})
	phaseReq := w.Request(t, storetest.RequestOpts{Need: &phase, State: accord.RequestInProgress})
	analytics := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &data})
	w.Request(t, storetest.RequestOpts{Need: &analytics, State: accord.RequestAgreed})
	trainers := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &training})
	w.Request(t, storetest.RequestOpts{Need: &trainers})

	sum, err := w.Store.TrackerSummary(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, 3, sum.Units)
	require.Equal(t, 1, sum.Agreed, "only Data agreed to everything")
	require.Equal(t, 1, sum.InPart, "IT agreed to phase 1 and works on it, not to the rest")
	require.Equal(t, 5, sum.Requests)
	require.Equal(t, map[accord.RequestState]int{accord.RequestDeclined: 1, accord.RequestInProgress: 1,
		accord.RequestAgreed: 1, accord.RequestRequested: 2}, sum.ByState)

	rows, err := w.Store.TrackerPage(w.Ctx, p.ID, 0, 50)
	require.NoError(t, err)
	all, err := w.Store.Tracker(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, rows, all, "the whole tracker is its pages")
	// The phase follows the request it was split from, though its date is earlier.
	require.Equal(t, []int64{otherReq.ID, parent.ID, phaseReq.ID}, []int64{rows[0].ID, rows[1].ID, rows[2].ID})
	second, err := w.Store.TrackerPage(w.Ctx, p.ID, 2, 2)
	require.NoError(t, err)
	require.Equal(t, rows[2:4], second, "pages cut the same order")
	top, total, err := w.Store.TrackerTop(w.Ctx, p.ID, 2, 0)
	require.NoError(t, err)
	require.Equal(t, rows[:2], top, "an escalation's page shows the tracker's first rows")
	require.Equal(t, len(rows), total, "and says how many there are")
	last := rows[len(rows)-1]
	pinned, _, err := w.Store.TrackerTop(w.Ctx, p.ID, 2, last.ID)
	require.NoError(t, err)
	require.Equal(t, append(rows[:2:2], last), pinned, "and the escalated request's row after them")
	pinned, _, err = w.Store.TrackerTop(w.Ctx, p.ID, 2, rows[1].ID)
	require.NoError(t, err)
	require.Equal(t, rows[:2], pinned, "once, when it is among them")
	var tracked []accord.TrackedRequest
	for _, row := range rows {
		tracked = append(tracked, accord.TrackedRequest{NeedID: row.NeedID, PhaseOf: row.PhaseOf,
			HolderUnitID: row.HolderUnitID, State: row.State})
		switch row.ID {
		case parent.ID:
			require.Len(t, row.Phases, 1)
			require.Equal(t, accord.PhaseLine{RequestID: phaseReq.ID, Title: phase.Title, TitleEN: phase.TitleEN,
				State: accord.RequestInProgress, DueDate: &early}, row.Phases[0])
		case phaseReq.ID:
			require.Equal(t, crm.ID, *row.PhaseOf)
			require.Equal(t, crm.TitleEN, row.DisplayPhaseOf("en"))
			require.Empty(t, row.Phases)
		default:
			require.Nil(t, row.PhaseOf)
			require.Empty(t, row.Phases)
		}
	}
	units, agreed, inPart := accord.UnitsOnTracker(tracked)
	require.Equal(t, sum.Units, units, "SQL and accord.UnitsOnTracker agree")
	require.Equal(t, sum.Agreed, agreed, "SQL and accord.UnitsOnTracker agree")
	require.Equal(t, sum.InPart, inPart, "SQL and accord.UnitsOnTracker agree")
}
