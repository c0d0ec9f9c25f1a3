package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// badTexts are inputs accord.TextProblem refuses in every text field: the same
// bytes through a form and through JSON. jsonRaw, when set, is how JSON spells the
// value (a lone surrogate has no UTF-8 a form could send but its encoded bytes).
var badTexts = []struct {
	name, form, jsonRaw string
}{
	{"NUL", "a\x00b", ""},
	{"control", "a\x01b\x1b", ""},
	{"DEL", "a\x7fb", ""},
	{"C1 control", "a\u0085b", ""},
	{"invalid UTF-8", "\xff\xfe invalid \xc3\x28", "\"\xff\xfe invalid \xc3\x28\""},
	{"lone high surrogate", "a\xed\xa0\x80b", `"a\ud800b"`},
	{"lone low surrogate", "a\xed\xb0\x80b", `"a\udc00b"`},
	{"high surrogate then a letter", "a\xed\xa0\x80Ab", `"a\ud800\u0041b"`},
	{"too long", strings.Repeat("长", 5000), ""},
}

// TestTextRulesAgreeAcrossFaces sends each bad text through the same field of the
// same record on both faces: both answer 422 with the same problem on that field,
// and nothing is stored. A valid surrogate pair (an emoji) and a right-to-left
// override are stored on both, as typed.
func TestTextRulesAgreeAcrossFaces(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	units := b.units(t)
	it, aftersales := idStr(units["IT"].ID), idStr(units["After-sales"].ID)
	lead := b.api(t, hostileLead)
	c := b.login(t, hostileLead)
	project := lead.post("/projects", map[string]any{"name": "文本规则", "owning_unit_id": aftersales}).expect(t, http.StatusCreated)
	pid := project["id"].(string)

	records := []struct {
		what, form, api, table string
		formBase               url.Values
		apiBase                map[string]any
		fields, singleLine     []string
	}{
		{"need", "/projects/" + pid + "/needs", "/projects/" + pid + "/needs", "needs",
			url.Values{"title": {"x"}, "tier": {"P1"}, "holder_unit_id": {it}, "effort_days": {"1"}},
			map[string]any{"title": "x", "tier": "P1", "holder_unit_id": it, "effort_days": 1},
			[]string{"title", "title_en", "key_person", "notes"}, []string{"title", "title_en"}},
		{"external need", "/projects/" + pid + "/needs", "/projects/" + pid + "/needs", "needs",
			url.Values{"title": {"x"}, "tier": {"P1"}, "external_party": {"供应商"}, "effort_days": {"1"}},
			map[string]any{"title": "x", "tier": "P1", "external_party": "供应商", "effort_days": 1},
			[]string{"external_party"}, nil},
		{"project", "/projects", "/projects", "projects",
			url.Values{"name": {"x"}, "owning_unit_id": {aftersales}, "lead_email": {hostileLead}, "cadence_days": {"14"},
				"status": {"active"}, "currency": {"CNY"}},
			map[string]any{"name": "x", "owning_unit_id": aftersales},
			[]string{"name", "name_en", "goal_statement", "expected_outcome"}, []string{"name", "name_en"}},
		{"commitment", "/projects/" + pid + "/commitments", "/projects/" + pid + "/commitments", "commitments",
			url.Values{"unit_id": {it}, "what": {"x"}, "status": {"open"}},
			map[string]any{"unit_id": it, "what": "x", "status": "open"},
			[]string{"what"}, nil},
	}
	count := func(table string) int {
		var n int
		require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n))
		return n
	}
	checked := 0
	for _, rec := range records {
		for _, field := range rec.fields {
			values := badTexts
			for _, single := range rec.singleLine {
				if single == field {
					values = append(values[:len(values):len(values)], struct{ name, form, jsonRaw string }{"line break", "a\nb", ""})
				}
			}
			for _, bad := range values {
				what := rec.what + " " + field + " " + bad.name
				before := count(rec.table)

				// JSON.
				raw := []byte(bad.jsonRaw)
				if bad.jsonRaw == "" {
					raw = mustJSON(t, bad.form)
				}
				resp := lead.post(rec.api, encode(t, rec.apiBase, field, raw))
				require.Equal(t, http.StatusUnprocessableEntity, resp.status, "%s through JSON: %s", what, resp.raw)
				apiProblem := resp.str("error.fields." + field)
				require.NotEmpty(t, apiProblem, "%s through JSON names the field: %s", what, resp.raw)

				// The form.
				form := url.Values{}
				for k, v := range rec.formBase {
					form[k] = v
				}
				form.Set(field, bad.form)
				page := c.post(rec.form, form)
				require.Equal(t, http.StatusUnprocessableEntity, page.StatusCode, "%s through the form", what)
				input := page.doc.Find(`[name="` + field + `"]`).First()
				require.Equal(t, "true", input.AttrOr("aria-invalid", ""), "%s: the form marks the field", what)
				errID := input.AttrOr("id", "") + "-error"
				formProblem := strings.TrimSpace(page.doc.Find(`[id="` + errID + `"]`).Text())
				require.Equal(t, apiProblem, formProblem, "%s: the same problem on both faces", what)

				require.Equal(t, before, count(rec.table), "%s: nothing stored", what)
				checked++
			}
		}
	}
	require.Greater(t, checked, 80)

	// What is valid is stored as typed on both faces: an emoji sent as a surrogate
	// pair, and a right-to-left override (isolated where it is shown, not refused).
	title := "表情 😀 " + rlo + "עברית"
	resp := lead.post("/projects/"+pid+"/needs", []byte(`{"title":"表情 \ud83d\ude00 \u202eעברית","tier":"P1","holder_unit_id":"`+it+`"}`))
	require.Equal(t, title, resp.expect(t, http.StatusCreated)["title"])
	page := c.post("/projects/"+pid+"/needs", url.Values{"title": {title}, "tier": {"P1"}, "holder_unit_id": {it}})
	require.Less(t, page.StatusCode, 400)
	var n int
	require.NoError(t, b.st.Pool().QueryRow(ctx, `SELECT count(*) FROM needs WHERE title = $1`, title).Scan(&n))
	require.Equal(t, 2, n)
}

