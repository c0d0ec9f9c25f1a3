package demo

import (
	"context"
	"fmt"
	"time"

	"accord/internal/accord"
	"accord/internal/store"
)

// retroProject is the demo project that has closed and has its retrospective.
const retroProject = "Weekend insurance renewal drive"

// deliverySpec plays one need of the closed project from request to delivery, in days
// relative to today.
type deliverySpec struct {
	Holder    string // unit key
	NeededBy  int
	Agree     int
	Due       int // the date the holder commits to
	Start     int
	Progress  []progressSpec
	Delivered int
}

type progressSpec struct {
	Day    int
	Body   string
	Next   string
	Risk   accord.Risk
	Effort float64
}

// loadRetro closes the weekend insurance renewal drive as it happened: its needs sent
// seven weeks ago, agreed, worked on with effort logged, and delivered (two of them
// late); a promise kept, one broken and one still to keep and already overdue; thanks to two of the three
// units that helped (Marketing carried real effort and has not been thanked: the
// retrospective shows it); results against the stated value, and lessons. The
// notifications all this raised are old news by then, so they are cleared.
func loadRetro(ctx context.Context, st *store.Store, org *Org, today time.Time) error {
	var p accord.Project
	var index int
	for i, candidate := range org.Projects {
		if candidate.NameEN == retroProject {
			p, index = candidate, i
		}
	}
	if p.ID == 0 {
		return fmt.Errorf("demo: retrospective: no project %q", retroProject)
	}
	day := func(n int) time.Time { return today.AddDate(0, 0, n).Add(10 * time.Hour) }
	date := func(n int) *time.Time { d := today.AddDate(0, 0, n); return &d }
	viewer := func(key string) (accord.Viewer, error) { return st.Viewer(ctx, org.Users[key].ID) }

	text := retroTexts(nil)
	plan := text.Deliveries

	needs, err := st.Needs(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("demo: retrospective: %w", err)
	}
	var ids []int64
	for _, n := range needs {
		spec, ok := plan[unitKey(org, n.HolderUnitID)]
		if !ok {
			continue
		}
		in := needInputOf(n)
		in.NeededBy = date(spec.NeededBy)
		if _, err := st.UpdateNeed(ctx, 0, n.ID, n.Version, in); err != nil {
			return fmt.Errorf("demo: retrospective: need %s: %w", n.TitleEN, err)
		}
		ids = append(ids, n.ID)
	}
	sent, err := st.SendNeeds(ctx, p.LeadUserID, p.ID, ids, text.Message, day(-50))
	if err != nil {
		return fmt.Errorf("demo: retrospective: send: %w", err)
	}
	for _, r := range sent {
		spec := plan[unitKey(org, &r.HolderUnitID)]
		head, err := viewer(spec.Holder)
		if err != nil {
			return fmt.Errorf("demo: retrospective: %w", err)
		}
		if r, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionAgree,
			accord.RequestInput{DueDate: date(spec.Due)}, day(spec.Agree)); err != nil {
			return fmt.Errorf("demo: retrospective: agree: %w", err)
		}
		if r, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionStart, accord.RequestInput{}, day(spec.Start)); err != nil {
			return fmt.Errorf("demo: retrospective: start: %w", err)
		}
		for _, pr := range spec.Progress {
			in := accord.ProgressInput{Body: pr.Body, NextStep: pr.Next, Risk: pr.Risk, EffortDays: pr.Effort}
			in.Normalize()
			if _, err := st.AddProgress(ctx, head, r.ID, in, day(pr.Day)); err != nil {
				return fmt.Errorf("demo: retrospective: progress: %w", err)
			}
		}
		if r, err = st.Request(ctx, r.ID); err != nil {
			return fmt.Errorf("demo: retrospective: %w", err)
		}
		if _, err = st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionDeliver, accord.RequestInput{}, day(spec.Delivered)); err != nil {
			return fmt.Errorf("demo: retrospective: deliver: %w", err)
		}
	}

	// Promises: the one to Customer service was kept; Marketing's was broken; the one
	// to After-sales runs on after the project and its first share is overdue.
	commitments, err := st.Commitments(ctx, p.ID)
	if err != nil {
		return fmt.Errorf("demo: retrospective: %w", err)
	}
	for _, c := range commitments {
		if c.UnitID == org.Units["service"].ID {
			if _, err := st.UpdateCommitment(ctx, 0, c.ID, c.Version, accord.CommitmentInput{UnitID: c.UnitID,
				What: c.What, DueDate: date(-20), Status: accord.CommitmentKept}); err != nil {
				return fmt.Errorf("demo: retrospective: %w", err)
			}
		}
	}
	for _, c := range text.Promises {
		in := accord.CommitmentInput{UnitID: org.Units[c.Unit].ID, What: c.What, DueDate: date(c.InDays), Status: c.Status}
		if _, err := st.CreateCommitment(ctx, p.LeadUserID, p.ID, in); err != nil {
			return fmt.Errorf("demo: retrospective: %w", err)
		}
	}

	for _, th := range text.Thanks {
		in := accord.ThanksInput{UnitID: org.Units[th.Unit].ID, Text: th.Text}
		if _, err := st.AddThanks(ctx, p.LeadUserID, p.ID, in, day(th.Day)); err != nil {
			return fmt.Errorf("demo: retrospective: thanks: %w", err)
		}
	}
	amount := int64(3_900_000)
	retro := accord.RetroInput{ActualAmount: &amount, ActualOutcome: text.Outcome, Lessons: text.Lessons}
	if _, err := st.SaveRetro(ctx, p.LeadUserID, p.ID, 0, retro, day(-13)); err != nil {
		return fmt.Errorf("demo: retrospective: %w", err)
	}

	in := p.Input()
	start, target := today.AddDate(0, 0, -52), today.AddDate(0, 0, -15)
	in.StartDate, in.TargetDate, in.Status = &start, &target, accord.ProjectDone
	updated, err := st.UpdateProject(ctx, 0, p.ID, p.Version, in)
	if err != nil {
		return fmt.Errorf("demo: retrospective: close project: %w", err)
	}
	org.Projects[index] = updated

	// Everything above is history by the time anyone signs in.
	if err := st.ClearProjectNotifications(ctx, p.ID); err != nil {
		return fmt.Errorf("demo: retrospective: %w", err)
	}
	return nil
}

