package accord

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRequestLifecycleExhaustive checks every state × action × party against the
// lifecycle written out by hand, independently of the transition table.
func TestRequestLifecycleExhaustive(t *testing.T) {
	t.Parallel()
	lead := RequestParty{Lead: true}
	head := RequestParty{HolderHead: true}
	delegate := RequestParty{Delegate: true}
	nobody := RequestParty{}
	both := RequestParty{Lead: true, HolderHead: true}
	parties := map[string]RequestParty{"lead": lead, "head": head, "delegate": delegate, "nobody": nobody, "both": both}

	// allowed[state][action] = (next state, who may): "L" lead, "H" head, "D" delegate.
	type rule struct {
		to  RequestState
		who string
	}
	allowed := map[RequestState]map[RequestAction]rule{
		RequestDraft: {ActionSend: {RequestRequested, "L"}, ActionCancel: {RequestCancelled, "L"}},
		RequestRequested: {
			ActionAgree: {RequestAgreed, "HD"}, ActionDecline: {RequestDeclined, "HD"}, ActionCounter: {RequestCountered, "HD"},
			ActionDelegate: {RequestRequested, "H"}, ActionCancel: {RequestCancelled, "L"},
			ActionTransfer: {RequestRequested, "H"}, ActionTransferBack: {RequestRequested, "L"},
		},
		RequestAgreed:   {ActionStart: {RequestInProgress, "HD"}, ActionDelegate: {RequestAgreed, "H"}, ActionCancel: {RequestCancelled, "L"}},
		RequestDeclined: {ActionResend: {RequestRequested, "L"}, ActionCancel: {RequestCancelled, "L"}},
		RequestCountered: {
			ActionAcceptCounter: {RequestAgreed, "L"}, ActionRefuseCounter: {RequestRequested, "L"}, ActionCancel: {RequestCancelled, "L"},
		},
		RequestInProgress: {ActionDeliver: {RequestDelivered, "HD"}, ActionDelegate: {RequestInProgress, "H"}, ActionCancel: {RequestCancelled, "L"}},
		RequestDelivered:  {},
		RequestCancelled:  {},
	}
	may := func(who string, p RequestParty) bool {
		for _, c := range who {
			if (c == 'L' && p.Lead) || (c == 'H' && p.HolderHead) || (c == 'D' && p.Delegate) {
				return true
			}
		}
		return false
	}
	cases := 0
	for _, state := range RequestStates() {
		for _, action := range RequestActions() {
			for name, party := range parties {
				cases++
				got, err := NextRequestState(state, action, party)
				r, fits := allowed[state][action]
				label := fmt.Sprintf("%s --%s--> by %s", state, action, name)
				switch {
				case !fits:
					require.Equal(t, ECodeInvalid, ErrorCodeOf(err), label)
					require.Equal(t, state, got, label)
				case !may(r.who, party):
					require.Equal(t, ECodeForbidden, ErrorCodeOf(err), label)
					require.Equal(t, state, got, label)
				default:
					require.NoError(t, err, label)
					require.Equal(t, r.to, got, label)
				}
			}
		}
	}
	require.Equal(t, 8*len(RequestActions())*5, cases)

	_, err := NextRequestState(RequestRequested, "approve", head)
	require.Equal(t, "request_action_unknown", err.(*Error).MessageID)
}

func TestAvailableRequestActions(t *testing.T) {
	t.Parallel()
	require.Equal(t, []RequestAction{ActionAgree, ActionDecline, ActionCounter, ActionDelegate, ActionTransfer},
		AvailableRequestActions(RequestRequested, RequestParty{HolderHead: true}))
	require.Equal(t, []RequestAction{ActionAgree, ActionDecline, ActionCounter},
		AvailableRequestActions(RequestRequested, RequestParty{Delegate: true}), "only the head passes it on")
	require.Equal(t, []RequestAction{ActionTransferBack, ActionCancel}, AvailableRequestActions(RequestRequested, RequestParty{Lead: true}))
	require.Empty(t, AvailableRequestActions(RequestDelivered, RequestParty{Lead: true, HolderHead: true}))
	for _, s := range RequestStates() {
		require.Equal(t, s != RequestDelivered && s != RequestCancelled, s.Open(), s)
	}
	// The list offers exactly the actions NextRequestState would accept, for every
	// state and every mix of sides.
	for _, s := range RequestStates() {
		for mask := range 8 {
			party := RequestParty{Lead: mask&1 != 0, HolderHead: mask&2 != 0, Delegate: mask&4 != 0}
			var accepted []RequestAction
			for _, a := range RequestActions() {
				if _, err := NextRequestState(s, a, party); err == nil {
					accepted = append(accepted, a)
				}
			}
			require.Equal(t, accepted, AvailableRequestActions(s, party), "%s %+v", s, party)
		}
	}
}

