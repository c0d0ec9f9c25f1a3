package orgio

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// current is a small organisation: root HQ (head ceo), OPS and TECH under it, IT
// under TECH, OLD closed under HQ.
func current() Current {
	return Current{
		ActorID: 1,
		Units: []CurrentUnit{
			{ID: 10, Code: "HQ", Name: "总部", NameEN: "HQ", HeadUserID: 2},
			{ID: 11, Code: "OPS", Name: "运营", NameEN: "Ops", ParentID: 10, HeadUserID: 3},
			{ID: 12, Code: "TECH", Name: "技术", NameEN: "Tech", ParentID: 10},
			{ID: 13, Code: "IT", Name: "信息", NameEN: "IT", ParentID: 12, OpenRequests: 2},
			{ID: 14, Code: "OLD", Name: "旧部门", ParentID: 10, Closed: true},
		},
		People: []CurrentPerson{
			{ID: 1, Email: "admin@x.test", Name: "管理员", Active: true, UnitIDs: []int64{10}},
			{ID: 2, Email: "CEO@x.test", Name: "陈", NameEN: "Chen", Active: true, UnitIDs: []int64{10}},
			{ID: 3, Email: "ops@x.test", Name: "王", Active: true, UnitIDs: []int64{11, 14}},
			{ID: 4, Email: "gone@x.test", Name: "走", Active: false},
		},
	}
}

func TestExportImportsAsNoChange(t *testing.T) {
	cur := current()
	pl := MakePlan(Export(cur), cur)
	if !pl.OK() || !pl.Empty() || pl.ActorKept {
		t.Fatalf("export re-imported: errors %v, changes %+v", pl.Errors, pl.Changes)
	}
	f := Export(cur)
	if len(f.Units) != 4 || f.Units[0].ParentCode != "" || f.People[1].Email != "ceo@x.test" || f.Units[0].HeadEmail != "ceo@x.test" {
		t.Fatalf("export: %+v", f)
	}
	if got := f.People[2].UnitCodes; !slices.Equal(got, []string{"OPS"}) {
		t.Fatalf("closed units' memberships are not exported: %v", got)
	}
}

func TestPlanFindsEveryKindOfChange(t *testing.T) {
	cur := current()
	f := Export(cur)
	f.Units[1].Name = "运营中心"                                                         // OPS renamed
	f.Units[3].ParentCode = "OPS"                                                    // IT moved
	f.Units[2].HeadEmail = "new@x.test"                                              // TECH gets a head, a new person
	f.Units = append(f.Units, UnitRow{Code: "OLD", Name: "旧部门", ParentCode: "HQ"})   // reopened
	f.Units = append(f.Units, UnitRow{Code: "DATA", Name: "数据", ParentCode: "TECH"}) // created
	f.Units = slices.DeleteFunc(f.Units, func(u UnitRow) bool { return u.Code == "IT" })
	f.Units = append(f.Units, UnitRow{Code: "IT", Name: "信息", NameEN: "IT", ParentCode: "DATA"}) // moved under a new unit
	f.People[3].Active = true                                                                    // gone@ back
	f.People = append(f.People, PersonRow{Email: "new@x.test", Name: "新", Active: true, UnitCodes: []string{"DATA"}})
	f.People = slices.DeleteFunc(f.People, func(p PersonRow) bool { return p.Email == "ops@x.test" }) // deactivated
	f.Units[1].HeadEmail = ""                                                                         // OPS vacant
	f.People[0].UnitCodes = nil                                                                       // admin leaves HQ

	pl := MakePlan(f, cur)
	if !pl.OK() {
		t.Fatalf("errors: %v", pl.Errors)
	}
	codes := func(list []UnitChange) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.Code)
		}
		return out
	}
	emails := func(list []PersonChange) []string {
		var out []string
		for _, c := range list {
			out = append(out, c.Email)
		}
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	}
	check("created", codes(pl.UnitsCreated), []string{"DATA"})
	check("renamed", codes(pl.UnitsRenamed), []string{"OPS"})
	check("moved", codes(pl.UnitsMoved), []string{"IT"})
	check("reopened", codes(pl.UnitsReopened), []string{"OLD"})
	check("closed", codes(pl.UnitsClosed), nil)
	check("heads", codes(pl.HeadsChanged), []string{"OPS", "TECH"})
	check("people created", emails(pl.PeopleCreated), []string{"new@x.test"})
	check("activated", emails(pl.PeopleActivated), []string{"gone@x.test"})
	check("deactivated", emails(pl.PeopleDeactivated), []string{"ops@x.test"})
	var added, removed []string
	for _, m := range pl.MembershipsAdded {
		added = append(added, m.Email+" "+m.Code)
	}
	for _, m := range pl.MembershipsRemoved {
		removed = append(removed, m.Email+" "+m.Code)
	}
	check("joined", added, []string{"new@x.test TECH", "new@x.test DATA"})
	check("left", removed, []string{"admin@x.test HQ"})
	if pl.UnitsMoved[0].From != "TECH" || pl.UnitsMoved[0].To != "DATA" {
		t.Errorf("moved: %+v", pl.UnitsMoved[0])
	}
	// Parents come before children in the target.
	for i, u := range pl.Target.Units {
		if (i == 0) != (u.Parent == -1) || u.Parent >= i {
			t.Errorf("target unit %d %s has parent %d", i, u.Code, u.Parent)
		}
	}
	if !slices.Equal(pl.Target.Deactivate, []int64{3}) {
		t.Errorf("deactivate: %v", pl.Target.Deactivate)
	}

	// Leaving a unit out closes it (and its subtree) and tells its open requests.
	f = Export(cur)
	f.Units = slices.DeleteFunc(f.Units, func(u UnitRow) bool { return u.Code == "TECH" || u.Code == "IT" })
	pl = MakePlan(f, cur)
	check("closed", codes(pl.UnitsClosed), []string{"TECH", "IT"})
	if pl.UnitsClosed[1].OpenRequests != 2 || !slices.Equal(pl.Target.Close, []int64{12, 13}) {
		t.Errorf("closed: %+v %v", pl.UnitsClosed, pl.Target.Close)
	}
}

