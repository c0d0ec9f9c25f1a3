package pages

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// showSendPage lists the needs the lead can send, the most important ones ticked.
func (s *Server) showSendPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	v, err := s.sendView(r.Context(), p, nil)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.sendPage(w, r, http.StatusOK, v)
}

// sendView loads the send page in three queries: the needs, the project's requests
// (which needs are already asked for) and the unit plans (the offers). checked are
// the needs ticked as the lead left them; nil ticks every P0 and P1 need.
func (s *Server) sendView(ctx context.Context, p accord.Project, checked []int64) (ui.SendView, error) {
	needs, err := s.store.Needs(ctx, p.ID)
	if err != nil {
		return ui.SendView{}, err
	}
	requests, err := s.store.ProjectRequests(ctx, p.ID)
	if err != nil {
		return ui.SendView{}, err
	}
	plans, err := s.store.UnitPlans(ctx, p.ID)
	if err != nil {
		return ui.SendView{}, err
	}
	live := map[int64]bool{}
	v := ui.SendView{Project: p}
	for _, req := range requests {
		if req.State.Open() {
			live[req.NeedID] = true
			v.Live = append(v.Live, req)
		}
	}
	for _, n := range needs {
		switch {
		case n.HolderUnitID == nil:
			v.External = append(v.External, n)
		case !live[n.ID]:
			item := ui.SendItem{Need: n}
			if checked == nil {
				item.Checked = n.Tier == accord.TierRequired || n.Tier == accord.TierImportant
			} else {
				item.Checked = slices.Contains(checked, n.ID)
			}
			if i := slices.IndexFunc(plans, func(pl accord.UnitPlan) bool { return pl.UnitID == *n.HolderUnitID }); i >= 0 {
				item.Plan = plans[i]
			}
			v.Items = append(v.Items, item)
		}
	}
	return v, nil
}

func (s *Server) sendPage(w http.ResponseWriter, r *http.Request, status int, v ui.SendView) {
	s.page(w, r, status, i18n.T(r.Context(), "rq_send_title"), "projects", ui.SendPage(v))
}

// sendNeeds sends the ticked needs to their holders' heads and opens the tracker.
func (s *Server) sendNeeds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	var ids []int64
	for _, raw := range r.PostForm["need"] {
		if id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	message := strings.TrimSpace(r.PostFormValue("message"))
	var problems accord.Validation
	if len(ids) == 0 {
		problems.Add("needs", "rq_send_none_chosen")
	}
	accord.ValidateText(&problems, "message", message, accord.MaxNoteLength) // NUL would fail the insert: a 500
	if err := problems.Err(); err != nil {
		v, lerr := s.sendView(ctx, p, nonNilIDs(ids))
		if lerr != nil {
			s.Fail(w, r, lerr)
			return
		}
		_, st, _ := formProblem(ctx, err, "needs", "message")
		v.FormState, v.Message = st, message
		s.sendPage(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	sent, err := s.store.SendNeeds(ctx, spine.ViewerFrom(ctx).User.ID, p.ID, ids, message, s.Now())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	if len(sent) == 0 {
		s.sessions.Put(ctx, flashErrorKey, i18n.T(ctx, "rq_send_nothing"))
	} else {
		s.flash(ctx, "rq_sent", map[string]any{"Count": len(sent)})
	}
	http.Redirect(w, r, trackerPath(p.ID), http.StatusSeeOther)
}

// nonNilIDs keeps "nothing ticked" apart from "use the defaults".
func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
