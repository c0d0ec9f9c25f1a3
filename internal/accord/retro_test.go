package accord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fieldsOf is the per-field problems of a validation error, nil for none.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := err.(*Error)
	require.True(t, ok, "%T", err)
	require.Equal(t, ECodeInvalid, e.Code)
	require.Equal(t, "error_invalid_form", e.MessageID)
	return e.Fields
}

func TestRetroInputValidate(t *testing.T) {
	t.Parallel()
	amount := func(n int64) *int64 { return &n }
	tests := []struct {
		name string
		in   RetroInput
		want map[string]string
	}{
		{"empty is fine: nothing written yet", RetroInput{}, nil},
		{"all fields", RetroInput{ActualAmount: amount(2_000_000), ActualOutcome: "满意度 +12", Lessons: "先找盟友\n再谈条件"}, nil},
		{"zero amount", RetroInput{ActualAmount: amount(0)}, nil},
		{"negative amount", RetroInput{ActualAmount: amount(-1)}, map[string]string{"actual_amount": "field_not_negative"}},
		{"outcome at the limit", RetroInput{ActualOutcome: strings.Repeat("成", MaxLineLength)}, nil},
		{"outcome too long", RetroInput{ActualOutcome: strings.Repeat("成", MaxLineLength+1)},
			map[string]string{"actual_outcome": "field_text_too_long"}},
		{"outcome is one line", RetroInput{ActualOutcome: "a\x00b"}, map[string]string{"actual_outcome": "field_bad_characters"}},
		{"lessons may break lines and indent", RetroInput{Lessons: "a\r\n\tb"}, nil},
		{"lessons at the limit", RetroInput{Lessons: strings.Repeat("l", MaxNoteLength)}, nil},
		{"lessons too long", RetroInput{Lessons: strings.Repeat("l", MaxNoteLength+1)}, map[string]string{"lessons": "field_text_too_long"}},
		{"lessons with a C1 control character", RetroInput{Lessons: "a\u0085b"}, map[string]string{"lessons": "field_bad_characters"}},
		{"lessons not UTF-8", RetroInput{Lessons: "a\xffb"}, map[string]string{"lessons": "field_bad_characters"}},
		{"bad characters win over length", RetroInput{Lessons: strings.Repeat("l", MaxNoteLength) + "\x07"},
			map[string]string{"lessons": "field_bad_characters"}},
		{"every problem at once", RetroInput{ActualAmount: amount(-5), ActualOutcome: "\x1b", Lessons: "\x7f"},
			map[string]string{"actual_amount": "field_not_negative", "actual_outcome": "field_bad_characters", "lessons": "field_bad_characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, fieldsOf(t, tt.in.Validate()))
		})
	}
}

func TestRetroInputNormalize(t *testing.T) {
	t.Parallel()
	amount := int64(7)
	in := RetroInput{ActualAmount: &amount, ActualOutcome: "  +12 分 \n", Lessons: "\t先找盟友  "}
	in.Normalize()
	require.Equal(t, RetroInput{ActualAmount: &amount, ActualOutcome: "+12 分", Lessons: "先找盟友"}, in)
}

func TestThanksInputValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   ThanksInput
		want map[string]string
	}{
		{"a unit and words", ThanksInput{UnitID: 3, Text: "感谢 IT 部加班上线"}, nil},
		{"no unit", ThanksInput{Text: "谢谢"}, map[string]string{"unit_id": "field_required"}},
		{"a negative unit", ThanksInput{UnitID: -1, Text: "谢谢"}, map[string]string{"unit_id": "field_required"}},
		{"no words", ThanksInput{UnitID: 3}, map[string]string{"text": "field_required"}},
		{"nothing at all", ThanksInput{}, map[string]string{"unit_id": "field_required", "text": "field_required"}},
		{"at the limit", ThanksInput{UnitID: 3, Text: strings.Repeat("谢", MaxLineLength)}, nil},
		{"too long", ThanksInput{UnitID: 3, Text: strings.Repeat("谢", MaxLineLength+1)}, map[string]string{"text": "field_text_too_long"}},
		{"a control character", ThanksInput{UnitID: 3, Text: "谢\x00谢"}, map[string]string{"text": "field_bad_characters"}},
		{"a C1 control character", ThanksInput{UnitID: 3, Text: "谢\u009b谢"}, map[string]string{"text": "field_bad_characters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, fieldsOf(t, tt.in.Validate()))
		})
	}
}

func TestThanksInputNormalize(t *testing.T) {
	t.Parallel()
	in := ThanksInput{UnitID: 3, Text: "  谢谢 \n"}
	in.Normalize()
	require.Equal(t, ThanksInput{UnitID: 3, Text: "谢谢"}, in)
	blank := ThanksInput{UnitID: 3, Text: " \t "}
	blank.Normalize()
	require.Equal(t, map[string]string{"text": "field_required"}, fieldsOf(t, blank.Validate()))
}

func TestTimelineNeedDisplayTitle(t *testing.T) {
	t.Parallel()
	n := TimelineNeed{Title: "客户分析", TitleEN: "Customer analytics"}
	require.Equal(t, "Customer analytics", n.DisplayTitle(LocaleEN))
	require.Equal(t, "客户分析", n.DisplayTitle("zh"))
	require.Equal(t, "客户分析", TimelineNeed{Title: "客户分析"}.DisplayTitle(LocaleEN))
}
