package server_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"accord/internal/accord"
)

const smartService = "Smart service upgrade"

// projectIDByName finds a demo project by its English name.
func projectIDByName(t *testing.T, b *testBundle, nameEN string) int64 {
	t.Helper()
	var id int64
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT id FROM projects WHERE name_en = $1`, nameEN).Scan(&id))
	return id
}

func projectNeeds(t *testing.T, b *testBundle, projectID int64) []accord.Need {
	t.Helper()
	needs, err := b.st.Needs(context.Background(), projectID)
	require.NoError(t, err)
	return needs
}

// postFile uploads a file as a browser's multipart form would.
func (c *client) postFile(path, filename string, content []byte) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", filename)
	require.NoError(c.t, err)
	_, err = part.Write(content)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, &body)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// rowTitled returns the sheet row whose second cell (the title) is title.
func rowTitled(rows [][]string, title string) []string {
	for _, row := range rows {
		if len(row) > 1 && row[1] == title {
			return row
		}
	}
	return nil
}

func projectFile(id int64, file string) string { return fmt.Sprintf("/projects/%d/%s", id, file) }

// problemRows lists the row numbers the import page reports, in order.
func problemRows(resp response) []string {
	var rows []string
	resp.doc.Find(`[data-testid="import-problems"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		rows = append(rows, s.AttrOr("data-row", ""))
	})
	return rows
}

