package ui

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestHolderForStartsOnARealUnit(t *testing.T) {
	units := []accord.Unit{{ID: 1}, {ID: 2}, {ID: 3}}
	own := WorkbookView{Project: accord.Project{OwningUnitID: 1}, Units: units}
	involved := own
	involved.Plans = []accord.UnitPlan{{UnitID: 3}, {UnitID: 2}}
	for _, tc := range []struct {
		name string
		v    WorkbookView
		f    NeedForm
		want int64
	}{
		{"a new need: the first unit the project involves", involved, NeedForm{}, 3},
		{"a new need on a project involving none: the first unit besides its own", own, NeedForm{}, 2},
		{"a unit already chosen stays", involved, NeedForm{HolderUnitID: 2}, 2},
		{"an outside party typed stays outside", involved, NeedForm{ExternalParty: "Vendor"}, 0},
		{"an existing need held outside stays outside", involved, NeedForm{ID: 7}, 0},
		{"no unit to choose: outside", WorkbookView{Project: accord.Project{OwningUnitID: 1}, Units: units[:1]}, NeedForm{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.v.holderFor(tc.f))
		})
	}
}
