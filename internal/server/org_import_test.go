package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/orgio"
)

func init() {
	// The kept file's pages answer only the admin who uploaded it; the matrix's {id}
	// is no upload, so everyone, the admin too, gets 404.
	adminOwnUpload := policy{login, nf, nf, nf, nf, nf, nf}
	addPolicies(map[string]policy{
		"GET /admin/import": adminOnly, "POST /admin/import": adminOnly,
		"GET /admin/import/template.xlsx": adminOnly, "GET /admin/export.xlsx": adminOnly,
		"GET /admin/import/{id}": adminOwnUpload, "POST /admin/import/{id}/apply": adminOwnUpload,
	})
}

// postFiles uploads files in the "file" field, as the import form does.
func (c *client) postFiles(path string, files map[string][]byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for name, content := range files {
		part, err := mw.CreateFormFile("file", name)
		require.NoError(c.t, err)
		_, err = part.Write(content)
		require.NoError(c.t, err)
	}
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, &buf)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// demoOrgFile is the demo organisation as the admin exports it, read back.
func demoOrgFile(t *testing.T, c *client) orgio.File {
	t.Helper()
	resp := c.get("/admin/export.xlsx")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "spreadsheetml")
	f := orgio.Read(orgio.Upload{Name: "org.xlsx", Data: []byte(resp.body)})
	require.Empty(t, f.Problems)
	return f
}

func xlsxOf(t *testing.T, f orgio.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, orgio.Write(&buf, f))
	return buf.Bytes()
}

