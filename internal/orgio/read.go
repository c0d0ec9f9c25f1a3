package orgio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Upload is one file as uploaded: its name (to tell CSV from .xlsx, and to name it
// in problems) and its bytes.
type Upload struct {
	Name string
	Data []byte
}

// Read reads an organisation from an .xlsx (a units sheet and a people sheet, told
// apart by their headings; other sheets, such as the template's notes, are skipped)
// or from CSV files, one per kind, told apart the same way. Headings may be in
// either language, or both ("code / 编码"). Both kinds must be present. Problems of
// structure go into File.Problems; the rows' content is checked by Plan.
func Read(files ...Upload) File {
	var f File
	seen := map[string]string{}
	for _, up := range files {
		sheets, problem := readSheets(up)
		if problem != nil {
			f.Problems = append(f.Problems, *problem)
			continue
		}
		for _, s := range sheets {
			kind, cols := identify(s.rows)
			if kind == "" {
				continue
			}
			if prev, dup := seen[kind]; dup {
				f.Problems = append(f.Problems, Problem{Sheet: s.name, MessageID: "org_import_sheet_twice", Value: prev})
				continue
			}
			seen[kind] = s.name
			f.Problems = append(f.Problems, readRows(&f, kind, s, cols)...)
		}
	}
	if len(f.Problems) == 0 {
		if _, ok := seen[KindUnits]; !ok {
			f.Problems = append(f.Problems, Problem{MessageID: "org_import_no_units_sheet"})
		}
		if _, ok := seen[KindPeople]; !ok {
			f.Problems = append(f.Problems, Problem{MessageID: "org_import_no_people_sheet"})
		}
	}
	return f
}

// sheet is one sheet's non-empty rows.
type sheet struct {
	name string
	rows []sheetRow
}

type sheetRow struct {
	number int
	cells  []string
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

func readSheets(up Upload) ([]sheet, *Problem) {
	name := filepath.Base(up.Name)
	if len(up.Data) > MaxFileBytes {
		return nil, &Problem{Sheet: name, MessageID: "org_import_file_too_large"}
	}
	ext := strings.ToLower(filepath.Ext(up.Name))
	switch {
	case bytes.HasPrefix(up.Data, zipMagic):
		return readXLSX(name, up.Data)
	case bytes.HasPrefix(up.Data, oleMagic) || ext == ".xls":
		return nil, &Problem{Sheet: name, MessageID: "org_import_old_excel"}
	case ext == ".xlsx" || ext == ".xlsm":
		return nil, &Problem{Sheet: name, MessageID: "org_import_unreadable"}
	}
	s, p := readCSV(name, up.Data)
	if p != nil {
		return nil, p
	}
	return []sheet{s}, nil
}

func readXLSX(name string, data []byte) ([]sheet, *Problem) {
	unreadable := &Problem{Sheet: name, MessageID: "org_import_unreadable"}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 256 << 20, UnzipXMLSizeLimit: 128 << 20})
	if err != nil {
		return nil, unreadable
	}
	defer f.Close()
	var out []sheet
	for _, sn := range f.GetSheetList() {
		rows, err := f.Rows(sn)
		if err != nil {
			return nil, unreadable
		}
		s := sheet{name: sn}
		for n := 1; rows.Next(); n++ {
			cells, err := rows.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				rows.Close()
				return nil, unreadable
			}
			if !blank(cells) {
				s.rows = append(s.rows, sheetRow{number: n, cells: cells})
			}
			if len(s.rows) > MaxRows+1 {
				break
			}
		}
		if rows.Error() != nil {
			rows.Close()
			return nil, unreadable
		}
		rows.Close()
		out = append(out, s)
	}
	return out, nil
}

func readCSV(name string, data []byte) (sheet, *Problem) {
	text, ok := decodeText(data)
	if !ok {
		return sheet{}, &Problem{Sheet: name, MessageID: "org_import_unreadable"}
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	s := sheet{name: name}
	row, lastLine := 0, 0
	for len(s.rows) <= MaxRows+1 {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sheet{}, &Problem{Sheet: name, Row: row + 1, MessageID: "org_import_csv_malformed"}
		}
		start, _ := cr.FieldPos(0)
		row += start - lastLine
		end, _ := cr.FieldPos(len(record) - 1)
		lastLine = end + strings.Count(record[len(record)-1], "\n")
		for i, c := range record {
			record[i] = unguardFormula(c)
		}
		if !blank(record) {
			s.rows = append(s.rows, sheetRow{number: row, cells: record})
		}
	}
	return s, nil
}

