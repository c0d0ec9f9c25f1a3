package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestUnitPlanInvolvedUnitsOnly: one unit's plan is the same as its entry in the
// project's list, and exists only for a unit the project involves.
func TestUnitPlanInvolvedUnitsOnly(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	lead := b.users["aftersales@accord.demo"]

	plans, err := b.st.UnitPlans(b.ctx, smart.ID)
	require.NoError(t, err)
	for _, want := range plans {
		got, err := b.st.UnitPlan(b.ctx, smart.ID, want.UnitID)
		require.NoError(t, err, want.UnitNameEN)
		require.Equal(t, want, got, "holds a need: %s", want.UnitNameEN)
	}

	for name, unitID := range map[string]int64{"not involved": b.units["Legal"].ID, "no such unit": 999_999_999} {
		_, err := b.st.UnitPlan(b.ctx, smart.ID, unitID)
		require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), name)
	}
	_, err = b.st.UnitPlan(b.ctx, 999_999_999, b.units["Marketing"].ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "no such project")

	// A unit the lead planned for without a need is involved too.
	legal := accord.UnitPlan{ProjectID: smart.ID, UnitID: b.units["Legal"].ID, Concerns: []string{"合同风险"},
		KPIs: []string{}, Stance: accord.StanceNeutral, ApproachOrder: 5}
	_, err = b.st.SaveUnitPlan(b.ctx, lead.ID, legal)
	require.NoError(t, err)
	got, err := b.st.UnitPlan(b.ctx, smart.ID, legal.UnitID)
	require.NoError(t, err)
	require.Equal(t, "Legal", got.UnitNameEN)
	require.Equal(t, []string{"合同风险"}, got.Concerns)
	require.Equal(t, []string{}, got.KPIs)
	require.Equal(t, accord.StanceNeutral, got.Stance)
	require.Equal(t, 5, got.ApproachOrder)
	require.Equal(t, 1, got.Version)
}
