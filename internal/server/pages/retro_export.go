package pages

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/xuri/excelize/v2"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// exportRetro sends the retrospective as an .xlsx to anyone who may see the project:
// the results, each unit's effort against its credit, the thanks, the promises and
// the timeline, one sheet each, in the reader's language.
func (s *Server) exportRetro(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	d, err := s.loadRetro(ctx, p.ID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := writeRetroXLSX(ctx, &buf, s.retroView(ctx, p, d)); err != nil {
		s.Fail(w, r, err)
		return
	}
	title := i18n.T(ctx, "retro_title", map[string]any{"Name": p.DisplayName(i18n.Lang(ctx))})
	sendFile(w, xlsxContentType, downloadName(title, p.ID, ".xlsx"), buf.Bytes())
}

// xcell is one cell of an exported sheet: text, a number, a share or a date.
type xcell struct {
	text    string
	number  *float64
	percent bool
	date    *time.Time
}

func xtext(s string) xcell     { return xcell{text: s} }
func xnum(f float64) xcell     { return xcell{number: &f} }
func xint(n int) xcell         { f := float64(n); return xcell{number: &f} }
func xshare(f float64) xcell   { return xcell{number: &f, percent: true} }
func xdate(t *time.Time) xcell { return xcell{date: t} }

type xsheet struct {
	nameID  string
	headers []string // message ids
	widths  []float64
	rows    [][]xcell
}

func writeRetroXLSX(ctx context.Context, w *bytes.Buffer, v ui.RetroView) error {
	tr := func(id string, data ...map[string]any) string { return i18n.T(ctx, id, data...) }
	lang := i18n.Lang(ctx)
	p := v.Project

	summary := xsheet{nameID: "retro_sheet_summary", headers: []string{"retro_xlsx_item", "retro_xlsx_value"}, widths: []float64{26, 80}}
	add := func(id string, c xcell) { summary.rows = append(summary.rows, []xcell{xtext(tr(id)), c}) }
	add("project_name", xtext(p.DisplayName(lang)))
	add("project_unit", xtext(localized(p.UnitName, p.UnitNameEN, lang)))
	add("retro_xlsx_lead", xtext(localized(p.LeadName, p.LeadNameEN, lang)))
	add("project_status", xtext(tr(p.Status.MessageID())))
	add("retro_xlsx_start", xdate(p.StartDate))
	add("retro_xlsx_target", xdate(p.TargetDate))
	if p.ExpectedAmount != nil {
		add("retro_xlsx_expected_amount", xnum(float64(*p.ExpectedAmount)))
	}
	add("retro_xlsx_expected_outcome", xtext(p.ExpectedOutcome))
	if v.Record.ActualAmount != nil {
		add("retro_xlsx_actual_amount", xnum(float64(*v.Record.ActualAmount)))
		if p.ExpectedAmount != nil && *p.ExpectedAmount > 0 {
			add("retro_xlsx_ratio", xshare(float64(*v.Record.ActualAmount)/float64(*p.ExpectedAmount)))
		}
	}
	add("retro_xlsx_actual_outcome", xtext(v.Record.ActualOutcome))
	add("retro_xlsx_currency", xtext(p.Currency))
	add("retro_lessons", xtext(v.Record.Lessons))

	units := xsheet{nameID: "retro_sheet_units", widths: []float64{22, 10, 12, 12, 10, 12, 10, 10, 12, 8, 8, 8, 22},
		headers: []string{"pf_unit", "retro_xlsx_needs", "retro_planned_days", "retro_logged_days", "retro_delivered",
			"retro_effort_share", "retro_thanks_count", "retro_mentions", "retro_credit_share", "commitment_kept",
			"commitment_broken", "commitment_open", "retro_xlsx_note"}}
	for _, u := range v.Units {
		note := ""
		switch {
		case u.Unsung:
			note = tr("retro_unsung")
		case u.CarriedMost:
			note = tr("retro_carried_most")
		}
		units.rows = append(units.rows, []xcell{xtext(localized(u.Name, u.NameEN, lang)), xint(u.Needs),
			xnum(u.PlannedDays), xnum(u.LoggedDays), xint(u.Delivered), xshare(u.EffortShare), xint(u.Thanks),
			xint(u.Mentions), xshare(u.CreditShare), xint(u.Kept), xint(u.Broken), xint(u.OpenPromises), xtext(note)})
	}

	thanks := xsheet{nameID: "retro_sheet_thanks", headers: []string{"pf_unit", "retro_thanks_text", "retro_xlsx_by", "retro_xlsx_date"},
		widths: []float64{22, 70, 16, 12}}
	for _, t := range v.Thanks {
		at := t.At
		thanks.rows = append(thanks.rows, []xcell{xtext(localized(t.UnitName, t.UnitNameEN, lang)), xtext(t.Text),
			xtext(localized(t.ByName, t.ByNameEN, lang)), xdate(&at)})
	}

	promises := xsheet{nameID: "retro_sheet_promises", headers: []string{"unitpage_promise", "pf_unit", "unitpage_due", "project_status"},
		widths: []float64{50, 22, 12, 14}}
	for _, c := range v.Commitments {
		status := tr(c.Status.MessageID())
		if c.Overdue(v.Today) {
			status = tr("unitpage_overdue")
		}
		promises.rows = append(promises.rows, []xcell{xtext(c.What), xtext(localized(c.UnitName, c.UnitNameEN, lang)),
			xdate(c.DueDate), xtext(status)})
	}

	timeline := xsheet{nameID: "retro_sheet_timeline", widths: []float64{34, 6, 22, 12, 12, 24},
		headers: []string{"retro_need", "retro_xlsx_tier", "retro_holder", "retro_needed_by", "retro_delivered_on", "retro_timing"}}
	for _, n := range v.Timeline {
		holder := n.Holder
		if !n.External {
			holder = localized(n.Holder, n.HolderEN, lang)
		}
		timeline.rows = append(timeline.rows, []xcell{xtext(localized(n.Title, n.TitleEN, lang)), xtext(string(n.Tier)),
			xtext(holder), xdate(n.NeededBy), xdate(n.DeliveredAt), xtext(ui.TimingText(ctx, n, v.Today))})
	}

	f := excelize.NewFile()
	defer f.Close()
	styles, err := newRetroStyles(f)
	if err != nil {
		return fmt.Errorf("server: retrospective xlsx: %w", err)
	}
	first := f.GetSheetName(0)
	for i, sh := range []xsheet{summary, units, thanks, promises, timeline} {
		name := sheetTitle(tr(sh.nameID))
		if i == 0 {
			err = f.SetSheetName(first, name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err == nil {
			err = writeXSheet(f, name, sh, tr, styles)
		}
		if err != nil {
			return fmt.Errorf("server: retrospective xlsx sheet %s: %w", sh.nameID, err)
		}
	}
	f.SetActiveSheet(0)
	if err := f.SetDocProps(&excelize.DocProperties{Title: tr("retro_title", map[string]any{"Name": p.DisplayName(lang)}),
		Creator: "Accord", Language: lang}); err != nil {
		return fmt.Errorf("server: retrospective xlsx properties: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("server: write retrospective xlsx: %w", err)
	}
	return nil
}

type retroStyles struct{ header, wrap, date, whole, decimal, percent int }

func newRetroStyles(f *excelize.File) (retroStyles, error) {
	var s retroStyles
	dateFormat, wholeFormat, decimalFormat := "yyyy-mm-dd", "#,##0", "#,##0.0"
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
		{&s.whole, excelize.Style{CustomNumFmt: &wholeFormat, Alignment: top}},
		{&s.decimal, excelize.Style{CustomNumFmt: &decimalFormat, Alignment: top}},
		{&s.percent, excelize.Style{NumFmt: 9, Alignment: top}}, // 0%
	} {
		var err error
		if *st.id, err = f.NewStyle(&st.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

func writeXSheet(f *excelize.File, sheet string, sh xsheet, tr func(string, ...map[string]any) string, st retroStyles) error {
	for i, h := range sh.headers {
		cell, err := excelize.CoordinatesToCellName(i+1, 1)
		if err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, cell, tr(h)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, cell, cell, st.header); err != nil {
			return err
		}
		if i < len(sh.widths) {
			col, _ := excelize.ColumnNumberToName(i + 1)
			if err := f.SetColWidth(sheet, col, col, sh.widths[i]); err != nil {
				return err
			}
		}
	}
	for r, row := range sh.rows {
		for c, x := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+2)
			if err != nil {
				return err
			}
			style := st.wrap
			switch {
			case x.date != nil:
				err, style = f.SetCellValue(sheet, cell, *x.date), st.date
			case x.number != nil && x.percent:
				err, style = f.SetCellFloat(sheet, cell, *x.number, 4, 64), st.percent
			case x.number != nil:
				err, style = f.SetCellFloat(sheet, cell, *x.number, -1, 64), st.whole
				if *x.number != float64(int64(*x.number)) {
					style = st.decimal
				}
			default:
				err = f.SetCellStr(sheet, cell, x.text)
			}
			if err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return err
			}
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// localized picks the Chinese or the English form of a name for the reader.
func localized(name, nameEN, lang string) string {
	return accord.Unit{Name: name, NameEN: nameEN}.DisplayName(lang)
}

// sheetTitle fits a title to Excel's rules: at most 31 characters, none of []:*?/\.
func sheetTitle(s string) string {
	out := make([]rune, 0, 31)
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = ' '
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	return string(out)
}
