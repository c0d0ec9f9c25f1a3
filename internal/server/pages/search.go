package pages

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
	"accord/web/ui"
)

type searchStore interface {
	Search(ctx context.Context, v accord.Viewer, q accord.SearchQuery, offset, limit int) (accord.SearchResults, error)
}

func (s *Server) searchRoutes(r chi.Router) {
	r.Get("/search", s.showSearchPage)
}

// showSearchPage searches for ?q= among what the viewer may open, one kind (?kind=)
// or all, a page (?page=) at a time. A search it cannot run keeps the words in the
// box and says what to change (422).
//
// Results are kept rendered (pages/rendered_pages.go) with the organisation's and the
// search's epochs they were read at (migration 0057 moves the latter on every write
// to what a search reads, or who may see it), under a key naming the viewer's rules,
// language, zone and query, until a dated hit's age would read otherwise
// (SearchView.SameUntil): the same search again costs the epochs' statement, not the
// search's. A write anywhere in the company makes every search run again.
func (s *Server) showSearchPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	raw := r.URL.Query().Get("q")
	q, err := accord.ParseSearchQuery(raw, accord.SearchKind(r.URL.Query().Get("kind")))
	v := ui.SearchView{Query: q, Raw: raw, Now: s.Now(), Page: 1, Pages: 1}
	title := i18n.T(ctx, "search_title")
	if q.Text != "" {
		title = q.Text + " · " + title
	}
	if err != nil {
		if v.Fields = accord.FieldErrors(err); v.Fields == nil {
			s.Fail(w, r, err)
			return
		}
		s.page(w, r, http.StatusUnprocessableEntity, title, "search", ui.Search(v))
		return
	}
	v.Raw = q.Text
	viewer := spine.ViewerFrom(ctx)
	key, err := keyOf("search", rulesViewer(*viewer), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	at, answered, turn := s.keptAtCompanyOrDraw(w, r, keptSearch, key, v.Now, store.SearchEpoch, title, "search")
	if answered {
		return
	}
	defer turn.done()
	// Every kind keeps at most SearchMaxHits, so the pages end there.
	maxPage := pages(accord.SearchMaxHits*len(accord.SearchKinds), accord.SearchPageSize)
	v.Page = min(pageParam(r), maxPage)
	if v.Results, err = s.store.Search(ctx, *viewer, q, (v.Page-1)*accord.SearchPageSize, accord.SearchPageSize); err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Pages = pages(v.Results.Total(q.Kind), accord.SearchPageSize)
	body, err := s.rendered.renderRead(ctx, turn, v.SameUntil(ui.Location(ctx)), at, ui.Search(v))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, title, "search", body)
}
