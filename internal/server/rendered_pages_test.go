package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/demo"
	"accord/internal/server"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
)

// twin is a second server on b's database, as a second instance behind a balancer
// would be, built with configure's options.
func (b *testBundle) twin(t *testing.T, configure func(*server.Options)) *testBundle {
	t.Helper()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	bundle.AddContent(demo.English())
	opts := server.Options{Now: func() time.Time { return *b.now }, WebhookClient: &http.Client{Timeout: 5 * time.Second}}
	configure(&opts)
	s := server.New(b.st, bundle, slog.New(slog.NewTextHandler(io.Discard, nil)), opts)
	tw := &testBundle{st: b.st, now: b.now, queries: b.queries, server: s, srv: httptest.NewServer(s.Handler())}
	t.Cleanup(func() { tw.srv.Close(); s.Close() })
	return tw
}

// mainOf is a page's content without the layout around it (whose unread badge and
// menus are not what the rendered-page cache keeps), or its status when it is not 200.
func mainOf(t *testing.T, r response) string {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		return http.StatusText(r.StatusCode)
	}
	html, err := r.doc.Find("main").Html()
	require.NoError(t, err)
	return html
}

// keptAgainstFresh signs people in (each email with its client language) on b, whose
// server keeps rendered pages, and on a twin that keeps none, and returns step: it
// makes a write, then reads every path as every person from both servers, twice from
// the keeping one (the first read may render and keep, the second must be served as
// kept: at most servedIn statements, the session's and those that find what the page
// is of and whether the viewer may see it; a page refused is never kept).
// Each read must be byte for byte the fresh one, and each step must change what
// someone sees, or it would prove nothing. step returns what each person saw, by
// email and path.
// Pages named in afresh (a person's email followed by a path) may be drawn afresh for
// them: they must match all the same, at any cost.
// A step passed unseenWrite must instead change nothing anyone sees, and every page
// must be served as kept from the first view after it: the write leaves it kept.
func keptAgainstFresh(t *testing.T, b *testBundle, people map[string]string, paths []string, servedIn int64,
	afresh ...string) func(string, func(), ...keptStepKind) map[string]string {
	t.Helper()
	fresh := b.twin(t, func(o *server.Options) { o.RenderedPageBytes = -1 })
	kept, plain := map[string]*client{}, map[string]*client{}
	for email, lang := range people {
		kept[email], plain[email] = b.login(t, email), fresh.login(t, email)
		kept[email].lang, plain[email].lang = lang, lang
	}
	read := func(step string, unseen bool) map[string]string {
		t.Helper()
		seen := map[string]string{}
		for email := range people {
			for _, at := range paths {
				want := mainOf(t, plain[email].get(at))
				if unseen {
					var first response
					statements := b.countQueries(func() { first = kept[email].get(at) })
					require.Equal(t, want, mainOf(t, first), "%s: %s reading %s first", step, email, at)
					if first.StatusCode == http.StatusOK && !slices.Contains(afresh, email+at) {
						require.LessOrEqual(t, statements, servedIn, "%s: %s reading %s first: drawn again", step, email, at)
					}
				}
				// Several views at once, as right after a write: those finding another
				// drawing the page wait for it and serve what it kept, if still the same.
				burst := make([]response, 4)
				failed := make([]error, len(burst))
				var wg sync.WaitGroup
				for i := range burst {
					wg.Go(func() { burst[i], failed[i] = kept[email].tryGet(at) })
				}
				wg.Wait()
				for i, got := range burst {
					require.NoError(t, failed[i], "%s: %s reading %s, view %d of a burst", step, email, at, i+1)
					require.Equal(t, want, mainOf(t, got), "%s: %s reading %s, view %d of a burst", step, email, at, i+1)
				}
				require.Equal(t, want, mainOf(t, kept[email].get(at)), "%s: %s reading %s", step, email, at)
				var again response
				statements := b.countQueries(func() { again = kept[email].get(at) })
				require.Equal(t, want, mainOf(t, again), "%s: %s reading %s again", step, email, at)
				// A page refused is never kept.
				if again.StatusCode == http.StatusOK && !slices.Contains(afresh, email+at) {
					require.LessOrEqual(t, statements, servedIn, "%s: %s reading %s again: not served as kept", step, email, at)
				}
				seen[email+at] = want
			}
		}
		return seen
	}
	before := read("at first", false)
	return func(name string, write func(), kind ...keptStepKind) map[string]string {
		t.Helper()
		write()
		unseen := slices.Contains(kind, unseenWrite)
		after := read(name, unseen)
		if unseen {
			require.Equal(t, before, after, "%s changed what someone sees", name)
		} else {
			require.NotEqual(t, before, after, "%s changed nothing anyone sees: the step proves nothing", name)
		}
		before = after
		return after
	}
}

// keptStepKind says what a step of keptAgainstFresh must show.
type keptStepKind int

// unseenWrite is a step whose write changes nothing the pages show, and leaves them
// kept.
const unseenWrite keptStepKind = 1

// keptDecide has the chief executive decide escalation id: IT delivers a first phase.
func (b *testBundle) keptDecide(t *testing.T, id int64) {
	t.Helper()
	ctx := context.Background()
	now, err := b.st.Escalation(ctx, id)
	require.NoError(t, err)
	due := b.now.AddDate(0, 0, 30)
	_, err = b.st.Decide(ctx, b.escViewer(t, "ceo@accord.demo"), id, now.Version,
		accord.DecisionInput{Kind: accord.DecideDirect, Note: "先交付一期必需功能", DueDate: &due}, *b.now)
	require.NoError(t, err)
}

