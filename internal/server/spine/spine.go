// Package spine is what Accord's two HTTP faces share: the settings and clock, the
// viewer in the request's context, the one error → status table, and the loaders
// that answer "not found" for anything the viewer may not see. The HTML face
// (internal/server/pages) and the JSON face (internal/server/api) are built on it;
// it holds no handler of its own.
package spine

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"time"

	"accord/internal/accord"
	"accord/internal/password"
	"accord/internal/sso"
	"accord/internal/store"
	"accord/web/i18n"
)

// Options are the server's settings.
type Options struct {
	SecureCookies   bool
	SessionLifetime time.Duration
	DemoHint        bool            // show the demo logins on the sign-in page
	PasswordParams  password.Params // argon2id cost for new passwords
	// Now is the clock. Its readings are put into Location before use, so "today",
	// overdue and working days follow the company's calendar.
	Now func() time.Time
	// Location is the company's time zone (ACCORD_TIME_ZONE); UTC when nil. Times are
	// shown in it to people who chose no zone of their own.
	Location *time.Location
	// BaseURL (ACCORD_BASE_URL) is where people reach Accord, for addresses handed
	// out to be used elsewhere (a calendar feed); when empty, the address a request
	// reached Accord at.
	BaseURL string
	// DecisionWindowDays is how many working days a superior has to decide;
	// accord.DefaultDecisionWindowDays when 0.
	DecisionWindowDays int
	// WebhookClient posts an administrator's test messages to chat webhooks;
	// the pages face's default (no private networks) when nil.
	WebhookClient *http.Client
	// WebhookAllowPrivate (ACCORD_WEBHOOK_ALLOW_PRIVATE) lets webhooks be saved with,
	// and the default client post to, addresses on private networks.
	WebhookAllowPrivate bool
	// MaxUploadBytes (ACCORD_MAX_UPLOAD_MB) is the largest file a conversation takes;
	// accord.DefaultMaxUploadBytes when 0.
	MaxUploadBytes int64
	// SSO is single sign-on through an OpenID provider; off when its issuer is empty.
	SSO sso.Settings
	// MetricsToken (ACCORD_METRICS_TOKEN), when set, serves /metrics on the public
	// port to requests bearing it; unset, /metrics is not on the public port at all
	// (ACCORD_METRICS_ADDR serves it on an address of its own).
	MetricsToken string
	// TrustedProxies (ACCORD_TRUSTED_PROXIES) are the only peers whose
	// X-Forwarded-For/Forwarded headers name the client (ClientAddress).
	TrustedProxies []netip.Prefix
	// RenderedPageBytes (ACCORD_RENDERED_PAGES_MB) is how much memory the HTML face
	// keeps rendered project pages in, to serve again while nothing they show has
	// changed; DefaultRenderedPageBytes when 0, none kept when negative.
	RenderedPageBytes int64
}

// DefaultRenderedPageBytes is RenderedPageBytes when it is not set: a hundred of the
// largest workbooks of a big organisation.
const DefaultRenderedPageBytes = 16 << 20

// UploadLimit is the largest file a conversation takes.
func (o Options) UploadLimit() int64 {
	if o.MaxUploadBytes > 0 {
		return o.MaxUploadBytes
	}
	return accord.DefaultMaxUploadBytes
}

// Store is what the spine reads: the viewer, and the objects its loaders check.
type Store interface {
	ViewerAt(ctx context.Context, userID int64, now time.Time) (accord.Viewer, error)
	ViewersAt(ctx context.Context, ids []int64, now time.Time) (map[int64]accord.Viewer, error)
	Project(ctx context.Context, id int64) (accord.Project, error)
	ProjectForViewer(ctx context.Context, v accord.Viewer, id int64) (accord.Project, error)
	ProjectSeenBy(ctx context.Context, id int64, viewers []accord.Viewer) (map[int64]bool, error)
	ProjectForViewerAt(ctx context.Context, v accord.Viewer, id int64) (accord.Project, store.ContentEpochs, error)
	Need(ctx context.Context, id int64) (accord.Need, error)
	Commitment(ctx context.Context, id int64) (accord.Commitment, error)
	Comment(ctx context.Context, id int64) (accord.Comment, error)
	AddComment(ctx context.Context, actorID int64, subject accord.CommentSubject, in accord.CommentInput, file *accord.Upload,
		limit int64, now time.Time) (accord.Comment, error)
	CommentCandidates(ctx context.Context, subject accord.CommentSubject) ([]accord.User, error)
	PeopleNamed(ctx context.Context, text string, limit int) ([]accord.User, error)
	Follow(ctx context.Context, addedBy int64, subject accord.CommentSubject, userID int64, now time.Time) error
	Request(ctx context.Context, id int64) (accord.Request, error)
	Escalation(ctx context.Context, id int64) (accord.Escalation, error)
	EscalationAt(ctx context.Context, id int64, now time.Time) (accord.Escalation, store.ContentEpochs, time.Time, error)
	EscalationStandings(ctx context.Context, id int64, userIDs []int64) (map[int64]store.EscalationStanding, error)
	CreateUser(ctx context.Context, actorID int64, in accord.NewUser, passwordHash string) (accord.User, error)
	AddMembership(ctx context.Context, actorID, userID, unitID int64) error
}

// Spine is shared by both faces. Build it with New; it has no globals.
type Spine struct {
	store Store
	I18n  *i18n.Bundle
	Log   *slog.Logger
	Opts  Options
	// Passwords bounds concurrent argon2id work, the largest allocation a request makes.
	Passwords *password.Hasher
	// zones holds the zones people may choose, loaded once (time.LoadLocation reads
	// the zone database on every call).
	zones map[string]*time.Location
}

// maxConcurrentHashes caps passwords hashed or checked at once, each holding
// PasswordParams.MemKiB.
const maxConcurrentHashes = 4

// New fills in the defaults of opts and builds the spine.
func New(st Store, bundle *i18n.Bundle, logger *slog.Logger, opts Options) *Spine {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	clock, company := opts.Now, opts.Location
	opts.Now = func() time.Time { return clock().In(company) }
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 12 * time.Hour
	}
	if opts.PasswordParams == (password.Params{}) {
		opts.PasswordParams = password.DefaultParams()
	}
	if opts.DecisionWindowDays == 0 {
		opts.DecisionWindowDays = accord.DefaultDecisionWindowDays
	}
	return &Spine{store: st, I18n: bundle, Log: logger, Opts: opts, zones: loadZones(),
		Passwords: password.NewHasher(opts.PasswordParams, min(runtime.GOMAXPROCS(0), maxConcurrentHashes))}
}

// Now is Accord's clock, in the company's time zone.
func (s *Spine) Now() time.Time { return s.Opts.Now() }

// How much of the portfolio a page or an answer names, the same on both faces.
const (
	// GoalProjectsShown is how many projects each goal's card names, worst first.
	GoalProjectsShown = 5
	// LoadUnitsShown is how many units the load chart draws.
	LoadUnitsShown = 12
)
