package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The tree the visibility tests read:
//
//	HQ(1) ─┬─ Ops(2) ─ Sales(4)
//	       └─ Tech(3) ─ IT(6)
//
// and a project led by user 40, owned by Sales and asking IT.
var smartService = ProjectReach{LeadUserID: 40, UnitPaths: [][]int64{{1, 2, 4}, {1, 3, 6}}}

func units(ids ...int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func TestMayViewProject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    ProjectViewer
		want bool
	}{
		{"the lead", ProjectViewer{UserID: 40}, true},
		{"an administrator", ProjectViewer{UserID: 1, Admin: true}, true},
		{"a member of the holding unit", ProjectViewer{UserID: 2, MemberOf: units(6)}, true},
		{"a member of the owning unit", ProjectViewer{UserID: 2, MemberOf: units(4)}, true},
		{"a member of a unit above is not enough", ProjectViewer{UserID: 3, MemberOf: units(3)}, false},
		{"the head of a unit above", ProjectViewer{UserID: 4, Heads: units(3)}, true},
		{"the head of the holding unit", ProjectViewer{UserID: 4, Heads: units(6)}, true},
		{"the head of a sibling unit", ProjectViewer{UserID: 5, Heads: units(5)}, false},
		{"nobody in particular", ProjectViewer{UserID: 6}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewProject(tt.v, smartService))
		})
	}
}

// TestWorkbookObjectsAreSeenWithTheirProject: a need, a commitment and a row on a
// unit's page are seen exactly when their project is; a request too, unless the
// viewer answers for its holder.
func TestWorkbookObjectsAreSeenWithTheirProject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    ProjectViewer
		want bool
	}{
		{"the lead", ProjectViewer{UserID: 40}, true},
		{"an administrator", ProjectViewer{UserID: 1, Admin: true}, true},
		{"a member of the holding unit", ProjectViewer{UserID: 2, MemberOf: units(6)}, true},
		{"the head of a unit above", ProjectViewer{UserID: 4, Heads: units(1)}, true},
		{"a member of a unit above", ProjectViewer{UserID: 3, MemberOf: units(1, 2)}, false},
		{"the head of a sibling unit", ProjectViewer{UserID: 5, Heads: units(5)}, false},
		{"nobody in particular", ProjectViewer{UserID: 6}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewNeed(tt.v, smartService), "need")
			require.Equal(t, tt.want, MayViewCommitment(tt.v, smartService), "commitment")
			require.Equal(t, tt.want, MayNameOnUnitPage(tt.v, smartService), "unit page row")
			require.Equal(t, tt.want, MayViewRequest(tt.v, smartService, RequestParty{}), "request, no part in it")
			require.True(t, MayViewRequest(tt.v, smartService, RequestParty{HolderHead: true}), "the holder's head")
			require.True(t, MayViewRequest(tt.v, smartService, RequestParty{Delegate: true}), "the key person")
		})
	}
}

func TestMayViewRequest(t *testing.T) {
	t.Parallel()
	outsider := ProjectViewer{UserID: 7}
	tests := []struct {
		name  string
		v     ProjectViewer
		party RequestParty
		want  bool
	}{
		{"an outsider", outsider, RequestParty{}, false},
		{"the head of the holding unit, seeing the project", ProjectViewer{UserID: 8, Heads: units(6)}, RequestParty{HolderHead: true}, true},
		// A head whose post the project no longer touches (the need moved elsewhere)
		// still answers for the request they hold.
		{"the holder's head, the project closed to them", outsider, RequestParty{HolderHead: true}, true},
		{"the key person, the project closed to them", outsider, RequestParty{Delegate: true}, true},
		{"the lead", ProjectViewer{UserID: 40}, RequestParty{Lead: true}, true},
		{"a member of the owning unit", ProjectViewer{UserID: 9, MemberOf: units(4)}, RequestParty{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewRequest(tt.v, smartService, tt.party))
		})
	}
}

// TestProjectEditorsEditTheWholeWorkbook: the project, its needs and its
// commitments have one editor rule.
func TestProjectEditorsEditTheWholeWorkbook(t *testing.T) {
	t.Parallel()
	p := Project{ID: 1, LeadUserID: 40, OwningUnitID: 4}
	holderHead := Viewer{User: User{ID: 8}, Roles: Roles{Head: true}, Memberships: []Membership{{UnitID: 6, IsHead: true}}}
	ownerHead := Viewer{User: User{ID: 9}, Roles: Roles{Head: true, Executive: true},
		Memberships: []Membership{{UnitID: 2, IsHead: true}, {UnitID: 4}}}
	tests := []struct {
		name string
		v    Viewer
		p    Project
		want bool
	}{
		{"the lead", Viewer{User: User{ID: 40}, Roles: Roles{Lead: true}}, p, true},
		{"an administrator", Viewer{User: User{ID: 1}, Roles: Roles{Admin: true}}, p, true},
		{"the holding unit's head", holderHead, p, false},
		{"the head above the owning unit", ownerHead, p, false},
		{"another lead", Viewer{User: User{ID: 41}, Roles: Roles{Lead: true}}, p, false},
		{"nobody, on a project without a lead", Viewer{}, Project{ID: 2}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayEditProject(tt.v, tt.p), "project")
			require.Equal(t, tt.want, MayEditNeed(tt.v, tt.p), "need")
			require.Equal(t, tt.want, MayEditCommitment(tt.v, tt.p), "commitment")
		})
	}
}