// TestOrgImportDryRunThenApply: the admin exports the demo organisation (re-importing
// it says no changes), renames a unit, moves another and adds a person; the dry run
// shows them counted, in both languages, and Apply applies exactly that.
func TestOrgImportDryRunThenApply(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	page := c.get("/admin/import")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "/admin/import/template.xlsx", page.doc.Find(`[data-testid="org-template"]`).AttrOr("href", ""))
	tmpl := c.get("/admin/import/template.xlsx")
	require.Equal(t, http.StatusOK, tmpl.StatusCode)
	require.Empty(t, orgio.Read(orgio.Upload{Name: "t.xlsx", Data: []byte(tmpl.body)}).Problems)
	require.Equal(t, "/admin/import", c.get("/admin/units").doc.Find(`[data-testid="org-import-link"]`).AttrOr("href", ""))

	f := demoOrgFile(t, c)
	resp := c.postFiles("/admin/import", map[string][]byte{"org.xlsx": xlsxOf(t, f)})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	same := c.get(resp.Header.Get("Location"))
	require.Equal(t, http.StatusOK, same.StatusCode)
	require.NotEmpty(t, same.text("org-import-no-changes"))
	require.Zero(t, same.doc.Find(`[data-testid="org-import-apply"]`).Length(), "nothing to apply")

	for i := range f.Units {
		switch f.Units[i].Code {
		case "MARKETING":
			f.Units[i].NameEN = "Marketing & brand"
		case "DATA":
			f.Units[i].ParentCode = "IT"
		}
	}
	f.People = append(f.People, orgio.PersonRow{Email: "new.analyst@accord.demo", Name: "新分析师", NameEN: "New Analyst",
		UnitCodes: []string{"DATA"}, Active: true})
	resp = c.postFiles("/admin/import", map[string][]byte{"org.xlsx": xlsxOf(t, f)})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, resp.body)
	planPath := resp.Header.Get("Location")
	plan := c.get(planPath)
	require.Equal(t, "1", plan.text("org-count-units_renamed"))
	require.Equal(t, "1", plan.text("org-count-units_moved"))
	require.Equal(t, "1", plan.text("org-count-people_created"))
	require.Equal(t, "1", plan.text("org-count-memberships_added"))
	require.Equal(t, "4", plan.text("org-import-total"))
	require.Contains(t, plan.doc.Find(`[data-group="units_moved"]`).Text(), "DATA · Data · TECH → IT")
	require.Contains(t, plan.doc.Find(`[data-group="units_renamed"]`).Text(), "Units renamed")
	c.lang = "zh"
	zh := c.get(planPath)
	require.Contains(t, zh.doc.Find(`[data-group="units_moved"]`).Text(), "移动单位")
	require.Contains(t, zh.doc.Find(`[data-group="units_moved"]`).Text(), "数据部")
	c.lang = "en"

	digest := plan.doc.Find(`[data-testid="org-import-apply"] input[name="digest"]`).AttrOr("value", "")
	require.Len(t, digest, 64)
	applied := c.post(planPath+"/apply", url.Values{"digest": {digest}})
	require.Equal(t, http.StatusSeeOther, applied.StatusCode, applied.doc.Find("main").Text())
	require.Equal(t, "/admin/units", applied.Header.Get("Location"))
	require.Equal(t, "The organisation was imported.", c.get("/admin/units").text("flash"))

	var parent string
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT p.code FROM units n JOIN units p ON p.id = n.parent_id
		WHERE n.code = 'DATA'`).Scan(&parent))
	require.Equal(t, "IT", parent)
	// The same file again: no changes; and applying the old plan again is refused.
	again := c.get(planPath)
	require.NotEmpty(t, again.text("org-import-no-changes"))
	stale := c.post(planPath+"/apply", url.Values{"digest": {digest}})
	require.Equal(t, planPath, stale.Header.Get("Location"))
	require.Contains(t, c.get(planPath).text("flash"), "changed since the dry run")
}

// TestOrgImportShowsEveryBadRow: a file with problems lists each with its sheet and
// row, in the reader's language, keeps nothing and offers no Apply.
func TestOrgImportShowsEveryBadRow(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	units := "code / 编码,name / 名称,parent code / 上级编码,head's email / 负责人邮箱\n" +
		"HQ,集团总部,,ceo@accord.demo\nX,未知,NOPE,\nY,循环甲,Z,\nZ,循环乙,Y,\nHQ,重复,HQ,\nW,头,HQ,nobody@accord.demo\n"
	people := "邮箱,姓名,单位编码,在职\nadmin@accord.demo,管理员,HQ,是\nceo@accord.demo,陈志远,HQ,是\nnot-an-email,坏,,是\n"
	files := map[string][]byte{"units.csv": []byte(units), "people.csv": []byte(people)}
	resp := c.postFiles("/admin/import", files)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	rows := resp.doc.Find(`[data-testid="org-import-problems"] tbody tr`)
	require.Equal(t, 6, rows.Length(), resp.text("org-import-problems"))
	table := resp.text("org-import-problems")
	for _, want := range []string{"No unit has this parent code in the file.", "The parent codes go round in a circle.",
		"This code is already on an earlier row.", "The head is not on the people sheet.", "Not an email address.", "units.csv"} {
		require.Contains(t, table, want)
	}
	require.Zero(t, resp.doc.Find(`[data-testid="org-import-apply"]`).Length())
	c.lang = "zh"
	zh := c.postFiles("/admin/import", files)
	require.Contains(t, zh.text("org-import-problems"), "上级编码形成了循环。")
	var kept int
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM org_import_uploads`).Scan(&kept))
	require.Zero(t, kept, "a file with problems is not kept")
	var n int
	require.NoError(t, b.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM units WHERE code IN ('X', 'Y', 'Z', 'W')`).Scan(&n))
	require.Zero(t, n)
}

// TestOrgImportThroughTheAPI: export as JSON, import it back (no changes), change
// it, dry run, apply; a file with problems is a 422 with every row; non-admins 404.
func TestOrgImportThroughTheAPI(t *testing.T) {
	b := setup(t)
	c := b.api(t, "admin@accord.demo")
	exported := c.get("/org/export").expect(t, http.StatusOK)
	units := exported["units"].([]any)
	require.Len(t, units, 15)
	require.Equal(t, "HQ", units[0].(map[string]any)["code"])

	plan := c.post("/org/import?apply=true", exported).expect(t, http.StatusOK)
	require.Equal(t, true, plan["no_changes"])
	require.Equal(t, false, plan["applied"])

	units[1].(map[string]any)["name_en"] = "Operations"
	plan = c.post("/org/import", exported).expect(t, http.StatusOK)
	require.Equal(t, float64(1), dig(plan, "counts.units_renamed"))
	digest := plan["digest"].(string)
	plan = c.post("/org/import?apply=true&digest="+digest, exported).expect(t, http.StatusOK)
	require.Equal(t, true, plan["applied"])
	stale := c.post("/org/import?apply=true&digest="+digest, exported)
	require.Equal(t, http.StatusConflict, stale.status)

	units[2].(map[string]any)["parent_code"] = "NOPE"
	bad := c.post("/org/import?apply=true", exported).expect(t, http.StatusUnprocessableEntity)
	errs := bad["errors"].([]any)
	require.Len(t, errs, 1)
	require.Equal(t, "org_import_unknown_parent", errs[0].(map[string]any)["message_id"])
	require.Equal(t, float64(3), errs[0].(map[string]any)["row"])

	// The spreadsheet, raw and as multipart, reads the same.
	x := c.get("/org/export?format=xlsx")
	require.Equal(t, http.StatusOK, x.status)
	raw, err := json.Marshal(map[string]any{})
	require.NoError(t, err)
	_ = raw
	req, err := http.NewRequest(http.MethodPost, b.srv.URL+"/api/v1/org/import", bytes.NewReader(x.raw))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	var body map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, true, body["no_changes"], "%v", body)

	for _, email := range []string{"it@accord.demo", "ceo@accord.demo"} {
		require.Equal(t, http.StatusNotFound, b.api(t, email).get("/org/export").status)
		require.Equal(t, http.StatusNotFound, b.api(t, email).post("/org/import", exported).status)
	}
}

// TestHostileOrgImportFiles: broken, hostile and oversized files are refused or
// reported, never a 500, and what they carry is shown escaped.
func TestHostileOrgImportFiles(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	f := demoOrgFile(t, c)
	f.Units[1].Name = scriptPayload
	f.People[0].Name = `"><img src=x onerror=alert(1)>`
	for name, content := range map[string][]byte{
		"hostile.xlsx":   xlsxOf(t, f),
		"broken.xlsx":    []byte("PK\x03\x04not really a zip"),
		"old.xls":        {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1},
		"binary.csv":     {0, 1, 2, 3, 0xff},
		"gbk.csv":        {0xb1, 0xe0, 0xc2, 0xeb, ',', 'x', '\n'},
		"quotes.csv":     []byte("code,name\n\"unterminated,x\n"),
		"script.csv":     []byte("code,name,parent code\n" + scriptPayload + ",x,\n"),
		"=formula.csv":   []byte("email,name\n=cmd|' /C calc'!A0,x\n"),
		"empty.csv":      {},
		"huge-cells.csv": []byte("code,name\nA," + strings.Repeat("长", 100000) + "\n"),
	} {
		resp := c.postFiles("/admin/import", map[string][]byte{name: content})
		require.Less(t, resp.StatusCode, 500, name)
		require.NotContains(t, resp.body, scriptPayload, name)
		require.NotContains(t, resp.body, "<img src=x onerror", name)
		if loc := resp.Header.Get("Location"); loc != "" {
			plan := c.get(loc)
			require.Less(t, plan.StatusCode, 500, name)
			require.NotContains(t, plan.body, scriptPayload, name)
			require.NotContains(t, plan.body, "<img src=x onerror", name)
		}
	}
	big := c.postFiles("/admin/import", map[string][]byte{"big.csv": bytes.Repeat([]byte("a,b\n"), 3<<20)})
	require.Equal(t, http.StatusRequestEntityTooLarge, big.StatusCode)
	for _, id := range []string{"0", "-1", "abc", "99999999999999999999", "1;DROP"} {
		require.Equal(t, http.StatusNotFound, c.get("/admin/import/"+id).StatusCode, id)
		require.Equal(t, http.StatusNotFound, c.post("/admin/import/"+id+"/apply", url.Values{}).StatusCode, id)
	}
}

