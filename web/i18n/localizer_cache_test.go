package i18n

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSharedLocalizerGivesWhatGoI18nGives: the localizer is shared and remembers the
// messages asked for without data; every message, asked twice, reads as go-i18n
// renders it, in its own language, and data still reaches the messages that take it.
func TestSharedLocalizerGivesWhatGoI18nGives(t *testing.T) {
	b, err := NewBundle()
	require.NoError(t, err)
	for _, lang := range []string{Chinese, English} {
		l := b.Localizer(lang)
		require.Same(t, l, b.Localizer(lang), "one localizer per language")
		for _, id := range b.MessageIDs(lang) {
			want := l.localize(id, nil)
			require.Equal(t, want, l.T(id), id)
			require.Equal(t, want, l.T(id), "%s, remembered", id)
		}
	}
	require.NotEqual(t, b.Localizer(Chinese).T("nav_home"), b.Localizer(English).T("nav_home"),
		"each language remembers its own words")
	require.Equal(t, "missing_id", b.Localizer(English).T("missing_id"))

	en := b.Localizer(English)
	require.Equal(t, "Asked for: X", en.T("rq_counter_scope_hint", map[string]any{"Scope": "X"}))
	require.Equal(t, "Asked for: Y", en.T("rq_counter_scope_hint", map[string]any{"Scope": "Y"}), "data is never remembered")

	// Content taught after the localizer was handed out still reaches English readers.
	b.AddContent(map[string]string{"售后": "After-sales"})
	require.Equal(t, "After-sales", en.Text("售后"))
	require.Equal(t, "售后", b.Localizer(Chinese).Text("售后"))
}
