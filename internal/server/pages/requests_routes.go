package pages

import (
	"context"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/ui"
)

// requestRoutes registers its pages on the signed-in router: sending a project's needs,
// the head's inbox, the request page with its actions, progress log and obstacle
// help, the project's tracker, and the notification centre. Every form works without
// JavaScript; the inbox's cards also answer htmx in place.
func (s *Server) requestRoutes(r chi.Router) {
	r.Get("/projects/{id}/send", s.showSendPage)
	r.Post("/projects/{id}/send", s.sendNeeds)
	r.Get("/projects/{id}/tracker", s.showTrackerPage)

	r.Get("/inbox", s.showInboxPage)

	r.Get("/requests/{id}", s.showRequestPage)
	for _, a := range requestFormActions() {
		r.Post("/requests/{id}/"+string(a), s.actOnRequest(a))
	}
	r.Post("/requests/{id}/progress", s.addProgress)
	r.Post("/requests/{id}/nudge", s.nudgeRequest)
	r.Post("/requests/{id}/split", s.splitNeed)
	r.Post("/requests/{id}/commit", s.commitToHolder)
	r.Post("/requests/{id}/approval-pack", s.attachApprovalPack)

	r.Get("/notifications", s.showNotificationsPage)
	r.Post("/notifications/read", s.markNotificationsRead)
	r.Get("/notifications/{id}/open", s.openNotification)
}

// requestFormActions are the actions people take on a request page or inbox card.
// Sending happens from the project's send page.
func requestFormActions() []accord.RequestAction {
	var out []accord.RequestAction
	for _, a := range accord.RequestActions() {
		if a != accord.ActionSend {
			out = append(out, a)
		}
	}
	return out
}

func requestPath(id int64) string { return "/requests/" + strconv.FormatInt(id, 10) }

func trackerPath(projectID int64) string {
	return "/projects/" + strconv.FormatInt(projectID, 10) + "/tracker"
}

// loadRequest reads the request in the path and checks the viewer may see it: anyone
// who may see its project, plus the holding unit's head and the key person. Anyone
// else gets the 404 page, so they do not learn the request exists.
func (s *Server) loadRequest(w http.ResponseWriter, r *http.Request) (spine.RequestAccess, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return spine.RequestAccess{}, false
	}
	a, err := s.Spine.Request(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return spine.RequestAccess{}, false
	}
	return a, true
}

// requestProblem sorts a refused request action like formProblem, with the message
// said by requestErrorText.
func requestProblem(ctx context.Context, err error, fields ...string) (int, ui.FormState, bool) {
	status, st, ok := formProblem(ctx, err, fields...)
	if ok && st.Error != "" && len(accord.FieldErrors(err)) == 0 {
		st.Error = spine.RequestErrorText(ctx, err)
	}
	return status, st, ok
}

// activeMembers keeps the members who can still be named the key person.
func activeMembers(users []accord.User) []accord.User {
	out := make([]accord.User, 0, len(users))
	for _, u := range users {
		if u.Active() {
			out = append(out, u)
		}
	}
	return out
}
