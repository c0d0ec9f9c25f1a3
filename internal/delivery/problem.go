package delivery

import (
	"regexp"
	"strings"

	"accord/internal/accord"
)

// Problem is a failed delivery said for a person: the id of a message that says what
// went wrong and what to do, and the data it names. The error's own text stays the
// technical detail, in English, for logs and for whoever reads it to the platform.
type Problem struct {
	ID       string
	Platform accord.WebhookPlatform // "" when the problem names none
	Status   string                 // the HTTP status or the platform's error code
	Detail   string                 // the address refused
}

// The shapes of the errors this package returns (Post, the dial guard, Mailer.Send),
// read back from their text: a delivery record keeps only the text.
var (
	problemRefusedAddress = regexp.MustCompile(`webhook address not allowed: (\S+)`)
	problemHTTP           = regexp.MustCompile(`^(\w+) answered HTTP (\d+)`)
	problemPlatform       = regexp.MustCompile(`^(\w+) refused the message: (?:code|errcode) (-?\d+)`)
	problemPost           = regexp.MustCompile(`^post to (\w+): `)
)

// ProblemOf says what a delivery error, or the text a delivery record keeps of one,
// means. An error this package does not recognise is "delivery_problem_other".
func ProblemOf(text string) Problem {
	var p Problem
	if m := problemPost.FindStringSubmatch(text); m != nil {
		p.Platform = accord.WebhookPlatform(m[1])
	}
	switch m := problemRefusedAddress.FindStringSubmatch(text); {
	case m != nil && strings.Contains(text, "private network"):
		p.ID, p.Detail = "delivery_problem_private_address", m[1]
		return p
	case m != nil:
		p.ID, p.Detail = "delivery_problem_address", m[1]
		return p
	case strings.Contains(text, "the webhook URL cannot be used"):
		p.ID = "delivery_problem_url"
		return p
	case strings.Contains(text, "unknown webhook platform"):
		p.ID = "delivery_problem_unknown_platform"
		return p
	}
	if m := problemHTTP.FindStringSubmatch(text); m != nil {
		p.ID, p.Platform, p.Status = "delivery_problem_http", accord.WebhookPlatform(m[1]), m[2]
		return p
	}
	if m := problemPlatform.FindStringSubmatch(text); m != nil {
		p.ID, p.Platform, p.Status = "delivery_problem_refused", accord.WebhookPlatform(m[1]), m[2]
		return p
	}
	switch {
	case p.Platform != "" && (strings.Contains(text, "Timeout") || strings.Contains(text, "deadline exceeded") ||
		strings.Contains(text, "i/o timeout")):
		p.ID = "delivery_problem_timeout"
	case p.Platform != "" && strings.Contains(text, "no such host"):
		p.ID = "delivery_problem_host"
	case p.Platform != "" && strings.Contains(text, "connection refused"):
		p.ID = "delivery_problem_connection_refused"
	case p.Platform != "" && (strings.Contains(text, "tls:") || strings.Contains(text, "x509:")):
		p.ID = "delivery_problem_tls"
	case p.Platform != "":
		p.ID = "delivery_problem_network"
	case strings.HasPrefix(text, "email"):
		p.ID = "delivery_problem_email"
	default:
		p.ID = "delivery_problem_other"
	}
	return p
}
