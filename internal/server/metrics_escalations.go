package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"accord/internal/accord"
	"accord/internal/store"
)

// escalationStatsSource is the store work a scrape does.
type escalationStatsSource interface {
	EscalationStats(ctx context.Context) (store.EscalationStats, error)
}

// escalationCollector reads the escalation measures from the database at scrape
// time, so every instance reports the same numbers whichever one raised or decided.
type escalationCollector struct {
	st       escalationStatsSource
	log      *slog.Logger
	timeout  time.Duration
	count    *prometheus.Desc
	decision *prometheus.Desc
	up       *prometheus.Desc
}

// RegisterEscalations adds the escalation measures to the registry: how many
// escalations stand in each cause and status, and the hours from raising to decision.
func (m *Metrics) RegisterEscalations(st escalationStatsSource, logger *slog.Logger) {
	m.registry.MustRegister(&escalationCollector{
		st:      st,
		log:     logger,
		timeout: 5 * time.Second,
		count: prometheus.NewDesc("accord_escalations",
			"Escalations by cause (manual, declined, overdue, stale) and current status (open, sent_back, decided).",
			[]string{"cause", "status"}, nil),
		decision: prometheus.NewDesc("accord_escalation_decision_hours",
			"Hours from raising an escalation to the superior's binding decision.", nil, nil),
		up: prometheus.NewDesc("accord_escalation_stats_up",
			"1 when the escalation measures could be read from the database at this scrape, else 0.", nil, nil),
	})
}

// Describe sends the collector's fixed descriptors.
func (c *escalationCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.decision
	ch <- c.up
}

// Collect runs one aggregate query. A database that does not answer leaves the
// escalation series out and reports up=0, so the rest of /metrics still scrapes.
func (c *escalationCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.st.EscalationStats(ctx)
	if err != nil {
		c.log.Warn("metrics: escalation stats", "err", err)
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	// Every cause and status, zeros included, so each series exists from the start.
	counts := map[accord.EscalationCause]map[accord.EscalationStatus]int64{}
	for _, n := range st.Counts {
		if counts[n.Cause] == nil {
			counts[n.Cause] = map[accord.EscalationStatus]int64{}
		}
		counts[n.Cause][n.Status] += n.Count
	}
	for _, cause := range accord.EscalationCauses() {
		for _, status := range []accord.EscalationStatus{accord.EscalationOpen, accord.EscalationSentBack, accord.EscalationDecided} {
			ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(counts[cause][status]),
				string(cause), string(status))
		}
	}
	buckets := map[float64]uint64{}
	for i, le := range store.DecisionHourBuckets() {
		if i < len(st.DecisionBuckets) {
			buckets[le] = st.DecisionBuckets[i]
		}
	}
	ch <- prometheus.MustNewConstHistogram(c.decision, st.Decided, st.DecisionHours, buckets)
}
