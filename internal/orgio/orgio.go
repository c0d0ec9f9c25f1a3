// Package orgio moves an organisation in and out of spreadsheets: an .xlsx with a
// sheet of units and a sheet of people (or one CSV per kind), the template with its
// headings in both languages, and the plan of what importing a file would change
// (Plan, a pure function of the file and the current organisation). It knows nothing
// of HTTP or the database: the store reads the current organisation into a Current
// and applies a Plan.
//
// The file: units are matched by code, people by email (ignoring case).
//
//	Units  — code, name, English name, parent code, head's email
//	People — email, name, English name, unit codes (separated by ; or ,), active
//
// Exactly one unit has no parent code: the root, which must keep the current root's
// code. Units missing from the file are closed; people missing from it, or marked
// inactive, are deactivated. Nothing is ever deleted.
package orgio

// Kinds of sheet.
const (
	KindUnits  = "units"
	KindPeople = "people"
)

// Field names, as problems name the column at fault.
const (
	FieldCode       = "code"
	FieldName       = "name"
	FieldNameEN     = "name_en"
	FieldParentCode = "parent_code"
	FieldHeadEmail  = "head_email"
	FieldEmail      = "email"
	FieldUnitCodes  = "unit_codes"
	FieldActive     = "active"
)

// UnitRow is one row of the units sheet, trimmed.
type UnitRow struct {
	Sheet      string `json:"sheet"`
	Row        int    `json:"row"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en"`
	ParentCode string `json:"parent_code"`
	HeadEmail  string `json:"head_email"`
}

// PersonRow is one row of the people sheet, trimmed; Email is lower-cased.
type PersonRow struct {
	Sheet     string   `json:"sheet"`
	Row       int      `json:"row"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	NameEN    string   `json:"name_en"`
	UnitCodes []string `json:"unit_codes"`
	Active    bool     `json:"active"`
}

// File is an organisation file as read: its rows, and the problems found while
// reading it (a missing sheet or column, an unreadable "active").
type File struct {
	Units    []UnitRow   `json:"units"`
	People   []PersonRow `json:"people"`
	Problems []Problem   `json:"problems,omitempty"`
}

// Problem is one thing wrong with a file: where (the sheet as named in the file, its
// 1-based row, 0 for the sheet or file as a whole; the field) and why (a message id).
// Value is the text at fault, shown next to the reason.
type Problem struct {
	Sheet     string `json:"sheet"`
	Row       int    `json:"row"`
	Field     string `json:"field,omitempty"`
	MessageID string `json:"message_id"`
	Value     string `json:"value,omitempty"`
}

// column is one column of a sheet: its field, its heading (both languages, as the
// template and the export write it) and the other names it is known by.
type column struct {
	field    string
	heading  string
	aliases  []string
	required bool
}

var unitColumns = []column{
	{FieldCode, "code / 编码", []string{"code", "unitcode", "编码", "单位编码", "部门编码", "代码"}, true},
	{FieldName, "name / 名称", []string{"name", "unitname", "名称", "单位名称", "部门名称", "中文名称"}, true},
	{FieldNameEN, "English name / 英文名称", []string{"englishname", "nameen", "nameenglish", "英文名称", "英文名"}, false},
	{FieldParentCode, "parent code / 上级编码", []string{"parentcode", "parent", "上级编码", "上级单位编码", "上级单位", "上级"}, false},
	{FieldHeadEmail, "head's email / 负责人邮箱", []string{"headsemail", "heademail", "head", "负责人邮箱", "负责人"}, false},
}

var peopleColumns = []column{
	{FieldEmail, "email / 邮箱", []string{"email", "emailaddress", "mail", "邮箱", "电子邮箱", "邮件地址"}, true},
	{FieldName, "name / 姓名", []string{"name", "姓名", "名字", "中文名"}, true},
	{FieldNameEN, "English name / 英文名", []string{"englishname", "nameen", "nameenglish", "英文名", "英文姓名", "英文名称"}, false},
	{FieldUnitCodes, "unit codes / 单位编码", []string{"unitcodes", "unitcode", "units", "unit", "单位编码", "所属单位编码", "所属单位", "单位", "部门编码"}, false},
	{FieldActive, "active / 在职", []string{"active", "enabled", "在职", "启用", "有效"}, false},
}

// Sheet names the template and the export give their sheets.
const (
	UnitsSheetName  = "Units 单位"
	PeopleSheetName = "People 人员"
	NotesSheetName  = "Notes 说明"
)

// MaxRows bounds each sheet: a file with more rows is refused whole.
const MaxRows = 200000

// MaxFileBytes bounds an uploaded file.
const MaxFileBytes = 8 << 20
