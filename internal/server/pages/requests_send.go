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

// showSendPage lists the needs the lead can send, the most important ones never
// withdrawn ticked (accord.SendTickedByDefault).
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
	live, cancelled := map[int64]bool{}, map[int64]bool{}
	v := ui.SendView{Project: p}
	for _, req := range requests {
		if req.State.Open() {
			live[req.NeedID] = true
			v.Live = append(v.Live, req)
		}
		if req.State == accord.RequestCancelled {
			cancelled[req.NeedID] = true
		}
	}
	for _, n := range needs {
		switch {
		case n.HolderUnitID == nil:
			v.External = append(v.External, n)
		case !live[n.ID]:
			item := ui.SendItem{Need: n}
			if checked == nil {
				item.Checked = accord.SendTickedByDefault(n, cancelled[n.ID])
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
// Several needs go out only after a confirmation page lists each with its holder,
// effort and date (a second form, so it works without JavaScript); from there the
// lead sends them (confirm) or goes back to the list (change) with the ticks kept.
func (s *Server) sendNeeds(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.editableProject(w, r)
	if !ok {
		return
	}
	var ids []int64
	for _, raw := range r.PostForm["need"] {
		if id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	message := strings.TrimSpace(r.PostFormValue("message"))
	var problems accord.Validation
	if len(ids) == 0 {
		problems.Add("needs", "rq_send_none_chosen")
	}
	accord.ValidateText(&problems, "message", message, accord.MaxNoteLength) // NUL would fail the insert: a 500
	err := problems.Err()
	if err != nil || r.PostFormValue("change") != "" {
		v, lerr := s.sendView(ctx, p, nonNilIDs(ids))
		if lerr != nil {
			s.Fail(w, r, lerr)
			return
		}
		status := http.StatusOK
		if err != nil {
			_, v.FormState, _ = formProblem(ctx, err, "needs", "message")
			status = http.StatusUnprocessableEntity
		}
		v.Message = message
		s.sendPage(w, r, status, v)
		return
	}
	if len(ids) > 1 && r.PostFormValue("confirm") == "" {
		v, lerr := s.sendView(ctx, p, ids)
		if lerr != nil {
			s.Fail(w, r, lerr)
			return
		}
		c := ui.SendConfirmView{Project: p, Message: message}
		for _, it := range v.Items {
			if it.Checked {
				c.Items = append(c.Items, it)
			}
		}
		if len(c.Items) > 1 {
			s.page(w, r, http.StatusOK, i18n.T(ctx, "ph_send_confirm_title"), "projects", ui.SendConfirmPage(c))
			return
		}
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
