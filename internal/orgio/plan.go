package orgio

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"accord/internal/accord"
)

// CurrentUnit is a unit as the organisation holds it now, closed or open.
type CurrentUnit struct {
	ID           int64
	Code         string
	Name         string
	NameEN       string
	ParentID     int64 // 0 for the root
	HeadUserID   int64 // 0 when vacant
	Closed       bool
	OpenRequests int // requests still open that the unit holds, told when it would close
}

// CurrentPerson is a person as the organisation holds them now.
type CurrentPerson struct {
	ID      int64
	Email   string
	Name    string
	NameEN  string
	Active  bool
	UnitIDs []int64 // the units they are a member of, open or closed
}

// Current is the organisation now: units parents first, people in a stable order,
// and who is applying the import (never deactivated by it).
type Current struct {
	Units   []CurrentUnit
	People  []CurrentPerson
	ActorID int64
}

// UnitChange is one unit a plan changes. Row is 0 for a unit the file leaves out.
// From and To say what changed: the old and new names, parent codes or heads' emails.
type UnitChange struct {
	Sheet        string `json:"sheet,omitempty"`
	Row          int    `json:"row,omitempty"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	NameEN       string `json:"name_en"`
	From         string `json:"from,omitempty"`
	To           string `json:"to,omitempty"`
	OpenRequests int    `json:"open_requests,omitempty"`
}

// PersonChange is one person a plan changes; From is the old name when renamed.
type PersonChange struct {
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	From   string `json:"from,omitempty"`
}

// MembershipChange is one person joining or leaving one unit.
type MembershipChange struct {
	Sheet string `json:"sheet,omitempty"`
	Row   int    `json:"row,omitempty"`
	Email string `json:"email"`
	Code  string `json:"code"`
}

// Changes groups what a plan would do.
type Changes struct {
	UnitsCreated       []UnitChange       `json:"units_created"`
	UnitsRenamed       []UnitChange       `json:"units_renamed"`
	UnitsMoved         []UnitChange       `json:"units_moved"`
	UnitsClosed        []UnitChange       `json:"units_closed"`
	UnitsReopened      []UnitChange       `json:"units_reopened"`
	HeadsChanged       []UnitChange       `json:"heads_changed"`
	PeopleCreated      []PersonChange     `json:"people_created"`
	PeopleRenamed      []PersonChange     `json:"people_renamed"`
	PeopleActivated    []PersonChange     `json:"people_activated"`
	PeopleDeactivated  []PersonChange     `json:"people_deactivated"`
	MembershipsAdded   []MembershipChange `json:"memberships_added"`
	MembershipsRemoved []MembershipChange `json:"memberships_removed"`
}

// Plan is what importing a file would do: every problem with the file, or, when it
// has none, the changes and the target organisation the store writes.
type Plan struct {
	Errors []Problem
	Changes
	// ActorKept: the administrator applying the import is not in the file; they stay
	// active (an import never deactivates the person applying it).
	ActorKept bool
	Target    Target
}

// Target is the organisation after the import, in the terms the store writes.
type Target struct {
	Units  []TargetUnit   // parents first; the root first
	People []TargetPerson // the file's people, in file order
	// Close are the ids of open units the file leaves out; Deactivate the ids of
	// active people it leaves out (never the actor).
	Close      []int64
	Deactivate []int64
	// Join lists memberships to add (indexes into People and Units); Leave existing
	// memberships to remove, as user and unit ids.
	Join  [][2]int
	Leave [][2]int64
}

// TargetUnit is one unit of the file as it will be; ID is 0 for a new unit.
type TargetUnit struct {
	ID      int64
	Code    string
	Name    string
	NameEN  string
	Parent  int // index into Target.Units; -1 for the root
	Head    int // index into Target.People; -1 when vacant
	Changed bool
}

// TargetPerson is one person of the file as they will be; ID is 0 for a new person.
type TargetPerson struct {
	ID      int64
	Email   string
	Name    string
	NameEN  string
	Active  bool
	Changed bool // an existing person whose names or activity change
}

// OK reports whether the file can be applied.
func (p Plan) OK() bool { return len(p.Errors) == 0 }

// Empty reports whether applying would change nothing.
func (c Changes) Empty() bool { return c.Count() == 0 }

// Count is the number of changes of every kind.
func (c Changes) Count() int {
	return len(c.UnitsCreated) + len(c.UnitsRenamed) + len(c.UnitsMoved) + len(c.UnitsClosed) + len(c.UnitsReopened) +
		len(c.HeadsChanged) + len(c.PeopleCreated) + len(c.PeopleRenamed) + len(c.PeopleActivated) +
		len(c.PeopleDeactivated) + len(c.MembershipsAdded) + len(c.MembershipsRemoved)
}

// Counts are the changes counted by kind, as the audit log records them.
func (c Changes) Counts() map[string]int {
	return map[string]int{
		"units_created": len(c.UnitsCreated), "units_renamed": len(c.UnitsRenamed), "units_moved": len(c.UnitsMoved),
		"units_closed": len(c.UnitsClosed), "units_reopened": len(c.UnitsReopened), "heads_changed": len(c.HeadsChanged),
		"people_created": len(c.PeopleCreated), "people_renamed": len(c.PeopleRenamed),
		"people_activated": len(c.PeopleActivated), "people_deactivated": len(c.PeopleDeactivated),
		"memberships_added": len(c.MembershipsAdded), "memberships_removed": len(c.MembershipsRemoved),
	}
}

// Digest identifies the plan's changes and target: the apply re-plans against the
// organisation as it is then and goes ahead only when the digest is the one the dry
// run showed, so what is applied is exactly what was checked.
func (p Plan) Digest() string {
	b, _ := json.Marshal(struct {
		Changes
		ActorKept bool
		Target    Target
	}{p.Changes, p.ActorKept, p.Target})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MakePlan compares a file with the organisation now. Every row at fault is reported
// with its sheet, row, field and reason; a file with any problem plans no change.
func MakePlan(f File, cur Current) Plan {
	pl := Plan{Errors: slices.Clone(f.Problems)}
	if len(f.Problems) > 0 {
		return pl
	}
	c := checker{f: f, cur: cur}
	c.check()
	pl.Errors = c.problems
	if len(pl.Errors) > 0 {
		return pl
	}
	c.plan(&pl)
	return pl
}

type checker struct {
	f        File
	cur      Current
	problems []Problem
	unitAt   map[string]int // code → index of its first row
	personAt map[string]int // email → index of its first row
	root     int
}

func (c *checker) add(sheet string, row int, field, messageID, value string) {
	c.problems = append(c.problems, Problem{Sheet: sheet, Row: row, Field: field, MessageID: messageID, Value: value})
}

func (c *checker) check() {
	f := c.f
	c.unitAt = make(map[string]int, len(f.Units))
	c.personAt = make(map[string]int, len(f.People))
	for i, p := range f.People {
		switch {
		case p.Email == "":
			c.add(p.Sheet, p.Row, FieldEmail, "field_required", "")
		case !accord.ValidEmail(p.Email):
			c.add(p.Sheet, p.Row, FieldEmail, "org_import_bad_email", p.Email)
		default:
			if _, dup := c.personAt[p.Email]; dup {
				c.add(p.Sheet, p.Row, FieldEmail, "org_import_duplicate_email", p.Email)
			} else {
				c.personAt[p.Email] = i
			}
		}
		c.name(p.Sheet, p.Row, FieldName, p.Name, true)
		c.name(p.Sheet, p.Row, FieldNameEN, p.NameEN, false)
	}
	for i, u := range f.Units {
		if id := accord.UnitCodeProblem(u.Code); id != "" {
			c.add(u.Sheet, u.Row, FieldCode, id, u.Code)
		} else if _, dup := c.unitAt[u.Code]; dup {
			c.add(u.Sheet, u.Row, FieldCode, "org_import_duplicate_code", u.Code)
		} else {
			c.unitAt[u.Code] = i
		}
		c.name(u.Sheet, u.Row, FieldName, u.Name, true)
		c.name(u.Sheet, u.Row, FieldNameEN, u.NameEN, false)
		if u.HeadEmail != "" {
			pi, known := c.personAt[u.HeadEmail]
			switch {
			case !accord.ValidEmail(u.HeadEmail):
				c.add(u.Sheet, u.Row, FieldHeadEmail, "org_import_bad_email", u.HeadEmail)
			case !known:
				c.add(u.Sheet, u.Row, FieldHeadEmail, "org_import_unknown_head", u.HeadEmail)
			case !f.People[pi].Active:
				c.add(u.Sheet, u.Row, FieldHeadEmail, "org_import_head_inactive", u.HeadEmail)
			}
		}
	}
	c.checkTree()
	var actorEmail string
	for _, p := range c.cur.People {
		if p.ID == c.cur.ActorID {
			actorEmail = strings.ToLower(p.Email)
		}
	}
	for _, p := range f.People {
		seen := map[string]bool{}
		for _, code := range p.UnitCodes {
			if _, ok := c.unitAt[code]; !ok && !seen[code] {
				c.add(p.Sheet, p.Row, FieldUnitCodes, "org_import_unknown_unit", code)
			}
			seen[code] = true
		}
		if actorEmail != "" && p.Email == actorEmail && !p.Active {
			c.add(p.Sheet, p.Row, FieldActive, "org_import_deactivate_self", p.Email)
		}
	}
}

// checkTree finds the root and reports unknown parents, several or no roots, a
// changed root and cycles.
func (c *checker) checkTree() {
	f := c.f
	c.root = -1
	for i, u := range f.Units {
		if c.unitAt[u.Code] != i {
			continue // a duplicate or bad code, reported already
		}
		switch {
		case u.ParentCode == "":
			if c.root >= 0 {
				c.add(u.Sheet, u.Row, FieldParentCode, "org_import_several_roots", f.Units[c.root].Code)
			} else {
				c.root = i
			}
		case u.ParentCode == u.Code:
			c.add(u.Sheet, u.Row, FieldParentCode, "org_import_cycle", u.ParentCode)
		default:
			if _, ok := c.unitAt[u.ParentCode]; !ok {
				c.add(u.Sheet, u.Row, FieldParentCode, "org_import_unknown_parent", u.ParentCode)
			}
		}
	}
	if c.root < 0 {
		if len(f.Units) > 0 || len(c.problems) == 0 {
			c.add(firstSheet(f), 0, FieldParentCode, "org_import_no_root", "")
		}
		return
	}
	for _, u := range c.cur.Units {
		if u.ParentID == 0 && u.Code != f.Units[c.root].Code {
			r := f.Units[c.root]
			c.add(r.Sheet, r.Row, FieldCode, "org_import_root_changed", u.Code)
		}
	}
	// Walk up from each unit; a walk that comes back to a unit on it is a cycle.
	const (
		unseen = iota
		walking
		rooted
		broken
	)
	state := make([]int, len(f.Units))
	for start := range f.Units {
		var trail []int
		i := start
		for {
			if i < 0 || c.unitAt[f.Units[i].Code] != i {
				break
			}
			if state[i] != unseen {
				break
			}
			state[i] = walking
			trail = append(trail, i)
			if i == c.root {
				break
			}
			parent, ok := c.unitAt[f.Units[i].ParentCode]
			if !ok || f.Units[i].ParentCode == f.Units[i].Code {
				i = -1
				break
			}
			i = parent
		}
		end := rooted
		switch {
		case i >= 0 && state[i] == walking && i != c.root:
			// The walk met itself: every unit from i on the trail is in the cycle.
			inCycle := false
			for _, t := range trail {
				if t == i {
					inCycle = true
				}
				if inCycle {
					u := f.Units[t]
					c.add(u.Sheet, u.Row, FieldParentCode, "org_import_cycle", u.ParentCode)
				}
			}
			end = broken
		case i >= 0 && (state[i] == rooted || i == c.root):
			end = rooted
		default:
			end = broken
		}
		for _, t := range trail {
			state[t] = end
		}
	}
}

func firstSheet(f File) string {
	if len(f.Units) > 0 {
		return f.Units[0].Sheet
	}
	return ""
}

// name checks a name by the rule every face applies to it (accord.NameText).
func (c *checker) name(sheet string, row int, field, s string, required bool) {
	rule := accord.NameText
	rule.Required = required
	switch p := accord.TextProblem(s, rule); p {
	case "":
	case "field_bad_characters":
		c.add(sheet, row, field, p, s)
	default:
		c.add(sheet, row, field, p, "")
	}
}

// plan computes the changes of a file without problems.
func (c *checker) plan(pl *Plan) {
	f, cur := c.f, c.cur
	curUnitByCode := make(map[string]int, len(cur.Units))
	curUnitByID := make(map[int64]int, len(cur.Units))
	for i, u := range cur.Units {
		curUnitByCode[u.Code] = i
		curUnitByID[u.ID] = i
	}
	curPersonByEmail := make(map[string]int, len(cur.People))
	curPersonByID := make(map[int64]int, len(cur.People))
	for i, p := range cur.People {
		curPersonByEmail[strings.ToLower(p.Email)] = i
		curPersonByID[p.ID] = i
	}
	email := func(userID int64) string {
		if i, ok := curPersonByID[userID]; ok {
			return strings.ToLower(cur.People[i].Email)
		}
		return ""
	}
	code := func(unitID int64) string {
		if i, ok := curUnitByID[unitID]; ok {
			return cur.Units[i].Code
		}
		return ""
	}

	// People, in file order.
	t := &pl.Target
	for _, p := range f.People {
		tp := TargetPerson{Email: p.Email, Name: p.Name, NameEN: p.NameEN, Active: p.Active}
		ch := PersonChange{Sheet: p.Sheet, Row: p.Row, Email: p.Email, Name: p.Name, NameEN: p.NameEN}
		if ci, ok := curPersonByEmail[p.Email]; ok {
			old := cur.People[ci]
			tp.ID = old.ID
			if old.Name != p.Name || old.NameEN != p.NameEN {
				tp.Changed = true
				ch.From = names(old.Name, old.NameEN)
				pl.PeopleRenamed = append(pl.PeopleRenamed, ch)
				ch.From = ""
			}
			if old.Active != p.Active {
				tp.Changed = true
				if p.Active {
					pl.PeopleActivated = append(pl.PeopleActivated, ch)
				} else {
					pl.PeopleDeactivated = append(pl.PeopleDeactivated, ch)
				}
			}
		} else {
			pl.PeopleCreated = append(pl.PeopleCreated, ch)
		}
		t.People = append(t.People, tp)
	}
	for _, p := range cur.People {
		if _, inFile := c.personAt[strings.ToLower(p.Email)]; inFile || !p.Active {
			continue
		}
		if p.ID == cur.ActorID {
			pl.ActorKept = true
			continue
		}
		pl.PeopleDeactivated = append(pl.PeopleDeactivated, PersonChange{Email: strings.ToLower(p.Email), Name: p.Name, NameEN: p.NameEN})
		t.Deactivate = append(t.Deactivate, p.ID)
	}

	// Units, parents first: breadth first from the root, children in file order.
	children := make(map[string][]int, len(f.Units))
	for i, u := range f.Units {
		if i != c.root {
			children[u.ParentCode] = append(children[u.ParentCode], i)
		}
	}
	order := []int{c.root}
	for k := 0; k < len(order); k++ {
		order = append(order, children[f.Units[order[k]].Code]...)
	}
	targetAt := make(map[string]int, len(order))
	for _, fi := range order {
		u := f.Units[fi]
		tu := TargetUnit{Code: u.Code, Name: u.Name, NameEN: u.NameEN, Parent: -1, Head: -1}
		if u.ParentCode != "" {
			tu.Parent = targetAt[u.ParentCode]
		}
		if u.HeadEmail != "" {
			tu.Head = c.personAt[u.HeadEmail]
		}
		ch := UnitChange{Sheet: u.Sheet, Row: u.Row, Code: u.Code, Name: u.Name, NameEN: u.NameEN}
		if ci, ok := curUnitByCode[u.Code]; ok {
			old := cur.Units[ci]
			tu.ID = old.ID
			if old.Name != u.Name || old.NameEN != u.NameEN {
				tu.Changed = true
				rc := ch
				rc.From, rc.To = names(old.Name, old.NameEN), names(u.Name, u.NameEN)
				pl.UnitsRenamed = append(pl.UnitsRenamed, rc)
			}
			if oldParent := code(old.ParentID); oldParent != u.ParentCode {
				tu.Changed = true
				mc := ch
				mc.From, mc.To = oldParent, u.ParentCode
				pl.UnitsMoved = append(pl.UnitsMoved, mc)
			}
			if old.Closed {
				tu.Changed = true
				pl.UnitsReopened = append(pl.UnitsReopened, ch)
			}
			if oldHead := email(old.HeadUserID); oldHead != u.HeadEmail {
				tu.Changed = true
				hc := ch
				hc.From, hc.To = oldHead, u.HeadEmail
				pl.HeadsChanged = append(pl.HeadsChanged, hc)
			}
		} else {
			pl.UnitsCreated = append(pl.UnitsCreated, ch)
			if u.HeadEmail != "" {
				hc := ch
				hc.To = u.HeadEmail
				pl.HeadsChanged = append(pl.HeadsChanged, hc)
			}
		}
		targetAt[u.Code] = len(t.Units)
		t.Units = append(t.Units, tu)
	}
	for _, u := range cur.Units {
		if _, inFile := c.unitAt[u.Code]; inFile || u.Closed {
			continue
		}
		pl.UnitsClosed = append(pl.UnitsClosed, UnitChange{Code: u.Code, Name: u.Name, NameEN: u.NameEN, OpenRequests: u.OpenRequests})
		t.Close = append(t.Close, u.ID)
	}

	// Memberships: each person's units are the file's codes and the units they head;
	// memberships of units outside the file (closed) are history and stay.
	heads := map[int][]int{}
	for ti, tu := range t.Units {
		if tu.Head >= 0 {
			heads[tu.Head] = append(heads[tu.Head], ti)
		}
	}
	for pi, p := range f.People {
		want := make([]int, 0, len(p.UnitCodes)+len(heads[pi]))
		for _, code := range p.UnitCodes {
			want = append(want, targetAt[code])
		}
		want = append(want, heads[pi]...)
		slices.Sort(want)
		want = slices.Compact(want)
		have := map[int64]bool{}
		if id := t.People[pi].ID; id != 0 {
			for _, uid := range cur.People[curPersonByEmail[p.Email]].UnitIDs {
				have[uid] = true
			}
		}
		wanted := map[int64]bool{}
		for _, ti := range want {
			tu := t.Units[ti]
			if tu.ID != 0 {
				wanted[tu.ID] = true
			}
			if tu.ID == 0 || !have[tu.ID] {
				t.Join = append(t.Join, [2]int{pi, ti})
				pl.MembershipsAdded = append(pl.MembershipsAdded, MembershipChange{Sheet: p.Sheet, Row: p.Row, Email: p.Email, Code: tu.Code})
			}
		}
		if id := t.People[pi].ID; id != 0 {
			for _, uid := range cur.People[curPersonByEmail[p.Email]].UnitIDs {
				ui, ok := curUnitByID[uid]
				if !ok || wanted[uid] {
					continue
				}
				if _, inFile := c.unitAt[cur.Units[ui].Code]; !inFile {
					continue
				}
				t.Leave = append(t.Leave, [2]int64{id, uid})
				pl.MembershipsRemoved = append(pl.MembershipsRemoved, MembershipChange{Sheet: p.Sheet, Row: p.Row, Email: p.Email, Code: cur.Units[ui].Code})
			}
		}
	}
}

func names(name, nameEN string) string {
	if nameEN == "" {
		return name
	}
	return name + " / " + nameEN
}

// Export is the file that describes the organisation as it is: its open units
// (parents first) and all its people, active or not, with their memberships of open
// units. Importing it changes nothing.
func Export(cur Current) File {
	var f File
	code := make(map[int64]string, len(cur.Units))
	open := make(map[int64]bool, len(cur.Units))
	for _, u := range cur.Units {
		code[u.ID] = u.Code
		open[u.ID] = !u.Closed
	}
	email := make(map[int64]string, len(cur.People))
	for _, p := range cur.People {
		email[p.ID] = strings.ToLower(p.Email)
	}
	for _, u := range cur.Units {
		if u.Closed {
			continue
		}
		f.Units = append(f.Units, UnitRow{Code: u.Code, Name: u.Name, NameEN: u.NameEN,
			ParentCode: code[u.ParentID], HeadEmail: email[u.HeadUserID]})
	}
	for _, p := range cur.People {
		var codes []string
		for _, id := range p.UnitIDs {
			if open[id] {
				codes = append(codes, code[id])
			}
		}
		slices.Sort(codes)
		f.People = append(f.People, PersonRow{Email: strings.ToLower(p.Email), Name: p.Name, NameEN: p.NameEN,
			UnitCodes: codes, Active: p.Active})
	}
	return f
}
