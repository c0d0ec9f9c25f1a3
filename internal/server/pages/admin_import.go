package pages

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/orgio"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

// orgImportStore is the organisation import's (/admin/import).
type orgImportStore interface {
	ApplyOrgImport(ctx context.Context, actorID int64, f orgio.File, opts store.OrgImportOptions) (orgio.Plan, error)
	OrgExport(ctx context.Context) (orgio.File, error)
	OrgUploadByID(ctx context.Context, actorID, id int64) (store.OrgUpload, error)
	PlanOrgImport(ctx context.Context, actorID int64, f orgio.File) (orgio.Plan, error)
	SaveOrgUpload(ctx context.Context, actorID int64, filename string, f orgio.File) (store.OrgUpload, error)
}

// orgImportBytes leaves room around the files for the multipart envelope.
const orgImportBytes = orgio.MaxFileBytes + 64<<10

// orgImportRoutes are for admins only: upload, dry run, apply, template, export.
func (s *Server) orgImportRoutes(r chi.Router) {
	r.Get("/admin/import", s.showOrgImportPage)
	r.Post("/admin/import", s.checkOrgImport)
	r.Get("/admin/import/template.xlsx", s.downloadOrgTemplate)
	r.Get("/admin/export.xlsx", s.exportOrg)
	r.Get("/admin/import/{id}", s.showOrgImportPlan)
	r.Post("/admin/import/{id}/apply", s.applyOrgImport)
}

func (s *Server) orgImportPage(w http.ResponseWriter, r *http.Request, status int, v ui.OrgImportPage) {
	s.page(w, r, status, i18n.T(r.Context(), "org_import_title"), "admin_units", ui.OrgImport(v))
}

func (s *Server) showOrgImportPage(w http.ResponseWriter, r *http.Request) {
	s.orgImportPage(w, r, http.StatusOK, ui.OrgImportPage{})
}

// checkOrgImport reads the uploaded file (an .xlsx, or a CSV per kind), keeps it and
// shows its dry run; a file with problems is not kept, its rows to fix are shown.
func (s *Server) checkOrgImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, orgImportBytes)
	if err := r.ParseMultipartForm(orgImportBytes); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.orgImportPage(w, r, http.StatusRequestEntityTooLarge, ui.OrgImportPage{Error: i18n.T(ctx, "org_import_file_too_large")})
			return
		}
		s.orgImportPage(w, r, http.StatusBadRequest, ui.OrgImportPage{Error: i18n.T(ctx, "org_import_no_file")})
		return
	}
	defer r.MultipartForm.RemoveAll()
	uploads, err := readOrgUploads(r)
	if err != nil || len(uploads) == 0 {
		s.orgImportPage(w, r, http.StatusUnprocessableEntity, ui.OrgImportPage{Error: i18n.T(ctx, "org_import_no_file")})
		return
	}
	actor := spine.ViewerFrom(ctx).User.ID
	f := orgio.Read(uploads...)
	pl, err := s.store.PlanOrgImport(ctx, actor, f)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	name := uploadNames(uploads)
	if !pl.OK() {
		s.orgImportPage(w, r, http.StatusUnprocessableEntity, orgPlanView(ctx, name, 0, pl))
		return
	}
	up, err := s.store.SaveOrgUpload(ctx, actor, name, f)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/import/%d", up.ID), http.StatusSeeOther)
}

// readOrgUploads reads every file of the "file" field (at most two).
func readOrgUploads(r *http.Request) ([]orgio.Upload, error) {
	var out []orgio.Upload
	for _, fh := range r.MultipartForm.File["file"] {
		if len(out) == 2 {
			break
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, orgio.MaxFileBytes+1))
		f.Close()
		if err != nil {
			return nil, err
		}
		if len(data) == 0 && fh.Filename == "" {
			continue
		}
		out = append(out, orgio.Upload{Name: fh.Filename, Data: data})
	}
	return out, nil
}

func uploadNames(ups []orgio.Upload) string {
	names := make([]string, len(ups))
	for i, u := range ups {
		names[i] = u.Name
	}
	return strings.Join(names, ", ")
}

// showOrgImportPlan is the dry run of a kept file, against the organisation now.
func (s *Server) showOrgImportPlan(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	up, ok := s.orgUpload(w, r)
	if !ok {
		return
	}
	pl, err := s.store.PlanOrgImport(ctx, spine.ViewerFrom(ctx).User.ID, up.File)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !pl.OK() {
		status = http.StatusUnprocessableEntity
	}
	s.orgImportPage(w, r, status, orgPlanView(ctx, up.Filename, up.ID, pl))
}

func (s *Server) orgUpload(w http.ResponseWriter, r *http.Request) (store.OrgUpload, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return store.OrgUpload{}, false
	}
	up, err := s.store.OrgUploadByID(r.Context(), spine.ViewerFrom(r.Context()).User.ID, id)
	if err != nil {
		s.Fail(w, r, err)
		return store.OrgUpload{}, false
	}
	return up, true
}

