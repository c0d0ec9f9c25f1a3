package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// company is the tree of companyTree (units_test.go) with a corporate centre added,
// built with storetest for the escalation, start-page, portfolio and unit-page tests
// and shaped so that each routing case has a place to happen:
//
//	root ("HQ"), headed by the CEO; an administrator is a member
//	├── Operations centre: Sales, After-sales, Marketing, Customer service, Finance & insurance
//	├── Technology centre: IT (with a developer), Data (with an analyst)
//	└── Corporate functions: Training (with a trainer), Legal (in no project)
//
// After-sales' upgrade asks IT, Data and Training across the tree, so the CEO decides
// between them and its lead; it and Sales' promotion ask Marketing beside them, so the
// Operations head does. Every unit is headed; a test changes what it is about.
type company struct {
	*storetest.World
	root, ops, tech, corp                                                accord.Unit
	sales, afterSales, marketing, service, fi, it, data, training, legal accord.Unit

	ceo, opsHead, cto, corpHead                                                         accord.User
	salesHead, afterSalesHead, marketingHead, itHead, dataHead, trainingHead, legalHead accord.User
	itDev, dataAnalyst, trainer, admin                                                  accord.User
}

// newCompany builds the company in a fresh database of t's own.
func newCompany(t *testing.T) company {
	t.Helper()
	c := company{World: storetest.New(t)}
	units := companyTree(t, c.World)
	c.root, c.ops, c.tech = units["HQ"], units["Operations centre"], units["Technology centre"]
	c.sales, c.afterSales, c.marketing = units["Sales"], units["After-sales"], units["Marketing"]
	c.service, c.fi, c.it, c.data = units["Customer service"], units["Finance & insurance"], units["IT"], units["Data"]
	c.corp = c.Unit(t, storetest.UnitOpts{Name: "职能中心", NameEN: "Corporate functions"})
	c.training = c.Unit(t, storetest.UnitOpts{Parent: &c.corp, Name: "培训部", NameEN: "Training"})
	c.legal = c.Unit(t, storetest.UnitOpts{Parent: &c.corp, Name: "法务部", NameEN: "Legal"})

	c.ceo, c.opsHead, c.cto, c.corpHead = c.Head(t, c.root), c.Head(t, c.ops), c.Head(t, c.tech), c.Head(t, c.corp)
	c.salesHead, c.afterSalesHead, c.marketingHead = c.Head(t, c.sales), c.Head(t, c.afterSales), c.Head(t, c.marketing)
	c.itHead, c.dataHead = c.Head(t, c.it), c.Head(t, c.data)
	c.trainingHead, c.legalHead = c.Head(t, c.training), c.Head(t, c.legal)
	member := func(u accord.Unit, nameEN string) accord.User {
		t.Helper()
		return c.Person(t, storetest.PersonOpts{NameEN: nameEN, Units: []accord.Unit{u}})
	}
	c.itDev, c.dataAnalyst, c.trainer = member(c.it, "IT developer"), member(c.data, "Data analyst"), member(c.training, "Trainer")
	c.admin = c.Person(t, storetest.PersonOpts{NameEN: "Administrator", Admin: true, Units: []accord.Unit{c.root}})
	return c
}

// kinds lists u's notifications, newest first, as "kind:need title".
func (c company) kinds(t *testing.T, u accord.User) []string {
	t.Helper()
	return notificationKinds(t, c.Store, u.ID)
}

// upgrade is After-sales' service upgrade, led by its head, and its needs by holder's
// English name: P0s of IT (CRM system development, 120 days) and Data (Customer data
// analytics, 20 days, needed soonest), P1s of Training (40 days) and Marketing
// (Launch promotion, 15 days).
func (c company) upgrade(t *testing.T) (accord.Project, map[string]accord.Need) {
	t.Helper()
	p := c.Project(t, storetest.ProjectOpts{Name: "服务升级", NameEN: "Service upgrade", Owner: &c.afterSales})
	today := time.Now()
	need := func(holder accord.Unit, title, titleEN string, tier accord.Tier, inDays int, effort float64) accord.Need {
		t.Helper()
		by := today.AddDate(0, 0, inDays)
		return c.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, Title: title, TitleEN: titleEN, Tier: tier,
			NeededBy: &by, EffortDays: effort})
	}
	return p, map[string]accord.Need{
		"IT":        need(c.it, "客户管理系统开发", "CRM system development", accord.TierRequired, 90, 120),
		"Data":      need(c.data, "客户数据分析", "Customer data analytics", accord.TierRequired, 30, 20),
		"Training":  need(c.training, "培训服务顾问", "Train service advisers", accord.TierImportant, 75, 40),
		"Marketing": need(c.marketing, "上线推广宣传", "Launch promotion", accord.TierImportant, 100, 15),
	}
}

