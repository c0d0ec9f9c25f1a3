package accord

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/web/i18n"
)

// everyEscalationParty is each of the 64 combinations of the six parts.
func everyEscalationParty() []EscalationParty {
	var out []EscalationParty
	for bits := 0; bits < 64; bits++ {
		out = append(out, EscalationParty{Superior: bits&1 != 0, Lead: bits&2 != 0, HolderHead: bits&4 != 0, Clock: bits&8 != 0,
			Admin: bits&16 != 0, KeyPerson: bits&32 != 0})
	}
	return out
}

func (p EscalationParty) String() string {
	return fmt.Sprintf("superior=%t lead=%t head=%t clock=%t admin=%t key=%t", p.Superior, p.Lead, p.HolderHead, p.Clock,
		p.Admin, p.KeyPerson)
}

// TestEscalationLifecycleExhaustive checks every status × event × party against the
// lifecycle written out by hand, independently of the rule table.
func TestEscalationLifecycleExhaustive(t *testing.T) {
	t.Parallel()
	// allowed[status][event] = (next status, who may): "S" superior, "L" lead,
	// "H" holder's head, "C" the clock, "A" an administrator. A key person may do
	// nothing but look.
	type rule struct {
		to  EscalationStatus
		who string
	}
	allowed := map[EscalationStatus]map[EscalationEvent]rule{
		EscalationOpen: {
			EventDecide: {EscalationDecided, "S"}, EventSendBack: {EscalationSentBack, "S"},
			EventLeadStatement: {EscalationOpen, "L"}, EventHolderStatement: {EscalationOpen, "H"},
			EventWindowExpired: {EscalationOpen, "C"}, EventReassign: {EscalationOpen, "A"},
			EventRefresh: {EscalationOpen, "L"},
		},
		// The clock stops while the lead answers; the lead's answer reopens it.
		EscalationSentBack: {
			EventLeadStatement: {EscalationOpen, "L"}, EventHolderStatement: {EscalationSentBack, "H"},
			EventReassign: {EscalationSentBack, "A"}, EventRefresh: {EscalationSentBack, "L"},
		},
		EscalationDecided: {},
	}
	// who may cause an event at all, whatever the status: refused first.
	who := map[EscalationEvent]string{EventDecide: "S", EventSendBack: "S", EventLeadStatement: "L",
		EventHolderStatement: "H", EventWindowExpired: "C", EventReassign: "A", EventRefresh: "L"}
	notNow := map[EscalationEvent]string{EventDecide: "escalation_not_open", EventSendBack: "escalation_not_open",
		EventLeadStatement: "esc_statement_closed", EventHolderStatement: "esc_statement_closed",
		EventWindowExpired: "escalation_not_open", EventReassign: "escalation_not_open", EventRefresh: "escalation_not_open"}
	notYou := map[EscalationEvent]string{EventDecide: "escalation_not_yours", EventSendBack: "escalation_not_yours",
		EventLeadStatement: "escalation_not_a_party", EventHolderStatement: "escalation_not_a_party",
		EventWindowExpired: "escalation_clock_only", EventReassign: "escalation_admin_only", EventRefresh: "escalation_not_a_party"}
	may := func(who string, p EscalationParty) bool {
		for _, c := range who {
			if (c == 'S' && p.Superior) || (c == 'L' && p.Lead) || (c == 'H' && p.HolderHead) || (c == 'C' && p.Clock) ||
				(c == 'A' && p.Admin) {
				return true
			}
		}
		return false
	}
	statuses := append(EscalationStatuses(), "", "closed") // two that do not exist
	cases := 0
	for _, status := range statuses {
		for _, event := range EscalationEvents() {
			for _, party := range everyEscalationParty() {
				cases++
				got, err := NextEscalationState(status, event, party)
				label := fmt.Sprintf("%q --%s--> by %s", status, event, party)
				r, fits := allowed[status][event]
				var e *Error
				switch {
				case !may(who[event], party):
					require.ErrorAs(t, err, &e, label)
					require.Equal(t, ECodeForbidden, e.Code, label)
					want := notYou[event]
					if party.Admin && who[event] == "S" {
						want = "escalation_admins_do_not_decide" // they look after escalations, never decide
					}
					require.Equal(t, want, e.MessageID, label)
					require.Equal(t, status, got, label)
				case !fits:
					require.ErrorAs(t, err, &e, label)
					require.Equal(t, ECodeInvalid, e.Code, label)
					require.Equal(t, notNow[event], e.MessageID, label)
					require.Equal(t, status, got, label)
				default:
					require.NoError(t, err, label)
					require.Equal(t, r.to, got, label)
				}
			}
		}
	}
	require.Equal(t, 5*7*64, cases)

	everyone := EscalationParty{Superior: true, Lead: true, HolderHead: true, Clock: true}
	_, err := NextEscalationState(EscalationOpen, "approve", everyone)
	require.Equal(t, ECodeInvalid, ErrorCodeOf(err))
	require.Equal(t, "escalation_event_unknown", err.(*Error).MessageID)
}

