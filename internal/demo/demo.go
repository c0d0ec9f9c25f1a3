// Package demo loads the demo organisation: a car-dealer group taken from the cases
// that Accord grew out of, with its heads, a few key people and three projects.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"accord/internal/accord"
	"accord/internal/password"
	"accord/internal/store"
)

// Password is every demo user's password.
const Password = "accord-demo"

// Person is one demo user.
type Person struct {
	Key    string // short handle used by tests and the unit table below
	Email  string
	Name   string
	NameEN string
	Admin  bool
}

// UnitSpec is one demo unit; Parent and Head refer to keys.
type UnitSpec struct {
	Key     string
	Parent  string
	Name    string
	NameEN  string
	Head    string
	Members []string
}

// ProjectSpec is one demo project.
type ProjectSpec struct {
	Name   string
	NameEN string
	Lead   string
	Unit   string
}

// People returns the demo users, heads first, in the order the README lists them.
func People() []Person {
	return []Person{
		{"admin", "admin@accord.demo", "系统管理员", "System Administrator", true},
		{"ceo", "ceo@accord.demo", "陈志远", "Chen Zhiyuan", false},
		{"ops", "ops@accord.demo", "王立群", "Wang Liqun", false},
		{"cto", "cto@accord.demo", "李明哲", "Li Mingzhe", false},
		{"corp", "corp@accord.demo", "赵文静", "Zhao Wenjing", false},
		{"sales", "sales@accord.demo", "刘海涛", "Liu Haitao", false},
		{"aftersales", "aftersales@accord.demo", "张伟", "Zhang Wei", false},
		{"marketing", "marketing@accord.demo", "孙悦", "Sun Yue", false},
		{"service", "service@accord.demo", "周婷", "Zhou Ting", false},
		{"fi", "fi@accord.demo", "吴建华", "Wu Jianhua", false},
		{"accessories", "accessories@accord.demo", "郑凯", "Zheng Kai", false},
		{"it", "it@accord.demo", "黄磊", "Huang Lei", false},
		{"data", "data@accord.demo", "林晓", "Lin Xiao", false},
		{"finance", "finance@accord.demo", "何静", "He Jing", false},
		{"training", "training@accord.demo", "马丽", "Ma Li", false},
		{"legal", "legal@accord.demo", "郭正", "Guo Zheng", false},
		// Key people (对接人) a head can name on a request.
		{"it_dev", "it.dev@accord.demo", "徐航", "Xu Hang", false},
		{"data_analyst", "data.analyst@accord.demo", "杨帆", "Yang Fan", false},
		{"trainer", "trainer@accord.demo", "高敏", "Gao Min", false},
		{"aftersales_pm", "aftersales.pm@accord.demo", "罗晨", "Luo Chen", false},
	}
}

// Units returns the demo org tree, parents before children.
func Units() []UnitSpec {
	return []UnitSpec{
		{Key: "hq", Name: "集团总部", NameEN: "HQ", Head: "ceo", Members: []string{"admin"}},
		{Key: "ops", Parent: "hq", Name: "运营中心", NameEN: "Operations centre", Head: "ops"},
		{Key: "tech", Parent: "hq", Name: "技术中心", NameEN: "Technology centre", Head: "cto"},
		{Key: "corp", Parent: "hq", Name: "职能中心", NameEN: "Corporate functions", Head: "corp"},
		{Key: "sales", Parent: "ops", Name: "销售部", NameEN: "Sales", Head: "sales"},
		{Key: "aftersales", Parent: "ops", Name: "售后服务部", NameEN: "After-sales", Head: "aftersales", Members: []string{"aftersales_pm"}},
		{Key: "marketing", Parent: "ops", Name: "市场部", NameEN: "Marketing", Head: "marketing"},
		{Key: "service", Parent: "ops", Name: "客服部", NameEN: "Customer service", Head: "service"},
		{Key: "fi", Parent: "ops", Name: "金融保险部", NameEN: "Finance & insurance", Head: "fi"},
		{Key: "accessories", Parent: "ops", Name: "精品附件部", NameEN: "Accessories", Head: "accessories"},
		{Key: "it", Parent: "tech", Name: "信息技术部", NameEN: "IT", Head: "it", Members: []string{"it_dev"}},
		{Key: "data", Parent: "tech", Name: "数据部", NameEN: "Data", Head: "data", Members: []string{"data_analyst"}},
		{Key: "finance", Parent: "corp", Name: "财务部", NameEN: "Finance", Head: "finance"},
		{Key: "training", Parent: "corp", Name: "培训部", NameEN: "Training", Head: "training", Members: []string{"trainer"}},
		{Key: "legal", Parent: "corp", Name: "法务部", NameEN: "Legal", Head: "legal"},
	}
}

