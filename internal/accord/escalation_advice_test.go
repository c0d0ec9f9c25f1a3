package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAdviceRules(t *testing.T) {
	t.Parallel()
	open := Escalation{ID: 1, Status: EscalationOpen}
	decided := Escalation{ID: 1, Status: EscalationDecided}
	superior := EscalationParty{Superior: true}
	legal := User{ID: 9}
	gone := time.Now()
	left := User{ID: 8, DeactivatedAt: &gone}
	asked := []Advice{{AdviserUserID: 9}}
	five := []Advice{{AdviserUserID: 1}, {AdviserUserID: 2}, {AdviserUserID: 3}, {AdviserUserID: 4}, {AdviserUserID: 5}}
	for _, tc := range []struct {
		name      string
		e         Escalation
		party     EscalationParty
		candidate User
		cParty    EscalationParty
		asked     []Advice
		code      ErrorCode
		field     string
	}{
		{"the superior asks a neutral person", open, superior, legal, EscalationParty{}, nil, "", ""},
		{"the lead may not ask", open, EscalationParty{Lead: true}, legal, EscalationParty{}, nil, ECodeForbidden, ""},
		{"an administrator may not ask", open, EscalationParty{Admin: true}, legal, EscalationParty{}, nil, ECodeForbidden, ""},
		{"not once decided", decided, superior, legal, EscalationParty{}, nil, ECodeInvalid, ""},
		{"not a side", open, superior, legal, EscalationParty{HolderHead: true}, nil, ECodeInvalid, "adviser"},
		{"not the key person", open, superior, legal, EscalationParty{KeyPerson: true}, nil, ECodeInvalid, "adviser"},
		{"not the superior themself", open, superior, legal, EscalationParty{Superior: true}, nil, ECodeInvalid, "adviser"},
		{"not someone who left", open, superior, left, EscalationParty{}, nil, ECodeInvalid, "adviser"},
		{"not twice", open, superior, legal, EscalationParty{}, asked, ECodeInvalid, "adviser"},
		{"at most five", open, superior, legal, EscalationParty{}, five, ECodeInvalid, "adviser"},
		{"an administrator may advise", open, superior, legal, EscalationParty{Admin: true}, nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := RefuseAdviceRequest(tc.e, tc.party, AdviceRequest{AdviserUserID: tc.candidate.ID}, tc.candidate, tc.cParty, tc.asked)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tc.code, ErrorCodeOf(err))
			if tc.field != "" {
				require.Contains(t, FieldErrors(err), tc.field)
			}
		})
	}
}

func TestOpinionRules(t *testing.T) {
	t.Parallel()
	open := Escalation{ID: 1, Status: EscalationOpen}
	at := time.Now()
	asked := []Advice{{AdviserUserID: 9}, {AdviserUserID: 7, Opinion: "先做一期", GivenAt: &at}}
	require.NoError(t, RefuseOpinion(open, 9, asked, "建议提升优先级"))
	require.Equal(t, ECodeForbidden, ErrorCodeOf(RefuseOpinion(open, 3, asked, "x")), "only those asked")
	require.Equal(t, ECodeInvalid, ErrorCodeOf(RefuseOpinion(open, 7, asked, "改主意")), "once")
	require.Equal(t, map[string]string{"opinion": "advice_opinion_required"}, FieldErrors(RefuseOpinion(open, 9, asked, "  ")))
	require.Equal(t, ECodeInvalid, ErrorCodeOf(RefuseOpinion(Escalation{Status: EscalationDecided}, 9, asked, "x")),
		"not after the decision")
	require.Equal(t, []Advice{asked[0]}, AdviceAwaited(asked))
	adviser := EscalationParty{Adviser: true}
	require.True(t, OpinionAwaited(open, adviser, 9, asked))
	require.False(t, OpinionAwaited(open, adviser, 7, asked), "given already")
	require.False(t, OpinionAwaited(open, EscalationParty{HolderHead: true}, 9, asked), "asked, but a side since: speaks as the side")
	require.False(t, OpinionAwaited(Escalation{Status: EscalationDecided}, adviser, 9, asked), "decided")
	require.True(t, EscalationParty{Adviser: true}.MayView(), "an adviser reads the escalation")
	require.True(t, MayCommentOnEscalation(EscalationParty{Adviser: true}), "and speaks in its conversation")
}
