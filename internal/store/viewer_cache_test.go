package store_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// requireViewersCurrent reads each person as a viewer at now through st, which keeps
// the viewers it has read, and through a store that keeps none, and requires the two
// to agree: whatever changed since st last read them, its kept viewer did not outlive
// it. Reading through st also keeps them again for the next step. Through together,
// a store of its own that keeps what it reads, it reads them all at once (ViewersAt,
// one statement) from the viewers it kept at the last step, with someone who does not
// exist, who is left out.
func requireViewersCurrent(t *testing.T, ctx context.Context, st, together *store.Store, people []int64, now time.Time, step string) {
	t.Helper()
	fresh := store.New(st.Pool())
	batch, err := together.ViewersAt(ctx, append(slices.Clone(people), -1), now)
	require.NoError(t, err, step)
	require.NotContains(t, batch, int64(-1), step)
	for _, id := range people {
		kept, keptErr := st.ViewerAt(ctx, id, now)
		read, readErr := fresh.ViewerAt(ctx, id, now)
		require.Equal(t, accord.ErrorCodeOf(readErr), accord.ErrorCodeOf(keptErr), "%s: person %d", step, id)
		require.Equal(t, read, kept, "%s: person %d", step, id)
		if readErr != nil {
			require.NotContains(t, batch, id, "%s: person %d, read with others", step, id)
		} else {
			require.Equal(t, read, batch[id], "%s: person %d, read with others", step, id)
		}
	}
}

