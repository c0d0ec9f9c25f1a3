package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestStandInDecidesForTheAbsentSuperiorOnlyWhatTheyAreNoPartyTo: the CEO away, a
// stand-in who is a party to the escalation (the holder's head) neither finds it to
// decide nor may decide it; one who is not (the CTO) finds it, decides it for the CEO,
// hears what the CEO hears meanwhile, and the record and the notices say "for".
func TestStandInDecidesForTheAbsentSuperiorOnlyWhatTheyAreNoPartyTo(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	e := c.upgradeDeclinedToCEO(t, now)
	itHead := c.Viewer(t, c.itHead)

	today := utcDay(now)
	later := today.AddDate(0, 0, 3)
	ceo := c.Viewer(t, c.ceo)

	// The IT head as the CEO's stand-in is a party: nothing to decide, and refused.
	si, err := c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, c.itHead.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)
	asParty, err := c.Store.ViewerAt(c.Ctx, c.itHead.ID, now)
	require.NoError(t, err)
	require.True(t, asParty.Roles.StandIn)
	list, n, err := c.Store.EscalationsToDecide(c.Ctx, asParty, 0, 10)
	require.NoError(t, err)
	require.Zero(t, n)
	require.Empty(t, list)
	_, err = c.Store.Decide(c.Ctx, asParty, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDrop, Note: "x"}, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err))
	require.NoError(t, c.Store.EndStandIn(c.Ctx, asParty, si.ID, now), "the stand-in may decline")

	// A second arrangement over the same days may start once the first is ended.
	_, err = c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, c.cto.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)
	cto, err := c.Store.ViewerAt(c.Ctx, c.cto.ID, now)
	require.NoError(t, err)
	list, n, err = c.Store.EscalationsToDecide(c.Ctx, cto, 0, 10)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, e.ID, list[0].ID)
	counts, err := c.Store.EscalationCountsOf(c.Ctx, cto)
	require.NoError(t, err)
	require.Equal(t, 1, counts[accord.ListToDecide], "the count says what the list holds")
	tile, err := c.Store.EscalationsToDecideCount(c.Ctx, cto)
	require.NoError(t, err)
	require.Equal(t, 1, tile, "the portfolio's tile counts the same")

	// What the CEO hears, the stand-in hears too, marked as for the CEO.
	require.NoError(t, c.Store.AddStatement(c.Ctx, itHead, e.ID, "排期已满", 3, now))
	notes, _, err := c.Store.Notifications(c.Ctx, c.cto.ID, 0, 10)
	require.NoError(t, err)
	require.NotEmpty(t, notes)
	require.Equal(t, accord.NotifyEscalationStatement, notes[0].Kind)
	require.Equal(t, c.ceo.Name, notes[0].OnBehalfName)

	// The lead's own stand-in hears nothing of the lead's project: the arrangement
	// covers the units the lead heads, not what the lead is told as its lead.
	lead := c.Viewer(t, c.afterSalesHead)
	_, err = c.Store.CreateStandIn(c.Ctx, lead, c.afterSalesHead.ID, c.trainer.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)

	decided, err := c.Store.Decide(c.Ctx, cto, e.ID, e.Version+1, accord.DecisionInput{Kind: accord.DecideDrop, Note: "先放一放"}, now)
	require.NoError(t, err)
	require.Equal(t, accord.EscalationDecided, decided.Status)
	require.NotNil(t, decided.DecidedFor)
	require.Equal(t, c.ceo.Name, decided.DecidedFor.Name)
	leadNotes, _, err := c.Store.Notifications(c.Ctx, c.afterSalesHead.ID, 0, 1)
	require.NoError(t, err)
	require.Equal(t, accord.NotifyEscalationDecided, leadNotes[0].Kind)
	require.Equal(t, c.cto.Name, leadNotes[0].ActorName)
	require.Equal(t, c.ceo.Name, leadNotes[0].ActorForName)
	trainerNotes, _, err := c.Store.Notifications(c.Ctx, c.trainer.ID, 0, 10)
	require.NoError(t, err)
	require.Empty(t, trainerNotes, "no copy of what the lead hears as the project's lead")
	standings, err := c.Store.EscalationStandings(c.Ctx, e.ID, []int64{c.cto.ID})
	require.NoError(t, err)
	require.False(t, standings[c.cto.ID].Told, "a stand-in's copies give no lasting access")

	// It ends by itself after its last day.
	after, err := c.Store.ViewerAt(c.Ctx, c.cto.ID, later.AddDate(0, 0, 1).Add(time.Minute))
	require.NoError(t, err)
	require.False(t, after.Roles.StandIn)
	require.Empty(t, after.StandingIn)
}

// TestStandInsAroundAskNothingOfSomeoneWithNone: a viewer read with no arrangement
// ahead lists none without asking, and every arrangement that starts, runs, ends or is
// called off is listed as the table says, for the head and the stand-in alike, as
// the viewers kept across those moments see it.
func TestStandInsAroundAskNothingOfSomeoneWithNone(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	start := time.Now()
	people := []int64{c.ceo.ID, c.cto.ID, c.itHead.ID}
	check := func(now time.Time, step string) {
		t.Helper()
		for _, id := range people {
			v, err := c.Store.ViewerAt(c.Ctx, id, now)
			require.NoError(t, err)
			listed, err := c.Store.StandInsAround(c.Ctx, v, now)
			require.NoError(t, err)
			var want, got []int64
			require.NoError(t, c.Store.Pool().QueryRow(c.Ctx, `SELECT COALESCE(array_agg(id ORDER BY starts_at, id), '{}')
				FROM stand_ins WHERE (principal_user_id = $1 OR stand_in_user_id = $1) AND ends_at > $2
					AND (ended_at IS NULL OR ended_at > $2)`, id, now).Scan(&want))
			for _, si := range listed {
				got = append(got, si.ID)
			}
			if want == nil {
				want = []int64{}
			}
			if got == nil {
				got = []int64{}
			}
			require.Equal(t, want, got, "%s: person %d", step, id)
			if len(want) > 0 {
				require.True(t, v.ArrangementsAhead, "%s: person %d", step, id)
			}
		}
	}
	check(start, "none yet")
	for _, id := range people {
		v, err := c.Store.ViewerAt(c.Ctx, id, start)
		require.NoError(t, err)
		require.False(t, v.ArrangementsAhead, "person %d has none: their settings ask nothing", id)
	}
	check(start, "none yet, the viewers kept")
	ceo := c.Viewer(t, c.ceo)
	from, to := utcDay(start).AddDate(0, 0, 2), utcDay(start).AddDate(0, 0, 3)
	si, err := c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, c.cto.Email, &from, &to, time.UTC, start)
	require.NoError(t, err)
	check(start, "one named for the day after tomorrow")
	check(from.Add(time.Hour), "while it runs")
	check(to.AddDate(0, 0, 2), "once it is over")
	later := utcDay(start).AddDate(0, 0, 10)
	_, err = c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, c.itHead.Email, &later, &later, time.UTC, start)
	require.NoError(t, err)
	check(start, "another named for later")
	require.NoError(t, c.Store.EndStandIn(c.Ctx, c.Viewer(t, c.cto), si.ID, start))
	check(start, "the first called off by its stand-in")
}
