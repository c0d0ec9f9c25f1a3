package brief_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/brief"
	"accord/web/i18n"
)

// blamingWords must never appear in a brief: it asks for guidance, it does not
// accuse. Each language's list is checked against the brief in that language.
var blamingWords = map[string][]string{
	i18n.English: {"refus", "block", "fail", "fault", "blame", "uncooperative", "won't", "unwilling", "ignor",
		"obstruct", "excuse", "lazy", "complain"},
	i18n.Chinese: {"拒绝", "不配合", "推诿", "阻碍", "阻挠", "失职", "告状", "批评", "甩锅", "背锅", "问责", "刁难", "扯皮", "不作为"},
}

func ptr[T any](v T) *T { return &v }

func date(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

// smartService is the seed's case: five units asked, four on board, IT too busy,
// and an outside vendor in the resource map as the backup for the CRM.
func smartService() accord.BriefSource {
	p := accord.Project{ID: 1, Name: "智能服务升级", NameEN: "Smart service upgrade", UnitName: "售后服务部", UnitNameEN: "After-sales",
		LeadName: "张伟", LeadNameEN: "Zhang Wei", ExpectedAmount: ptr(int64(20_000_000)), Currency: "CNY",
		ExpectedOutcome: "客户满意度 +15 分", GoalID: ptr(int64(7)), GoalTitle: "客户满意度", GoalTitleEN: "Customer satisfaction",
		GoalStatement: "让售后服务从被动响应变为主动关怀。"}
	req := func(id, need, unit int64, title, titleEN, holder, holderEN string, tier accord.Tier, st accord.RequestState) accord.Request {
		return accord.Request{ID: id, NeedID: need, ProjectID: 1, HolderUnitID: unit, State: st, Scope: title, NeedTitle: title,
			NeedTitleEN: titleEN, Tier: tier, HolderName: holder, HolderNameEN: holderEN, LeadUserID: 9, ProjectName: p.Name,
			ProjectNameEN: p.NameEN}
	}
	it := req(1, 11, 101, "客户管理系统开发", "CRM system development", "信息技术部", "IT", accord.TierRequired, accord.RequestDeclined)
	it.EffortDays, it.DueDate = 120, date("2027-03-01")
	it.Obstacle, it.DeclineReason = accord.ObstacleTooBusy, "本季度排期已满，可先做一期。"
	it.Offer = "标准需求文档、专职产品对接人\n分期交付"
	requests := []accord.Request{
		it,
		req(2, 12, 102, "客户数据分析", "Customer data analytics", "数据部", "Data", accord.TierRequired, accord.RequestAgreed),
		req(3, 13, 103, "培训 200 名服务顾问", "Train 200 service advisers", "培训部", "Training", accord.TierImportant, accord.RequestInProgress),
		req(4, 14, 104, "上线推广宣传", "Launch promotion", "市场部", "Marketing", accord.TierImportant, accord.RequestAgreed),
		req(5, 15, 105, "合同审核", "Contract review", "法务部", "Legal", accord.TierImportant, accord.RequestDelivered),
		req(6, 16, 104, "旧方案", "Old plan", "市场部", "Marketing", accord.TierImportant, accord.RequestCancelled),
	}
	needs := []accord.Need{
		{ID: 11, Title: "客户管理系统开发", TitleEN: "CRM system development", HolderUnitID: ptr(int64(101)), Tier: accord.TierRequired,
			NeededBy: date("2027-02-15"), EffortDays: 120},
		{ID: 17, Title: "外部开发商（备选）", TitleEN: "Outside CRM vendor (backup)", ExternalParty: "外部开发商 / Outside vendor",
			Tier: accord.TierAlternative, BacksUpNeedID: ptr(int64(11))},
		{ID: 18, Title: "外部培训机构（备选）", TitleEN: "External training vendor (backup)", ExternalParty: "外部培训机构",
			Tier: accord.TierAlternative, BacksUpNeedID: ptr(int64(13))},
	}
	return accord.BriefSource{Project: p, Request: it, Requests: requests, Needs: needs, Cause: accord.CauseDeclined}
}

func translate(t *testing.T, lang string) func(string, map[string]any) string {
	t.Helper()
	b, err := i18n.NewBundle()
	require.NoError(t, err)
	l := b.Localizer(lang)
	return func(id string, data map[string]any) string {
		var out string
		if data == nil {
			out = l.T(id)
		} else {
			out = l.T(id, data)
		}
		require.NotEqual(t, id, out, "%s: message %s is missing", lang, id)
		require.NotContains(t, out, "<no value>", "%s: message %s lacks data", lang, id)
		return out
	}
}

func TestBriefForTheSmartServiceCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang string
		want []string
	}{
		{i18n.English, []string{
			"Request for guidance: CRM system development (Smart service upgrade)",
			"Smart service upgrade, run by After-sales and led by Zhang Wei.",
			"Expected value: 20,000,000 CNY.",
			"It serves the company goal “Customer satisfaction”.",
			"P0 Required: CRM system development, from IT.",
			"Estimated effort: 120 person-days.",
			"Needed by 2027-02-15.",
			"4 of 5 units agreed.",
			"- Marketing: Agreed",
			"After-sales asked IT for: CRM system development.", // the scope as sent is the need's title, in the reader's language
			"Date asked for: 2027-03-01.",
			"“Too busy right now”",
			"What the project offers in return: 标准需求文档、专职产品对接人; 分期交付",
			"In their words: “本季度排期已满，可先做一期。”",
			"Use the backup in the resource map: Outside CRM vendor (backup) (外部开发商 / Outside vendor).",
			"A way forward: “Lower the bar: phase it”.",
			"Support asked for",
		}},
		{i18n.Chinese, []string{
			"请求决策指导：客户管理系统开发（智能服务升级）",
			"预期价值：20,000,000 CNY。",
			"服务于公司目标“客户满意度”。",
			"P0 必需：客户管理系统开发，由信息技术部提供。",
			"售后服务部请信息技术部支持：客户管理系统开发。",
			"5 个部门中已有 4 个达成一致。",
			"“目前太忙”",
			"项目方提供的回报：标准需求文档、专职产品对接人；分期交付",
			"启用资源地图中的备选：外部开发商（备选）（外部开发商 / Outside vendor）。",
			"可以尝试“降低门槛：分期进行”。",
			"希望获得的支持",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			text := brief.Build(accord.NewBriefFacts(smartService()), translate(t, tt.lang), nil, tt.lang, time.UTC)
			for _, want := range tt.want {
				require.Contains(t, text, want)
			}
			require.NotContains(t, text, "External training vendor", "only the backup of this need is an option")
			require.NotContains(t, text, "外部培训机构")
			require.NotContains(t, text, "Old plan", "a cancelled request is not a unit asked")
			lower := strings.ToLower(text)
			for _, word := range blamingWords[tt.lang] {
				require.NotContains(t, lower, word, "the brief must ask for guidance, not blame")
			}
			// Sections are headed and separated by blank lines.
			require.Equal(t, 6, strings.Count(text, "\n\n"), text)
		})
	}
}

