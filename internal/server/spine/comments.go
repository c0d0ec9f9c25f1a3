package spine

import (
	"slices"

	"context"

	"accord/internal/accord"
)

// Conversation is a request's, an escalation's or a project's conversation as the
// viewer meets it: seen with its subject, spoken in by those accord names.
type Conversation struct {
	Subject   accord.CommentSubject
	ProjectID int64
	Speaks    bool // the viewer may comment
	Lead      bool // the viewer leads the subject's project: they may add followers
	// Escalation is the subject when it is an escalation and its row was read, so
	// MentionCandidates asks who else may see it without reading it again per person.
	Escalation *accord.Escalation
}

// Conversation opens the conversation about subject if the viewer may see the
// subject: "not found" otherwise, by the subject's own loader.
func (s *Spine) Conversation(ctx context.Context, subject accord.CommentSubject) (Conversation, error) {
	c := Conversation{Subject: subject}
	switch subject.Kind {
	case accord.CommentOnRequest:
		a, err := s.Request(ctx, subject.ID)
		if err != nil {
			return c, err
		}
		c.ProjectID, c.Speaks, c.Lead = a.Project.ID, accord.MayCommentOnRequest(a.Party), a.Party.Lead
	case accord.CommentOnEscalation:
		e, party, err := s.Escalation(ctx, subject.ID)
		if err != nil {
			return c, err
		}
		c.ProjectID, c.Speaks, c.Lead, c.Escalation = e.ProjectID, accord.MayCommentOnEscalation(party), party.Lead, &e
	case accord.CommentOnProject:
		p, err := s.Project(ctx, subject.ID, false)
		if err != nil {
			return c, err
		}
		// Loading the project was MayViewProject, which is who speaks on it.
		c.ProjectID, c.Speaks = p.ID, true
	default:
		return c, accord.Errorf(accord.ECodeNotFound, "error_not_found_body", nil)
	}
	return c, nil
}

// MaySee reports whether person userID may see subject, by the same loaders run as
// them: only such a person may be mentioned there.
func (s *Spine) MaySee(ctx context.Context, userID int64, subject accord.CommentSubject) (bool, error) {
	v, err := s.store.ViewerAt(ctx, userID, s.Now())
	if err != nil {
		if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			return false, nil
		}
		return false, err
	}
	return s.maySeeAs(ctx, v, Conversation{Subject: subject})
}

// allMaySee reports whether every one of the people ids is active and may see conv's
// subject (seeing): three statements however many they are.
func (s *Spine) allMaySee(ctx context.Context, conv Conversation, ids []int64) (bool, error) {
	viewers, err := s.store.ViewersAt(ctx, ids, s.Now())
	if err != nil {
		return false, err
	}
	asked := make([]accord.Viewer, 0, len(ids))
	for _, id := range ids {
		v, ok := viewers[id]
		if !ok || !v.User.Active() {
			return false, nil
		}
		asked = append(asked, v)
	}
	maySee, err := s.seeing(ctx, conv, asked)
	if err != nil {
		return false, err
	}
	return !slices.Contains(maySee, false), nil
}

// maySeeAs is MaySee for person v and conv's subject.
func (s *Spine) maySeeAs(ctx context.Context, v accord.Viewer, conv Conversation) (bool, error) {
	if !v.User.Active() {
		return false, nil
	}
	_, err := s.Conversation(WithViewer(ctx, &v), conv.Subject)
	if err == nil {
		return true, nil
	}
	if code := accord.ErrorCodeOf(err); code == accord.ECodeNotFound || code == accord.ECodeForbidden {
		return false, nil
	}
	return false, err
}

// AddComment has the viewer say in on subject: they must be able to speak there, and
// every person they mention must be able to see it (else the comment is refused,
// naming the field, and nothing is stored).
//
// A file, when given, comes with the comment, within Options.UploadLimit.
func (s *Spine) AddComment(ctx context.Context, subject accord.CommentSubject, in accord.CommentInput, file *accord.Upload) (accord.Comment, error) {
	conv, err := s.Conversation(ctx, subject)
	if err != nil {
		return accord.Comment{}, err
	}
	if !conv.Speaks {
		return accord.Comment{}, accord.Errorf(accord.ECodeForbidden, "comment_not_a_party", nil)
	}
	in.Normalize()
	in.HasFile = file != nil
	if err := in.Validate(); err != nil {
		return accord.Comment{}, err
	}
	if len(in.Mentions) > 0 {
		ok, err := s.allMaySee(ctx, conv, in.Mentions)
		if err != nil {
			return accord.Comment{}, err
		}
		if !ok {
			return accord.Comment{}, &accord.Error{Code: accord.ECodeInvalid, MessageID: "comment_mention_refused",
				Fields: map[string]string{"mentions": "comment_mention_refused"}}
		}
	}
	return s.store.AddComment(ctx, ViewerFrom(ctx).User.ID, subject, in, file, s.Opts.UploadLimit(), s.Now())
}

// Comment is the comment with id if the viewer may see its conversation.
func (s *Spine) Comment(ctx context.Context, id int64) (accord.Comment, Conversation, error) {
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return accord.Comment{}, Conversation{}, err
	}
	conv, err := s.Conversation(ctx, c.Subject)
	if err != nil && accord.ErrorCodeOf(err) == accord.ECodeNotFound {
		err = accord.Errorf(accord.ECodeNotFound, "comment_not_found", nil)
	}
	return c, conv, err
}

