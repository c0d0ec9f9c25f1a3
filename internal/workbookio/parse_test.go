package workbookio

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"accord/internal/accord"
)

func parseCSV(t *testing.T, text string) ([]accord.NeedInput, []RowError) {
	t.Helper()
	return ParseNeeds(strings.NewReader(text), "needs.csv", testUnits, testProject)
}

func TestParseNeedsHeaders(t *testing.T) {
	t.Parallel()
	want := []accord.NeedInput{
		{Title: "客户管理系统开发", TitleEN: "CRM", HolderUnitID: ptr(int64(2)), Tier: accord.TierRequired,
			NeededBy: day("2025-09-30"), EffortDays: 12.5, KeyPerson: "徐航", Notes: "备注"},
		{Title: "外部培训", ExternalParty: "外部培训机构", Tier: accord.TierAlternative},
	}
	tests := []struct {
		name string
		file string
	}{
		{"english", "Tier,Title,English title,Holder unit,External party,Backs up,Needed by,Effort (person-days),Key person,Notes\n" +
			"P0,客户管理系统开发,CRM,IT,,,2025-09-30,12.5,徐航,备注\n" +
			"P2,外部培训,,,外部培训机构,客户管理系统开发,,,,\n"},
		{"chinese", "优先级,标题,英文标题,持有单位,外部方,备选对象,需要日期,工作量（人天）,关键人,备注\n" +
			"P0 必需,客户管理系统开发,CRM,信息技术部,,,2025/9/30,12.5,徐航,备注\n" +
			"P2 备选,外部培训,,,外部培训机构,,,,,\n"},
		{"reordered, other case, extra columns, BOM and CRLF", "\uFEFFNOTES,id,effort,TIER , unit ,title,title_en,key person,needed by,external\r\n" +
			"备注,7,12.5,p0,it,客户管理系统开发,CRM,徐航,2025-09-30,\r\n" +
			",8,,p2,,外部培训,,,,外部培训机构\r\n"},
		{"tabs", "Tier\tTitle\tEnglish title\tHolder unit\tExternal party\tNeeded by\tEffort\tKey person\tNotes\n" +
			"P0\t客户管理系统开发\tCRM\tIT\t\t2025-09-30\t12.5\t徐航\t备注\n" +
			"P2\t外部培训\t\t\t外部培训机构\t\t\t\t\n"},
		{"semicolons", "Tier;Title;English title;Holder unit;External party;Needed by;Effort;Key person;Notes\n" +
			"P0;客户管理系统开发;CRM;IT;;2025-09-30;12.5;徐航;备注\n" +
			"P2;外部培训;;;外部培训机构;;;;\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problems := parseCSV(t, tt.file)
			require.Empty(t, problems)
			require.Equal(t, want, got)
		})
	}
}

func TestParseNeedsGB18030(t *testing.T) {
	t.Parallel()
	text := "优先级,标题,持有单位\nP1,培训 200 名服务顾问,培训部\n"
	encoded, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	require.NoError(t, err)
	got, problems := ParseNeeds(bytes.NewReader(encoded), "needs.csv", testUnits, testProject)
	require.Empty(t, problems)
	require.Equal(t, []accord.NeedInput{{Title: "培训 200 名服务顾问", HolderUnitID: ptr(int64(4)), Tier: accord.TierImportant}}, got)
}

