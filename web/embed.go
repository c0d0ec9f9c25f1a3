// Package web holds what the browser receives: templ pages in web/ui, translations in
// web/i18n, and the stylesheet and vendored htmx in static/, embedded in the binary.
package web

import "embed"

// Static holds static/ (one stylesheet, htmx 2, the favicon).
//
//go:embed static
var Static embed.FS
