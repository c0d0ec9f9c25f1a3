package i18n

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFilledMessagesReadAsGoI18nRendersThem: every message filled without go-i18n
// reads, for text and numbers, with and without a count (1, -1 and others, int and
// int64), exactly as go-i18n renders it; what fill cannot render exactly it leaves
// to go-i18n; and nearly every message that takes data is filled.
func TestFilledMessagesReadAsGoI18nRendersThem(t *testing.T) {
	b, err := NewBundle()
	require.NoError(t, err)
	for _, lang := range []string{Chinese, English} {
		l := b.Localizer(lang)
		withData, filled, singular := 0, 0, 0
		for _, id := range b.MessageIDs(lang) {
			f, ok := b.filled[lang][id]
			if !ok {
				continue
			}
			var fields []string
			for _, p := range append(append([]piece{}, f.other...), f.one...) {
				if p.field {
					fields = append(fields, p.text)
				}
			}
			if len(fields) > 0 {
				withData++
			}
			if f.one != nil {
				singular++
			}
			for _, value := range []any{"«文字 text»", 7, int64(12)} {
				for _, count := range []any{nil, 0, 1, 2, -1, -3, int64(1), int64(-1), int64(5), "1"} {
					data := map[string]any{}
					for _, name := range fields {
						data[name] = value
					}
					if count != nil {
						data["Count"] = count
					}
					got, ok := f.fill(lang, data)
					if !ok {
						continue
					}
					filled++
					require.Equal(t, l.localize(id, data), got, "%s %s, data %v", lang, id, data)
				}
			}
			// A name missing from the data is left to go-i18n.
			if len(fields) > 0 {
				_, ok := f.fill(lang, map[string]any{})
				require.False(t, ok, "%s %s without its data", lang, id)
			}
		}
		require.Greater(t, withData, 300, "%s: messages with data filled without go-i18n", lang)
		require.Greater(t, filled, withData, "%s: renderings compared", lang)
		if lang == English {
			require.Greater(t, singular, 20, "English messages with a singular form")
		}
	}
	en, zh := b.Localizer(English), b.Localizer(Chinese)
	require.Equal(t, "Asked for: X", en.T("rq_counter_scope_hint", map[string]any{"Scope": "X"}))
	require.Contains(t, b.filled[English], "rq_counter_scope_hint")
	require.Equal(t, zh.localize("rq_counter_scope_hint", map[string]any{"Scope": 3.5}),
		zh.T("rq_counter_scope_hint", map[string]any{"Scope": 3.5}), "a value of another type, through go-i18n")
}
