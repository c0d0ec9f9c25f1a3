// Package workbookio moves a project's workbook in and out of spreadsheets: an .xlsx
// with one sheet per table, a CSV per table, and the resource map read back from
// either. It knows nothing of HTTP or the store; labels come through a translate
// function so every file speaks the reader's language.
package workbookio

import (
	"fmt"
	"strings"
	"time"

	"accord/internal/accord"
)

// Workbook is everything a project's export holds.
type Workbook struct {
	Project     accord.Project
	Needs       []accord.Need
	Plans       []accord.UnitPlan
	Commitments []accord.Commitment
}

// Table names, as they appear in CSV URLs.
const (
	ResourceMap   = "resource-map"
	ValueExchange = "value-exchange"
	Motivations   = "motivations"
	AllianceMap   = "alliance-map"
	Commitments   = "commitments"
)

// Tables lists every table in the order the workbook's sheets follow.
func Tables() []string {
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.name
	}
	return names
}

// SheetMessageID names the translated title of a table, for sheet names and file names.
func SheetMessageID(table string) (string, bool) {
	t, ok := tableNamed(table)
	return t.sheet, ok
}

// dateLayout is how dates are written in CSV and read back from either format.
const dateLayout = "2006-01-02"

// column is one column of a table: its key (the need field it fills on import), the
// message id of its header, and how a spreadsheet shows it.
type column struct {
	key    string
	header string
	hint   string // message id explaining what an import expects, resource map only
	width  float64
	wrap   bool
}

type cellKind int

const (
	textCell cellKind = iota
	numberCell
	dateCell
)

// cell is one value with its kind, so the .xlsx gets real numbers and dates while the
// CSV gets their text.
type cell struct {
	kind   cellKind
	text   string
	number float64
	date   time.Time
}

func text(s string) cell { return cell{kind: textCell, text: s} }

func number(f float64) cell { return cell{kind: numberCell, number: f} }

func date(t *time.Time) cell {
	if t == nil {
		return text("")
	}
	return cell{kind: dateCell, date: *t}
}

// table is one sheet of the workbook and one CSV.
type table struct {
	name    string
	sheet   string // message id of the sheet's title
	columns []column
	rows    func(wb Workbook, lang string, tr func(string) string) [][]cell
}

// needColumns are the resource map's columns; import reads the same ones.
var needColumns = []column{
	{key: "tier", header: "io_col_tier", hint: "io_hint_tier", width: 14},
	{key: "title", header: "io_col_title", hint: "io_hint_title", width: 34, wrap: true},
	{key: "title_en", header: "io_col_title_en", hint: "io_hint_title_en", width: 34, wrap: true},
	{key: "holder", header: "io_col_holder", hint: "io_hint_holder", width: 22},
	{key: "external_party", header: "io_col_external_party", hint: "io_hint_external_party", width: 24},
	{key: "backs_up", header: "io_col_backs_up", hint: "io_hint_backs_up", width: 28, wrap: true},
	{key: "needed_by", header: "io_col_needed_by", hint: "io_hint_needed_by", width: 13},
	{key: "effort_days", header: "io_col_effort_days", hint: "io_hint_effort_days", width: 12},
	{key: "key_person", header: "io_col_key_person", hint: "io_hint_key_person", width: 14},
	{key: "notes", header: "io_col_notes", hint: "io_hint_notes", width: 50, wrap: true},
}

