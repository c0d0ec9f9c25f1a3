package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

func TestProjectVisibility(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	root := w.Root(t)
	centre := func() accord.Unit { return w.Unit(t, storetest.UnitOpts{Parent: &root}) }
	in := func(parent accord.Unit) accord.Unit { return w.Unit(t, storetest.UnitOpts{Parent: &parent}) }
	// The project's owner and one holder sit under two centres; a third centre and some
	// siblings have nothing to do with it.
	ops, tech, corp, other := centre(), centre(), centre(), centre()
	owner, sibling := in(ops), in(ops)
	holder := in(tech)
	training, finance := in(corp), in(corp)
	legal := in(other)
	p := w.Project(t, storetest.ProjectOpts{Owner: &owner})
	w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
	w.Need(t, storetest.NeedOpts{Project: &p, Holder: &training})
	member := func(u accord.Unit) accord.User {
		return w.Person(t, storetest.PersonOpts{Units: []accord.Unit{u}})
	}
	tests := []struct {
		user accord.User
		see  bool
		why  string
	}{
		{accord.User{ID: p.LeadUserID}, true, "lead"},
		{member(owner), true, "member of the owning unit"},
		{member(holder), true, "member of a holding unit"},
		{w.Head(t, training), true, "head of a holding unit"},
		{w.Head(t, tech), true, "head of an ancestor of a holding unit"},
		{w.Head(t, ops), true, "head of an ancestor of the owning unit"},
		{w.Head(t, root), true, "head of the root"},
		{w.Person(t, storetest.PersonOpts{Admin: true}), true, "admin"},
		{w.Head(t, legal), false, "uninvolved department head"},
		{w.Head(t, sibling), false, "head of a sibling of the owning unit"},
		{w.Head(t, corp), true, "head of the centre above a holding unit"},
		{w.Head(t, finance), false, "uninvolved unit under an involved centre"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			v := w.Viewer(t, tt.user)
			_, err := w.Store.ProjectForViewer(w.Ctx, v, p.ID)
			if tt.see {
				require.NoError(t, err)
			} else {
				require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
			}
			list, _, err := w.Store.Projects(w.Ctx, v, store.ProjectFilter{Limit: 50})
			require.NoError(t, err)
			found := false
			for _, listed := range list {
				found = found || listed.ID == p.ID
			}
			require.Equal(t, tt.see, found, "the list agrees with the page")
		})
	}
}