// TestParseNeedsBadRows reports every bad row with the number a spreadsheet shows:
// blank lines count as rows and a quoted cell spanning lines is one row.
func TestParseNeedsBadRows(t *testing.T) {
	t.Parallel()
	file := strings.Join([]string{
		"Tier,Title,Holder unit,External party,Needed by,Effort,Notes", // 1
		"P0,Good,IT,,2025-01-01,1,",                                    // 2
		",No tier,IT,,,,",                                              // 3
		"P1,Unknown unit,Finance,,,,",                                  // 4
		"",                                                             // 5: blank, skipped
		"P1,Bad date,IT,,30/09/2025,,",                                 // 6
		"P1,Negative,IT,,,-3,\"two",                                    // 7
		"lines\"",                                                      //    (same row)
		"P1,Not a number,IT,,,lots,",                                   // 8
		",,,,,,",                                                       // 9: empty, skipped
		"P1,No holder,,,,,",                                            // 10
		"P5,Many problems,Old unit,,2025-02-30,NaN,",                   // 11
		"P1,Ambiguous,市场部,,,,",                                         // 12
		"P2,,,Vendor,,,",                                               // 13
		"P1,Too much,IT,,,100001,",                                     // 14
		"P0,Good too,Data,,,,",                                         // 15
	}, "\n")
	got, problems := parseCSV(t, file)
	require.Nil(t, got, "nothing is imported when any row is bad")
	require.Equal(t, []RowError{
		{Row: 3, Field: "tier", MessageID: "need_tier_required"},
		{Row: 4, Field: "holder", MessageID: "io_unknown_unit"},
		{Row: 6, Field: "needed_by", MessageID: "io_bad_date"},
		{Row: 7, Field: "effort_days", MessageID: "field_not_negative"},
		{Row: 8, Field: "effort_days", MessageID: "io_bad_number"},
		{Row: 10, Field: "holder", MessageID: "need_holder_required"},
		{Row: 11, Field: "tier", MessageID: "need_tier_required"},
		{Row: 11, Field: "holder", MessageID: "io_unknown_unit"},
		{Row: 11, Field: "needed_by", MessageID: "io_bad_date"},
		{Row: 11, Field: "effort_days", MessageID: "io_bad_number"},
		{Row: 12, Field: "holder", MessageID: "io_ambiguous_unit"},
		{Row: 13, Field: "title", MessageID: "field_required"},
		{Row: 14, Field: "effort_days", MessageID: "need_effort_too_large"},
	}, problems)
	require.Equal(t, "io_col_holder", problems[1].FieldMessageID())
	require.Equal(t, "", RowError{Row: 3}.FieldMessageID())
}

func TestParseNeedsFileProblems(t *testing.T) {
	t.Parallel()
	many := "Tier,Title,Holder unit\n" + strings.Repeat("P1,x,IT\n", MaxRows+1)
	tests := []struct {
		name     string
		filename string
		data     string
		want     []RowError
	}{
		{"empty", "a.csv", "", []RowError{{MessageID: "io_file_empty"}}},
		{"blank lines only", "a.csv", "\n\n,,\n", []RowError{{MessageID: "io_file_empty"}}},
		{"header only", "a.csv", "\n\nTier,Title\n", []RowError{{MessageID: "io_file_no_rows"}}},
		{"no header", "a.csv", "P0,CRM,IT\n", []RowError{{Row: 1, MessageID: "io_header_missing"}}},
		{"missing columns", "a.csv", "\nHolder unit,Notes\nIT,x\n", []RowError{
			{Row: 2, Field: "tier", MessageID: "io_column_missing"}, {Row: 2, Field: "title", MessageID: "io_column_missing"}}},
		{"too many rows", "a.csv", many, []RowError{{Row: MaxRows + 2, MessageID: "io_too_many_rows"}}},
		{"too large", "a.csv", "Tier,Title\n" + strings.Repeat("x", MaxFileBytes), []RowError{{MessageID: "io_file_too_large"}}},
		{"old excel", "a.xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest", []RowError{{MessageID: "io_file_old_excel"}}},
		{"not a workbook", "a.xlsx", "Tier,Title\nP0,x\n", []RowError{{MessageID: "io_file_unreadable"}}},
		{"broken zip", "a.xlsx", "PK\x03\x04garbage", []RowError{{MessageID: "io_file_unreadable"}}},
		{"binary", "a.csv", "\x00\x01\x02", []RowError{{MessageID: "io_file_unreadable"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, problems := ParseNeeds(strings.NewReader(tt.data), tt.filename, testUnits, testProject)
			require.Nil(t, got)
			require.Equal(t, tt.want, problems)
		})
	}
	_, problems := ParseNeeds(strings.NewReader(strings.Replace(many, "P1,x,IT\n", "", 1)), "a.csv", testUnits, testProject)
	require.Empty(t, problems, "exactly %d rows is allowed", MaxRows)
}

// TestParseNeedsXLSX reads a workbook typed by hand: Excel date cells and dates typed
// as text, numbers, a gap in the rows, and only the first sheet.
func TestParseNeedsXLSX(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	set := func(ref string, v any) { require.NoError(t, f.SetCellValue(sheet, ref, v)) }
	set("A1", "Title")
	set("B1", "Tier")
	set("C1", "Holder unit")
	set("D1", "Needed by")
	set("E1", "Effort")
	set("A2", "CRM")
	set("B2", "P0")
	set("C2", "信息技术部")
	set("D2", *day("2025-09-30"))
	set("E2", 3)
	set("A5", "Analytics")
	set("B5", "P1")
	set("C5", "Data")
	set("D5", "2025-10-01")
	set("E5", 0.1)
	set("A6", "Bad")
	set("B6", "P1")
	set("C6", "Nobody")
	_, err := f.NewSheet("Other")
	require.NoError(t, err)
	require.NoError(t, f.SetCellValue("Other", "A1", "ignored"))
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))

	_, problems := ParseNeeds(bytes.NewReader(buf.Bytes()), "hand.xlsx", testUnits, testProject)
	require.Equal(t, []RowError{{Row: 6, Field: "holder", MessageID: "io_unknown_unit"}}, problems)

	require.NoError(t, f.RemoveRow(sheet, 6))
	buf.Reset()
	require.NoError(t, f.Write(&buf))
	// Content decides, not the name: an .xlsx uploaded as .csv still reads.
	got, problems := ParseNeeds(bytes.NewReader(buf.Bytes()), "mislabelled.csv", testUnits, testProject)
	require.Empty(t, problems)
	require.Equal(t, []accord.NeedInput{
		{Title: "CRM", HolderUnitID: ptr(int64(2)), Tier: accord.TierRequired, NeededBy: day("2025-09-30"), EffortDays: 3},
		{Title: "Analytics", HolderUnitID: ptr(int64(3)), Tier: accord.TierImportant, NeededBy: day("2025-10-01"), EffortDays: 0.1},
	}, got)
}