func TestKeptViewersFollowEveryChange(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st := w.Ctx, w.Store
	now := time.Now()
	loc := time.UTC
	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	root := w.Root(t)
	chief := w.Head(t, root)
	tech := w.Unit(t, storetest.UnitOpts{Name: "技术中心", NameEN: "Technology"})
	techHead := w.Head(t, tech)
	itUnit := w.Unit(t, storetest.UnitOpts{Parent: &tech, Name: "信息部", NameEN: "IT"})
	itHead := w.Head(t, itUnit)
	dataUnit := w.Unit(t, storetest.UnitOpts{Name: "数据部", NameEN: "Data"})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{itUnit}})
	deputy := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{tech}})
	lead := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{dataUnit}})
	people := []int64{admin.ID, chief.ID, techHead.ID, itHead.ID, w.Head(t, dataUnit).ID, dev.ID, deputy.ID, lead.ID}
	together := store.New(st.Pool())
	check := func(step string) {
		t.Helper()
		requireViewersCurrent(t, ctx, st, together, people, now, step)
	}
	check("world built")
	// The same again, all kept: the kept ones are served and still agree.
	check("nothing changed")

	unit := func(id int64) accord.Unit {
		u, err := st.Unit(ctx, id)
		require.NoError(t, err)
		return u
	}
	_, err := st.RenameUnit(ctx, admin.ID, itUnit.ID, unit(itUnit.ID).Version, "信息技术部", "Information Technology")
	require.NoError(t, err)
	check("the members' unit renamed")

	_, err = st.SetUnitHead(ctx, admin.ID, itUnit.ID, unit(itUnit.ID).Version, &dev.ID)
	require.NoError(t, err)
	check("a member made the unit's head, the head before no longer")

	lab, err := st.CreateUnit(ctx, admin.ID, accord.UnitInput{Name: "实验室", NameEN: "Lab", ParentID: itUnit.ID})
	require.NoError(t, err)
	check("a unit opened below the new head's")

	_, err = st.CloseUnit(ctx, admin.ID, lab.ID, unit(lab.ID).Version)
	require.NoError(t, err)
	check("the unit below closed")

	_, err = st.MoveUnit(ctx, admin.ID, dataUnit.ID, unit(dataUnit.ID).Version, itUnit.ID)
	require.NoError(t, err)
	check("a unit moved below another")

	require.NoError(t, st.AddMembership(ctx, admin.ID, lead.ID, tech.ID))
	check("a member added")
	require.NoError(t, st.RemoveMembership(ctx, admin.ID, lead.ID, tech.ID))
	check("a member removed")

	p := w.Project(t, storetest.ProjectOpts{Owner: &dataUnit, Lead: &lead})
	check("a project started with a lead")
	in := p.Input()
	in.LeadUserID = w.Head(t, dataUnit).ID
	_, err = st.UpdateProject(ctx, admin.ID, p.ID, p.Version, in)
	require.NoError(t, err)
	check("the project's lead changed")

	need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &tech})
	r := w.Request(t, storetest.RequestOpts{Need: &need, State: accord.RequestAgreed, KeyPerson: &deputy, At: now})
	check("a key person named on agreeing")
	r, err = st.ActOnRequest(ctx, w.Viewer(t, techHead), r.ID, r.Version, accord.ActionStart, accord.RequestInput{}, now)
	require.NoError(t, err)
	_, err = st.ActOnRequest(ctx, w.Viewer(t, techHead), r.ID, r.Version, accord.ActionDeliver, accord.RequestInput{}, now)
	require.NoError(t, err)
	check("the key person's request delivered")

	// An arrangement running now: the deputy stands in for the technology centre's head.
	today := now.In(loc)
	running, err := st.CreateStandIn(ctx, w.Viewer(t, techHead), techHead.ID, deputy.Email, &today, &today, loc, now)
	require.NoError(t, err)
	check("a stand-in named for today")
	_, err = st.RenameUnit(ctx, admin.ID, tech.ID, unit(tech.ID).Version, "技术与数据中心", "Technology and Data")
	require.NoError(t, err)
	check("the absent head's unit renamed")
	platform, err := st.CreateUnit(ctx, admin.ID, accord.UnitInput{Name: "平台部", NameEN: "Platform", ParentID: tech.ID})
	require.NoError(t, err)
	_, err = st.SetUnitHead(ctx, admin.ID, platform.ID, platform.Version, &techHead.ID)
	require.NoError(t, err)
	check("the absent head given a second unit")
	at := func(when time.Time, step string) {
		t.Helper()
		requireViewersCurrent(t, ctx, st, together, people, when, step)
	}
	at(now.Add(2*time.Minute), "a minute on, everyone kept as of then")
	require.NoError(t, st.EndStandIn(ctx, w.Viewer(t, techHead), running.ID, now.Add(time.Minute)))
	at(now.Add(2*time.Minute), "the arrangement called off a minute ago")

	// An arrangement starting tomorrow changes nobody now, and both of them tomorrow,
	// with nothing written in between.
	tomorrow := today.AddDate(0, 0, 1)
	_, err = st.CreateStandIn(ctx, w.Viewer(t, itHead), itHead.ID, lead.Email, &tomorrow, &tomorrow, loc, now)
	require.Error(t, err, "the IT unit's head before no longer heads a unit")
	_, err = st.CreateStandIn(ctx, w.Viewer(t, dev), dev.ID, lead.Email, &tomorrow, &tomorrow, loc, now)
	require.NoError(t, err)
	check("a stand-in named for tomorrow")
	at(companyDay(tomorrow, loc).Add(time.Hour), "tomorrow, the arrangement running")
	at(companyDay(tomorrow, loc).AddDate(0, 0, 1).Add(time.Hour), "the day after, the arrangement over")
	at(now, "back to today")

	require.NoError(t, st.SetUserLocale(ctx, lead.ID, "en"))
	require.NoError(t, st.SetUserTimeZone(ctx, lead.ID, "Asia/Tokyo"))
	check("the stand-in's language and zone set")
	during := companyDay(tomorrow, loc).Add(time.Hour)
	at(during, "tomorrow again, everyone kept as of then")
	// As an import of the organisation renames people.
	_, err = st.Pool().Exec(ctx, `UPDATE users SET name = '徐航', name_en = 'Xu Hang' WHERE id = $1`, dev.ID)
	require.NoError(t, err)
	at(during, "the absent head renamed, seen tomorrow: their stand-in's banner names them anew")
	u, err := st.User(ctx, dev.ID)
	require.NoError(t, err)
	require.NoError(t, st.DeactivateUser(ctx, admin.ID, dev.ID, u.Version))
	at(during, "the absent head deactivated, seen tomorrow: their stand-in answers for nobody")
	check("the absent head deactivated")
	_, err = st.ViewerAt(ctx, dev.ID, now)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "a deactivated viewer is not served from memory")
	// As an import of the organisation brings people back: their stand-in answers for
	// them again, though nothing of the stand-in's own changed.
	at(during, "tomorrow, the stand-in read while their absent head is deactivated")
	_, err = st.Pool().Exec(ctx, `UPDATE users SET deactivated_at = NULL WHERE id = $1`, dev.ID)
	require.NoError(t, err)
	at(during, "the absent head back: their stand-in answers for them again")
}