// Projects returns the three demo projects.
func Projects() []ProjectSpec {
	return []ProjectSpec{
		{Name: "智能服务升级", NameEN: "Smart service upgrade", Lead: "aftersales", Unit: "aftersales"},
		{Name: "周末续保冲刺", NameEN: "Weekend insurance renewal drive", Lead: "fi", Unit: "fi"},
		{Name: "库存车促销", NameEN: "Inventory car promotion", Lead: "sales", Unit: "sales"},
	}
}

// UnitCode is the code the demo gives the unit with the given key: HQ, OPS, IT…
func UnitCode(key string) string { return strings.ToUpper(key) }

// Org is what Load created, by key.
type Org struct {
	Users    map[string]accord.User
	Units    map[string]accord.Unit
	Projects []accord.Project
}

// Load creates the demo organisation in an empty database. Every user gets the demo
// password, hashed once with params.
func Load(ctx context.Context, st *store.Store, params password.Params) (Org, error) {
	hash, err := password.Hash(Password, params)
	if err != nil {
		return Org{}, fmt.Errorf("demo: %w", err)
	}
	org := Org{Users: map[string]accord.User{}, Units: map[string]accord.Unit{}}
	for _, p := range People() {
		u, err := st.CreateUser(ctx, 0, accord.NewUser{Email: p.Email, Name: p.Name, NameEN: p.NameEN, IsAdmin: p.Admin}, hash)
		if err != nil {
			return Org{}, fmt.Errorf("demo: %w", err)
		}
		org.Users[p.Key] = u
	}
	for _, spec := range Units() {
		in := accord.UnitInput{Code: UnitCode(spec.Key), Name: spec.Name, NameEN: spec.NameEN}
		if spec.Parent != "" {
			in.ParentID = org.Units[spec.Parent].ID
		}
		u, err := st.CreateUnit(ctx, 0, in)
		if err != nil {
			return Org{}, fmt.Errorf("demo: %w", err)
		}
		head := org.Users[spec.Head].ID
		if u, err = st.SetUnitHead(ctx, 0, u.ID, u.Version, &head); err != nil {
			return Org{}, fmt.Errorf("demo: %w", err)
		}
		for _, m := range spec.Members {
			if err := st.AddMembership(ctx, 0, org.Users[m].ID, u.ID); err != nil {
				return Org{}, fmt.Errorf("demo: %w", err)
			}
		}
		org.Units[spec.Key] = u
	}
	for _, spec := range Projects() {
		in := accord.ProjectInput{Name: spec.Name, NameEN: spec.NameEN,
			LeadUserID: org.Users[spec.Lead].ID, OwningUnitID: org.Units[spec.Unit].ID}
		in.Normalize()
		p, err := st.CreateProject(ctx, 0, in)
		if err != nil {
			return Org{}, fmt.Errorf("demo: %w", err)
		}
		org.Projects = append(org.Projects, p)
	}
	y, m, d := time.Now().Date()
	if err := loadWorkbooks(ctx, st, &org, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)); err != nil {
		return Org{}, err
	}
	if err := loadRetro(ctx, st, &org, time.Date(y, m, d, 0, 0, 0, 0, time.UTC)); err != nil {
		return Org{}, err
	}
	return org, nil
}