// keptRenameIT renames IT to "IT centre"; keptITHeadless then leaves it without a head.
func (b *testBundle) keptRenameIT(t *testing.T) {
	t.Helper()
	it := b.units(t)["IT"]
	_, err := b.st.RenameUnit(context.Background(), 0, it.ID, it.Version, "信息技术中心", "IT centre")
	require.NoError(t, err)
}

func (b *testBundle) keptITHeadless(t *testing.T) {
	t.Helper()
	it := b.units(t)["IT centre"]
	_, err := b.st.SetUnitHead(context.Background(), 0, it.ID, it.Version, nil)
	require.NoError(t, err)
}

// TestKeptWorkbooksMatchAFreshRenderAfterEveryChange reads a workbook from a server
// that keeps rendered pages and from one that keeps none, for people with different
// rights and languages, after each kind of write the page shows: every kept page must
// be byte for byte the fresh one, and every step must change what someone sees (or
// the step would prove nothing).
func TestKeptWorkbooksMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	p := b.demoProject(t, "Smart service upgrade")
	path := "/projects/" + itoa64(p.ID)
	lead := b.user(t, "aftersales@accord.demo")
	units := b.units(t)
	it, data := units["IT"], units["Data"]
	itDev := b.user(t, "it.dev@accord.demo")
	// The lead edits; a member of the owning unit and the head of a holding unit read;
	// the chief executive reads in Chinese.
	step := keptAgainstFresh(t, b, map[string]string{"aftersales@accord.demo": "en", "aftersales.pm@accord.demo": "en",
		"data@accord.demo": "en", "ceo@accord.demo": "zh"}, []string{path, path + "?page=1&board=all"}, 2)

	var need accord.Need
	step("a need added", func() {
		var err error
		need, err = b.st.CreateNeed(ctx, lead.ID, p.ID, accord.NeedInput{Title: "数据看板", TitleEN: "Data dashboard",
			HolderUnitID: &data.ID, Tier: accord.TierImportant, EffortDays: 3})
		require.NoError(t, err)
	})
	step("a need retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title = '数据驾驶舱', title_en = 'Data cockpit', version = version + 1
			WHERE id = $1`, need.ID)
		require.NoError(t, err)
	})
	step("a unit's plan saved", func() {
		_, err := b.st.SaveUnitPlan(ctx, lead.ID, accord.UnitPlan{ProjectID: p.ID, UnitID: data.ID,
			Concerns: []string{"数据口径一致"}, TheyNeed: "明确的指标定义", Stance: accord.StanceAlly,
			Version: b.wbPlan(t, p.ID, data.ID).Version})
		require.NoError(t, err)
	})
	var promise accord.Commitment
	step("a promise made", func() {
		due := b.now.AddDate(0, 0, 2)
		var err error
		promise, err = b.st.CreateCommitment(ctx, lead.ID, p.ID, accord.CommitmentInput{UnitID: data.ID,
			What: "共享门店客流数据", DueDate: &due, Status: accord.CommitmentOpen})
		require.NoError(t, err)
	})
	step("the day the promise falls overdue", func() { *b.now = b.now.AddDate(0, 0, 4) })
	step("the promise kept", func() {
		_, err := b.st.UpdateCommitment(ctx, lead.ID, promise.ID, promise.Version, accord.CommitmentInput{
			UnitID: data.ID, What: promise.What, DueDate: promise.DueDate, Status: accord.CommitmentKept})
		require.NoError(t, err)
	})
	step("a holding unit renamed", func() {
		_, err := b.st.RenameUnit(ctx, 0, data.ID, data.Version, "数据与分析部", "Data & analytics")
		require.NoError(t, err)
	})
	step("a key person renamed", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE users SET name_en = 'Yang Fan (analytics)' WHERE email = 'data.analyst@accord.demo'`)
		require.NoError(t, err)
	})
	step("a key person (named on a need of IT) leaves IT", func() {
		require.NoError(t, b.st.RemoveMembership(ctx, 0, itDev.ID, it.ID))
	})
	step("the key person back in IT", func() {
		require.NoError(t, b.st.AddMembership(ctx, 0, itDev.ID, it.ID))
	})
	step("a unit opened, which the forms' unit lists offer", func() {
		_, err := b.st.CreateUnit(ctx, 0, accord.UnitInput{Name: "法务二部", NameEN: "Legal II", ParentID: *it.ParentID})
		require.NoError(t, err)
	})
	step("the promise deleted", func() {
		kept, err := b.st.Commitment(ctx, promise.ID)
		require.NoError(t, err)
		require.NoError(t, b.st.DeleteCommitment(ctx, lead.ID, promise.ID, kept.Version))
	})
	step("a need deleted", func() {
		now, err := b.st.Need(ctx, need.ID)
		require.NoError(t, err)
		_, err = b.st.DeleteNeed(ctx, lead.ID, need.ID, now.Version)
		require.NoError(t, err)
	})
	step("the project handed to another lead", func() {
		in := p.Input()
		in.LeadUserID = b.user(t, "aftersales.pm@accord.demo").ID
		var err error
		p, err = b.st.UpdateProject(ctx, lead.ID, p.ID, p.Version, in)
		require.NoError(t, err)
	})
	seen := step("the reader who held a need loses the unit", func() {
		dataNow := b.units(t)["Data & analytics"]
		_, err := b.st.SetUnitHead(ctx, 0, dataNow.ID, dataNow.Version, nil)
		require.NoError(t, err)
		// A head stepping down stays a member; the administrator moves them out too.
		require.NoError(t, b.st.RemoveMembership(ctx, 0, b.user(t, "data@accord.demo").ID, dataNow.ID))
	})
	require.Equal(t, http.StatusText(http.StatusNotFound), seen["data@accord.demo"+path],
		"the former head of the holding unit no longer sees the project")
}