func TestPlanNeverDeactivatesTheActor(t *testing.T) {
	cur := current()
	f := Export(cur)
	f.People = slices.DeleteFunc(f.People, func(p PersonRow) bool { return p.Email == "admin@x.test" })
	f.Units[0].HeadEmail = "ceo@x.test"
	pl := MakePlan(f, cur)
	if !pl.OK() || !pl.ActorKept || len(pl.PeopleDeactivated) != 0 {
		t.Fatalf("actor left out: %+v", pl)
	}
	f = Export(cur)
	f.People[0].Active = false
	pl = MakePlan(f, cur)
	if len(pl.Errors) != 1 || pl.Errors[0].MessageID != "org_import_deactivate_self" {
		t.Fatalf("actor marked inactive: %+v", pl.Errors)
	}
}

func TestPlanReportsEveryBadRow(t *testing.T) {
	cur := current()
	u := func(row int, code, name, parent, head string) UnitRow {
		return UnitRow{Sheet: "U", Row: row, Code: code, Name: name, ParentCode: parent, HeadEmail: head}
	}
	p := func(row int, email, name string, active bool, codes ...string) PersonRow {
		return PersonRow{Sheet: "P", Row: row, Email: email, Name: name, Active: active, UnitCodes: codes}
	}
	f := File{
		Units: []UnitRow{
			u(2, "HQ", "总部", "", "ceo@x.test"),
			u(3, "A", "甲", "NOPE", ""),            // unknown parent
			u(4, "B", "乙", "C", ""),               // cycle B → C → B
			u(5, "C", "丙", "B", ""),               // cycle
			u(6, "A", "甲2", "HQ", ""),             // duplicate code
			u(7, "D", "", "HQ", ""),               // missing name
			u(8, "E", "戊", "HQ", "nobody@x.test"), // unknown head
			u(9, "F", "己", "HQ", "not an email"),  // bad email
			u(10, "G", "庚", "HQ", "gone@x.test"),  // inactive head
			u(11, "H;I", "辛", "HQ", ""),           // bad code
			u(12, "ROOT2", "根", "", ""),           // second root
			u(13, "S", "自", "S", ""),              // its own parent
		},
		People: []PersonRow{
			p(2, "admin@x.test", "管理员", true, "HQ"),
			p(3, "ceo@x.test", "陈", true, "HQ"),
			p(4, "bad-email", "坏", true),               // bad email
			p(5, "CEO@x.test", "重复", true),             // duplicate email (Read lower-cases; here already different case)
			p(6, "ok@x.test", "", true),                // missing name
			p(7, "ok2@x.test", "好", true, "HQ", "ZZZ"), // unknown unit
			p(8, "gone@x.test", "走", false),
			p(9, strings.Repeat("a", 250)+"@x.test", "长", true), // longer than any address
		},
	}
	f.People[3].Email = "ceo@x.test"
	pl := MakePlan(f, cur)
	got := map[string]bool{}
	for _, e := range pl.Errors {
		got[fmt.Sprintf("%s%d %s %s", e.Sheet, e.Row, e.Field, e.MessageID)] = true
	}
	want := []string{
		"U3 parent_code org_import_unknown_parent",
		"U4 parent_code org_import_cycle",
		"U5 parent_code org_import_cycle",
		"U6 code org_import_duplicate_code",
		"U7 name field_required",
		"U8 head_email org_import_unknown_head",
		"U9 head_email org_import_bad_email",
		"U10 head_email org_import_head_inactive",
		"U11 code unit_code_separator",
		"U12 parent_code org_import_several_roots",
		"U13 parent_code org_import_cycle",
		"P4 email org_import_bad_email",
		"P5 email org_import_duplicate_email",
		"P6 name field_required",
		"P7 unit_codes org_import_unknown_unit",
		"P9 email org_import_bad_email",
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing problem %q", w)
		}
	}
	if len(pl.Errors) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(pl.Errors), len(want), pl.Errors)
	}
	if !pl.Empty() || len(pl.Target.Units) != 0 {
		t.Error("a file with problems plans changes")
	}

	// A changed root and a file without one.
	f = Export(cur)
	f.Units[0].Code = "NEWROOT"
	for i := range f.Units {
		if f.Units[i].ParentCode == "HQ" {
			f.Units[i].ParentCode = "NEWROOT"
		}
	}
	for i := range f.People {
		f.People[i].UnitCodes = nil
	}
	if pl := MakePlan(f, cur); len(pl.Errors) != 1 || pl.Errors[0].MessageID != "org_import_root_changed" {
		t.Errorf("changed root: %v", pl.Errors)
	}
	f.Units = f.Units[1:]
	if pl := MakePlan(f, cur); len(pl.Errors) == 0 || pl.Errors[len(pl.Errors)-1].MessageID != "org_import_no_root" {
		t.Errorf("no root: %v", pl.Errors)
	}
}

func TestDigestFollowsTheChanges(t *testing.T) {
	cur := current()
	a := MakePlan(Export(cur), cur)
	f := Export(cur)
	f.Units[1].Name = "x"
	b := MakePlan(f, cur)
	if a.Digest() == b.Digest() || a.Digest() != MakePlan(Export(cur), cur).Digest() {
		t.Error("digest does not follow the plan")
	}
}
