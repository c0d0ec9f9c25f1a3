package pages

import (
	"net/http"
	"slices"
	"time"

	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// agendaShown is how many items each list on the start page names.
const agendaShown = 6

// showHomePage shows what needs the viewer today, by role: escalations waiting for
// their decision; requests waiting for their answer, escalations waiting for their
// unit's statement and agreed requests they must deliver; counter-proposals and
// declines on their projects, requests gone quiet, promises coming due; then their
// units and projects. Three queries after the session's, whatever the numbers: the
// epochs, the projects led, and every list at once; one, the epochs, when kept.
//
// The page is kept rendered with the epochs it was read at (the inbox's way, see
// showInboxPage): the organisation's, the viewer's, those of the units they head and
// of every project they lead, which every write to what the agenda lists moves.
func (s *Server) showHomePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := spine.ViewerFrom(ctx)
	now := s.Now()
	// Everything the body is drawn from besides the rows: the viewer (their name,
	// roles and stand-in arrangements), their language and zone; and the query, which
	// it ignores, as every kept page's key has it.
	key, err := keyOf("home", rulesViewer(*v), i18n.Lang(ctx), ui.Location(ctx).String(), r.URL.RawQuery)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	answered, turn := s.rendered.servedOrDraw(ctx, keptHome, key, func(since time.Time) lookedUp { return s.servedKeptPage(w, r, key, now, since, "home") })
	if answered {
		return
	}
	defer turn.done()
	// The epochs first: everything read after them is no older than they say.
	at, quiet, err := s.store.HomeEpochs(ctx, v.User.ID, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	projects, err := s.store.ProjectsLedBy(ctx, v.User.ID, 20)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	items, counts, listed, err := s.store.AgendaAt(ctx, v.User.ID, agendaShown, now)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	// The listed items' projects (what they are called, what they ask), read with them.
	at = at.With(nil, listed)
	// The arrangements running now came with the viewer: no query of their own.
	view := ui.HomeView{Viewer: rulesViewer(*v), Projects: projects, Today: now, Agenda: items, Counts: counts,
		StandIns: slices.Concat(v.AwayWith, v.StandingIn)}
	body, err := s.rendered.renderRead(ctx, turn, view.SameUntil(ui.Location(ctx), quiet), keptAt{at: at, titleID: "nav_home"},
		ui.Home(view))
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "nav_home"), "home", body)
}
