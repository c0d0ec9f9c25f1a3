package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

type testBundle struct {
	st    *store.Store
	ctx   context.Context
	units map[string]accord.Unit // demo units by English name
	users map[string]accord.User // demo users by email
}

func setup(t *testing.T) testBundle {
	t.Helper()
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Demo()))
	b := testBundle{st: st, ctx: ctx, units: map[string]accord.Unit{}, users: map[string]accord.User{}}
	units, err := st.Units(ctx)
	require.NoError(t, err)
	for _, u := range units {
		b.units[u.NameEN] = u
	}
	rows, _, err := st.Users(ctx, store.UserFilter{Limit: 100})
	require.NoError(t, err)
	for _, r := range rows {
		b.users[r.Email] = r.User
	}
	return b
}

func TestSharedSuperiorInDemoOrg(t *testing.T) {
	b := setup(t)
	// Nobody judges their own case: a shared superior who heads one of the two units
	// is passed over for the next head up.
	tests := []struct {
		a, b        string
		wantUnit    string
		wantHead    string
		wantSkipped int
		wantCommon  string
		wantNatural string
	}{
		{"After-sales", "IT", "HQ", "ceo@accord.demo", 0, "HQ", "ceo@accord.demo"},
		{"Sales", "Marketing", "Operations centre", "ops@accord.demo", 0, "Operations centre", "ops@accord.demo"},
		{"Finance & insurance", "Customer service", "Operations centre", "ops@accord.demo", 0, "Operations centre", "ops@accord.demo"},
		{"IT", "IT", "Technology centre", "cto@accord.demo", 1, "IT", "it@accord.demo"},
		{"Technology centre", "Data", "HQ", "ceo@accord.demo", 1, "Technology centre", "cto@accord.demo"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"↔"+tt.b, func(t *testing.T) {
			got, err := b.st.SharedSuperior(b.ctx, b.units[tt.a].ID, b.units[tt.b].ID, 0)
			require.NoError(t, err)
			require.Equal(t, accord.Superior{
				CommonUnitID:      b.units[tt.wantCommon].ID,
				UnitID:            b.units[tt.wantUnit].ID,
				HeadUserID:        b.users[tt.wantHead].ID,
				PartiesSkipped:    tt.wantSkipped,
				NaturalHeadUserID: b.users[tt.wantNatural].ID,
			}, got)
		})
	}
	t.Run("the CEO leading an HQ project decides at the top, flagged", func(t *testing.T) {
		ceo := b.users["ceo@accord.demo"].ID
		got, err := b.st.SharedSuperior(b.ctx, b.units["HQ"].ID, b.units["IT"].ID, ceo)
		require.NoError(t, err)
		require.Equal(t, accord.Superior{CommonUnitID: b.units["HQ"].ID, UnitID: b.units["HQ"].ID, HeadUserID: ceo,
			HeadIsParty: true, NaturalHeadUserID: ceo}, got)
	})
}

func TestSharedSuperiorSkipsVacantAndInactiveHeads(t *testing.T) {
	b := setup(t)
	ops := b.units["Operations centre"]
	_, err := b.st.SetUnitHead(b.ctx, 0, ops.ID, ops.Version, nil)
	require.NoError(t, err)

	got, err := b.st.SharedSuperior(b.ctx, b.units["Sales"].ID, b.units["Marketing"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, accord.Superior{CommonUnitID: ops.ID, UnitID: b.units["HQ"].ID,
		HeadUserID: b.users["ceo@accord.demo"].ID, VacantSkipped: 1, NaturalHeadUserID: b.users["ceo@accord.demo"].ID}, got)

	// A deactivated CEO leaves no one above: not found, not a wrong answer.
	ceo := b.users["ceo@accord.demo"]
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, ceo.ID, ceo.Version))
	_, err = b.st.SharedSuperior(b.ctx, b.units["Sales"].ID, b.units["Marketing"].ID, 0)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))

	_, err = b.st.SharedSuperior(b.ctx, b.units["Sales"].ID, 999999, 0)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestSharedSuperiorWithSeveralMemberships(t *testing.T) {
	b := setup(t)
	// The IT head also joins Marketing and is made head of Data: routing is by unit,
	// so memberships do not change who decides, but heading a party is reported.
	it := b.users["it@accord.demo"]
	require.NoError(t, b.st.AddMembership(b.ctx, 0, it.ID, b.units["Marketing"].ID))
	data := b.units["Data"]
	_, err := b.st.SetUnitHead(b.ctx, 0, data.ID, data.Version, &it.ID)
	require.NoError(t, err)

	got, err := b.st.SharedSuperior(b.ctx, b.units["IT"].ID, b.units["Data"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, b.users["cto@accord.demo"].ID, got.HeadUserID)
	require.False(t, got.HeadIsParty)

	got, err = b.st.SharedSuperior(b.ctx, b.units["Marketing"].ID, b.units["IT"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, b.users["ceo@accord.demo"].ID, got.HeadUserID)

	v, err := b.st.Viewer(b.ctx, it.ID)
	require.NoError(t, err)
	var names []string
	for _, m := range v.Memberships {
		names = append(names, m.UnitNameEN)
	}
	require.Equal(t, []string{"Marketing", "IT", "Data"}, names)
	require.Equal(t, accord.Roles{Head: true}, v.Roles)
}

func TestMoveUnitRewritesSubtree(t *testing.T) {
	b := setup(t)
	tech := b.units["Technology centre"]
	ops := b.units["Operations centre"]
	moved, err := b.st.MoveUnit(b.ctx, 0, tech.ID, tech.Version, ops.ID)
	require.NoError(t, err)
	require.Equal(t, []int64{b.units["HQ"].ID, ops.ID, tech.ID}, moved.Path)
	require.Equal(t, tech.Version+1, moved.Version)

	it, err := b.st.Unit(b.ctx, b.units["IT"].ID)
	require.NoError(t, err)
	require.Equal(t, []int64{b.units["HQ"].ID, ops.ID, tech.ID, it.ID}, it.Path)

	// After-sales ↔ IT now meet in the Operations centre.
	sup, err := b.st.SharedSuperior(b.ctx, b.units["After-sales"].ID, it.ID, 0)
	require.NoError(t, err)
	require.Equal(t, b.users["ops@accord.demo"].ID, sup.HeadUserID)

	// Moving Operations under IT would make a cycle.
	ops, err = b.st.Unit(b.ctx, ops.ID)
	require.NoError(t, err)
	_, err = b.st.MoveUnit(b.ctx, 0, ops.ID, ops.Version, it.ID)
	require.Equal(t, "unit_move_cycle", accord.FieldErrors(err)["parent_id"])

	// A stale version is a conflict, not an overwrite.
	_, err = b.st.MoveUnit(b.ctx, 0, tech.ID, tech.Version, b.units["HQ"].ID)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))

	history, err := b.st.AuditEntries(b.ctx, "unit", tech.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditMove, history[0].Action)
}

