package workbookio

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Export writes the workbook as an .xlsx: one sheet per table, the resource map first,
// headers bold and frozen, dates as date cells and effort as numbers.
func Export(w io.Writer, wb Workbook, lang string, tr func(id string) string) error {
	f := excelize.NewFile()
	defer f.Close()
	styles, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("workbookio: export: %w", err)
	}
	first := f.GetSheetName(0)
	for i, t := range tables {
		name := sheetName(tr(t.sheet))
		if i == 0 {
			err = f.SetSheetName(first, name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err == nil {
			err = writeSheet(f, name, t, t.rows(wb, lang, tr), tr, styles)
		}
		if err != nil {
			return fmt.Errorf("workbookio: export sheet %s: %w", t.name, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: wb.Project.DisplayName(lang), Creator: "Accord", Language: lang}); err != nil {
		return fmt.Errorf("workbookio: export properties: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("workbookio: write xlsx: %w", err)
	}
	return nil
}

type sheetStyles struct{ header, wrap, date, plain int }

func newStyles(f *excelize.File) (sheetStyles, error) {
	var s sheetStyles
	var err error
	dateFormat := "yyyy-mm-dd"
	top := &excelize.Alignment{Vertical: "top"}
	for _, st := range []struct {
		id    *int
		style excelize.Style
	}{
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
			Border:    []excelize.Border{{Type: "bottom", Color: "8A9BAE", Style: 1}}}},
		{&s.wrap, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}}},
		{&s.date, excelize.Style{CustomNumFmt: &dateFormat, Alignment: top}},
		{&s.plain, excelize.Style{Alignment: top}},
	} {
		if *st.id, err = f.NewStyle(&st.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

func writeSheet(f *excelize.File, sheet string, t table, rows [][]cell, tr func(string) string, styles sheetStyles) error {
	for i, col := range t.columns {
		name, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		if err := f.SetColWidth(sheet, name, name, col.width); err != nil {
			return err
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(sheet, ref, tr(col.header)); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(t.columns), 1)
	if err := f.SetCellStyle(sheet, "A1", last, styles.header); err != nil {
		return err
	}
	for r, row := range rows {
		for c, v := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+2)
			style := styles.plain
			var err error
			switch v.kind {
			case numberCell:
				err = f.SetCellFloat(sheet, ref, v.number, -1, 64)
			case dateCell:
				err = f.SetCellValue(sheet, ref, v.date)
				style = styles.date
			default:
				err = f.SetCellStr(sheet, ref, v.text)
				if t.columns[c].wrap {
					style = styles.wrap
				}
			}
			if err == nil {
				err = f.SetCellStyle(sheet, ref, ref, style)
			}
			if err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(len(t.columns), len(rows)+1)
	return f.AutoFilter(sheet, "A1:"+end, nil)
}

// sheetName makes a title a valid sheet name: at most 31 characters, none of []:*?/\.
func sheetName(title string) string {
	title = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, strings.TrimSpace(title))
	if runes := []rune(title); len(runes) > 31 {
		title = string(runes[:31])
	}
	return title
}

// utf8BOM lets Excel recognise a CSV as UTF-8; without it Chinese turns to mojibake.
const utf8BOM = "\uFEFF"

// WriteCSV writes one table (see Tables) as RFC 4180 CSV in UTF-8 with a BOM. Cells
// that a spreadsheet would run as a formula are prefixed with a quote.
func WriteCSV(w io.Writer, tableName string, wb Workbook, lang string, tr func(id string) string) error {
	t, ok := tableNamed(tableName)
	if !ok {
		return errUnknownTable(tableName)
	}
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return fmt.Errorf("workbookio: write csv: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	record := make([]string, len(t.columns))
	for i, col := range t.columns {
		record[i] = guardFormula(tr(col.header))
	}
	if err := cw.Write(record); err != nil {
		return fmt.Errorf("workbookio: write csv: %w", err)
	}
	for _, row := range t.rows(wb, lang, tr) {
		for i, v := range row {
			switch v.kind {
			case numberCell:
				record[i] = strconv.FormatFloat(v.number, 'f', -1, 64)
			case dateCell:
				record[i] = v.date.Format(dateLayout)
			default:
				record[i] = guardFormula(v.text)
			}
		}
		if err := cw.Write(record); err != nil {
			return fmt.Errorf("workbookio: write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("workbookio: write csv: %w", err)
	}
	return nil
}

// formulaStarts are the first characters that make Excel, LibreOffice or Sheets treat
// a CSV cell as a formula (OWASP's list plus the full-width forms some IMEs type).
const formulaStarts = "=+-@\t\r＝＋－＠"

// guardFormula prefixes a would-be formula with a quote so it shows as text.
func guardFormula(s string) string {
	if s != "" && strings.ContainsRune(formulaStarts, []rune(s)[0]) {
		return "'" + s
	}
	return s
}

// unguardFormula undoes guardFormula, so an exported CSV imports unchanged.
func unguardFormula(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && rest != "" && strings.ContainsRune(formulaStarts, []rune(rest)[0]) {
		return rest
	}
	return s
}
