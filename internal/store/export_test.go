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
	read, _, err := s.portfolioPage(ctx, s.queryCustomPlan, sql, v, f, top, now)
	return read.Rows, read.Total, read.Goals, err
}

// PortfolioReadOf is PortfolioPageOf with what else it reads (its Quiet).
func (s *Store) PortfolioReadOf(ctx context.Context, sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) (PortfolioRead, error) {
	read, _, err := s.portfolioPage(ctx, s.queryCustomPlan, sql, v, f, top, now)
	return read, err
}

// PortfolioPageGenericOf is PortfolioPageOf under sql's generic plan.
func (s *Store) PortfolioPageGenericOf(ctx context.Context, sql string, v accord.Viewer, f PortfolioFilter, top int, now time.Time) ([]accord.PortfolioRow, int, []accord.GoalRollup, error) {
	read, _, err := s.portfolioPage(ctx, s.queryGenericPlan, sql, v, f, top, now)
	return read.Rows, read.Total, read.Goals, err
}

// SetPortfolioDenseScope sets the scope size above which the portfolio walks its rank
// indexes: a test runs both ways on small worlds.
func (s *Store) SetPortfolioDenseScope(n int) { s.portfolioDenseScope = n }

// SetFewSeen sets how many projects a narrow sight sees at most to count as few (its
// lists then read their rows from the projects' keys): a test runs both ways.
func (s *Store) SetFewSeen(n int) { s.fewSeen = n }

// Seen is what a probe read of the session's user: their row, stamp and unread count.
func (p *SessionProbe) Seen() (accord.User, int64, int) { return p.user, p.stamp, p.unread }

// KeepsSessions reports whether the store answers sessions from what it keeps: its
// listener is connected and heard from PostgreSQL lately.
func (s *Store) KeepsSessions() bool {
	s.sessionCache.mu.Lock()
	defer s.sessionCache.mu.Unlock()
	return s.sessionCache.serving(time.Now())
}

// QuietAfter is quietAfter, for a test to hold it to the condition it bounds.
func QuietAfter(at, days string) string { return quietAfter(at, days) }

// PortfolioClockSpan is portfolioClockSpan, the window a test holds quietAfter's order to.
const PortfolioClockSpan = portfolioClockSpan

// SightKept reports whether a project sight is kept for the user (sightIn).
func (s *Store) SightKept(userID int64) bool { return s.sights.kept(userID) }
