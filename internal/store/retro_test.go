package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestRetrospectiveOfTheClosedDrive(t *testing.T) {
	b := setup(t)
	p := b.project(t, "Weekend insurance renewal drive")
	require.Equal(t, accord.ProjectDone, p.Status)
	retro, err := b.st.Retro(b.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, int64(3_900_000), *retro.ActualAmount)
	require.Equal(t, 1, retro.Version)
	require.Equal(t, "吴建华", retro.UpdatedBy)

	units, err := b.st.RetroUnits(b.ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, units, 3)
	require.Equal(t, accord.RetroUnit{UnitID: b.units["Customer service"].ID, Name: "客服部", NameEN: "Customer service",
		Needs: 1, PlannedDays: 8, LoggedDays: 10, Delivered: 1, Thanks: 1, PromisesKept: 1}, units[0])
	require.Equal(t, "Marketing", units[1].NameEN)
	require.Equal(t, 0, units[1].Thanks)
	require.Equal(t, 1, units[1].PromisesLost)
	require.Equal(t, 1, units[2].PromisesOpen)

	timeline, err := b.st.RetroTimeline(b.ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, timeline, 3)
	require.Equal(t, "Renewal leads from workshop visits", timeline[0].TitleEN)
	require.Equal(t, accord.RequestDelivered, timeline[0].State)
	require.True(t, timeline[0].DeliveredAt.Before(timeline[0].NeededBy.AddDate(0, 0, 1)), "delivered early")
	require.True(t, timeline[2].DeliveredAt.After(timeline[2].NeededBy.AddDate(0, 0, 1)), "publicity came late")

	// Saving needs the version seen; a second save from the same page is a conflict.
	in := accord.RetroInput{Lessons: "再来一次"}
	_, err = b.st.SaveRetro(b.ctx, p.LeadUserID, p.ID, 0, in, time.Now())
	require.Equal(t, accord.ECodeConflict, accord.ErrorCodeOf(err))
	saved, err := b.st.SaveRetro(b.ctx, p.LeadUserID, p.ID, 1, in, time.Now())
	require.NoError(t, err)
	require.Equal(t, 2, saved.Version)
	require.Nil(t, saved.ActualAmount)

	thanks, err := b.st.ProjectThanks(b.ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, thanks, 2)
	require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(b.st.DeleteThanks(b.ctx, p.LeadUserID, p.ID+1, thanks[0].ID)))
	require.NoError(t, b.st.DeleteThanks(b.ctx, p.LeadUserID, p.ID, thanks[0].ID))
	thanks, err = b.st.ProjectThanks(b.ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, thanks, 1)

	in2 := accord.ThanksInput{Text: " "}
	in2.Normalize()
	require.Equal(t, map[string]string{"unit_id": "field_required", "text": "field_required"}, accord.FieldErrors(in2.Validate()))
}
