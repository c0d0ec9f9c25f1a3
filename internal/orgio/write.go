package orgio

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Write writes an organisation file as .xlsx: the units sheet, then the people sheet,
// headings in both languages, every cell text (so a code such as 001 stays 001).
// With no rows it is the template, which adds a sheet of notes.
func Write(w io.Writer, f File) error {
	x := excelize.NewFile()
	defer x.Close()
	header, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
	if err != nil {
		return fmt.Errorf("orgio: write: %w", err)
	}
	if err := x.SetSheetName(x.GetSheetName(0), UnitsSheetName); err != nil {
		return fmt.Errorf("orgio: write: %w", err)
	}
	if _, err := x.NewSheet(PeopleSheetName); err != nil {
		return fmt.Errorf("orgio: write: %w", err)
	}
	if err := writeSheet(x, UnitsSheetName, unitColumns, unitRecords(f), header); err != nil {
		return err
	}
	if err := writeSheet(x, PeopleSheetName, peopleColumns, peopleRecords(f), header); err != nil {
		return err
	}
	if len(f.Units) == 0 && len(f.People) == 0 {
		if err := writeNotes(x); err != nil {
			return err
		}
	}
	// The units sheet is active already; SetActiveSheet would parse every streamed sheet again.
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("orgio: write xlsx: %w", err)
	}
	return nil
}

// WriteTemplate writes the empty template: both sheets' headings and the notes.
func WriteTemplate(w io.Writer) error { return Write(w, File{}) }

func writeSheet(x *excelize.File, name string, cols []column, records [][]string, header int) error {
	sw, err := x.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("orgio: write sheet %s: %w", name, err)
	}
	for i := range cols {
		if err := sw.SetColWidth(i+1, i+1, 24); err != nil {
			return fmt.Errorf("orgio: write sheet %s: %w", name, err)
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("orgio: write sheet %s: %w", name, err)
	}
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = excelize.Cell{StyleID: header, Value: c.heading}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("orgio: write sheet %s: %w", name, err)
	}
	for r, rec := range records {
		for i, v := range rec {
			row[i] = v
		}
		ref, _ := excelize.CoordinatesToCellName(1, r+2)
		if err := sw.SetRow(ref, row); err != nil {
			return fmt.Errorf("orgio: write sheet %s: %w", name, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("orgio: write sheet %s: %w", name, err)
	}
	return nil
}

var notes = []string{
	"Accord organisation file / Accord 组织架构文件",
	"",
	"Units 单位: one row per unit. code = a stable code you choose (no spaces, ; or ,); exactly one unit, the top, has no parent code.",
	"单位表：每行一个单位。编码是您定的固定编码（不含空格、分号、逗号）；只有最上层单位不填上级编码。",
	"head's email = the person who heads the unit; they must be on the People sheet and active.",
	"负责人邮箱：该单位负责人的邮箱；此人须在人员表中且在职。",
	"",
	"People 人员: one row per person. unit codes = the units they belong to, separated by ; or ,. active = yes or no (empty means yes).",
	"人员表：每行一人。单位编码填其所属单位，用分号或逗号分隔。在职填“是”或“否”（空表示是）。",
	"",
	"Units are matched by code, people by email. Units missing from the file are closed; people missing from it, or marked inactive, are deactivated. Nothing is deleted.",
	"单位按编码匹配，人员按邮箱匹配。文件中没有的单位将被关闭；文件中没有的或标为不在职的人员将被停用。不会删除任何记录。",
	"",
	"Upload the file on Administration → Import organisation: a dry run shows what would change before anything is applied.",
	"在“管理 → 导入组织架构”上传文件：先预检，显示将发生的变化，确认后才应用。",
}

func writeNotes(x *excelize.File) error {
	if _, err := x.NewSheet(NotesSheetName); err != nil {
		return fmt.Errorf("orgio: write notes: %w", err)
	}
	if err := x.SetColWidth(NotesSheetName, "A", "A", 140); err != nil {
		return fmt.Errorf("orgio: write notes: %w", err)
	}
	for i, line := range notes {
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetCellStr(NotesSheetName, ref, line); err != nil {
			return fmt.Errorf("orgio: write notes: %w", err)
		}
	}
	return nil
}

func unitRecords(f File) [][]string {
	out := make([][]string, len(f.Units))
	for i, u := range f.Units {
		out[i] = []string{u.Code, u.Name, u.NameEN, u.ParentCode, u.HeadEmail}
	}
	return out
}

func peopleRecords(f File) [][]string {
	out := make([][]string, len(f.People))
	for i, p := range f.People {
		active := "yes"
		if !p.Active {
			active = "no"
		}
		out[i] = []string{p.Email, p.Name, p.NameEN, strings.Join(p.UnitCodes, "; "), active}
	}
	return out
}

// WriteCSV writes one kind (KindUnits or KindPeople) as CSV in UTF-8 with a BOM, the
// headings in both languages; cells a spreadsheet would run as a formula get a quote,
// which Read removes.
func WriteCSV(w io.Writer, kind string, f File) error {
	cols, records := unitColumns, unitRecords(f)
	if kind == KindPeople {
		cols, records = peopleColumns, peopleRecords(f)
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("orgio: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.heading
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("orgio: write csv: %w", err)
	}
	for _, r := range records {
		for i, v := range r {
			rec[i] = guardFormula(v)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("orgio: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("orgio: write csv: %w", err)
	}
	return nil
}
