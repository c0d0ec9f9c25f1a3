package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestAdviceJoinsTheDecisionsRecord (加签): the superior asks an outsider for an
// opinion; the adviser answers once; the decision's frozen record carries it.
func TestAdviceJoinsTheDecisionsRecord(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	now := time.Now()
	e := w.Escalation(t, storetest.EscalationOpts{At: now})
	superior := w.Viewer(t, accord.User{ID: e.AssignedUserID})
	legalUnit := w.Unit(t, storetest.UnitOpts{})
	legal := w.Head(t, legalUnit)

	_, err := w.Store.AskAdvice(w.Ctx, w.Viewer(t, accord.User{ID: e.Request.LeadUserID}), e.ID,
		accord.AdviceRequest{AdviserUserID: legal.ID}, now)
	require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(err), "only the superior asks")
	_, err = w.Store.AskAdvice(w.Ctx, superior, e.ID, accord.AdviceRequest{AdviserUserID: e.Request.LeadUserID}, now)
	require.Contains(t, accord.FieldErrors(err), "adviser", "not a side")

	a, err := w.Store.AskAdvice(w.Ctx, superior, e.ID, accord.AdviceRequest{AdviserUserID: legal.ID, Question: "合规上能否先上线一期？"}, now)
	require.NoError(t, err)
	require.True(t, a.Pending())
	standings, err := w.Store.EscalationStandings(w.Ctx, e.ID, []int64{legal.ID})
	require.NoError(t, err)
	require.True(t, standings[legal.ID].Adviser)

	given, err := w.Store.GiveOpinion(w.Ctx, legal.ID, e.ID, "可以，数据脱敏即可。", now.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, "可以，数据脱敏即可。", given.Opinion)
	_, err = w.Store.GiveOpinion(w.Ctx, legal.ID, e.ID, "改主意", now.Add(2*time.Hour))
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err), "an opinion is given once")

	cur, err := w.Store.Escalation(w.Ctx, e.ID)
	require.NoError(t, err)
	due := now.AddDate(0, 0, 30)
	_, err = w.Store.Decide(w.Ctx, superior, e.ID, cur.Version, accord.DecisionInput{Kind: accord.DecideDirect,
		Note: "按法务意见先上一期", DueDate: &due}, now.Add(3*time.Hour))
	require.NoError(t, err)
	rec, err := w.Store.EscalationRecord(w.Ctx, e.ID, now)
	require.NoError(t, err)
	require.NotNil(t, rec.Decided)
	require.Len(t, rec.Decided.Advice, 1)
	require.Equal(t, "可以，数据脱敏即可。", rec.Decided.Advice[0].Opinion)
	require.Equal(t, "合规上能否先上线一期？", rec.Decided.Advice[0].Question)
	_, err = w.Store.AskAdvice(w.Ctx, superior, e.ID, accord.AdviceRequest{AdviserUserID: w.Person(t, storetest.PersonOpts{}).ID}, now)
	require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err), "not once decided")
}
