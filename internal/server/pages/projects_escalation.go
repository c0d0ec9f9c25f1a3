package pages

import (
	"net/http"
	"strconv"
	"strings"

	"accord/internal/accord"
	"accord/web/ui"
)

// readEscalationPolicy reads the project form's escalation thresholds. An empty field
// keeps the default; text that is not a whole number is a problem for that field,
// and the range is the domain's to check.
func readEscalationPolicy(r *http.Request, problems *accord.Validation) (ui.EscalationPolicyForm, accord.EscalationOverrides) {
	f := ui.EscalationPolicyForm{
		P0DeclinedDays: strings.TrimSpace(r.PostFormValue("p0_declined_days")),
		P0OverdueDays:  strings.TrimSpace(r.PostFormValue("p0_overdue_days")),
		P1DeclinedDays: strings.TrimSpace(r.PostFormValue("p1_declined_days")),
		P1OverdueDays:  strings.TrimSpace(r.PostFormValue("p1_overdue_days")),
		StaleFactor:    strings.TrimSpace(r.PostFormValue("stale_factor")),
	}
	var o accord.EscalationOverrides
	for _, field := range []struct {
		name string
		raw  string
		dst  **int
	}{
		{"p0_declined_days", f.P0DeclinedDays, &o.P0DeclinedDays},
		{"p0_overdue_days", f.P0OverdueDays, &o.P0OverdueDays},
		{"p1_declined_days", f.P1DeclinedDays, &o.P1DeclinedDays},
		{"p1_overdue_days", f.P1OverdueDays, &o.P1OverdueDays},
		{"stale_factor", f.StaleFactor, &o.StaleFactor},
	} {
		if field.raw == "" {
			continue
		}
		n, err := strconv.Atoi(field.raw)
		if err != nil {
			problems.Add(field.name, "escalation_policy_number_invalid")
			continue
		}
		*field.dst = &n
	}
	return f, o
}

// escalationPolicyForm writes a project's saved thresholds into the form; a default
// stays empty so the placeholder shows it.
func escalationPolicyForm(o accord.EscalationOverrides) ui.EscalationPolicyForm {
	value := func(n *int) string {
		if n == nil {
			return ""
		}
		return strconv.Itoa(*n)
	}
	return ui.EscalationPolicyForm{P0DeclinedDays: value(o.P0DeclinedDays), P0OverdueDays: value(o.P0OverdueDays),
		P1DeclinedDays: value(o.P1DeclinedDays), P1OverdueDays: value(o.P1OverdueDays), StaleFactor: value(o.StaleFactor)}
}