// sendUpgrade sends every need of a new upgrade at `at` and returns its requests by
// holding unit's English name.
func (c company) sendUpgrade(t *testing.T, at time.Time) map[string]accord.Request {
	t.Helper()
	p, needs := c.upgrade(t)
	return c.send(t, p, needs, at)
}

// send sends needs of project p from its lead at `at` and returns their requests by
// holding unit's English name.
func (c company) send(t *testing.T, p accord.Project, needs map[string]accord.Need, at time.Time) map[string]accord.Request {
	t.Helper()
	var ids []int64
	for _, n := range needs {
		ids = append(ids, n.ID)
	}
	sent, err := c.Store.SendNeeds(c.Ctx, p.LeadUserID, p.ID, ids, "请支持", at)
	require.NoError(t, err)
	require.Len(t, sent, len(needs))
	out := map[string]accord.Request{}
	for _, r := range sent {
		out[r.HolderNameEN] = r
	}
	return out
}

// valued gives project p an expected value in the default currency and a goal, if any.
func (c company) valued(t *testing.T, p accord.Project, amount int64, goal *accord.Goal) accord.Project {
	t.Helper()
	in := p.Input()
	in.ExpectedAmount = &amount
	if goal != nil {
		in.GoalID = &goal.ID
	}
	p, err := c.Store.UpdateProject(c.Ctx, p.LeadUserID, p.ID, p.Version, in)
	require.NoError(t, err)
	return p
}

// promotion is Sales' car promotion, led by its head, asking Marketing for a P0:
// Advertising.
func (c company) promotion(t *testing.T) (accord.Project, accord.Need) {
	t.Helper()
	p := c.Project(t, storetest.ProjectOpts{Name: "库存车促销", NameEN: "Car promotion", Owner: &c.sales})
	return p, c.Need(t, storetest.NeedOpts{Project: &p, Holder: &c.marketing, Title: "广告宣传", TitleEN: "Advertising",
		Tier: accord.TierRequired, EffortDays: 8})
}

// sendPromotion sends a new promotion's Advertising need at `at`.
func (c company) sendPromotion(t *testing.T, at time.Time) accord.Request {
	t.Helper()
	_, ads := c.promotion(t)
	return c.Request(t, storetest.RequestOpts{Need: &ads, At: at})
}

// escalatePromotion sends a new promotion's Advertising need at `at` and has its lead
// escalate it: to the Operations head, the superior Sales and Marketing share.
func (c company) escalatePromotion(t *testing.T, at time.Time) accord.Escalation {
	t.Helper()
	ads := c.sendPromotion(t, at)
	e, err := c.Store.Escalate(c.Ctx, c.Viewer(t, c.salesHead), ads.ID, "宣传排期冲突", "", 3, at)
	require.NoError(t, err)
	require.Equal(t, c.opsHead.ID, e.AssignedUserID)
	return e
}

// upgradeDeclinedToCEO sends the upgrade ten days ago, has IT decline it as too busy
// a day later, and sweeps the stalled P0 up to the CEO, the superior IT and the
// project's unit share: the one escalation in the CEO's queue.
func (c company) upgradeDeclinedToCEO(t *testing.T, now time.Time) accord.Escalation {
	t.Helper()
	sentAt := now.Add(-10 * 24 * time.Hour)
	it := c.sendUpgrade(t, sentAt)["IT"]
	_, err := c.Store.ActOnRequest(c.Ctx, c.Viewer(t, c.itHead), it.ID, it.Version, accord.ActionDecline,
		accord.RequestInput{Obstacle: accord.ObstacleTooBusy}, sentAt.Add(24*time.Hour))
	require.NoError(t, err)
	_, err = c.Store.SweepEscalations(c.Ctx, now, 3)
	require.NoError(t, err)
	queue, _, err := c.Store.EscalationsAssigned(c.Ctx, c.ceo.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, queue, 1)
	return queue[0]
}

// opsProjectAsksSales has the Operations head start a project of the Operations
// centre and send Sales one P0 need at `at`: a lead who heads the unit above both.
func (c company) opsProjectAsksSales(t *testing.T, titleEN string, at time.Time) (accord.Project, accord.Request) {
	t.Helper()
	p := c.Project(t, storetest.ProjectOpts{Name: "门店焕新", NameEN: "Showroom refresh", Owner: &c.ops})
	require.Equal(t, c.opsHead.ID, p.LeadUserID)
	n := c.Need(t, storetest.NeedOpts{Project: &p, Holder: &c.sales, TitleEN: titleEN, Tier: accord.TierRequired})
	return p, c.Request(t, storetest.RequestOpts{Need: &n, At: at})
}