// TestBriefForEveryState writes the brief for a request in each state the holder can
// leave it in, in both languages, checking every message exists and no blaming word
// slips in through a branch.
func TestBriefForEveryState(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		for _, st := range accord.RequestStates() {
			t.Run(lang+"/"+string(st), func(t *testing.T) {
				t.Parallel()
				in := smartService()
				in.Request.State = st
				in.Request.Obstacle, in.Request.DeclineReason = "", ""
				if st == accord.RequestDeclined {
					in.Request.Obstacle = accord.ObstacleOther
				}
				if st == accord.RequestCountered {
					in.Request.CounterScope, in.Request.CounterDate = "一期：客户档案", date("2027-01-10")
				}
				in.Request.SentAt = date("2026-11-02")
				in.Project.ExpectedAmount, in.Project.ExpectedOutcome, in.Project.GoalID = nil, "", nil
				in.Needs = nil
				in.Reason = "排期\n冲突"
				text := brief.Build(accord.NewBriefFacts(in), translate(t, lang), nil, lang, time.UTC)
				lower := strings.ToLower(text)
				for _, word := range blamingWords[lang] {
					require.NotContains(t, lower, word)
				}
				if st == accord.RequestCountered {
					require.Contains(t, text, "一期：客户档案")
					require.Contains(t, text, "2027-01-10")
				}
				if st == accord.RequestRequested {
					require.Contains(t, text, "2026-11-02")
				}
				require.Contains(t, text, "排期 冲突", "the lead's reason stays on one line")
			})
		}
	}
}

