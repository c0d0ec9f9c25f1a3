package accord

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSharedSuperior(t *testing.T) {
	t.Parallel()
	// HQ(1) ─┬─ Ops(2) ─┬─ Sales(4)
	//        │          └─ Marketing(5) ── Digital(8)
	//        └─ Tech(3) ─── IT(6) ── Infra(7)
	paths := map[string][]int64{
		"hq": {1}, "ops": {1, 2}, "tech": {1, 3}, "sales": {1, 2, 4},
		"marketing": {1, 2, 5}, "it": {1, 3, 6}, "infra": {1, 3, 6, 7}, "digital": {1, 2, 5, 8},
	}
	allHeads := map[int64]int64{1: 100, 2: 200, 3: 300, 4: 400, 5: 500, 6: 600, 7: 700, 8: 800}
	without := func(units ...int64) map[int64]int64 {
		h := map[int64]int64{}
		for k, v := range allHeads {
			h[k] = v
		}
		for _, u := range units {
			delete(h, u)
		}
		return h
	}
	tests := []struct {
		name    string
		a, b    string
		heads   map[int64]int64
		parties Parties // besides the two units' heads: the lead
		want    Superior
	}{
		{"peers in different centres go to the CEO", "sales", "it", allHeads, nil,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"peers in one centre go to its head", "sales", "marketing", allHeads, nil,
			Superior{CommonUnitID: 2, UnitID: 2, HeadUserID: 200, NaturalHeadUserID: 200, NaturalUnitID: 2}},
		{"order does not matter", "marketing", "sales", allHeads, nil,
			Superior{CommonUnitID: 2, UnitID: 2, HeadUserID: 200, NaturalHeadUserID: 200, NaturalUnitID: 2}},
		{"same unit goes to its head's superior", "it", "it", allHeads, nil,
			Superior{CommonUnitID: 6, UnitID: 3, HeadUserID: 300, PartiesSkipped: 1, NaturalHeadUserID: 600, NaturalUnitID: 6}},
		{"an ancestor's head is a party: one level further up", "tech", "infra", allHeads, nil,
			Superior{CommonUnitID: 3, UnitID: 1, HeadUserID: 100, PartiesSkipped: 1, NaturalHeadUserID: 300, NaturalUnitID: 3}},
		{"descendant first gives the same answer", "infra", "tech", allHeads, nil,
			Superior{CommonUnitID: 3, UnitID: 1, HeadUserID: 100, PartiesSkipped: 1, NaturalHeadUserID: 300, NaturalUnitID: 3}},
		{"at the root a party decides, flagged", "hq", "it", allHeads, nil,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, HeadIsParty: true, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"the lead heading the shared unit is passed over", "sales", "marketing", allHeads, Parties{200},
			Superior{CommonUnitID: 2, UnitID: 1, HeadUserID: 100, PartiesSkipped: 1, NaturalHeadUserID: 200, NaturalUnitID: 2}},
		{"the lead heading the root decides, flagged", "sales", "it", allHeads, Parties{100},
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, HeadIsParty: true, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"vacant LCA walks up one level", "sales", "digital", without(2), nil,
			Superior{CommonUnitID: 2, UnitID: 1, HeadUserID: 100, VacantSkipped: 1, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"several vacant posts are skipped", "infra", "sales", without(3), nil,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"vacant and party posts both passed at depth", "infra", "it", without(3), nil,
			Superior{CommonUnitID: 6, UnitID: 1, HeadUserID: 100, VacantSkipped: 1, PartiesSkipped: 1, NaturalHeadUserID: 600, NaturalUnitID: 6}},
		{"vacant posts below a party at the root", "infra", "it", without(3), Parties{100},
			Superior{CommonUnitID: 6, UnitID: 1, HeadUserID: 100, VacantSkipped: 1, PartiesSkipped: 1, HeadIsParty: true, NaturalHeadUserID: 600, NaturalUnitID: 6}},
		{"one person heading both a party and the LCA is passed over", "ops", "sales",
			map[int64]int64{1: 100, 2: 200, 4: 200}, nil,
			Superior{CommonUnitID: 2, UnitID: 1, HeadUserID: 100, PartiesSkipped: 1, NaturalHeadUserID: 200, NaturalUnitID: 2}},
		{"the CEO heading a department too decides at the root, flagged", "sales", "it",
			map[int64]int64{1: 100, 6: 100}, nil,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, HeadIsParty: true, NaturalHeadUserID: 100, NaturalUnitID: 1}},
		{"a vacant party unit is no party", "sales", "it", without(4, 6), nil,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, NaturalHeadUserID: 100, NaturalUnitID: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SharedSuperior(paths[tt.a], paths[tt.b], tt.heads, tt.parties)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("no head anywhere is not found", func(t *testing.T) {
		t.Parallel()
		_, err := SharedSuperior(paths["sales"], paths["it"], map[int64]int64{4: 400}, nil)
		require.Equal(t, ECodeNotFound, ErrorCodeOf(err))
	})
	t.Run("disjoint paths are invalid", func(t *testing.T) {
		t.Parallel()
		_, err := SharedSuperior([]int64{1, 2}, []int64{9, 3}, allHeads, nil)
		require.Equal(t, ECodeInvalid, ErrorCodeOf(err))
	})
}

func TestNextSuperiorUp(t *testing.T) {
	t.Parallel()
	heads := map[int64]int64{1: 100, 2: 200, 3: 300, 6: 600}
	tests := []struct {
		name    string
		path    []int64
		parties Parties
		want    Superior
		found   bool
	}{
		{"one level up", []int64{1, 3, 6}, nil, Superior{CommonUnitID: 6, UnitID: 3, HeadUserID: 300, NaturalHeadUserID: 300, NaturalUnitID: 3}, true},
		{"a party above is passed over", []int64{1, 3, 6}, Parties{300},
			Superior{CommonUnitID: 6, UnitID: 1, HeadUserID: 100, PartiesSkipped: 1, NaturalHeadUserID: 300, NaturalUnitID: 3}, true},
		{"nothing above the root", []int64{1}, nil, Superior{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NextSuperiorUp(tt.path, heads, tt.parties)
			if !tt.found {
				require.Equal(t, ECodeNotFound, ErrorCodeOf(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCheckMove(t *testing.T) {
	t.Parallel()
	root := Unit{ID: 1, Path: []int64{1}}
	ops := Unit{ID: 2, ParentID: ptr(int64(1)), Path: []int64{1, 2}}
	sales := Unit{ID: 4, ParentID: ptr(int64(2)), Path: []int64{1, 2, 4}}
	tech := Unit{ID: 3, ParentID: ptr(int64(1)), Path: []int64{1, 3}}
	closed := tech
	closed.ClosedAt = ptr(sales.CreatedAt)
	tests := []struct {
		name      string
		unit, to  Unit
		wantField string
	}{
		{"into a sibling branch", sales, tech, ""},
		{"under itself", ops, ops, "unit_move_cycle"},
		{"under its own descendant", ops, sales, "unit_move_cycle"},
		{"the root", root, tech, "unit_move_root"},
		{"under a closed unit", sales, closed, "unit_parent_closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckMove(tt.unit, tt.to)
			if tt.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, ECodeInvalid, ErrorCodeOf(err))
			require.Equal(t, tt.wantField, FieldErrors(err)["parent_id"])
		})
	}
}

func TestNewUserValidate(t *testing.T) {
	t.Parallel()
	good := NewUser{Email: "a@b.example", Name: "王芳", Password: "long enough pw"}
	require.NoError(t, good.Validate())

	bad := NewUser{Email: "not an email", Name: "", NameEN: "x\x00y", Password: "short"}
	require.Equal(t, map[string]string{
		"email":    "field_email_invalid",
		"name":     "field_required",
		"name_en":  "field_bad_characters",
		"password": "field_password_short",
	}, FieldErrors(bad.Validate()))
}

func ptr[T any](v T) *T { return &v }
