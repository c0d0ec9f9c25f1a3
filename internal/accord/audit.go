package accord

import "time"

// AuditEntity names the kind of record an audit entry is about.
type AuditEntity string

// Audited entities.
const (
	AuditProject       AuditEntity = "project"
	AuditNeed          AuditEntity = "need"
	AuditRequest       AuditEntity = "request"
	AuditEscalation    AuditEntity = "escalation"
	AuditCommitment    AuditEntity = "commitment"
	AuditUnitPlan      AuditEntity = "unit_plan"
	AuditGoal          AuditEntity = "goal"
	AuditRetrospective AuditEntity = "retrospective"
	AuditThanks        AuditEntity = "thanks"
	AuditComment       AuditEntity = "comment"
	AuditUnit          AuditEntity = "unit"
	AuditUser          AuditEntity = "user"
	AuditWebhook       AuditEntity = "webhook"
	AuditAPIToken      AuditEntity = "api_token"
	// AuditOrganisation is an organisation import as a whole; its entity id is the
	// upload it applied, its after the changes counted by kind.
	AuditOrganisation AuditEntity = "organisation"
)

// AuditAction names what happened to the record. A request's own actions
// (RequestAction) are audited under their own names, as AuditAction(action).
type AuditAction string

// Audited actions.
const (
	AuditCreate     AuditAction = "create"
	AuditUpdate     AuditAction = "update"
	AuditDelete     AuditAction = "delete"
	AuditSave       AuditAction = "save"
	AuditRevoke     AuditAction = "revoke"
	AuditEnable     AuditAction = "enable"
	AuditDisable    AuditAction = "disable"
	AuditDeactivate AuditAction = "deactivate"
	AuditJoinUnit   AuditAction = "join_unit"
	AuditLeaveUnit  AuditAction = "leave_unit"
	AuditRename     AuditAction = "rename"
	AuditMove       AuditAction = "move"
	AuditClose      AuditAction = "close"
	AuditSetHead    AuditAction = "set_head"
	AuditProgress   AuditAction = "progress"
	AuditNudge      AuditAction = "nudge"
	AuditRaise      AuditAction = "raise"
	AuditStatement  AuditAction = "statement"
	AuditDecide     AuditAction = "decide"
	AuditMoveUp     AuditAction = "move_up"
	AuditReassign   AuditAction = "reassign"
	AuditRefresh    AuditAction = "refresh"
	AuditArchive    AuditAction = "archive"
	AuditRetract    AuditAction = "retract"
	AuditAskAdvice  AuditAction = "ask_advice"
	AuditOpinion    AuditAction = "opinion"
	AuditImport     AuditAction = "import"
	AuditStandIn    AuditAction = "stand_in"     // a head named someone to answer for them while away
	AuditStandInEnd AuditAction = "stand_in_end" // that arrangement was called off early
)

// AuditOf is the audit action a request action is recorded as.
func AuditOf(a RequestAction) AuditAction { return AuditAction(a) }

// AuditEntry is one line of the audit log as read back: who changed what, when, and
// the record before and after (JSON, as written then). A unit's, a person's and a
// project's history are lists of them.
type AuditEntry struct {
	ID          int64
	At          time.Time
	ActorName   string // "" when the system made the change
	ActorNameEN string
	Entity      AuditEntity
	EntityID    int64
	Action      AuditAction
	Before      []byte
	After       []byte
}
