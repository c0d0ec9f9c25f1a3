package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// driveUnits are the units a closed renewal drive involves: the owner, whose head
// leads it, and the three it asked, for workshop leads (a P0), reminder calls and
// publicity.
type driveUnits struct{ owner, leads, calls, publicity accord.Unit }

// closedDrive plays a weekend renewal drive from request to retrospective, in days
// before today: its needs sent seven weeks ago, agreed, worked on with effort logged
// (leads 5.5 days, calls 10, publicity 9) and delivered, publicity late; a promise to
// calls kept, one to publicity broken and one to leads still open; thanks to leads and
// calls but not publicity; the retrospective saved once; the project closed. edit, if
// any, shapes the project as it is created.
func closedDrive(t *testing.T, w *storetest.World, u driveUnits, edit func(*accord.ProjectInput)) accord.Project {
	t.Helper()
	y, m, d := time.Now().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return today.AddDate(0, 0, n).Add(10 * time.Hour) }
	date := func(n int) *time.Time { d := today.AddDate(0, 0, n); return &d }
	p := w.Project(t, storetest.ProjectOpts{Name: "周末续保冲刺", NameEN: "Renewal drive", Owner: &u.owner, Edit: edit})

	type logged struct {
		day    int
		risk   accord.Risk
		effort float64
	}
	for _, n := range []struct {
		holder                            accord.Unit
		title, titleEN                    string
		tier                              accord.Tier
		effort                            float64
		neededBy, agree, start, delivered int
		progress                          []logged
	}{
		{u.leads, "到店客户续保线索", "Renewal leads from workshop visits", accord.TierRequired, 5, -45, -49, -48, -46,
			[]logged{{-47, accord.RiskLow, 2}, {-46, accord.RiskLow, 3.5}}},
		{u.calls, "客服外呼提醒", "Reminder calls", accord.TierImportant, 8, -42, -48, -46, -41,
			[]logged{{-44, accord.RiskMedium, 4}, {-41, accord.RiskLow, 6}}},
		{u.publicity, "周末续保活动宣传", "Weekend campaign publicity", accord.TierImportant, 6, -40, -47, -45, -37,
			[]logged{{-43, accord.RiskLow, 3}, {-39, accord.RiskHigh, 4}, {-37, accord.RiskLow, 2}}},
	} {
		need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &n.holder, Title: n.title, TitleEN: n.titleEN, Tier: n.tier,
			EffortDays: n.effort, NeededBy: date(n.neededBy)})
		r := w.Request(t, storetest.RequestOpts{Need: &need, At: day(-50), Message: "周末续保冲刺，请各部门支持，感谢！"})
		head := w.Viewer(t, w.Head(t, n.holder))
		act := func(a accord.RequestAction, in accord.RequestInput, at time.Time) {
			t.Helper()
			var err error
			r, err = w.Store.Request(w.Ctx, r.ID)
			require.NoError(t, err)
			r, err = w.Store.ActOnRequest(w.Ctx, head, r.ID, r.Version, a, in, at)
			require.NoError(t, err)
		}
		act(accord.ActionAgree, accord.RequestInput{DueDate: date(n.neededBy)}, day(n.agree))
		act(accord.ActionStart, accord.RequestInput{}, day(n.start))
		for _, l := range n.progress {
			w.Progress(t, storetest.ProgressOpts{Request: &r, Risk: l.risk, EffortDays: l.effort, At: day(l.day)})
		}
		act(accord.ActionDeliver, accord.RequestInput{}, day(n.delivered))
	}

	for _, c := range []struct {
		unit   accord.Unit
		what   string
		due    int
		status accord.CommitmentStatus
	}{
		{u.calls, "外呼成功单按 30 元计入客服绩效", -20, accord.CommitmentKept},
		{u.publicity, "活动海报署名市场部，并在运营周报中致谢", -36, accord.CommitmentBroken},
		{u.leads, "每月共享续保客户的保养回厂数据", 10, accord.CommitmentOpen},
	} {
		w.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &c.unit, What: c.what, DueDate: date(c.due), Status: c.status})
	}
	w.Thanks(t, storetest.ThanksOpts{Project: &p, Unit: &u.leads, At: day(-14),
		Text: "售后提前一天交付续保线索名单，周末现场接待配合顺畅，谢谢售后的伙伴！"})
	w.Thanks(t, storetest.ThanksOpts{Project: &p, Unit: &u.calls, At: day(-14),
		Text: "客服两天打完 1,200 通外呼，续保成交有三成来自预约到店，感谢客服部！"})

	amount := int64(3_900_000)
	_, err := w.Store.SaveRetro(w.Ctx, p.LeadUserID, p.ID, 0, accord.RetroInput{ActualAmount: &amount,
		ActualOutcome: "续保率提升 9.2 个百分点", Lessons: "客服外呼是转化最高的渠道，下次提前一周启动。"}, day(-13))
	require.NoError(t, err)

	p, err = w.Store.Project(w.Ctx, p.ID)
	require.NoError(t, err)
	in := p.Input()
	in.StartDate, in.TargetDate, in.Status = date(-52), date(-15), accord.ProjectDone
	p, err = w.Store.UpdateProject(w.Ctx, p.LeadUserID, p.ID, p.Version, in)
	require.NoError(t, err)
	return p
}