func TestProjectFilters(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	goal, err := w.Store.CreateGoal(w.Ctx, 0, accord.GoalInput{Title: "续保率 65%", TitleEN: "Insurance renewal rate 65%"})
	require.NoError(t, err)
	ownUnit := w.Unit(t, storetest.UnitOpts{})
	mine := w.Project(t, storetest.ProjectOpts{Owner: &ownUnit})
	drive := w.Project(t, storetest.ProjectOpts{Edit: func(in *accord.ProjectInput) {
		in.GoalID, in.Status = &goal.ID, accord.ProjectDone
	}})
	w.Project(t, storetest.ProjectOpts{})

	top := w.Viewer(t, w.Head(t, w.Root(t)))
	list, total, err := w.Store.Projects(w.Ctx, top, store.ProjectFilter{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, 3, total)
	require.Len(t, list, 2)

	lead := w.Viewer(t, accord.User{ID: drive.LeadUserID})
	list, total, err = w.Store.Projects(w.Ctx, lead, store.ProjectFilter{LedByMe: true, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, drive.NameEN, list[0].NameEN)
	require.Equal(t, "续保率 65%", list[0].GoalTitle)

	done := accord.ProjectDone
	list, total, err = w.Store.Projects(w.Ctx, top, store.ProjectFilter{Status: &done, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, total, "one of the three projects is closed")
	require.Equal(t, drive.NameEN, list[0].NameEN)

	pm := w.Viewer(t, w.Person(t, storetest.PersonOpts{Units: []accord.Unit{ownUnit}}))
	list, _, err = w.Store.Projects(w.Ctx, pm, store.ProjectFilter{MyUnits: true, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, mine.NameEN, list[0].NameEN)
}

func TestNeedEditConflictAndHistory(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	leadUser := w.Person(t, storetest.PersonOpts{NameEN: "Zhang Wei"})
	p := w.Project(t, storetest.ProjectOpts{Lead: &leadUser})
	lead := leadUser.ID
	n := w.Need(t, storetest.NeedOpts{Project: &p, EffortDays: 20})
	in := accord.NeedInput{Title: n.Title, HolderUnitID: n.HolderUnitID, Tier: n.Tier, EffortDays: 25}
	updated, err := w.Store.UpdateNeed(w.Ctx, lead, n.ID, n.Version, in)
	require.NoError(t, err)
	require.Equal(t, 25.0, updated.EffortDays)
	require.Equal(t, n.Version+1, updated.Version)

	// A second editor who loaded the old version is refused, not silently applied.
	in.EffortDays = 99
	_, err = w.Store.UpdateNeed(w.Ctx, lead, n.ID, n.Version, in)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	_, err = w.Store.UpdateNeed(w.Ctx, lead, 987654, 1, in)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))

	done, err := w.Store.DeleteNeed(w.Ctx, lead, n.ID, updated.Version)
	require.NoError(t, err)
	require.Equal(t, accord.NeedDelete, done)
	history, total, err := w.Store.ProjectHistory(w.Ctx, p.ID, 0, 2)
	require.NoError(t, err)
	require.Equal(t, 4, total, "the project's and the need's creation are history too")
	require.Equal(t, accord.AuditDelete, history[0].Action)
	require.Equal(t, "Zhang Wei", history[0].ActorNameEN)
	require.Equal(t, accord.AuditUpdate, history[1].Action)
	require.JSONEq(t, `20`, string(jsonField(t, history[1].Before, "EffortDays")))
	require.JSONEq(t, `25`, string(jsonField(t, history[1].After, "EffortDays")))

	// The history cannot be rewritten.
	_, err = w.Store.Pool().Exec(w.Ctx, `UPDATE audit_log SET action = 'x'`)
	require.ErrorContains(t, err, "append-only")
}

func TestImportNeedsIsAllOrNothing(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	for range 4 {
		w.Need(t, storetest.NeedOpts{Project: &p})
	}
	w.Need(t, storetest.NeedOpts{Project: &p, External: "外部培训机构", Tier: accord.TierAlternative})
	lead := p.LeadUserID
	legal := w.Unit(t, storetest.UnitOpts{}).ID
	missing := int64(999999)
	_, err := w.Store.ImportNeeds(w.Ctx, lead, p.ID, []accord.NeedInput{
		{Title: "合同审核", HolderUnitID: &legal, Tier: accord.TierImportant, EffortDays: 3},
		{Title: "不存在的部门", HolderUnitID: &missing, Tier: accord.TierImportant},
	})
	require.ErrorContains(t, err, "row 2")
	require.Equal(t, "unit_not_found", accord.FieldErrors(err)["holder"])
	needs, err := w.Store.Needs(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, needs, 5, "nothing from the failed import remains")

	added, err := w.Store.ImportNeeds(w.Ctx, lead, p.ID, []accord.NeedInput{
		{Title: "合同审核", HolderUnitID: &legal, Tier: accord.TierImportant, EffortDays: 3},
		{Title: "场地", ExternalParty: "会展中心", Tier: accord.TierAlternative},
	})
	require.NoError(t, err)
	require.Len(t, added, 2)
	plans, err := w.Store.UnitPlans(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, plans, 5, "the new holder is now involved")
}

func TestUnitPlanVersions(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	lead := p.LeadUserID
	legal := w.Unit(t, storetest.UnitOpts{}).ID
	plan := accord.UnitPlan{ProjectID: p.ID, UnitID: legal, Concerns: []string{"合规风险"}, Stance: accord.StanceNeutral}
	saved, err := w.Store.SaveUnitPlan(w.Ctx, lead, plan)
	require.NoError(t, err)
	require.Equal(t, 1, saved.Version)
	_, err = w.Store.SaveUnitPlan(w.Ctx, lead, plan) // still version 0: someone created it meanwhile
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	saved.Stance = accord.StanceAlly
	saved, err = w.Store.SaveUnitPlan(w.Ctx, lead, saved)
	require.NoError(t, err)
	require.Equal(t, 2, saved.Version)
}
