package demo

import (
	"context"
	"fmt"
	"time"

	"accord/internal/accord"
	"accord/internal/password"
	"accord/internal/store"
)

// liveProject is the demo project caught mid-flight, so that every role has
// something in front of it on first sign-in.
const liveProject = "Spring test-drive festival"

// LoadLive is Load plus liveProject: Marketing's festival, sent ten days ago and
// answered in every way a request can be — IT agreed and is at work, Data countered,
// Sales declined and the lead escalated it to the Operations head, Customer service
// and Finance have not answered yet. `make run` loads this; tests build on Load, whose
// state they assert, and the live layer has its own test.
func LoadLive(ctx context.Context, st *store.Store, params password.Params, now time.Time) (Org, error) {
	org, err := Load(ctx, st, params)
	if err != nil {
		return Org{}, err
	}
	if err := loadLive(ctx, st, &org, now); err != nil {
		return Org{}, err
	}
	return org, nil
}

// liveNeed is one need of the live project and what has happened to its request.
type liveNeed struct {
	Holder          string
	Title, TitleEN  string
	Tier            accord.Tier
	InDays          int
	Effort          float64
	KeyPerson       string
	Answer          accord.RequestAction // "" for not answered yet
	AnswerDaysAgo   int
	Progress        string // with Answer == ActionStart: the latest update
	Obstacle        accord.Obstacle
	Reason, Counter string
}

func liveNeeds(w phrases) []liveNeed {
	return []liveNeed{
		{Holder: "it", Title: "线上试驾预约页", TitleEN: "Online test-drive booking page", Tier: accord.TierRequired,
			InDays: 12, Effort: 15, KeyPerson: "徐航", Answer: accord.ActionStart, AnswerDaysAgo: 8,
			Progress: w.t("预约页已完成七成，支付定金接口联调中。", "The booking page is 70% done; the deposit payment interface is being tested end to end.")},
		{Holder: "sales", Title: "周末试驾顾问", TitleEN: "Weekend test-drive consultants", Tier: accord.TierRequired,
			InDays: 14, Effort: 8, Answer: accord.ActionDecline, AnswerDaysAgo: 3, Obstacle: accord.ObstacleTooBusy,
			Reason: w.t("这两个周末的顾问已全部排给库存车促销。", "Every consultant on those two weekends is already booked for the stock-car sale.")},
		{Holder: "data", Title: "潜客名单筛选", TitleEN: "Prospect list", Tier: accord.TierImportant,
			InDays: 7, Effort: 5, KeyPerson: "杨帆", Answer: accord.ActionCounter, AnswerDaysAgo: 4,
			Counter: w.t("先给近六个月到店未成交的客户，全量名单晚一周。", "First the customers who visited in the last six months without buying; the full list a week later.")},
		{Holder: "service", Title: "到店前提醒外呼", TitleEN: "Reminder calls before visits", Tier: accord.TierImportant,
			InDays: 16, Effort: 6},
		{Holder: "finance", Title: "活动预算审批", TitleEN: "Event budget approval", Tier: accord.TierRequired,
			InDays: 9, Effort: 2},
	}
}

// liveText is the festival's own text besides its needs.
type liveText struct {
	Statement, Outcome        string
	Concerns, KPIs            []string
	TheyNeed, WeGive, TheyGet string
	Message, NextStep         string
	Escalation                string
	Question, Reply           string // IT's head and the lead, in the booking page's conversation
}

func liveTexts(w phrases) liveText {
	return liveText{
		Statement: w.t("两个周末的试驾节，把线上预约变成到店试驾和订单。", "A test-drive festival over two weekends that turns online bookings into test drives and orders."),
		Outcome:   w.t("试驾 400 组，成交 60 台", "400 test drives, 60 cars sold"),
		Concerns:  w.list("周末人手", "Staff at weekends", "本月销量考核", "This month's sales target"),
		KPIs:      w.list("月度成交台数", "Cars sold per month"),
		TheyNeed:  w.t("试驾客户能转成本部门的成交", "Test drives that turn into Sales' own sales"),
		WeGive:    w.t("试驾客户的成交计入销售部", "Cars sold to test-drive customers count for Sales"),
		TheyGet:   w.t("额外的到店客流", "More people through the showroom"),
		Message:   w.t("春季试驾节需要各部门配合，详见工作簿，谢谢！", "The spring test-drive festival needs every department's help; the workbook has the details. Thank you!"),
		NextStep:  w.t("联调完成后交市场部验收", "Hand over to Marketing for acceptance once the end-to-end test passes"),
		Escalation: w.t("试驾节两个周末都缺顾问，需要运营中心协调人手。",
			"The festival has no consultants on either weekend; the Operations centre needs to find the staff."),
		Question: w.t("预约页是否也要支持小程序？如果要，排期需要再加一周。",
			"Should the booking page work in the mini-program too? If so, the schedule needs one more week."),
		Reply: w.t("先做 H5，小程序放到下一期。页面要求见：https://wiki.accord.demo/test-drive/booking\n定金金额以财务部审批为准。",
			"H5 first; the mini-program can wait for the next phase. The page requirements: https://wiki.accord.demo/test-drive/booking\nThe deposit amount follows Finance's approval."),
	}
}

