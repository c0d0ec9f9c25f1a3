package store

import (
	"context"
	"fmt"

	"accord/internal/accord"
)

// DecisionHourBuckets are the upper bounds, in hours, of the time-to-decision
// histogram: from an hour through a day, the default window of three working days
// across a weekend (120), a week, a fortnight and a month.
func DecisionHourBuckets() []float64 { return []float64{1, 4, 8, 24, 48, 72, 120, 168, 336, 720} }

// EscalationCount is how many escalations of one cause stand in one status.
type EscalationCount struct {
	Cause  accord.EscalationCause
	Status accord.EscalationStatus
	Count  int64
}

// EscalationStats are the escalation measures /metrics exposes.
type EscalationStats struct {
	Counts []EscalationCount // only the pairs that occur
	// Hours from raising to the binding decision, over decided escalations (sent back
	// is not decided): cumulative counts per bound of DecisionHourBuckets, how many
	// were decided and the sum of their hours.
	DecisionBuckets []uint64
	Decided         uint64
	DecisionHours   float64
}

// EscalationStats counts escalations by cause and status and measures the time to
// decision, in one query; the histogram's buckets are counted in SQL so nothing
// grows with the number of escalations.
func (s *Store) EscalationStats(ctx context.Context) (EscalationStats, error) {
	var st EscalationStats
	var causes, statuses []string
	var counts []int64
	var buckets []int64
	var decided int64
	err := s.pool.QueryRow(ctx, `WITH counts AS (
			SELECT cause, status, count(*) AS n FROM escalations GROUP BY cause, status
		), decided AS (
			-- A lead's direct decision never waited for anyone: it is not a time to decide.
			SELECT extract(epoch FROM decided_at - created_at) / 3600 AS hours
			FROM escalations WHERE status = 'decided' AND decided_at IS NOT NULL AND NOT direct
		)
		SELECT
			ARRAY(SELECT cause FROM counts ORDER BY cause, status),
			ARRAY(SELECT status FROM counts ORDER BY cause, status),
			ARRAY(SELECT n FROM counts ORDER BY cause, status),
			ARRAY(SELECT count(d.hours) FROM unnest($1::float8[]) WITH ORDINALITY AS b(le, i)
				LEFT JOIN decided d ON d.hours <= b.le GROUP BY b.i ORDER BY b.i),
			(SELECT count(*) FROM decided),
			(SELECT COALESCE(sum(hours), 0)::float8 FROM decided)`, DecisionHourBuckets()).
		Scan(&causes, &statuses, &counts, &buckets, &decided, &st.DecisionHours)
	if err != nil {
		return EscalationStats{}, fmt.Errorf("store: escalation stats: %w", err)
	}
	for i := range causes {
		st.Counts = append(st.Counts, EscalationCount{Cause: accord.EscalationCause(causes[i]),
			Status: accord.EscalationStatus(statuses[i]), Count: counts[i]})
	}
	st.DecisionBuckets = make([]uint64, len(buckets))
	for i, n := range buckets {
		st.DecisionBuckets[i] = uint64(n)
	}
	st.Decided = uint64(decided)
	return st, nil
}
