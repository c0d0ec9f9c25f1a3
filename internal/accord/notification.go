package accord

import "time"

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
)

// NotificationKinds lists every kind.
func NotificationKinds() []NotificationKind {
	return []NotificationKind{NotifyRequestReceived, NotifyRequestAnswered, NotifyRequestDelegated, NotifyKeyPersonNamed,
		NotifyRequestProgress, NotifyCounterDecided, NotifyRequestCancelled, NotifyReminder, NotifyNudge,
		NotifyEscalationAssigned, NotifyEscalationRaised, NotifyEscalationStatement, NotifyEscalationDecided, NotifyEscalationWindow}
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
	ReadAt        *time.Time
	CreatedAt     time.Time
}

// Escalation notifications.
const (
	NotifyEscalationAssigned  NotificationKind = "escalation_assigned"  // to the superior who must decide
	NotifyEscalationRaised    NotificationKind = "escalation_raised"    // to the holder's head: add your statement
	NotifyEscalationStatement NotificationKind = "escalation_statement" // to the superior: a side spoke
	NotifyEscalationDecided   NotificationKind = "escalation_decided"   // to both sides
	NotifyEscalationWindow    NotificationKind = "escalation_window"    // to the superior: time is running
)