// orgImportHostileRows are the rows of an otherwise valid body for POST /org/import
// in the hostile suite: the suite sends no ?apply=true, so it is only ever a dry run.
func orgImportHostileRows(template, field string) ([]any, bool) {
	if template != "/org/import" {
		return nil, false
	}
	switch field {
	case "units":
		return []any{map[string]any{"code": "HQ", "name": "集团总部"}}, true
	case "people":
		return []any{map[string]any{"email": "admin@accord.demo", "name": "系统管理员", "active": true}}, true
	}
	return nil, false
}

// TestAdminUnitFormTakesACode: a unit created with a code shows it; a code in use or
// with a separator is refused on the form, the input kept; left empty, one is made up.
func TestAdminUnitFormTakesACode(t *testing.T) {
	b := setup(t)
	c := b.login(t, "admin@accord.demo")
	tech := b.units(t)["Technology centre"]
	resp := c.post("/admin/units", url.Values{"code": {" SEC "}, "name": {"信息安全部"}, "name_en": {"Security"}, "parent_id": {idStr(tech.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "SEC", c.get(resp.Header.Get("Location")).text("unit-code"))

	for code, message := range map[string]string{"IT": "Another unit already has this code.", "A;B": "A code may not hold spaces, commas or semicolons."} {
		bad := c.post("/admin/units", url.Values{"code": {code}, "name": {"重复"}, "parent_id": {idStr(tech.ID)}})
		require.Equal(t, http.StatusUnprocessableEntity, bad.StatusCode, code)
		require.Equal(t, message, bad.textOf("#unit-code-error"), code)
		require.Equal(t, code, bad.attrOf("#unit-code", "value"))
	}
	resp = c.post("/admin/units", url.Values{"name": {"无编码"}, "name_en": {"No code"}, "parent_id": {idStr(tech.ID)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	made := b.units(t)["No code"]
	require.Equal(t, "U"+idStr(made.ID), made.Code)
}
