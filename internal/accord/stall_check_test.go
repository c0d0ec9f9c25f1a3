package accord

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestNextStallCheckIsNeverLate checks NextStallCheck against the rule it
// schedules, StalledCauses, over many requests and policies: before the moment
// it gives, no cause it was told is still to raise applies, in any time zone; with no
// moment, none applies for 200 days; and soon after the moment one does, so a request
// is not looked at for nothing.
func TestNextStallCheckIsNeverLate(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 11))
	base := time.Date(2026, 3, 27, 15, 30, 0, 0, time.UTC) // near a daylight-saving change
	zones := []*time.Location{time.UTC, time.FixedZone("UTC+14", 14*3600), time.FixedZone("UTC-12", -12*3600),
		time.FixedZone("UTC+8", 8*3600)}
	states := []RequestState{RequestDraft, RequestRequested, RequestAgreed,
		RequestDeclined, RequestCountered, RequestInProgress, RequestDelivered,
		RequestCancelled}
	tiers := []Tier{TierRequired, TierImportant, TierAlternative}
	maybeDays := func(max int) *int {
		if rng.IntN(3) == 0 {
			return nil
		}
		n := rng.IntN(max + 1)
		return &n
	}
	causes := []EscalationCause{CauseDeclined, CauseOverdue, CauseStale}
	for i := range 1500 {
		r := Request{State: states[rng.IntN(len(states))], Tier: tiers[rng.IntN(len(tiers))],
			LastActivityAt: base.Add(-time.Duration(rng.IntN(40*24)) * time.Hour)}
		if rng.IntN(4) > 0 {
			at := base.Add(-time.Duration(rng.IntN(20*24*60)) * time.Minute)
			r.AnsweredAt = &at
		}
		if rng.IntN(4) > 0 {
			due := time.Date(2026, 3, 1+rng.IntN(50), 0, 0, 0, 0, time.UTC) // as pgx reads a date
			r.DueDate = &due
		}
		o := EscalationOverrides{P0DeclinedDays: maybeDays(10), P0OverdueDays: maybeDays(5),
			P1DeclinedDays: maybeDays(10), P1OverdueDays: maybeDays(5), StaleFactor: maybeDays(3)}
		pol := o.Policy(r.Tier)
		cadence := 1 + rng.IntN(30)
		raised := map[EscalationCause]bool{}
		for _, c := range causes {
			raised[c] = rng.IntN(3) == 0
		}
		pending := func(now time.Time) []EscalationCause {
			var out []EscalationCause
			for _, c := range StalledCauses(r, cadence, pol, now) {
				if !raised[c] {
					out = append(out, c)
				}
			}
			return out
		}
		next := NextStallCheck(r, cadence, pol, raised)
		end := base.Add(200 * 24 * time.Hour)
		if next != nil {
			end = *next
		}
		for _, loc := range zones {
			for now := base.Add(-60 * 24 * time.Hour); now.Before(end); now = now.Add(97 * time.Minute) {
				if got := pending(now.In(loc)); len(got) > 0 {
					t.Fatalf("case %d: %v applies at %s, before the recheck %v\nrequest %+v\npolicy %+v raised %v cadence %d",
						i, got, now.In(loc), next, r, pol, raised, cadence)
				}
			}
			if next != nil && len(pending(next.Add(-time.Nanosecond).In(loc))) > 0 {
				t.Fatalf("case %d: a cause applies just before the recheck %v in %s", i, next, loc)
			}
		}
		// Not early for nothing: in UTC a cause applies within the overdue margin.
		if next != nil && len(pending(next.Add(14*time.Hour+time.Second))) == 0 {
			t.Fatalf("case %d: nothing applies 14 h after the recheck %v\nrequest %+v\npolicy %+v raised %v cadence %d",
				i, next, r, pol, raised, cadence)
		}
	}
}