// retroText is what the closed project's people wrote, with the plan of its deliveries.
type retroText struct {
	Deliveries map[string]deliverySpec // by unit key
	Message    string
	Promises   []commitmentSpec
	Thanks     []thanksSpec
	Outcome    string
	Lessons    string
}

type thanksSpec struct {
	Unit, Text string
	Day        int
}

func retroTexts(w phrases) retroText {
	return retroText{
		Deliveries: map[string]deliverySpec{
			"aftersales": {Holder: "aftersales", NeededBy: -45, Agree: -49, Due: -45, Start: -48, Delivered: -46, Progress: []progressSpec{
				{Day: -47, Body: w.t("已导出近三个月到店且保单 60 天内到期的客户 320 人。", "Exported 320 customers who visited in the last three months and whose policy ends within 60 days."),
					Next: w.t("按门店拆分名单", "Split the list by dealership"), Risk: accord.RiskLow, Effort: 2},
				{Day: -46, Body: w.t("名单按门店拆分完毕，周末接待流程已和续保专员对齐。", "The list is split by dealership; the weekend reception is agreed with the renewal specialists."),
					Risk: accord.RiskLow, Effort: 3.5},
			}},
			"service": {Holder: "service", NeededBy: -42, Agree: -48, Due: -42, Start: -46, Delivered: -41, Progress: []progressSpec{
				{Day: -44, Body: w.t("外呼话术试打 50 通，接通率 62%。", "Tried the call script on 50 calls: 62% answered."),
					Next: w.t("全量外呼", "Call the whole list"), Risk: accord.RiskMedium, Effort: 4},
				{Day: -41, Body: w.t("两天完成 1,200 通外呼，预约到店 310 人。", "1,200 calls in two days; 310 customers booked a visit."), Risk: accord.RiskLow, Effort: 6},
			}},
			"marketing": {Holder: "marketing", NeededBy: -40, Agree: -47, Due: -40, Start: -45, Delivered: -37, Progress: []progressSpec{
				{Day: -43, Body: w.t("活动海报与朋友圈文案初稿完成。", "First drafts of the posters and the social-media copy are done."),
					Next: w.t("印刷与投放", "Print and publish"), Risk: accord.RiskLow, Effort: 3},
				{Day: -39, Body: w.t("海报印刷延误，线上投放先行。", "Poster printing is late; the online campaign goes first."),
					Next: w.t("门店海报补上", "Put the posters up in the dealerships"), Risk: accord.RiskHigh, Effort: 4},
				{Day: -37, Body: w.t("门店海报到位，线上曝光 4.8 万次。", "Posters up in the dealerships; 48,000 views online."), Risk: accord.RiskLow, Effort: 2},
			}},
		},
		Message: w.t("周末续保冲刺，请各部门支持，感谢！", "The weekend renewal drive needs your support. Thank you!"),
		Promises: []commitmentSpec{
			{Unit: "marketing", What: w.t("活动海报署名市场部，并在运营周报中致谢", "Credit Marketing on the posters and thank them in the operations weekly"),
				InDays: -36, Status: accord.CommitmentBroken},
			// The first monthly share fell due five days ago and has not been made.
			{Unit: "aftersales", What: w.t("每月共享续保客户的保养回厂数据", "Share the service visits of renewing customers every month"),
				InDays: -5, Status: accord.CommitmentOpen},
		},
		Thanks: []thanksSpec{
			{"aftersales", w.t("售后提前一天交付续保线索名单，周末现场接待配合顺畅，谢谢售后的伙伴！",
				"After-sales delivered the renewal leads a day early and the weekend reception ran smoothly. Thank you, After-sales!"), -14},
			{"service", w.t("客服两天打完 1,200 通外呼，续保成交有三成来自预约到店，感谢客服部！",
				"Customer service made 1,200 calls in two days, and three in ten renewals came from the visits they booked. Thank you, Customer service!"), -14},
		},
		Outcome: w.t("续保率提升 9.2 个百分点（目标 8 个），新增续保保费约 390 万元。",
			"Renewal rate up 9.2 percentage points (target 8); about CNY 3.9 million in new renewal premiums."),
		Lessons: w.t("客服外呼是转化最高的渠道，下次提前一周启动。\n"+
			"市场部的档期至少提前三周锁定；答应的海报署名没有兑现，要当面致歉，下次活动补上。\n"+
			"售后到店线索质量高，值得做成每月例行，数据共享的承诺要按时兑现。",
			"Customer service's calls converted best: start them a week earlier next time.\n"+
				"Book Marketing at least three weeks ahead; the poster credit we promised them did not happen: apologise in person and make it good at the next event.\n"+
				"After-sales' workshop leads are good enough to make monthly, and the promise to share data must be kept on time."),
	}
}

// unitKey finds the demo key of a unit id; "" for none.
func unitKey(org *Org, id *int64) string {
	if id == nil {
		return ""
	}
	for key, u := range org.Units {
		if u.ID == *id {
			return key
		}
	}
	return ""
}

func needInputOf(n accord.Need) accord.NeedInput {
	return accord.NeedInput{Title: n.Title, TitleEN: n.TitleEN, HolderUnitID: n.HolderUnitID, ExternalParty: n.ExternalParty,
		Tier: n.Tier, BacksUpNeedID: n.BacksUpNeedID, NeededBy: n.NeededBy, EffortDays: n.EffortDays,
		KeyPerson: n.KeyPerson, Notes: n.Notes}
}
