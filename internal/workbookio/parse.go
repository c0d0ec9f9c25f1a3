package workbookio

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"accord/internal/accord"
)

// Import limits: an upload larger or longer than this is refused whole.
const (
	MaxFileBytes = 5 << 20
	MaxRows      = 1000
)

// RowError is one problem with an uploaded file, to show the person who made it.
type RowError struct {
	Row       int    // the spreadsheet's row number, 1-based; 0 for the file as a whole
	Field     string // the column's field (see needColumns), "" for the row or file
	MessageID string // the reason, a translated message
}

func (e RowError) Error() string {
	return fmt.Sprintf("workbookio: row %d: %s: %s", e.Row, e.Field, e.MessageID)
}

// FieldMessageID names the header of the column at fault, or "" for a whole row or file.
func (e RowError) FieldMessageID() string {
	for _, c := range needColumns {
		if c.key == e.Field {
			return c.header
		}
	}
	return ""
}

// ImportColumn describes one column an import reads, for the upload page.
type ImportColumn struct {
	HeaderID string // message id of the header
	HintID   string // message id of what to put in it
	Required bool
}

// ImportColumns lists the resource map's columns, which import reads, in order.
func ImportColumns() []ImportColumn {
	out := make([]ImportColumn, len(needColumns))
	for i, c := range needColumns {
		out[i] = ImportColumn{HeaderID: c.header, HintID: c.hint, Required: c.key == "tier" || c.key == "title"}
	}
	return out
}

// headerAliases are the headers each column is known by, in both languages,
// normalised by headerKey. They include the catalogs' own headers, so a file Accord
// exported in either language reads back.
var headerAliases = map[string][]string{
	"tier":           {"tier", "priority", "层级", "优先级", "级别"},
	"title":          {"title", "need", "标题", "需求", "资源"},
	"title_en":       {"englishtitle", "titleen", "titleenglish", "英文标题", "标题英文", "英文名称"},
	"holder":         {"holderunit", "holder", "unit", "department", "持有单位", "持有方", "资源持有方", "部门", "单位"},
	"external_party": {"externalparty", "external", "外部方", "外部单位", "外部合作方"},
	"backs_up":       {"backsup", "backup", "backupfor", "备选对象", "作为备选"},
	"needed_by":      {"neededby", "needed", "duedate", "deadline", "需要日期", "需要时间", "截止日期"},
	"effort_days":    {"effortpersondays", "effort", "effortdays", "persondays", "工作量人天", "工作量", "人天"},
	"key_person":     {"keyperson", "contact", "关键人", "关键人物", "对接人"},
	"notes":          {"notes", "note", "remarks", "备注", "说明"},
}

// headerKey reduces a header to lower-case letters and digits, so "Effort
// (person-days)" and "effort person days" match.
func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

func columnFor(header string) (string, bool) {
	k := headerKey(header)
	for field, aliases := range headerAliases {
		if slices.Contains(aliases, k) {
			return field, true
		}
	}
	return "", false
}

// ParseNeeds reads a resource map from an .xlsx (its first sheet) or a CSV, told apart
// by content and then by filename. The first non-empty row holds the headers, in
// either language; empty rows are skipped. Holders are matched to open units by their
// Chinese or English name. The "backs up" column is not imported: it names needs,
// which have no ids until saved.
//
// Every problem is reported, each with its spreadsheet row number, the field and a
// message id; when there is any, no needs are returned, so an import is all or none.
func ParseNeeds(r io.Reader, filename string, units []accord.Unit, project accord.Project) ([]accord.NeedInput, []RowError) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fileError("io_file_unreadable")
	}
	if len(data) > MaxFileBytes {
		return nil, fileError("io_file_too_large")
	}
	g, problem := readGrid(data, filename)
	if problem != nil {
		return nil, []RowError{*problem}
	}
	return parseGrid(g, units, project)
}

func fileError(messageID string) []RowError { return []RowError{{MessageID: messageID}} }

// grid is a sheet's non-empty rows, at most one header plus MaxRows+1 rows, so a
// file that is too long is noticed without reading all of it.
type grid struct {
	rows     []gridRow
	xlsx     bool // a number in a date column is an Excel serial date
	date1904 bool
}

