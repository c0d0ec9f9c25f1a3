package pages

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/delivery"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// adminWebhookRoutes registers the admin pages for outgoing webhooks.
func (s *Server) adminWebhookRoutes(r chi.Router) {
	r.Get("/admin/webhooks", s.showWebhooksPage)
	r.Post("/admin/webhooks", s.createWebhook)
	r.Post("/admin/webhooks/{id}/enable", s.enableWebhook)
	r.Post("/admin/webhooks/{id}/disable", s.disableWebhook)
	r.Post("/admin/webhooks/{id}/delete", s.deleteWebhook)
	r.Post("/admin/webhooks/{id}/test", s.testWebhook)
}

const webhooksPath = "/admin/webhooks"

// shownFailures is how many of the latest failures the page shows per webhook, and
// for email.
const shownFailures = 3

// testMessageTimeout bounds the admin's wait for a test message.
const testMessageTimeout = 10 * time.Second

func (s *Server) showWebhooksPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.webhooksPage(r.Context())
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.page(w, r, http.StatusOK, i18n.T(r.Context(), "admin_webhooks_title"), "admin_webhooks", ui.AdminWebhooks(v))
}

// webhooksPage loads the page in three queries whatever the number of webhooks and
// deliveries: the units, the webhooks, and the latest deliveries of them all.
func (s *Server) webhooksPage(ctx context.Context) (ui.AdminWebhooksView, error) {
	units, err := s.store.Units(ctx)
	if err != nil {
		return ui.AdminWebhooksView{}, err
	}
	hooks, err := s.store.Webhooks(ctx)
	if err != nil {
		return ui.AdminWebhooksView{}, err
	}
	recent, err := s.store.RecentDeliveries(ctx, shownFailures)
	if err != nil {
		return ui.AdminWebhooksView{}, err
	}
	v := ui.AdminWebhooksView{Form: ui.WebhookForm{Units: openUnits(units)}}
	last := map[int64]*accord.Delivery{}
	failures := map[int64][]accord.Delivery{}
	for i, d := range recent { // newest first
		switch {
		case d.Channel == accord.ChannelEmail:
			v.EmailFailures = append(v.EmailFailures, d)
			continue
		case d.WebhookID == nil:
			continue
		}
		if last[*d.WebhookID] == nil {
			last[*d.WebhookID] = &recent[i]
		}
		if d.Status == accord.DeliveryFailed {
			failures[*d.WebhookID] = append(failures[*d.WebhookID], d)
		}
	}
	for _, h := range hooks { // in the order of the org tree
		if n := len(v.Groups); n == 0 || v.Groups[n-1].UnitID != h.UnitID {
			v.Groups = append(v.Groups, ui.WebhookGroup{UnitID: h.UnitID, UnitName: h.UnitName, UnitNameEN: h.UnitNameEN})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Rows = append(g.Rows, ui.WebhookRow{Webhook: h, Last: last[h.ID], Failures: failures[h.ID]})
	}
	return v, nil
}

// createWebhook adds a webhook; a refused one shows the form again as typed (422).
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	in := accord.WebhookInput{UnitID: formInt64(r, "unit_id"), Platform: accord.WebhookPlatform(r.PostFormValue("platform")),
		URL: r.PostFormValue("url"), Secret: r.PostFormValue("secret"), AllowPrivate: s.Opts.WebhookAllowPrivate}
	in.Normalize()
	err := in.Validate()
	var hook accord.Webhook
	if err == nil {
		hook, err = s.store.CreateWebhook(ctx, spine.ViewerFrom(ctx).User.ID, in)
	}
	if err != nil {
		status, st, ok := formProblem(ctx, err, "unit_id", "platform", "url", "secret")
		if !ok {
			s.Fail(w, r, err)
			return
		}
		v, err := s.webhooksPage(ctx)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		v.Form.FormState, v.Form.UnitID, v.Form.Platform, v.Form.URL, v.Form.Secret = st, in.UnitID, string(in.Platform), in.URL, in.Secret
		s.page(w, r, status, i18n.T(ctx, "admin_webhooks_title"), "admin_webhooks", ui.AdminWebhooks(v))
		return
	}
	s.flash(ctx, "admin_webhook_created", map[string]any{"Unit": accord.Unit{Name: hook.UnitName, NameEN: hook.UnitNameEN}.DisplayName(i18n.Lang(ctx))})
	http.Redirect(w, r, webhooksPath, http.StatusSeeOther)
}

