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

func TestFairShares(t *testing.T) {
	t.Parallel()
	unit := func(id int64, name, nameEN string, planned, logged float64, thanks int) RetroUnit {
		return RetroUnit{UnitID: id, Name: name, NameEN: nameEN, Needs: 1, PlannedDays: planned, LoggedDays: logged,
			Delivered: 1, Thanks: thanks, PromisesKept: 1}
	}
	it, data, training := unit(1, "信息部", "IT", 30, 0, 1), unit(2, "数据部", "Data", 10, 0, 1), unit(3, "培训部", "Training", 10, 0, 0)
	logged := func(u RetroUnit, days float64) RetroUnit { u.LoggedDays = days; return u }
	share := func(u RetroUnit, mentions int, effort, credit float64, most, unsung bool) RetroShare {
		return RetroShare{RetroUnit: u, Mentions: mentions, EffortShare: effort, CreditShare: credit, CarriedMost: most, Unsung: unsung}
	}
	tests := []struct {
		name    string
		units   []RetroUnit
		writeUp string
		want    []RetroShare
		basis   EffortBasis
	}{
		{"nobody involved", nil, "", []RetroShare{}, EffortPlanned},
		{"planned effort while nothing is logged", []RetroUnit{it, data, training}, "",
			[]RetroShare{share(it, 0, 0.6, 0.5, true, false), share(data, 0, 0.2, 0.5, false, false),
				share(training, 0, 0.2, 0, false, true)}, EffortPlanned},
		{"logged effort once any is logged", []RetroUnit{logged(it, 2), logged(data, 8), training}, "",
			[]RetroShare{share(logged(it, 2), 0, 0.2, 0.5, false, false), share(logged(data, 8), 0, 0.8, 0.5, true, true),
				share(training, 0, 0, 0, false, false)}, EffortLogged},
		{"25 points more effort than credit is unsung", []RetroUnit{unit(1, "甲", "A", 75, 0, 1), unit(2, "乙", "B", 25, 0, 1)}, "",
			[]RetroShare{share(unit(1, "甲", "A", 75, 0, 1), 0, 0.75, 0.5, true, true),
				share(unit(2, "乙", "B", 25, 0, 1), 0, 0.25, 0.5, false, false)}, EffortPlanned},
		{"15 points more is not", []RetroUnit{unit(1, "甲", "A", 65, 0, 1), unit(2, "乙", "B", 35, 0, 1)}, "",
			[]RetroShare{share(unit(1, "甲", "A", 65, 0, 1), 0, 0.65, 0.5, true, false),
				share(unit(2, "乙", "B", 35, 0, 1), 0, 0.35, 0.5, false, false)}, EffortPlanned},
		{"under a tenth of the effort is never unsung", []RetroUnit{unit(1, "甲", "A", 95, 0, 1), unit(2, "乙", "B", 5, 0, 0)}, "",
			[]RetroShare{share(unit(1, "甲", "A", 95, 0, 1), 0, 0.95, 1, true, false),
				share(unit(2, "乙", "B", 5, 0, 0), 0, 0.05, 0, false, false)}, EffortPlanned},
		{"a tie: the first carried the most", []RetroUnit{unit(1, "甲", "A", 5, 0, 1), unit(2, "乙", "B", 5, 0, 1)}, "",
			[]RetroShare{share(unit(1, "甲", "A", 5, 0, 1), 0, 0.5, 0.5, true, false),
				share(unit(2, "乙", "B", 5, 0, 1), 0, 0.5, 0.5, false, false)}, EffortPlanned},
		{"no effort anywhere: nobody carried the most", []RetroUnit{unit(1, "甲", "A", 0, 0, 0)}, "",
			[]RetroShare{share(unit(1, "甲", "A", 0, 0, 0), 0, 0, 0, false, false)}, EffortPlanned},
		{"mentions in either language", []RetroUnit{it, unit(2, "数据部", "", 10, 0, 1)}, "信息部 and IT; IT again. 数据部",
			[]RetroShare{share(it, 3, 0.75, 0.5, true, true), share(unit(2, "数据部", "", 10, 0, 1), 1, 0.25, 0.5, false, false)},
			EffortPlanned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, basis := FairShares(tt.units, tt.writeUp)
			require.Equal(t, tt.basis, basis)
			require.Len(t, got, len(tt.want))
			for i := range tt.want {
				require.Equal(t, tt.want[i].RetroUnit, got[i].RetroUnit)
				require.Equal(t, tt.want[i].Mentions, got[i].Mentions, "mentions of %s", got[i].NameEN)
				require.InDelta(t, tt.want[i].EffortShare, got[i].EffortShare, 1e-9, "effort share of %s", got[i].NameEN)
				require.InDelta(t, tt.want[i].CreditShare, got[i].CreditShare, 1e-9, "credit share of %s", got[i].NameEN)
				require.Equal(t, tt.want[i].CarriedMost, got[i].CarriedMost, "carried most: %s", got[i].NameEN)
				require.Equal(t, tt.want[i].Unsung, got[i].Unsung, "unsung: %s", got[i].NameEN)
			}
		})
	}
}

func TestRetroWriteUp(t *testing.T) {
	t.Parallel()
	require.Equal(t, "+12 分\n先找盟友", Retro{ActualOutcome: "+12 分", Lessons: "先找盟友"}.WriteUp())
}

func TestEmptyRetroIsRefused(t *testing.T) {
	t.Parallel()
	err := RetroInput{}.Validate()
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, ECodeInvalid, e.Code)
	require.Equal(t, "retro_empty", e.MessageID)
	zero := int64(0)
	require.NoError(t, RetroInput{ActualAmount: &zero}.Validate(), "an amount of zero is something to record")
	require.NoError(t, RetroInput{Lessons: "x"}.Validate())
}
