package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestWorkbookWritesAskMayEditProject: every store method that changes a project's
// workbook refuses someone accord.MayEditProject refuses, whatever the faces checked
// before, and lets the lead and an administrator through.
func TestWorkbookWritesAskMayEditProject(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx := w.Ctx
	st := w.Store
	p := w.Project(t, storetest.ProjectOpts{})
	holder := w.Unit(t, storetest.UnitOpts{})
	member := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{{ID: p.OwningUnitID}}}) // sees it, does not lead it
	stranger := w.Person(t, storetest.PersonOpts{})
	admin := w.Person(t, storetest.PersonOpts{Admin: true})
	now := time.Now()

	// Each write, done as actor; it reports the store's answer.
	writes := map[string]func(actor int64) error{
		"create need": func(actor int64) error {
			_, err := st.CreateNeed(ctx, actor, p.ID, accord.NeedInput{Title: "需求", HolderUnitID: &holder.ID,
				Tier: accord.TierImportant, EffortDays: 1})
			return err
		},
		"import needs": func(actor int64) error {
			_, err := st.ImportNeeds(ctx, actor, p.ID, []accord.NeedInput{{Title: "导入", HolderUnitID: &holder.ID,
				Tier: accord.TierImportant, EffortDays: 1}})
			return err
		},
		"update need": func(actor int64) error {
			n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
			_, err := st.UpdateNeed(ctx, actor, n.ID, n.Version, needInputOf(n))
			return err
		},
		"delete need": func(actor int64) error {
			n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
			_, err := st.DeleteNeed(ctx, actor, n.ID, n.Version)
			return err
		},
		"create commitment": func(actor int64) error {
			_, err := st.CreateCommitment(ctx, actor, p.ID, accord.CommitmentInput{UnitID: holder.ID, What: "承诺",
				Status: accord.CommitmentOpen})
			return err
		},
		"update commitment": func(actor int64) error {
			c := w.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &holder})
			_, err := st.UpdateCommitment(ctx, actor, c.ID, c.Version, accord.CommitmentInput{UnitID: holder.ID,
				What: "改过", Status: accord.CommitmentOpen})
			return err
		},
		"delete commitment": func(actor int64) error {
			c := w.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &holder})
			return st.DeleteCommitment(ctx, actor, c.ID, c.Version)
		},
		"save unit plan": func(actor int64) error {
			n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
			plan, err := st.UnitPlan(ctx, p.ID, *n.HolderUnitID)
			if err != nil {
				return err
			}
			plan.Concerns = []string{"成本"}
			_, err = st.SaveUnitPlan(ctx, actor, plan)
			return err
		},
		"update project": func(actor int64) error {
			cur, err := st.Project(ctx, p.ID)
			if err != nil {
				return err
			}
			_, err = st.UpdateProject(ctx, actor, cur.ID, cur.Version, cur.Input())
			return err
		},
		"add thanks": func(actor int64) error {
			_, err := st.AddThanks(ctx, actor, p.ID, accord.ThanksInput{UnitID: holder.ID, Text: "谢谢"}, now)
			return err
		},
		"delete thanks": func(actor int64) error {
			th, err := st.AddThanks(ctx, p.LeadUserID, p.ID, accord.ThanksInput{UnitID: holder.ID, Text: "谢谢"}, now)
			if err != nil {
				return err
			}
			return st.DeleteThanks(ctx, actor, p.ID, th.ID)
		},
		"save retrospective": func(actor int64) error {
			cur, err := st.Retro(ctx, p.ID)
			if err != nil {
				return err
			}
			_, err = st.SaveRetro(ctx, actor, p.ID, cur.Version, accord.RetroInput{Lessons: "先找盟友"}, now)
			return err
		},
	}
	for name, write := range writes {
		for _, refused := range []accord.User{member, stranger} {
			require.Equal(t, accord.ECodeForbidden, accord.ErrorCodeOf(write(refused.ID)), "%s by %s", name, refused.Email)
		}
		require.NoError(t, write(p.LeadUserID), "%s by the lead", name)
		require.NoError(t, write(admin.ID), "%s by an administrator", name)
	}
}