// MentionCandidates are the people around conv's subject whom the viewer may
// mention: its parties and those who spoke in it, if they may see it, not the viewer.
// Three statements whoever they are: who is around, their viewers, and whether they
// may see it (seeing).
func (s *Spine) MentionCandidates(ctx context.Context, conv Conversation) ([]accord.User, error) {
	around, err := s.store.CommentCandidates(ctx, conv.Subject)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(around))
	for _, u := range around {
		ids = append(ids, u.ID)
	}
	return s.mentionable(ctx, conv, ids, len(ids))
}

// Mention suggestions: how many people named like the typed words are looked at, and
// how many of those who may see the subject are offered.
const (
	mentionLookups     = 30
	mentionSuggestions = 8
)

// SuggestMentions are the people named like text (either language) whom the viewer
// may mention on subject: those who may see it (MaySee), not the viewer, at most
// mentionSuggestions. Only someone who may speak there is answered; asked is false
// when the words are too short to look anyone up by (ParseSearchQuery's rule).
func (s *Spine) SuggestMentions(ctx context.Context, subject accord.CommentSubject, text string) (people []accord.User, asked bool, err error) {
	conv, err := s.Conversation(ctx, subject)
	if err != nil {
		return nil, false, err
	}
	if !conv.Speaks {
		return nil, false, accord.Errorf(accord.ECodeForbidden, "comment_not_a_party", nil)
	}
	q, err := accord.ParseSearchQuery(text, "")
	if err != nil || len(q.Terms) == 0 {
		return nil, false, nil
	}
	named, err := s.store.PeopleNamed(ctx, q.Text, mentionLookups)
	if err != nil {
		return nil, true, err
	}
	ids := make([]int64, 0, len(named))
	for _, u := range named {
		ids = append(ids, u.ID)
	}
	people, err = s.mentionable(ctx, conv, ids, mentionSuggestions)
	return people, true, err
}

// mentionable are, of the people ids in their order, the first limit whom the viewer
// may mention on conv: active, not the viewer, and able to see its subject.
func (s *Spine) mentionable(ctx context.Context, conv Conversation, ids []int64, limit int) ([]accord.User, error) {
	me := ViewerFrom(ctx).User.ID
	ids = slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == me })
	if len(ids) == 0 {
		return nil, nil
	}
	viewers, err := s.store.ViewersAt(ctx, ids, s.Now())
	if err != nil {
		return nil, err
	}
	var asked []accord.Viewer // in the order of ids
	for _, id := range ids {
		if v, ok := viewers[id]; ok && v.User.Active() {
			asked = append(asked, v)
		}
	}
	maySee, err := s.seeing(ctx, conv, asked)
	if err != nil {
		return nil, err
	}
	var out []accord.User
	for i, v := range asked {
		if maySee[i] && len(out) < limit {
			out = append(out, v.User)
		}
	}
	return out, nil
}

// seeing reports, for each of viewers, whether they may see conv's subject, by its
// loader's own rule asked of them all at once: an escalation already read
// (conv.Escalation) by escalationParties; a project by ProjectSeenBy; a request by
// accord.MayViewRequestSeeing over who sees its project. One statement, two for a
// request (which is read) or an escalation not read yet, whoever they are.
func (s *Spine) seeing(ctx context.Context, conv Conversation, viewers []accord.Viewer) ([]bool, error) {
	maySee := make([]bool, len(viewers))
	if len(viewers) == 0 {
		return maySee, nil
	}
	switch sub := conv.Subject; sub.Kind {
	case accord.CommentOnEscalation:
		e := conv.Escalation
		if e == nil || e.ID != sub.ID {
			read, err := s.store.Escalation(ctx, sub.ID)
			if err != nil {
				return nil, err
			}
			e = &read
		}
		parties, err := s.escalationParties(ctx, *e, viewers)
		if err != nil {
			return nil, err
		}
		for i, p := range parties {
			maySee[i] = p.MayView()
		}
	case accord.CommentOnProject:
		seen, err := s.store.ProjectSeenBy(ctx, sub.ID, viewers)
		if err != nil {
			return nil, err
		}
		for i, v := range viewers {
			maySee[i] = seen[v.User.ID]
		}
	case accord.CommentOnRequest:
		req, err := s.store.Request(ctx, sub.ID)
		if err != nil {
			return nil, err
		}
		seen, err := s.store.ProjectSeenBy(ctx, req.ProjectID, viewers)
		if err != nil {
			return nil, err
		}
		for i, v := range viewers {
			maySee[i] = accord.MayViewRequestSeeing(seen[v.User.ID], accord.RequestPartyOf(req, v))
		}
	default:
		return nil, accord.Errorf(accord.ECodeNotFound, "error_not_found_body", nil)
	}
	return maySee, nil
}

// Follow has person userID follow subject: the viewer themself, if they may see it,
// or someone the project's lead adds, who must be able to see it too.
func (s *Spine) Follow(ctx context.Context, subject accord.CommentSubject, userID int64) error {
	if !slices.Contains(accord.FollowKinds(), subject.Kind) {
		return accord.Errorf(accord.ECodeNotFound, "error_not_found_body", nil)
	}
	conv, err := s.Conversation(ctx, subject)
	if err != nil {
		return err
	}
	me := ViewerFrom(ctx).User.ID
	if userID != me {
		if !accord.MayAddFollower(conv.Lead) {
			return accord.Errorf(accord.ECodeForbidden, "follow_lead_only", nil)
		}
		ok, err := s.MaySee(ctx, userID, subject)
		if err != nil {
			return err
		}
		if !ok {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "follow_cannot_see",
				Fields: map[string]string{"follower": "follow_cannot_see"}}
		}
	}
	return s.store.Follow(ctx, me, subject, userID, s.Now())
}
