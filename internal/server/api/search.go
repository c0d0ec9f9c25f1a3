package api

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

type searchStore interface {
	Search(ctx context.Context, v accord.Viewer, q accord.SearchQuery, offset, limit int) (accord.SearchResults, error)
}

func (s *Server) searchRoutes(r chi.Router) {
	r.Get("/search", s.apiSearch)
}

// apiSearchHit is one search result: its kind and id, its names in both languages,
// the words it was found in beside them, what it belongs to, and the page that
// shows it.
type apiSearchHit struct {
	Kind          accord.SearchKind   `json:"kind"`
	ID            int64               `json:"id"`
	Title         string              `json:"title"`
	TitleEN       string              `json:"title_en"`
	Text          string              `json:"text"`
	ProjectID     *int64              `json:"project_id"`
	ProjectName   string              `json:"project_name,omitempty"`
	ProjectNameEN string              `json:"project_name_en,omitempty"`
	UnitID        *int64              `json:"unit_id"`
	UnitName      string              `json:"unit_name,omitempty"`
	UnitNameEN    string              `json:"unit_name_en,omitempty"`
	State         accord.RequestState `json:"state,omitempty"`
	Subject       *apiCommentSubject  `json:"subject,omitempty"`
	At            *time.Time          `json:"at"`
	Path          string              `json:"path"`
}

// apiCommentSubject is what a comment found belongs to.
type apiCommentSubject struct {
	Kind    accord.CommentKind `json:"kind"`
	ID      int64              `json:"id"`
	Title   string             `json:"title"` // the need a request or escalation is about; "" for a project
	TitleEN string             `json:"title_en"`
}

// apiSearch finds ?q= among what the caller may open, one ?kind= or all, most
// relevant first, a page at a time, with every kind's count; names_only says the
// query, all single characters, searched projects, units and people alone
// (accord.SearchQuery.Searches), whatever kind was asked.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := readPage(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	// Every problem at once: an unknown kind, and a query that is empty, too short,
	// too long or too many words.
	var problems accord.Validation
	kind := accord.SearchKind(r.URL.Query().Get("kind"))
	if kind != "" && !kind.Valid() {
		problems.Add("kind", "search_kind_invalid")
	}
	q, err := accord.ParseSearchQuery(r.URL.Query().Get("q"), kind)
	for field, msg := range accord.FieldErrors(err) {
		problems.Add(field, msg)
	}
	if err == nil && len(q.Terms) == 0 {
		problems.Add("q", "search_too_short")
	}
	if err := problems.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := s.store.Search(ctx, *spine.ViewerFrom(ctx), q, page.Offset, page.Limit)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]apiSearchHit, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, toAPISearchHit(h))
	}
	counts := map[accord.SearchKind]int{}
	for _, k := range accord.SearchKinds {
		counts[k] = res.Counts[k]
	}
	total := res.Total(q.Kind)
	s.apiJSON(w, r, http.StatusOK, map[string]any{"results": out, "counts": counts, "total": total,
		"capped": res.Capped(), "names_only": q.NamesOnly(), "next_cursor": page.nextCursor(total)})
}

func toAPISearchHit(h accord.SearchHit) apiSearchHit {
	out := apiSearchHit{Kind: h.Kind, ID: h.ID, Title: h.Title, TitleEN: h.TitleEN, Text: h.Text,
		ProjectName: h.ProjectName, ProjectNameEN: h.ProjectNameEN, UnitName: h.UnitName, UnitNameEN: h.UnitNameEN,
		State: h.State, Path: h.Path()}
	if h.ProjectID != 0 {
		out.ProjectID = &h.ProjectID
	}
	if h.UnitID != 0 {
		out.UnitID = &h.UnitID
	}
	if h.Kind == accord.SearchComments {
		out.Subject = &apiCommentSubject{Kind: h.Subject.Kind, ID: h.Subject.ID, Title: h.SubjectTitle, TitleEN: h.SubjectTitleEN}
	}
	if h.Dated() {
		out.At = &h.At
	}
	return out
}
