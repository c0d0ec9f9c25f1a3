package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store"
)

func (b testBundle) viewer(t *testing.T, email string) accord.Viewer {
	t.Helper()
	v, err := b.st.Viewer(b.ctx, b.users[email].ID)
	require.NoError(t, err)
	return v
}

func (b testBundle) project(t *testing.T, nameEN string) accord.Project {
	t.Helper()
	list, _, err := b.st.Projects(b.ctx, b.viewer(t, "admin@accord.demo"), store.ProjectFilter{Limit: 50})
	require.NoError(t, err)
	for _, p := range list {
		if p.NameEN == nameEN {
			return p
		}
	}
	t.Fatalf("no project %q", nameEN)
	return accord.Project{}
}

func TestProjectVisibility(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	tests := []struct {
		email string
		see   bool
		why   string
	}{
		{"aftersales@accord.demo", true, "lead"},
		{"aftersales.pm@accord.demo", true, "member of the owning unit"},
		{"it.dev@accord.demo", true, "member of a holding unit"},
		{"training@accord.demo", true, "head of a holding unit"},
		{"cto@accord.demo", true, "head of an ancestor of a holding unit"},
		{"ops@accord.demo", true, "head of an ancestor of the owning unit"},
		{"ceo@accord.demo", true, "head of the root"},
		{"admin@accord.demo", true, "admin"},
		{"legal@accord.demo", false, "uninvolved department head"},
		{"sales@accord.demo", false, "head of a sibling of the owning unit"},
		{"corp@accord.demo", true, "head of Corporate functions, above Training"},
		{"finance@accord.demo", false, "uninvolved unit under an involved centre"},
	}
	for _, tt := range tests {
		t.Run(tt.why, func(t *testing.T) {
			_, err := b.st.ProjectForViewer(b.ctx, b.viewer(t, tt.email), smart.ID)
			if tt.see {
				require.NoError(t, err)
			} else {
				require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))
			}
			list, _, err := b.st.Projects(b.ctx, b.viewer(t, tt.email), store.ProjectFilter{Limit: 50})
			require.NoError(t, err)
			found := false
			for _, p := range list {
				found = found || p.ID == smart.ID
			}
			require.Equal(t, tt.see, found, "the list agrees with the page")
		})
	}
}