type gridRow struct {
	number int // the row as the spreadsheet numbers it
	cells  []string
}

const maxGridRows = MaxRows + 2

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1} // .xls, or an encrypted .xlsx
)

func readGrid(data []byte, filename string) (grid, *RowError) {
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(data, zipMagic):
		return readXLSX(data)
	case bytes.HasPrefix(data, oleMagic) || ext == ".xls":
		return grid{}, &RowError{MessageID: "io_file_old_excel"}
	case ext == ".xlsx" || ext == ".xlsm":
		return grid{}, &RowError{MessageID: "io_file_unreadable"}
	}
	return readCSV(data)
}

func readXLSX(data []byte) (grid, *RowError) {
	unreadable := &RowError{MessageID: "io_file_unreadable"}
	// A small zip can unpack to gigabytes; the limit stops that early.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return grid{}, unreadable
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return grid{}, unreadable
	}
	g := grid{xlsx: true}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		g.date1904 = *props.Date1904
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return grid{}, unreadable
	}
	defer rows.Close()
	for n := 1; rows.Next() && len(g.rows) < maxGridRows; n++ {
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return grid{}, unreadable
		}
		if !blank(cells) {
			g.rows = append(g.rows, gridRow{number: n, cells: cells})
		}
	}
	if rows.Error() != nil {
		return grid{}, unreadable
	}
	return g, nil
}

func readCSV(data []byte) (grid, *RowError) {
	text, ok := decodeText(data)
	if !ok {
		return grid{}, &RowError{MessageID: "io_file_unreadable"}
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sniffDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var g grid
	row, lastLine := 0, 0
	for len(g.rows) < maxGridRows {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return grid{}, &RowError{Row: row + 1, MessageID: "io_csv_malformed"}
		}
		// encoding/csv skips blank lines, which a spreadsheet shows as empty rows, and a
		// quoted cell may span lines: count rows from where each record starts.
		start, _ := cr.FieldPos(0)
		row += start - lastLine
		end, _ := cr.FieldPos(len(record) - 1)
		lastLine = end + strings.Count(record[len(record)-1], "\n")
		for i, c := range record {
			record[i] = unguardFormula(c)
		}
		if !blank(record) {
			g.rows = append(g.rows, gridRow{number: row, cells: record})
		}
	}
	return g, nil
}

// decodeText reads a CSV in UTF-8 (with or without a BOM), UTF-16 with a BOM ("Unicode
// text" from Excel), or GB18030, which Chinese Excel uses when saving plain "CSV".
func decodeText(data []byte) (string, bool) {
	if rest, ok := bytes.CutPrefix(data, []byte(utf8BOM)); ok {
		return string(rest), utf8.Valid(rest)
	}
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder().Bytes(data)
		return string(out), err == nil
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return "", false // binary, not text
	}
	if utf8.Valid(data) {
		return string(data), true
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	return string(out), err == nil && utf8.Valid(out)
}

