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

func goals(w phrases) []goalSpec {
	return []goalSpec{
		{Key: "satisfaction", Title: "客户满意度提升至行业前三", TitleEN: "Customer satisfaction in the industry's top three", Target: w.t("+15 分", "+15 points")},
		{Key: "aftersales_nps", Parent: "satisfaction", Unit: "aftersales", Title: "售后满意度 92 分", TitleEN: "After-sales satisfaction 92", Target: "92"},
		{Key: "service_response", Parent: "satisfaction", Unit: "service", Title: "投诉 24 小时闭环率 95%", TitleEN: "95% of complaints closed within 24 h", Target: "95%"},
		{Key: "profit", Title: "全年利润增长 10%", TitleEN: "Full-year profit up 10%", Target: "+10%"},
		{Key: "renewal", Parent: "profit", Unit: "fi", Title: "续保率 65%", TitleEN: "Insurance renewal rate 65%", Target: "65%"},
		{Key: "stock_turn", Parent: "profit", Unit: "sales", Title: "库存周转 45 天以内", TitleEN: "Stock turnover under 45 days", Target: w.t("≤ 45 天", "≤ 45 days")},
		{Key: "digital", Title: "数字化转型", TitleEN: "Digital transformation", Target: w.t("3 个标杆系统", "3 flagship systems")},
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

// workbooks fills in the three demo projects, by project English name. Key people
// are named as typed, in Chinese: the pages show them in the reader's language
// because they name people of the holding unit.
func workbooks(w phrases) map[string]workbookSpec {
	return map[string]workbookSpec{
		"Smart service upgrade": {
			Goal: "satisfaction",
			Statement: w.t("上线客户管理系统与数据分析，让售后服务从被动响应变为主动关怀。",
				"Launch a CRM system and customer analytics so that after-sales service reaches out to customers instead of waiting for them."),
			Amount: 20_000_000, Outcome: w.t("客户满意度 +15 分，年度价值约 2000 万元", "Customer satisfaction +15 points, worth about CNY 20 million a year"),
			StartIn: -20, Length: 120,
			Needs: []needSpec{
				{Key: "crm", Holder: "it", Title: "客户管理系统开发", TitleEN: "CRM system development", Tier: accord.TierRequired,
					InDays: 90, Effort: 120, KeyPerson: "徐航",
					Notes: w.t("需求文档已三轮评审；可分两期交付。", "The requirements have been through three reviews; it can be delivered in two phases.")},
				{Key: "analytics", Holder: "data", Title: "客户数据分析", TitleEN: "Customer data analytics", Tier: accord.TierRequired,
					InDays: 30, Effort: 20, KeyPerson: "杨帆",
					Notes: w.t("涉及个人信息，附数据使用协议与审计方案。", "Involves personal data: a data-use agreement and an audit plan are attached.")},
				{Key: "training", Holder: "training", Title: "培训 200 名服务顾问", TitleEN: "Train 200 service advisers", Tier: accord.TierImportant,
					InDays: 75, Effort: 40, KeyPerson: "高敏"},
				{Key: "promotion", Holder: "marketing", Title: "上线推广宣传", TitleEN: "Launch promotion", Tier: accord.TierImportant,
					InDays: 100, Effort: 15},
				{Key: "vendor", External: w.t("外部培训机构", "External training vendor"), Title: "外部培训机构（备选）", TitleEN: "External training vendor (backup)",
					Tier: accord.TierAlternative, BacksUp: "training", InDays: 75, Effort: 0,
					Notes: w.t("预算内可承担，培训部做质量把关。", "Affordable within the budget; Training would check the quality.")},
			},
			Plans: []planSpec{
				{Unit: "training", Stance: accord.StanceAlly, Order: 1,
					Concerns: w.list("200 人培训，培训师是否够用", "Are there enough trainers for 200 people?",
						"培训效果会不会影响本部门考核", "Will the results count against the department's own targets?",
						"这个案例对培训部有什么价值", "What is the case worth to Training?"),
					KPIs:     w.list("年度培训覆盖人数", "People trained this year", "培训满意度", "Training satisfaction"),
					TheyNeed: w.t("可排期的培训师与清晰的课程需求", "Trainers who can be scheduled and a clear brief for the course"),
					WeGive:   w.t("课程大纲、学员名单、场地与设备", "Course outline, trainee list, rooms and equipment"),
					TheyGet:  w.t("公司级标杆培训案例", "A flagship training case for the whole company"),
					Propose:  w.t("共同打造标杆培训项目，成果写入年度培训报告。", "Build a flagship training programme together and put the results in the annual training report."),
					A:        w.t("培训部只做课程设计，外部机构授课", "Training designs the course, an outside vendor teaches it"),
					B:        w.t("分两批各 100 人", "Two groups of 100"),
					C:        w.t("培训部全程负责 200 人", "Training runs the whole course for all 200")},
				{Unit: "data", Stance: accord.StanceWinnable, Order: 2,
					Concerns: w.list("数据安全谁负责", "Who answers for data security?",
						"数据使用范围如何界定", "Where do the limits on using the data lie?",
						"工作量会增加多少", "How much extra work will it be?"),
					KPIs:     w.list("数据服务响应时效", "Data service response time", "数据安全零事故", "Zero data-security incidents"),
					TheyNeed: w.t("明确的数据使用协议与安全承诺", "A clear data-use agreement and a security commitment"),
					WeGive:   w.t("使用协议、访问审计、项目结束即销毁", "A use agreement, audited access, deletion when the project ends"),
					TheyGet:  w.t("展示数据能力的成功案例", "A success story that shows what Data can do"),
					Propose:  w.t("项目报告设“数据价值”专章，向 CEO 汇报时突出数据部贡献。", "A \"value of data\" chapter in the project report, and Data's part highlighted when reporting to the CEO."),
					A:        w.t("只提供脱敏汇总数据", "Anonymised aggregates only"),
					B:        w.t("驻场查询，数据不出部门", "Queries on site; the data never leaves the department"),
					C:        w.t("开放只读接口三个月", "A read-only interface for three months")},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3,
					Concerns: w.list("不在本部门 KPI 里", "Not among the department's KPIs",
						"能获得什么曝光", "What visibility does it bring?",
						"会不会挤占自己的项目", "Will it crowd out their own projects?"),
					KPIs:     w.list("品牌曝光量", "Brand reach", "线索转化率", "Lead conversion rate"),
					TheyNeed: w.t("不占用核心档期", "Not taking their busiest slots"),
					WeGive:   w.t("现成素材与客户故事", "Ready-made material and customer stories"),
					TheyGet:  w.t("项目宣传中突出市场部创意", "Marketing's creative work featured in the project's publicity"),
					Propose:  w.t("宣传物料署名市场部，联合发布客户故事。", "Marketing credited on the material; customer stories published jointly.")},
				{Unit: "it", Stance: accord.StanceOpposed, Order: 4,
					Concerns: w.list("排期已满，为什么优先这个需求", "The schedule is full: why put this first?",
						"项目失败会不会背锅", "Will IT take the blame if the project fails?",
						"成功后 IT 能得到什么", "What does IT get if it succeeds?"),
					KPIs:     w.list("需求交付准时率", "On-time delivery of requests", "系统稳定性", "System stability"),
					TheyNeed: w.t("清晰的需求与技术规格、专人对接", "Clear requirements and specifications, and one contact person"),
					WeGive:   w.t("标准需求文档、专职产品对接人、分期交付", "Standard requirements documents, a dedicated product contact, delivery in phases"),
					TheyGet:  w.t("数字化转型标杆系统与 CEO 级曝光", "A flagship system of the digital transformation, seen by the CEO"),
					Propose:  w.t("先交付一期必需功能，二期随 IT 节奏排期；成功后联合申报年度优秀项目。", "Deliver the required features as phase 1 first and schedule phase 2 at IT's pace; if it succeeds, enter it jointly for project of the year."),
					A:        w.t("外包开发，IT 只做把关与集成", "Outsource the build; IT reviews and integrates"),
					B:        w.t("一期必需功能 2 周", "Phase 1, required features only, in 2 weeks"),
					C:        w.t("IT 全程开发", "IT builds all of it")},
			},
			// Promises for when the help has been given; nothing is sent yet, so none is due.
			Commitments: []commitmentSpec{
				{Unit: "data", What: w.t("项目报告设“数据价值”专章", "A \"value of data\" chapter in the project report"), InDays: 60, Status: accord.CommitmentOpen},
				{Unit: "training", What: w.t("年会上公开感谢培训部", "Thank Training publicly at the annual meeting"), InDays: 90, Status: accord.CommitmentOpen},
			},
		},
		"Weekend insurance renewal drive": {
			Goal:      "renewal",
			Statement: w.t("利用周末到店高峰集中做续保，提升续保率。", "Use the weekend rush of workshop visits to renew insurance and raise the renewal rate."),
			Amount:    3_500_000, Outcome: w.t("续保率提升 8 个百分点", "Renewal rate up 8 percentage points"),
			StartIn: -7, Length: 45,
			Needs: []needSpec{
				{Key: "leads", Holder: "aftersales", Title: "到店客户续保线索", TitleEN: "Renewal leads from workshop visits", Tier: accord.TierRequired, InDays: 10, Effort: 5},
				{Key: "campaign", Holder: "marketing", Title: "周末续保活动宣传", TitleEN: "Weekend campaign publicity", Tier: accord.TierImportant, InDays: 14, Effort: 6},
				{Key: "callback", Holder: "service", Title: "客服外呼提醒", TitleEN: "Reminder calls by customer service", Tier: accord.TierImportant, InDays: 12, Effort: 8},
			},
			Plans: []planSpec{
				{Unit: "aftersales", Stance: accord.StanceAlly, Order: 1,
					Concerns: w.list("不能影响工位周转", "Workshop bays must keep turning over"), KPIs: w.list("售后产值", "After-sales revenue"),
					TheyNeed: w.t("续保不打断维修流程", "Renewals that do not interrupt repairs"),
					WeGive:   w.t("续保专员驻店", "Renewal specialists on site"),
					TheyGet:  w.t("续保客户带来的保养回厂", "Service visits from renewing customers")},
				{Unit: "service", Stance: accord.StanceWinnable, Order: 2,
					Concerns: w.list("外呼量增加", "More outbound calls"), KPIs: w.list("投诉 24 小时闭环率", "Complaints closed within 24 h"),
					TheyNeed: w.t("外呼话术与名单", "A call script and a call list"),
					WeGive:   w.t("现成名单与话术", "A ready list and script"),
					TheyGet:  w.t("外呼成功单计入客服绩效", "Renewals won by phone count towards customer service's results")},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3, Concerns: w.list("周末档期已排满", "Weekends already fully booked")},
			},
			Commitments: []commitmentSpec{{Unit: "service",
				What: w.t("外呼成功单按 30 元计入客服绩效", "CNY 30 per renewal won by phone, counted in customer service's results"), InDays: 30, Status: accord.CommitmentOpen}},
		},
		"Inventory car promotion": {
			Goal:      "stock_turn",
			Statement: w.t("周末库存车促销会，集中消化 90 天以上库存。", "A weekend sale of stock cars to clear what has been on the lot for more than 90 days."),
			Amount:    8_000_000, Outcome: w.t("两个周末售出 60 台库存车", "60 stock cars sold over two weekends"),
			StartIn: -3, Length: 30,
			Needs: []needSpec{
				{Key: "budget", Holder: "finance", Title: "促销活动预算", TitleEN: "Promotion budget", Tier: accord.TierRequired, InDays: 7, Effort: 2,
					Notes: w.t("方案已是同行最低费用；备有 A/B/C 三档。", "Already the lowest cost in the trade; options A, B and C are ready.")},
				{Key: "ads", Holder: "marketing", Title: "广告宣传", TitleEN: "Advertising", Tier: accord.TierRequired, InDays: 10, Effort: 8},
				{Key: "finance_offer", Holder: "fi", Title: "金融贷款与保险方案", TitleEN: "Loan and insurance offers", Tier: accord.TierImportant, InDays: 10, Effort: 4},
			},
			Plans: []planSpec{
				{Unit: "finance", Stance: accord.StanceWinnable, Order: 1,
					Concerns: w.list("费用为什么这么高", "Why does it cost so much?"), KPIs: w.list("费用率", "Cost ratio"),
					TheyNeed: w.t("费用可控、回报可算", "Costs under control and a return that can be calculated"),
					WeGive:   w.t("逐项费用测算与回款计划", "Item-by-item costs and a plan for the money coming back"),
					TheyGet:  w.t("库存资金占用下降", "Less money tied up in stock"),
					A:        w.t("只做线上宣传，费用最低", "Online publicity only, the lowest cost"),
					B:        w.t("线上加店头布置", "Online plus in-store displays"),
					C:        w.t("全渠道投放", "Every channel")},
				{Unit: "fi", Stance: accord.StanceNeutral, Order: 2,
					Concerns: w.list("新合作保险公司的业务要推", "The new partner insurer's products need promoting"), KPIs: w.list("金融渗透率", "Finance penetration rate"),
					TheyNeed: w.t("活动中推广新合作公司", "The new partner promoted at the event"),
					WeGive:   w.t("在方案中加入新合作公司产品作为可选项", "The new partner's products offered as an option"),
					TheyGet:  w.t("新业务首批客户", "The first customers for the new business")},
				{Unit: "marketing", Stance: accord.StanceNeutral, Order: 3, Concerns: w.list("临时插单，手头工作太多", "A rush job on top of too much work already")},
			},
		},
	}
}

// loadWorkbooks fills in the demo projects' workbooks and links them to goals.
func loadWorkbooks(ctx context.Context, st *store.Store, org *Org, today time.Time) error {
	goalIDs := map[string]int64{}
	for _, g := range goals(nil) {
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
	specs := workbooks(nil)
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
