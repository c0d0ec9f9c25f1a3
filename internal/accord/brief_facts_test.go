package accord

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStanding(t *testing.T) {
	t.Parallel()
	r := func(id, unit int64, st RequestState) Request {
		return Request{ID: id, HolderUnitID: unit, State: st, HolderName: "部门", HolderNameEN: "Unit"}
	}
	phased := func(id, need, unit int64, st RequestState) Request {
		q := r(id, unit, st)
		q.NeedID = need
		return q
	}
	tests := []struct {
		name        string
		requests    []Request
		needs       []Need
		current     Request
		agreed      int
		units       int
		firstAgreed int
		firstAsked  int
		firstState  RequestState
	}{
		{"all agreed", []Request{r(1, 1, RequestAgreed), r(2, 2, RequestDelivered)}, nil, r(1, 1, RequestAgreed), 2, 2, 1, 1, RequestAgreed},
		{"a unit with one open request has not agreed, partly",
			[]Request{r(1, 1, RequestAgreed), r(2, 1, RequestRequested), r(3, 2, RequestInProgress)}, nil,
			r(3, 2, RequestInProgress), 1, 2, 1, 2, RequestRequested},
		{"drafts and cancelled requests are not asks",
			[]Request{r(1, 1, RequestDraft), r(2, 2, RequestCancelled), r(3, 3, RequestDeclined)}, nil,
			r(3, 3, RequestDeclined), 0, 1, 0, 1, RequestDeclined},
		{"the current request counts even when the list lacks it", nil, nil, r(9, 4, RequestCountered), 0, 1, 0, 1, RequestCountered},
		{"the current request as given wins over the list's copy",
			[]Request{r(1, 1, RequestDeclined)}, nil, r(1, 1, RequestAgreed), 1, 1, 1, 1, RequestAgreed},
		// The tracker counts the same way (UnitsOnTracker): a phase is part of its parent.
		{"a phase agreed under a declined request: asked once, not agreed",
			[]Request{phased(1, 10, 1, RequestDeclined), phased(2, 11, 1, RequestInProgress)},
			[]Need{{ID: 10}, {ID: 11, PhaseOfNeedID: ptr(int64(10))}}, phased(1, 10, 1, RequestDeclined), 0, 1, 0, 1, RequestDeclined},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Standing(tt.requests, tt.needs, tt.current)
			require.Len(t, got, tt.units)
			require.Equal(t, tt.agreed, UnitsAgreed(got))
			require.Equal(t, tt.firstAgreed, got[0].Agreed)
			require.Equal(t, tt.firstAsked, got[0].Asked)
			require.Equal(t, tt.firstState, got[0].State)
			if tt.needs != nil {
				require.Equal(t, 1, got[0].PhaseAgreed, "the phase agreed is told")
				require.True(t, got[0].AgreedInPart())
			}
		})
	}
}

// TestBriefFactsSurviveJSON: the facts are frozen as JSON; what comes back renders the
// same brief, so every field a brief reads must round-trip.
func TestBriefFactsSurviveJSON(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 5, 9, 30, 0, 0, time.UTC)
	amount := int64(20_000_000)
	f := NewBriefFacts(BriefSource{Cause: CauseDeclined, Reason: "why", Now: day,
		Project:  Project{ID: 1, Name: "项目", NameEN: "Project", ExpectedAmount: &amount, Currency: "CNY"},
		Request:  Request{ID: 2, NeedID: 3, HolderUnitID: 4, State: RequestDeclined, Obstacle: ObstacleTooBusy, DueDate: &day},
		History:  []RequestEvent{{At: day, Action: ActionDecline, Input: RequestInput{Obstacle: ObstacleTooBusy, Reason: "busy"}}},
		Progress: []ProgressEntry{{Body: "a", CreatedAt: day}, {Body: "b"}, {Body: "c"}, {Body: "d"}},
	})
	require.Len(t, f.Progress, BriefProgressKept)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	var back BriefFacts
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, f.Request.Obstacle, back.Request.Obstacle)
	require.True(t, f.TakenAt.Equal(back.TakenAt))
	require.Equal(t, *f.Project.ExpectedAmount, *back.Project.ExpectedAmount)
	require.Equal(t, f.History[0].Input, back.History[0].Input)
	require.Equal(t, f.UntriedStrategies(), back.UntriedStrategies())
}

// TestAnEarlierDeclineProposesNothing: a decline kept as history after a ruling sent
// the request back is not the holder's answer now; no strategy is proposed against it.
func TestAnEarlierDeclineProposesNothing(t *testing.T) {
	t.Parallel()
	f := BriefFacts{Request: Request{State: RequestRequested, Obstacle: ObstacleTooBusy}}
	require.Empty(t, f.UntriedStrategies())
	f.Request.State = RequestDeclined
	require.Equal(t, StrategiesFor(ObstacleTooBusy), f.UntriedStrategies())
}
