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

func init() {
	addPolicies(map[string]policy{"POST /settings/time-zone": signedIn})
}

// selectedZone is the time zone the settings form shows as chosen.
func (r response) selectedZone() string {
	return r.doc.Find(`#time-zone option[selected]`).AttrOr("value", "(none)")
}

// TestTimesShowInTheViewersZone covers the time zone setting end to end: times are
// shown in the company's zone until a person chooses their own, always with the zone
// named; a zone not offered is refused in the reader's language with the choice kept.
func TestTimesShowInTheViewersZone(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	b := setupWith(t, func(o *server.Options) { o.Location = shanghai })
	ctx := context.Background()
	// Friday 23:30 UTC: Saturday morning in Shanghai, Friday evening in New York.
	at := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	*b.now = at
	u := b.user(t, "aftersales@accord.demo")
	_, _, err = b.st.CreateToken(ctx, u.ID, u.ID, "weekly BI export", at)
	require.NoError(t, err)
	c := b.login(t, "aftersales@accord.demo")

	// The company's zone by default, named.
	page := c.get("/settings/tokens")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Your settings", page.textOf("h1"))
	require.Equal(t, "", page.selectedZone())
	require.Equal(t, "The company's time zone (Asia/Shanghai)", page.textOf(`#time-zone option[value=""]`))
	require.Equal(t, "2026-11-28 07:30 (Asia/Shanghai)", page.textOf(`[data-testid="token"] td.small time`))
	require.Contains(t, page.text("time-zone-now"), "now is 2026-11-28 07:30 (Asia/Shanghai)")

	// The person's own choice: saved, then every time is shown in it.
	resp := c.post("/settings/time-zone", url.Values{"time_zone": {"America/New_York"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/settings/tokens", resp.Header.Get("Location"))
	page = c.get("/settings/tokens")
	require.Contains(t, page.text("flash"), "Times are now shown in America/New_York.")
	require.Equal(t, "America/New_York", page.selectedZone())
	require.Equal(t, "2026-11-27 18:30 (America/New_York)", page.textOf(`[data-testid="token"] td.small time`))
	saved, err := b.st.User(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, "America/New_York", saved.TimeZone)

	// A zone not offered is refused, the choice kept, in English and in Chinese.
	resp = c.post("/settings/time-zone", url.Values{"time_zone": {"Mars/Olympus"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Mars/Olympus", resp.selectedZone())
	require.Equal(t, "true", resp.attrOf(`#time-zone`, "aria-invalid"))
	require.Equal(t, "Choose one of the listed time zones.", resp.textOf(`#time-zone-error`))
	c.lang = "zh-CN"
	resp = c.post("/settings/time-zone", url.Values{"time_zone": {"Europe/Madrid"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Europe/Madrid", resp.selectedZone())
	require.Equal(t, "请从列表中选择一个时区。", resp.textOf(`#time-zone-error`))
	require.Equal(t, "我的设置", resp.textOf("h1"))
	require.Equal(t, "2026-11-27 18:30（America/New_York）", resp.textOf(`[data-testid="token"] td.small time`),
		"the refused choice changed nothing")
	saved, err = b.st.User(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, "America/New_York", saved.TimeZone)

	// Back to the company's zone.
	require.Equal(t, http.StatusSeeOther, c.post("/settings/time-zone", url.Values{"time_zone": {""}}).StatusCode)
	page = c.get("/settings/tokens")
	require.Contains(t, page.text("flash"), "时间现按 Asia/Shanghai 显示。")
	require.Equal(t, "", page.selectedZone())
	require.Equal(t, "2026-11-28 07:30（Asia/Shanghai）", page.textOf(`[data-testid="token"] td.small time`))
	saved, err = b.st.User(ctx, u.ID)
	require.NoError(t, err)
	require.Equal(t, "", saved.TimeZone)
}

// TestTodayIsTheCompanysDay checks that "today" is read on the company's calendar,
// whatever zone the server's clock runs in: at Friday 23:30 UTC it is already
// Saturday in Shanghai, so a promise due on Friday is overdue there and not yet in UTC.
func TestTodayIsTheCompanysDay(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	friday := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		zone    *time.Location
		overdue bool
	}{{shanghai, true}, {time.UTC, false}} {
		t.Run(tt.zone.String(), func(t *testing.T) {
			t.Parallel()
			b := setupWith(t, func(o *server.Options) { o.Location = tt.zone })
			*b.now = time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
			smart := b.demoProject(t, "Smart service upgrade")
			lead := b.user(t, "aftersales@accord.demo")
			_, err := b.st.CreateCommitment(context.Background(), lead.ID, smart.ID, accord.CommitmentInput{
				UnitID: b.units(t)["IT"].ID, What: "due on Friday", DueDate: &friday, Status: accord.CommitmentOpen})
			require.NoError(t, err)
			body := b.api(t, "aftersales@accord.demo").get("/projects/"+idStr(smart.ID)+"/commitments").expect(t, http.StatusOK)
			found := false
			for _, item := range body["commitments"].([]any) {
				if c := item.(map[string]any); c["what"] == "due on Friday" {
					found = true
					require.Equal(t, tt.overdue, c["overdue"])
				}
			}
			require.True(t, found)
		})
	}
}
