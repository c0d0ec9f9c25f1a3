package accord

import (
	"strings"
	"testing"
)

func TestTextProblem(t *testing.T) {
	line := LineText(10)
	name := NameText
	required := TextRule{Required: true, Max: 5}
	for _, tc := range []struct {
		s    string
		rule TextRule
		want string
	}{
		{"", name, ""},
		{"", required, "field_required"},
		{"x", required, ""},
		{"项目 Ω 😀", name, ""},
		{"\u202eevil\u202c", name, ""}, // bidi controls are format characters: allowed, isolated on output
		{"عربي עברית", name, ""},
		{"a\x00b", name, "field_bad_characters"},
		{"a\x00b", line, "field_bad_characters"},
		{"a\x01b", line, "field_bad_characters"},
		{"a\x1bb", name, "field_bad_characters"},
		{"a\x7fb", name, "field_bad_characters"},
		{"a\u0085b", line, "field_bad_characters"}, // C1
		{"a\nb", name, "field_bad_characters"},
		{"a\tb", name, "field_bad_characters"},
		{"a\nb\r\tc", line, ""},
		{"\xff\xfe", name, "field_bad_characters"},
		{"\xed\xa0\x80", line, "field_bad_characters"}, // a surrogate, encoded
		{"a\ufffdb", name, ""},                         // the replacement character itself is text
		{strings.Repeat("长", 10), line, ""},
		{strings.Repeat("长", 11), line, "field_text_too_long"},
		{strings.Repeat("长", MaxNameLength+1), name, "field_too_long"},
		{strings.Repeat("长", 6), required, "field_text_too_long"},
		{"\xff" + strings.Repeat("x", 20), line, "field_bad_characters"}, // characters before length
		{strings.Repeat("x", 1000), TextRule{}, ""},
	} {
		if got := TextProblem(tc.s, tc.rule); got != tc.want {
			t.Errorf("TextProblem(%q, %+v) = %q, want %q", tc.s, tc.rule, got, tc.want)
		}
	}
	var v Validation
	v.Text("title", "a\x00", NameText)
	v.Text("notes", "fine", LineText(10))
	if len(v.Fields) != 1 || v.Fields["title"] != "field_bad_characters" {
		t.Errorf("Validation.Text: %v", v.Fields)
	}
}
