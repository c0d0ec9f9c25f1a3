package pages

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
	"accord/web/i18n"
	"accord/web/ui"
)

// conversationLength is how many comments a page shows of one conversation: the
// latest; the page says how many earlier ones there are.
const conversationLength = 200

func (s *Server) commentRoutes(r chi.Router) {
	r.Post("/requests/{id}/comments", s.addComment(accord.CommentOnRequest))
	r.Post("/escalations/{id}/comments", s.addComment(accord.CommentOnEscalation))
	r.Post("/projects/{id}/comments", s.addComment(accord.CommentOnProject))
	for _, kind := range []accord.CommentKind{accord.CommentOnRequest, accord.CommentOnEscalation, accord.CommentOnProject} {
		r.Get("/"+string(kind)+"s/{id}/mentionable", s.suggestMentions(kind))
	}
	r.Get("/projects/{id}/conversation", s.showProjectConversation)
	r.Post("/comments/{id}/edit", s.editComment)
	r.Post("/comments/{id}/retract", s.retractComment)
	r.Get("/attachments/{id}", s.downloadAttachment(false))
	r.Get("/attachments/{id}/preview", s.downloadAttachment(true))
	for _, kind := range accord.FollowKinds() {
		prefix := "/" + string(kind) + "s/{id}"
		r.Post(prefix+"/follow", s.follow(kind))
		r.Post(prefix+"/unfollow", s.unfollow(kind))
		r.Post(prefix+"/followers", s.addFollower(kind))
	}
}

// conversation reads what a page shows of a conversation the viewer may see: its
// comments and, for someone who may speak in it, the people they may notify.
func (s *Server) conversation(ctx context.Context, conv spine.Conversation, form ui.CommentForm) (ui.ConversationView, error) {
	comments, total, err := s.store.Comments(ctx, conv.Subject, 0, conversationLength)
	if err != nil {
		return ui.ConversationView{}, err
	}
	v := ui.ConversationView{Subject: conv.Subject, Comments: comments, Total: total, Speaks: conv.Speaks,
		ViewerID: spine.ViewerFrom(ctx).User.ID, Now: s.Now(), Form: form, MaxUploadMB: s.Opts.UploadLimit() >> 20}
	if conv.Speaks {
		if v.Candidates, err = s.MentionCandidates(ctx, conv); err != nil {
			return ui.ConversationView{}, err
		}
	}
	if slices.Contains(accord.FollowKinds(), conv.Subject.Kind) {
		if v.Followers, err = s.store.Followers(ctx, conv.Subject); err != nil {
			return ui.ConversationView{}, err
		}
		v.Followable, v.AddFollowers = true, accord.MayAddFollower(conv.Lead)
		v.Following = slices.ContainsFunc(v.Followers, func(u accord.User) bool { return u.ID == v.ViewerID })
	}
	return v, nil
}

// follow has the viewer follow the subject in the path, if they may see it.
func (s *Server) follow(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		subject := accord.CommentSubject{Kind: kind, ID: id}
		if err := s.Follow(ctx, subject, spine.ViewerFrom(ctx).User.ID); err != nil {
			s.Fail(w, r, err)
			return
		}
		s.flash(ctx, "follow_started")
		http.Redirect(w, r, subject.Path()+"#followers", http.StatusSeeOther)
	}
}