// sniffDelimiter picks the separator of the first line: a comma unless the line has
// none and has tabs or semicolons (Excel's "Unicode text" and some locales' CSV).
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

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func parseGrid(g grid, units []accord.Unit, project accord.Project) ([]accord.NeedInput, []RowError) {
	if len(g.rows) == 0 {
		return nil, fileError("io_file_empty")
	}
	header := g.rows[0]
	columns := map[string]int{}
	for i, h := range header.cells {
		if field, ok := columnFor(h); ok {
			if _, seen := columns[field]; !seen {
				columns[field] = i
			}
		}
	}
	if len(columns) == 0 {
		return nil, []RowError{{Row: header.number, MessageID: "io_header_missing"}}
	}
	var problems []RowError
	for _, field := range []string{"tier", "title"} {
		if _, ok := columns[field]; !ok {
			problems = append(problems, RowError{Row: header.number, Field: field, MessageID: "io_column_missing"})
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	data := g.rows[1:]
	if len(data) == 0 {
		return nil, fileError("io_file_no_rows")
	}
	if len(data) > MaxRows {
		return nil, []RowError{{Row: data[MaxRows].number, MessageID: "io_too_many_rows"}}
	}
	holders := unitsByName(units)
	needs := make([]accord.NeedInput, 0, len(data))
	for _, row := range data {
		value := func(field string) string {
			if i, ok := columns[field]; ok && i < len(row.cells) {
				return strings.TrimSpace(row.cells[i])
			}
			return ""
		}
		in, rowProblems := parseNeed(value, holders, g, project)
		for _, p := range rowProblems {
			p.Row = row.number
			problems = append(problems, p)
		}
		needs = append(needs, in)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return needs, nil
}

// parseNeed reads one row into a need and checks it by the domain's rules; a field
// that could not be read reports that rather than what the domain then says of it.
func parseNeed(value func(string) string, holders map[string][]int64, g grid, project accord.Project) (accord.NeedInput, []RowError) {
	in := accord.NeedInput{Title: value("title"), TitleEN: value("title_en"), ExternalParty: value("external_party"),
		Tier: parseTier(value("tier")), KeyPerson: value("key_person"), Notes: value("notes")}
	bad := map[string]string{}
	if name := value("holder"); name != "" {
		switch ids := holders[strings.ToLower(name)]; len(ids) {
		case 0:
			bad["holder"] = "io_unknown_unit"
		case 1:
			in.HolderUnitID = &ids[0]
		default:
			bad["holder"] = "io_ambiguous_unit"
		}
	}
	if d, ok := parseDate(value("needed_by"), g); ok {
		in.NeededBy = d
	} else {
		bad["needed_by"] = "io_bad_date"
	}
	if f, ok := parseNumber(value("effort_days")); ok {
		in.EffortDays = f
	} else {
		bad["effort_days"] = "io_bad_number"
	}
	in.Normalize()
	_, err := in.Validate(project)
	for field, id := range accord.FieldErrors(err) {
		if _, ok := bad[field]; !ok {
			bad[field] = id
		}
	}
	problems := make([]RowError, 0, len(bad))
	for field, id := range bad {
		problems = append(problems, RowError{Field: field, MessageID: id})
	}
	slices.SortFunc(problems, func(a, b RowError) int { return fieldOrder(a.Field) - fieldOrder(b.Field) })
	return in, problems
}

func fieldOrder(field string) int {
	for i, c := range needColumns {
		if c.key == field {
			return i
		}
	}
	return len(needColumns)
}

// unitsByName maps each open unit's names, lower-cased, to the units that bear them.
func unitsByName(units []accord.Unit) map[string][]int64 {
	byName := map[string][]int64{}
	for _, u := range units {
		if !u.Open() {
			continue
		}
		for _, name := range []string{u.Name, u.NameEN} {
			key := strings.ToLower(strings.TrimSpace(name))
			if key != "" && !slices.Contains(byName[key], u.ID) {
				byName[key] = append(byName[key], u.ID)
			}
		}
	}
	return byName
}

// parseTier reads "P0", "p1" or a label starting with one ("P2 Alternative", "P2 备选");
// anything else is left for Validate to refuse.
func parseTier(s string) accord.Tier {
	s = strings.ToUpper(s)
	if len(s) >= 2 && accord.Tier(s[:2]).Valid() {
		// "P0 必需" and "P0必需" are P0; "P00" or "P0X" are not.
		if next := s[2:]; next == "" || !isASCIIAlnum(next[0]) {
			return accord.Tier(s[:2])
		}
	}
	return accord.Tier(s)
}

func isASCIIAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

var dateLayouts = []string{"2006-1-2", "2006/1/2", "2006.1.2", "2006年1月2日"}

// parseDate reads yyyy-mm-dd (or with slashes or dots) and, from an .xlsx, a date cell.
func parseDate(s string, g grid) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return &t, true
		}
	}
	if serial, err := strconv.ParseFloat(s, 64); err == nil && g.xlsx && serial >= 1 && serial < 2958466 {
		if t, err := excelize.ExcelDateToTime(serial, g.date1904); err == nil {
			d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			return &d, true
		}
	}
	return nil, false
}

// parseNumber reads a decimal number; empty is 0.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}