// TestKeptTrackersMatchAFreshRenderAfterEveryChange is the workbook's test for the
// tracker, which also shows the clock (the time since each request's last activity,
// what is stale or overdue) and, per viewer, whether a ruling's link opens for them.
func TestKeptTrackersMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	p := b.demoProject(t, "Smart service upgrade")
	sent := b.escSendSmart(t, *b.now)
	path := "/projects/" + itoa64(p.ID) + "/tracker"
	// The lead, the heads of two holding units, and the chief executive in Chinese,
	// who decides the escalation below and so alone follows its link.
	step := keptAgainstFresh(t, b, map[string]string{"aftersales@accord.demo": "en", "it@accord.demo": "en",
		"data@accord.demo": "en", "ceo@accord.demo": "zh"}, []string{path, path + "?page=1"}, 2)

	step("half an hour, then an hour since the requests went out", func() { *b.now = b.now.Add(90 * time.Minute) })
	data := sent["Data"]
	step("a request agreed", func() {
		var err error
		data, err = b.st.ActOnRequest(ctx, b.escViewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionAgree,
			accord.RequestInput{}, *b.now)
		require.NoError(t, err)
	})
	step("progress logged", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "data@accord.demo"), data.ID,
			accord.ProgressInput{Body: "口径已确认", NextStep: "下周交付第一版", Risk: accord.RiskLow}, *b.now)
		require.NoError(t, err)
	})
	step("a progress entry written by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `INSERT INTO request_updates (request_id, author_user_id, body, created_at)
			VALUES ($1, $2, '口径已确认（含门店）', $3)`, data.ID, b.user(t, "data@accord.demo").ID, *b.now)
		require.NoError(t, err)
	})
	itReq := sent["IT"]
	step("a request declined", func() {
		var err error
		itReq, err = b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), itReq.ID, itReq.Version, accord.ActionDecline,
			accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
		require.NoError(t, err)
	})
	step("the project's cadence passes with no word from the others", func() {
		*b.now = b.now.AddDate(0, 0, p.CadenceDays+1)
	})
	step("the declined request escalated", func() {
		_, err := b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), itReq.ID, "需要决定", "", 3, *b.now)
		require.NoError(t, err)
	})
	step("the progress entry's author renamed", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE users SET name_en = 'Data head (renamed)' WHERE email = 'data@accord.demo'`)
		require.NoError(t, err)
	})
	itUnit := b.units(t)["IT"]
	seen := step("IT's head steps down", func() {
		_, err := b.st.SetUnitHead(ctx, 0, itUnit.ID, itUnit.Version, nil)
		require.NoError(t, err)
		require.NoError(t, b.st.RemoveMembership(ctx, 0, b.user(t, "it@accord.demo").ID, itUnit.ID))
	})
	require.Equal(t, http.StatusText(http.StatusNotFound), seen["it@accord.demo"+path],
		"IT's former head no longer sees the project")
}

