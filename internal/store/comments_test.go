package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/store/storetest"
)

// TestConversationShowsTheLatest: a long conversation answers with its latest
// comments, in the order said, and pages back from the earliest given.
func TestConversationShowsTheLatest(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	p := w.Project(t, storetest.ProjectOpts{})
	subject := accord.CommentSubject{Kind: accord.CommentOnProject, ID: p.ID}
	at := time.Now()
	var ids []int64
	for i := range 5 {
		c, err := w.Store.AddComment(w.Ctx, p.LeadUserID, subject, accord.CommentInput{Body: fmt.Sprintf("第 %d 条", i+1)}, nil, 0, at)
		require.NoError(t, err)
		ids = append(ids, c.ID)
	}
	idsOf := func(list []accord.Comment) []int64 {
		var out []int64
		for _, c := range list {
			out = append(out, c.ID)
		}
		return out
	}
	latest, total, err := w.Store.Comments(w.Ctx, subject, 0, 3)
	require.NoError(t, err)
	require.Equal(t, 5, total)
	require.Equal(t, ids[2:], idsOf(latest), "the latest three, oldest first")
	earlier, _, err := w.Store.Comments(w.Ctx, subject, latest[0].ID, 3)
	require.NoError(t, err)
	require.Equal(t, ids[:2], idsOf(earlier))
	other := accord.CommentSubject{Kind: accord.CommentOnProject, ID: w.Project(t, storetest.ProjectOpts{}).ID}
	none, total, err := w.Store.Comments(w.Ctx, other, 0, 3)
	require.NoError(t, err)
	require.Zero(t, total)
	require.Empty(t, none, "another project's conversation is its own")
}
