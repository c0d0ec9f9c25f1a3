package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestSearchMatchesWordsLiterally holds both ways of matching (short terms through
// the doubled index, longer ones through the plain one) to the same answer: a term
// is found where its characters stand together, wildcards and all, ignoring case.
func TestSearchMatchesWordsLiterally(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	w := storetest.Around(st)
	admin := w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true}))
	p := w.Project(t, storetest.ProjectOpts{})
	said := map[string]int64{}
	for _, body := range []string{"完成 100%_的排期", "排 期分开写", "Data 平台 a\\b", "排期排期", "期排"} {
		c, err := st.AddComment(ctx, admin.User.ID, accord.CommentSubject{Kind: accord.CommentOnProject, ID: p.ID},
			accord.CommentInput{Body: body}, nil, 0, time.Now())
		require.NoError(t, err)
		said[body] = c.ID
	}
	for _, tc := range []struct {
		query string
		found []string
	}{
		{"排期", []string{"完成 100%_的排期", "排期排期"}},
		{"%_", []string{"完成 100%_的排期"}},
		{"0%", []string{"完成 100%_的排期"}},
		{"期排", []string{"排期排期", "期排"}},
		{"排", []string{"完成 100%_的排期", "排 期分开写", "排期排期", "期排"}},
		{"da", []string{"Data 平台 a\\b"}},
		{"a\\b", []string{"Data 平台 a\\b"}},
		{"排期 100%", []string{"完成 100%_的排期"}}, // a short term beside a longer one
		{"平台 DATA", []string{"Data 平台 a\\b"}},
		{"__", nil},
	} {
		q, err := accord.ParseSearchQuery(tc.query, accord.SearchComments)
		require.NoError(t, err)
		res, err := st.Search(ctx, admin, q, 0, 100)
		require.NoError(t, err)
		var want, got []int64
		for _, body := range tc.found {
			want = append(want, said[body])
		}
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		require.ElementsMatch(t, want, got, "%q", tc.query)
	}
}
