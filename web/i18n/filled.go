package i18n

import (
	"strconv"
	"strings"
	"text/template/parse"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// A filled message is one whose every form is literal text and {{.Name}} fields,
// as nearly all of the catalogs' messages that take data are. Such a message is
// filled in here, by concatenation; go-i18n runs text/template on every call, which
// was a tenth of the server's time on the pages that print many (the home page's
// agenda, the portfolio's reasons, an escalation's brief). Any other message, and any
// call this cannot fill exactly as go-i18n would (a value of another type, a name
// missing from the data, a count of another type), goes to go-i18n.
// TestFilledMessagesReadAsGoI18nRendersThem holds the two to the same text.

// filledMessage is a message's forms split into their pieces.
type filledMessage struct {
	one, other []piece // one is nil when the message has no singular form
}

// piece is literal text, or the name of a field of the data (field set).
type piece struct {
	text  string
	field bool
}

// compileFilled returns m's forms as pieces, or false when m is not a filled message
// (a form it may not use, a template with anything but fields).
func compileFilled(m *goi18n.Message) (filledMessage, bool) {
	if m.Zero != "" || m.Two != "" || m.Few != "" || m.Many != "" || m.Other == "" ||
		m.LeftDelim != "" || m.RightDelim != "" {
		return filledMessage{}, false
	}
	other, ok := compilePieces(m.Other)
	if !ok {
		return filledMessage{}, false
	}
	f := filledMessage{other: other}
	if m.One != "" {
		if f.one, ok = compilePieces(m.One); !ok {
			return filledMessage{}, false
		}
	}
	return f, true
}

// compilePieces splits a template into literal text and single-name fields.
func compilePieces(src string) ([]piece, bool) {
	if !strings.Contains(src, "{{") {
		return []piece{{text: src}}, true
	}
	trees, err := parse.Parse("m", src, "", "", nil)
	if err != nil {
		return nil, false
	}
	var out []piece
	for _, n := range trees["m"].Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			out = append(out, piece{text: string(n.Text)})
		case *parse.ActionNode:
			if len(n.Pipe.Decl) > 0 || len(n.Pipe.Cmds) != 1 || len(n.Pipe.Cmds[0].Args) != 1 {
				return nil, false
			}
			f, ok := n.Pipe.Cmds[0].Args[0].(*parse.FieldNode)
			if !ok || len(f.Ident) != 1 {
				return nil, false
			}
			out = append(out, piece{text: f.Ident[0], field: true})
		default:
			return nil, false
		}
	}
	return out, true
}

// fill renders f for data in lang as go-i18n would, or reports that it cannot.
func (f filledMessage) fill(lang string, data map[string]any) (string, bool) {
	pieces := f.other
	if n, counted := data["Count"]; counted {
		// A count picks the form (go-i18n's PluralCount): Chinese has one form,
		// English's rule for whole numbers is one for 1 (and -1) and other for the rest.
		// A count fill cannot read is left to go-i18n, as is a count of 1 for a
		// message with no singular form, which go-i18n refuses.
		one, ok := isOne(n)
		switch {
		case !ok:
			return "", false
		case one && lang == English && f.one == nil:
			return "", false
		case one && lang == English:
			pieces = f.one
		}
	}
	var b strings.Builder
	for _, p := range pieces {
		if !p.field {
			b.WriteString(p.text)
			continue
		}
		v, ok := data[p.text]
		if !ok {
			return "", false
		}
		switch v := v.(type) {
		case string:
			b.WriteString(v)
		case int:
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		default:
			return "", false
		}
	}
	return b.String(), true
}

// isOne reports whether a count is 1 or -1 (go-i18n takes a count's absolute value),
// for the counts fill reads (whole numbers).
func isOne(n any) (one, ok bool) {
	switch n := n.(type) {
	case int:
		return n == 1 || n == -1, true
	case int64:
		return n == 1 || n == -1, true
	}
	return false, false
}
