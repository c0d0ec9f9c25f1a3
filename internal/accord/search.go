package accord

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SearchKind is one kind of thing search finds. Each is found only where its viewer
// could open it: projects, needs and requests by their own rules (MayViewProject,
// MayViewNeed, MayViewRequest), comments by their subject's, units and people by
// everyone signed in (the org tree is open to all).
type SearchKind string

// The kinds search finds, in the order the results page lists its tabs.
const (
	SearchProjects SearchKind = "project"
	SearchNeeds    SearchKind = "need"
	SearchRequests SearchKind = "request"
	SearchComments SearchKind = "comment"
	SearchUnits    SearchKind = "unit"
	SearchPeople   SearchKind = "person"
)

// SearchKinds lists every kind, in tab order.
var SearchKinds = []SearchKind{SearchProjects, SearchNeeds, SearchRequests, SearchComments, SearchUnits, SearchPeople}

// Valid reports whether k is a known kind.
func (k SearchKind) Valid() bool {
	for _, s := range SearchKinds {
		if k == s {
			return true
		}
	}
	return false
}

// Limits of a search: the words it takes and how far its pages go. A search gathers at
// most SearchMaxHits results of each kind (most relevant first); beyond that the
// reader is asked to narrow it, rather than made to page through thousands.
const (
	SearchMaxTerms = 5
	SearchMaxRunes = 100
	SearchMaxHits  = 200
	SearchPageSize = 20
)

// SearchQuery is what a person typed, cut into terms: every term must appear in a
// result (in either language's fields), in any order, as a substring, so Chinese
// needs no word splitter.
type SearchQuery struct {
	Text  string // as typed, cleaned: for the box and the links to further pages
	Terms []string
	Kind  SearchKind // "" for every kind
}

// ParseSearchQuery reads the search box. An empty box is no search (the zero query,
// no error). Words are split on spaces, full-width ones included; a term of one
// character is kept only when it is not ASCII (one Chinese character means something,
// one Latin letter matches everything); a query of single characters asked of a kind
// it does not search (Searches) searches every kind it does. It refuses a query that
// is too long, has too many words, or has none long enough, saying which.
func ParseSearchQuery(raw string, kind SearchKind) (SearchQuery, error) {
	var v Validation
	if kind != "" && !kind.Valid() {
		kind = ""
	}
	text := strings.Join(strings.FieldsFunc(strings.ToValidUTF8(raw, ""), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	q := SearchQuery{Text: text, Kind: kind}
	if text == "" {
		return q, nil
	}
	if utf8.RuneCountInString(text) > SearchMaxRunes {
		v.Add("q", "search_too_long")
		return q, v.Err()
	}
	seen := map[string]bool{}
	for _, f := range strings.Fields(text) {
		folded := strings.ToLower(f)
		if seen[folded] || !searchTermLongEnough(f) {
			continue
		}
		seen[folded] = true
		q.Terms = append(q.Terms, f)
	}
	switch {
	case len(q.Terms) == 0:
		v.Add("q", "search_too_short")
	case len(q.Terms) > SearchMaxTerms:
		v.Add("q", "search_too_many_terms")
	}
	if q.Kind != "" && !q.Searches(q.Kind) {
		q.Kind = "" // single characters asked of a kind they do not search: every kind they do
	}
	return q, v.Err()
}

// Searches reports whether q looks for things of kind k. A query of single
// characters (Chinese ones: ParseSearchQuery drops a single Latin letter) finds
// projects, units and people only: one character narrows no index, and every need,
// request and comment would be read to find it (half a second at 200,000 requests);
// those three kinds are read whole in milliseconds, and a surname or a unit's name is
// what one character is typed for.
func (q SearchQuery) Searches(k SearchKind) bool {
	if !q.NamesOnly() {
		return true
	}
	return k == SearchProjects || k == SearchUnits || k == SearchPeople
}

// NamesOnly reports whether every term of q is a single character: it searches
// projects, units and people alone (Searches).
func (q SearchQuery) NamesOnly() bool {
	for _, t := range q.Terms {
		if utf8.RuneCountInString(t) > 1 {
			return false
		}
	}
	return len(q.Terms) > 0
}

// searchTermLongEnough reports whether term narrows a search: two characters, or one
// that is not ASCII.
func searchTermLongEnough(term string) bool {
	n := utf8.RuneCountInString(term)
	return n >= 2 || (n == 1 && term[0] >= utf8.RuneSelf)
}

// SearchHit is one result, with what its line shows and where it leads.
type SearchHit struct {
	Kind           SearchKind
	ID             int64
	Title, TitleEN string // its name, or for a comment its author's
	Text           string // the words searched beside the name: notes, a message, a comment's body, an email
	ProjectID      int64  // the project it belongs to, if any
	ProjectName    string
	ProjectNameEN  string
	UnitName       string // the unit holding a need or request, or a person's unit
	UnitNameEN     string
	UnitID         int64 // a person's first unit, whose page their line opens
	State          RequestState
	Subject        CommentSubject // a comment's conversation
	SubjectTitle   string         // the need a comment's request or escalation is about
	SubjectTitleEN string
	At             time.Time
}

// Dated reports whether the hit's moment means something to its reader: when a
// project, need or comment was written, when a request was sent or last answered
// (not its progress, which its page shows). A unit's or person's creation is
// bookkeeping.
func (h SearchHit) Dated() bool {
	return !h.At.IsZero() && h.Kind != SearchUnits && h.Kind != SearchPeople
}

// DisplayTitle names the hit for a reader of the given language.
func (h SearchHit) DisplayTitle(lang string) string {
	return displayName(h.Title, h.TitleEN, lang)
}

// OtherTitle is the name in the reader's other language, when it differs: shown when
// the search matched it rather than the name the reader sees.
func (h SearchHit) OtherTitle(lang string) string {
	if h.TitleEN == "" || h.TitleEN == h.Title {
		return ""
	}
	if lang == "en" {
		return h.Title
	}
	return h.TitleEN
}

// DisplaySubject names the need a comment's request or escalation is about.
func (h SearchHit) DisplaySubject(lang string) string {
	return displayName(h.SubjectTitle, h.SubjectTitleEN, lang)
}

// DisplayProject names the hit's project for the reader.
func (h SearchHit) DisplayProject(lang string) string {
	return displayName(h.ProjectName, h.ProjectNameEN, lang)
}

// DisplayUnit names the hit's unit for the reader.
func (h SearchHit) DisplayUnit(lang string) string {
	return displayName(h.UnitName, h.UnitNameEN, lang)
}

// Path is where the hit's line leads: the page it can be read on, which the search
// only offers to those who may open it. A person without a unit has no page.
func (h SearchHit) Path() string {
	id := strconv.FormatInt(h.ID, 10)
	switch h.Kind {
	case SearchProjects:
		return "/projects/" + id
	case SearchNeeds:
		return "/projects/" + strconv.FormatInt(h.ProjectID, 10) + "/needs?need=" + id + "#need-" + id
	case SearchRequests:
		return "/requests/" + id
	case SearchComments:
		return h.Subject.Path() + "#comment-" + id
	case SearchUnits:
		return "/units/" + id
	case SearchPeople:
		if h.UnitID > 0 {
			return "/units/" + strconv.FormatInt(h.UnitID, 10)
		}
	}
	return ""
}

// displayName is name in Chinese, nameEN in English when there is one.
func displayName(name, nameEN, lang string) string {
	if lang == "en" && nameEN != "" {
		return nameEN
	}
	return name
}

// SearchResults is one page of a search: its hits and, for the tabs, how many of
// each kind it found (each at most SearchMaxHits).
type SearchResults struct {
	Hits   []SearchHit
	Counts map[SearchKind]int
}

// Total is how many results the page's kind has: every kind's together, or one.
func (r SearchResults) Total(kind SearchKind) int {
	if kind != "" {
		return r.Counts[kind]
	}
	n := 0
	for _, c := range r.Counts {
		n += c
	}
	return n
}

// Capped reports whether some kind found more than a search gathers, so the reader
// should narrow it.
func (r SearchResults) Capped() bool {
	for _, c := range r.Counts {
		if c >= SearchMaxHits {
			return true
		}
	}
	return false
}

// TextPart is a piece of text shown plainly or marked as matching the search.
type TextPart struct {
	Text  string
	Match bool
}

// Highlight cuts text into parts, marking every place a term appears, ignoring case.
// Overlapping matches merge; the parts joined give text back unchanged.
func Highlight(text string, terms []string) []TextPart {
	// Mark every byte some match covers, trying each character as a start, so a
	// match beginning inside another extends it.
	marked := make([]bool, len(text))
	for i := 0; i < len(text); {
		for j := i; j < i+longestMatchAt(text[i:], terms); j++ {
			marked[j] = true
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	var parts []TextPart
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && marked[j] == marked[i] {
			j++
		}
		parts = append(parts, TextPart{Text: text[i:j], Match: marked[i]})
		i = j
	}
	return parts
}

// Matches reports whether any term appears in text, ignoring case.
func Matches(text string, terms []string) bool {
	for _, p := range Highlight(text, terms) {
		if p.Match {
			return true
		}
	}
	return false
}

// longestMatchAt is the length in bytes of the longest term s starts with, ignoring
// case, or 0.
func longestMatchAt(s string, terms []string) int {
	best := 0
	for _, t := range terms {
		if n := prefixFold(s, t); n > best {
			best = n
		}
	}
	return best
}

// prefixFold is the length in bytes of the start of s that equals prefix under simple
// case folding, or 0 when s does not start with it.
func prefixFold(s, prefix string) int {
	if prefix == "" {
		return 0
	}
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return 0
		}
		sr, size := utf8.DecodeRuneInString(s[i:])
		if sr != pr && unicode.ToLower(sr) != unicode.ToLower(pr) {
			return 0
		}
		i += size
	}
	return i
}

// Excerpt is the part of text around the first place a term appears, about radius
// characters either side, on one line, marked "…" where cut; the start of text when
// no term appears in it.
func Excerpt(text string, terms []string, radius int) string {
	flat := strings.Join(strings.Fields(text), " ")
	at := -1
	for i := 0; i < len(flat); {
		if longestMatchAt(flat[i:], terms) > 0 {
			at = i
			break
		}
		_, size := utf8.DecodeRuneInString(flat[i:])
		i += size
	}
	start, before := max(at, 0), 0
	for ; before < radius && start > 0; before++ {
		_, size := utf8.DecodeLastRuneInString(flat[:start])
		start -= size
	}
	end := max(at, 0)
	for n := 0; n < radius*2-before && end < len(flat); n++ {
		_, size := utf8.DecodeRuneInString(flat[end:])
		end += size
	}
	out := strings.TrimSpace(flat[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(flat) {
		out += "…"
	}
	return out
}