// unfollow stops the viewer following the subject in the path.
func (s *Server) unfollow(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		subject := accord.CommentSubject{Kind: kind, ID: id}
		// A follower may stop even after losing sight of it (a request passed on to a
		// unit they do not see); anyone else who may not see it finds nothing.
		_, seen := s.Conversation(ctx, subject)
		stopped, err := s.store.Unfollow(ctx, subject, spine.ViewerFrom(ctx).User.ID)
		switch {
		case err != nil:
			s.Fail(w, r, err)
			return
		case seen != nil && !stopped:
			s.Fail(w, r, seen)
			return
		}
		s.flash(ctx, "follow_stopped")
		back := "/notifications"
		if seen == nil {
			back = subject.Path() + "#followers"
		}
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

// addFollower has the project's lead add someone, by email, who may see the subject.
// An unknown address reads as someone who may not see it.
func (s *Server) addFollower(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		subject := accord.CommentSubject{Kind: kind, ID: id}
		conv, err := s.Conversation(ctx, subject)
		if err == nil && !accord.MayAddFollower(conv.Lead) {
			err = accord.Errorf(accord.ECodeForbidden, "follow_lead_only", nil)
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		cannot := &accord.Error{Code: accord.ECodeInvalid, MessageID: "follow_cannot_see",
			Fields: map[string]string{"follower": "follow_cannot_see"}}
		u, err := s.store.UserByEmail(ctx, strings.TrimSpace(r.PostFormValue("email")))
		switch code := accord.ErrorCodeOf(err); {
		case err == nil && !u.Active(), err != nil && (code == accord.ECodeInvalid || code == accord.ECodeNotFound):
			err = cannot
		case err == nil:
			err = s.Follow(ctx, subject, u.ID)
		}
		switch {
		case refused(err):
			s.flashRefusal(ctx, err)
		case err != nil:
			s.Fail(w, r, err)
			return
		default:
			s.flash(ctx, "follow_added", map[string]any{"Person": u.DisplayName(i18n.Lang(ctx))})
		}
		http.Redirect(w, r, subject.Path()+"#followers", http.StatusSeeOther)
	}
}

// transferTime is how long one file may take to arrive or to leave.
const transferTime = 10 * time.Minute

// maxCommentField bounds each text part of a multipart comment: the words and the
// addresses, never the file; maxCommentParts their number (a comment and its
// mentions), and twice maxCommentField all of them together.
const (
	maxCommentField = 64 << 10
	maxCommentParts = accord.MaxCommentMentions + 10
)

// readMultipartFields reads a multipart comment's text fields into r.PostForm, in
// the order sent, up to its file: the file is returned unread, to be streamed into
// the database (never held whole in memory). A url-encoded post has no file.
func readMultipartFields(w http.ResponseWriter, r *http.Request) (*accord.Upload, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, nil
	}
	// A file takes longer than a form: the server's read deadline is for forms.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(transferTime))
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form"}
	}
	r.PostForm = url.Values{}
	// The words and addresses of one comment: a bounded number of bounded parts.
	parts, text := 0, 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &accord.Error{Code: accord.ECodeTooLarge, MessageID: "attachment_too_large",
				Data: map[string]any{"MB": tooBig.Limit >> 20}}
		}
		if err != nil {
			return nil, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form"}
		}
		if part.FormName() == "file" {
			if part.FileName() == "" {
				continue // the file field left empty
			}
			// The file comes last, as the form sends it: it is read as a stream after
			// the words, and anything sent after it is not read at all.
			return &accord.Upload{Name: part.FileName(), Body: part}, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, maxCommentField+1))
		parts, text = parts+1, text+len(value)
		if err != nil || len(value) > maxCommentField || parts > maxCommentParts || text > 2*maxCommentField {
			return nil, &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form"}
		}
		r.PostForm.Add(part.FormName(), string(value))
	}
}

// readCommentForm reads a posted comment: the words, the people ticked and, by email,
// one more. An email nobody active has is a problem with the field.
func (s *Server) readCommentForm(r *http.Request) (ui.CommentForm, accord.CommentInput, accord.Validation, error) {
	f := ui.CommentForm{Body: r.PostFormValue("body"), MentionEmail: strings.TrimSpace(r.PostFormValue("mention_email"))}
	var read accord.Validation
	for _, raw := range r.PostForm["mention"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			read.Add("mentions", "comment_mention_refused")
			continue
		}
		f.Mentions = append(f.Mentions, id)
	}
	in := accord.CommentInput{Body: f.Body, Mentions: f.Mentions}
	if f.MentionEmail != "" {
		u, err := s.store.UserByEmail(r.Context(), f.MentionEmail)
		switch code := accord.ErrorCodeOf(err); {
		case err == nil && u.Active():
			in.Mentions = append(in.Mentions, u.ID)
		case err == nil || code == accord.ECodeNotFound || code == accord.ECodeInvalid:
			// Unknown, or no longer here: said as for someone who may not see it, so the
			// field does not tell which addresses have accounts.
			read.Add("mentions", "comment_mention_refused")
		default:
			return f, in, read, err
		}
	}
	return f, in, read, nil
}

// addComment posts a comment on the subject of kind named in the path. A problem
// shows the subject's page again with the comment as typed.
// suggestMentions answers the comment form's name field (htmx, as it is typed) with
// the people of that name the speaker may notify, as boxes to tick inside the form.
// Without JavaScript the field does nothing; the listed people and the email field
// remain.
func (s *Server) suggestMentions(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		people, asked, err := s.SuggestMentions(r.Context(), accord.CommentSubject{Kind: kind, ID: id},
			r.URL.Query().Get("mention_find"))
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		s.renderFragment(w, r, http.StatusOK, ui.MentionSuggestions(people, asked))
	}
}

func (s *Server) addComment(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		subject := accord.CommentSubject{Kind: kind, ID: id}
		file, err := readMultipartFields(w, r)
		if err != nil {
			s.commentFailed(w, r, subject, ui.CommentForm{}, err)
			return
		}
		form, in, read, err := s.readCommentForm(r)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		in.HasFile = file != nil
		// Who may see the subject is asked first, so a stranger learns nothing of it;
		// then whether they may speak, before what they wrote.
		conv, err := s.Conversation(ctx, subject)
		if err == nil && !conv.Speaks {
			err = accord.Errorf(accord.ECodeForbidden, "comment_not_a_party", nil)
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		in.Normalize()
		err = spine.MergeProblems(read, in.Validate())
		var c accord.Comment
		if err == nil {
			c, err = s.AddComment(ctx, subject, in, file)
		}
		if err != nil {
			s.commentFailed(w, r, subject, form, err)
			return
		}
		s.flash(ctx, "comment_posted")
		http.Redirect(w, r, subject.Path()+"#"+c.Anchor(), http.StatusSeeOther)
	}
}