// TestExportXLSX is the workbook's "done when": the .xlsx opens and its resource map
// holds the project's needs.
func TestExportXLSX(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")

	resp := lead.get(projectFile(id, "export.xlsx"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="Smart service upgrade.xlsx"; filename*=UTF-8''Smart%20service%20upgrade.xlsx`,
		resp.Header.Get("Content-Disposition"))
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))

	f, err := excelize.OpenReader(strings.NewReader(resp.body))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{"Resource map", "Value exchange", "Motivations", "Alliance map", "Commitments"}, f.GetSheetList())
	rows, err := f.GetRows("Resource map")
	require.NoError(t, err)
	needs := projectNeeds(t, b, id)
	require.Len(t, needs, 5)
	require.Len(t, rows, 1+len(needs))
	require.Equal(t, []string{"Tier", "Title", "English title", "Holder unit", "External party"}, rows[0][:5])
	tiers := map[accord.Tier]string{accord.TierRequired: "P0 Required", accord.TierImportant: "P1 Important", accord.TierAlternative: "P2 Alternative"}
	for i, n := range needs {
		row := append(rows[i+1], make([]string, 10)...)
		require.Equal(t, tiers[n.Tier], row[0], n.Title)
		require.Equal(t, n.Title, row[1])
		require.Equal(t, n.TitleEN, row[2])
		if n.HolderUnitID != nil {
			require.Equal(t, n.HolderNameEN, row[3], n.Title)
		} else {
			require.Equal(t, n.ExternalParty, row[4], n.Title)
		}
	}
	require.Equal(t, []string{"P0 Required", "客户管理系统开发", "CRM system development", "IT"}, rowTitled(rows, "客户管理系统开发")[:4])

	plans, err := f.GetRows("Alliance map")
	require.NoError(t, err)
	require.Len(t, plans, 1+4)
	commitments, err := f.GetRows("Commitments")
	require.NoError(t, err)
	require.Len(t, commitments, 1+2)

	// In Chinese: Chinese sheets, and the Chinese file name encoded for the browser.
	lead.lang = "zh-CN"
	resp = lead.get(projectFile(id, "export.xlsx"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, fmt.Sprintf(`attachment; filename="project-%d.xlsx"; filename*=UTF-8''%%E6%%99%%BA%%E8%%83%%BD%%E6%%9C%%8D%%E5%%8A%%A1%%E5%%8D%%87%%E7%%BA%%A7.xlsx`, id),
		resp.Header.Get("Content-Disposition"))
	f2, err := excelize.OpenReader(strings.NewReader(resp.body))
	require.NoError(t, err)
	defer f2.Close()
	require.Equal(t, "资源地图", f2.GetSheetName(0))
	rows, err = f2.GetRows("资源地图")
	require.NoError(t, err)
	require.Equal(t, []string{"P0 必需", "客户管理系统开发", "CRM system development", "信息技术部"}, rowTitled(rows, "客户管理系统开发")[:4])
}

// TestExportQueries: the export costs the same number of queries whatever the size
// of the workbook.
func TestExportQueries(t *testing.T) {
	b := setup(t)
	admin := b.login(t, "admin@accord.demo")
	big, small := projectIDByName(t, b, smartService), projectIDByName(t, b, "Inventory car promotion")
	admin.get(projectFile(big, "export.xlsx")) // warm up the session
	var bigStatus, smallStatus int
	nBig := b.countQueries(func() { bigStatus = admin.get(projectFile(big, "export.xlsx")).StatusCode })
	nSmall := b.countQueries(func() { smallStatus = admin.get(projectFile(small, "export.xlsx")).StatusCode })
	require.Equal(t, http.StatusOK, bigStatus)
	require.Equal(t, http.StatusOK, smallStatus)
	require.Equal(t, nBig, nSmall)
	require.LessOrEqual(t, nBig, int64(8))
}

func TestExportCSV(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")

	resp := lead.get(projectFile(id, "resource-map.csv"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/csv; charset=utf-8", resp.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="Smart service upgrade - Resource map.csv"; filename*=UTF-8''Smart%20service%20upgrade%20-%20Resource%20map.csv`,
		resp.Header.Get("Content-Disposition"))
	require.True(t, strings.HasPrefix(resp.body, "\uFEFFTier,Title,English title,Holder unit,External party,Backs up,Needed by,Effort (person-days),Key person,Notes\r\n"))
	require.Contains(t, resp.body, "\r\nP0 Required,客户管理系统开发,CRM system development,IT,,,")
	require.Equal(t, 1+5, strings.Count(resp.body, "\r\nP")+1)

	lead.lang = "zh-CN"
	resp = lead.get(projectFile(id, "resource-map.csv"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.body, "\uFEFF优先级,标题,英文标题,持有单位,外部方,备选对象,需要日期,工作量（人天）,关键人,备注\r\n"))
	require.Contains(t, resp.body, "\r\nP0 必需,客户管理系统开发,CRM system development,信息技术部,,,")

	for _, table := range []string{"value-exchange", "motivations", "alliance-map", "commitments"} {
		resp := lead.get(projectFile(id, table+".csv"))
		require.Equal(t, http.StatusOK, resp.StatusCode, table)
		require.True(t, strings.HasPrefix(resp.body, "\uFEFF"), table)
	}
	resp = lead.get(projectFile(id, "commitments.csv"))
	require.True(t, strings.HasPrefix(resp.body, "\uFEFF部门,承诺内容,到期日,状态\r\n"), resp.body)
	require.Contains(t, resp.body, "项目报告设“数据价值”专章")

	require.Equal(t, http.StatusNotFound, lead.get(projectFile(id, "secrets.csv")).StatusCode)
}

func TestExportHiddenProject(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	legal := b.login(t, "legal@accord.demo")
	for _, file := range []string{"export.xlsx", "resource-map.csv", "commitments.csv", "import-template.csv", "import"} {
		resp := legal.get(projectFile(id, file))
		require.Equal(t, http.StatusNotFound, resp.StatusCode, file)
		require.NotContains(t, resp.body, "客户管理系统开发", file)
	}
	resp := legal.postFile(projectFile(id, "import"), "needs.csv", []byte("Tier,Title,Holder unit\nP0,X,IT\n"))
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Equal(t, http.StatusNotFound, legal.get("/projects/999999/export.xlsx").StatusCode)
}

func TestImportPage(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")

	resp := lead.get(projectFile(id, "import"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	form := resp.doc.Find(`form[data-testid="import-form"]`)
	require.Equal(t, "multipart/form-data", form.AttrOr("enctype", ""))
	require.Equal(t, projectFile(id, "import"), form.AttrOr("action", ""))
	require.Equal(t, ".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv",
		form.Find(`input[type="file"][name="file"]`).AttrOr("accept", ""))
	require.Equal(t, projectFile(id, "import-template.csv"), resp.doc.Find(`[data-testid="import-template"]`).AttrOr("href", ""))
	require.Equal(t, 10, resp.doc.Find(`[data-testid="import-columns"] tbody tr`).Length())
	require.Contains(t, resp.text("import-columns"), "Holder unit")

	resp = lead.get(projectFile(id, "import-template.csv"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "\uFEFFTier,Title,English title,Holder unit,External party,Backs up,Needed by,Effort (person-days),Key person,Notes\r\n", resp.body)
	require.Contains(t, resp.Header.Get("Content-Disposition"), `filename="Smart service upgrade - import template.csv"`)

	// Someone who sees the project but does not lead it may export, not import.
	it := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusOK, it.get(projectFile(id, "export.xlsx")).StatusCode)
	require.Equal(t, http.StatusForbidden, it.get(projectFile(id, "import")).StatusCode)
	resp = it.postFile(projectFile(id, "import"), "needs.csv", []byte("Tier,Title,Holder unit\nP0,X,IT\n"))
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Len(t, projectNeeds(t, b, id), 5)
}

func TestImportRefusesBadRows(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")
	file := "Tier,Title,Holder unit,External party,Needed by,Effort\n" + // row 1
		"P1,Legal review,Legal,,2025-09-01,2\n" + // row 2
		"P1,Budget sign-off,Purchasing,,,\n" + // row 3: no such unit
		"P2,Print shop,,Print Co.,,1\n" + // row 4
		",Venue,法务部,,next week,-1\n" // row 5: no tier, bad date, negative effort

	resp := lead.postFile(projectFile(id, "import"), "needs.csv", []byte(file))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, []string{"3", "5", "5", "5"}, problemRows(resp))
	problems := resp.doc.Find(`[data-testid="import-problems"] tbody tr`)
	cells := func(i int) []string {
		var out []string
		problems.Eq(i).Find("td").Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
		return out
	}
	require.Equal(t, []string{"3", "Holder unit", "No open unit has this name. Check its spelling on the organisation page, or put an outside party in the External party column."}, cells(0))
	require.Equal(t, []string{"5", "Tier", "Choose a tier: P0 required, P1 important or P2 alternative."}, cells(1))
	require.Equal(t, []string{"5", "Needed by", "Write the date as yyyy-mm-dd, for example 2025-09-30."}, cells(2))
	require.Equal(t, []string{"5", "Effort (person-days)", "Enter zero or more."}, cells(3))
	require.Equal(t, "Nothing was imported. Fix these problems in the file and upload it again:", resp.text("form-alert"))
	require.Equal(t, 1, resp.doc.Find(`form[data-testid="import-form"]`).Length(), "the form stays")
	require.Len(t, projectNeeds(t, b, id), 5, "nothing was saved")

	// In Chinese, the same problems in Chinese.
	lead.lang = "zh-CN"
	resp = lead.postFile(projectFile(id, "import"), "needs.csv", []byte(file))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, resp.text("import-problems"), "没有叫这个名称的在用部门")
	require.Contains(t, resp.text("import-problems"), "持有单位")

	// A file that is not a spreadsheet, and no file at all.
	resp = lead.postFile(projectFile(id, "import"), "needs.xlsx", []byte("not a workbook"))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, []string{"0"}, problemRows(resp))
	resp = lead.post(projectFile(id, "import"), nil)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Len(t, projectNeeds(t, b, id), 5)
}

