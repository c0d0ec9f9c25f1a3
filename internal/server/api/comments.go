package api

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"accord/internal/accord"
	"accord/internal/server/spine"
)

// maxAPIComments is the most comments one answer holds: the latest, before the
// cursor given.
const maxAPIComments = 500

// commentRoutes declares the conversations on requests, escalations and projects.
func (s *Server) commentRoutes(r chi.Router) {
	for _, kind := range []accord.CommentKind{accord.CommentOnRequest, accord.CommentOnEscalation, accord.CommentOnProject} {
		prefix := "/" + string(kind) + "s/{id}/comments"
		r.Get(prefix, s.apiComments(kind))
		r.Post(prefix, s.apiAddComment(kind))
	}
	r.Get("/comments/{id}", s.apiComment)
	r.Patch("/comments/{id}", s.apiEditComment)
	r.Post("/comments/{id}/retract", s.apiRetractComment)
	r.Get("/attachments/{id}", s.apiDownloadAttachment)
}

// apiDownloadAttachment streams a file attached in a conversation the caller may
// see, as the page does: a download, never a page.
func (s *Server) apiDownloadAttachment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	var a accord.Attachment
	if err == nil {
		a, err = s.store.Attachment(ctx, id)
	}
	if err == nil {
		if _, _, err = s.Comment(ctx, a.CommentID); accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			err = accord.Errorf(accord.ECodeNotFound, "attachment_not_found", nil)
		}
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	started := false
	err = s.store.CopyAttachment(ctx, a.ID, func() io.Writer {
		started = true
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
		h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
		h.Set("X-Content-Type-Options", "nosniff")
		return w
	})
	switch {
	case err != nil && !started:
		s.apiFail(w, r, err)
	case err != nil:
		s.Log.Warn("send attachment", "attachment", a.ID, "err", err)
	}
}

type apiComment struct {
	ID           string     `json:"id"`
	SubjectKind  string     `json:"subject_kind"`
	SubjectID    string     `json:"subject_id"`
	ProjectID    string     `json:"project_id"`
	AuthorUserID string     `json:"author_user_id"`
	AuthorName   string     `json:"author_name"`
	AuthorNameEN string     `json:"author_name_en"`
	Body         string     `json:"body"`
	CreatedAt    time.Time  `json:"created_at"`
	EditedAt     *time.Time `json:"edited_at"`
	RetractedAt  *time.Time `json:"retracted_at"`
	Version      int        `json:"version"`
	Mentions     []string   `json:"mentions"` // the ids of the people it notified
	// Attachments are the files that came with it; each downloads at its url.
	Attachments []apiAttachment `json:"attachments"`
}

type apiAttachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	CreatedAt   time.Time `json:"created_at"`
}

func toAPIComment(c accord.Comment) apiComment {
	out := apiComment{ID: apiID(c.ID), SubjectKind: string(c.Subject.Kind), SubjectID: apiID(c.Subject.ID),
		ProjectID: apiID(c.ProjectID), AuthorUserID: apiID(c.AuthorUserID), AuthorName: c.AuthorName,
		AuthorNameEN: c.AuthorNameEN, Body: c.Body, CreatedAt: c.CreatedAt, EditedAt: c.EditedAt,
		RetractedAt: c.RetractedAt, Version: c.Version, Mentions: make([]string, 0, len(c.Mentions))}
	for _, u := range c.Mentions {
		out.Mentions = append(out.Mentions, apiID(u.ID))
	}
	out.Attachments = make([]apiAttachment, 0, len(c.Attachments))
	for _, a := range c.Attachments {
		out.Attachments = append(out.Attachments, apiAttachment{ID: apiID(a.ID), Name: a.Name, ContentType: a.ContentType,
			Size: a.Size, URL: "/api/v1/attachments/" + apiID(a.ID), CreatedAt: a.CreatedAt})
	}
	return out
}