// commentFailed shows the subject's page again with the comment as typed and what to
// fix; a refusal that is not the form's (not a party) gets its own page.
func (s *Server) commentFailed(w http.ResponseWriter, r *http.Request, subject accord.CommentSubject, form ui.CommentForm, err error) {
	ctx := r.Context()
	status, st, ok := formProblem(ctx, err, "body", "mentions", "file")
	var e *accord.Error
	if errors.As(err, &e) && e.Code == accord.ECodeTooLarge {
		// The file was too big: nothing was kept; say so, keeping the words.
		status, st, ok = http.StatusRequestEntityTooLarge, ui.FormState{Fields: map[string]string{"file": "attachment_too_large_field"}}, true
		st.Error = errorMessage(ctx, e)
	}
	if !ok {
		s.Fail(w, r, err)
		return
	}
	form.FormState = st
	switch subject.Kind {
	case accord.CommentOnRequest:
		a, err := s.Request(ctx, subject.ID)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		v, err := s.requestPage(ctx, a, form)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		s.requestPageRender(w, r, status, v)
	case accord.CommentOnEscalation:
		e, party, err := s.Escalation(ctx, subject.ID)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		v, err := s.escalationView(ctx, e, party, form, 0)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		s.escalationPage(w, r, status, v)
	default:
		p, err := s.Project(ctx, subject.ID, false)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		s.projectConversationPage(w, r, status, p, form)
	}
}

// showProjectConversation is a project's own conversation, beside its workbook.
func (s *Server) showProjectConversation(w http.ResponseWriter, r *http.Request) {
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	s.projectConversationPage(w, r, http.StatusOK, p, ui.CommentForm{})
}

func (s *Server) projectConversationPage(w http.ResponseWriter, r *http.Request, status int, p accord.Project, form ui.CommentForm) {
	ctx := r.Context()
	conv, err := s.conversation(ctx, spine.Conversation{Subject: accord.CommentSubject{Kind: accord.CommentOnProject, ID: p.ID},
		ProjectID: p.ID, Speaks: true}, form)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	title := i18n.T(ctx, "comment_project_title", map[string]any{"Project": p.DisplayName(i18n.Lang(ctx))})
	s.page(w, r, status, title, "projects", ui.ProjectConversation(ui.ProjectConversationView{Project: p, Conversation: conv}))
}

// commentToChange loads the comment in the path, if the viewer may see where it was
// said, with the version posted.
func (s *Server) commentToChange(w http.ResponseWriter, r *http.Request) (accord.Comment, int, bool) {
	id, ok := s.pathID(w, r, "id")
	if !ok {
		return accord.Comment{}, 0, false
	}
	c, _, err := s.Comment(r.Context(), id)
	if err != nil {
		s.Fail(w, r, err)
		return accord.Comment{}, 0, false
	}
	return c, int(formInt64(r, "version")), true
}

// editComment corrects a comment within its author's edit window.
func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, version, ok := s.commentToChange(w, r)
	if !ok {
		return
	}
	_, err := s.store.EditComment(ctx, spine.ViewerFrom(ctx).User.ID, c.ID, version, r.PostFormValue("body"), s.Now())
	switch {
	case refused(err) || accord.ErrorCodeOf(err) == accord.ECodeForbidden:
		s.flashRefusal(ctx, err) // the author's window closed, or not theirs: said on the page
	case err != nil:
		s.Fail(w, r, err)
		return
	default:
		s.flash(ctx, "comment_saved")
	}
	http.Redirect(w, r, c.Subject.Path()+"#"+c.Anchor(), http.StatusSeeOther)
}

// retractComment withdraws a comment; its words stay in the record, marked.
func (s *Server) retractComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c, version, ok := s.commentToChange(w, r)
	if !ok {
		return
	}
	_, err := s.store.RetractComment(ctx, spine.ViewerFrom(ctx).User.ID, c.ID, version, s.Now())
	switch {
	case refused(err) || accord.ErrorCodeOf(err) == accord.ECodeForbidden:
		s.flashRefusal(ctx, err)
	case err != nil:
		s.Fail(w, r, err)
		return
	default:
		s.flash(ctx, "comment_retracted_flash")
	}
	http.Redirect(w, r, c.Subject.Path()+"#"+c.Anchor(), http.StatusSeeOther)
}