// companyDay is date's midnight in loc.
func companyDay(date time.Time, loc *time.Location) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, loc)
}

// TestSessionsReadTheirViewerWithThem: a session saved naming its user is found with
// that user's row, stamp and unread count, and the viewer kept for them is then served
// without another statement, until a write concerning them moves the stamp.
func TestSessionsReadTheirViewerWithThem(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st := w.Ctx, w.Store
	now := time.Now()
	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	unit := w.Unit(t, storetest.UnitOpts{Name: "信息部", NameEN: "IT"})
	dev := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{unit}})
	// The test's sessions hold the user's id as text.
	sessions := st.Sessions(func(data []byte) int64 {
		id, _ := strconv.ParseInt(string(data), 10, 64)
		return id
	})
	require.NoError(t, sessions.CommitCtx(ctx, "signed-in", []byte(strconv.FormatInt(dev.ID, 10)), now.Add(time.Hour)))
	require.NoError(t, sessions.CommitCtx(ctx, "signed-out", []byte("no one"), now.Add(time.Hour)))
	require.NoError(t, sessions.CommitCtx(ctx, "expired", []byte(strconv.FormatInt(dev.ID, 10)), now.Add(-time.Hour)))

	// find loads the session as a request does, and the viewer by a context that
	// cannot reach the database: only a viewer served from memory comes back.
	find := func(token string) (*store.SessionProbe, bool) {
		t.Helper()
		pctx, probe := store.WithSessionProbe(ctx, true)
		_, found, err := sessions.FindCtx(pctx, token)
		require.NoError(t, err)
		return probe, found
	}
	offline, cancel := context.WithCancel(ctx)
	cancel()
	fresh := func() accord.Viewer {
		t.Helper()
		v, err := store.New(st.Pool()).ViewerAt(ctx, dev.ID, now)
		require.NoError(t, err)
		return v
	}

	_, found := find("expired")
	require.False(t, found, "an expired session is not found")
	_, found = find("signed-out")
	require.True(t, found, "a session naming nobody is still found")

	probe, found := find("signed-in")
	require.True(t, found)
	_, err := st.SessionViewer(offline, probe, dev.ID, now)
	require.Error(t, err, "nothing is kept yet: the viewer has to be read")
	v, err := st.SessionViewer(ctx, probe, dev.ID, now)
	require.NoError(t, err)
	require.Equal(t, fresh(), v)

	probe, _ = find("signed-in")
	v, err = st.SessionViewer(offline, probe, dev.ID, now)
	require.NoError(t, err, "kept, and read with the session: no statement of its own")
	require.Equal(t, fresh(), v)
	// The administrator kept under the same stamp as the session's user.
	_, err = st.Pool().Exec(ctx, `INSERT INTO viewer_stamps (user_id, stamp) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET stamp = EXCLUDED.stamp`, admin.ID, probe.Stamp())
	require.NoError(t, err)
	_, err = st.ViewerAt(ctx, admin.ID, now)
	require.NoError(t, err)
	_, err = st.SessionViewer(offline, probe, admin.ID, now)
	require.Error(t, err, "a probe answers only for the session's own user")

	require.NoError(t, st.AddMembership(ctx, admin.ID, dev.ID, w.Root(t).ID))
	probe, _ = find("signed-in")
	_, err = st.SessionViewer(offline, probe, dev.ID, now)
	require.Error(t, err, "a membership moved the stamp: the viewer has to be read again")
	v, err = st.SessionViewer(ctx, probe, dev.ID, now)
	require.NoError(t, err)
	require.Equal(t, fresh(), v)
	require.Len(t, v.Memberships, 2)

	// An arrangement from tomorrow on, by which dev stands in for the unit's head:
	// kept today, read again tomorrow, when it runs.
	tomorrow := now.AddDate(0, 0, 1)
	head := w.Head(t, unit)
	_, err = st.CreateStandIn(ctx, w.Viewer(t, head), head.ID, dev.Email, &tomorrow, &tomorrow, time.UTC, now)
	require.NoError(t, err)
	probe, _ = find("signed-in")
	v, err = st.SessionViewer(ctx, probe, dev.ID, now)
	require.NoError(t, err)
	require.Empty(t, v.StandingIn)
	probe, _ = find("signed-in")
	_, err = st.SessionViewer(offline, probe, dev.ID, now)
	require.NoError(t, err, "kept for today")
	during := companyDay(tomorrow, time.UTC).Add(time.Hour)
	_, err = st.SessionViewer(offline, probe, dev.ID, during)
	require.Error(t, err, "tomorrow the arrangement runs: the viewer has to be read again")
	v, err = st.SessionViewer(ctx, probe, dev.ID, during)
	require.NoError(t, err)
	require.Len(t, v.StandingIn, 1)

	u, err := st.User(ctx, dev.ID)
	require.NoError(t, err)
	require.NoError(t, st.DeactivateUser(ctx, admin.ID, dev.ID, u.Version))
	probe, found = find("signed-in")
	require.True(t, found, "the session is still there; the viewer ends it")
	_, err = st.SessionViewer(ctx, probe, dev.ID, now)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "a deactivated user is nobody's viewer")
}

