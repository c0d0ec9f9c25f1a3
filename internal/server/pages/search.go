package pages

import (
	"context"
	"net/http"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
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
	// Every kind keeps at most SearchMaxHits, so the pages end there.
	maxPage := pages(accord.SearchMaxHits*len(accord.SearchKinds), accord.SearchPageSize)
	v.Page = min(pageParam(r), maxPage)
	if v.Results, err = s.store.Search(ctx, *spine.ViewerFrom(ctx), q, (v.Page-1)*accord.SearchPageSize, accord.SearchPageSize); err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Pages = pages(v.Results.Total(q.Kind), accord.SearchPageSize)
	s.page(w, r, http.StatusOK, title, "search", ui.Search(v))
}
