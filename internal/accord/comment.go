package accord

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CommentKind names what a conversation is about: a request, an escalation or a
// project. Each keeps one conversation, so what was said stays beside what was done.
type CommentKind string

// Things people talk about.
const (
	CommentOnRequest    CommentKind = "request"
	CommentOnEscalation CommentKind = "escalation"
	CommentOnProject    CommentKind = "project"
)

// Valid reports whether k is a known kind.
func (k CommentKind) Valid() bool {
	return k == CommentOnRequest || k == CommentOnEscalation || k == CommentOnProject
}

// CommentSubject is the request, escalation or project a comment belongs to.
type CommentSubject struct {
	Kind CommentKind
	ID   int64
}

// Path is the page the conversation is on.
func (s CommentSubject) Path() string {
	switch s.Kind {
	case CommentOnRequest:
		return "/requests/" + strconv.FormatInt(s.ID, 10)
	case CommentOnEscalation:
		return "/escalations/" + strconv.FormatInt(s.ID, 10)
	}
	return "/projects/" + strconv.FormatInt(s.ID, 10) + "/conversation"
}

// Comment is one thing said in a conversation. It is never deleted: its author may
// correct it for a short while (CommentEditWindow), and retract it, which keeps the
// words in the record and marks them withdrawn.
type Comment struct {
	ID           int64
	Subject      CommentSubject
	ProjectID    int64
	AuthorUserID int64
	AuthorName   string
	AuthorNameEN string
	Body         string
	CreatedAt    time.Time
	EditedAt     *time.Time // set when the author corrected it
	RetractedAt  *time.Time // set when the author withdrew it
	Version      int
	Mentions     []User // the people it called in, by name in both languages
	Attachments  []Attachment
}

// DisplayAuthor names the author for a reader of the given language.
func (c Comment) DisplayAuthor(lang string) string {
	return User{Name: c.AuthorName, NameEN: c.AuthorNameEN}.DisplayName(lang)
}

// Anchor is the comment's id on its page, which links and notifications point at.
func (c Comment) Anchor() string { return "comment-" + strconv.FormatInt(c.ID, 10) }

// CommentEditWindow is how long after writing a comment its author may still correct
// it; after that it stands as written, and only a retraction can withdraw it.
const CommentEditWindow = 15 * time.Minute

// MaxCommentMentions bounds the people one comment may call in.
const MaxCommentMentions = 20

// MayCommentOnRequest reports whether the party may comment on a request: both
// sides, the lead and those who answer for the holder, nobody else.
func MayCommentOnRequest(p RequestParty) bool { return p.Lead || p.AnswersForHolder() }

// MayCommentOnEscalation reports whether the party may comment on an escalation: its
// superior, both sides (the lead, the holder's head, the key person) and the advisers
// the superior asked. An administrator who keeps the tree may read it, not speak in it.
func MayCommentOnEscalation(p EscalationParty) bool {
	return p.Side() || p.Adviser
}

// MayCommentOnProject reports whether v may comment on project p: whoever may see
// the project takes part in its conversation.
func MayCommentOnProject(v ProjectViewer, p ProjectReach) bool { return MayViewProject(v, p) }

// MayEditComment reports whether viewer userID may correct c at now: its author,
// within the edit window, while it stands.
func MayEditComment(c Comment, userID int64, now time.Time) bool {
	return userID != 0 && c.AuthorUserID == userID && c.RetractedAt == nil && now.Before(c.CreatedAt.Add(CommentEditWindow))
}

// MayRetractComment reports whether viewer userID may withdraw c: its author, once.
func MayRetractComment(c Comment, userID int64) bool {
	return userID != 0 && c.AuthorUserID == userID && c.RetractedAt == nil
}

// CommentInput is what a person writes: the words and the people they call in.
type CommentInput struct {
	Body     string
	Mentions []int64
	HasFile  bool // a file comes with it: the words may then be left out
}

// Normalize trims the words and drops repeated mentions.
func (in *CommentInput) Normalize() {
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	seen := map[int64]bool{}
	kept := in.Mentions[:0]
	for _, id := range in.Mentions {
		if id > 0 && !seen[id] {
			seen[id] = true
			kept = append(kept, id)
		}
	}
	in.Mentions = kept
}

// Validate reports every problem at once.
func (in CommentInput) Validate() error {
	var v Validation
	if in.Body == "" && !in.HasFile {
		v.Add("body", "comment_body_required")
	}
	validateText(&v, "body", in.Body, MaxNoteLength)
	if len(in.Mentions) > MaxCommentMentions {
		v.Add("mentions", "comment_too_many_mentions")
	}
	return v.Err()
}

// CommentAudience is who hears of a new comment, and how: those called in are told
// they were mentioned; the subject's other parties that a comment was added. The
// author hears nothing of their own words, and nobody is told twice.
func CommentAudience(author int64, mentioned, parties []int64) []Notice {
	var out []Notice
	told := map[int64]bool{author: true, 0: true}
	for _, id := range mentioned {
		if !told[id] {
			told[id] = true
			out = append(out, Notice{To: id, Kind: NotifyMentioned})
		}
	}
	for _, id := range parties {
		if !told[id] {
			told[id] = true
			out = append(out, Notice{To: id, Kind: NotifyCommented})
		}
	}
	return out
}

// Conversation notifications.
const (
	NotifyMentioned NotificationKind = "mentioned" // someone called you into a conversation
	NotifyCommented NotificationKind = "commented" // someone spoke in a conversation you are part of
)

// CommentSegment is a run of a comment's text: plain words, or a web address shown
// as a link. Line breaks stay in the text; the page keeps them.
type CommentSegment struct {
	Text string
	URL  string // set for a link: the address, as written
}

// CommentSegments splits a comment's words into plain runs and links. Only http and
// https addresses become links; everything is shown as text, never as markup.
func CommentSegments(body string) []CommentSegment {
	var out []CommentSegment
	rest := body
	for rest != "" {
		i := nextLink(rest)
		if i < 0 {
			out = append(out, CommentSegment{Text: rest})
			break
		}
		if i > 0 {
			out = append(out, CommentSegment{Text: rest[:i]})
		}
		end := i
		for end < len(rest) {
			r, size := utf8.DecodeRuneInString(rest[end:])
			if r <= ' ' || r >= 0x80 || strings.ContainsRune(`"<>`, r) {
				break
			}
			end += size
		}
		// Trailing punctuation ends the sentence, not the address.
		for end > i && strings.ContainsRune(".,;:!?)]'", rune(rest[end-1])) {
			end--
		}
		link := rest[i:end]
		if link == "http://" || link == "https://" || end == i {
			out = append(out, CommentSegment{Text: rest[i : i+1]})
			rest = rest[i+1:]
			continue
		}
		out = append(out, CommentSegment{Text: link, URL: link})
		rest = rest[end:]
	}
	return mergeText(out)
}

// nextLink is where the next http:// or https:// address starts in s, or -1.
func nextLink(s string) int {
	a, b := strings.Index(s, "http://"), strings.Index(s, "https://")
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}

// mergeText joins neighbouring plain runs.
func mergeText(in []CommentSegment) []CommentSegment {
	var out []CommentSegment
	for _, s := range in {
		if n := len(out); n > 0 && s.URL == "" && out[n-1].URL == "" {
			out[n-1].Text += s.Text
			continue
		}
		out = append(out, s)
	}
	return out
}