// applyOrgImport applies the kept file if its plan is still the one shown (the
// digest the form carries); otherwise it shows the new dry run.
func (s *Server) applyOrgImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	up, ok := s.orgUpload(w, r)
	if !ok {
		return
	}
	hash, err := s.UnusablePasswordHash(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	pl, err := s.store.ApplyOrgImport(ctx, spine.ViewerFrom(ctx).User.ID, up.File, store.OrgImportOptions{
		Digest: r.PostFormValue("digest"), PasswordHash: hash, UploadID: up.ID, Filename: up.Filename})
	switch {
	case err == nil:
	case accord.ErrorCodeOf(err) == accord.ECodeConflict || accord.ErrorCodeOf(err) == accord.ECodeInvalid:
		s.flashRefusal(ctx, err)
		http.Redirect(w, r, fmt.Sprintf("/admin/import/%d", up.ID), http.StatusSeeOther)
		return
	default:
		s.Fail(w, r, err)
		return
	}
	if pl.Empty() {
		s.flash(ctx, "org_import_no_changes")
	} else {
		s.flash(ctx, "org_import_applied")
	}
	http.Redirect(w, r, "/admin/units", http.StatusSeeOther)
}

func (s *Server) downloadOrgTemplate(w http.ResponseWriter, r *http.Request) {
	var buf bytes.Buffer
	if err := orgio.WriteTemplate(&buf); err != nil {
		s.Fail(w, r, err)
		return
	}
	sendFile(w, xlsxContentType, fileName{name: "organisation-template.xlsx", fallback: "organisation-template.xlsx"}, buf.Bytes())
}

func (s *Server) exportOrg(w http.ResponseWriter, r *http.Request) {
	f, err := s.store.OrgExport(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := orgio.Write(&buf, f); err != nil {
		s.Fail(w, r, err)
		return
	}
	sendFile(w, xlsxContentType, fileName{name: "organisation.xlsx", fallback: "organisation.xlsx"}, buf.Bytes())
}

// orgGroupLimit is how many of a group's changes the page lists; the count says all.
const orgGroupLimit = 200

// orgPlanView shapes a plan for the page in the reader's language.
func orgPlanView(ctx context.Context, filename string, uploadID int64, pl orgio.Plan) ui.OrgImportPage {
	lang := i18n.Lang(ctx)
	v := ui.OrgImportPage{Checked: true, Filename: filename, UploadID: uploadID, Digest: pl.Digest(),
		NoChanges: pl.OK() && pl.Empty(), ActorKept: pl.ActorKept, Total: pl.Count()}
	for _, e := range pl.Errors {
		p := ui.OrgImportProblem{Sheet: e.Sheet, Row: e.Row, Problem: i18n.T(ctx, e.MessageID), Value: e.Value}
		if e.Field != "" {
			p.Column = i18n.T(ctx, orgio.FieldMessageID(e.Field))
		}
		v.Problems = append(v.Problems, p)
	}
	if !pl.OK() {
		return v
	}
	name := func(zh, en string) string {
		if lang == i18n.English && en != "" {
			return en
		}
		return zh
	}
	units := func(key string, list []orgio.UnitChange) {
		g := ui.OrgImportGroup{Key: key, Title: i18n.T(ctx, orgio.GroupMessageID(key)), Count: len(list)}
		for i, c := range list {
			if i == orgGroupLimit {
				break
			}
			line := c.Code + " · " + name(c.Name, c.NameEN)
			switch key {
			case "units_renamed":
				line = c.Code + " · " + c.From + " → " + c.To
			case "units_moved":
				line += " · " + orText(ctx, c.From, "org_import_top") + " → " + orText(ctx, c.To, "org_import_top")
			case "heads_changed":
				line += " · " + orText(ctx, c.From, "org_import_vacant") + " → " + orText(ctx, c.To, "org_import_vacant")
			case "units_closed":
				if c.OpenRequests > 0 {
					line += fmt.Sprintf(" · %d %s", c.OpenRequests, i18n.T(ctx, "org_import_open_requests"))
				}
			}
			g.Items = append(g.Items, line)
		}
		v.Groups = append(v.Groups, g)
	}
	people := func(key string, list []orgio.PersonChange) {
		g := ui.OrgImportGroup{Key: key, Title: i18n.T(ctx, orgio.GroupMessageID(key)), Count: len(list)}
		for i, c := range list {
			if i == orgGroupLimit {
				break
			}
			line := c.Email + " · " + name(c.Name, c.NameEN)
			if c.From != "" {
				line = c.Email + " · " + c.From + " → " + name(c.Name, c.NameEN)
			}
			g.Items = append(g.Items, line)
		}
		v.Groups = append(v.Groups, g)
	}
	members := func(key string, list []orgio.MembershipChange) {
		g := ui.OrgImportGroup{Key: key, Title: i18n.T(ctx, orgio.GroupMessageID(key)), Count: len(list)}
		for i, c := range list {
			if i == orgGroupLimit {
				break
			}
			g.Items = append(g.Items, c.Email+" · "+c.Code)
		}
		v.Groups = append(v.Groups, g)
	}
	units("units_created", pl.UnitsCreated)
	units("units_renamed", pl.UnitsRenamed)
	units("units_moved", pl.UnitsMoved)
	units("units_closed", pl.UnitsClosed)
	units("units_reopened", pl.UnitsReopened)
	units("heads_changed", pl.HeadsChanged)
	people("people_created", pl.PeopleCreated)
	people("people_renamed", pl.PeopleRenamed)
	people("people_activated", pl.PeopleActivated)
	people("people_deactivated", pl.PeopleDeactivated)
	members("memberships_added", pl.MembershipsAdded)
	members("memberships_removed", pl.MembershipsRemoved)
	return v
}

func orText(ctx context.Context, s, id string) string {
	if s == "" {
		return i18n.T(ctx, id)
	}
	return s
}