// TestKeptEscalationPagesMatchAFreshRenderAfterEveryChange is the workbook's test for
// an escalation's page: its decision window and the time its comments may be
// corrected follow the clock, its conversation, advice and statements have tables of
// their own, and who may read it turns on more than the project (advice asked, a
// stand-in's days).
func TestKeptEscalationPagesMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	e, _, _ := b.escDeclinedCRM(t)
	path := escPath(e)
	subject := accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID}
	lead, ceo, data := b.user(t, "aftersales@accord.demo"), b.user(t, "ceo@accord.demo"), b.user(t, "data@accord.demo")
	// The lead, IT's head (the other side), the chief executive deciding in Chinese,
	// Data's head, who may read it only once asked for advice, and a developer in IT,
	// only while standing in for its head. Served as kept in at most three statements:
	// the session's, the escalation's and, for someone who is not a side, whether they
	// were asked or told of it.
	step := keptAgainstFresh(t, b, map[string]string{"aftersales@accord.demo": "en", "it@accord.demo": "en",
		"ceo@accord.demo": "zh", "data@accord.demo": "en", "it.dev@accord.demo": "en"},
		[]string{path, path + "?alt_unit=1"}, 3)

	step("the lead comments", func() {
		_, err := b.st.AddComment(ctx, lead.ID, subject, accord.CommentInput{Body: "补充：门店已排期"}, nil, 1<<20, *b.now)
		require.NoError(t, err)
	})
	today := time.Date(b.now.Year(), b.now.Month(), b.now.Day(), 0, 0, 0, 0, time.UTC)
	step("IT's head names a stand-in for today", func() {
		head := b.escViewer(t, "it@accord.demo")
		_, err := b.st.CreateStandIn(ctx, head, head.User.ID, "it.dev@accord.demo", &today, &today, time.UTC, *b.now)
		require.NoError(t, err)
	})
	step("the stand-in speaks, and may then be mentioned", func() {
		_, err := b.st.AddComment(ctx, b.user(t, "it.dev@accord.demo").ID, subject,
			accord.CommentInput{Body: "我先替部门负责人回复"}, nil, 1<<20, *b.now)
		require.NoError(t, err)
	})
	seen := step("the stand-in's day ends", func() { *b.now = today.AddDate(0, 0, 1).Add(time.Minute) })
	require.Equal(t, http.StatusText(http.StatusNotFound), seen["it.dev@accord.demo"+path],
		"the stand-in no longer sees the escalation once their day is over")
	step("a working day passes", func() { *b.now = b.now.AddDate(0, 0, 1) })
	step("the lead comments again", func() {
		_, err := b.st.AddComment(ctx, lead.ID, subject, accord.CommentInput{Body: "门店排期已确认"}, nil, 1<<20, *b.now)
		require.NoError(t, err)
	})
	step("the lead's comment closes to correction", func() { *b.now = b.now.Add(accord.CommentEditWindow) })
	step("IT states its side", func() {
		require.NoError(t, b.st.AddStatement(ctx, b.escViewer(t, "it@accord.demo"), e.ID, "本季度人手已满", 3, *b.now))
	})
	step("the chief executive follows it", func() {
		require.NoError(t, b.st.Follow(ctx, ceo.ID, subject, ceo.ID, *b.now))
	})
	step("Data's head is asked for advice", func() {
		_, err := b.st.AskAdvice(ctx, b.escViewer(t, "ceo@accord.demo"), e.ID,
			accord.AdviceRequest{AdviserUserID: data.ID, Question: "数据部能否分担？"}, *b.now)
		require.NoError(t, err)
	})
	step("the project renamed", func() {
		p := b.demoProject(t, "Smart service upgrade")
		in := p.Input()
		in.NameEN = "Smart service upgrade (phase 2)"
		_, err := b.st.UpdateProject(ctx, lead.ID, p.ID, p.Version, in)
		require.NoError(t, err)
	})
	step("the decision", func() { b.keptDecide(t, e.ID) })
	itUnit := b.units(t)["IT"]
	seen = step("IT's head steps down, told of it but no longer a side", func() {
		_, err := b.st.SetUnitHead(ctx, 0, itUnit.ID, itUnit.Version, nil)
		require.NoError(t, err)
		require.NoError(t, b.st.RemoveMembership(ctx, 0, b.user(t, "it@accord.demo").ID, itUnit.ID))
	})
	require.NotEqual(t, http.StatusText(http.StatusNotFound), seen["data@accord.demo"+path], "the adviser reads it")
}

