package spine

import (
	"context"
	"errors"
	"maps"
	"time"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// BriefTranslator adapts the reader's localizer to the one internal/brief takes.
func BriefTranslator(ctx context.Context) func(string, map[string]any) string {
	return func(id string, data map[string]any) string {
		if data == nil {
			return i18n.T(ctx, id)
		}
		return i18n.T(ctx, id, data)
	}
}

// TypedText gives text people typed in the reader's language when its translation
// is known (i18n.Text), for the brief.
func TypedText(ctx context.Context) func(string) string {
	return func(s string) string { return i18n.Text(ctx, s) }
}

// RequestErrorText says a request refusal in the reader's language, with the state it
// names translated and a time in the reader's zone.
func RequestErrorText(ctx context.Context, err error) string {
	var e *accord.Error
	if !errors.As(err, &e) {
		return i18n.T(ctx, "error_invalid_form")
	}
	data := maps.Clone(e.Data)
	if st, ok := data["State"].(string); ok {
		data["State"] = i18n.T(ctx, accord.RequestState(st).MessageID())
	}
	if at, ok := data["At"].(time.Time); ok {
		data["At"] = ui.FormatTime(ctx, at)
	}
	if data == nil {
		return i18n.T(ctx, e.MessageID)
	}
	return i18n.T(ctx, e.MessageID, data)
}