// TestDeactivatingAHeadWhileTheirUnitIsHandedOnDoesNotDeadlock: an administrator
// deactivates a unit's head while another hands the unit to a successor. The hand-over
// holds the unit and moves the head's stamp (migration 0045); the deactivation waits
// for the unit before it moves any stamp, so it waits its turn instead of deadlocking.
func TestDeactivatingAHeadWhileTheirUnitIsHandedOnDoesNotDeadlock(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st, pool := w.Ctx, w.Store, w.Store.Pool()
	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	unit := w.Unit(t, storetest.UnitOpts{})
	head := w.Head(t, unit)
	successor := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{unit}})
	u, err := st.User(ctx, head.ID)
	require.NoError(t, err)

	// The hand-over, as SetUnitHead runs it: the unit locked first.
	handing, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = handing.Rollback(ctx) }()
	_, err = handing.Exec(ctx, `SELECT 1 FROM units WHERE id = $1 FOR UPDATE`, unit.ID)
	require.NoError(t, err)
	deactivated := make(chan error, 1)
	go func() { deactivated <- st.DeactivateUser(ctx, admin.ID, head.ID, u.Version) }()
	require.Eventually(t, func() bool {
		var waiting bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&waiting)
		return err == nil && waiting
	}, 10*time.Second, 10*time.Millisecond, "the deactivation waits for the unit")
	_, err = handing.Exec(ctx, `UPDATE units SET head_user_id = $2, version = version + 1 WHERE id = $1`,
		unit.ID, successor.ID)
	require.NoError(t, err, "the hand-over moves the stamps it needs")
	require.NoError(t, handing.Commit(ctx))
	require.NoError(t, <-deactivated, "and the deactivation goes through after it")

	after, err := st.Unit(ctx, unit.ID)
	require.NoError(t, err)
	require.Equal(t, &successor.ID, after.HeadUserID, "the successor heads the unit")
	_, err = st.ViewerAt(ctx, head.ID, time.Now())
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
}
