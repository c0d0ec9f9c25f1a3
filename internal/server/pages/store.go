package pages

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

// Store is everything the HTML face reads and writes.
type Store interface {
	adminStore
	adviceStore
	authStore
	calendarStore
	commentStore
	escalationStore
	goalStore
	homeStore
	notificationStore
	orgStore
	orgImportStore
	portfolioStore
	projectStore
	requestStore
	retroStore
	pageStore
	searchStore
	settingsStore
	ssoStore
	standInStore
	trackerStore
	unitStore
	workbookStore
}

// standInStore is the out-of-office page's, and the home page's banner.
type standInStore interface {
	CreateStandIn(ctx context.Context, actor accord.Viewer, principalID int64, standInEmail string,
		startsOn, endsOn *time.Time, loc *time.Location, now time.Time) (accord.StandIn, error)
	EndStandIn(ctx context.Context, actor accord.Viewer, id int64, now time.Time) error
	StandInsAround(ctx context.Context, v accord.Viewer, now time.Time) ([]accord.StandIn, error)
}

type adviceStore interface {
	AskAdvice(ctx context.Context, v accord.Viewer, id int64, in accord.AdviceRequest, now time.Time) (accord.Advice, error)
	EscalationAdvice(ctx context.Context, id int64) ([]accord.Advice, error)
	GiveOpinion(ctx context.Context, userID, id int64, opinion string, now time.Time) (accord.Advice, error)
}

type commentStore interface {
	Comments(ctx context.Context, subject accord.CommentSubject, before int64, limit int) ([]accord.Comment, int, error)
	EditComment(ctx context.Context, actorID, id int64, version int, body string, now time.Time) (accord.Comment, error)
	Followers(ctx context.Context, subject accord.CommentSubject) ([]accord.User, error)
	Attachment(ctx context.Context, id int64) (accord.Attachment, error)
	CopyAttachment(ctx context.Context, id int64, start func() io.Writer) error
	Unfollow(ctx context.Context, subject accord.CommentSubject, userID int64) (bool, error)
	RetractComment(ctx context.Context, actorID, id int64, version int, now time.Time) (accord.Comment, error)
	UserByEmail(ctx context.Context, email string) (accord.User, error)
}

type adminStore interface {
	AddMembership(ctx context.Context, actorID, userID, unitID int64) error
	AuditEntries(ctx context.Context, entity accord.AuditEntity, entityID int64, limit int) ([]accord.AuditEntry, error)
	CloseUnit(ctx context.Context, actorID, id int64, version int) (accord.Unit, error)
	CreateUnit(ctx context.Context, actorID int64, in accord.UnitInput) (accord.Unit, error)
	CreateWebhook(ctx context.Context, actorID int64, in accord.WebhookInput) (accord.Webhook, error)
	DeactivateUser(ctx context.Context, actorID, id int64, version int) error
	DeleteWebhook(ctx context.Context, actorID, id int64, version int) (accord.Webhook, error)
	MoveUnit(ctx context.Context, actorID, id int64, version int, newParentID int64) (accord.Unit, error)
	RecentDeliveries(ctx context.Context, failures int) ([]accord.Delivery, error)
	RecordDelivery(ctx context.Context, d accord.Delivery, at time.Time) error
	RemoveMembership(ctx context.Context, actorID, userID, unitID int64) error
	RenameUnit(ctx context.Context, actorID, id int64, version int, name, nameEN string) (accord.Unit, error)
	SetUnitHead(ctx context.Context, actorID, id int64, version int, headUserID *int64) (accord.Unit, error)
	SetWebhookEnabled(ctx context.Context, actorID, id int64, version int, enabled bool) (accord.Webhook, error)
	Unit(ctx context.Context, id int64) (accord.Unit, error)
	UnitMembers(ctx context.Context, unitID int64) ([]accord.User, error)
	Units(ctx context.Context) ([]accord.Unit, error)
	User(ctx context.Context, id int64) (accord.User, error)
	UserByEmail(ctx context.Context, email string) (accord.User, error)
	UserWithUnits(ctx context.Context, id int64) (accord.UserRow, error)
	Users(ctx context.Context, f store.UserFilter) ([]accord.UserRow, int, error)
	Webhook(ctx context.Context, id int64) (accord.Webhook, error)
	Webhooks(ctx context.Context) ([]accord.Webhook, error)
}

