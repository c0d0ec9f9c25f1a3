package demo

import (
	"context"
	"fmt"
	"time"

	"accord/internal/accord"
	"accord/internal/store"
)

// goalSpec is one demo company goal or department KPI; Parent and Unit refer to keys.
type goalSpec struct {
	Key, Parent, Unit      string
	Title, TitleEN, Target string
}

func goals() []goalSpec {
	return []goalSpec{
		{Key: "satisfaction", Title: "客户满意度提升至行业前三", TitleEN: "Customer satisfaction in the industry's top three", Target: "+15 分 / +15 points"},
		{Key: "aftersales_nps", Parent: "satisfaction", Unit: "aftersales", Title: "售后满意度 92 分", TitleEN: "After-sales satisfaction 92", Target: "92"},
		{Key: "service_response", Parent: "satisfaction", Unit: "service", Title: "投诉 24 小时闭环率 95%", TitleEN: "95% of complaints closed within 24 h", Target: "95%"},
		{Key: "profit", Title: "全年利润增长 10%", TitleEN: "Full-year profit up 10%", Target: "+10%"},
		{Key: "renewal", Parent: "profit", Unit: "fi", Title: "续保率 65%", TitleEN: "Insurance renewal rate 65%", Target: "65%"},
		{Key: "stock_turn", Parent: "profit", Unit: "sales", Title: "库存周转 45 天以内", TitleEN: "Stock turnover under 45 days", Target: "≤ 45 days"},
		{Key: "digital", Title: "数字化转型", TitleEN: "Digital transformation", Target: "3 个标杆系统 / 3 flagship systems"},
	}
}

// needSpec is one line of a demo resource map; Holder is a unit key or "" for External.
type needSpec struct {
	Key, Holder, External string
	Title, TitleEN        string
	Tier                  accord.Tier
	BacksUp               string
	InDays                int
	Effort                float64
	KeyPerson, Notes      string
}

type planSpec struct {
	Unit                               string
	Concerns, KPIs                     []string
	TheyNeed, WeGive, TheyGet, Propose string
	A, B, C                            string
	Stance                             accord.Stance
	Order                              int
}

type commitmentSpec struct {
	Unit   string
	What   string
	InDays int
	Status accord.CommitmentStatus
}

type workbookSpec struct {
	Goal            string
	Statement       string
	Amount          int64
	Outcome         string
	StartIn, Length int // days from today to the start; days from start to target
	Needs           []needSpec
	Plans           []planSpec
	Commitments     []commitmentSpec
}