func TestAmount(t *testing.T) {
	t.Parallel()
	require.Equal(t, "20,000,000 CNY", brief.Amount(20_000_000, "CNY"))
	require.Equal(t, "999 USD", brief.Amount(999, "USD"))
	require.Equal(t, "-1,000 EUR", brief.Amount(-1000, "EUR"))
	require.Equal(t, "1,000", brief.Amount(1000, ""))
}

// TestBriefTellsWhatWasTriedAndOffersOnlyTheRest: IT declined as too busy, the lead
// split a first phase that IT agreed and is delivering, and promised IT a case study.
// The brief says so, counts IT as partly agreed, and no longer proposes phasing or a
// promise in return.
func TestBriefTellsWhatWasTriedAndOffersOnlyTheRest(t *testing.T) {
	t.Parallel()
	src := smartService()
	src.Needs = append(src.Needs, accord.Need{ID: 19, Title: "客户管理系统开发（一期）", TitleEN: "CRM system development (phase 1)",
		HolderUnitID: ptr(int64(101)), Tier: accord.TierRequired, PhaseOfNeedID: ptr(int64(11))})
	phase := accord.Request{ID: 7, NeedID: 19, ProjectID: 1, HolderUnitID: 101, State: accord.RequestInProgress,
		NeedTitle: "客户管理系统开发（一期）", NeedTitleEN: "CRM system development (phase 1)", HolderName: "信息技术部",
		HolderNameEN: "IT", KeyPersonName: "杨帆", KeyPersonNameEN: "Yang Fan"}
	src.Requests = append(src.Requests, phase)
	src.Commitments = []accord.Commitment{{ID: 1, UnitID: 101, What: "在季度会上公开致谢", DueDate: date("2027-04-01"), Status: accord.CommitmentOpen},
		{ID: 2, UnitID: 104, What: "not for IT", Status: accord.CommitmentOpen}}
	src.History = []accord.RequestEvent{
		{At: *date("2026-11-02"), Action: accord.ActionSend, State: accord.RequestRequested},
		{At: *date("2026-11-05"), Action: accord.ActionDecline, State: accord.RequestDeclined,
			Input: accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "本季度排期已满"}},
	}
	src.Progress = []accord.ProgressEntry{{Body: "一期需求评审完成", CreatedAt: *date("2026-11-20"), AuthorName: "杨帆", AuthorNameEN: "Yang Fan"}}
	f := accord.NewBriefFacts(src)
	require.Len(t, f.Phases, 1)
	require.Len(t, f.Commitments, 1, "only promises to the holding unit")
	require.Equal(t, []accord.Strategy{accord.StrategyRaisePriority, accord.StrategyBringResources}, f.UntriedStrategies())

	tests := []struct {
		lang        string
		want        []string
		notProposed string
	}{
		{i18n.English, []string{
			"- IT: Declined, a first phase of it agreed", "1 more agreed in part.",
			"2026-11-05: IT could not take it on as asked: “Too busy right now”, in their words “本季度排期已满”.",
			"A first phase was split off and sent: CRM system development (phase 1), In progress, with Yang Fan as key person.",
			"Promised to them: 在季度会上公开致谢, by 2027-04-01",
			"Latest progress, 2026-11-20 (Yang Fan): 一期需求评审完成",
		}, "A way forward: “Lower the bar: phase it”."},
		{i18n.Chinese, []string{
			"- 信息技术部：已婉拒，已同意其中第一期", "另有 1 个部分同意。",
			"已拆出第一期并发出：客户管理系统开发（一期）",
			"对接人杨帆",
		}, "可以尝试“降低门槛：分期进行”。"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			text := brief.Build(f, translate(t, tt.lang), nil, tt.lang, time.UTC)
			for _, want := range tt.want {
				require.Contains(t, text, want)
			}
			require.NotContains(t, text, tt.notProposed, "phasing was tried: not proposed again")
			lower := strings.ToLower(text)
			for _, word := range blamingWords[tt.lang] {
				require.NotContains(t, lower, word)
			}
		})
	}
}