type authStore interface {
	ClearLoginFailures(ctx context.Context, email string, before time.Time) error
	LoginFailures(ctx context.Context, email, ip string, since time.Time) (accord.LoginFailureCounts, error)
	RecordLoginFailure(ctx context.Context, email, ip string, at time.Time) error
	ReplacePasswordHash(ctx context.Context, userID int64, old, replacement string) error
	SetUserLocale(ctx context.Context, id int64, locale string) error
	UserCredentials(ctx context.Context, email string) (accord.User, string, error)
}

type escalationStore interface {
	AddStatement(ctx context.Context, v accord.Viewer, id int64, text string, windowDays int, now time.Time) error
	BriefFacts(ctx context.Context, requestID int64, cause accord.EscalationCause, reason string, now time.Time) (accord.BriefFacts, error)
	Decide(ctx context.Context, v accord.Viewer, id int64, version int, in accord.DecisionInput, now time.Time) (accord.Escalation, error)
	Escalate(ctx context.Context, v accord.Viewer, requestID int64, reason, brief string, windowDays int, now time.Time) (accord.Escalation, error)
	Escalation(ctx context.Context, id int64) (accord.Escalation, error)
	EscalationCountsOf(ctx context.Context, v accord.Viewer) (map[accord.EscalationList]int, error)
	EscalationRecord(ctx context.Context, id int64, now time.Time) (accord.EscalationRecord, error)
	EscalationsToDecide(ctx context.Context, v accord.Viewer, offset, limit int) ([]accord.Escalation, int, error)
	EscalationsInList(ctx context.Context, userID int64, list accord.EscalationList, offset, limit int) ([]accord.Escalation, int, error)
	OpenEscalations(ctx context.Context, offset, limit int) ([]accord.Escalation, int, error)
	Progress(ctx context.Context, requestID int64) ([]accord.ProgressEntry, error)
	Project(ctx context.Context, id int64) (accord.Project, error)
	ProjectValues(ctx context.Context, ids []int64) (map[int64]accord.Project, error)
	Reassign(ctx context.Context, v accord.Viewer, id, toUserID int64, reason string, windowDays int, now time.Time) error
	RefreshRecord(ctx context.Context, v accord.Viewer, id int64, now time.Time) error
	SharedSuperior(ctx context.Context, a, b, lead int64) (accord.Superior, error)
	Tracker(ctx context.Context, projectID int64) ([]accord.TrackerRow, error)
	Units(ctx context.Context) ([]accord.Unit, error)
}

type goalStore interface {
	CreateGoal(ctx context.Context, actorID int64, in accord.GoalInput) (accord.Goal, error)
	Goal(ctx context.Context, id int64) (accord.Goal, error)
	GoalProjectCounts(ctx context.Context, v accord.Viewer) (map[int64]int, error)
	Goals(ctx context.Context) ([]accord.Goal, error)
	Projects(ctx context.Context, v accord.Viewer, f store.ProjectFilter) ([]accord.Project, int, error)
	Units(ctx context.Context) ([]accord.Unit, error)
	UpdateGoal(ctx context.Context, actorID, id int64, version int, in accord.GoalInput) (accord.Goal, error)
}

type homeStore interface {
	Agenda(ctx context.Context, userID int64, perKind int, now time.Time) (map[accord.AgendaKind][]accord.AgendaItem, map[accord.AgendaKind]int, error)
	ProjectsLedBy(ctx context.Context, userID int64, limit int) ([]accord.Project, error)
}

type notificationStore interface {
	MarkNotificationsRead(ctx context.Context, userID, upToID int64, now time.Time) error
	OpenNotification(ctx context.Context, v accord.Viewer, id int64, now time.Time) (accord.Notification, error)
	Notifications(ctx context.Context, userID int64, offset, limit int) ([]accord.Notification, int, error)
}

type orgStore interface {
	Units(ctx context.Context) ([]accord.Unit, error)
}

type portfolioStore interface {
	CompanyEpochsNow(ctx context.Context, of store.CompanyEpoch, projects []int64) (store.CompanyEpochs, error)
	EscalationsToDecideCount(ctx context.Context, v accord.Viewer) (int, error)
	PortfolioLoad(ctx context.Context, v accord.Viewer, limit int) ([]store.UnitLoad, error)
	ReadPortfolio(ctx context.Context, v accord.Viewer, f store.PortfolioFilter, top int, now time.Time) (store.PortfolioRead, error)
}

