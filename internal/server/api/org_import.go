package api

import (
	"bytes"
	"context"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"accord/internal/orgio"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
)

// orgImportStore is the organisation import's and export's.
type orgImportStore interface {
	ApplyOrgImport(ctx context.Context, actorID int64, f orgio.File, opts store.OrgImportOptions) (orgio.Plan, error)
	OrgExport(ctx context.Context) (orgio.File, error)
	PlanOrgImport(ctx context.Context, actorID int64, f orgio.File) (orgio.Plan, error)
}

// orgImportRoutes declares the organisation import and export, for administrators.
func (s *Server) orgImportRoutes(r chi.Router) {
	r.Post("/org/import", s.apiOrgImport)
	r.Get("/org/export", s.apiOrgExport)
}

// apiOrgUnit and apiOrgPerson are the rows of an organisation as JSON: the same
// columns as the spreadsheet.
type apiOrgUnit struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en"`
	ParentCode string `json:"parent_code"`
	HeadEmail  string `json:"head_email"`
}

type apiOrgPerson struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	NameEN    string   `json:"name_en"`
	UnitCodes []string `json:"unit_codes"`
	Active    bool     `json:"active"`
}

// apiOrganisation is the whole organisation, as GET /org/export returns it and
// POST /org/import takes it.
type apiOrganisation struct {
	Units  []apiOrgUnit   `json:"units"`
	People []apiOrgPerson `json:"people"`
}

// apiOrgProblem is one row to fix.
type apiOrgProblem struct {
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Field     string `json:"field"`
	MessageID string `json:"message_id"`
	Message   string `json:"message"`
	Value     string `json:"value"`
}

// apiOrgPlan is a dry run's or an apply's answer.
type apiOrgPlan struct {
	OK        bool            `json:"ok"`
	Applied   bool            `json:"applied"`
	NoChanges bool            `json:"no_changes"`
	ActorKept bool            `json:"actor_kept"`
	Digest    string          `json:"digest"`
	Total     int             `json:"total"`
	Counts    map[string]int  `json:"counts"`
	Changes   orgio.Changes   `json:"changes"`
	Errors    []apiOrgProblem `json:"errors"`
}

func toAPIOrgPlan(ctx context.Context, pl orgio.Plan, applied bool) apiOrgPlan {
	out := apiOrgPlan{OK: pl.OK(), Applied: applied && pl.OK() && !pl.Empty(), NoChanges: pl.OK() && pl.Empty(),
		ActorKept: pl.ActorKept, Digest: pl.Digest(), Total: pl.Count(), Counts: pl.Counts(), Changes: pl.Changes,
		Errors: []apiOrgProblem{}}
	c := &out.Changes
	for _, l := range []*[]orgio.UnitChange{&c.UnitsCreated, &c.UnitsRenamed, &c.UnitsMoved, &c.UnitsClosed, &c.UnitsReopened, &c.HeadsChanged} {
		*l = nonNil(*l)
	}
	for _, l := range []*[]orgio.PersonChange{&c.PeopleCreated, &c.PeopleRenamed, &c.PeopleActivated, &c.PeopleDeactivated} {
		*l = nonNil(*l)
	}
	c.MembershipsAdded, c.MembershipsRemoved = nonNil(c.MembershipsAdded), nonNil(c.MembershipsRemoved)
	for _, e := range pl.Errors {
		out.Errors = append(out.Errors, apiOrgProblem{Sheet: e.Sheet, Row: e.Row, Field: e.Field, MessageID: e.MessageID,
			Message: i18n.T(ctx, e.MessageID), Value: e.Value})
	}
	return out
}

