package accord

import (
	"strings"
	"time"
)

// Unit is one node of the org tree: the company, a centre, a department, at any depth.
// Path holds the ids from the root down to the unit itself, so ancestry questions are
// answered from one row instead of a walk up the tree.
type Unit struct {
	ID         int64
	Code       string // stable, unique; what an organisation import matches the unit by
	ParentID   *int64
	Path       []int64
	Name       string
	NameEN     string
	HeadUserID *int64
	HeadName   string // filled by queries that join the head
	HeadNameEN string
	ClosedAt   *time.Time
	CreatedAt  time.Time
	Version    int
}

// DisplayName picks the unit's name for a reader of the given language.
func (u Unit) DisplayName(lang string) string { return localName(u.Name, u.NameEN, lang) }

// HeadDisplayName is the head's name for a reader of the given language, or "".
func (u Unit) HeadDisplayName(lang string) string { return localName(u.HeadName, u.HeadNameEN, lang) }

// Depth is 0 for the root.
func (u Unit) Depth() int { return len(u.Path) - 1 }

// Open reports whether the unit still operates.
func (u Unit) Open() bool { return u.ClosedAt == nil }

// IsAncestorOf reports whether u is a proper ancestor of other.
func (u Unit) IsAncestorOf(other Unit) bool {
	return len(other.Path) > len(u.Path) && other.Path[len(u.Path)-1] == u.ID
}

// UnitInput is what an admin types to create or rename a unit.
type UnitInput struct {
	Code     string // optional on create: empty gets a generated code (U<id>)
	Name     string
	NameEN   string
	ParentID int64
}

// Normalize trims the input.
func (in *UnitInput) Normalize() {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.NameEN = strings.TrimSpace(in.NameEN)
}

// Validate reports every problem with the input at once.
func (in UnitInput) Validate(needParent bool) error {
	var v Validation
	validateName(&v, "name", in.Name, true)
	validateName(&v, "name_en", in.NameEN, false)
	if in.Code != "" {
		if id := UnitCodeProblem(in.Code); id != "" {
			v.Add("code", id)
		}
	}
	if needParent && in.ParentID <= 0 {
		v.Add("parent_id", "field_required")
	}
	return v.Err()
}

// CheckMove refuses a move that would put a unit under itself or its own descendant,
// or move the root.
func CheckMove(unit, newParent Unit) error {
	if unit.ParentID == nil {
		return &Error{Code: ECodeInvalid, MessageID: "unit_move_root", Fields: map[string]string{"parent_id": "unit_move_root"}}
	}
	for _, id := range newParent.Path {
		if id == unit.ID {
			return &Error{Code: ECodeInvalid, MessageID: "unit_move_cycle", Fields: map[string]string{"parent_id": "unit_move_cycle"}}
		}
	}
	if !newParent.Open() {
		return &Error{Code: ECodeInvalid, MessageID: "unit_parent_closed", Fields: map[string]string{"parent_id": "unit_parent_closed"}}
	}
	return nil
}

// CommonAncestor returns the id of the lowest unit on both paths and its index in them.
// ok is false when the paths share no root (which a single tree never produces).
func CommonAncestor(a, b []int64) (id int64, index int, ok bool) {
	index = -1
	for i := 0; i < len(a) && i < len(b) && a[i] == b[i]; i++ {
		index = i
	}
	if index < 0 {
		return 0, -1, false
	}
	return a[index], index, true
}

// Superior is the person who decides between two units, and how they were found.
type Superior struct {
	CommonUnitID   int64 // the lowest common ancestor of the two units
	UnitID         int64 // the unit whose head decides
	HeadUserID     int64 // who decides
	VacantSkipped  int   // vacant posts passed on the way up
	PartiesSkipped int   // posts passed because their head is a party to the case
	// HeadIsParty: nobody above is free of the case, so a party decides (only ever at
	// the top of the tree); every page says so.
	HeadIsParty bool
	// NaturalHeadUserID heads the lowest unit above both with an active head, party or
	// not: the person with authority over both sides. A lead who is that person
	// decides directly instead of escalating.
	NaturalHeadUserID int64
	NaturalUnitID     int64 // the unit NaturalHeadUserID heads
}

// Parties are the people with a stake in a case: the heads of the two units and the
// project's lead. A zero id is nobody.
type Parties []int64

func (p Parties) has(id int64) bool {
	for _, x := range p {
		if x != 0 && x == id {
			return true
		}
	}
	return false
}

// SharedSuperior finds who decides between the units with paths a and b (the
// project's owning unit and the holding unit): the head of their lowest common
// ancestor; when that post is vacant, the head of the nearest ancestor above it that
// has one. Nobody judges their own case: a head who is one of parties (or heads one of
// the two units) is passed over for the next head up, and only when every head up to
// the root is a party does the topmost of them decide, with HeadIsParty set. heads
// maps unit id → active head's user id and holds only posts that are filled. A
// NotFound error means no unit on the way up to the root has a head.
func SharedSuperior(a, b []int64, heads map[int64]int64, parties Parties) (Superior, error) {
	lca, index, ok := CommonAncestor(a, b)
	if !ok {
		return Superior{}, Errorf(ECodeInvalid, "superior_no_common_unit", nil)
	}
	parties = append(Parties{heads[a[len(a)-1]], heads[b[len(b)-1]]}, parties...)
	return superiorFrom(a[:index+1], lca, heads, parties)
}

// NextSuperiorUp finds who takes over when the decision window of the superior
// heading the last unit of path runs out: the nearest head above who is not a party,
// else (all parties) the topmost head, flagged. NotFound means nobody above.
func NextSuperiorUp(path []int64, heads map[int64]int64, parties Parties) (Superior, error) {
	if len(path) < 2 {
		return Superior{}, Errorf(ECodeNotFound, "superior_none", nil)
	}
	return superiorFrom(path[:len(path)-1], path[len(path)-1], heads, parties)
}

// superiorFrom walks up from the last unit of path to the root and picks the
// decider as SharedSuperior describes; common is recorded as the starting point.
func superiorFrom(path []int64, common int64, heads map[int64]int64, parties Parties) (Superior, error) {
	out := Superior{CommonUnitID: common}
	vacant := 0
	for i := len(path) - 1; i >= 0; i-- {
		head, ok := heads[path[i]]
		if !ok {
			vacant++
			continue
		}
		if out.NaturalHeadUserID == 0 {
			out.NaturalHeadUserID, out.NaturalUnitID = head, path[i]
		}
		if !parties.has(head) {
			out.UnitID, out.HeadUserID, out.VacantSkipped, out.HeadIsParty = path[i], head, vacant, false
			return out, nil
		}
		// Until someone free of the case turns up, the topmost head seen decides.
		out.UnitID, out.HeadUserID, out.VacantSkipped, out.HeadIsParty = path[i], head, vacant, true
		out.PartiesSkipped++
	}
	if out.HeadUserID == 0 {
		return Superior{}, Errorf(ECodeNotFound, "superior_none", nil)
	}
	out.PartiesSkipped-- // the party who decides was not passed over
	return out, nil
}
