package ui

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"

	"accord/internal/accord"
)

// User text inside a translated sentence ("Zhang Wei asks your unit for “X” (Y).")
// is isolated on its own: a right-to-left override in X would otherwise reverse the
// rest of the sentence, which dir="auto" on the sentence's element cannot stop. The
// sentence is translated with a marker in place of each piece of user text, then
// written with each piece inside <bdi>. The words read the same (bdi adds no text).

// sentencePart is a piece of a sentence: fixed words, or user text to isolate.
type sentencePart struct {
	Text string
	User bool
}

// firstMarker is where the markers start: private-use characters, which no
// translation holds and which user text never reaches (each is replaced first).
const firstMarker = '\ue000'

// userTexts hands out markers for user text and splits a sentence back into parts.
type userTexts struct{ texts []string }

// mark returns a marker standing for s, or "" for empty s (so a fallback, such as
// the app's name for a missing actor, still applies).
func (u *userTexts) mark(s string) string {
	if s == "" {
		return ""
	}
	u.texts = append(u.texts, s)
	return string(firstMarker + rune(len(u.texts)-1))
}

// split cuts sentence at the markers.
func (u *userTexts) split(sentence string) []sentencePart {
	var parts []sentencePart
	var fixed strings.Builder
	for _, r := range sentence {
		if i := int(r - firstMarker); i >= 0 && i < len(u.texts) {
			if fixed.Len() > 0 {
				parts = append(parts, sentencePart{Text: fixed.String()})
				fixed.Reset()
			}
			parts = append(parts, sentencePart{Text: u.texts[i], User: true})
			continue
		}
		fixed.WriteRune(r)
	}
	if fixed.Len() > 0 {
		parts = append(parts, sentencePart{Text: fixed.String()})
	}
	return parts
}

// isolated writes parts: fixed words as text, user text inside <bdi>.
func isolated(parts []sentencePart) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, p := range parts {
			s := templ.EscapeString(p.Text)
			if p.User {
				s = "<bdi>" + s + "</bdi>"
			}
			if _, err := io.WriteString(w, s); err != nil {
				return err
			}
		}
		return nil
	})
}

// notificationParts is notificationText with its names, titles and reason marked as
// user text.
func notificationParts(ctx context.Context, n accord.Notification) []sentencePart {
	var u userTexts
	l := lang(ctx)
	user := func(zh, en *string, display string) {
		*zh, *en = u.mark(display), ""
	}
	user(&n.ActorName, &n.ActorNameEN, accord.User{Name: n.ActorName, NameEN: n.ActorNameEN}.DisplayName(l))
	user(&n.ActorForName, &n.ActorForNameEN, accord.User{Name: n.ActorForName, NameEN: n.ActorForNameEN}.DisplayName(l))
	user(&n.OnBehalfName, &n.OnBehalfNameEN, accord.User{Name: n.OnBehalfName, NameEN: n.OnBehalfNameEN}.DisplayName(l))
	user(&n.NeedTitle, &n.NeedTitleEN, accord.Need{Title: n.NeedTitle, TitleEN: n.NeedTitleEN}.DisplayTitle(l))
	user(&n.ProjectName, &n.ProjectNameEN, accord.Project{Name: n.ProjectName, NameEN: n.ProjectNameEN}.DisplayName(l))
	n.Reason = u.mark(typed(ctx, n.Reason))
	return u.split(n.Sentence(l, func(id string, data ...map[string]any) string { return t(ctx, id, data...) }))
}

// isolatedMarks writes s, whose user text the caller marked as isolated (FSI …
// PDI, as the history's sentences are), with each marked piece inside <bdi> and the
// marks themselves left out.
func isolatedMarks(s string) templ.Component { return isolated(markedParts(s)) }

// markedParts splits s at its outermost FSI … PDI pairs.
func markedParts(s string) []sentencePart {
	var parts []sentencePart
	var cur strings.Builder
	depth := 0
	flush := func(user bool) {
		if cur.Len() > 0 {
			parts = append(parts, sentencePart{Text: cur.String(), User: user})
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '\u2068' && depth == 0:
			flush(false)
			depth++
		case r == '\u2069' && depth == 1:
			flush(true)
			depth--
		default:
			if r == '\u2068' {
				depth++
			} else if r == '\u2069' && depth > 1 {
				depth--
			}
			cur.WriteRune(r)
		}
	}
	flush(depth > 0)
	return parts
}

// userText marks a value of a translated sentence as user text (a name, a title):
// tUser writes it inside <bdi>, tFSI between FSI and PDI.
type userText string

// tUser translates id with data, writing each userText value inside <bdi>; the
// other values and the words stay as t writes them.
func tUser(ctx context.Context, id string, data map[string]any) templ.Component {
	var u userTexts
	marked := make(map[string]any, len(data))
	for k, v := range data {
		if s, ok := v.(userText); ok {
			v = u.mark(string(s))
		}
		marked[k] = v
	}
	return isolated(u.split(t(ctx, id, marked)))
}

// tFSI is tUser for places that hold no markup (<option>, <title>, an SVG's
// <title> and <text>): each userText value sits between FSI and PDI.
func tFSI(ctx context.Context, id string, data map[string]any) string {
	marked := make(map[string]any, len(data))
	for k, v := range data {
		if s, ok := v.(userText); ok && s != "" {
			v = fsi(string(s))
		}
		marked[k] = v
	}
	return t(ctx, id, marked)
}

// fsi isolates s between FSI and PDI, for text that cannot hold <bdi>.
func fsi(s string) string { return accord.Isolate(s) }