// workbooks fills in the three demo projects, by project English name.
func workbooks() map[string]workbookSpec {
	return map[string]workbookSpec{
		"Smart service upgrade": {
			Goal:      "satisfaction",
			Statement: "上线客户管理系统与数据分析，让售后服务从被动响应变为主动关怀。",
			Amount:    20_000_000, Outcome: "客户满意度 +15 分，年度价值约 2000 万元",
			StartIn: -20, Length: 120,
			Needs: []needSpec{
				{Key: "crm", Holder: "it", Title: "客户管理系统开发", TitleEN: "CRM system development", Tier: accord.TierRequired,
					InDays: 90, Effort: 120, KeyPerson: "徐航", Notes: "需求文档已三轮评审；可分两期交付。"},
				{Key: "analytics", Holder: "data", Title: "客户数据分析", TitleEN: "Customer data analytics", Tier: accord.TierRequired,
					InDays: 30, Effort: 20, KeyPerson: "杨帆", Notes: "涉及个人信息，附数据使用协议与审计方案。"},
				{Key: "training", Holder: "training", Title: "培训 200 名服务顾问", TitleEN: "Train 200 service advisers", Tier: accord.TierImportant,
					InDays: 75, Effort: 40, KeyPerson: "高敏"},
				{Key: "promotion", Holder: "marketing", Title: "上线推广宣传", TitleEN: "Launch promotion", Tier: accord.TierImportant,
					InDays: 100, Effort: 15},
				{Key: "vendor", External: "外部培训机构 / External training vendor", Title: "外部培训机构（备选）", TitleEN: "External training vendor (backup)",
					Tier: accord.TierAlternative, BacksUp: "training", InDays: 75, Effort: 0, Notes: "预算内可承担，培训部做质量把关。"},
			},
			Plans: []planSpec{
				{Unit: "training", Stance: accord.StanceAlly, Order: 1,
					Concerns: []string{"200 人培训，培训师是否够用", "培训效果会不会影响本部门考核", "这个案例对培训部有什么价值"},
					KPIs:     []string{"年度培训覆盖人数", "培训满意度"},
					TheyNeed: "可排期的培训师与清晰的课程需求", WeGive: "课程大纲、学员名单、场地与设备", TheyGet: "公司级标杆培训案例",
					Propose: "共同打造标杆培训项目，成果写入年度培训报告。",
					A:       "培训部只做课程设计，外部机构授课", B: "分两批各 100 人", C: "培训部全程负责 200 人"},
				{Unit: "data", Stance: accord.StanceWinnable, Order: 2,
					Concerns: []string{"数据安全谁负责", "数据使用范围如何界定", "工作量会增加多少"},
					KPIs:     []string{"数据服务响应时效", "数据安全零事故"},
					TheyNeed: "明确的数据使用协议与安全承诺", WeGive: "使用协议、访问审计、项目结束即销毁", TheyGet: "展示数据能力的成功案例",
					Propose: "项目报告设“数据价值”专章，向 CEO 汇报时突出数据部贡献。",
					A:       "只提供脱敏汇总数据", B: "驻场查询，数据不出部门", C: "开放只读接口三个月"},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3,
					Concerns: []string{"不在本部门 KPI 里", "能获得什么曝光", "会不会挤占自己的项目"},
					KPIs:     []string{"品牌曝光量", "线索转化率"},
					TheyNeed: "不占用核心档期", WeGive: "现成素材与客户故事", TheyGet: "项目宣传中突出市场部创意",
					Propose: "宣传物料署名市场部，联合发布客户故事。"},
				{Unit: "it", Stance: accord.StanceOpposed, Order: 4,
					Concerns: []string{"排期已满，为什么优先这个需求", "项目失败会不会背锅", "成功后 IT 能得到什么"},
					KPIs:     []string{"需求交付准时率", "系统稳定性"},
					TheyNeed: "清晰的需求与技术规格、专人对接", WeGive: "标准需求文档、专职产品对接人、分期交付", TheyGet: "数字化转型标杆系统与 CEO 级曝光",
					Propose: "先交付一期必需功能，二期随 IT 节奏排期；成功后联合申报年度优秀项目。",
					A:       "外包开发，IT 只做把关与集成", B: "一期必需功能 2 周", C: "IT 全程开发"},
			},
			Commitments: []commitmentSpec{
				{Unit: "data", What: "项目报告设“数据价值”专章", InDays: 60, Status: accord.CommitmentOpen},
				{Unit: "training", What: "年会上公开感谢培训部", InDays: -5, Status: accord.CommitmentOpen},
			},
		},
		"Weekend insurance renewal drive": {
			Goal:      "renewal",
			Statement: "利用周末到店高峰集中做续保，提升续保率。",
			Amount:    3_500_000, Outcome: "续保率提升 8 个百分点",
			StartIn: -7, Length: 45,
			Needs: []needSpec{
				{Key: "leads", Holder: "aftersales", Title: "到店客户续保线索", TitleEN: "Renewal leads from workshop visits", Tier: accord.TierRequired, InDays: 10, Effort: 5},
				{Key: "campaign", Holder: "marketing", Title: "周末续保活动宣传", TitleEN: "Weekend campaign publicity", Tier: accord.TierImportant, InDays: 14, Effort: 6},
				{Key: "callback", Holder: "service", Title: "客服外呼提醒", TitleEN: "Reminder calls by customer service", Tier: accord.TierImportant, InDays: 12, Effort: 8},
			},
			Plans: []planSpec{
				{Unit: "aftersales", Stance: accord.StanceAlly, Order: 1, Concerns: []string{"不能影响工位周转"}, KPIs: []string{"售后产值"},
					TheyNeed: "续保不打断维修流程", WeGive: "续保专员驻店", TheyGet: "续保客户带来的保养回厂"},
				{Unit: "service", Stance: accord.StanceWinnable, Order: 2, Concerns: []string{"外呼量增加"}, KPIs: []string{"投诉 24 小时闭环率"},
					TheyNeed: "外呼话术与名单", WeGive: "现成名单与话术", TheyGet: "外呼成功单计入客服绩效"},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3, Concerns: []string{"周末档期已排满"}},
			},
			Commitments: []commitmentSpec{{Unit: "service", What: "外呼成功单按 30 元计入客服绩效", InDays: 30, Status: accord.CommitmentOpen}},
		},
		"Inventory car promotion": {
			Goal:      "stock_turn",
			Statement: "周末库存车促销会，集中消化 90 天以上库存。",
			Amount:    8_000_000, Outcome: "两个周末售出 60 台库存车",
			StartIn: -3, Length: 30,
			Needs: []needSpec{
				{Key: "budget", Holder: "finance", Title: "促销活动预算", TitleEN: "Promotion budget", Tier: accord.TierRequired, InDays: 7, Effort: 2,
					Notes: "方案已是同行最低费用；备有 A/B/C 三档。"},
				{Key: "ads", Holder: "marketing", Title: "广告宣传", TitleEN: "Advertising", Tier: accord.TierRequired, InDays: 10, Effort: 8},
				{Key: "finance_offer", Holder: "fi", Title: "金融贷款与保险方案", TitleEN: "Loan and insurance offers", Tier: accord.TierImportant, InDays: 10, Effort: 4},
			},
			Plans: []planSpec{
				{Unit: "finance", Stance: accord.StanceWinnable, Order: 1, Concerns: []string{"费用为什么这么高"}, KPIs: []string{"费用率"},
					TheyNeed: "费用可控、回报可算", WeGive: "逐项费用测算与回款计划", TheyGet: "库存资金占用下降",
					A: "只做线上宣传，费用最低", B: "线上加店头布置", C: "全渠道投放"},
				{Unit: "fi", Stance: accord.StanceNeutral, Order: 2, Concerns: []string{"新合作保险公司的业务要推"}, KPIs: []string{"金融渗透率"},
					TheyNeed: "活动中推广新合作公司", WeGive: "在方案中加入新合作公司产品作为可选项", TheyGet: "新业务首批客户"},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3, Concerns: []string{"临时插单，手头工作太多"}},
			},
		},
	}
}