// TestBriefTellsAnEarlierRuling: a request ruled on before and escalated again carries
// the earlier decision and its reason in what has happened so far.
func TestBriefTellsAnEarlierRuling(t *testing.T) {
	t.Parallel()
	src := smartService()
	src.Request.State, src.Request.Obstacle = accord.RequestRequested, accord.ObstacleTooBusy
	src.History = []accord.RequestEvent{{At: *date("2026-11-10"), ActorName: "陈志远", ActorNameEN: "Chen Zhiyuan",
		Ruling: accord.DecideRescope, Input: accord.RequestInput{Reason: "先做一期"}}}
	text := brief.Build(accord.NewBriefFacts(src), translate(t, i18n.English), nil, i18n.English, time.UTC)
	require.Contains(t, text, "2026-11-10: an earlier binding decision by Chen Zhiyuan: Change scope or priority — “先做一期”.")
	require.NotContains(t, text, "A way forward", "the old decline is history: nothing is proposed against it")
}

// TestBriefKeepsATypedScope: a scope narrowed by hand (an accepted counter) is the
// users' own words and is shown as typed in either language; only the need's own
// title, which sending copies into the scope, follows the reader's language.
func TestBriefKeepsATypedScope(t *testing.T) {
	t.Parallel()
	src := smartService()
	src.Request.Scope = "一期：客户档案与工单"
	for _, lang := range []string{i18n.English, i18n.Chinese} {
		text := brief.Build(accord.NewBriefFacts(src), translate(t, lang), nil, lang, time.UTC)
		require.Contains(t, text, "一期：客户档案与工单", lang)
	}
}

// TestBriefGivesTypedTextInTheReadersLanguage: what people typed (the outcome, the
// statement, the offer, the holder's reason, an outside party, the lead's reason) is
// given in the reader's language where its translation is known, as typed otherwise.
func TestBriefGivesTypedTextInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	src := smartService()
	src.Reason = "需要 CEO 定优先级"
	english := map[string]string{
		"客户满意度 +15 分":       "Satisfaction +15 points",
		"让售后服务从被动响应变为主动关怀。": "After-sales reaches out first.",
		"标准需求文档、专职产品对接人":    "Standard documents, a product contact",
		"分期交付": "Delivery in phases",
		"本季度排期已满，可先做一期。":         "Booked this quarter; phase 1 first.",
		"外部开发商 / Outside vendor": "Outside vendor",
		"需要 CEO 定优先级":            "The CEO to set the priority",
	}
	typed := func(s string) string {
		if en, ok := english[s]; ok {
			return en
		}
		return s
	}
	text := brief.Build(accord.NewBriefFacts(src), translate(t, i18n.English), typed, i18n.English, time.UTC)
	for zh, en := range english {
		require.Contains(t, text, en)
		require.NotContains(t, text, zh)
	}
	zh := brief.Build(accord.NewBriefFacts(src), translate(t, i18n.Chinese), nil, i18n.Chinese, time.UTC)
	require.Contains(t, zh, "本季度排期已满，可先做一期。", "as typed when nothing translates it")
}
