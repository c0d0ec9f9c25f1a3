package pages

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/workbookio"
	"accord/web/i18n"
	"accord/web/ui"
)

const (
	xlsxContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	csvContentType  = "text/csv; charset=utf-8"
	// importBytes leaves room around the file for the multipart envelope.
	importBytes = workbookio.MaxFileBytes + 64<<10
)

// exportWorkbook sends the whole workbook as an .xlsx to anyone who may see the project.
func (s *Server) exportWorkbook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	wb, err := s.exportData(ctx, p, workbookio.Tables()...)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := workbookio.Export(&buf, wb, i18n.Lang(ctx), translator(ctx)); err != nil {
		s.Fail(w, r, err)
		return
	}
	sendFile(w, xlsxContentType, downloadName(p.DisplayName(i18n.Lang(ctx)), p.ID, ".xlsx"), buf.Bytes())
}

// exportTable sends one table of the workbook as CSV.
func (s *Server) exportTable(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	table := chi.URLParam(r, "table")
	sheet, ok := workbookio.SheetMessageID(table)
	if !ok {
		s.NotFound(w, r)
		return
	}
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	wb, err := s.exportData(ctx, p, table)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := workbookio.WriteCSV(&buf, table, wb, i18n.Lang(ctx), translator(ctx)); err != nil {
		s.Fail(w, r, err)
		return
	}
	name := p.DisplayName(i18n.Lang(ctx)) + " - " + i18n.T(ctx, sheet)
	sendFile(w, csvContentType, downloadName(name, p.ID, ".csv"), buf.Bytes())
}

// downloadImportTemplate sends the resource map's header row, ready to fill in.
func (s *Server) downloadImportTemplate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := workbookio.WriteCSV(&buf, workbookio.ResourceMap, workbookio.Workbook{Project: p}, i18n.Lang(ctx), translator(ctx)); err != nil {
		s.Fail(w, r, err)
		return
	}
	name := i18n.T(ctx, "io_template_file", map[string]any{"Project": p.DisplayName(i18n.Lang(ctx))})
	sendFile(w, csvContentType, downloadName(name, p.ID, ".csv"), buf.Bytes())
}

func (s *Server) showImportPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	s.importPage(w, r, http.StatusOK, importView(r.Context(), p))
}

// importNeeds adds every row of an uploaded resource map, or none: when any row is
// bad, the page lists every problem and nothing is saved.
func (s *Server) importNeeds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	view := importView(ctx, p)
	r.Body = http.MaxBytesReader(w, r.Body, importBytes)
	if err := r.ParseMultipartForm(importBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			view.Error = i18n.T(ctx, "io_file_too_large")
			s.importPage(w, r, http.StatusRequestEntityTooLarge, view)
			return
		}
		view.Error = i18n.T(ctx, "io_import_upload_failed")
		s.importPage(w, r, http.StatusBadRequest, view)
		return
	}
	defer r.MultipartForm.RemoveAll()
	file, header, err := r.FormFile("file")
	if err != nil {
		view.Error = i18n.T(ctx, "io_import_no_file")
		s.importPage(w, r, http.StatusUnprocessableEntity, view)
		return
	}
	defer file.Close()
	units, err := s.store.Units(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	needs, problems := workbookio.ParseNeeds(file, header.Filename, units, p)
	if len(problems) > 0 {
		status := http.StatusUnprocessableEntity
		if len(problems) == 1 && problems[0].MessageID == "io_file_too_large" {
			status = http.StatusRequestEntityTooLarge
		}
		for _, pr := range problems {
			view.Problems = append(view.Problems, ui.ImportProblem{Row: pr.Row, ColumnID: pr.FieldMessageID(), MessageID: pr.MessageID})
		}
		s.importPage(w, r, status, view)
		return
	}
	saved, err := s.store.ImportNeeds(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, needs)
	if err != nil {
		// The rows were checked; only a change made meanwhile (a unit closed) gets here.
		status, st, ok := formProblem(ctx, err)
		if !ok {
			s.Fail(w, r, err)
			return
		}
		view.Error = st.Error
		s.importPage(w, r, status, view)
		return
	}
	if len(saved) == 1 {
		s.flash(ctx, "io_imported_one")
	} else {
		s.flash(ctx, "io_imported", map[string]any{"N": len(saved)})
	}
	http.Redirect(w, r, projectPagePath(p.ID), http.StatusSeeOther)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, status int, view ui.ImportPage) {
	s.page(w, r, status, i18n.T(r.Context(), "io_import_title"), "projects", ui.ImportNeeds(view))
}

func importView(ctx context.Context, p accord.Project) ui.ImportPage {
	view := ui.ImportPage{ProjectID: p.ID, ProjectName: p.DisplayName(i18n.Lang(ctx))}
	for _, c := range workbookio.ImportColumns() {
		view.Columns = append(view.Columns, ui.ImportColumn{HeaderID: c.HeaderID, HintID: c.HintID, Required: c.Required})
	}
	return view
}

// exportData loads what the given tables show: one query per kind of row, whatever
// the project's size.
func (s *Server) exportData(ctx context.Context, p accord.Project, tables ...string) (workbookio.Workbook, error) {
	wb := workbookio.Workbook{Project: p}
	var needs, plans, commitments bool
	for _, t := range tables {
		switch t {
		case workbookio.ResourceMap:
			needs = true
		case workbookio.Commitments:
			commitments = true
		default:
			plans = true
		}
	}
	var err error
	if needs {
		if wb.Needs, err = s.store.Needs(ctx, p.ID); err != nil {
			return wb, err
		}
	}
	if plans {
		if wb.Plans, err = s.store.UnitPlans(ctx, p.ID); err != nil {
			return wb, err
		}
	}
	if commitments {
		if wb.Commitments, err = s.store.Commitments(ctx, p.ID); err != nil {
			return wb, err
		}
	}
	return wb, nil
}

func translator(ctx context.Context) func(string) string {
	return func(id string) string { return i18n.T(ctx, id) }
}

// sendFile answers with a download. Exports hold a project's internals: no caching.
func sendFile(w http.ResponseWriter, contentType string, name fileName, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", contentDisposition(name))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// fileName is a download's name, and an ASCII one for clients that only take that.
type fileName struct{ name, fallback string }

// downloadName turns a title into a file name every system accepts: no path
// separators, reserved or control characters, at most 100 characters.
func downloadName(title string, projectID int64, ext string) fileName {
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|%`, r) {
			return '_'
		}
		return r
	}, title)
	name = strings.Trim(strings.TrimSpace(name), ".")
	if runes := []rune(name); len(runes) > 100 {
		name = string(runes[:100])
	}
	fallback := "project-" + strconv.FormatInt(projectID, 10)
	if name == "" {
		name = fallback
	}
	if isASCII(name) {
		fallback = name
	}
	return fileName{name: name + ext, fallback: fallback + ext}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// contentDisposition names an attachment for old and new browsers alike: the ASCII
// fallback, and the real name as RFC 5987 encodes it in filename*.
func contentDisposition(f fileName) string {
	return `attachment; filename="` + f.fallback + `"; filename*=UTF-8''` + rfc5987Escape(f.name)
}

// rfc5987Escape percent-encodes every byte outside RFC 5987's attr-char.
func rfc5987Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
