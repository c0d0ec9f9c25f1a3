package store

import (
	"context"
	"time"

	"accord/internal/accord"
)

// The portfolio's two statements, for a test to run each.
var (
	PortfolioWalkedSQL = portfolioWalkedSQL
	PortfolioSortedSQL = portfolioSortedSQL
)

// PortfolioPageOf runs sql, planned for its parameters, with PortfolioPage's
// parameters and reads its columns as PortfolioPage does: a test compares the
// portfolio's statements with one that scores every project plainly.
func (s *Store) PortfolioPageOf(ctx context.Context, sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	rows, total, goals, _, err := s.portfolioPage(ctx, s.queryCustomPlan, sql, v, f, top, now)
	return rows, total, goals, err
}

// PortfolioPageGenericOf is PortfolioPageOf under sql's generic plan.
func (s *Store) PortfolioPageGenericOf(ctx context.Context, sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	rows, total, goals, _, err := s.portfolioPage(ctx, s.queryGenericPlan, sql, v, f, top, now)
	return rows, total, goals, err
}

// SetPortfolioDenseScope sets the scope size above which the portfolio walks its rank
// indexes: a test runs both ways on small worlds.
func (s *Store) SetPortfolioDenseScope(n int) { s.portfolioDenseScope = n }

// SetFewSeen sets how many projects a narrow sight sees at most to count as few (its
// lists then read their rows from the projects' keys): a test runs both ways.
func (s *Store) SetFewSeen(n int) { s.fewSeen = n }