// TestKeptInboxesMatchAFreshRenderAfterEveryChange is the workbook's test for the
// inbox, which lists requests across projects: kept with the epochs it was read at
// (its units', the viewer's, its projects'), read again on every view.
func TestKeptInboxesMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	// The heads of IT, Data and Marketing (in Chinese), and a developer in IT, who sees
	// only what is handed to them. Served as kept in two statements: the session's
	// and the epochs'.
	step := keptAgainstFresh(t, b, map[string]string{"it@accord.demo": "en", "data@accord.demo": "en",
		"marketing@accord.demo": "zh", "it.dev@accord.demo": "en"}, []string{"/inbox", "/inbox?page=1"}, 2)

	var sent map[string]accord.Request
	step("the Smart service upgrade's needs sent", func() { sent = b.escSendSmart(t, *b.now) })
	it := sent["IT"]
	step("IT agrees", func() {
		var err error
		it, err = b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
			accord.RequestInput{}, *b.now)
		require.NoError(t, err)
	})
	step("IT's head hands it to a developer", func() {
		itDev := b.user(t, "it.dev@accord.demo").ID
		var err error
		it, err = b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDelegate,
			accord.RequestInput{KeyPersonUserID: &itDev}, *b.now)
		require.NoError(t, err)
	})
	// A request's activity alone leaves the inbox kept (migration 0063): drawn or
	// not, it must read as a server keeping nothing reads it.
	step("IT's head logs progress on it, no effort", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "it@accord.demo"), it.ID,
			accord.ProgressInput{Body: "需求评审完成", Risk: accord.RiskHigh}, b.now.Add(time.Minute))
		require.NoError(t, err)
	}, unseenWrite)
	var ads accord.Request
	step("another project's need goes to Marketing, into its queue", func() {
		ads = b.escSendOne(t, "Inventory car promotion", "Marketing", *b.now)
	})
	step("the developer joins Marketing too, someone its head may hand to", func() {
		require.NoError(t, b.st.AddMembership(ctx, 0, b.user(t, "it.dev@accord.demo").ID, b.units(t)["Marketing"].ID))
	})
	step("Marketing agrees to the other project's request and hands it to the developer", func() {
		// Neither its unit nor its project is on the developer's page yet: only their
		// own epoch moves for them.
		itDev := b.user(t, "it.dev@accord.demo").ID
		_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "marketing@accord.demo"), ads.ID, ads.Version,
			accord.ActionAgree, accord.RequestInput{KeyPersonUserID: &itDev}, *b.now)
		require.NoError(t, err)
	})
	smart := b.demoProject(t, "Smart service upgrade")
	step("a need retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title_en = 'CRM system (phase 1)', title = 'CRM 系统（一期）',
			version = version + 1 WHERE id = $1`, it.NeedID)
		require.NoError(t, err)
	})
	step("the project's value raised", func() {
		in := smart.Input()
		amount := int64(90_000_000)
		in.ExpectedAmount = &amount
		var err error
		smart, err = b.st.UpdateProject(ctx, smart.LeadUserID, smart.ID, smart.Version, in)
		require.NoError(t, err)
	})
	step("Data's request escalated", func() {
		data := sent["Data"]
		data, err := b.st.ActOnRequest(ctx, b.escViewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionDecline,
			accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
		require.NoError(t, err)
		_, err = b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), data.ID, "需要决定", "", 3, *b.now)
		require.NoError(t, err)
	})
	itUnit := b.units(t)["IT"]
	step("a member joins IT, someone to hand requests to", func() {
		require.NoError(t, b.st.AddMembership(ctx, 0, b.user(t, "data.analyst@accord.demo").ID, itUnit.ID))
	})
	step("IT renamed", func() { b.keptRenameIT(t) })
	seen := step("IT's head steps down", func() { b.keptITHeadless(t) })
	require.NotContains(t, seen["it@accord.demo/inbox"], "CRM", "IT's former head no longer answers for its queue")
}

// TestKeptUnitPagesMatchAFreshRenderAfterEveryChange is the inbox's test for a unit's
// page: kept with the epochs of the organisation, the unit, the projects it owns and
// those its lists name, for a viewer who sees every project it touches through the
// unit; drawn afresh for anyone else.
func TestKeptUnitPagesMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	units := b.units(t)
	itPage, salesPage := "/units/"+itoa64(units["IT"].ID), "/units/"+itoa64(units["After-sales"].ID)
	// IT's head and developer, the head of After-sales (whose project asks IT), the
	// chief executive in Chinese, and Data's head, who sees neither unit through itself.
	step := keptAgainstFresh(t, b, map[string]string{"it@accord.demo": "en", "it.dev@accord.demo": "en",
		"aftersales@accord.demo": "en", "ceo@accord.demo": "zh", "data@accord.demo": "en"}, []string{itPage, salesPage}, 2,
		"it@accord.demo"+salesPage, "it.dev@accord.demo"+salesPage, "aftersales@accord.demo"+itPage,
		"data@accord.demo"+itPage, "data@accord.demo"+salesPage)

	var sent map[string]accord.Request
	step("the Smart service upgrade's needs sent", func() { sent = b.escSendSmart(t, *b.now) })
	// IT's queue now names a project Data's head may not see through IT: drawn afresh
	// for them, which rows to name being theirs to see.
	data := b.login(t, "data@accord.demo")
	for _, page := range []string{itPage, salesPage} {
		data.get(page)
		require.Greater(t, b.countQueries(func() { data.get(page) }), int64(2), "%s not kept for someone who sees through another unit", page)
	}
	it := sent["IT"]
	step("IT agrees: its queue, and what After-sales' project asks", func() {
		var err error
		it, err = b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
			accord.RequestInput{}, *b.now)
		require.NoError(t, err)
	})
	step("IT logs progress on it, no effort", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "it@accord.demo"), it.ID,
			accord.ProgressInput{Body: "排期确认", Risk: accord.RiskLow}, b.now.Add(time.Minute))
		require.NoError(t, err)
	}, unseenWrite)
	step("IT logs work on it: the give and take", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "it@accord.demo"), it.ID,
			accord.ProgressInput{Body: "需求评审完成", Risk: accord.RiskLow, EffortDays: 2}, *b.now)
		require.NoError(t, err)
	})
	step("the need retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title_en = 'CRM system (phase 1)', title = 'CRM 系统（一期）',
			version = version + 1 WHERE id = $1`, it.NeedID)
		require.NoError(t, err)
	})
	smart := b.demoProject(t, "Smart service upgrade")
	step("a promise made to IT", func() {
		due := b.now.AddDate(0, 0, 1)
		_, err := b.st.CreateCommitment(ctx, smart.LeadUserID, smart.ID,
			accord.CommitmentInput{UnitID: units["IT"].ID, What: "上线后公开致谢", DueDate: &due, Status: accord.CommitmentOpen})
		require.NoError(t, err)
	})
	step("two days pass: the promise is overdue", func() { *b.now = b.now.AddDate(0, 0, 2) })
	step("IT thanked", func() {
		_, err := b.st.AddThanks(ctx, smart.LeadUserID, smart.ID,
			accord.ThanksInput{UnitID: units["IT"].ID, Text: "感谢信息部的支持"}, *b.now)
		require.NoError(t, err)
	})
	step("the project renamed", func() {
		in := smart.Input()
		in.NameEN = "Smart service upgrade (phase 2)"
		var err error
		smart, err = b.st.UpdateProject(ctx, smart.LeadUserID, smart.ID, smart.Version, in)
		require.NoError(t, err)
	})
	step("a member joins IT", func() {
		require.NoError(t, b.st.AddMembership(ctx, 0, b.user(t, "data.analyst@accord.demo").ID, units["IT"].ID))
	})
	step("the new member's address corrected by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE users SET email = 'analyst@accord.demo' WHERE email = 'data.analyst@accord.demo'`)
		require.NoError(t, err)
	})
	step("IT renamed", func() { b.keptRenameIT(t) })
	seen := step("IT's head steps down", func() { b.keptITHeadless(t) })
	require.Contains(t, seen["it@accord.demo"+itPage], "CRM system (phase 1)", "a member still sees the unit's queue")
}

