package store_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestHealthInSQLAgreesWithHealthOf builds one project in each situation health
// tells apart, on either side of every date it compares, and checks that the health
// the portfolio scores in SQL is the one accord.HealthOf gives for the signals the
// store keeps — at the moment the world was built in New York just after daylight
// saving began, and at moments around it, in several zones. Either side changed alone
// fails here.
func TestHealthInSQLAgreesWithHealthOf(t *testing.T) {
	t.Parallel()
	w, storeIn := zonedWorld(t, "America/New_York")
	ctx := w.Ctx
	newYork, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Date(2026, 3, 9, 10, 0, 0, 0, newYork) // the day after a 23-hour day
	day := func(offset int) *time.Time {
		d := time.Date(2026, 3, 9+offset, 0, 0, 0, 0, time.UTC)
		return &d
	}
	quiet := now.AddDate(0, 0, -accord.DefaultCadenceDays) // 335 hours before now

	owner := w.Unit(t, storetest.UnitOpts{NameEN: "Owner"})
	holder := w.Unit(t, storetest.UnitOpts{NameEN: "Holder"})
	holderHead := w.Viewer(t, w.Head(t, holder))
	need := func(p accord.Project, tier accord.Tier, due *time.Time) accord.Need {
		return w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, Tier: tier, NeededBy: due})
	}
	send := func(p accord.Project, tier accord.Tier, due *time.Time, state accord.RequestState, at time.Time) accord.Request {
		n := need(p, tier, due)
		return w.Request(t, storetest.RequestOpts{Need: &n, State: state, At: at})
	}
	escalate := func(p accord.Project) accord.Escalation {
		r := send(p, accord.TierImportant, nil, accord.RequestDeclined, now)
		return w.Escalation(t, storetest.EscalationOpts{Request: &r, At: now})
	}
	decide := func(e accord.Escalation, in accord.DecisionInput) {
		_, err := w.Store.Decide(ctx, w.Viewer(t, accord.User{ID: e.AssignedUserID}), e.ID, e.Version, in, now)
		require.NoError(t, err)
	}
	progress := func(r accord.Request, risk accord.Risk) {
		_, err := w.Store.AddProgress(ctx, holderHead, r.ID, accord.ProgressInput{Body: "进展", Risk: risk}, now)
		require.NoError(t, err)
	}

	situations := []struct {
		name  string
		build func(p accord.Project)
		want  accord.Health // at now
	}{
		{"nothing sent", func(p accord.Project) { need(p, accord.TierRequired, day(-1)) }, accord.HealthOnTrack},
		{"a request sent today", func(p accord.Project) {
			send(p, accord.TierRequired, day(0), accord.RequestRequested, now)
		}, accord.HealthOnTrack},
		{"a P0 declined", func(p accord.Project) {
			send(p, accord.TierRequired, nil, accord.RequestDeclined, now)
		}, accord.HealthBlocked},
		{"a P0 due yesterday", func(p accord.Project) {
			send(p, accord.TierRequired, day(-1), accord.RequestAgreed, now)
		}, accord.HealthBlocked},
		{"a P0 due today", func(p accord.Project) {
			send(p, accord.TierRequired, day(0), accord.RequestAgreed, now)
		}, accord.HealthOnTrack},
		{"a P0 due yesterday, delivered", func(p accord.Project) {
			send(p, accord.TierRequired, day(-1), accord.RequestDelivered, now)
		}, accord.HealthOnTrack},
		{"a P0 due yesterday, cancelled", func(p accord.Project) {
			send(p, accord.TierRequired, day(-1), accord.RequestCancelled, now)
		}, accord.HealthOnTrack},
		{"an escalation waiting", func(p accord.Project) { escalate(p) }, accord.HealthBlocked},
		{"an escalation sent back to the lead", func(p accord.Project) {
			decide(escalate(p), accord.DecisionInput{Kind: accord.DecideSendBack, Note: "补充材料"})
		}, accord.HealthBlocked},
		{"an escalation decided", func(p accord.Project) {
			decide(escalate(p), accord.DecisionInput{Kind: accord.DecideDirect, Note: "先做一期", DueDate: day(30)})
		}, accord.HealthOnTrack},
		{"a P1 declined", func(p accord.Project) {
			send(p, accord.TierImportant, nil, accord.RequestDeclined, now)
		}, accord.HealthAtRisk},
		{"a P2 declined", func(p accord.Project) {
			send(p, accord.TierAlternative, nil, accord.RequestDeclined, now)
		}, accord.HealthAtRisk},
		{"a P1 due yesterday", func(p accord.Project) {
			send(p, accord.TierImportant, day(-1), accord.RequestInProgress, now)
		}, accord.HealthAtRisk},
		{"a P1 due today", func(p accord.Project) {
			send(p, accord.TierImportant, day(0), accord.RequestInProgress, now)
		}, accord.HealthOnTrack},
		{"a high risk in the latest entry", func(p accord.Project) {
			progress(send(p, accord.TierImportant, nil, accord.RequestAgreed, now), accord.RiskHigh)
		}, accord.HealthAtRisk},
		{"a high risk, then a low one", func(p accord.Project) {
			r := send(p, accord.TierImportant, nil, accord.RequestAgreed, now)
			progress(r, accord.RiskHigh)
			progress(r, accord.RiskLow)
		}, accord.HealthOnTrack},
		{"quiet for exactly the cadence", func(p accord.Project) {
			send(p, accord.TierImportant, nil, accord.RequestRequested, quiet)
		}, accord.HealthOnTrack},
		{"quiet a second longer (not yet 14 × 24 hours)", func(p accord.Project) {
			send(p, accord.TierImportant, nil, accord.RequestRequested, quiet.Add(-time.Second))
		}, accord.HealthAtRisk},
	}
	projects := map[int64]string{}
	want := map[string]accord.Health{}
	for _, s := range situations {
		p := w.Project(t, storetest.ProjectOpts{NameEN: s.name, Owner: &owner})
		s.build(p)
		projects[p.ID] = s.name
		want[s.name] = s.want
	}

	admin := w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true}))
	signals := healthSignals(t, w)
	require.Len(t, signals, len(situations))
	scored := func(st *store.Store, at time.Time) map[string]accord.Health {
		t.Helper()
		rows, total, err := portfolio(t, st, ctx, admin, store.PortfolioFilter{Limit: 100}, at)
		require.NoError(t, err)
		require.Equal(t, len(situations), total)
		out := map[string]accord.Health{}
		for _, r := range rows {
			out[projects[r.ID]] = r.Health
		}
		return out
	}
	require.Equal(t, want, scored(w.Store, now), "each situation scores as intended")

	// Read where the database counts days in the company's zone, and where it counts
	// them in UTC for a company in Shanghai (days of 24 hours in both: with daylight
	// saving in only one, a cadence reaching across the change differs by an hour).
	for _, zones := range []struct{ session, company string }{{"America/New_York", "America/New_York"},
		{"UTC", "UTC"}, {"Asia/Shanghai", "Asia/Shanghai"}, {"UTC", "Asia/Shanghai"}} {
		st := storeIn(zones.session)
		company, err := time.LoadLocation(zones.company)
		require.NoError(t, err)
		y, m, d := now.In(company).Date()
		midnight := time.Date(y, m, d+1, 0, 0, 0, 0, company)
		for _, at := range []time.Time{now, now.Add(time.Second), midnight.Add(-time.Second), midnight,
			now.AddDate(0, 0, -1), now.AddDate(0, 0, 1), now.AddDate(0, 0, accord.DefaultCadenceDays)} {
			at = at.In(company)
			got := scored(st, at)
			for id, name := range projects {
				require.Equal(t, accord.HealthOf(signals[id], at), got[name], "%s, at %s, the database in %s", name, at,
					zones.session)
			}
		}
	}
}

// healthSignals reads what accord.HealthOf judges each project by, as the store keeps
// it (migration 0013).
func healthSignals(t *testing.T, w *storetest.World) map[int64]accord.HealthSignals {
	t.Helper()
	rows, err := w.Store.Pool().Query(w.Ctx, `SELECT s.project_id, s.declined, s.p0_declined, s.next_due, s.p0_next_due,
			s.oldest_activity, s.high_risk, s.escalations, p.cadence_days
		FROM project_signals s JOIN projects p ON p.id = s.project_id`)
	require.NoError(t, err)
	out := map[int64]accord.HealthSignals{}
	var id int64
	var s accord.HealthSignals
	_, err = pgx.ForEachRow(rows, []any{&id, &s.Declined, &s.P0Declined, &s.NextDue, &s.P0NextDue, &s.OldestActivity,
		&s.HighRisk, &s.Escalations, &s.CadenceDays}, func() error {
		out[id] = s
		s = accord.HealthSignals{} // the next row scans into fresh dates
		return nil
	})
	require.NoError(t, err)
	return out
}