func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// apiOrgImport checks an organisation file and, with ?apply=true, applies it. The
// body is multipart (one .xlsx or two CSV files in "file"), JSON (an apiOrganisation),
// or the bytes of one .xlsx or CSV file.
func (s *Server) apiOrgImport(w http.ResponseWriter, r *http.Request) {
	ctx := s.apiCtx(r)
	v := spine.ViewerFrom(ctx)
	if err := apiAdminOnly(v); err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := readOrgBody(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if r.URL.Query().Get("apply") != "true" {
		pl, err := s.store.PlanOrgImport(ctx, v.User.ID, f)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.apiJSON(w, r, http.StatusOK, toAPIOrgPlan(ctx, pl, false))
		return
	}
	hash, err := s.UnusablePasswordHash(ctx)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	pl, err := s.store.ApplyOrgImport(ctx, v.User.ID, f, store.OrgImportOptions{Digest: r.URL.Query().Get("digest"),
		PasswordHash: hash, Filename: "api"})
	switch {
	case err == nil:
		s.apiJSON(w, r, http.StatusOK, toAPIOrgPlan(ctx, pl, true))
	case !pl.OK():
		s.apiJSON(w, r, http.StatusUnprocessableEntity, toAPIOrgPlan(ctx, pl, false))
	default:
		s.apiFail(w, r, err)
	}
}

// readOrgBody reads the organisation however the client sent it.
func readOrgBody(r *http.Request) (orgio.File, error) {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mediaType == "application/json":
		var body struct {
			Units  *[]apiOrgUnit   `json:"units"`
			People *[]apiOrgPerson `json:"people"`
		}
		if err := decodeJSON(r, &body); err != nil {
			return orgio.File{}, err
		}
		var f orgio.File
		if body.Units == nil {
			f.Problems = append(f.Problems, orgio.Problem{Sheet: "units", MessageID: "org_import_no_units_sheet"})
		}
		if body.People == nil {
			f.Problems = append(f.Problems, orgio.Problem{Sheet: "people", MessageID: "org_import_no_people_sheet"})
		}
		if body.Units != nil {
			for i, u := range *body.Units {
				f.Units = append(f.Units, orgio.UnitRow{Sheet: "units", Row: i + 1, Code: strings.TrimSpace(u.Code),
					Name: strings.TrimSpace(u.Name), NameEN: strings.TrimSpace(u.NameEN),
					ParentCode: strings.TrimSpace(u.ParentCode), HeadEmail: strings.ToLower(strings.TrimSpace(u.HeadEmail))})
			}
		}
		if body.People != nil {
			for i, p := range *body.People {
				var codes []string
				for _, c := range p.UnitCodes {
					codes = append(codes, orgio.SplitCodes(c)...)
				}
				f.People = append(f.People, orgio.PersonRow{Sheet: "people", Row: i + 1, Email: strings.ToLower(strings.TrimSpace(p.Email)),
					Name: strings.TrimSpace(p.Name), NameEN: strings.TrimSpace(p.NameEN), UnitCodes: codes, Active: p.Active})
			}
		}
		return f, nil
	case mediaType == "multipart/form-data":
		if err := r.ParseMultipartForm(orgio.MaxFileBytes + 64<<10); err != nil {
			if isTooLarge(err) {
				return orgio.File{}, err
			}
			return orgio.File{}, &apiBadRequest{detail: "unreadable multipart body"}
		}
		defer r.MultipartForm.RemoveAll()
		var ups []orgio.Upload
		for _, fh := range r.MultipartForm.File["file"] {
			if len(ups) == 2 {
				break
			}
			file, err := fh.Open()
			if err != nil {
				return orgio.File{}, err
			}
			data, err := io.ReadAll(io.LimitReader(file, orgio.MaxFileBytes+1))
			file.Close()
			if err != nil {
				return orgio.File{}, err
			}
			ups = append(ups, orgio.Upload{Name: fh.Filename, Data: data})
		}
		if len(ups) == 0 {
			return orgio.File{}, &apiBadRequest{detail: "no file in the file field", fields: map[string]string{"file": "field_required"}}
		}
		return orgio.Read(ups...), nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if isTooLarge(err) {
			return orgio.File{}, err
		}
		return orgio.File{}, &apiBadRequest{detail: "unreadable body"}
	}
	if len(data) == 0 {
		return orgio.File{}, &apiBadRequest{detail: "empty body"}
	}
	name := "upload.csv"
	if bytes.HasPrefix(data, []byte("PK")) {
		name = "upload.xlsx"
	}
	return orgio.Read(orgio.Upload{Name: name, Data: data}), nil
}

// apiOrgExport returns the organisation as JSON, or with ?format=xlsx as the
// spreadsheet /admin/import reads; importing either changes nothing.
func (s *Server) apiOrgExport(w http.ResponseWriter, r *http.Request) {
	ctx := s.apiCtx(r)
	if err := apiAdminOnly(spine.ViewerFrom(ctx)); err != nil {
		s.apiFail(w, r, err)
		return
	}
	f, err := s.store.OrgExport(ctx)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "xlsx" {
		var buf bytes.Buffer
		if err := orgio.Write(&buf, f); err != nil {
			s.apiFail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", `attachment; filename="organisation.xlsx"`)
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
		return
	}
	out := apiOrganisation{Units: []apiOrgUnit{}, People: []apiOrgPerson{}}
	for _, u := range f.Units {
		out.Units = append(out.Units, apiOrgUnit{Code: u.Code, Name: u.Name, NameEN: u.NameEN, ParentCode: u.ParentCode, HeadEmail: u.HeadEmail})
	}
	for _, p := range f.People {
		out.People = append(out.People, apiOrgPerson{Email: p.Email, Name: p.Name, NameEN: p.NameEN,
			UnitCodes: nonNil(p.UnitCodes), Active: p.Active})
	}
	s.apiJSON(w, r, http.StatusOK, out)
}
