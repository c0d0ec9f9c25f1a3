package accord

// Bounds of a project's own escalation thresholds.
const (
	MaxEscalationDays = 365 // a declined or overdue request waits at most a year
	MaxStaleFactor    = 10  // times the cadence; with a 365-day cadence, ten years
)

// EscalationOverrides are a project's own thresholds for automatic escalation. A nil
// field keeps the default for the tier (DefaultEscalationPolicy); P2 alternatives never
// escalate by themselves whatever is set.
type EscalationOverrides struct {
	P0DeclinedDays *int // days a declined P0 request may stand unresolved
	P0OverdueDays  *int // days a P0 request may run past its date
	P1DeclinedDays *int
	P1OverdueDays  *int
	StaleFactor    *int // multiples of the cadence without activity, P0 and P1; 0 turns it off
}

// EscalationPolicy is the policy for a tier in this project: its overrides applied
// over the defaults.
func (p Project) EscalationPolicy(t Tier) EscalationPolicy {
	return p.EscalationOverrides.Policy(t)
}

// Policy applies the overrides over DefaultEscalationPolicy(t).
func (o EscalationOverrides) Policy(t Tier) EscalationPolicy {
	pol := DefaultEscalationPolicy(t)
	switch t {
	case TierRequired:
		pol.DeclinedDays = overrideDays(pol.DeclinedDays, o.P0DeclinedDays)
		pol.OverdueDays = overrideDays(pol.OverdueDays, o.P0OverdueDays)
	case TierImportant:
		pol.DeclinedDays = overrideDays(pol.DeclinedDays, o.P1DeclinedDays)
		pol.OverdueDays = overrideDays(pol.OverdueDays, o.P1OverdueDays)
	default:
		return pol
	}
	if o.StaleFactor != nil {
		pol.StaleFactor = *o.StaleFactor
	}
	return pol
}

// overrideDays copies the override so the policy never aliases the project's field.
func overrideDays(def, override *int) *int {
	if override == nil {
		return def
	}
	n := *override
	return &n
}

// validate adds a problem for every threshold out of range.
func (o EscalationOverrides) validate(v *Validation) {
	for _, f := range []struct {
		name string
		days *int
	}{{"p0_declined_days", o.P0DeclinedDays}, {"p0_overdue_days", o.P0OverdueDays},
		{"p1_declined_days", o.P1DeclinedDays}, {"p1_overdue_days", o.P1OverdueDays}} {
		if f.days != nil && (*f.days < 0 || *f.days > MaxEscalationDays) {
			v.Add(f.name, "escalation_policy_days_range")
		}
	}
	if o.StaleFactor != nil && (*o.StaleFactor < 0 || *o.StaleFactor > MaxStaleFactor) {
		v.Add("stale_factor", "escalation_policy_factor_range")
	}
}
