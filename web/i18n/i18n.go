// Package i18n speaks Accord's two languages: Simplified Chinese and English. Message
// catalogs live in locales/<area>.<lang>.toml; every message must exist in both.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

//go:embed locales/*.toml
var catalogs embed.FS

// Languages Accord speaks, the first being the fallback.
const (
	Chinese = "zh"
	English = "en"
)

// Bundle holds both catalogs and picks a language for each request.
type Bundle struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	ids     map[string][]string                 // language → message ids, for coverage checks
	content map[string]string                   // text as typed → its English, see AddContent
	filled  map[string]map[string]filledMessage // language → id → a message filled without go-i18n (filled.go)
	// One localizer per language, shared by every request: building one parses
	// language tags, and each remembers its messages that take no data.
	localizers map[string]*Localizer
}

// NewBundle loads the embedded catalogs.
func NewBundle() (*Bundle, error) {
	b := goi18n.NewBundle(language.Chinese)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	ids := map[string][]string{}
	filled := map[string]map[string]filledMessage{}
	files, err := fs.Glob(catalogs, "locales/*.toml")
	if err != nil {
		return nil, fmt.Errorf("i18n: list catalogs: %w", err)
	}
	for _, f := range files {
		data, err := fs.ReadFile(catalogs, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", f, err)
		}
		mf, err := b.ParseMessageFileBytes(data, path.Base(f))
		if err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", f, err)
		}
		lang := baseLang(mf.Tag)
		if filled[lang] == nil {
			filled[lang] = map[string]filledMessage{}
		}
		for _, m := range mf.Messages {
			ids[lang] = append(ids[lang], m.ID)
			// A later file's message of the same id replaces the earlier in go-i18n too.
			if f, ok := compileFilled(m); ok {
				filled[lang][m.ID] = f
			} else {
				delete(filled[lang], m.ID)
			}
		}
	}
	bundle := &Bundle{
		bundle:  b,
		matcher: language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English}),
		ids:     ids,
		filled:  filled,
	}
	bundle.localizers = map[string]*Localizer{}
	for _, lang := range []string{Chinese, English} {
		bundle.localizers[lang] = &Localizer{Lang: lang, l: goi18n.NewLocalizer(b, lang), bundle: bundle}
	}
	return bundle, nil
}

// AddContent teaches the bundle the English of text people typed into Accord, keyed
// by the text as typed: the demo organisation brings its own. English readers see
// the English where one is known and the text as typed otherwise; an edited text no
// longer matches and shows as typed. Call it before serving.
func (b *Bundle) AddContent(english map[string]string) {
	if b.content == nil {
		b.content = map[string]string{}
	}
	for typed, en := range english {
		b.content[typed] = en
	}
}

// MessageIDs lists the ids defined for a language.
func (b *Bundle) MessageIDs(lang string) []string { return b.ids[lang] }

// Match picks the language for a request: the user's saved choice when set, else
// the best match for the Accept-Language header, else Chinese.
func (b *Bundle) Match(preference, acceptLanguage string) string {
	if preference == Chinese || preference == English {
		return preference
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, index, confidence := b.matcher.Match(tags...)
	if confidence == language.No || index == 0 {
		return Chinese
	}
	return English
}

// Localizer translates into one language.
func (b *Bundle) Localizer(lang string) *Localizer {
	if lang != English {
		lang = Chinese
	}
	return b.localizers[lang]
}

// Localizer translates message ids into one language; one is shared by every reader
// of that language.
type Localizer struct {
	Lang   string
	l      *goi18n.Localizer
	bundle *Bundle
	// plain remembers each message asked for without data (most of a page's words):
	// the same id always gives the same text, so it is localized once.
	plain sync.Map // message id → string
}

// Text is s, typed by a person, in the reader's language when its translation is
// known (see Bundle.AddContent), else as typed.
func (l *Localizer) Text(s string) string {
	if l.Lang != English {
		return s
	}
	if en, ok := l.bundle.content[s]; ok && en != "" {
		return en
	}
	return s
}

// T translates id with optional template data (a map[string]any). A missing message
// shows its id rather than failing the page; TestCatalogsComplete keeps that from
// reaching users.
func (l *Localizer) T(id string, data ...map[string]any) string {
	if len(data) == 0 || data[0] == nil {
		if s, ok := l.plain.Load(id); ok {
			return s.(string)
		}
		s := l.localize(id, nil)
		l.plain.Store(id, s)
		return s
	}
	if f, ok := l.bundle.filled[l.Lang][id]; ok {
		if s, ok := f.fill(l.Lang, data[0]); ok {
			return s
		}
	}
	return l.localize(id, data[0])
}

// localize asks go-i18n for id with data, or shows the id when it has no message.
func (l *Localizer) localize(id string, data map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if data != nil {
		cfg.TemplateData = data
		if n, ok := data["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

type ctxKey struct{}

// WithLocalizer stores the reader's localizer in ctx for templates.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the localizer in ctx, or nil.
func From(ctx context.Context) *Localizer {
	l, _ := ctx.Value(ctxKey{}).(*Localizer)
	return l
}

// T translates id for the reader whose localizer is in ctx.
func T(ctx context.Context, id string, data ...map[string]any) string {
	if l := From(ctx); l != nil {
		return l.T(id, data...)
	}
	return id
}

// Text is typed text for the reader whose localizer is in ctx (Localizer.Text).
func Text(ctx context.Context, s string) string {
	if l := From(ctx); l != nil {
		return l.Text(s)
	}
	return s
}

// Lang is the reader's language, Chinese when unknown.
func Lang(ctx context.Context) string {
	if l := From(ctx); l != nil {
		return l.Lang
	}
	return Chinese
}

func baseLang(t language.Tag) string {
	base, _ := t.Base()
	return strings.ToLower(base.String())
}
