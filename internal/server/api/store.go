package api

import (
	"context"
	"io"
	"time"

	"accord/internal/accord"
	"accord/internal/store"
)

// The store as each group of handlers uses it: small interfaces, so a reader sees what a
// page group touches, and a test could stand in for one group. *store.Store satisfies
// Store.

// Store is everything the JSON face reads and writes.
type Store interface {
	adminStore
	orgImportStore
	accountStore
	adviceStore
	standInStore
	calendarStore
	commentStore
	escalationStore
	portfolioStore
	projectStore
	requestStore
	searchStore
	unitStore
	workbookStore
}

type adviceStore interface {
	AskAdvice(ctx context.Context, v accord.Viewer, id int64, in accord.AdviceRequest, now time.Time) (accord.Advice, error)
	EscalationAdvice(ctx context.Context, id int64) ([]accord.Advice, error)
	GiveOpinion(ctx context.Context, userID, id int64, opinion string, now time.Time) (accord.Advice, error)
}

type commentStore interface {
	Comment(ctx context.Context, id int64) (accord.Comment, error)
	Attachment(ctx context.Context, id int64) (accord.Attachment, error)
	CopyAttachment(ctx context.Context, id int64, start func() io.Writer) error
	Comments(ctx context.Context, subject accord.CommentSubject, before int64, limit int) ([]accord.Comment, int, error)
	EditComment(ctx context.Context, actorID, id int64, version int, body string, now time.Time) (accord.Comment, error)
	Followers(ctx context.Context, subject accord.CommentSubject) ([]accord.User, error)
	Unfollow(ctx context.Context, subject accord.CommentSubject, userID int64) (bool, error)
	RetractComment(ctx context.Context, actorID, id int64, version int, now time.Time) (accord.Comment, error)
}

type adminStore interface {
	AddMembership(ctx context.Context, actorID, userID, unitID int64) error
	CloseUnit(ctx context.Context, actorID, id int64, version int) (accord.Unit, error)
	CreateUnit(ctx context.Context, actorID int64, in accord.UnitInput) (accord.Unit, error)
	HasOrganisation(ctx context.Context) (bool, error)
	MoveUnit(ctx context.Context, actorID, id int64, version int, newParentID int64) (accord.Unit, error)
	RenameUnit(ctx context.Context, actorID, id int64, version int, name, nameEN string) (accord.Unit, error)
	SetUnitHead(ctx context.Context, actorID, id int64, version int, headUserID *int64) (accord.Unit, error)
	Unit(ctx context.Context, id int64) (accord.Unit, error)
	User(ctx context.Context, id int64) (accord.User, error)
	UserByEmail(ctx context.Context, email string) (accord.User, error)
	UserWithUnits(ctx context.Context, id int64) (accord.UserRow, error)
}

type accountStore interface {
	// TokenViewer is the viewer a secret signs in; unauthorized when it signs in no one.
	TokenViewer(ctx context.Context, secret string, now time.Time) (accord.Viewer, error)
}

type escalationStore interface {
	AddStatement(ctx context.Context, v accord.Viewer, id int64, text string, windowDays int, now time.Time) error
	Decide(ctx context.Context, v accord.Viewer, id int64, version int, in accord.DecisionInput, now time.Time) (accord.Escalation, error)
	Escalation(ctx context.Context, id int64) (accord.Escalation, error)
	EscalationRecord(ctx context.Context, id int64, now time.Time) (accord.EscalationRecord, error)
	EscalationsToDecide(ctx context.Context, v accord.Viewer, offset, limit int) ([]accord.Escalation, int, error)
	EscalationsInList(ctx context.Context, userID int64, list accord.EscalationList, offset, limit int) ([]accord.Escalation, int, error)
	OpenEscalations(ctx context.Context, offset, limit int) ([]accord.Escalation, int, error)
}

type portfolioStore interface {
	MarkNotificationsRead(ctx context.Context, userID, upToID int64, now time.Time) error
	Notifications(ctx context.Context, userID int64, offset, limit int) ([]accord.Notification, int, error)
	PortfolioLoad(ctx context.Context, v accord.Viewer, limit int) ([]store.UnitLoad, error)
	PortfolioPage(ctx context.Context, v accord.Viewer, f store.PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error)
}

type projectStore interface {
	CreateNeed(ctx context.Context, actorID, projectID int64, in accord.NeedInput) (accord.Need, error)
	CreateProject(ctx context.Context, actorID int64, in accord.ProjectInput) (accord.Project, error)
	DeleteNeed(ctx context.Context, actorID, id int64, version int) (accord.NeedRemoval, error)
	Need(ctx context.Context, id int64) (accord.Need, error)
	Needs(ctx context.Context, projectID int64) ([]accord.Need, error)
	ProjectForViewer(ctx context.Context, v accord.Viewer, id int64) (accord.Project, error)
	Projects(ctx context.Context, v accord.Viewer, f store.ProjectFilter) ([]accord.Project, int, error)
	SendNeeds(ctx context.Context, actorID, projectID int64, needIDs []int64, message string, now time.Time) ([]accord.Request, error)
	UpdateNeed(ctx context.Context, actorID, id int64, version int, in accord.NeedInput) (accord.Need, error)
	UpdateProject(ctx context.Context, actorID, id int64, version int, in accord.ProjectInput) (accord.Project, error)
}

type requestStore interface {
	ActOnRequest(ctx context.Context, v accord.Viewer, id int64, version int, action accord.RequestAction, in accord.RequestInput, now time.Time) (accord.Request, error)
	AddProgress(ctx context.Context, v accord.Viewer, requestID int64, in accord.ProgressInput, now time.Time) (accord.ProgressEntry, error)
	Escalate(ctx context.Context, v accord.Viewer, requestID int64, reason, brief string, windowDays int, now time.Time) (accord.Escalation, error)
	InboxPage(ctx context.Context, userID int64, standInUnits []int64, offset, limit int) (store.InboxPage, error)
	LatestEscalations(ctx context.Context, requestIDs []int64) (map[int64]accord.Escalation, error)
	Progress(ctx context.Context, requestID int64) ([]accord.ProgressEntry, error)
	ProjectRequests(ctx context.Context, projectID int64) ([]accord.Request, error)
	ProjectsLedBy(ctx context.Context, userID int64, limit int) ([]accord.Project, error)
	Request(ctx context.Context, id int64) (accord.Request, error)
	Tracker(ctx context.Context, projectID int64) ([]accord.TrackerRow, error)
}

type unitStore interface {
	SharedSuperior(ctx context.Context, a, b, lead int64) (accord.Superior, error)
	Unit(ctx context.Context, id int64) (accord.Unit, error)
	Units(ctx context.Context) ([]accord.Unit, error)
}

type workbookStore interface {
	Commitment(ctx context.Context, id int64) (accord.Commitment, error)
	Commitments(ctx context.Context, projectID int64) ([]accord.Commitment, error)
	CreateCommitment(ctx context.Context, actorID, projectID int64, in accord.CommitmentInput) (accord.Commitment, error)
	GoalProjectCounts(ctx context.Context, v accord.Viewer) (map[int64]int, error)
	Goals(ctx context.Context) ([]accord.Goal, error)
	SaveUnitPlan(ctx context.Context, actorID int64, plan accord.UnitPlan) (accord.UnitPlan, error)
	UnitPlan(ctx context.Context, projectID, unitID int64) (accord.UnitPlan, error)
	UnitPlans(ctx context.Context, projectID int64) ([]accord.UnitPlan, error)
	UpdateCommitment(ctx context.Context, actorID, id int64, version int, in accord.CommitmentInput) (accord.Commitment, error)
}