func (s *Server) enableWebhook(w http.ResponseWriter, r *http.Request) {
	s.setWebhookEnabled(w, r, true)
}

func (s *Server) disableWebhook(w http.ResponseWriter, r *http.Request) {
	s.setWebhookEnabled(w, r, false)
}

func (s *Server) setWebhookEnabled(w http.ResponseWriter, r *http.Request, enabled bool) {
	ctx := r.Context()
	_, err := s.store.SetWebhookEnabled(ctx, spine.ViewerFrom(ctx).User.ID, webhookID(r), int(formInt64(r, "version")), enabled)
	if err != nil {
		s.webhookActionFailed(w, r, err)
		return
	}
	if enabled {
		s.flash(ctx, "admin_webhook_turned_on")
	} else {
		s.flash(ctx, "admin_webhook_turned_off")
	}
	http.Redirect(w, r, webhooksPath, http.StatusSeeOther)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if _, err := s.store.DeleteWebhook(ctx, spine.ViewerFrom(ctx).User.ID, webhookID(r), int(formInt64(r, "version"))); err != nil {
		s.webhookActionFailed(w, r, err)
		return
	}
	s.flash(ctx, "admin_webhook_deleted")
	http.Redirect(w, r, webhooksPath, http.StatusSeeOther)
}

// webhookActionFailed answers a refused button: a webhook changed since the page was
// shown is a conflict, shown on the current page (409); one that is gone (another
// admin deleted it) is said on the list it was on.
func (s *Server) webhookActionFailed(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		s.flashRefusal(ctx, err)
		http.Redirect(w, r, webhooksPath, http.StatusSeeOther)
		return
	}
	status, st, ok := formProblem(ctx, err)
	if !ok {
		s.Fail(w, r, err)
		return
	}
	v, err := s.webhooksPage(ctx)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v.Alert = st.Error
	s.page(w, r, status, i18n.T(ctx, "admin_webhooks_title"), "admin_webhooks", ui.AdminWebhooks(v))
}

// testWebhook posts a test message now, records how it went with the webhook's
// deliveries, and says so on the list.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	hook, err := s.store.Webhook(ctx, webhookID(r))
	if err != nil {
		s.webhookActionFailed(w, r, err)
		return
	}
	lang := i18n.Lang(ctx)
	tr := func(id string, data ...map[string]any) string { return i18n.T(ctx, id, data...) }
	text := delivery.TestText(accord.Unit{Name: hook.UnitName, NameEN: hook.UnitNameEN}, lang, tr)
	sendCtx, cancel := context.WithTimeout(ctx, testMessageTimeout)
	defer cancel()
	poster := delivery.NewPoster(s.webhooks, s.Opts.Now)
	sendErr := poster.Post(sendCtx, hook, delivery.TestDeliveryID(hook.ID), text)
	rec := accord.Delivery{Channel: accord.ChannelWebhook, WebhookID: &hook.ID, Status: accord.DeliverySent}
	if sendErr != nil {
		rec.Status, rec.LastError = accord.DeliveryFailed, sendErr.Error()
	}
	if err := s.store.RecordDelivery(ctx, rec, s.Now()); err != nil {
		s.Fail(w, r, err)
		return
	}
	var refused *delivery.AddressError
	switch {
	case errors.As(sendErr, &refused):
		s.sessions.Put(ctx, flashErrorKey, i18n.T(ctx, "admin_webhook_address_refused", map[string]any{"Detail": refused.Detail}))
	case sendErr != nil:
		problem := ui.DeliveryProblem(ctx, delivery.ProblemOf(sendErr.Error()))
		s.sessions.Put(ctx, flashErrorKey, i18n.T(ctx, "delivery_problem_test_failed", map[string]any{"Problem": problem}))
	default:
		s.flash(ctx, "admin_webhook_test_sent")
	}
	http.Redirect(w, r, webhooksPath, http.StatusSeeOther)
}

// webhookID reads the webhook's id from the path; anything that is not one reads as
// 0, which no webhook has, so the button answers as for a deleted webhook.
func webhookID(r *http.Request) int64 {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