// apiComments answers a conversation the caller may see, oldest first.
func (s *Server) apiComments(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := apiPathID(r)
		var conv spine.Conversation
		if err == nil {
			conv, err = s.Conversation(ctx, accord.CommentSubject{Kind: kind, ID: id})
		}
		var list []accord.Comment
		var total int
		var before int64
		if raw := r.URL.Query().Get("before"); raw != "" && err == nil {
			if before, err = strconv.ParseInt(raw, 10, 64); err != nil || before <= 0 {
				err = &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
					Fields: map[string]string{"before": "api_cursor_invalid"}}
			}
		}
		if err == nil {
			list, total, err = s.store.Comments(ctx, conv.Subject, before, maxAPIComments)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		out := make([]apiComment, 0, len(list))
		for _, c := range list {
			out = append(out, toAPIComment(c))
		}
		// Earlier comments are read with before= the first id given here.
		var earlier any
		if len(list) == maxAPIComments && list[0].ID > 0 {
			earlier = apiID(list[0].ID)
		}
		s.apiJSON(w, r, http.StatusOK, map[string]any{"comments": out, "total": total, "may_comment": conv.Speaks,
			"earlier_before": earlier})
	}
}

// apiAddComment posts a comment, notifying the people named in mentions (ids), who
// must each be able to see the subject: the same rule as the page (spine.AddComment).
func (s *Server) apiAddComment(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := apiPathID(r)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		subject := accord.CommentSubject{Kind: kind, ID: id}
		// Seen first: a stranger gets 404 whatever the body holds.
		if _, err := s.Conversation(ctx, subject); err != nil {
			s.apiFail(w, r, err)
			return
		}
		var body struct {
			Body     string   `json:"body"`
			Mentions []string `json:"mentions"`
		}
		if err := decodeJSON(r, &body); err != nil {
			s.apiFail(w, r, err)
			return
		}
		in := accord.CommentInput{Body: body.Body}
		var read accord.Validation
		for _, raw := range body.Mentions {
			uid, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || uid <= 0 {
				read.Add("mentions", "comment_mention_refused")
				continue
			}
			in.Mentions = append(in.Mentions, uid)
		}
		var c accord.Comment
		if err = read.Err(); err == nil {
			c, err = s.AddComment(ctx, subject, in, nil)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.apiJSON(w, r, http.StatusCreated, toAPIComment(c))
	}
}

