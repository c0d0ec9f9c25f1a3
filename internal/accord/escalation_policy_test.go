package accord

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestProjectEscalationPolicy(t *testing.T) {
	t.Parallel()
	all := EscalationOverrides{P0DeclinedDays: ptr(10), P0OverdueDays: ptr(2), P1DeclinedDays: ptr(14),
		P1OverdueDays: ptr(5), StaleFactor: ptr(3)}
	tests := []struct {
		name      string
		overrides EscalationOverrides
		tier      Tier
		want      EscalationPolicy
	}{
		{"P0 defaults", EscalationOverrides{}, TierRequired, EscalationPolicy{DeclinedDays: ptr(3), OverdueDays: ptr(0), StaleFactor: 2}},
		{"P1 defaults", EscalationOverrides{}, TierImportant, EscalationPolicy{DeclinedDays: ptr(7), OverdueDays: ptr(3), StaleFactor: 2}},
		{"P2 never by default", EscalationOverrides{}, TierAlternative, EscalationPolicy{}},
		{"P0 takes the P0 overrides", all, TierRequired, EscalationPolicy{DeclinedDays: ptr(10), OverdueDays: ptr(2), StaleFactor: 3}},
		{"P1 takes the P1 overrides", all, TierImportant, EscalationPolicy{DeclinedDays: ptr(14), OverdueDays: ptr(5), StaleFactor: 3}},
		{"P2 stays never whatever is set", all, TierAlternative, EscalationPolicy{}},
		{"one override, the rest default", EscalationOverrides{P0DeclinedDays: ptr(10)}, TierRequired,
			EscalationPolicy{DeclinedDays: ptr(10), OverdueDays: ptr(0), StaleFactor: 2}},
		{"P0 overrides leave P1 alone", EscalationOverrides{P0DeclinedDays: ptr(1), P0OverdueDays: ptr(1)}, TierImportant,
			EscalationPolicy{DeclinedDays: ptr(7), OverdueDays: ptr(3), StaleFactor: 2}},
		{"zero days escalates at once", EscalationOverrides{P1DeclinedDays: ptr(0)}, TierImportant,
			EscalationPolicy{DeclinedDays: ptr(0), OverdueDays: ptr(3), StaleFactor: 2}},
		{"stale factor 0 turns staleness off", EscalationOverrides{StaleFactor: ptr(0)}, TierRequired,
			EscalationPolicy{DeclinedDays: ptr(3), OverdueDays: ptr(0), StaleFactor: 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Project{EscalationOverrides: tt.overrides}
			got := p.EscalationPolicy(tt.tier)
			require.Equal(t, tt.want.DeclinedDays, got.DeclinedDays)
			require.Equal(t, tt.want.OverdueDays, got.OverdueDays)
			require.Equal(t, tt.want.StaleFactor, got.StaleFactor)
		})
	}
}

func TestEscalationPolicyDoesNotAliasTheProject(t *testing.T) {
	t.Parallel()
	p := Project{EscalationOverrides: EscalationOverrides{P0DeclinedDays: ptr(10)}}
	pol := p.EscalationPolicy(TierRequired)
	*pol.DeclinedDays = 99
	require.Equal(t, 10, *p.EscalationOverrides.P0DeclinedDays)
}

func TestProjectOverridesChangeStalledCauses(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	answered := now.AddDate(0, 0, -4)
	declined := Request{State: RequestDeclined, AnsweredAt: &answered, LastActivityAt: answered}
	p := Project{CadenceDays: 14, EscalationOverrides: EscalationOverrides{P0DeclinedDays: ptr(10)}}
	require.Equal(t, []EscalationCause{CauseDeclined}, StalledCauses(declined, 14, DefaultEscalationPolicy(TierRequired), now))
	require.Empty(t, StalledCauses(declined, 14, p.EscalationPolicy(TierRequired), now), "10 days given, 4 gone")
	require.Equal(t, []EscalationCause{CauseDeclined}, StalledCauses(declined, 14, p.EscalationPolicy(TierRequired), now.AddDate(0, 0, 7)))
}

func TestEscalationOverridesValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   EscalationOverrides
		want map[string]string
	}{
		{"all empty", EscalationOverrides{}, nil},
		{"bounds are allowed", EscalationOverrides{P0DeclinedDays: ptr(0), P0OverdueDays: ptr(365), P1DeclinedDays: ptr(0),
			P1OverdueDays: ptr(365), StaleFactor: ptr(MaxStaleFactor)}, nil},
		{"every field out of range", EscalationOverrides{P0DeclinedDays: ptr(-1), P0OverdueDays: ptr(366),
			P1DeclinedDays: ptr(-5), P1OverdueDays: ptr(1000), StaleFactor: ptr(MaxStaleFactor + 1)},
			map[string]string{"p0_declined_days": "escalation_policy_days_range", "p0_overdue_days": "escalation_policy_days_range",
				"p1_declined_days": "escalation_policy_days_range", "p1_overdue_days": "escalation_policy_days_range",
				"stale_factor": "escalation_policy_factor_range"}},
		{"negative factor", EscalationOverrides{StaleFactor: ptr(-1)}, map[string]string{"stale_factor": "escalation_policy_factor_range"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := ProjectInput{Name: "x", OwningUnitID: 1, LeadUserID: 1, EscalationOverrides: tt.in}
			in.Normalize()
			require.Equal(t, tt.want, FieldErrors(in.Validate()))
		})
	}
}