type projectStore interface {
	CreateProject(ctx context.Context, actorID int64, in accord.ProjectInput) (accord.Project, error)
	Goals(ctx context.Context) ([]accord.Goal, error)
	ProjectForViewer(ctx context.Context, v accord.Viewer, id int64) (accord.Project, error)
	Projects(ctx context.Context, v accord.Viewer, f store.ProjectFilter) ([]accord.Project, int, error)
	Units(ctx context.Context) ([]accord.Unit, error)
	UpdateProject(ctx context.Context, actorID, id int64, version int, in accord.ProjectInput) (accord.Project, error)
	User(ctx context.Context, id int64) (accord.User, error)
	UserByEmail(ctx context.Context, email string) (accord.User, error)
}

type requestStore interface {
	ActOnRequest(ctx context.Context, v accord.Viewer, id int64, version int, action accord.RequestAction, in accord.RequestInput, now time.Time) (accord.Request, error)
	AddProgress(ctx context.Context, v accord.Viewer, requestID int64, in accord.ProgressInput, now time.Time) (accord.ProgressEntry, error)
	CreateCommitment(ctx context.Context, actorID, projectID int64, in accord.CommitmentInput) (accord.Commitment, error)
	CreateNeed(ctx context.Context, actorID, projectID int64, in accord.NeedInput) (accord.Need, error)
	DecideDirectly(ctx context.Context, v accord.Viewer, requestID int64, in accord.DecisionInput, now time.Time) (accord.Escalation, error)
	InboxPage(ctx context.Context, userID int64, standInUnits []int64, offset, limit int) (store.InboxPage, error)
	InboxEpochs(ctx context.Context, userID int64, standInUnits []int64) (store.QueueEpochs, error)
	QueueEpochsNow(ctx context.Context, userID int64, at store.QueueEpochs) (store.QueueEpochs, error)
	EscalationListEpochs(ctx context.Context, userID int64) (store.QueueEpochs, error)
	HomeEpochs(ctx context.Context, userID int64, now time.Time) (store.QueueEpochs, time.Time, error)
	AgendaAt(ctx context.Context, userID int64, perKind int, now time.Time) (map[accord.AgendaKind][]accord.AgendaItem, map[accord.AgendaKind]int, map[int64]int64, error)
	EscalationsToDecideAt(ctx context.Context, v accord.Viewer, offset, limit int) ([]accord.Escalation, int, map[int64]int64, error)
	EscalationsInListAt(ctx context.Context, userID int64, list accord.EscalationList, offset, limit int) ([]accord.Escalation, int, map[int64]int64, error)
	LatestEscalations(ctx context.Context, requestIDs []int64) (map[int64]accord.Escalation, error)
	Needs(ctx context.Context, projectID int64) ([]accord.Need, error)
	Nudge(ctx context.Context, v accord.Viewer, requestID int64, now time.Time) (time.Time, error)
	Progress(ctx context.Context, requestID int64) ([]accord.ProgressEntry, error)
	ProjectRequests(ctx context.Context, projectID int64) ([]accord.Request, error)
	ProjectsByID(ctx context.Context, v accord.Viewer, ids []int64) (map[int64]accord.Project, error)
	QueuePositions(ctx context.Context, requestIDs []int64) (map[int64]accord.QueueEntry, error)
	SendNeeds(ctx context.Context, actorID, projectID int64, needIDs []int64, message string, now time.Time) ([]accord.Request, error)
	SharedSuperior(ctx context.Context, a, b, lead int64) (accord.Superior, error)
	UnitMembers(ctx context.Context, unitID int64) ([]accord.User, error)
	UnitPlans(ctx context.Context, projectID int64) ([]accord.UnitPlan, error)
	Units(ctx context.Context) ([]accord.Unit, error)
}

type retroStore interface {
	AddThanks(ctx context.Context, actorID, projectID int64, in accord.ThanksInput, now time.Time) (accord.Thanks, error)
	Commitments(ctx context.Context, projectID int64) ([]accord.Commitment, error)
	DeleteThanks(ctx context.Context, actorID, projectID, id int64) error
	ProjectThanks(ctx context.Context, projectID int64) ([]accord.Thanks, error)
	Retro(ctx context.Context, projectID int64) (accord.Retro, error)
	RetroTimeline(ctx context.Context, projectID int64) ([]accord.TimelineNeed, error)
	RetroUnits(ctx context.Context, projectID int64) ([]accord.RetroUnit, error)
	SaveRetro(ctx context.Context, actorID, projectID int64, version int, in accord.RetroInput, now time.Time) (accord.Retro, error)
}

