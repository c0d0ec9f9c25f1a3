package ui

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/web/i18n"
)

func TestFormatTime(t *testing.T) {
	t.Parallel()
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		require.NoError(t, err)
		return loc
	}
	// Friday 23:30 UTC: already Saturday morning in Shanghai, still Friday evening in New York.
	at := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		lang    string
		loc     *time.Location // nil: none on the context
		want    string
		wantDay string
	}{
		{"English, Shanghai", i18n.English, zone("Asia/Shanghai"), "2026-11-28 07:30 (Asia/Shanghai)", "2026-11-28"},
		{"Chinese, Shanghai", i18n.Chinese, zone("Asia/Shanghai"), "2026-11-28 07:30（Asia/Shanghai）", "2026-11-28"},
		{"English, New York", i18n.English, zone("America/New_York"), "2026-11-27 18:30 (America/New_York)", "2026-11-27"},
		{"Chinese, Berlin", i18n.Chinese, zone("Europe/Berlin"), "2026-11-28 00:30（Europe/Berlin）", "2026-11-28"},
		{"no zone on the context is UTC, named", i18n.English, nil, "2026-11-27 23:30 (UTC)", "2026-11-27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(tt.lang))
			if tt.loc != nil {
				ctx = WithLocation(ctx, tt.loc)
			}
			require.Equal(t, tt.want, FormatTime(ctx, at))
			require.Equal(t, tt.wantDay, FormatDay(ctx, at))
			// The moment's own zone does not matter, only the reader's.
			require.Equal(t, tt.want, FormatTime(ctx, at.In(zone("Asia/Tokyo"))))
		})
	}
}
