package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// companyTree builds a root ("HQ") with two centres and their departments, every
// unit headed by a person of its own, and returns the units by English name.
func companyTree(t *testing.T, w *storetest.World) map[string]accord.Unit {
	t.Helper()
	units := map[string]accord.Unit{"HQ": w.Root(t)}
	for _, u := range []struct{ parent, name, nameEN string }{
		{"HQ", "运营中心", "Operations centre"},
		{"HQ", "技术中心", "Technology centre"},
		{"Operations centre", "销售部", "Sales"},
		{"Operations centre", "售后服务部", "After-sales"},
		{"Operations centre", "市场部", "Marketing"},
		{"Operations centre", "客服部", "Customer service"},
		{"Operations centre", "金融保险部", "Finance & insurance"},
		{"Technology centre", "信息技术部", "IT"},
		{"Technology centre", "数据部", "Data"},
	} {
		parent := units[u.parent]
		units[u.nameEN] = w.Unit(t, storetest.UnitOpts{Parent: &parent, Name: u.name, NameEN: u.nameEN})
	}
	return units
}

// headOf is the user heading unit u when it was read.
func headOf(u accord.Unit) int64 { return *u.HeadUserID }

func TestSharedSuperior(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	units := companyTree(t, w)
	// Nobody judges their own case: a shared superior who heads one of the two units
	// is passed over for the next head up.
	tests := []struct {
		a, b        string
		wantUnit    string
		wantHead    string // the head of this unit
		wantSkipped int
		wantCommon  string
		wantNatural string // the head of this unit
	}{
		{"After-sales", "IT", "HQ", "HQ", 0, "HQ", "HQ"},
		{"Sales", "Marketing", "Operations centre", "Operations centre", 0, "Operations centre", "Operations centre"},
		{"Finance & insurance", "Customer service", "Operations centre", "Operations centre", 0, "Operations centre", "Operations centre"},
		{"IT", "IT", "Technology centre", "Technology centre", 1, "IT", "IT"},
		{"Technology centre", "Data", "HQ", "HQ", 1, "Technology centre", "Technology centre"},
	}
	for _, tt := range tests {
		t.Run(tt.a+"↔"+tt.b, func(t *testing.T) {
			got, err := w.Store.SharedSuperior(w.Ctx, units[tt.a].ID, units[tt.b].ID, 0)
			require.NoError(t, err)
			require.Equal(t, accord.Superior{
				CommonUnitID:      units[tt.wantCommon].ID,
				UnitID:            units[tt.wantUnit].ID,
				HeadUserID:        headOf(units[tt.wantHead]),
				PartiesSkipped:    tt.wantSkipped,
				NaturalHeadUserID: headOf(units[tt.wantNatural]),
				NaturalUnitID:     units[tt.wantNatural].ID,
			}, got)
		})
	}
	t.Run("the root's head leading a root project decides at the top, flagged", func(t *testing.T) {
		top := headOf(units["HQ"])
		got, err := w.Store.SharedSuperior(w.Ctx, units["HQ"].ID, units["IT"].ID, top)
		require.NoError(t, err)
		require.Equal(t, accord.Superior{CommonUnitID: units["HQ"].ID, UnitID: units["HQ"].ID, HeadUserID: top,
			HeadIsParty: true, NaturalHeadUserID: top, NaturalUnitID: units["HQ"].ID}, got)
	})
}

