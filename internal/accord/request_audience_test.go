package accord

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRequestActionAudience(t *testing.T) {
	t.Parallel()
	const lead, head, keyPerson = 1, 2, 3
	kp := func(id int64) *int64 { return &id }
	req := func(state RequestState, key *int64) Request {
		return Request{ID: 10, LeadUserID: lead, State: state, KeyPersonUserID: key}
	}
	tests := []struct {
		name   string
		action RequestAction
		r      Request // as it is after the action
		head   int64
		want   []Notice
	}{
		{"send: the head receives it", ActionSend, req(RequestRequested, nil), head,
			[]Notice{{head, NotifyRequestReceived}}},
		{"send to a vacant post: nobody", ActionSend, req(RequestRequested, nil), 0, nil},
		{"send with a key person: still the head", ActionSend, req(RequestRequested, kp(keyPerson)), head,
			[]Notice{{head, NotifyRequestReceived}}},
		{"resend: the head receives it again", ActionResend, req(RequestRequested, kp(keyPerson)), head,
			[]Notice{{head, NotifyRequestReceived}}},
		{"agree: the lead hears", ActionAgree, req(RequestAgreed, nil), head,
			[]Notice{{lead, NotifyRequestAnswered}}},
		{"agree with a key person: the lead, then the key person", ActionAgree, req(RequestAgreed, kp(keyPerson)), head,
			[]Notice{{lead, NotifyRequestAnswered}, {keyPerson, NotifyKeyPersonNamed}}},
		{"agree naming the head as key person: the head is still told it is theirs", ActionAgree, req(RequestAgreed, kp(head)), head,
			[]Notice{{lead, NotifyRequestAnswered}, {head, NotifyKeyPersonNamed}}},
		{"decline: the lead hears", ActionDecline, req(RequestDeclined, kp(keyPerson)), head,
			[]Notice{{lead, NotifyRequestAnswered}}},
		{"counter: the lead hears", ActionCounter, req(RequestCountered, kp(keyPerson)), head,
			[]Notice{{lead, NotifyRequestAnswered}}},
		{"accept counter: the head hears", ActionAcceptCounter, req(RequestAgreed, nil), head,
			[]Notice{{head, NotifyCounterDecided}}},
		{"accept counter with a key person: the head, then the key person", ActionAcceptCounter, req(RequestAgreed, kp(keyPerson)), head,
			[]Notice{{head, NotifyCounterDecided}, {keyPerson, NotifyKeyPersonNamed}}},
		{"accept counter when the head is the key person: told once", ActionAcceptCounter, req(RequestAgreed, kp(head)), head,
			[]Notice{{head, NotifyCounterDecided}}},
		{"accept counter, head's post vacant: the key person", ActionAcceptCounter, req(RequestAgreed, kp(keyPerson)), 0,
			[]Notice{{keyPerson, NotifyKeyPersonNamed}}},
		{"refuse counter: the head hears", ActionRefuseCounter, req(RequestRequested, kp(keyPerson)), head,
			[]Notice{{head, NotifyCounterDecided}}},
		{"refuse counter, vacant post: nobody", ActionRefuseCounter, req(RequestRequested, nil), 0, nil},
		{"delegate: the key person", ActionDelegate, req(RequestRequested, kp(keyPerson)), head,
			[]Notice{{keyPerson, NotifyRequestDelegated}}},
		{"delegate on an agreed request: handed over, not named again", ActionDelegate, req(RequestAgreed, kp(keyPerson)), head,
			[]Notice{{keyPerson, NotifyRequestDelegated}}},
		{"delegate without a key person: nobody", ActionDelegate, req(RequestRequested, nil), head, nil},
		{"start: the lead hears", ActionStart, req(RequestInProgress, kp(keyPerson)), head,
			[]Notice{{lead, NotifyRequestProgress}}},
		{"deliver: the lead hears", ActionDeliver, req(RequestDelivered, kp(keyPerson)), head,
			[]Notice{{lead, NotifyRequestProgress}}},
		{"cancel: the head when nobody is named", ActionCancel, req(RequestCancelled, nil), head,
			[]Notice{{head, NotifyRequestCancelled}}},
		{"cancel: the key person once named", ActionCancel, req(RequestCancelled, kp(keyPerson)), head,
			[]Notice{{keyPerson, NotifyRequestCancelled}}},
		{"cancel, vacant post: nobody", ActionCancel, req(RequestCancelled, nil), 0, nil},
		{"transfer: the new unit's head, and the lead", ActionTransfer, req(RequestRequested, nil), head,
			[]Notice{{head, NotifyTransferredIn}, {lead, NotifyTransferred}}},
		{"transfer to a vacant post: the lead", ActionTransfer, req(RequestRequested, nil), 0,
			[]Notice{{lead, NotifyTransferred}}},
		{"sent back: the head of the unit first asked", ActionTransferBack, req(RequestRequested, nil), head,
			[]Notice{{head, NotifyTransferredBack}}},
		{"an unknown action: nobody", "approve", req(RequestAgreed, kp(keyPerson)), head, nil},
	}
	covered := map[RequestAction]bool{}
	for _, tt := range tests {
		covered[tt.action] = true
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, RequestActionAudience(tt.action, tt.r, tt.head))
		})
	}
	for _, a := range RequestActions() {
		require.True(t, covered[a], "no case for action %s", a)
	}
}

func TestHolderContact(t *testing.T) {
	t.Parallel()
	key := int64(3)
	require.Equal(t, int64(3), HolderContact(Request{KeyPersonUserID: &key}, 2))
	require.Equal(t, int64(2), HolderContact(Request{}, 2))
	require.Equal(t, int64(0), HolderContact(Request{}, 0))
}
