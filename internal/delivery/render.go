// Package delivery takes notifications out of Accord: it words them for email and
// group chats in the recipient's language, formats each chat platform's webhook
// payload (signed where the platform signs), and sends email over SMTP. It keeps no
// state and knows nothing of the database; internal/jobs drives it.
package delivery

import (
	"strings"

	"golang.org/x/text/unicode/bidi"

	"accord/internal/accord"
)

// Translate says a message id in the reader's language with template data; the
// caller passes an i18n Localizer's T, so this package needs no catalogs of its own.
type Translate func(id string, data ...map[string]any) string

// Message is a notification worded for reading outside Accord.
type Message struct {
	Subject string // the email's subject
	Body    string // the email's plain-text body
	Chat    string // the group-chat text: addressed to the recipient, with the link
	Link    string // the page the notification is about
}

// Render words a notification for its recipient in the language tr speaks, linking
// to its page under baseURL (e.g. https://accord.example.com).
func Render(n accord.Notification, to accord.Recipient, lang string, tr Translate, baseURL string) Message {
	app := tr("app_name")
	text := Sentence(isolateUserText(n, lang), lang, tr)
	link := strings.TrimRight(baseURL, "/") + Path(n)
	name := isolate(accord.User{Name: to.Name, NameEN: to.NameEN}.DisplayName(lang))
	body := strings.Join([]string{
		tr("delivery_email_greeting", map[string]any{"Name": name}),
		"",
		text,
		"",
		tr("delivery_email_open", map[string]any{"App": app, "Link": link}),
		"",
		"-- ",
		tr("delivery_email_footer", map[string]any{"App": app, "Link": strings.TrimRight(baseURL, "/") + "/notifications"}),
	}, "\n")
	return Message{
		Subject: tr("delivery_email_subject", map[string]any{"App": app, "Text": text}),
		Body:    body + "\n",
		Chat:    tr("delivery_chat_text", map[string]any{"App": app, "Name": name, "Text": text, "Link": link}),
		Link:    link,
	}
}

// Sentence is the notification's one-line text, as the in-app notification centre
// says it.
func Sentence(n accord.Notification, lang string, tr Translate) string { return n.Sentence(lang, tr) }

// Path is the page a notification leads to (accord.Notification.Path).
func Path(n accord.Notification) string { return n.Path() }

// TestText is the message an admin sends to check a webhook.
func TestText(unit accord.Unit, lang string, tr Translate) string {
	return tr("delivery_test_text", map[string]any{"App": tr("app_name"), "Unit": isolate(unit.DisplayName(lang))})
}

// isolateUserText is n with the names, titles and reason it quotes already chosen in
// lang and isolated (isolate), so its sentence cannot be reordered by them.
func isolateUserText(n accord.Notification, lang string) accord.Notification {
	n.ActorName, n.ActorNameEN = isolate(accord.User{Name: n.ActorName, NameEN: n.ActorNameEN}.DisplayName(lang)), ""
	n.ActorForName, n.ActorForNameEN = isolate(accord.User{Name: n.ActorForName, NameEN: n.ActorForNameEN}.DisplayName(lang)), ""
	n.OnBehalfName, n.OnBehalfNameEN = isolate(accord.User{Name: n.OnBehalfName, NameEN: n.OnBehalfNameEN}.DisplayName(lang)), ""
	n.NeedTitle, n.NeedTitleEN = isolate(accord.Need{Title: n.NeedTitle, TitleEN: n.NeedTitleEN}.DisplayTitle(lang)), ""
	n.ProjectName, n.ProjectNameEN = isolate(accord.Project{Name: n.ProjectName, NameEN: n.ProjectNameEN}.DisplayName(lang)), ""
	n.Reason = isolate(n.Reason)
	return n
}

// isolate is the plain-text <bdi> of emails and chat messages: user text holding
// right-to-left letters or directional formatting characters (such as U+202E, which
// would reverse the words after it) goes between FIRST STRONG ISOLATE and POP
// DIRECTIONAL ISOLATE. Other text is left as typed, so ordinary messages carry no
// invisible characters.
func isolate(s string) string {
	for _, r := range s {
		p, _ := bidi.LookupRune(r)
		switch c := p.Class(); {
		case c == bidi.R, c == bidi.AL, c == bidi.AN, c >= bidi.LRO && c <= bidi.PDI:
			return accord.Isolate(s)
		}
	}
	return s
}

// Language picks the language a recipient reads: their saved choice, else Chinese,
// Accord's first language.
func Language(to accord.Recipient) string {
	if to.Locale == accord.LocaleEN {
		return accord.LocaleEN
	}
	return accord.LocaleZH
}