func TestSharedSuperiorSkipsVacantAndInactiveHeads(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	units := companyTree(t, w)
	ops := units["Operations centre"]
	_, err := w.Store.SetUnitHead(w.Ctx, 0, ops.ID, ops.Version, nil)
	require.NoError(t, err)

	top := headOf(units["HQ"])
	got, err := w.Store.SharedSuperior(w.Ctx, units["Sales"].ID, units["Marketing"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, accord.Superior{CommonUnitID: ops.ID, UnitID: units["HQ"].ID,
		HeadUserID: top, VacantSkipped: 1, NaturalHeadUserID: top, NaturalUnitID: units["HQ"].ID}, got)

	// A deactivated head of the root leaves no one above: not found, not a wrong answer.
	topUser, err := w.Store.User(w.Ctx, top)
	require.NoError(t, err)
	require.NoError(t, w.Store.DeactivateUser(w.Ctx, 0, topUser.ID, topUser.Version))
	_, err = w.Store.SharedSuperior(w.Ctx, units["Sales"].ID, units["Marketing"].ID, 0)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))

	_, err = w.Store.SharedSuperior(w.Ctx, units["Sales"].ID, 999999, 0)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestSharedSuperiorWithSeveralMemberships(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	units := companyTree(t, w)
	// The IT head also joins Marketing and is made head of Data: routing is by unit,
	// so memberships do not change who decides, but heading a party is reported.
	it := headOf(units["IT"])
	require.NoError(t, w.Store.AddMembership(w.Ctx, 0, it, units["Marketing"].ID))
	data := units["Data"]
	_, err := w.Store.SetUnitHead(w.Ctx, 0, data.ID, data.Version, &it)
	require.NoError(t, err)

	got, err := w.Store.SharedSuperior(w.Ctx, units["IT"].ID, units["Data"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, headOf(units["Technology centre"]), got.HeadUserID)
	require.False(t, got.HeadIsParty)

	got, err = w.Store.SharedSuperior(w.Ctx, units["Marketing"].ID, units["IT"].ID, 0)
	require.NoError(t, err)
	require.Equal(t, headOf(units["HQ"]), got.HeadUserID)

	v, err := w.Store.Viewer(w.Ctx, it)
	require.NoError(t, err)
	var names []string
	for _, m := range v.Memberships {
		names = append(names, m.UnitNameEN)
	}
	require.Equal(t, []string{"Marketing", "IT", "Data"}, names)
	require.Equal(t, accord.Roles{Head: true}, v.Roles)
}

func TestMoveUnitRewritesSubtree(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	units := companyTree(t, w)
	tech := units["Technology centre"]
	ops := units["Operations centre"]
	moved, err := w.Store.MoveUnit(w.Ctx, 0, tech.ID, tech.Version, ops.ID)
	require.NoError(t, err)
	require.Equal(t, []int64{units["HQ"].ID, ops.ID, tech.ID}, moved.Path)
	require.Equal(t, tech.Version+1, moved.Version)

	it, err := w.Store.Unit(w.Ctx, units["IT"].ID)
	require.NoError(t, err)
	require.Equal(t, []int64{units["HQ"].ID, ops.ID, tech.ID, it.ID}, it.Path)

	// After-sales ↔ IT now meet in the Operations centre.
	sup, err := w.Store.SharedSuperior(w.Ctx, units["After-sales"].ID, it.ID, 0)
	require.NoError(t, err)
	require.Equal(t, headOf(ops), sup.HeadUserID)

	// Moving Operations under IT would make a cycle.
	ops, err = w.Store.Unit(w.Ctx, ops.ID)
	require.NoError(t, err)
	_, err = w.Store.MoveUnit(w.Ctx, 0, ops.ID, ops.Version, it.ID)
	require.Equal(t, "unit_move_cycle", accord.FieldErrors(err)["parent_id"])

	// A stale version is a conflict, not an overwrite.
	_, err = w.Store.MoveUnit(w.Ctx, 0, tech.ID, tech.Version, units["HQ"].ID)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))

	history, err := w.Store.AuditEntries(w.Ctx, "unit", tech.ID, 10)
	require.NoError(t, err)
	require.Equal(t, accord.AuditMove, history[0].Action)
}

func TestCloseUnit(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	centre := w.Unit(t, storetest.UnitOpts{})
	w.Unit(t, storetest.UnitOpts{Parent: &centre})
	_, err := w.Store.CloseUnit(w.Ctx, 0, centre.ID, centre.Version)
	require.Equal(t, "unit_close_has_children", errMessageID(err))

	legal := w.Unit(t, storetest.UnitOpts{})
	closed, err := w.Store.CloseUnit(w.Ctx, 0, legal.ID, legal.Version)
	require.NoError(t, err)
	require.False(t, closed.Open())

	_, err = w.Store.CreateUnit(w.Ctx, 0, accord.UnitInput{Name: "合规", ParentID: legal.ID})
	require.Equal(t, "unit_parent_closed", accord.FieldErrors(err)["parent_id"])

	hq := w.Root(t)
	_, err = w.Store.CloseUnit(w.Ctx, 0, hq.ID, hq.Version)
	require.Equal(t, "unit_close_root", errMessageID(err))

	_, err = w.Store.CreateUnit(w.Ctx, 0, accord.UnitInput{Name: "第二总部"})
	require.Equal(t, "unit_root_exists", errMessageID(err))
}