// loadWorkbooks fills in the demo projects' workbooks and links them to goals.
func loadWorkbooks(ctx context.Context, st *store.Store, org *Org, today time.Time) error {
	goalIDs := map[string]int64{}
	for _, g := range goals() {
		in := accord.GoalInput{Title: g.Title, TitleEN: g.TitleEN, Target: g.Target}
		if g.Parent != "" {
			id := goalIDs[g.Parent]
			in.ParentID = &id
		}
		if g.Unit != "" {
			id := org.Units[g.Unit].ID
			in.UnitID = &id
		}
		created, err := st.CreateGoal(ctx, 0, in)
		if err != nil {
			return fmt.Errorf("demo: goal %s: %w", g.Key, err)
		}
		goalIDs[g.Key] = created.ID
	}
	specs := workbooks()
	for i, p := range org.Projects {
		spec, ok := specs[p.NameEN]
		if !ok {
			continue
		}
		in := p.Input()
		goal := goalIDs[spec.Goal]
		start := today.AddDate(0, 0, spec.StartIn)
		target := start.AddDate(0, 0, spec.Length)
		in.GoalID, in.GoalStatement, in.ExpectedAmount, in.ExpectedOutcome = &goal, spec.Statement, &spec.Amount, spec.Outcome
		in.StartDate, in.TargetDate = &start, &target
		updated, err := st.UpdateProject(ctx, 0, p.ID, p.Version, in)
		if err != nil {
			return fmt.Errorf("demo: project %s: %w", p.NameEN, err)
		}
		org.Projects[i] = updated
		needIDs := map[string]int64{}
		for _, n := range spec.Needs {
			ni := accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, ExternalParty: n.External, Tier: n.Tier,
				EffortDays: n.Effort, KeyPerson: n.KeyPerson, Notes: n.Notes}
			if n.Holder != "" {
				id := org.Units[n.Holder].ID
				ni.HolderUnitID = &id
			}
			if n.BacksUp != "" {
				id := needIDs[n.BacksUp]
				ni.BacksUpNeedID = &id
			}
			due := today.AddDate(0, 0, n.InDays)
			ni.NeededBy = &due
			created, err := st.CreateNeed(ctx, 0, p.ID, ni)
			if err != nil {
				return fmt.Errorf("demo: need %s: %w", n.Key, err)
			}
			needIDs[n.Key] = created.ID
		}
		for _, pl := range spec.Plans {
			plan := accord.UnitPlan{ProjectID: p.ID, UnitID: org.Units[pl.Unit].ID, Concerns: pl.Concerns, KPIs: pl.KPIs,
				TheyNeed: pl.TheyNeed, WeGive: pl.WeGive, TheyGet: pl.TheyGet, Proposal: pl.Propose,
				OptionA: pl.A, OptionB: pl.B, OptionC: pl.C, Stance: pl.Stance, ApproachOrder: pl.Order}
			plan.Normalize()
			if _, err := st.SaveUnitPlan(ctx, 0, plan); err != nil {
				return fmt.Errorf("demo: plan for %s: %w", pl.Unit, err)
			}
		}
		for _, c := range spec.Commitments {
			due := today.AddDate(0, 0, c.InDays)
			if _, err := st.CreateCommitment(ctx, 0, p.ID, accord.CommitmentInput{UnitID: org.Units[c.Unit].ID,
				What: c.What, DueDate: &due, Status: c.Status}); err != nil {
				return fmt.Errorf("demo: commitment to %s: %w", c.Unit, err)
			}
		}
	}
	return nil
}