// TestLineBreaksCountAlikeOnBothFaces: browsers send a textarea's line breaks as
// CRLF, JSON clients as LF. Notes of 4,000 characters with 1,333 line breaks fit the
// limit through both faces and are stored with the same bytes.
func TestLineBreaksCountAlikeOnBothFaces(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	it, aftersales := idStr(b.units(t)["IT"].ID), idStr(b.units(t)["After-sales"].ID)
	lead := b.api(t, hostileLead)
	c := b.login(t, hostileLead)
	pid := lead.post("/projects", map[string]any{"name": "换行", "owning_unit_id": aftersales}).expect(t, http.StatusCreated)["id"].(string)
	notes := strings.Repeat("ab\n", 1333) + "c" // 4,000 characters with LF
	lead.post("/projects/"+pid+"/needs", map[string]any{"title": "JSON", "tier": "P1", "holder_unit_id": it, "notes": notes}).
		expect(t, http.StatusCreated)
	page := c.post("/projects/"+pid+"/needs", url.Values{"title": {"form"}, "tier": {"P1"}, "holder_unit_id": {it},
		"notes": {strings.ReplaceAll(notes, "\n", "\r\n")}})
	require.Less(t, page.StatusCode, 400, "the same notes with the browser's CRLF fit the limit too")
	var stored []string
	rows, err := b.st.Pool().Query(ctx, `SELECT notes FROM needs WHERE project_id = $1 ORDER BY id`, pid)
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		stored = append(stored, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{notes, notes}, stored, "the same bytes through both faces")
}