func TestProjectFilters(t *testing.T) {
	b := setup(t)
	ceo := b.viewer(t, "ceo@accord.demo")
	list, total, err := b.st.Projects(b.ctx, ceo, store.ProjectFilter{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, 3, total)
	require.Len(t, list, 2)

	lead := b.viewer(t, "fi@accord.demo")
	list, total, err = b.st.Projects(b.ctx, lead, store.ProjectFilter{LedByMe: true, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, total)
	require.Equal(t, "Weekend insurance renewal drive", list[0].NameEN)
	require.Equal(t, "续保率 65%", list[0].GoalTitle)

	done := accord.ProjectDone
	list, total, err = b.st.Projects(b.ctx, ceo, store.ProjectFilter{Status: &done, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, total, "the renewal drive is the demo's closed project")
	require.Equal(t, "Weekend insurance renewal drive", list[0].NameEN)

	pm := b.viewer(t, "aftersales.pm@accord.demo")
	list, _, err = b.st.Projects(b.ctx, pm, store.ProjectFilter{MyUnits: true, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "Smart service upgrade", list[0].NameEN)
}

func TestDemoWorkbookIsComplete(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	require.Equal(t, int64(20_000_000), *smart.ExpectedAmount)
	require.Equal(t, "客户满意度提升至行业前三", smart.GoalTitle)

	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	var titles []string
	for _, n := range needs {
		titles = append(titles, n.TitleEN)
	}
	// Tier first, then needed-by date.
	require.Equal(t, []string{"Customer data analytics", "CRM system development", "Train 200 service advisers",
		"Launch promotion", "External training vendor (backup)"}, titles)
	require.Equal(t, needs[2].ID, *needs[4].BacksUpNeedID, "the vendor backs up training")
	require.Nil(t, needs[4].HolderUnitID)

	plans, err := b.st.UnitPlans(b.ctx, smart.ID)
	require.NoError(t, err)
	var order []string
	for _, p := range plans {
		order = append(order, p.UnitNameEN+":"+string(p.Stance))
	}
	require.Equal(t, []string{"Training:ally", "Data:winnable", "Marketing:neutral", "IT:opposed"}, order)

	commitments, err := b.st.Commitments(b.ctx, smart.ID)
	require.NoError(t, err)
	require.Len(t, commitments, 2)
	overdue := 0
	for _, c := range commitments {
		if c.Overdue(time.Now()) {
			overdue++
		}
	}
	require.Equal(t, 1, overdue, "the thank-you to Training is overdue")
}

func TestNeedEditConflictAndHistory(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	lead := b.users["aftersales@accord.demo"].ID
	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	n := needs[0]
	in := accord.NeedInput{Title: n.Title, HolderUnitID: n.HolderUnitID, Tier: n.Tier, EffortDays: 25}
	updated, err := b.st.UpdateNeed(b.ctx, lead, n.ID, n.Version, in)
	require.NoError(t, err)
	require.Equal(t, 25.0, updated.EffortDays)
	require.Equal(t, n.Version+1, updated.Version)

	// A second editor who loaded the old version is refused, not silently applied.
	in.EffortDays = 99
	_, err = b.st.UpdateNeed(b.ctx, lead, n.ID, n.Version, in)
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	_, err = b.st.UpdateNeed(b.ctx, lead, 987654, 1, in)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err))

	require.NoError(t, b.st.DeleteNeed(b.ctx, lead, n.ID, updated.Version))
	history, total, err := b.st.ProjectHistory(b.ctx, smart.ID, 0, 2)
	require.NoError(t, err)
	require.Greater(t, total, 10, "the demo's own creation is history too")
	require.Equal(t, accord.AuditDelete, history[0].Action)
	require.Equal(t, "Zhang Wei", history[0].ActorNameEN)
	require.Equal(t, accord.AuditUpdate, history[1].Action)
	require.JSONEq(t, `20`, string(jsonField(t, history[1].Before, "EffortDays")))
	require.JSONEq(t, `25`, string(jsonField(t, history[1].After, "EffortDays")))

	// The history cannot be rewritten.
	_, err = b.st.Pool().Exec(b.ctx, `UPDATE audit_log SET action = 'x'`)
	require.ErrorContains(t, err, "append-only")
}

func TestImportNeedsIsAllOrNothing(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	lead := b.users["aftersales@accord.demo"].ID
	legal := b.units["Legal"].ID
	missing := int64(999999)
	_, err := b.st.ImportNeeds(b.ctx, lead, smart.ID, []accord.NeedInput{
		{Title: "合同审核", HolderUnitID: &legal, Tier: accord.TierImportant, EffortDays: 3},
		{Title: "不存在的部门", HolderUnitID: &missing, Tier: accord.TierImportant},
	})
	require.ErrorContains(t, err, "row 2")
	require.Equal(t, "unit_not_found", accord.FieldErrors(err)["holder"])
	needs, err := b.st.Needs(b.ctx, smart.ID)
	require.NoError(t, err)
	require.Len(t, needs, 5, "nothing from the failed import remains")

	added, err := b.st.ImportNeeds(b.ctx, lead, smart.ID, []accord.NeedInput{
		{Title: "合同审核", HolderUnitID: &legal, Tier: accord.TierImportant, EffortDays: 3},
		{Title: "场地", ExternalParty: "会展中心", Tier: accord.TierAlternative},
	})
	require.NoError(t, err)
	require.Len(t, added, 2)
	plans, err := b.st.UnitPlans(b.ctx, smart.ID)
	require.NoError(t, err)
	require.Len(t, plans, 5, "Legal is now involved")
}

func TestUnitPlanVersions(t *testing.T) {
	b := setup(t)
	smart := b.project(t, "Smart service upgrade")
	lead := b.users["aftersales@accord.demo"].ID
	legal := b.units["Legal"].ID
	plan := accord.UnitPlan{ProjectID: smart.ID, UnitID: legal, Concerns: []string{"合规风险"}, Stance: accord.StanceNeutral}
	saved, err := b.st.SaveUnitPlan(b.ctx, lead, plan)
	require.NoError(t, err)
	require.Equal(t, 1, saved.Version)
	_, err = b.st.SaveUnitPlan(b.ctx, lead, plan) // still version 0: someone created it meanwhile
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	saved.Stance = accord.StanceAlly
	saved, err = b.st.SaveUnitPlan(b.ctx, lead, saved)
	require.NoError(t, err)
	require.Equal(t, 2, saved.Version)
}
