package accord_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestParseSearchQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, raw string
		terms     []string
		problem   string // the message id on q, or ""
	}{
		{"empty box is no search", "   ", nil, ""},
		{"two Chinese characters", "数据", []string{"数据"}, ""},
		{"one Chinese character narrows", "税", []string{"税"}, ""},
		{"one Latin letter does not", "a", nil, "search_too_short"},
		{"short words dropped, long kept", "a data b", []string{"data"}, ""},
		{"full-width space splits", "采购　系统", []string{"采购", "系统"}, ""},
		{"repeats ignoring case fold to one", "Data data DATA", []string{"Data"}, ""},
		{"control characters split too", "数据\x00平台", []string{"数据", "平台"}, ""},
		{"too many words", "aa bb cc dd ee ff", []string{"aa", "bb", "cc", "dd", "ee", "ff"}, "search_too_many_terms"},
		{"too long", strings.Repeat("很长", 51), nil, "search_too_long"},
		{"invalid UTF-8 dropped", "da\xfft\xc0a", []string{"data"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, err := accord.ParseSearchQuery(tc.raw, "")
			require.Equal(t, tc.terms, q.Terms)
			if tc.problem == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, accord.ECodeInvalid, accord.ErrorCodeOf(err))
			require.Equal(t, tc.problem, accord.FieldErrors(err)["q"])
		})
	}
	q, err := accord.ParseSearchQuery("数据", "bogus")
	require.NoError(t, err)
	require.Equal(t, accord.SearchKind(""), q.Kind, "an unknown kind searches every kind")
	q, _ = accord.ParseSearchQuery("数据", accord.SearchComments)
	require.Equal(t, accord.SearchComments, q.Kind)
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	parts := accord.Highlight("Data platform: 数据平台与DATA仓库", []string{"data", "平台"})
	require.Equal(t, []accord.TextPart{
		{Text: "Data", Match: true}, {Text: " platform: 数据"}, {Text: "平台", Match: true},
		{Text: "与"}, {Text: "DATA", Match: true}, {Text: "仓库"},
	}, parts)
	require.Equal(t, []accord.TextPart{{Text: "数据平台", Match: true}}, accord.Highlight("数据平台", []string{"数据", "据平台"}),
		"overlapping matches merge")
	require.Equal(t, []accord.TextPart{{Text: "nothing here"}}, accord.Highlight("nothing here", []string{"数据"}))
	require.True(t, accord.Matches("ÉCOLE", []string{"école"}), "case folds beyond ASCII")
	require.False(t, accord.Matches("数据", nil))
}

func TestExcerpt(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("前文", 50) + "关键字" + strings.Repeat("后文", 50)
	ex := accord.Excerpt(long, []string{"关键字"}, 10)
	require.True(t, strings.HasPrefix(ex, "…") && strings.HasSuffix(ex, "…"), ex)
	require.Contains(t, ex, "关键字")
	require.Equal(t, 2+20, utf8.RuneCountInString(ex), "radius either side, and the two marks")
	require.Equal(t, "line one line two", accord.Excerpt("line one\n\nline   two", []string{"two"}, 40), "on one line")
	require.Equal(t, "关键字"+strings.Repeat("后文", 8)+"后…", accord.Excerpt("关键字"+strings.Repeat("后文", 50), []string{"关键字"}, 10))
	require.Equal(t, "no match, the start…", accord.Excerpt("no match, the start of it", []string{"数据"}, 10))
}

func TestSearchHitPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		hit  accord.SearchHit
		path string
	}{
		{accord.SearchHit{Kind: accord.SearchProjects, ID: 3}, "/projects/3"},
		{accord.SearchHit{Kind: accord.SearchNeeds, ID: 7, ProjectID: 3}, "/projects/3/needs?need=7#need-7"},
		{accord.SearchHit{Kind: accord.SearchRequests, ID: 9}, "/requests/9"},
		{accord.SearchHit{Kind: accord.SearchComments, ID: 4, Subject: accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: 2}},
			"/escalations/2#comment-4"},
		{accord.SearchHit{Kind: accord.SearchComments, ID: 5, Subject: accord.CommentSubject{Kind: accord.CommentOnProject, ID: 3}},
			"/projects/3/conversation#comment-5"},
		{accord.SearchHit{Kind: accord.SearchUnits, ID: 6}, "/units/6"},
		{accord.SearchHit{Kind: accord.SearchPeople, ID: 8, UnitID: 6}, "/units/6"},
		{accord.SearchHit{Kind: accord.SearchPeople, ID: 8}, ""},
	} {
		require.Equal(t, tc.path, tc.hit.Path(), "%+v", tc.hit)
	}
}

// FuzzHighlight holds Highlight to giving its text back whole, with every marked part
// a match and no two marked parts side by side.
func FuzzHighlight(f *testing.F) {
	f.Add("Data platform: 数据平台", "data", "平台")
	f.Add("ÉÉé", "é", "")
	f.Add("\xff\xfe数据", "数", "\xff")
	f.Fuzz(func(t *testing.T, text, a, b string) {
		terms := []string{a, b}
		parts := accord.Highlight(text, terms)
		var joined strings.Builder
		for i, p := range parts {
			joined.WriteString(p.Text)
			if p.Match {
				require.True(t, accord.Matches(p.Text, terms), "%q marked", p.Text)
				require.False(t, i > 0 && parts[i-1].Match, "marked parts merge")
			}
			require.NotEmpty(t, p.Text)
		}
		require.Equal(t, text, joined.String())
		ex := accord.Excerpt(text, terms, 30)
		require.LessOrEqual(t, utf8.RuneCountInString(ex), 62)
	})
}

// A query of single characters searches projects, units and people only; one longer
// term makes it search everything.
func TestSearchesOfSingleCharacters(t *testing.T) {
	for _, c := range []struct {
		raw       string
		namesOnly bool
	}{
		{"张", true},
		{"张 伟", true},
		{"张 a", true}, // the Latin letter is dropped
		{"张伟", false},
		{"张 伟 排期", false},
		{"plat", false},
	} {
		q, err := accord.ParseSearchQuery(c.raw, "")
		require.NoError(t, err, c.raw)
		require.Equal(t, c.namesOnly, q.NamesOnly(), c.raw)
		for _, k := range accord.SearchKinds {
			wide := k == accord.SearchProjects || k == accord.SearchUnits || k == accord.SearchPeople
			require.Equal(t, wide || !c.namesOnly, q.Searches(k), "%s: %s", c.raw, k)
		}
	}
	require.False(t, accord.SearchQuery{}.NamesOnly(), "no query")
	// Asked of a kind they do not search, single characters search every kind they do.
	for kind, want := range map[accord.SearchKind]accord.SearchKind{accord.SearchComments: "",
		accord.SearchPeople: accord.SearchPeople} {
		q, err := accord.ParseSearchQuery("张", kind)
		require.NoError(t, err)
		require.Equal(t, want, q.Kind, kind)
		q, err = accord.ParseSearchQuery("张伟", kind)
		require.NoError(t, err)
		require.Equal(t, kind, q.Kind, "two characters: %s", kind)
	}
}
