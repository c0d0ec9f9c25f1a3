package store_test

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/orgio"
	"accord/internal/pgtest"
	"accord/internal/store"
)

func orgFile() orgio.File {
	return orgio.File{
		Units: []orgio.UnitRow{
			{Sheet: "U", Row: 2, Code: "HQ", Name: "总部", NameEN: "HQ", HeadEmail: "ceo@x.test"},
			{Sheet: "U", Row: 3, Code: "A", Name: "甲部", NameEN: "A", ParentCode: "HQ"},
			{Sheet: "U", Row: 4, Code: "B", Name: "乙部", ParentCode: "A", HeadEmail: "p1@x.test"},
			{Sheet: "U", Row: 5, Code: "C", Name: "丙部", ParentCode: "B"},
		},
		People: []orgio.PersonRow{
			{Sheet: "P", Row: 2, Email: "admin@x.test", Name: "管理员", UnitCodes: []string{"HQ"}, Active: true},
			{Sheet: "P", Row: 3, Email: "ceo@x.test", Name: "陈", NameEN: "Chen", Active: true},
			{Sheet: "P", Row: 4, Email: "p1@x.test", Name: "甲", UnitCodes: []string{"A"}, Active: true},
			{Sheet: "P", Row: 5, Email: "p2@x.test", Name: "乙", UnitCodes: []string{"C"}, Active: true},
		},
	}
}

// checkPaths holds every unit's path to its parent's path and itself.
func checkPaths(t *testing.T, units []accord.Unit) map[string]accord.Unit {
	t.Helper()
	byID := map[int64]accord.Unit{}
	byCode := map[string]accord.Unit{}
	for _, u := range units {
		byID[u.ID] = u
		byCode[u.Code] = u
	}
	for _, u := range units {
		want := []int64{u.ID}
		if u.ParentID != nil {
			want = append(slices.Clone(byID[*u.ParentID].Path), u.ID)
		}
		require.Equal(t, want, u.Path, "path of %s", u.Code)
	}
	return byCode
}

func TestOrgImportAppliesThenChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	admin, err := st.CreateUser(ctx, 0, accord.NewUser{Email: "Admin@x.test", Name: "管理员", IsAdmin: true}, "x")
	require.NoError(t, err)
	opts := store.OrgImportOptions{PasswordHash: "unusable", Filename: "org.xlsx"}

	f := orgFile()
	pl, err := st.PlanOrgImport(ctx, admin.ID, f)
	require.NoError(t, err)
	require.Empty(t, pl.Errors)
	require.Len(t, pl.UnitsCreated, 4)
	require.Len(t, pl.PeopleCreated, 3)
	opts.Digest = pl.Digest()
	_, err = st.ApplyOrgImport(ctx, admin.ID, f, opts)
	require.NoError(t, err)

	units, err := st.Units(ctx)
	require.NoError(t, err)
	byCode := checkPaths(t, units)
	require.Len(t, byCode, 4)
	require.Equal(t, "陈", byCode["HQ"].HeadName)
	require.Equal(t, "甲", byCode["B"].HeadName)
	viewer, err := st.Viewer(ctx, *byCode["B"].HeadUserID)
	require.NoError(t, err)
	require.Len(t, viewer.Memberships, 2, "p1 is in A and, as its head, in B")
	history, err := st.AuditEntries(ctx, accord.AuditOrganisation, 0, 10)
	require.NoError(t, err)
	require.Len(t, history, 1)
	require.Contains(t, string(history[0].After), `"units_created": 4`)

	// The same file again, and the export, change nothing.
	for _, again := range []func() orgio.File{orgFile, func() orgio.File { e, _ := st.OrgExport(ctx); return e }} {
		pl, err = st.PlanOrgImport(ctx, admin.ID, again())
		require.NoError(t, err)
		require.Empty(t, pl.Errors)
		require.True(t, pl.Empty(), "%+v", pl.Changes)
	}

	// Move B (and C with it) under HQ, rename A, leave C out (closed, under B still),
	// mark p1 inactive after giving B to ceo, leave p2 and the admin out.
	f = orgFile()
	f.Units[1].Name = "甲中心"
	f.Units[2].ParentCode = "HQ"
	f.Units[2].HeadEmail = "ceo@x.test"
	f.Units = f.Units[:3]
	f.People[2].Active = false
	f.People = f.People[1:3]
	opts.Digest = ""
	pl, err = st.ApplyOrgImport(ctx, admin.ID, f, opts)
	require.NoError(t, err)
	require.Len(t, pl.UnitsMoved, 1)
	require.Len(t, pl.UnitsRenamed, 1)
	require.Len(t, pl.UnitsClosed, 1)
	require.Len(t, pl.PeopleDeactivated, 2)
	require.True(t, pl.ActorKept)

	units, err = st.Units(ctx)
	require.NoError(t, err)
	byCode = checkPaths(t, units)
	require.Equal(t, byCode["HQ"].ID, *byCode["B"].ParentID)
	require.Equal(t, []int64{byCode["HQ"].ID, byCode["B"].ID, byCode["C"].ID}, byCode["C"].Path)
	require.False(t, byCode["C"].Open())
	require.Equal(t, "甲中心", byCode["A"].Name)
	require.Equal(t, "陈", byCode["B"].HeadName)
	for email, active := range map[string]bool{"admin@x.test": true, "p1@x.test": false, "p2@x.test": false} {
		rows, _, err := st.Users(ctx, store.UserFilter{Query: email, IncludeInactive: true, Limit: 5})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		require.Equal(t, active, rows[0].Active(), email)
	}
	pl, err = st.PlanOrgImport(ctx, admin.ID, f)
	require.NoError(t, err)
	require.True(t, pl.Empty(), "%+v", pl.Changes)

	// Bring C back: reopened where the file says.
	f.Units = append(f.Units, orgio.UnitRow{Sheet: "U", Row: 9, Code: "C", Name: "丙部", ParentCode: "A"})
	pl, err = st.ApplyOrgImport(ctx, admin.ID, f, opts)
	require.NoError(t, err)
	require.Len(t, pl.UnitsReopened, 1)
	units, err = st.Units(ctx)
	require.NoError(t, err)
	byCode = checkPaths(t, units)
	require.True(t, byCode["C"].Open())
	require.Equal(t, byCode["A"].ID, *byCode["C"].ParentID)

	// A plan that is not the one checked applies nothing.
	f.Units[1].Name = "又改了"
	opts.Digest = "not-the-plan"
	_, err = st.ApplyOrgImport(ctx, admin.ID, f, opts)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	u, err := st.Unit(ctx, byCode["A"].ID)
	require.NoError(t, err)
	require.Equal(t, "甲中心", u.Name)
}

func TestOrgImportWithErrorsChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	admin, err := st.CreateUser(ctx, 0, accord.NewUser{Email: "admin@x.test", Name: "管理员", IsAdmin: true}, "x")
	require.NoError(t, err)
	_, err = st.ApplyOrgImport(ctx, admin.ID, orgFile(), store.OrgImportOptions{PasswordHash: "x"})
	require.NoError(t, err)
	before, err := st.OrgCurrent(ctx, admin.ID)
	require.NoError(t, err)

	f := orgFile()
	f.Units = append(f.Units,
		orgio.UnitRow{Sheet: "U", Row: 6, Code: "D", Name: "丁", ParentCode: "NOPE"},                   // unknown parent
		orgio.UnitRow{Sheet: "U", Row: 7, Code: "E", Name: "戊", ParentCode: "F"},                      // cycle
		orgio.UnitRow{Sheet: "U", Row: 8, Code: "F", Name: "己", ParentCode: "E"},                      // cycle
		orgio.UnitRow{Sheet: "U", Row: 9, Code: "A", Name: "重复", ParentCode: "HQ"},                    // duplicate code
		orgio.UnitRow{Sheet: "U", Row: 10, Code: "G", Name: "庚", ParentCode: "HQ", HeadEmail: "x@no"}, // unknown head
		orgio.UnitRow{Sheet: "U", Row: 11, Code: "H", ParentCode: "HQ"},                               // missing name
	)
	f.People = append(f.People,
		orgio.PersonRow{Sheet: "P", Row: 6, Email: "not-an-email", Name: "坏", Active: true},
		orgio.PersonRow{Sheet: "P", Row: 7, Email: "p1@x.test", Name: "重", Active: true},
	)
	f.People[0].Active = false // the admin applying it
	pl, err := st.ApplyOrgImport(ctx, admin.ID, f, store.OrgImportOptions{PasswordHash: "x"})
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
	var got []string
	for _, e := range pl.Errors {
		got = append(got, e.Sheet+" "+e.MessageID)
	}
	require.ElementsMatch(t, []string{"U org_import_unknown_parent", "U org_import_cycle", "U org_import_cycle",
		"U org_import_duplicate_code", "U org_import_unknown_head", "U field_required",
		"P org_import_bad_email", "P org_import_duplicate_email", "P org_import_deactivate_self"}, got)
	after, err := st.OrgCurrent(ctx, admin.ID)
	require.NoError(t, err)
	require.Equal(t, before, after)
}

// TestDemoOrganisationExportImportsAsNoChange: the demo organisation, exported to a
// spreadsheet and imported back, changes nothing.
func TestDemoOrganisationExportImportsAsNoChange(t *testing.T) {
	b := setupDemo(t)
	admin := b.users["admin@accord.demo"]
	exported, err := b.st.OrgExport(b.ctx)
	require.NoError(t, err)
	require.Len(t, exported.Units, 15)
	require.Equal(t, "HQ", exported.Units[0].Code)
	var x bytes.Buffer
	require.NoError(t, orgio.Write(&x, exported))
	f := orgio.Read(orgio.Upload{Name: "org.xlsx", Data: x.Bytes()})
	require.Empty(t, f.Problems)
	before, err := b.st.OrgCurrent(b.ctx, admin.ID)
	require.NoError(t, err)
	pl, err := b.st.ApplyOrgImport(b.ctx, admin.ID, f, store.OrgImportOptions{PasswordHash: "x"})
	require.NoError(t, err)
	require.Empty(t, pl.Errors)
	require.True(t, pl.Empty(), "%+v", pl.Changes)
	after, err := b.st.OrgCurrent(b.ctx, admin.ID)
	require.NoError(t, err)
	require.Equal(t, before, after)
}

// TestOrgImportMovesAUnitUnderItsFormerChild: HQ › A › B › C becomes HQ › B › A, C
// under B still: every path, descendants' too, follows.
func TestOrgImportMovesAUnitUnderItsFormerChild(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	admin, err := st.CreateUser(ctx, 0, accord.NewUser{Email: "admin@x.test", Name: "管理员", IsAdmin: true}, "x")
	require.NoError(t, err)
	_, err = st.ApplyOrgImport(ctx, admin.ID, orgFile(), store.OrgImportOptions{PasswordHash: "x"})
	require.NoError(t, err)
	f := orgFile()
	f.Units[1].ParentCode = "B" // A under B
	f.Units[2].ParentCode = "HQ"
	pl, err := st.ApplyOrgImport(ctx, admin.ID, f, store.OrgImportOptions{PasswordHash: "x"})
	require.NoError(t, err)
	require.Len(t, pl.UnitsMoved, 2)
	units, err := st.Units(ctx)
	require.NoError(t, err)
	byCode := checkPaths(t, units)
	require.Equal(t, []int64{byCode["HQ"].ID, byCode["B"].ID, byCode["A"].ID}, byCode["A"].Path)
	require.Equal(t, []int64{byCode["HQ"].ID, byCode["B"].ID, byCode["C"].ID}, byCode["C"].Path)
	pl, err = st.PlanOrgImport(ctx, admin.ID, f)
	require.NoError(t, err)
	require.True(t, pl.Empty())
}
