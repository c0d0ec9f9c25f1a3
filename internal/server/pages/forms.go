package pages

import (
	"accord/internal/server/spine"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Form readers shared by every handler. Each returns ok=false when the field holds
// something that is not a value of its kind, so the form can say so and keep the text.

// formDate reads an optional date; empty is nil.
func formDate(r *http.Request, name string) (*time.Time, bool) {
	return spine.ParseDate(r.FormValue(name))
}

// formOptionalID reads an optional positive id; empty or "0" is nil.
func formOptionalID(r *http.Request, name string) (*int64, bool) {
	raw := strings.TrimSpace(r.FormValue(name))
	if raw == "" {
		return nil, true
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err != nil || n < 0:
		return nil, false
	case n == 0: // "0", "00": the "none" option of a select
		return nil, true
	}
	return &n, true
}

// formFloat reads an optional decimal number; empty is 0.
func formFloat(r *http.Request, name string) (float64, bool) {
	raw := strings.TrimSpace(r.FormValue(name))
	if raw == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(raw, 64)
	return f, err == nil
}

// formInt reads an optional integer; empty is 0.
func formInt(r *http.Request, name string) (int, bool) {
	raw := strings.TrimSpace(r.FormValue(name))
	if raw == "" {
		return 0, true
	}
	n, err := strconv.Atoi(raw)
	return n, err == nil
}

// formLines splits a textarea into its non-empty lines.
func formLines(r *http.Request, name string) []string {
	var out []string
	for _, line := range strings.Split(r.FormValue(name), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// isHTMX reports whether htmx sent the request, so a fragment answers instead of a page.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }
