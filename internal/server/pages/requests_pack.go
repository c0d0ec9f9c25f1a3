package pages

import (
	"bytes"
	"net/http"
	"slices"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// attachApprovalPack writes the one-page approval pack a holder's head needs for
// their own superior, in the language the lead chose, and attaches it to the
// request's conversation in one step (the "prepare the approval pack" strategy).
func (s *Server) attachApprovalPack(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, ok := s.leadOfRequest(w, r)
	if !ok {
		return
	}
	if !slices.Contains(accord.StrategiesOffered(a.Request, a.Party), accord.StrategyApprovalPack) {
		s.Fail(w, r, accord.Errorf(accord.ECodeForbidden, "pack_not_now", nil))
		return
	}
	lang := r.PostFormValue("lang")
	if lang != i18n.Chinese && lang != i18n.English {
		lang = i18n.Lang(ctx)
	}
	holder, err := s.store.Unit(ctx, a.Request.HolderUnitID)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	in := s.I18n.Localizer(lang)
	packCtx := i18n.WithLocalizer(ctx, in)
	var doc bytes.Buffer
	view := ui.ApprovalPackView{Request: a.Request, Project: a.Project,
		HolderHead: accord.User{Name: holder.HeadName, NameEN: holder.HeadNameEN}.DisplayName(lang)}
	if err := ui.ApprovalPack(view).Render(packCtx, &doc); err != nil {
		s.Fail(w, r, err)
		return
	}
	need := accord.Need{Title: a.Request.NeedTitle, TitleEN: a.Request.NeedTitleEN}.DisplayTitle(lang)
	file := accord.Upload{Name: in.T("pack_file_name", map[string]any{"Need": need}) + ".html", Body: &doc}
	subject := accord.CommentSubject{Kind: accord.CommentOnRequest, ID: a.Request.ID}
	c, err := s.AddComment(ctx, subject, accord.CommentInput{Body: in.T("pack_comment", map[string]any{"Need": accord.Isolate(need)})}, &file)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	s.flash(ctx, "pack_attached")
	http.Redirect(w, r, subject.Path()+"#"+c.Anchor(), http.StatusSeeOther)
}