func TestImportNeeds(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")
	file := "\uFEFF优先级,标题,英文标题,持有单位,外部方,需要日期,工作量（人天）,关键人,备注\r\n" +
		"P1,合同审核,Contract review,法务部,,2025-09-01,2.5,郭正,\"两份合同\n一份补充协议\"\r\n" +
		"P2,外部印刷,,,印刷公司,,,,\r\n"

	resp := lead.postFile(projectFile(id, "import"), "需求.csv", []byte(file))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("form-alert"))
	require.Equal(t, fmt.Sprintf("/projects/%d", id), resp.Header.Get("Location"))
	require.Equal(t, "2 needs imported.", lead.get(projectFile(id, "import")).text("flash"))

	needs := projectNeeds(t, b, id)
	require.Len(t, needs, 7)
	byTitle := map[string]accord.Need{}
	for _, n := range needs {
		byTitle[n.Title] = n
	}
	review := byTitle["合同审核"]
	require.Equal(t, "Contract review", review.TitleEN)
	require.Equal(t, "Legal", review.HolderNameEN)
	require.Equal(t, accord.TierImportant, review.Tier)
	require.Equal(t, "2025-09-01", review.NeededBy.Format("2006-01-02"))
	require.Equal(t, 2.5, review.EffortDays)
	require.Equal(t, "郭正", review.KeyPerson)
	require.Equal(t, "两份合同\n一份补充协议", review.Notes)
	printing := byTitle["外部印刷"]
	require.Nil(t, printing.HolderUnitID)
	require.Equal(t, "印刷公司", printing.ExternalParty)
	require.Equal(t, accord.TierAlternative, printing.Tier)
}

