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
		name  string
		a, b  string
		heads map[int64]int64
		want  Superior
	}{
		{"peers in different centres go to the CEO", "sales", "it", allHeads,
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100}},
		{"peers in one centre go to its head", "sales", "marketing", allHeads,
			Superior{CommonUnitID: 2, UnitID: 2, HeadUserID: 200}},
		{"order does not matter", "marketing", "sales", allHeads,
			Superior{CommonUnitID: 2, UnitID: 2, HeadUserID: 200}},
		{"same unit is its own head", "it", "it", allHeads,
			Superior{CommonUnitID: 6, UnitID: 6, HeadUserID: 600, HeadIsParty: true}},
		{"ancestor is the common unit and its head is a party", "tech", "infra", allHeads,
			Superior{CommonUnitID: 3, UnitID: 3, HeadUserID: 300, HeadIsParty: true}},
		{"descendant first gives the same answer", "infra", "tech", allHeads,
			Superior{CommonUnitID: 3, UnitID: 3, HeadUserID: 300, HeadIsParty: true}},
		{"vacant LCA walks up one level", "sales", "digital", without(2),
			Superior{CommonUnitID: 2, UnitID: 1, HeadUserID: 100, VacantSkipped: 1}},
		{"several vacant posts are skipped", "infra", "it", without(6, 3),
			Superior{CommonUnitID: 6, UnitID: 1, HeadUserID: 100, VacantSkipped: 2}},
		{"one person heading both a party and the LCA is a party", "ops", "sales",
			map[int64]int64{1: 100, 2: 200, 4: 200},
			Superior{CommonUnitID: 2, UnitID: 2, HeadUserID: 200, HeadIsParty: true}},
		{"the CEO heading a department too is a party", "sales", "it",
			map[int64]int64{1: 100, 6: 100},
			Superior{CommonUnitID: 1, UnitID: 1, HeadUserID: 100, HeadIsParty: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SharedSuperior(paths[tt.a], paths[tt.b], tt.heads)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("no head anywhere is not found", func(t *testing.T) {
		t.Parallel()
		_, err := SharedSuperior(paths["sales"], paths["it"], map[int64]int64{4: 400})
		require.Equal(t, ECodeNotFound, ErrorCodeOf(err))
	})
	t.Run("disjoint paths are invalid", func(t *testing.T) {
		t.Parallel()
		_, err := SharedSuperior([]int64{1, 2}, []int64{9, 3}, allHeads)
		require.Equal(t, ECodeInvalid, ErrorCodeOf(err))
	})
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
