package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestHistoryNamesEachRequestStep: a request's steps in the project's history say which
// need and unit, and the state they left and reached, in the reader's language, as
// recorded at the time — a unit renamed later does not rewrite them.
func TestHistoryNamesEachRequestStep(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	smart := b.wbProject(t, "Smart service upgrade")
	sent := b.escSendSmart(t, *b.now)
	it := sent["IT"]
	it, err := b.st.ActOnRequest(ctx, b.escViewer(t, "it@accord.demo"), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}, *b.now)
	require.NoError(t, err)
	_, err = b.st.Escalate(ctx, b.escViewer(t, "aftersales@accord.demo"), it.ID, "需要决定", "", 3, *b.now)
	require.NoError(t, err)
	it = b.rqRequest(t, it.ID)
	_, err = b.st.ActOnRequest(ctx, b.escViewer(t, "aftersales@accord.demo"), it.ID, it.Version, accord.ActionResend,
		accord.RequestInput{}, *b.now)
	require.NoError(t, err)
	unit := b.units(t)["IT"]
	_, err = b.st.RenameUnit(ctx, 0, unit.ID, unit.Version, "信息中心", "IT centre")
	require.NoError(t, err)

	c := b.login(t, "aftersales@accord.demo")
	resp := c.get(wbPath(smart, "/history"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	summaries := resp.wbTexts(`[data-testid="history-summary"]`)
	require.Equal(t, "Moved “CRM system development” (IT) from Declined to Requested", summaries[0])
	require.Equal(t, "Took “CRM system development” (IT) to a shared superior", summaries[1])
	require.Equal(t, "Moved “CRM system development” (IT) from Requested to Declined", summaries[2])
	require.Contains(t, summaries, "Sent “CRM system development” to IT")
	require.NotContains(t, summaries, "Moved a request on")
	require.NotContains(t, summaries, "Sent a request")
	require.Contains(t, resp.wbTexts(`[data-testid="history-change"]`), "What stands in the way?: Too busy right now")
	require.Contains(t, resp.wbTexts(`[data-testid="history-change"]`), "In your words: 本季度排期已满")

	c.lang = "zh-CN"
	resp = c.get(wbPath(smart, "/history"))
	summaries = resp.wbTexts(`[data-testid="history-summary"]`)
	require.Equal(t, "将“客户管理系统开发”（信息技术部）从已婉拒改为已发出", summaries[0])
	require.Contains(t, summaries, "向信息技术部发出“客户管理系统开发”")
}
