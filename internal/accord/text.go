package accord

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one rule for text a person types, whichever face it comes through: a form, the
// JSON API or an organisation file. Every text field is checked by TextProblem with
// its TextRule, so the same input gets the same problem on every face; a field with
// its own syntax (a unit code, a file name, a webhook secret) checks that on top.
//
// Right-to-left and other bidirectional formatting characters are not refused:
// Arabic and Hebrew need them. The pages isolate user text instead (<bdi>,
// dir="auto" in web/ui).

// TextRule is what one field's text must be.
type TextRule struct {
	// Max is the most characters (runes) the text may have; 0 for no limit.
	Max int
	// Multiline allows line breaks and tabs; other control characters are refused
	// either way.
	Multiline bool
	// Required refuses empty text (callers trim first).
	Required bool
	// TooLong is the message for text over Max; "" means field_text_too_long.
	TooLong string
}

// Rules of the common kinds of field.
var (
	// NameText is a name of a person, unit or project, or a title: one line.
	NameText = TextRule{Max: MaxNameLength, TooLong: "field_too_long"}
)

// LineText is free text of up to limit characters, line breaks allowed.
func LineText(limit int) TextRule { return TextRule{Max: limit, Multiline: true} }

// TextProblem names what is wrong with s under rule, or "" when nothing is: it is
// required and empty; it is not valid UTF-8 or holds NUL or another control
// character (C0, DEL, C1; line breaks and tabs only where Multiline); it runs over
// Max characters.
func TextProblem(s string, rule TextRule) string {
	switch {
	case s == "" && rule.Required:
		return "field_required"
	case !utf8.ValidString(s) || strings.ContainsFunc(s, rule.refused):
		return "field_bad_characters"
	case rule.Max > 0 && utf8.RuneCountInString(s) > rule.Max:
		if rule.TooLong != "" {
			return rule.TooLong
		}
		return "field_text_too_long"
	}
	return ""
}

// Text records field's problem under rule, if it has one.
func (v *Validation) Text(field, s string, rule TextRule) {
	if p := TextProblem(s, rule); p != "" {
		v.Add(field, p)
	}
}

func (rule TextRule) refused(r rune) bool {
	if rule.Multiline && (r == '\n' || r == '\r' || r == '\t') {
		return false
	}
	return unicode.IsControl(r)
}

// Isolate puts s between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, for user
// text inside a sentence where no element can isolate it (plain text, an <option>,
// a stored sentence): a right-to-left override in s then cannot reverse the words
// after it. Empty s stays empty.
func Isolate(s string) string {
	if s == "" {
		return ""
	}
	return "\u2068" + s + "\u2069"
}
