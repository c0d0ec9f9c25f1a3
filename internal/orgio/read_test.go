package orgio

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWriteThenReadRoundTrips(t *testing.T) {
	f := Export(current())
	f.Units[1].Name = "=SUM(A1)" // a would-be formula survives both formats
	var x bytes.Buffer
	if err := Write(&x, f); err != nil {
		t.Fatal(err)
	}
	got := Read(Upload{Name: "org.xlsx", Data: x.Bytes()})
	if len(got.Problems) > 0 {
		t.Fatalf("problems: %v", got.Problems)
	}
	strip(&got)
	if !reflect.DeepEqual(got, f) {
		t.Fatalf("xlsx round trip:\n got %+v\nwant %+v", got, f)
	}

	var units, people bytes.Buffer
	if err := WriteCSV(&units, KindUnits, f); err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(&people, KindPeople, f); err != nil {
		t.Fatal(err)
	}
	got = Read(Upload{Name: "p.csv", Data: people.Bytes()}, Upload{Name: "u.csv", Data: units.Bytes()})
	if len(got.Problems) > 0 {
		t.Fatalf("problems: %v", got.Problems)
	}
	strip(&got)
	if !reflect.DeepEqual(got, f) {
		t.Fatalf("csv round trip:\n got %+v\nwant %+v", got, f)
	}
}

// strip forgets where rows came from, and empty code lists, to compare with Export.
func strip(f *File) {
	for i := range f.Units {
		f.Units[i].Sheet, f.Units[i].Row = "", 0
	}
	for i := range f.People {
		f.People[i].Sheet, f.People[i].Row = "", 0
		if len(f.People[i].UnitCodes) == 0 {
			f.People[i].UnitCodes = nil
		}
	}
}

func TestReadAcceptsEitherLanguage(t *testing.T) {
	units := "\uFEFF单位编码,名称,上级编码,负责人邮箱\r\nHQ,总部,,A@X.test\r\n\r\nOPS,运营,HQ,\r\n"
	people := "Email,Name,English name,Units,Active\nA@X.test,甲,A,HQ；OPS,是\nb@x.test,乙,,\"OPS, HQ\",no\nc@x.test,丙,,,maybe\n"
	f := Read(Upload{Name: "units.csv", Data: []byte(units)}, Upload{Name: "people.csv", Data: []byte(people)})
	want := []Problem{{Sheet: "people.csv", Row: 4, Field: FieldActive, MessageID: "org_import_active_invalid", Value: "maybe"}}
	if !reflect.DeepEqual(f.Problems, want) {
		t.Fatalf("problems: %v", f.Problems)
	}
	if len(f.Units) != 2 || f.Units[1].Row != 4 || f.Units[0].HeadEmail != "a@x.test" || f.Units[1].ParentCode != "HQ" {
		t.Errorf("units: %+v", f.Units)
	}
	if len(f.People) != 3 || f.People[0].Email != "a@x.test" || !reflect.DeepEqual(f.People[1].UnitCodes, []string{"OPS", "HQ"}) ||
		!reflect.DeepEqual(f.People[0].UnitCodes, []string{"HQ", "OPS"}) || f.People[1].Active || !f.People[0].Active {
		t.Errorf("people: %+v", f.People)
	}
}

func TestReadReportsStructure(t *testing.T) {
	var tmpl bytes.Buffer
	if err := WriteTemplate(&tmpl); err != nil {
		t.Fatal(err)
	}
	// The template reads as an organisation with no rows (the notes sheet is skipped).
	if f := Read(Upload{Name: "t.xlsx", Data: tmpl.Bytes()}); len(f.Problems) != 0 || len(f.Units)+len(f.People) != 0 {
		t.Errorf("template: %+v", f)
	}
	x, _ := excelize.OpenReader(bytes.NewReader(tmpl.Bytes()))
	if sheets := x.GetSheetList(); !reflect.DeepEqual(sheets, []string{UnitsSheetName, PeopleSheetName, NotesSheetName}) {
		t.Errorf("template sheets: %v", sheets)
	}
	x.Close()
	for name, tc := range map[string]struct {
		files []Upload
		want  string
	}{
		"no people":      {[]Upload{{"u.csv", []byte("code,name\nHQ,总部\n")}}, "org_import_no_people_sheet"},
		"no units":       {[]Upload{{"p.csv", []byte("email,name\na@x.test,甲\n")}}, "org_import_no_units_sheet"},
		"missing column": {[]Upload{{"u.csv", []byte("code,parent\nHQ,\n")}, {"p.csv", []byte("email,name\n")}}, "org_import_column_missing"},
		"old excel":      {[]Upload{{"u.xls", []byte("whatever")}}, "org_import_old_excel"},
		"broken xlsx":    {[]Upload{{"u.xlsx", []byte("PK\x03\x04broken")}}, "org_import_unreadable"},
		"twice":          {[]Upload{{"u.csv", []byte("code,name\n")}, {"u2.csv", []byte("code,name\n")}}, "org_import_sheet_twice"},
	} {
		f := Read(tc.files...)
		if len(f.Problems) == 0 || f.Problems[0].MessageID != tc.want {
			t.Errorf("%s: %v", name, f.Problems)
		}
	}
}