// identify tells the kind of a sheet from its first row and maps its columns: a
// sheet with an email column is people, one with a code column units, any other
// is not an organisation sheet.
func identify(rows []sheetRow) (string, map[string]int) {
	if len(rows) == 0 {
		return "", nil
	}
	header := rows[0].cells
	for _, kind := range []string{KindPeople, KindUnits} {
		cols := columnsOf(kind)
		found := map[string]int{}
		for i, h := range header {
			if field, ok := fieldFor(cols, h); ok {
				if _, seen := found[field]; !seen {
					found[field] = i
				}
			}
		}
		key := FieldEmail
		if kind == KindUnits {
			key = FieldCode
		}
		if _, ok := found[key]; ok {
			return kind, found
		}
	}
	return "", nil
}

func columnsOf(kind string) []column {
	if kind == KindUnits {
		return unitColumns
	}
	return peopleColumns
}

// fieldFor finds the column a heading names: the whole heading, or either side of a
// "/" (the template's "code / 编码"), reduced to lower-case letters and digits.
func fieldFor(cols []column, heading string) (string, bool) {
	parts := append([]string{heading}, strings.Split(heading, "/")...)
	for _, p := range parts {
		k := headingKey(p)
		if k == "" {
			continue
		}
		for _, c := range cols {
			if slices.Contains(c.aliases, k) {
				return c.field, true
			}
		}
	}
	return "", false
}

func headingKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

func readRows(f *File, kind string, s sheet, cols map[string]int) []Problem {
	var problems []Problem
	header := s.rows[0]
	for _, c := range columnsOf(kind) {
		if _, ok := cols[c.field]; c.required && !ok {
			problems = append(problems, Problem{Sheet: s.name, Row: header.number, Field: c.field, MessageID: "org_import_column_missing", Value: c.heading})
		}
	}
	if len(problems) > 0 {
		return problems
	}
	data := s.rows[1:]
	if len(data) > MaxRows {
		return []Problem{{Sheet: s.name, Row: data[MaxRows].number, MessageID: "org_import_too_many_rows"}}
	}
	for _, row := range data {
		value := func(field string) string {
			if i, ok := cols[field]; ok && i < len(row.cells) {
				return strings.TrimSpace(row.cells[i])
			}
			return ""
		}
		if kind == KindUnits {
			f.Units = append(f.Units, UnitRow{Sheet: s.name, Row: row.number, Code: value(FieldCode), Name: value(FieldName),
				NameEN: value(FieldNameEN), ParentCode: value(FieldParentCode), HeadEmail: strings.ToLower(value(FieldHeadEmail))})
			continue
		}
		p := PersonRow{Sheet: s.name, Row: row.number, Email: strings.ToLower(value(FieldEmail)), Name: value(FieldName),
			NameEN: value(FieldNameEN), UnitCodes: SplitCodes(value(FieldUnitCodes))}
		active, ok := ParseActive(value(FieldActive))
		if !ok {
			problems = append(problems, Problem{Sheet: s.name, Row: row.number, Field: FieldActive, MessageID: "org_import_active_invalid", Value: value(FieldActive)})
		}
		p.Active = active
		f.People = append(f.People, p)
	}
	return problems
}

// SplitCodes splits a cell of unit codes on ; or , (either width) or 、, dropping
// empty entries.
func SplitCodes(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(";,；，、\n", r) })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseActive reads the active column: empty is active; yes/no, true/false, 1/0,
// y/n, 是/否, 在职/离职, 启用/停用 in any case. ok is false for anything else.
func ParseActive(s string) (active, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "yes", "y", "true", "1", "是", "在职", "启用", "有效", "active":
		return true, true
	case "no", "n", "false", "0", "否", "离职", "停用", "无效", "inactive":
		return false, true
	}
	return true, false
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

const utf8BOM = "\uFEFF"

// decodeText reads a CSV in UTF-8 (with or without a BOM), UTF-16 with a BOM, or
// GB18030, which Chinese Excel uses when saving plain "CSV".
func decodeText(data []byte) (string, bool) {
	if rest, ok := bytes.CutPrefix(data, []byte(utf8BOM)); ok {
		return string(rest), utf8.Valid(rest)
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(out), err == nil
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", false
	}
	if utf8.Valid(data) {
		return string(data), true
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	return string(out), err == nil && utf8.Valid(out)
}

func sniffDelimiter(text string) rune {
	line, _, _ := strings.Cut(strings.TrimLeft(text, "\r\n"), "\n")
	switch {
	case strings.ContainsRune(line, ','):
		return ','
	case strings.ContainsRune(line, '\t'):
		return '\t'
	case strings.ContainsRune(line, ';'):
		return ';'
	}
	return ','
}

// formulaStarts are the first characters that make a spreadsheet run a CSV cell.
const formulaStarts = "=+-@\t\r＝＋－＠"

func guardFormula(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, []rune(s)[0]) {
		return "'" + s
	}
	return s
}

func unguardFormula(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && rest != "" && strings.ContainsRune(formulaStarts, []rune(rest)[0]) {
		return rest
	}
	return s
}
