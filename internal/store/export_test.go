package store

import (
	"context"
	"time"

	"accord/internal/accord"
)

// PortfolioPageOf runs sql with PortfolioPage's parameters and reads its columns as
// PortfolioPage does: a test compares the portfolio with a statement that scores every
// project plainly.
func (s *Store) PortfolioPageOf(ctx context.Context, sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	return s.portfolioPage(ctx, sql, v, f, top, now)
}