func TestParseTier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want accord.Tier
	}{
		{"P0", accord.TierRequired}, {"p1", accord.TierImportant}, {"P2 Alternative", accord.TierAlternative},
		{"P0 必需", accord.TierRequired}, {"P1重要", accord.TierImportant}, {"P0-required", accord.TierRequired},
		{"P00", "P00"}, {"P3", "P3"}, {"", ""}, {"Px", "PX"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, parseTier(tt.in), "%q", tt.in)
	}
}

func ExampleParseNeeds() {
	file := "Tier,Title,Holder unit,Needed by\nP0,CRM,IT,2025-09-30\nP9,Analytics,Nobody,soon\n"
	_, problems := ParseNeeds(strings.NewReader(file), "needs.csv", testUnits, testProject)
	for _, p := range problems {
		fmt.Println(p.Row, p.Field, p.MessageID)
	}
	// Output:
	// 3 tier need_tier_required
	// 3 holder io_unknown_unit
	// 3 needed_by io_bad_date
}

// FuzzParseNeeds: whatever the upload, parsing never panics, every problem says
// where and why, and needs come back only when every one of them is valid.
func FuzzParseNeeds(f *testing.F) {
	f.Add([]byte("Tier,Title,Holder unit\nP0,CRM,IT\n"), "a.csv")
	f.Add([]byte("\uFEFF优先级,标题,持有单位,需要日期\r\nP1,\"x\ny\",数据部,2025/1/2\r\n"), "a.csv")
	f.Add([]byte("Tier;Title\nP2;x;y;z\n\n\n"), "a.txt")
	f.Add([]byte("PK\x03\x04"), "a.xlsx")
	var buf bytes.Buffer
	if err := Export(&buf, testWorkbook(), "en", func(id string) string { return id }); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes(), "a.xlsx")
	f.Fuzz(func(t *testing.T, data []byte, filename string) {
		needs, problems := ParseNeeds(bytes.NewReader(data), filename, testUnits, testProject)
		if len(problems) > 0 && needs != nil {
			t.Fatal("needs returned alongside problems")
		}
		for _, p := range problems {
			if p.Row < 0 || p.MessageID == "" {
				t.Fatalf("problem without a place or reason: %+v", p)
			}
		}
		if len(needs) > MaxRows {
			t.Fatalf("%d needs, more than %d", len(needs), MaxRows)
		}
		for _, n := range needs {
			if _, err := n.Validate(testProject); err != nil {
				t.Fatalf("invalid need returned: %+v: %v", n, err)
			}
		}
	})
}