func TestViewerRoles(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	units := companyTree(t, w)
	lead := w.Head(t, units["After-sales"])
	w.Project(t, storetest.ProjectOpts{Owner: ptr(units["After-sales"]), Lead: &lead})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{units["IT"]}})
	tests := []struct {
		who  string
		user int64
		want accord.Roles
	}{
		{"an administrator", w.Person(t, storetest.PersonOpts{Admin: true}).ID, accord.Roles{Admin: true}},
		{"the root's head", headOf(units["HQ"]), accord.Roles{Head: true, Executive: true}},
		{"a centre's head", headOf(units["Operations centre"]), accord.Roles{Head: true, Executive: true}},
		{"a department head leading a project", lead.ID, accord.Roles{Head: true, Lead: true}},
		{"a department head", headOf(units["IT"]), accord.Roles{Head: true}},
		{"a member", dev.ID, accord.Roles{}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			v, err := w.Store.Viewer(w.Ctx, tt.user)
			require.NoError(t, err)
			require.Equal(t, tt.want, v.Roles)
		})
	}

	// A deactivated user has no viewer, so their sessions stop working.
	require.NoError(t, w.Store.DeactivateUser(w.Ctx, 0, dev.ID, dev.Version))
	_, err := w.Store.Viewer(w.Ctx, dev.ID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestCreateUserRejectsDuplicateEmail(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	w.Person(t, storetest.PersonOpts{Email: "ceo@accord.test"})
	_, err := w.Store.CreateUser(w.Ctx, 0, accord.NewUser{Email: "CEO@accord.test", Name: "x"}, "h")
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	require.Equal(t, "user_email_taken", accord.FieldErrors(err)["email"])
}

func TestUsersFilterAndPaging(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	huang := w.Person(t, storetest.PersonOpts{Name: "黄磊", NameEN: "Huang Lei", Email: "huang.lei@corp.test"})
	it := w.Unit(t, storetest.UnitOpts{Name: "信息技术部", NameEN: "IT", Head: &huang})
	for i := range 9 {
		w.Person(t, storetest.PersonOpts{Email: fmt.Sprintf("colleague%d@corp.test", i)})
	}

	rows, total, err := w.Store.Users(w.Ctx, store.UserFilter{Query: "corp.test", Offset: 5, Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 10, total)
	require.Len(t, rows, 5)

	rows, total, err = w.Store.Users(w.Ctx, store.UserFilter{Query: "Huang", Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "huang.lei@corp.test", rows[0].Email)
	require.Equal(t, []accord.Membership{{UnitID: it.ID, UnitName: "信息技术部", UnitNameEN: "IT", IsHead: true}}, rows[0].Units)

	// Pattern characters are literal.
	_, total, err = w.Store.Users(w.Ctx, store.UserFilter{Query: "%", Limit: 5})
	require.NoError(t, err)
	require.Equal(t, 0, total)
}

// TestAUnitCreatedWhileItsAncestorMovesMovesWithIt: an administrator creates a unit
// under another while a second moves an ancestor of both. The new unit's path must
// follow the move, or the tree is broken below it.
func TestAUnitCreatedWhileItsAncestorMovesMovesWithIt(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st, pool := w.Ctx, w.Store, w.Store.Pool()
	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	root := w.Root(t)
	moved := w.Unit(t, storetest.UnitOpts{})
	below := w.Unit(t, storetest.UnitOpts{Parent: &moved})
	target := w.Unit(t, storetest.UnitOpts{})

	// CreateUnit under below, as it runs: its parent read FOR SHARE, the unit inserted.
	creating, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = creating.Rollback(ctx) }()
	var parentPath []int64
	require.NoError(t, creating.QueryRow(ctx, `SELECT path FROM units WHERE id = $1 FOR SHARE`, below.ID).Scan(&parentPath))
	var created int64
	require.NoError(t, creating.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('units', 'id'))`).Scan(&created))
	_, err = creating.Exec(ctx, `INSERT INTO units (id, parent_id, path, name) VALUES ($1, $2, $3, '新部门')`,
		created, below.ID, append(parentPath, created))
	require.NoError(t, err)

	m, err := st.Unit(ctx, moved.ID)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := st.MoveUnit(ctx, admin.ID, moved.ID, m.Version, target.ID)
		done <- err
	}()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "the move waits for the unit being created")
	require.NoError(t, creating.Commit(ctx))
	require.NoError(t, <-done)

	var path []int64
	require.NoError(t, pool.QueryRow(ctx, `SELECT path FROM units WHERE id = $1`, created).Scan(&path))
	require.Equal(t, []int64{root.ID, target.ID, moved.ID, below.ID, created}, path)
}