func TestRetrospectiveOfTheClosedDrive(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	u := driveUnits{
		owner:     w.Unit(t, storetest.UnitOpts{Name: "金融保险部", NameEN: "Finance & insurance"}),
		leads:     w.Unit(t, storetest.UnitOpts{Name: "售后服务部", NameEN: "After-sales"}),
		calls:     w.Unit(t, storetest.UnitOpts{Name: "客服部", NameEN: "Customer service"}),
		publicity: w.Unit(t, storetest.UnitOpts{Name: "市场部", NameEN: "Marketing"}),
	}
	lead := w.Head(t, u.owner)
	p := closedDrive(t, w, u, nil)
	require.Equal(t, accord.ProjectDone, p.Status)
	require.Equal(t, lead.ID, p.LeadUserID)
	retro, err := w.Store.Retro(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, int64(3_900_000), *retro.ActualAmount)
	require.Equal(t, 1, retro.Version)
	require.Equal(t, lead.Name, retro.UpdatedBy)

	units, err := w.Store.RetroUnits(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, units, 3)
	require.Equal(t, accord.RetroUnit{UnitID: u.calls.ID, Name: "客服部", NameEN: "Customer service",
		Needs: 1, PlannedDays: 8, LoggedDays: 10, Delivered: 1, Thanks: 1, PromisesKept: 1}, units[0])
	require.Equal(t, "Marketing", units[1].NameEN)
	require.Equal(t, 0, units[1].Thanks)
	require.Equal(t, 1, units[1].PromisesLost)
	require.Equal(t, 1, units[2].PromisesOpen)

	timeline, err := w.Store.RetroTimeline(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, timeline, 3)
	require.Equal(t, "Renewal leads from workshop visits", timeline[0].TitleEN)
	require.Equal(t, accord.RequestDelivered, timeline[0].State)
	require.True(t, timeline[0].DeliveredAt.Before(timeline[0].NeededBy.AddDate(0, 0, 1)), "delivered early")
	require.True(t, timeline[2].DeliveredAt.After(timeline[2].NeededBy.AddDate(0, 0, 1)), "publicity came late")

	// Saving needs the version seen; a second save from the same page is a conflict.
	in := accord.RetroInput{Lessons: "再来一次"}
	_, err = w.Store.SaveRetro(w.Ctx, p.LeadUserID, p.ID, 0, in, time.Now())
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	saved, err := w.Store.SaveRetro(w.Ctx, p.LeadUserID, p.ID, 1, in, time.Now())
	require.NoError(t, err)
	require.Equal(t, 2, saved.Version)
	require.Nil(t, saved.ActualAmount)

	thanks, err := w.Store.ProjectThanks(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, thanks, 2)
	other := w.Project(t, storetest.ProjectOpts{Owner: &u.owner})
	require.Equal(t, p.LeadUserID, other.LeadUserID)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(w.Store.DeleteThanks(w.Ctx, p.LeadUserID, other.ID, thanks[0].ID)),
		"not through another project of the same lead")
	require.NoError(t, w.Store.DeleteThanks(w.Ctx, p.LeadUserID, p.ID, thanks[0].ID))
	thanks, err = w.Store.ProjectThanks(w.Ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, thanks, 1)

	in2 := accord.ThanksInput{Text: " "}
	in2.Normalize()
	require.Equal(t, map[string]string{"unit_id": "field_required", "text": "field_required"}, accord.FieldErrors(in2.Validate()))
}
