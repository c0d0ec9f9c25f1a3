package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

func TestUserByEmail(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Person(t, storetest.PersonOpts{Email: "huang.lei@accord.test"})

	got, err := w.Store.UserByEmail(w.Ctx, "Huang.Lei@Accord.Test")
	require.NoError(t, err)
	require.Equal(t, it, got)

	// Deactivated people are found too: the caller decides what they may still do.
	require.NoError(t, w.Store.DeactivateUser(w.Ctx, 0, it.ID, it.Version))
	got, err = w.Store.UserByEmail(w.Ctx, "huang.lei@accord.test")
	require.NoError(t, err)
	require.Equal(t, it.ID, got.ID)
	require.False(t, got.Active())

	_, err = w.Store.UserByEmail(w.Ctx, "nobody@accord.test")
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
	require.Equal(t, map[string]string{"email": "user_not_found"}, accord.FieldErrors(err))
}

func TestUnitMembers(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	head := w.Person(t, storetest.PersonOpts{Email: "head@accord.test"})
	it := w.Unit(t, storetest.UnitOpts{Head: &head})
	dev := w.Person(t, storetest.PersonOpts{Email: "dev@accord.test", Units: []accord.Unit{it}})
	emails := func() []string {
		t.Helper()
		members, err := w.Store.UnitMembers(w.Ctx, it.ID)
		require.NoError(t, err)
		var out []string
		for _, m := range members {
			out = append(out, m.Email)
		}
		return out
	}
	// The head comes first.
	require.Equal(t, []string{"head@accord.test", "dev@accord.test"}, emails())

	// A new head moves to the top; the old head stays a member.
	_, err := w.Store.SetUnitHead(w.Ctx, 0, it.ID, it.Version, &dev.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"dev@accord.test", "head@accord.test"}, emails())

	// A deactivated member is listed after the active ones.
	w.Person(t, storetest.PersonOpts{Email: "analyst@accord.test", Units: []accord.Unit{it}})
	require.NoError(t, w.Store.DeactivateUser(w.Ctx, 0, head.ID, head.Version))
	require.Equal(t, []string{"dev@accord.test", "analyst@accord.test", "head@accord.test"}, emails())

	members, err := w.Store.UnitMembers(w.Ctx, 999999)
	require.NoError(t, err)
	require.Empty(t, members)
}

func TestUserWithUnits(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	it := w.Unit(t, storetest.UnitOpts{Name: "信息技术部", NameEN: "IT"})
	training := w.Unit(t, storetest.UnitOpts{Name: "培训部", NameEN: "Training"})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{it}})
	require.NoError(t, w.Store.AddMembership(w.Ctx, 0, dev.ID, training.ID))

	row, err := w.Store.UserWithUnits(w.Ctx, dev.ID)
	require.NoError(t, err)
	require.Equal(t, dev, row.User)
	require.Equal(t, []accord.Membership{
		{UnitID: it.ID, UnitName: "信息技术部", UnitNameEN: "IT"},
		{UnitID: training.ID, UnitName: "培训部", UnitNameEN: "Training"},
	}, row.Units)

	// Closed units drop out of the list.
	_, err = w.Store.CloseUnit(w.Ctx, 0, training.ID, training.Version)
	require.NoError(t, err)
	row, err = w.Store.UserWithUnits(w.Ctx, dev.ID)
	require.NoError(t, err)
	require.Equal(t, []accord.Membership{{UnitID: it.ID, UnitName: "信息技术部", UnitNameEN: "IT"}}, row.Units)

	_, err = w.Store.UserWithUnits(w.Ctx, 999999)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestAuditEntriesCarryTimeAndActor(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	admin := w.Person(t, storetest.PersonOpts{Name: "系统管理员", NameEN: "System Administrator", Admin: true})
	legal := w.Unit(t, storetest.UnitOpts{})
	_, err := w.Store.RenameUnit(w.Ctx, admin.ID, legal.ID, legal.Version, "法务合规部", "Legal & compliance")
	require.NoError(t, err)

	entries, err := w.Store.AuditEntries(w.Ctx, "unit", legal.ID, 20)
	require.NoError(t, err)
	require.Equal(t, accord.AuditRename, entries[0].Action)
	require.Equal(t, "系统管理员", entries[0].ActorName)
	require.Equal(t, "System Administrator", entries[0].ActorNameEN)
	require.False(t, entries[0].At.IsZero())
	require.False(t, entries[0].At.Before(entries[len(entries)-1].At), "newest first")
	// The factories act as the system: no actor.
	require.Equal(t, "", entries[len(entries)-1].ActorName)
}
