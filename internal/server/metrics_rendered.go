package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"accord/internal/server/pages"
)

// renderedCollector counts the views of each page kept rendered by how they were
// answered: served as kept, served after waiting for another request drawing the same
// page, or drawn afresh. The share drawn afresh is what the database is asked for.
type renderedCollector struct {
	counts func() map[string]pages.RenderedCounts
	views  *prometheus.Desc
}

// RegisterRenderedPages adds the counts of kept pages' views to the metrics.
func (m *Metrics) RegisterRenderedPages(counts func() map[string]pages.RenderedCounts) {
	m.registry.MustRegister(&renderedCollector{counts: counts, views: prometheus.NewDesc("accord_rendered_page_views_total",
		"Views of the pages kept rendered, by page and by how they were answered: kept, waited (for another request drawing it), drawn (afresh).",
		[]string{"page", "outcome"}, nil)})
}

// Describe sends the collector's one descriptor.
func (c *renderedCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.views }

// Collect reads the counts, which are kept in memory: no query.
func (c *renderedCollector) Collect(ch chan<- prometheus.Metric) {
	for page, n := range c.counts() {
		for outcome, v := range map[string]uint64{"kept": n.Kept, "waited": n.Waited, "drawn": n.Drawn} {
			ch <- prometheus.MustNewConstMetric(c.views, prometheus.CounterValue, float64(v), page, outcome)
		}
	}
}
