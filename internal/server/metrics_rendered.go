package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"accord/internal/server/pages"
)

// RegisterRenderedPages counts the views of the pages kept rendered by how they were
// answered: served as kept, served after waiting for another request drawing the same
// page, or drawn afresh. The share drawn afresh is what the database is asked for.
func (m *Metrics) RegisterRenderedPages(counts func() pages.RenderedCounts) {
	for outcome, read := range map[string]func(pages.RenderedCounts) uint64{
		"kept":   func(c pages.RenderedCounts) uint64 { return c.Kept },
		"waited": func(c pages.RenderedCounts) uint64 { return c.Waited },
		"drawn":  func(c pages.RenderedCounts) uint64 { return c.Drawn },
	} {
		m.registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "accord_rendered_page_views_total",
			Help:        "Views of the pages kept rendered, by how they were answered: kept, waited (for another request drawing it), drawn (afresh).",
			ConstLabels: prometheus.Labels{"outcome": outcome},
		}, func() float64 { return float64(read(counts())) }))
	}
}