func TestEscalationEventFor(t *testing.T) {
	t.Parallel()
	for _, k := range DecisionKinds() {
		want := EventDecide
		if k == DecideSendBack {
			want = EventSendBack
		}
		require.Equal(t, want, EscalationEventFor(k), k)
	}
	require.Equal(t, EventDecide, EscalationEventFor("bogus"), "an unknown kind is Validate's to refuse")
}

var (
	catalogOnce sync.Once
	catalogIDs  map[string][]string
	catalogErr  error
)

// catalogs loads the message ids of both languages once per test binary.
func catalogs(t *testing.T) map[string][]string {
	catalogOnce.Do(func() {
		b, err := i18n.NewBundle()
		if err != nil {
			catalogErr = err
			return
		}
		catalogIDs = map[string][]string{i18n.English: b.MessageIDs(i18n.English), i18n.Chinese: b.MessageIDs(i18n.Chinese)}
	})
	require.NoError(t, catalogErr)
	return catalogIDs
}

// FuzzNextEscalationState holds the machine's invariants for any input: it never
// panics; a refusal changes nothing and says why in both languages; decided is
// terminal; only the superior decides or sends back; only the clock moves a window;
// statements come only from the two sides and never decide.
func FuzzNextEscalationState(f *testing.F) {
	f.Add("open", "decide", true, false, false, false)
	f.Add("sent_back", "lead_statement", false, true, false, false)
	f.Add("decided", "holder_statement", false, false, true, false)
	f.Add("open", "window_expired", false, false, false, true)
	f.Add("open", "\x00", true, true, true, true)
	f.Fuzz(func(t *testing.T, status, event string, superior, lead, head, clock bool) {
		from, ev := EscalationStatus(status), EscalationEvent(event)
		party := EscalationParty{Superior: superior, Lead: lead, HolderHead: head, Clock: clock}
		got, err := NextEscalationState(from, ev, party)
		if err != nil {
			if got != from {
				t.Fatalf("a refused event changed the status: %q → %q", from, got)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("not an *accord.Error: %T %v", err, err)
			}
			if e.Code != ECodeInvalid && e.Code != ECodeForbidden {
				t.Fatalf("unexpected code %s", e.Code)
			}
			for lang, ids := range catalogs(t) {
				if !slices.Contains(ids, e.MessageID) {
					t.Fatalf("message %q is missing from the %s catalog", e.MessageID, lang)
				}
			}
			return
		}
		if from == EscalationDecided {
			t.Fatalf("decided is terminal, yet %s by %s moved it to %q", ev, party, got)
		}
		if !slices.Contains(EscalationStatuses(), from) || !slices.Contains(EscalationStatuses(), got) {
			t.Fatalf("unknown status accepted: %q → %q", from, got)
		}
		switch {
		case got == EscalationDecided && (ev != EventDecide || !party.Superior):
			t.Fatalf("%s by %s decided", ev, party)
		case (ev == EventDecide || ev == EventSendBack) && (!party.Superior || from != EscalationOpen):
			t.Fatalf("%s by %s from %q went through", ev, party, from)
		case ev == EventWindowExpired && (!party.Clock || got != EscalationOpen):
			t.Fatalf("window moved by %s from %q to %q", party, from, got)
		case ev == EventLeadStatement && !party.Lead, ev == EventHolderStatement && !party.HolderHead:
			t.Fatalf("%s by %s", ev, party)
		case got == EscalationSentBack && ev != EventSendBack && from != EscalationSentBack:
			t.Fatalf("%s sent it back", ev)
		}
	})
}

func TestPortfolioDecisionList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		roles Roles
		want  EscalationList
		url   string
	}{
		{"an executive: their own queue", Roles{Executive: true, Head: true}, ListToDecide, "/escalations?list=decide"},
		{"an administrator: every pending one", Roles{Admin: true}, ListAllOpen, "/escalations?list=all"},
		{"an administrator who is an executive too", Roles{Admin: true, Executive: true}, ListAllOpen, "/escalations?list=all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, PortfolioDecisionList(tt.roles))
			require.Equal(t, tt.url, PortfolioDecisionList(tt.roles).URL())
		})
	}
}
