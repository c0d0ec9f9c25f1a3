package api

import "testing"

func TestBadJSONText(t *testing.T) {
	for _, tc := range []struct {
		body, field string
		bad         bool
	}{
		{`{"title":"x"}`, "", false},
		{`{"title":"\ud83d\ude00 emoji","n":1}`, "", false},
		{`{"title":"😀 \u202e rtl"}`, "", false},
		{`{"title":"\ufffd spelled"}`, "", false},
		{`{"title":"a\\ud800"}`, "", false}, // an escaped backslash, then text
		{`{"title":"\ud800"}`, "title", true},
		{`{"title":"\uD800x"}`, "title", true},
		{`{"title":"\udc00"}`, "title", true},
		{`{"title":"\ud800\u0041"}`, "title", true},
		{`{"title":"\ud800\ud800"}`, "title", true},
		{`{"a":"ok","notes":"\ude00\ud83d"}`, "notes", true},
		{"{\"title\":\"\xff\"}", "title", true},
		{"{\"title\":\"\xed\xa0\x80\"}", "title", true},
		{"{\"title\":\"\xc3\x28\"}", "title", true},
		{"{\"a\":{\"b\":1},\"units\":[\"ok\",\"\xfe\"]}", "units", true},
		{"{\"\xff\":1}", "", true},
		{"\"\xff\"", "", true},
	} {
		field, bad := badJSONText([]byte(tc.body))
		if field != tc.field || bad != tc.bad {
			t.Errorf("badJSONText(%q) = %q, %v; want %q, %v", tc.body, field, bad, tc.field, tc.bad)
		}
	}
}