// TestKeptEscalationListsMatchAFreshRenderAfterEveryChange is the inbox's test for
// the escalation lists: kept with the epochs of the viewer, the units they head and
// the listed projects, which every write to an escalation they take part in moves.
func TestKeptEscalationListsMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	// The chief executive deciding (in Chinese), the lead, IT's head (the other side),
	// Data's head (no side) and IT's developer, once the request is handed to them,
	// each on the list they open with and on every list.
	paths := []string{"/escalations", "/escalations?list=decide", "/escalations?list=units",
		"/escalations?list=projects", "/escalations?list=decided"}
	step := keptAgainstFresh(t, b, map[string]string{"ceo@accord.demo": "zh", "aftersales@accord.demo": "en",
		"it@accord.demo": "en", "data@accord.demo": "en", "it.dev@accord.demo": "en"}, paths, 2)

	var e accord.Escalation
	step("IT's decline escalated", func() { e, _, _ = b.escDeclinedCRM(t) })
	step("a day passes: its age and window move on", func() { *b.now = b.now.AddDate(0, 0, 1) })
	step("IT states its side", func() {
		require.NoError(t, b.st.AddStatement(ctx, b.escViewer(t, "it@accord.demo"), e.ID, "本季度人手已满", 3, *b.now))
	})
	step("the lead logs progress on the request", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "aftersales@accord.demo"), e.RequestID,
			accord.ProgressInput{Body: "等待决定", Risk: accord.RiskHigh}, *b.now)
		require.NoError(t, err)
	}, unseenWrite)
	smart := b.demoProject(t, "Smart service upgrade")
	step("the project renamed", func() {
		in := smart.Input()
		in.NameEN = "Smart service upgrade (phase 2)"
		var err error
		smart, err = b.st.UpdateProject(ctx, smart.LeadUserID, smart.ID, smart.Version, in)
		require.NoError(t, err)
	})
	step("the project handed to another lead", func() {
		in := smart.Input()
		in.LeadUserID = b.user(t, "aftersales.pm@accord.demo").ID
		var err error
		smart, err = b.st.UpdateProject(ctx, smart.LeadUserID, smart.ID, smart.Version, in)
		require.NoError(t, err)
	})
	step("the request handed to IT's developer", func() {
		it, err := b.st.Request(ctx, e.RequestID)
		require.NoError(t, err)
		itDev := b.user(t, "it.dev@accord.demo").ID
		_, err = b.st.Pool().Exec(ctx, `UPDATE requests SET key_person_user_id = $2, version = version + 1 WHERE id = $1`,
			it.ID, itDev)
		require.NoError(t, err)
	})
	step("the decision", func() { b.keptDecide(t, e.ID) })
	step("IT renamed", func() { b.keptRenameIT(t) })
	seen := step("IT's head steps down", func() { b.keptITHeadless(t) })
	require.NotContains(t, seen["it@accord.demo/escalations?list=decided"], "CRM", "IT's former head no longer sees its escalations")
}