type pageStore interface {
	ViewerAt(ctx context.Context, userID int64, now time.Time) (accord.Viewer, error)
	// Sessions keeps the sessions, each with the user it names (store.SessionStore).
	Sessions(userOf func(data []byte) int64) *store.SessionStore
	SessionViewer(ctx context.Context, probe *store.SessionProbe, userID int64, now time.Time) (accord.Viewer, error)
}

type calendarStore interface {
	CalendarFeed(ctx context.Context, userID int64) (accord.CalendarFeed, bool, error)
	CalendarFeedUser(ctx context.Context, secret string, now time.Time) (accord.User, error)
	CalendarItems(ctx context.Context, userID int64, now time.Time) ([]accord.CalendarItem, error)
	CreateCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (accord.CalendarFeed, string, error)
	RevokeCalendarFeed(ctx context.Context, actorID, userID int64, now time.Time) (bool, error)
}

type settingsStore interface {
	CreateToken(ctx context.Context, actorID, userID int64, name string, now time.Time) (accord.APIToken, string, error)
	RevokeToken(ctx context.Context, actorID, userID, id int64, now time.Time) error
	SetUserTimeZone(ctx context.Context, id int64, zone string) error
	Tokens(ctx context.Context, userID int64) ([]accord.APIToken, error)
}

type trackerStore interface {
	LatestEscalations(ctx context.Context, requestIDs []int64) (map[int64]accord.Escalation, error)
	TrackerPage(ctx context.Context, projectID int64, offset, limit int) ([]accord.TrackerRow, error)
	TrackerTop(ctx context.Context, projectID int64, limit int, pin int64) ([]accord.TrackerRow, int, error)
	TrackerSummary(ctx context.Context, projectID int64) (store.TrackerSummary, error)
}

type unitStore interface {
	UnitLedgerAt(ctx context.Context, v accord.Viewer, unitID int64, limit int, now time.Time) (accord.UnitLedger, store.LedgerAt, error)
	UnitPageEpochs(ctx context.Context, userID, unitID int64) (store.QueueEpochs, error)
	UnitMembers(ctx context.Context, unitID int64) ([]accord.User, error)
	UnitFamily(ctx context.Context, id int64) ([]accord.Unit, error)
}

type workbookStore interface {
	Commitment(ctx context.Context, id int64) (accord.Commitment, error)
	Commitments(ctx context.Context, projectID int64) ([]accord.Commitment, error)
	CreateCommitment(ctx context.Context, actorID, projectID int64, in accord.CommitmentInput) (accord.Commitment, error)
	CreateNeed(ctx context.Context, actorID, projectID int64, in accord.NeedInput) (accord.Need, error)
	DeleteCommitment(ctx context.Context, actorID, id int64, version int) error
	DeleteNeed(ctx context.Context, actorID, id int64, version int) (accord.NeedRemoval, error)
	Goals(ctx context.Context) ([]accord.Goal, error)
	ImportNeeds(ctx context.Context, actorID, projectID int64, ins []accord.NeedInput) ([]accord.Need, error)
	Needs(ctx context.Context, projectID int64) ([]accord.Need, error)
	ProjectHistory(ctx context.Context, projectID int64, offset, limit int) ([]accord.AuditEntry, int, error)
	SaveUnitPlan(ctx context.Context, actorID int64, plan accord.UnitPlan) (accord.UnitPlan, error)
	UnitPlan(ctx context.Context, projectID, unitID int64) (accord.UnitPlan, error)
	UnitPlans(ctx context.Context, projectID int64) ([]accord.UnitPlan, error)
	Units(ctx context.Context) ([]accord.Unit, error)
	UpdateCommitment(ctx context.Context, actorID, id int64, version int, in accord.CommitmentInput) (accord.Commitment, error)
	UpdateNeed(ctx context.Context, actorID, id int64, version int, in accord.NeedInput) (accord.Need, error)
	WorkbookUnits(ctx context.Context, projectID int64, upTo int, extra []int64) ([]accord.Unit, int, error)
	EscalationUnits(ctx context.Context, projectID int64, upTo int, extra []int64) ([]accord.Unit, int, error)
}
