package server_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/server"
)

// TestMetricsCountEscalationsAndTimeToDecision raises one escalation, has the CEO
// decide it 30 hours later, and reads both measures from /metrics.
func TestMetricsCountEscalationsAndTimeToDecision(t *testing.T) {
	b := setup(t)
	before := b.metrics(t)
	require.Contains(t, before, `accord_escalation_stats_up 1`)
	require.Contains(t, before, `accord_escalations{cause="declined",status="open"} 0`, "every series exists from the start")
	require.Contains(t, before, `accord_escalation_decision_hours_count 0`)

	_, e := b.escStalledCRM(t)
	due := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)
	_, err := b.st.Decide(context.Background(), b.escViewer(t, "ceo@accord.demo"), e.ID, e.Version, accord.DecisionInput{
		Kind: accord.DecideDirect, Note: "数字化转型优先", DueDate: &due}, e.CreatedAt.Add(30*time.Hour))
	require.NoError(t, err)

	after := b.metrics(t)
	for _, line := range []string{
		`accord_escalations{cause="declined",status="decided"} 1`,
		`accord_escalations{cause="declined",status="open"} 0`,
		`accord_escalations{cause="manual",status="open"} 0`,
		`accord_escalations{cause="stale",status="decided"} 0`,
		`accord_escalation_decision_hours_bucket{le="24"} 0`,
		`accord_escalation_decision_hours_bucket{le="48"} 1`,
		`accord_escalation_decision_hours_bucket{le="+Inf"} 1`,
		`accord_escalation_decision_hours_sum 30`,
		`accord_escalation_decision_hours_count 1`,
	} {
		require.Contains(t, after, line)
	}
}

// TestMetricsSurviveAnUnreachableDatabase closes the pool: the escalation measures
// report up=0 and the rest of /metrics still answers.
func TestMetricsSurviveAnUnreachableDatabase(t *testing.T) {
	b := setup(t)
	b.st.Pool().Close()
	body := b.metrics(t)
	require.Contains(t, body, `accord_escalation_stats_up 0`)
	require.NotContains(t, body, `accord_escalations{`)
	require.Contains(t, body, `go_goroutines`)
}

// TestDecisionWindowComesFromTheOptions escalates by hand on a server configured for a
// five-day window (ACCORD_DECISION_WINDOW_DAYS=5).
func TestDecisionWindowComesFromTheOptions(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(o *server.Options) { o.DecisionWindowDays = 5 })
	monday := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	*b.now = monday
	ads := b.escSendOne(t, "Inventory car promotion", "Marketing", monday)
	resp := b.login(t, "sales@accord.demo").post(escalatePath(ads), url.Values{"reason": {"宣传排期冲突"}, "brief": {"请指导。"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-error"))
	list, _, err := b.st.EscalationsAssigned(context.Background(), b.user(t, "ops@accord.demo").ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, monday.AddDate(0, 0, 7), list[0].WindowDueAt.UTC(), "five working days from Monday is the next Monday")
}

// TestMetricsCountHowKeptPagesWereAnswered: the first view of an inbox draws it, the
// second is served as kept, and /metrics says so.
func TestMetricsCountHowKeptPagesWereAnswered(t *testing.T) {
	b := setup(t)
	require.Contains(t, b.metrics(t), `accord_rendered_page_views_total{outcome="drawn",page="portfolio"} 0`,
		"every series exists from the start")
	it := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusOK, it.get("/inbox").StatusCode)
	require.Equal(t, http.StatusOK, it.get("/inbox").StatusCode)
	after := b.metrics(t)
	for _, line := range []string{
		`accord_rendered_page_views_total{outcome="drawn",page="inbox"} 1`,
		`accord_rendered_page_views_total{outcome="kept",page="inbox"} 1`,
		`accord_rendered_page_views_total{outcome="waited",page="inbox"} 0`,
		`accord_rendered_page_views_total{outcome="drawn",page="workbook"} 0`,
	} {
		require.Contains(t, after, line)
	}
}