func loadLive(ctx context.Context, st *store.Store, org *Org, now time.Time) error {
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	date := func(days int) *time.Time { t := today.AddDate(0, 0, days); return &t }
	viewer := func(key string) (accord.Viewer, error) { return st.Viewer(ctx, org.Users[key].ID) }

	text := liveTexts(nil)
	in := accord.ProjectInput{Name: "春季试驾节", NameEN: liveProject, LeadUserID: org.Users["marketing"].ID,
		OwningUnitID: org.Units["marketing"].ID, GoalStatement: text.Statement,
		ExpectedOutcome: text.Outcome, StartDate: date(-14), TargetDate: date(30)}
	amount := int64(6_000_000)
	in.ExpectedAmount = &amount
	goals, err := st.Goals(ctx)
	if err != nil {
		return fmt.Errorf("demo: live project: %w", err)
	}
	for _, g := range goals {
		if g.TitleEN == "Full-year profit up 10%" {
			in.GoalID = &g.ID
		}
	}
	in.Normalize()
	p, err := st.CreateProject(ctx, 0, in)
	if err != nil {
		return fmt.Errorf("demo: live project: %w", err)
	}
	org.Projects = append(org.Projects, p)

	specs := liveNeeds(nil)
	var ids []int64
	byHolder := map[int64]liveNeed{}
	for _, n := range specs {
		holder := org.Units[n.Holder].ID
		need, err := st.CreateNeed(ctx, 0, p.ID, accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, Tier: n.Tier,
			HolderUnitID: &holder, NeededBy: date(n.InDays), EffortDays: n.Effort, KeyPerson: n.KeyPerson})
		if err != nil {
			return fmt.Errorf("demo: live need %s: %w", n.TitleEN, err)
		}
		ids = append(ids, need.ID)
		byHolder[holder] = n
	}
	plan := accord.UnitPlan{ProjectID: p.ID, UnitID: org.Units["sales"].ID, Concerns: text.Concerns,
		KPIs: text.KPIs, TheyNeed: text.TheyNeed, WeGive: text.WeGive,
		TheyGet: text.TheyGet, Stance: accord.StanceOpposed, ApproachOrder: 1}
	plan.Normalize()
	if _, err := st.SaveUnitPlan(ctx, 0, plan); err != nil {
		return fmt.Errorf("demo: live plan: %w", err)
	}

	sent, err := st.SendNeeds(ctx, p.LeadUserID, p.ID, ids, text.Message, ago(10))
	if err != nil {
		return fmt.Errorf("demo: live send: %w", err)
	}
	for _, r := range sent {
		spec := byHolder[r.HolderUnitID]
		if spec.Answer == "" {
			continue
		}
		head, err := viewer(spec.Holder)
		if err != nil {
			return fmt.Errorf("demo: live: %w", err)
		}
		at := ago(spec.AnswerDaysAgo)
		switch spec.Answer {
		case accord.ActionStart:
			if r, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionAgree,
				accord.RequestInput{DueDate: date(spec.InDays)}, at); err != nil {
				return fmt.Errorf("demo: live agree: %w", err)
			}
			if _, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionStart, accord.RequestInput{}, at.Add(time.Hour)); err != nil {
				return fmt.Errorf("demo: live start: %w", err)
			}
			// The conversation before the work went ahead: IT's head asks, the lead answers.
			talk := accord.CommentSubject{Kind: accord.CommentOnRequest, ID: r.ID}
			if _, err := st.AddComment(ctx, head.User.ID, talk, accord.CommentInput{Body: text.Question,
				Mentions: []int64{p.LeadUserID}}, nil, 0, at.Add(-2*time.Hour)); err != nil {
				return fmt.Errorf("demo: live question: %w", err)
			}
			if _, err := st.AddComment(ctx, p.LeadUserID, talk, accord.CommentInput{Body: text.Reply}, nil, 0, at.Add(-time.Hour)); err != nil {
				return fmt.Errorf("demo: live reply: %w", err)
			}
			progress := accord.ProgressInput{Body: spec.Progress, NextStep: text.NextStep, Risk: accord.RiskMedium, EffortDays: 6}
			progress.Normalize()
			if _, err := st.AddProgress(ctx, head, r.ID, progress, ago(2)); err != nil {
				return fmt.Errorf("demo: live progress: %w", err)
			}
		case accord.ActionDecline:
			if _, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionDecline,
				accord.RequestInput{Obstacle: spec.Obstacle, Reason: spec.Reason}, at); err != nil {
				return fmt.Errorf("demo: live decline: %w", err)
			}
			lead, err := viewer("marketing")
			if err != nil {
				return fmt.Errorf("demo: live: %w", err)
			}
			// The brief is left to be generated from the data when it is read.
			if _, err := st.Escalate(ctx, lead, r.ID, text.Escalation, "",
				accord.DefaultDecisionWindowDays, ago(1)); err != nil {
				return fmt.Errorf("demo: live escalate: %w", err)
			}
		case accord.ActionCounter:
			if _, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionCounter,
				accord.RequestInput{CounterScope: spec.Counter, CounterDate: date(spec.InDays + 7)}, at); err != nil {
				return fmt.Errorf("demo: live counter: %w", err)
			}
		}
	}
	return nil
}