// apiComment answers one comment, if the caller may see its conversation.
func (s *Server) apiComment(w http.ResponseWriter, r *http.Request) {
	id, err := apiPathID(r)
	var c accord.Comment
	if err == nil {
		c, _, err = s.Comment(r.Context(), id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIComment(c))
}

// apiEditComment corrects a comment: its author, within the edit window, at the
// current version.
func (s *Server) apiEditComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	if err == nil {
		_, _, err = s.Comment(ctx, id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body struct {
		sentVersion
		Body string `json:"body"`
	}
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	c, err := s.store.EditComment(ctx, spine.ViewerFrom(ctx).User.ID, id, *body.Version, body.Body, s.Now())
	if err != nil {
		s.apiFailWithComment(w, r, id, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIComment(c))
}

// apiRetractComment withdraws a comment its author wrote; its words stay.
func (s *Server) apiRetractComment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := apiPathID(r)
	if err == nil {
		_, _, err = s.Comment(ctx, id)
	}
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var body sentVersion
	if err := decodeVersioned(r, &body); err != nil {
		s.apiFail(w, r, err)
		return
	}
	c, err := s.store.RetractComment(ctx, spine.ViewerFrom(ctx).User.ID, id, *body.Version, s.Now())
	if err != nil {
		s.apiFailWithComment(w, r, id, err)
		return
	}
	s.apiJSON(w, r, http.StatusOK, toAPIComment(c))
}

// apiFailWithComment answers a stale version with the comment as it stands.
func (s *Server) apiFailWithComment(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if accord.ErrorCodeOf(err) == accord.ECodeConflict {
		if now, lerr := s.store.Comment(r.Context(), id); lerr == nil {
			s.apiFail(w, r, err, toAPIComment(now))
			return
		}
	}
	s.apiFail(w, r, err)
}

// followRoutes declares following requests and escalations.
func (s *Server) followRoutes(r chi.Router) {
	for _, kind := range accord.FollowKinds() {
		prefix := "/" + string(kind) + "s/{id}"
		r.Get(prefix+"/followers", s.apiFollowers(kind))
		r.Post(prefix+"/followers", s.apiAddFollower(kind))
		r.Post(prefix+"/follow", s.apiFollow(kind, true))
		r.Post(prefix+"/unfollow", s.apiFollow(kind, false))
	}
}

type apiFollower struct {
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// apiFollowersOf answers subject's followers, and whether the caller follows it.
func (s *Server) apiFollowersOf(w http.ResponseWriter, r *http.Request, subject accord.CommentSubject, status int) {
	list, err := s.store.Followers(r.Context(), subject)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	me := spine.ViewerFrom(r.Context()).User.ID
	out := make([]apiFollower, 0, len(list))
	following := false
	for _, u := range list {
		out = append(out, apiFollower{UserID: apiID(u.ID), Name: u.Name, NameEN: u.NameEN})
		following = following || u.ID == me
	}
	s.apiJSON(w, r, status, map[string]any{"followers": out, "following": following})
}

// apiFollowers lists who follows a request or an escalation the caller may see.
func (s *Server) apiFollowers(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := apiPathID(r)
		subject := accord.CommentSubject{Kind: kind, ID: id}
		if err == nil {
			_, err = s.Conversation(r.Context(), subject)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.apiFollowersOf(w, r, subject, http.StatusOK)
	}
}

// apiFollow has the caller follow (or stop following) what they may see.
func (s *Server) apiFollow(kind accord.CommentKind, follow bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := apiPathID(r)
		subject := accord.CommentSubject{Kind: kind, ID: id}
		me := spine.ViewerFrom(ctx).User.ID
		switch {
		case err != nil:
		case follow:
			err = s.Follow(ctx, subject, me)
		default:
			// A follower may stop even after losing sight of it; others who may not
			// see it find nothing, and nobody who may not see it reads its followers.
			_, seen := s.Conversation(ctx, subject)
			var stopped bool
			if stopped, err = s.store.Unfollow(ctx, subject, me); err == nil && seen != nil {
				if !stopped {
					err = seen
				} else {
					s.apiJSON(w, r, http.StatusOK, map[string]any{"followers": []apiFollower{}, "following": false})
					return
				}
			}
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.apiFollowersOf(w, r, subject, http.StatusOK)
	}
}

// apiAddFollower has the project's lead add someone who may see it as a follower.
func (s *Server) apiAddFollower(kind accord.CommentKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, err := apiPathID(r)
		subject := accord.CommentSubject{Kind: kind, ID: id}
		var conv spine.Conversation
		if err == nil {
			conv, err = s.Conversation(ctx, subject)
		}
		if err == nil && !accord.MayAddFollower(conv.Lead) {
			err = accord.Errorf(accord.ECodeForbidden, "follow_lead_only", nil)
		}
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		var body struct {
			UserID *string `json:"user_id"`
		}
		if err := decodeJSON(r, &body); err != nil {
			s.apiFail(w, r, err)
			return
		}
		var read accord.Validation
		uid := parseAPIID(body.UserID, "user_id", &read)
		if uid == nil && len(read.Fields) == 0 {
			read.Add("user_id", "follow_cannot_see")
		}
		if err = read.Err(); err == nil {
			err = s.Follow(ctx, subject, *uid)
		}
		if err != nil {
			s.apiFail(w, r, spine.RenameFields(err, map[string]string{"follower": "user_id"}))
			return
		}
		s.apiFollowersOf(w, r, subject, http.StatusOK)
	}
}
