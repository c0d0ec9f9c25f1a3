package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"

	"accord/internal/demo"
	"accord/internal/pgtest"
	"accord/internal/server"
)

// languagePages are the key pages the English check reads, as path patterns (ids as
// #); languagePerPattern bounds how many of each one role reads.
var languagePages = []string{
	"/", "/projects", "/projects/#", "/projects/#/tracker", "/projects/#/history", "/projects/#/retro",
	"/requests/#", "/inbox", "/escalations", "/escalations/#", "/portfolio", "/goals", "/goals/#",
	"/org", "/units/#", "/notifications", "/settings/tokens",
	"/admin/users", "/admin/users/#", "/admin/units", "/admin/units/#", "/admin/webhooks",
}

const languagePerPattern = 6

var languageDigits = regexp.MustCompile(`[0-9]+`)

// TestEnglishPagesHaveNoChinese signs in as every demo person with the English UI on
// the demo `make run` shows (the festival mid-flight: requests in every answer, an
// escalation, progress, promises, a closed project with its retrospective) and reads
// every key page each reaches from home, failing on any Han character outside the
// language switch. The demo organisation is bilingual: a Chinese name or text on an
// English page is a name shown without the language-picking helpers, or demo text
// without its English.
func TestEnglishPagesHaveNoChinese(t *testing.T) {
	t.Parallel()
	b := setupOn(t, pgtest.DemoLive(), func(*server.Options) {})
	key := map[string]bool{}
	for _, p := range languagePages {
		key[p] = true
	}
	opened := map[string]bool{}
	for _, person := range demo.People() {
		c := b.login(t, person.Email)
		c.lang = "en"
		read := map[string]int{}
		queue := []string{"/"}
		seen := map[string]bool{"/": true}
		for len(queue) > 0 {
			path := queue[0]
			queue = queue[1:]
			pattern := languageDigits.ReplaceAllString(path, "#")
			if read[pattern] >= languagePerPattern {
				continue
			}
			read[pattern]++
			resp := c.get(path)
			if resp.StatusCode != http.StatusOK {
				continue // a link to a page this person may not open is the crawl's concern
			}
			opened[pattern] = true
			for _, han := range hanOutsideLanguageSwitch(resp.doc) {
				t.Errorf("%s, English, %s: %s", person.Key, path, han)
			}
			resp.doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
				u, err := url.Parse(a.AttrOr("href", ""))
				if err != nil || u.Host != "" || u.RawQuery != "" || !strings.HasPrefix(u.Path, "/") {
					return
				}
				if key[languageDigits.ReplaceAllString(u.Path, "#")] && !seen[u.Path] {
					seen[u.Path] = true
					queue = append(queue, u.Path)
				}
			})
		}
	}
	for _, p := range languagePages {
		require.True(t, opened[p], "no role reached %s: the check no longer reads it", p)
	}
}

// hanOutsideLanguageSwitch lists the text, placeholders and labels of a page that
// contain Han characters, leaving out the switch's 中文, what is not shown, text the
// page marks as Chinese (a Chinese name in a field labelled so, a keyword a chat bot
// needs) and what a form holds for editing: text being edited is the text as stored,
// or saving would overwrite it with its translation.
func hanOutsideLanguageSwitch(doc *goquery.Document) []string {
	doc.Find(`.lang-switch, script, style, template, textarea, [lang^="zh"]`).Remove()
	var found []string
	check := func(where, s string) {
		// The webhook form names the Chinese app name as a keyword a chat bot may need:
		// there the Chinese word is the content.
		s = strings.ReplaceAll(s, "“协同”", "")
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0 {
			found = append(found, fmt.Sprintf("%s %q", where, strings.Join(strings.Fields(s), " ")))
		}
	}
	doc.Find("title, body *").Each(func(_ int, s *goquery.Selection) {
		for _, attr := range []string{"placeholder", "title", "aria-label", "alt"} {
			if v, ok := s.Attr(attr); ok {
				check(goquery.NodeName(s)+"@"+attr, v)
			}
		}
		// Only the element's own text, so that one Chinese word is reported once.
		own := s.Contents().FilterFunction(func(_ int, n *goquery.Selection) bool { return goquery.NodeName(n) == "#text" }).Text()
		check(goquery.NodeName(s), own)
	})
	return found
}