func FuzzNextRequestState(f *testing.F) {
	f.Add("requested", "agree", true, false, false)
	f.Add("countered", "accept-counter", false, true, true)
	f.Fuzz(func(t *testing.T, state, action string, lead, head, delegate bool) {
		from := RequestState(state)
		got, err := NextRequestState(from, RequestAction(action), RequestParty{Lead: lead, HolderHead: head, Delegate: delegate})
		if err != nil {
			if got != from {
				t.Fatalf("a refused action changed the state: %q → %q", from, got)
			}
			if c := ErrorCodeOf(err); c != ECodeInvalid && c != ECodeForbidden {
				t.Fatalf("unexpected code %s", c)
			}
			return
		}
		if !from.Open() {
			t.Fatalf("a closed request changed: %q --%s--> %q", from, action, got)
		}
		known := false
		for _, s := range RequestStates() {
			known = known || s == got
		}
		if !known {
			t.Fatalf("unknown state %q", got)
		}
	})
}

func TestMayTakeAction(t *testing.T) {
	t.Parallel()
	require.True(t, MayTakeAction(ActionAgree, RequestParty{Delegate: true}))
	require.False(t, MayTakeAction(ActionAgree, RequestParty{Lead: true}))
	require.True(t, MayTakeAction(ActionCancel, RequestParty{Lead: true}))
	require.False(t, MayTakeAction(ActionDelegate, RequestParty{Delegate: true}))
	require.False(t, MayTakeAction("approve", RequestParty{Lead: true, HolderHead: true, Delegate: true}))
}

// TestTransferRules: a request is passed on by its holder's head, with a reason, to
// another unit, before anyone answered it; the lead may send back only what was
// passed on.
func TestTransferRules(t *testing.T) {
	t.Parallel()
	other, same := int64(20), int64(10)
	r := Request{ID: 1, HolderUnitID: same, State: RequestRequested}
	passed := r
	passed.TransferredFromUnitID = &same
	for _, tc := range []struct {
		name   string
		r      Request
		action RequestAction
		in     RequestInput
		fields map[string]string
		code   ErrorCode
	}{
		{"to another unit, with a reason", r, ActionTransfer, RequestInput{TransferUnitID: &other, Reason: "归数据部"}, nil, ""},
		{"no unit, no reason", r, ActionTransfer, RequestInput{},
			map[string]string{"unit": "request_transfer_unit_required", "reason": "request_transfer_reason_required"}, ECodeInvalid},
		{"to the unit that holds it", r, ActionTransfer, RequestInput{TransferUnitID: &same, Reason: "x"},
			map[string]string{"unit": "request_transfer_same_unit"}, ECodeInvalid},
		{"sent back once passed on", passed, ActionTransferBack, RequestInput{}, nil, ""},
		{"nothing to send back", r, ActionTransferBack, RequestInput{}, nil, ECodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.in.ValidateFor(tc.r, tc.action)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tc.code, ErrorCodeOf(err))
			if tc.fields != nil {
				require.Equal(t, tc.fields, FieldErrors(err))
			}
		})
	}
	require.False(t, r.ActionFits(ActionTransferBack))
	require.True(t, passed.ActionFits(ActionTransferBack))
	require.True(t, r.ActionFits(ActionTransfer))
	for _, st := range []RequestState{RequestAgreed, RequestDeclined, RequestCountered, RequestInProgress} {
		_, err := NextRequestState(st, ActionTransfer, RequestParty{HolderHead: true})
		require.Error(t, err, "once answered, %s is not passed on", st)
	}
}

func TestTransferKeepsTheUnitFirstAsked(t *testing.T) {
	t.Parallel()
	it, data, sales := int64(10), int64(20), int64(30)
	r := Request{HolderUnitID: it}
	require.Equal(t, it, *r.TransferredFrom(data), "passed from IT")
	again := Request{HolderUnitID: data, TransferredFromUnitID: &it}
	require.Equal(t, it, *again.TransferredFrom(sales), "passed on again: IT is still the unit first asked")
	require.Nil(t, again.TransferredFrom(it), "passed back to IT: home again")
	require.Equal(t, ECodeInvalid, ErrorCodeOf(RefuseTransfer(true)), "not while before a superior")
	require.NoError(t, RefuseTransfer(false))
}
