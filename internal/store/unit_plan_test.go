package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestUnitPlanInvolvedUnitsOnly: one unit's plan is the same as its entry in the
// project's list, and exists only for a unit the project involves.
func TestUnitPlanInvolvedUnitsOnly(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	project := w.Project(t, storetest.ProjectOpts{})
	lead := accord.User{ID: project.LeadUserID}
	// Two holders: the lead has planned for one of them, not yet for the other.
	planned, unplanned := w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{})
	w.Need(t, storetest.NeedOpts{Project: &project, Holder: &planned})
	w.Need(t, storetest.NeedOpts{Project: &project, Holder: &unplanned})
	_, err := w.Store.SaveUnitPlan(w.Ctx, lead.ID, accord.UnitPlan{ProjectID: project.ID, UnitID: planned.ID,
		Concerns: []string{"排期"}, KPIs: []string{"上线率"}, WeGive: "验收报告署名", Stance: accord.StanceAlly, ApproachOrder: 1})
	require.NoError(t, err)

	plans, err := w.Store.UnitPlans(w.Ctx, project.ID)
	require.NoError(t, err)
	require.Len(t, plans, 2)
	for _, want := range plans {
		got, err := w.Store.UnitPlan(w.Ctx, project.ID, want.UnitID)
		require.NoError(t, err, want.UnitNameEN)
		require.Equal(t, want, got, "holds a need: %s", want.UnitNameEN)
	}

	legal := w.Unit(t, storetest.UnitOpts{Name: "法务部", NameEN: "Legal"})
	for name, unitID := range map[string]int64{"not involved": legal.ID, "no such unit": 999_999_999} {
		_, err := w.Store.UnitPlan(w.Ctx, project.ID, unitID)
		require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), name)
	}
	_, err = w.Store.UnitPlan(w.Ctx, 999_999_999, planned.ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "no such project")

	// A unit the lead planned for without a need is involved too.
	plan := accord.UnitPlan{ProjectID: project.ID, UnitID: legal.ID, Concerns: []string{"合同风险"},
		KPIs: []string{}, Stance: accord.StanceNeutral, ApproachOrder: 5}
	_, err = w.Store.SaveUnitPlan(w.Ctx, lead.ID, plan)
	require.NoError(t, err)
	got, err := w.Store.UnitPlan(w.Ctx, project.ID, plan.UnitID)
	require.NoError(t, err)
	require.Equal(t, "Legal", got.UnitNameEN)
	require.Equal(t, []string{"合同风险"}, got.Concerns)
	require.Equal(t, []string{}, got.KPIs)
	require.Equal(t, accord.StanceNeutral, got.Stance)
	require.Equal(t, 5, got.ApproachOrder)
	require.Equal(t, 1, got.Version)
}
