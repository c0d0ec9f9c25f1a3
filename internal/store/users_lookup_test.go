package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestUserByEmail(t *testing.T) {
	b := setup(t)
	it := b.users["it@accord.demo"]

	got, err := b.st.UserByEmail(b.ctx, "IT@Accord.Demo")
	require.NoError(t, err)
	require.Equal(t, it, got)

	// Deactivated people are found too: the caller decides what they may still do.
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, it.ID, it.Version))
	got, err = b.st.UserByEmail(b.ctx, "it@accord.demo")
	require.NoError(t, err)
	require.Equal(t, it.ID, got.ID)
	require.False(t, got.Active())

	_, err = b.st.UserByEmail(b.ctx, "nobody@accord.demo")
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
	require.Equal(t, map[string]string{"email": "user_not_found"}, accord.FieldErrors(err))
}

func TestUnitMembers(t *testing.T) {
	b := setup(t)
	it := b.units["IT"]
	emails := func() []string {
		t.Helper()
		members, err := b.st.UnitMembers(b.ctx, it.ID)
		require.NoError(t, err)
		var out []string
		for _, m := range members {
			out = append(out, m.Email)
		}
		return out
	}
	// The head comes first.
	require.Equal(t, []string{"it@accord.demo", "it.dev@accord.demo"}, emails())

	// A new head moves to the top; the old head stays a member.
	dev := b.users["it.dev@accord.demo"]
	_, err := b.st.SetUnitHead(b.ctx, 0, it.ID, it.Version, &dev.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"it.dev@accord.demo", "it@accord.demo"}, emails())

	// A deactivated member is listed after the active ones.
	data := b.users["data.analyst@accord.demo"]
	require.NoError(t, b.st.AddMembership(b.ctx, 0, data.ID, it.ID))
	old := b.users["it@accord.demo"]
	require.NoError(t, b.st.DeactivateUser(b.ctx, 0, old.ID, old.Version))
	require.Equal(t, []string{"it.dev@accord.demo", "data.analyst@accord.demo", "it@accord.demo"}, emails())

	members, err := b.st.UnitMembers(b.ctx, 999999)
	require.NoError(t, err)
	require.Empty(t, members)
}

func TestUserWithUnits(t *testing.T) {
	b := setup(t)
	dev := b.users["it.dev@accord.demo"]
	training := b.units["Training"]
	require.NoError(t, b.st.AddMembership(b.ctx, 0, dev.ID, training.ID))

	row, err := b.st.UserWithUnits(b.ctx, dev.ID)
	require.NoError(t, err)
	require.Equal(t, dev, row.User)
	require.Equal(t, []accord.Membership{
		{UnitID: b.units["IT"].ID, UnitName: "信息技术部", UnitNameEN: "IT"},
		{UnitID: training.ID, UnitName: "培训部", UnitNameEN: "Training"},
	}, row.Units)

	// Closed units drop out of the list.
	_, err = b.st.CloseUnit(b.ctx, 0, training.ID, training.Version)
	require.NoError(t, err)
	row, err = b.st.UserWithUnits(b.ctx, dev.ID)
	require.NoError(t, err)
	require.Equal(t, []accord.Membership{{UnitID: b.units["IT"].ID, UnitName: "信息技术部", UnitNameEN: "IT"}}, row.Units)

	_, err = b.st.UserWithUnits(b.ctx, 999999)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}

func TestAuditEntriesCarryTimeAndActor(t *testing.T) {
	b := setup(t)
	admin := b.users["admin@accord.demo"]
	legal := b.units["Legal"]
	_, err := b.st.RenameUnit(b.ctx, admin.ID, legal.ID, legal.Version, "法务合规部", "Legal & compliance")
	require.NoError(t, err)

	entries, err := b.st.AuditEntries(b.ctx, "unit", legal.ID, 20)
	require.NoError(t, err)
	require.Equal(t, accord.AuditRename, entries[0].Action)
	require.Equal(t, "系统管理员", entries[0].ActorName)
	require.Equal(t, "System Administrator", entries[0].ActorNameEN)
	require.False(t, entries[0].At.IsZero())
	require.False(t, entries[0].At.Before(entries[len(entries)-1].At), "newest first")
	// The demo loader acted as the system: no actor.
	require.Equal(t, "", entries[len(entries)-1].ActorName)
}
