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
	Name     string
	NameEN   string
	ParentID int64
}

// Normalize trims the input.
func (in *UnitInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.NameEN = strings.TrimSpace(in.NameEN)
}

// Validate reports every problem with the input at once.
func (in UnitInput) Validate(needParent bool) error {
	var v Validation
	validateName(&v, "name", in.Name, true)
	validateName(&v, "name_en", in.NameEN, false)
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
	CommonUnitID  int64 // the lowest common ancestor of the two units
	UnitID        int64 // the unit whose head decides: the LCA or, if vacant, the nearest headed ancestor
	HeadUserID    int64
	VacantSkipped int  // how many vacant posts were passed on the way up
	HeadIsParty   bool // the decider heads one of the two units themselves
}

// SharedSuperior finds who decides between the units with paths a and b: the head of
// their lowest common ancestor; when that post is vacant, the head of the nearest
// ancestor above it that has one. heads maps unit id → active head's user id and
// holds only posts that are filled. A NotFound error means no unit on the way up
// to the root has a head.
func SharedSuperior(a, b []int64, heads map[int64]int64) (Superior, error) {
	lca, index, ok := CommonAncestor(a, b)
	if !ok {
		return Superior{}, Errorf(ECodeInvalid, "superior_no_common_unit", nil)
	}
	for i := index; i >= 0; i-- {
		head, ok := heads[a[i]]
		if !ok {
			continue
		}
		return Superior{
			CommonUnitID:  lca,
			UnitID:        a[i],
			HeadUserID:    head,
			VacantSkipped: index - i,
			HeadIsParty:   head == heads[a[len(a)-1]] || head == heads[b[len(b)-1]],
		}, nil
	}
	return Superior{}, Errorf(ECodeNotFound, "superior_none", nil)
}