// TestKeptHomePagesMatchAFreshRenderAfterEveryChange is the inbox's test for the start
// page: kept with the epochs of the viewer, the units they head, the projects they
// lead and the projects its agenda lists, and until a request of theirs goes quiet.
func TestKeptHomePagesMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	// The chief executive (in Chinese), the lead, the heads of IT, Data and Marketing,
	// and IT's developer. Served as kept in two statements: the session's and the
	// epochs'.
	step := keptAgainstFresh(t, b, map[string]string{"ceo@accord.demo": "zh", "aftersales@accord.demo": "en",
		"it@accord.demo": "en", "data@accord.demo": "en", "marketing@accord.demo": "en", "it.dev@accord.demo": "en"},
		[]string{"/"}, 2)

	var sent map[string]accord.Request
	sentAt := *b.now
	step("the Smart service upgrade's needs sent", func() { sent = b.escSendSmart(t, sentAt) })
	step("IT agrees and hands it to its developer", func() {
		itDev, it := b.user(t, "it.dev@accord.demo").ID, sent["IT"]
		_, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
			accord.RequestInput{KeyPersonUserID: &itDev}, *b.now)
		require.NoError(t, err)
	})
	data := sent["Data"]
	step("Data declines an hour later: the lead's next step", func() {
		*b.now = sentAt.Add(time.Hour)
		var err error
		data, err = b.st.ActOnRequest(ctx, b.escViewer(t, "data@accord.demo"), data.ID, data.Version, accord.ActionDecline,
			accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
		require.NoError(t, err)
	})
	step("Marketing's need retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title_en = 'Launch campaign (phase 1)', version = version + 1
			WHERE id = $1`, sent["Marketing"].NeedID)
		require.NoError(t, err)
	})
	step("Data's decline escalated: the superior decides, Data states its side", func() {
		_, err := b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), data.ID, "需要决定", "", 3, *b.now)
		require.NoError(t, err)
	})
	step("a project started with the chief executive as its lead", func() {
		_, err := b.st.CreateProject(ctx, 0, accord.ProjectInput{Name: "数字化转型", NameEN: "Digital transformation",
			OwningUnitID: b.units(t)["HQ"].ID, LeadUserID: b.user(t, "ceo@accord.demo").ID, Currency: "CNY", CadenceDays: 7,
			Status: accord.ProjectActive})
		require.NoError(t, err)
	})
	p := b.demoProject(t, "Smart service upgrade")
	// Quiet from the moment a whole cadence has passed since they were sent, that day
	// (and not when the day count of Data's answer, an hour later, turns).
	quiet := sentAt.AddDate(0, 0, p.CadenceDays)
	// A request's activity alone leaves the start page kept unless the request was
	// quiet, or nearly (migration 0063).
	progress := func(email string, r accord.Request) {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, email), r.ID,
			accord.ProgressInput{Body: "按计划推进", Risk: accord.RiskLow}, *b.now)
		require.NoError(t, err)
	}
	step("two days pass", func() { *b.now = sentAt.AddDate(0, 0, 2) })
	step("IT's developer logs progress, days from a quiet spell", func() {
		progress("it.dev@accord.demo", sent["IT"])
	}, unseenWrite)
	step("a minute before the lead's requests go quiet", func() { *b.now = quiet.Add(-time.Minute) })
	seen := step("a minute after", func() { *b.now = quiet.Add(time.Minute) })
	require.Contains(t, seen["aftersales@accord.demo/"], "Launch campaign", "Marketing's request has gone quiet")
	seen = step("Marketing's head logs progress on its quiet request", func() {
		progress("marketing@accord.demo", sent["Marketing"])
	})
	require.NotContains(t, seen["aftersales@accord.demo/"], "Launch campaign", "Marketing's request is active again")
	step("IT renamed", func() { b.keptRenameIT(t) })
}

// TestKeptPortfoliosMatchAFreshRenderAfterEveryChange: the portfolio, kept with the
// organisation's and the portfolio's epochs until the clock alone would change it,
// is what a server keeping nothing draws, for the chief executive (in Chinese, on
// every project and filtered), the administrator, the head of the Operations centre
// (who loses it when they step down) and a developer (refused throughout), after each
// kind of write it shows and as time passes.
func TestKeptPortfoliosMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	step := keptAgainstFresh(t, b, map[string]string{"ceo@accord.demo": "zh", "admin@accord.demo": "en",
		"ops@accord.demo": "en", "it.dev@accord.demo": "en"},
		[]string{"/portfolio", "/portfolio?health=at_risk", "/portfolio?status=active&page=1"}, 2)

	var sent map[string]accord.Request
	step("the Smart service upgrade's needs sent", func() { sent = b.escSendSmart(t, *b.now) })
	it := sent["IT"]
	step("IT agrees", func() {
		var err error
		it, err = b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionAgree,
			accord.RequestInput{}, *b.now)
		require.NoError(t, err)
	})
	step("IT's request made overdue by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE requests SET due_date = $2::date - 3 WHERE id = $1`, it.ID, *b.now)
		require.NoError(t, err)
	})
	step("Data declines, and the lead escalates it", func() {
		data := sent["Data"]
		declined, err := b.st.ActOnRequest(ctx, b.escViewer(t, "data@accord.demo"), data.ID, data.Version,
			accord.ActionDecline, accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "排期已满"}, *b.now)
		require.NoError(t, err)
		_, err = b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), declined.ID, "需要决定", "", 3, *b.now)
		require.NoError(t, err)
	})
	// Blocked already (an escalation): a high-risk entry moves only its listed row
	// (migration 0061).
	step("IT's head reports a high risk on its agreed request", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "it@accord.demo"), it.ID,
			accord.ProgressInput{Body: "接口方案待定", Risk: accord.RiskHigh}, *b.now)
		require.NoError(t, err)
	})
	smart := b.demoProject(t, "Smart service upgrade")
	step("the project renamed by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE projects SET name_en = 'Smart service upgrade (phase 2)',
			name = '智能服务升级（二期）' WHERE id = $1`, smart.ID)
		require.NoError(t, err)
	})
	step("its requests last active two hours short of a quiet spell, and it renamed back", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE requests SET last_activity_at = $2::timestamptz
			- make_interval(days => (SELECT cadence_days FROM projects WHERE id = $1)) + interval '2 hours'
			WHERE project_id = $1`, smart.ID, *b.now)
		require.NoError(t, err)
		_, err = b.st.Pool().Exec(ctx, `UPDATE projects SET name_en = 'Smart service upgrade', name = '智能服务升级'
			WHERE id = $1`, smart.ID)
		require.NoError(t, err)
	})
	step("a company goal retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE goals SET title_en = title_en || ' (revised)', title = title || '（修订）'
			WHERE parent_id IS NULL`)
		require.NoError(t, err)
	})
	step("the lead renamed", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE users SET name_en = 'Renamed lead', name = '改名的负责人' WHERE id = $1`,
			smart.LeadUserID)
		require.NoError(t, err)
	})
	// The first moment the clock alone changes the chief executive's portfolio, with
	// nothing written: the page kept before it is not served after it.
	ceo, err := b.st.Viewer(ctx, b.user(t, "ceo@accord.demo").ID)
	require.NoError(t, err)
	read, err := b.st.ReadPortfolio(ctx, ceo, store.PortfolioFilter{Limit: 25}, spine.GoalProjectsShown, *b.now)
	require.NoError(t, err)
	require.WithinDuration(t, b.now.Add(2*time.Hour), read.Quiet, time.Second, "the project goes quiet in two hours")
	step("the clock passes the moment a project goes quiet", func() { *b.now = read.Quiet.Add(time.Second) })
	// A request gone quiet moves its project's row epoch when it is active again
	// (migrations 0059, 0061): one request fewer is quiet.
	step("IT's head reports progress on its quiet request", func() {
		_, err := b.st.AddProgress(ctx, b.escViewer(t, "it@accord.demo"), it.ID,
			accord.ProgressInput{Body: "一期接口已联调", Risk: accord.RiskLow}, *b.now)
		require.NoError(t, err)
	})
	step("a month passes", func() { *b.now = b.now.AddDate(0, 1, 0) })
	step("IT renamed", func() { b.keptRenameIT(t) })
	seen := step("the head of the Operations centre steps down", func() {
		ops := b.units(t)["Operations centre"]
		_, err := b.st.SetUnitHead(ctx, 0, ops.ID, ops.Version, nil)
		require.NoError(t, err)
	})
	require.NotContains(t, seen["ops@accord.demo/portfolio"], "pf-summary", "the former head no longer sees a portfolio")
}