// TestImportExportedWorkbook moves a resource map from one project to another
// through the .xlsx: what one exports, the other imports unchanged.
func TestImportExportedWorkbook(t *testing.T) {
	b := setup(t)
	from, to := projectIDByName(t, b, smartService), projectIDByName(t, b, "Inventory car promotion")
	admin := b.login(t, "admin@accord.demo")
	admin.lang = "zh-CN"
	xlsx := admin.get(projectFile(from, "export.xlsx"))
	require.Equal(t, http.StatusOK, xlsx.StatusCode)
	before := len(projectNeeds(t, b, to))

	resp := admin.postFile(projectFile(to, "import"), "智能服务升级.xlsx", []byte(xlsx.body))
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.text("import-problems"))
	require.Len(t, projectNeeds(t, b, to), before+5)
	imported := map[string]accord.Need{}
	for _, n := range projectNeeds(t, b, to) {
		imported[n.Title] = n
	}
	for _, n := range projectNeeds(t, b, from) {
		got, ok := imported[n.Title]
		require.True(t, ok, n.Title)
		require.Equal(t, n.TitleEN, got.TitleEN)
		require.Equal(t, n.Tier, got.Tier)
		require.Equal(t, n.HolderUnitID, got.HolderUnitID)
		require.Equal(t, n.ExternalParty, got.ExternalParty)
		require.Equal(t, n.NeededBy, got.NeededBy)
		require.Equal(t, n.EffortDays, got.EffortDays)
		require.Equal(t, n.KeyPerson, got.KeyPerson)
		require.Equal(t, n.Notes, got.Notes)
	}
}

func TestImportTooLarge(t *testing.T) {
	b := setup(t)
	id := projectIDByName(t, b, smartService)
	lead := b.login(t, "aftersales@accord.demo")
	big := append([]byte("Tier,Title\n"), bytes.Repeat([]byte("P1,x\n"), 6<<20/5)...)

	resp := lead.postFile(projectFile(id, "import"), "big.csv", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Equal(t, "The file is larger than 5 MB. Split it into smaller files and import each one.", resp.text("form-alert"))
	require.Equal(t, 1, resp.doc.Find(`form[data-testid="import-form"]`).Length())
	require.Len(t, projectNeeds(t, b, id), 5)
}
