package accord

import (
	"strconv"
	"time"
)

// NotificationKind says what happened.
type NotificationKind string

// Notification kinds.
const (
	NotifyRequestReceived  NotificationKind = "request_received"  // to the holder's head
	NotifyRequestAnswered  NotificationKind = "request_answered"  // to the lead: agreed, declined or countered
	NotifyRequestDelegated NotificationKind = "request_delegated" // to the key person
	NotifyKeyPersonNamed   NotificationKind = "key_person_named"  // to the key person: the request is agreed, deliver it
	NotifyRequestProgress  NotificationKind = "request_progress"  // to the lead: started, delivered
	NotifyCounterDecided   NotificationKind = "counter_decided"   // to the holder's head
	NotifyRequestCancelled NotificationKind = "request_cancelled" // to the holder's side
	NotifyReminder         NotificationKind = "reminder"          // stale: to the key person, else the head
	NotifyNudge            NotificationKind = "nudge"             // the lead's manual reminder
	NotifyTransferredIn    NotificationKind = "transferred_in"    // to the head of the unit a request was passed to
	NotifyTransferred      NotificationKind = "transferred"       // to the lead: where it went and why
	NotifyTransferredBack  NotificationKind = "transferred_back"  // to the head of the unit first asked
)

// NotificationKinds lists every kind.
func NotificationKinds() []NotificationKind {
	return []NotificationKind{NotifyRequestReceived, NotifyRequestAnswered, NotifyRequestDelegated, NotifyKeyPersonNamed,
		NotifyRequestProgress, NotifyCounterDecided, NotifyRequestCancelled, NotifyReminder, NotifyNudge,
		NotifyEscalationAssigned, NotifyEscalationRaised, NotifyEscalationStatement, NotifyEscalationDecided, NotifyEscalationWindow,
		NotifyEscalationSentBack, NotifyEscalationReassigned, NotifyMentioned, NotifyCommented, NotifyTransferredIn, NotifyTransferred, NotifyTransferredBack, NotifyAdviceAsked, NotifyAdviceGiven, NotifyFollowed}
}

// MessageID names the kind's translated sentence; it takes {{.Actor}}, {{.Need}},
// {{.Project}} and {{.State}}.
func (k NotificationKind) MessageID() string { return "notify_" + string(k) }

// Notification is one item in a user's notification centre.
type Notification struct {
	ID            int64
	UserID        int64
	Kind          NotificationKind
	ProjectID     *int64
	RequestID     *int64
	ActorName     string
	ActorNameEN   string
	NeedTitle     string
	NeedTitleEN   string
	ProjectName   string
	ProjectNameEN string
	State         RequestState
	EscalationID  *int64       // set on everything about an escalation: it opens there
	Decision      DecisionKind // an escalation's outcome, as decided
	Reason        string       // the decision's (or the reassignment's) reason, as given
	CommentID     *int64       // the comment it is about: its link opens there
	// ActorFor names the absent head the actor stood in for, as named then; empty
	// when they acted as themselves.
	ActorForName, ActorForNameEN string
	// OnBehalf names the absent head this copy was sent for: the reader stands in
	// for them. Empty on a reader's own notifications.
	OnBehalfName, OnBehalfNameEN string
	ReadAt                       *time.Time
	CreatedAt                    time.Time
}

// Path is the page a notification leads to, where the reader acts: its escalation,
// else its request, else its project, else the notification centre.
func (n Notification) Path() string {
	anchor := ""
	if n.CommentID != nil {
		anchor = "#" + Comment{ID: *n.CommentID}.Anchor()
	}
	switch {
	case n.EscalationID != nil:
		return "/escalations/" + strconv.FormatInt(*n.EscalationID, 10) + anchor
	case n.RequestID != nil:
		return "/requests/" + strconv.FormatInt(*n.RequestID, 10) + anchor
	case n.ProjectID != nil && n.CommentID != nil:
		return CommentSubject{Kind: CommentOnProject, ID: *n.ProjectID}.Path() + anchor
	case n.ProjectID != nil:
		return "/projects/" + strconv.FormatInt(*n.ProjectID, 10)
	}
	return "/notifications"
}

// Sentence is the notification's one line in the reader's language, the same in the
// notification centre, the API, email and chat. tr says a message id; names are
// picked for lang; appName stands in for the actor when Accord itself acted.
func (n Notification) Sentence(lang string, tr func(id string, data ...map[string]any) string) string {
	actor := User{Name: n.ActorName, NameEN: n.ActorNameEN}.DisplayName(lang)
	if actor == "" {
		actor = tr("app_name")
	}
	if n.ActorForName != "" {
		actor = tr("standin_actor_for", map[string]any{"Actor": actor,
			"Head": User{Name: n.ActorForName, NameEN: n.ActorForNameEN}.DisplayName(lang)})
	}
	data := map[string]any{
		"Actor":   actor,
		"Need":    Need{Title: n.NeedTitle, TitleEN: n.NeedTitleEN}.DisplayTitle(lang),
		"Project": Project{Name: n.ProjectName, NameEN: n.ProjectNameEN}.DisplayName(lang),
		"State":   "",
		"Outcome": "",
		"Reason":  n.Reason,
	}
	if n.State != "" {
		data["State"] = tr(n.State.MessageID())
	}
	if n.Decision != "" {
		data["Outcome"] = tr(n.Decision.MessageID())
	}
	if n.OnBehalfName != "" {
		return tr("standin_notice_for", map[string]any{"Sentence": tr(n.Kind.MessageID(), data),
			"Head": User{Name: n.OnBehalfName, NameEN: n.OnBehalfNameEN}.DisplayName(lang)})
	}
	return tr(n.Kind.MessageID(), data)
}

// Escalation notifications.
const (
	NotifyEscalationAssigned   NotificationKind = "escalation_assigned"   // to the superior who must decide
	NotifyEscalationRaised     NotificationKind = "escalation_raised"     // to the holder's head: add your statement
	NotifyEscalationStatement  NotificationKind = "escalation_statement"  // to the superior: a side spoke
	NotifyEscalationDecided    NotificationKind = "escalation_decided"    // to both sides
	NotifyEscalationWindow     NotificationKind = "escalation_window"     // to the superior: time is running
	NotifyEscalationSentBack   NotificationKind = "escalation_sent_back"  // to both sides: more information first
	NotifyEscalationReassigned NotificationKind = "escalation_reassigned" // to the head an administrator chose
)