var tables = []table{
	{name: ResourceMap, sheet: "io_sheet_resource_map", columns: needColumns, rows: needRows},
	{name: ValueExchange, sheet: "io_sheet_value_exchange", rows: valueExchangeRows, columns: []column{
		{key: "unit", header: "io_col_unit", width: 20},
		{key: "they_need", header: "io_col_they_need", width: 32, wrap: true},
		{key: "we_give", header: "io_col_we_give", width: 32, wrap: true},
		{key: "they_get", header: "io_col_they_get", width: 32, wrap: true},
		{key: "proposal", header: "io_col_proposal", width: 40, wrap: true},
		{key: "option_a", header: "io_col_option_a", width: 28, wrap: true},
		{key: "option_b", header: "io_col_option_b", width: 28, wrap: true},
		{key: "option_c", header: "io_col_option_c", width: 28, wrap: true},
	}},
	{name: Motivations, sheet: "io_sheet_motivations", rows: motivationRows, columns: []column{
		{key: "unit", header: "io_col_unit", width: 20},
		{key: "concerns", header: "io_col_concerns", width: 50, wrap: true},
		{key: "kpis", header: "io_col_kpis", width: 40, wrap: true},
	}},
	{name: AllianceMap, sheet: "io_sheet_alliance_map", rows: allianceRows, columns: []column{
		{key: "unit", header: "io_col_unit", width: 20},
		{key: "stance", header: "io_col_stance", width: 14},
		{key: "approach_order", header: "io_col_approach_order", width: 14},
	}},
	{name: Commitments, sheet: "io_sheet_commitments", rows: commitmentRows, columns: []column{
		{key: "unit", header: "io_col_unit", width: 20},
		{key: "what", header: "io_col_what", width: 50, wrap: true},
		{key: "due", header: "io_col_due", width: 13},
		{key: "status", header: "io_col_status", width: 12},
	}},
}

func tableNamed(name string) (table, bool) {
	for _, t := range tables {
		if t.name == name {
			return t, true
		}
	}
	return table{}, false
}

func needRows(wb Workbook, lang string, tr func(string) string) [][]cell {
	titles := make(map[int64]string, len(wb.Needs))
	for _, n := range wb.Needs {
		titles[n.ID] = n.DisplayTitle(lang)
	}
	rows := make([][]cell, 0, len(wb.Needs))
	for _, n := range wb.Needs {
		holder := ""
		if n.HolderUnitID != nil {
			holder = n.Holder(lang)
		}
		backsUp := ""
		if n.BacksUpNeedID != nil {
			backsUp = titles[*n.BacksUpNeedID]
		}
		rows = append(rows, []cell{
			text(tr(n.Tier.MessageID())), text(n.Title), text(n.TitleEN), text(holder), text(n.ExternalParty),
			text(backsUp), date(n.NeededBy), number(n.EffortDays), text(n.KeyPerson), text(n.Notes),
		})
	}
	return rows
}

func valueExchangeRows(wb Workbook, lang string, _ func(string) string) [][]cell {
	rows := make([][]cell, 0, len(wb.Plans))
	for _, p := range wb.Plans {
		rows = append(rows, []cell{text(p.DisplayUnitName(lang)), text(p.TheyNeed), text(p.WeGive), text(p.TheyGet),
			text(p.Proposal), text(p.OptionA), text(p.OptionB), text(p.OptionC)})
	}
	return rows
}

func motivationRows(wb Workbook, lang string, _ func(string) string) [][]cell {
	rows := make([][]cell, 0, len(wb.Plans))
	for _, p := range wb.Plans {
		rows = append(rows, []cell{text(p.DisplayUnitName(lang)),
			text(strings.Join(p.Concerns, "\n")), text(strings.Join(p.KPIs, "\n"))})
	}
	return rows
}

func allianceRows(wb Workbook, lang string, tr func(string) string) [][]cell {
	rows := make([][]cell, 0, len(wb.Plans))
	for _, p := range wb.Plans {
		order := text("") // 0 means the lead has not ordered the unit yet
		if p.ApproachOrder > 0 {
			order = number(float64(p.ApproachOrder))
		}
		rows = append(rows, []cell{text(p.DisplayUnitName(lang)), text(tr(p.Stance.MessageID())), order})
	}
	return rows
}

func commitmentRows(wb Workbook, lang string, tr func(string) string) [][]cell {
	rows := make([][]cell, 0, len(wb.Commitments))
	for _, c := range wb.Commitments {
		unit := c.UnitName
		if lang == accord.LocaleEN && c.UnitNameEN != "" {
			unit = c.UnitNameEN
		}
		rows = append(rows, []cell{text(unit), text(c.What), date(c.DueDate), text(tr(c.Status.MessageID()))})
	}
	return rows
}

// errUnknownTable is returned for a table name not in Tables.
func errUnknownTable(name string) error { return fmt.Errorf("workbookio: unknown table %q", name) }
