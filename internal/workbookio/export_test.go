package workbookio

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"accord/internal/accord"
	"accord/web/i18n"
)

// translator returns the real catalogs' translation for lang.
func translator(t *testing.T, lang string) func(string) string {
	t.Helper()
	b, err := i18n.NewBundle()
	require.NoError(t, err)
	l := b.Localizer(lang)
	return func(id string) string { return l.T(id) }
}

func day(s string) *time.Time {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return &d
}

func ptr[T any](v T) *T { return &v }

var testUnits = []accord.Unit{
	{ID: 1, Name: "公司", NameEN: "Company", Path: []int64{1}},
	{ID: 2, Name: "信息技术部", NameEN: "IT", Path: []int64{1, 2}},
	{ID: 3, Name: "数据部", NameEN: "Data", Path: []int64{1, 3}},
	{ID: 4, Name: "培训部", NameEN: "Training", Path: []int64{1, 4}},
	{ID: 5, Name: "旧部门", NameEN: "Old unit", Path: []int64{1, 5}, ClosedAt: day("2024-01-01")},
	{ID: 6, Name: "市场部", NameEN: "Marketing", Path: []int64{1, 6}},
	{ID: 7, Name: "市场部", NameEN: "Marketing East", Path: []int64{1, 7}},
}

var testProject = accord.Project{ID: 9, Name: "智能服务升级", NameEN: "Smart service upgrade", OwningUnitID: 1,
	TargetDate: day("2025-12-31")}

func testWorkbook() Workbook {
	return Workbook{
		Project: testProject,
		Needs: []accord.Need{
			{ID: 11, Title: "客户管理系统开发", TitleEN: "CRM system development", HolderUnitID: ptr(int64(2)),
				HolderName: "信息技术部", HolderNameEN: "IT", Tier: accord.TierRequired, NeededBy: day("2025-09-30"),
				EffortDays: 120, KeyPerson: "徐航", Notes: "需求文档已三轮评审；\n可分两期交付。"},
			{ID: 12, Title: "客户数据分析", HolderUnitID: ptr(int64(3)), HolderName: "数据部", HolderNameEN: "Data",
				Tier: accord.TierImportant, EffortDays: 0.5},
			{ID: 13, Title: "=HYPERLINK(\"http://evil\")", TitleEN: "External training vendor", ExternalParty: "外部培训机构",
				Tier: accord.TierAlternative, BacksUpNeedID: ptr(int64(12)), NeededBy: day("2025-10-01"), Notes: "+1 -2 @3"},
		},
		Plans: []accord.UnitPlan{
			{UnitID: 2, UnitName: "信息技术部", UnitNameEN: "IT", Concerns: []string{"排期已满", "会不会背锅"},
				KPIs: []string{"交付准时率"}, TheyNeed: "清晰的需求", WeGive: "需求文档", TheyGet: "标杆系统",
				Proposal: "先交付一期", OptionA: "外包", OptionB: "分期", OptionC: "全程", Stance: accord.StanceOpposed, ApproachOrder: 2},
			{UnitID: 3, UnitName: "数据部", UnitNameEN: "Data", Stance: accord.StanceUnknown},
		},
		Commitments: []accord.Commitment{
			{UnitID: 3, UnitName: "数据部", UnitNameEN: "Data", What: "项目报告设“数据价值”专章", DueDate: day("2025-08-01"),
				Status: accord.CommitmentOpen},
			{UnitID: 4, UnitName: "培训部", UnitNameEN: "Training", What: "年会上公开感谢", Status: accord.CommitmentKept},
		},
	}
}

// wantInputs is what importing testWorkbook's resource map must give: every field but
// the backed-up need, which import does not read.
func wantInputs(wb Workbook) []accord.NeedInput {
	out := make([]accord.NeedInput, len(wb.Needs))
	for i, n := range wb.Needs {
		out[i] = accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, HolderUnitID: n.HolderUnitID,
			ExternalParty: n.ExternalParty, Tier: n.Tier, NeededBy: n.NeededBy, EffortDays: n.EffortDays,
			KeyPerson: n.KeyPerson, Notes: n.Notes}
	}
	return out
}