// TestKeptSearchesMatchAFreshRenderAfterEveryChange: search results, kept with the
// organisation's and the search's epochs, are what a server keeping nothing finds and
// draws, for the chief executive (in Chinese), IT's head, its developer (who loses
// sight of its requests on leaving it), Data's head (who sees an escalation's
// conversation once asked for advice) and the administrator, after each kind of write
// a search reads and as time passes.
func TestKeptSearchesMatchAFreshRenderAfterEveryChange(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	step := keptAgainstFresh(t, b, map[string]string{"ceo@accord.demo": "zh", "it@accord.demo": "en",
		"it.dev@accord.demo": "en", "data@accord.demo": "en", "admin@accord.demo": "en"},
		[]string{"/search?q=CRM", "/search?q=CRM&kind=request", "/search?q=%E6%8E%92%E6%9C%9F", "/search?q=Huang"}, 2)

	var e accord.Escalation
	step("IT declines the CRM, and the lead escalates it", func() { e, _, _ = b.escDeclinedCRM(t) })
	subject := accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID}
	var said accord.Comment
	step("IT's head says why, on the escalation", func() {
		var err error
		said, err = b.st.AddComment(ctx, b.user(t, "it@accord.demo").ID, subject,
			accord.CommentInput{Body: "CRM 本季度排期已满"}, nil, 1<<20, *b.now)
		require.NoError(t, err)
	})
	step("a note on the request's conversation, written by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `INSERT INTO comments (project_id, request_id, author_user_id, body, created_at)
			SELECT project_id, id, (SELECT id FROM users WHERE email = 'it@accord.demo'), 'CRM 的接口文档已更新', $2
			FROM requests WHERE id = $1`, e.RequestID, *b.now)
		require.NoError(t, err)
	})
	step("Data's head asked for advice: they see the conversation", func() {
		_, err := b.st.AskAdvice(ctx, b.escViewer(t, "ceo@accord.demo"), e.ID,
			accord.AdviceRequest{AdviserUserID: b.user(t, "data@accord.demo").ID, Question: "能否分担？"}, *b.now)
		require.NoError(t, err)
	})
	step("the need retitled by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE needs SET title_en = 'CRM system (phase 1)', title = 'CRM 系统（一期）',
			version = version + 1 WHERE id = (SELECT need_id FROM requests WHERE id = $1)`, e.RequestID)
		require.NoError(t, err)
	})
	step("the project renamed by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE projects SET name_en = 'Smart service upgrade (phase 2)',
			name = '智能服务升级（二期）' WHERE id = (SELECT project_id FROM requests WHERE id = $1)`, e.RequestID)
		require.NoError(t, err)
	})
	step("IT's head renamed by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE users SET name_en = 'Huang Leiming' WHERE email = 'it@accord.demo'`)
		require.NoError(t, err)
	})
	step("three hours pass", func() { *b.now = b.now.Add(3 * time.Hour) })
	// A request found is dated when last answered (migration 0059: not by its progress).
	step("the request's answer re-dated an hour later by a statement of its own", func() {
		_, err := b.st.Pool().Exec(ctx, `UPDATE requests SET answered_at = answered_at + interval '1 hour' WHERE id = $1`,
			e.RequestID)
		require.NoError(t, err)
	})
	step("IT's head takes back what they said", func() {
		_, err := b.st.RetractComment(ctx, b.user(t, "it@accord.demo").ID, said.ID, said.Version, *b.now)
		require.NoError(t, err)
	})
	renamed := step("IT renamed", func() { b.keptRenameIT(t) })
	require.Contains(t, renamed["it.dev@accord.demo/search?q=CRM&kind=request"], "system (phase 1)")
	seen := step("IT's developer leaves IT", func() {
		require.NoError(t, b.st.RemoveMembership(ctx, 0, b.user(t, "it.dev@accord.demo").ID, b.units(t)["IT centre"].ID))
	})
	require.NotContains(t, seen["it.dev@accord.demo/search?q=CRM&kind=request"], "system (phase 1)",
		"IT's former developer no longer finds its requests")
}