func TestRequestPartiesWhoEscalateAndNudge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		party RequestParty
		want  bool
	}{
		{"the lead", RequestParty{Lead: true}, true},
		{"a lead who also heads the holder", RequestParty{Lead: true, HolderHead: true}, true},
		{"the holder's head", RequestParty{HolderHead: true}, false},
		{"the key person", RequestParty{Delegate: true}, false},
		{"nobody in it", RequestParty{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.party.MayEscalate(), "escalate")
			require.Equal(t, tt.want, tt.party.MayNudge(), "nudge")
		})
	}
}

func TestMayViewEscalation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		party EscalationParty
		want  bool
	}{
		{"its superior", EscalationParty{Superior: true}, true},
		{"the lead", EscalationParty{Lead: true}, true},
		{"the holder's head", EscalationParty{HolderHead: true}, true},
		{"the key person", EscalationParty{KeyPerson: true}, true},
		{"an administrator", EscalationParty{Admin: true}, true},
		{"someone it was sent to once", EscalationParty{Told: true}, true},
		{"the clock alone", EscalationParty{Clock: true}, false},
		{"nobody in it", EscalationParty{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewEscalation(tt.party))
		})
	}
}

// TestPagesForEveryoneSignedIn: unit pages and goals are read by anyone signed in,
// and by nobody else.
func TestPagesForEveryoneSignedIn(t *testing.T) {
	t.Parallel()
	gone := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    Viewer
		want bool
	}{
		{"a member with no role", Viewer{User: User{ID: 5}}, true},
		{"an administrator", Viewer{User: User{ID: 1}, Roles: Roles{Admin: true}}, true},
		{"nobody", Viewer{}, false},
		{"a deactivated person", Viewer{User: User{ID: 5, DeactivatedAt: &gone}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewUnitPage(tt.v), "unit page")
			require.Equal(t, tt.want, MayViewGoals(tt.v), "goals")
		})
	}
}

func TestMayAdminister(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		roles Roles
		want  bool
	}{
		{"an administrator", Roles{Admin: true}, true},
		{"an executive", Roles{Head: true, Executive: true}, false},
		{"a head", Roles{Head: true}, false},
		{"a lead", Roles{Lead: true}, false},
		{"a key person", Roles{KeyPerson: true}, false},
		{"a member", Roles{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayAdminister(Viewer{User: User{ID: 3}, Roles: tt.roles}))
		})
	}
}

// TestPortfolioRows: a portfolio holds the projects within reach of the units its
// reader heads, which they may always open; leads and members see projects that are
// not in it.
func TestPortfolioRows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		v         ProjectViewer
		row, open bool
	}{
		{"an administrator", ProjectViewer{UserID: 1, Admin: true}, true, true},
		{"the head of the root", ProjectViewer{UserID: 2, Heads: units(1)}, true, true},
		{"the head above the holder", ProjectViewer{UserID: 3, Heads: units(3)}, true, true},
		{"the head of the owning unit", ProjectViewer{UserID: 4, Heads: units(4)}, true, true},
		{"the lead, heading nothing", ProjectViewer{UserID: 40}, false, true},
		{"a member of the holding unit", ProjectViewer{UserID: 5, MemberOf: units(6)}, false, true},
		{"the head of a sibling unit", ProjectViewer{UserID: 6, Heads: units(5)}, false, false},
		{"nobody in particular", ProjectViewer{UserID: 7}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.row, MayViewPortfolioRow(tt.v, smartService), "in the portfolio")
			require.Equal(t, tt.open, MayViewProject(tt.v, smartService), "may open the project")
		})
	}
}

func TestMayViewUnitLoad(t *testing.T) {
	t.Parallel()
	it := []int64{1, 3, 6}
	tests := []struct {
		name string
		v    ProjectViewer
		want bool
	}{
		{"an administrator", ProjectViewer{UserID: 1, Admin: true}, true},
		{"the head of the unit", ProjectViewer{UserID: 2, Heads: units(6)}, true},
		{"the head of a unit above", ProjectViewer{UserID: 3, Heads: units(3)}, true},
		{"the head of a sibling unit", ProjectViewer{UserID: 4, Heads: units(2, 4)}, false},
		{"a member of the unit", ProjectViewer{UserID: 5, MemberOf: units(6)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewUnitLoad(tt.v, it))
		})
	}
}

func TestNotificationsAreTheirRecipientsAlone(t *testing.T) {
	t.Parallel()
	gone := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	n := Notification{ID: 9, UserID: 5}
	tests := []struct {
		name string
		v    Viewer
		n    Notification
		want bool
	}{
		{"its recipient", Viewer{User: User{ID: 5}}, n, true},
		{"someone else", Viewer{User: User{ID: 6}}, n, false},
		{"an administrator", Viewer{User: User{ID: 1}, Roles: Roles{Admin: true}}, n, false},
		{"its recipient, deactivated", Viewer{User: User{ID: 5, DeactivatedAt: &gone}}, n, false},
		{"nobody, on a notification to nobody", Viewer{}, Notification{ID: 10}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, MayViewNotification(tt.v, tt.n), "read")
			require.Equal(t, tt.want, MayMarkNotificationRead(tt.v, tt.n), "mark read")
		})
	}
}