func TestExportRoundTrip(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			wb := testWorkbook()
			tr := translator(t, lang)
			var xlsx bytes.Buffer
			require.NoError(t, Export(&xlsx, wb, lang, tr))
			got, problems := ParseNeeds(bytes.NewReader(xlsx.Bytes()), "export.xlsx", testUnits, testProject)
			require.Empty(t, problems)
			require.Equal(t, wantInputs(wb), got)

			var csvOut bytes.Buffer
			require.NoError(t, WriteCSV(&csvOut, ResourceMap, wb, lang, tr))
			got, problems = ParseNeeds(&csvOut, "resource-map.csv", testUnits, testProject)
			require.Empty(t, problems)
			require.Equal(t, wantInputs(wb), got)
		})
	}
}

func TestExportSheets(t *testing.T) {
	t.Parallel()
	tr := translator(t, i18n.English)
	var buf bytes.Buffer
	require.NoError(t, Export(&buf, testWorkbook(), i18n.English, tr))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Resource map", "Value exchange", "Motivations", "Alliance map", "Commitments"}, f.GetSheetList())

	rows, err := f.GetRows("Resource map")
	require.NoError(t, err)
	require.Equal(t, []string{"Tier", "Title", "English title", "Holder unit", "External party", "Backs up", "Needed by",
		"Effort (person-days)", "Key person", "Notes"}, rows[0])
	require.Equal(t, []string{"P0 Required", "客户管理系统开发", "CRM system development", "IT", "", "", "2025-09-30", "120",
		"徐航", "需求文档已三轮评审；\n可分两期交付。"}, rows[1])
	require.Equal(t, []string{"P2 Alternative", "=HYPERLINK(\"http://evil\")", "External training vendor", "", "外部培训机构",
		"客户数据分析", "2025-10-01", "0", "", "+1 -2 @3"}, rows[3])

	// The header is bold and frozen; dates and effort are real dates and numbers.
	style, err := f.GetCellStyle("Resource map", "A1")
	require.NoError(t, err)
	s, err := f.GetStyle(style)
	require.NoError(t, err)
	require.True(t, s.Font.Bold)
	panes, err := f.GetPanes("Resource map")
	require.NoError(t, err)
	require.True(t, panes.Freeze)
	require.Equal(t, 1, panes.YSplit)
	raw, err := f.GetCellValue("Resource map", "G2", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Equal(t, "45930", raw, "2025-09-30 as an Excel serial date")
	effort, err := f.GetCellValue("Resource map", "H3", excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Equal(t, "0.5", effort)
	kind, err := f.GetCellType("Resource map", "B3")
	require.NoError(t, err)
	require.NotEqual(t, excelize.CellTypeFormula, kind)
	formula, err := f.GetCellFormula("Resource map", "B4")
	require.NoError(t, err)
	require.Empty(t, formula, "a title that looks like a formula stays text")
	width, err := f.GetColWidth("Resource map", "J")
	require.NoError(t, err)
	require.Equal(t, 50.0, width)

	tests := []struct {
		sheet string
		want  [][]string
	}{
		{"Value exchange", [][]string{
			{"Unit", "They need", "We give", "They get", "Proposal", "Option A", "Option B", "Option C"},
			{"IT", "清晰的需求", "需求文档", "标杆系统", "先交付一期", "外包", "分期", "全程"},
			{"Data"},
		}},
		{"Motivations", [][]string{{"Unit", "Concerns", "KPIs"}, {"IT", "排期已满\n会不会背锅", "交付准时率"}, {"Data"}}},
		{"Alliance map", [][]string{{"Unit", "Stance", "Approach order"}, {"IT", "Opposed", "2"}, {"Data", "Not assessed"}}},
		{"Commitments", [][]string{{"Unit", "What we promised", "Due", "Status"},
			{"Data", "项目报告设“数据价值”专章", "2025-08-01", "Open"}, {"Training", "年会上公开感谢", "", "Kept"}}},
	}
	for _, tt := range tests {
		rows, err := f.GetRows(tt.sheet)
		require.NoError(t, err)
		require.Equal(t, tt.want, rows, tt.sheet)
	}
}

func TestExportChineseLabels(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, Export(&buf, testWorkbook(), i18n.Chinese, translator(t, i18n.Chinese)))
	f, err := excelize.OpenReader(&buf)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"资源地图", "价值交换", "动机分析", "联盟地图", "承诺清单"}, f.GetSheetList())
	rows, err := f.GetRows("资源地图")
	require.NoError(t, err)
	require.Equal(t, []string{"优先级", "标题", "英文标题", "持有单位", "外部方", "备选对象", "需要日期", "工作量（人天）", "关键人", "备注"}, rows[0])
	require.Equal(t, []string{"P0 必需", "客户管理系统开发", "CRM system development", "信息技术部"}, rows[1][:4])
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	wb := testWorkbook()
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, ResourceMap, wb, i18n.Chinese, translator(t, i18n.Chinese)))
	out := buf.String()
	require.True(t, strings.HasPrefix(out, "\uFEFF优先级,标题,英文标题,持有单位,外部方,备选对象,需要日期,工作量（人天）,关键人,备注\r\n"), out)
	require.Contains(t, out, "\r\nP0 必需,客户管理系统开发,CRM system development,信息技术部,,,2025-09-30,120,徐航,\"需求文档已三轮评审；\r\n可分两期交付。\"\r\n")
	require.Contains(t, out, "\r\nP1 重要,客户数据分析,,数据部,,,,0.5,,\r\n")
	// Would-be formulas are quoted so a spreadsheet shows them as text.
	require.Contains(t, out, "\r\nP2 备选,\"'=HYPERLINK(\"\"http://evil\"\")\",External training vendor,,外部培训机构,客户数据分析,2025-10-01,0,,'+1 -2 @3\r\n")

	for _, table := range Tables() {
		buf.Reset()
		require.NoError(t, WriteCSV(&buf, table, wb, i18n.English, translator(t, i18n.English)), table)
		require.True(t, strings.HasPrefix(buf.String(), "\uFEFF"), table)
	}
	buf.Reset()
	require.NoError(t, WriteCSV(&buf, Commitments, wb, i18n.English, translator(t, i18n.English)))
	require.Equal(t, "\uFEFFUnit,What we promised,Due,Status\r\nData,项目报告设“数据价值”专章,2025-08-01,Open\r\nTraining,年会上公开感谢,,Kept\r\n", buf.String())
	buf.Reset()
	require.NoError(t, WriteCSV(&buf, Motivations, wb, i18n.English, translator(t, i18n.English)))
	require.Equal(t, "\uFEFFUnit,Concerns,KPIs\r\nIT,\"排期已满\r\n会不会背锅\",交付准时率\r\nData,,\r\n", buf.String())

	require.Error(t, WriteCSV(&buf, "secrets", wb, i18n.English, translator(t, i18n.English)))
}