func TestCloseUnit(t *testing.T) {
	b := setup(t)
	tech := b.units["Technology centre"]
	_, err := b.st.CloseUnit(b.ctx, 0, tech.ID, tech.Version)
	require.Equal(t, "unit_close_has_children", errMessageID(err))

	legal := b.units["Legal"]
	closed, err := b.st.CloseUnit(b.ctx, 0, legal.ID, legal.Version)
	require.NoError(t, err)
	require.False(t, closed.Open())

	_, err = b.st.CreateUnit(b.ctx, 0, accord.UnitInput{Name: "合规", ParentID: legal.ID})
	require.Equal(t, "unit_parent_closed", accord.FieldErrors(err)["parent_id"])

	hq := b.units["HQ"]
	_, err = b.st.CloseUnit(b.ctx, 0, hq.ID, hq.Version)
	require.Equal(t, "unit_close_root", errMessageID(err))

	_, err = b.st.CreateUnit(b.ctx, 0, accord.UnitInput{Name: "第二总部"})
	require.Equal(t, "unit_root_exists", errMessageID(err))
}

func TestViewerRoles(t *testing.T) {
	b := setup(t)
	tests := []struct {
		email string
		want  accord.Roles
	}{
		{"admin@accord.demo", accord.Roles{Admin: true}},
		{"ceo@accord.demo", accord.Roles{Head: true, Executive: true}},
		{"ops@accord.demo", accord.Roles{Head: true, Executive: true}},
		{"aftersales@accord.demo", accord.Roles{Head: true, Lead: true}},
		{"it@accord.demo", accord.Roles{Head: true}},
		{"it.dev@accord.demo", accord.Roles{}},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			v, err := b.st.Viewer(b.ctx, b.users[tt.email].ID)
			require.NoError(t, err)
			require.Equal(t, tt.want, v.Roles)
		})
	}

	// A deactivated user has no viewer, so their sessions stop working.
	dev := b.users["it.dev@accord.demo"]
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, dev.ID, dev.Version))
	_, err := b.st.Viewer(b.ctx, dev.ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestCreateUserRejectsDuplicateEmail(t *testing.T) {
	b := setup(t)
	_, err := b.st.CreateUser(b.ctx, 0, accord.NewUser{Email: "CEO@accord.demo", Name: "x"}, "h")
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	require.Equal(t, "user_email_taken", accord.FieldErrors(err)["email"])
}

func TestUsersFilterAndPaging(t *testing.T) {
	b := setup(t)
	rows, total, err := b.st.Users(b.ctx, store.UserFilter{Query: "accord.demo", Offset: 5, Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 20, total)
	require.Len(t, rows, 5)

	rows, total, err = b.st.Users(b.ctx, store.UserFilter{Query: "Huang", Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "it@accord.demo", rows[0].Email)
	require.Equal(t, []accord.Membership{{UnitID: b.units["IT"].ID, UnitName: "信息技术部", UnitNameEN: "IT", IsHead: true}}, rows[0].Units)

	// Pattern characters are literal.
	_, total, err = b.st.Users(b.ctx, store.UserFilter{Query: "%", Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 0, total)
}

func errMessageID(err error) string {
	var e *accord.Error
	if ok := asError(err, &e); ok {
		return e.MessageID
	}
	return ""
}
