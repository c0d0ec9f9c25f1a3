package spine

import (
	"net/http"
	"strings"
)

// PublicBase is where people reach Accord, without a trailing slash: ACCORD_BASE_URL,
// else the scheme and host this request came in by.
func (s *Spine) PublicBase(r *http.Request) string {
	if s.Opts.BaseURL != "" {
		return strings.TrimRight(s.Opts.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// CalendarFeedURL is the private address of the calendar feed with this secret, as
// both faces hand it out once.
func (s *Spine) CalendarFeedURL(r *http.Request, secret string) string {
	return s.PublicBase(r) + "/calendar/" + secret + ".ics"
}
