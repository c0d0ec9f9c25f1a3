package accord

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestWhoMayComment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		party RequestParty
		want  bool
	}{
		{"the lead", RequestParty{Lead: true}, true},
		{"the holder's head", RequestParty{HolderHead: true}, true},
		{"the key person", RequestParty{Delegate: true}, true},
		{"someone who only sees the project", RequestParty{}, false},
	} {
		require.Equal(t, tc.want, MayCommentOnRequest(tc.party), "request: %s", tc.name)
	}
	for _, tc := range []struct {
		name  string
		party EscalationParty
		want  bool
	}{
		{"the superior", EscalationParty{Superior: true}, true},
		{"the lead", EscalationParty{Lead: true}, true},
		{"the holder's head", EscalationParty{HolderHead: true}, true},
		{"the key person", EscalationParty{KeyPerson: true}, true},
		{"an adviser the superior asked", EscalationParty{Adviser: true}, true},
		{"an administrator reads, does not speak", EscalationParty{Admin: true}, false},
		{"a superior it moved on from reads what they were sent", EscalationParty{Told: true}, false},
	} {
		require.Equal(t, tc.want, MayCommentOnEscalation(tc.party), "escalation: %s", tc.name)
	}
	reach := ProjectReach{LeadUserID: 1, UnitPaths: [][]int64{{10, 11}}}
	require.True(t, MayCommentOnProject(ProjectViewer{UserID: 2, MemberOf: map[int64]bool{11: true}}, reach))
	require.False(t, MayCommentOnProject(ProjectViewer{UserID: 3, MemberOf: map[int64]bool{99: true}}, reach))
}

func TestCommentEditWindowAndRetraction(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := Comment{AuthorUserID: 7, CreatedAt: at}
	retracted := c
	retracted.RetractedAt = &at
	for _, tc := range []struct {
		name    string
		c       Comment
		user    int64
		now     time.Time
		edit    bool
		retract bool
	}{
		{"the author, at once", c, 7, at, true, true},
		{"the author, a minute before the window closes", c, 7, at.Add(CommentEditWindow - time.Minute), true, true},
		{"the author, when the window closes", c, 7, at.Add(CommentEditWindow), false, true},
		{"the author, a day later", c, 7, at.Add(24 * time.Hour), false, true},
		{"someone else", c, 8, at, false, false},
		{"nobody", c, 0, at, false, false},
		{"a retracted comment stands as withdrawn", retracted, 7, at, false, false},
	} {
		require.Equal(t, tc.edit, MayEditComment(tc.c, tc.user, tc.now), "edit: %s", tc.name)
		require.Equal(t, tc.retract, MayRetractComment(tc.c, tc.user), "retract: %s", tc.name)
	}
}

func TestCommentInput(t *testing.T) {
	t.Parallel()
	in := CommentInput{Body: "  需求文档见附件\r\n请确认  ", Mentions: []int64{3, 0, 3, 4}}
	in.Normalize()
	require.Equal(t, "需求文档见附件\n请确认", in.Body)
	require.Equal(t, []int64{3, 4}, in.Mentions)
	require.NoError(t, in.Validate())

	require.Equal(t, map[string]string{"body": "comment_body_required"}, FieldErrors(CommentInput{}.Validate()))
	require.Contains(t, FieldErrors(CommentInput{Body: "a\x00b"}.Validate()), "body")
	require.Contains(t, FieldErrors(CommentInput{Body: strings.Repeat("长", MaxNoteLength+1)}.Validate()), "body")
	many := make([]int64, MaxCommentMentions+1)
	for i := range many {
		many[i] = int64(i + 1)
	}
	require.Equal(t, map[string]string{"mentions": "comment_too_many_mentions"}, FieldErrors(CommentInput{Body: "x", Mentions: many}.Validate()))
}

func TestCommentAudience(t *testing.T) {
	t.Parallel()
	// The lead (1) mentions IT's head (2) and herself; the parties are the lead, IT's
	// head and the key person (3).
	got := CommentAudience(1, []int64{2, 1}, []int64{1, 2, 3, 0})
	require.Equal(t, []Notice{{To: 2, Kind: NotifyMentioned}, {To: 3, Kind: NotifyCommented}}, got)
	require.Empty(t, CommentAudience(1, nil, []int64{1}), "nobody hears of their own words")
}

func TestCommentSegments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		want []CommentSegment
	}{
		{"plain words", "先做一期\n再排二期", []CommentSegment{{Text: "先做一期\n再排二期"}}},
		{"a link in a sentence", "文档：https://wiki.example.com/crm?v=2，请看。",
			[]CommentSegment{{Text: "文档："}, {Text: "https://wiki.example.com/crm?v=2", URL: "https://wiki.example.com/crm?v=2"}, {Text: "，请看。"}}},
		{"trailing punctuation is not the address", "See http://a.example/x.",
			[]CommentSegment{{Text: "See "}, {Text: "http://a.example/x", URL: "http://a.example/x"}, {Text: "."}}},
		{"markup stays text", `<a href="javascript:alert(1)">x</a>`, []CommentSegment{{Text: `<a href="javascript:alert(1)">x</a>`}}},
		{"a bare scheme is no link", "https:// nothing", []CommentSegment{{Text: "https:// nothing"}}},
		{"an address ends at a quote", `"https://a.example/"<b>`,
			[]CommentSegment{{Text: `"`}, {Text: "https://a.example/", URL: "https://a.example/"}, {Text: `"<b>`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CommentSegments(tc.body)
			require.Equal(t, tc.want, got)
			var joined strings.Builder
			for _, s := range got {
				joined.WriteString(s.Text)
			}
			require.Equal(t, tc.body, joined.String(), "nothing is lost")
		})
	}
}

func FuzzCommentSegments(f *testing.F) {
	f.Add("see https://a.example/x, and http://b.example.")
	f.Add("https://")
	f.Fuzz(func(t *testing.T, body string) {
		var joined strings.Builder
		for _, s := range CommentSegments(body) {
			joined.WriteString(s.Text)
			if s.URL != "" && !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
				t.Fatalf("a link that is not http(s): %q", s.URL)
			}
		}
		if joined.String() != body {
			t.Fatalf("segments of %q join to %q", body, joined.String())
		}
	})
}

func TestFollowerAudience(t *testing.T) {
	t.Parallel()
	told := []Notice{{To: 2, Kind: NotifyRequestAnswered}}
	require.Equal(t, []Notice{{To: 5, Kind: NotifyFollowed}, {To: 6, Kind: NotifyFollowed}},
		FollowerAudience(1, []int64{1, 2, 5, 6, 5, 0}, told), "not the actor, not those told already, once each")
	require.Empty(t, FollowerAudience(1, nil, told))
	require.True(t, MayAddFollower(true))
	require.False(t, MayAddFollower(false))
}

func TestSanitizeFileName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"需求文档 v3.docx":                    "需求文档 v3.docx",
		"../../etc/passwd":                "passwd",
		`C:\Users\x\plan.xlsx`:            "plan.xlsx",
		"evil\r\nX-Header: 1.txt":         "evilX-Header 1.txt",
		"report\u202Efdp.exe":             "reportfdp.exe",
		"":                                "attachment",
		"...":                             "attachment",
		`a"b<c>.png`:                      "abc.png",
		strings.Repeat("长", 200) + ".pdf": strings.Repeat("长", maxFileName-4) + ".pdf",
	} {
		require.Equal(t, want, SanitizeFileName(in), "%q", in)
	}
	require.True(t, Previewable("image/png"))
	require.False(t, Previewable("image/svg+xml"))
	require.False(t, Previewable("text/html; charset=utf-8"))
}