func TestGuardFormula(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"=1+1", "'=1+1"},
		{"+86 138", "'+86 138"},
		{"-5", "'-5"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"＝1+1", "'＝1+1"},
		{"a=b", "a=b"},
		{"'quoted", "'quoted"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, guardFormula(tt.in), "%q", tt.in)
		require.Equal(t, tt.in, unguardFormula(guardFormula(tt.in)), "%q", tt.in)
	}
}

// TestCatalogs checks every label the files use exists in both languages, and that
// import recognises the resource map's headers exactly as either catalog says them.
func TestCatalogs(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		tr := translator(t, lang)
		for _, tb := range tables {
			require.NotEqual(t, tb.sheet, tr(tb.sheet), lang)
			require.LessOrEqual(t, len([]rune(tr(tb.sheet))), 31, "sheet names are at most 31 characters")
			for _, c := range tb.columns {
				require.NotEqual(t, c.header, tr(c.header), lang)
			}
		}
		for _, c := range needColumns {
			require.NotEqual(t, c.hint, tr(c.hint), lang)
			field, ok := columnFor(tr(c.header))
			require.True(t, ok, "%s: header %q is not recognised", lang, tr(c.header))
			require.Equal(t, c.key, field, lang)
		}
		for _, id := range []string{"io_file_unreadable", "io_file_too_large", "io_file_old_excel", "io_csv_malformed",
			"io_file_empty", "io_header_missing", "io_column_missing", "io_file_no_rows", "io_too_many_rows",
			"io_unknown_unit", "io_ambiguous_unit", "io_bad_date", "io_bad_number"} {
			require.NotEqual(t, id, tr(id), lang)
		}
	}
}
