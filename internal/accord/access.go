package accord

// Access rules written once in Go. Lists and aggregates apply the same rules in SQL,
// inside their queries (store.canViewProject); a property test over generated
// organisations (store's TestProjectVisibilityAgreesWithTheRule) checks that the two
// agree.

// ProjectViewer is what project visibility knows of a person.
type ProjectViewer struct {
	UserID   int64
	Admin    bool
	MemberOf map[int64]bool // every unit they belong to
	Heads    map[int64]bool // the open units they head
}

// ProjectReach is what project visibility knows of a project: its lead and the paths
// of the units it touches, the owning unit and each unit holding one of its needs.
type ProjectReach struct {
	LeadUserID int64
	UnitPaths  [][]int64
}

// MayViewProject reports whether v may see project p: its lead, an administrator, a
// member of a unit it touches, or the head of such a unit or of any open unit above
// one. Anyone else does not learn it exists.
func MayViewProject(v ProjectViewer, p ProjectReach) bool {
	if v.Admin || v.UserID == p.LeadUserID {
		return true
	}
	for _, path := range p.UnitPaths {
		if len(path) > 0 && v.MemberOf[path[len(path)-1]] {
			return true
		}
		for _, u := range path {
			if v.Heads[u] {
				return true
			}
		}
	}
	return false
}
