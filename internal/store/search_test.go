package store_test

import (
	"context"
	"fmt"
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
		{"排", nil}, // one character searches no comment (TestSingleCharactersFindProjectsUnitsAndPeople)
		{"da", []string{"Data 平台 a\\b"}},
		{"DA", []string{"Data 平台 a\\b"}}, // a short term in capitals: the stored doubled text is lower-cased
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

// TestSearchFindsWhatIsSeenByRoleAlone: a request's key person and its holder's head
// see it, and its comments, after its need moved to another unit took the project
// out of their sight. Search finds them there, by the request's words and by its
// need's, whichever way it reads a narrow sight's matches (fewSeen), and keeps
// them from a colleague in another unit.
func TestSearchFindsWhatIsSeenByRoleAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	w := storetest.Around(st)
	owner, holder, moveTo := w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{}), w.Unit(t, storetest.UnitOpts{})
	keyPerson := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{holder}})
	outsider := w.Person(t, storetest.PersonOpts{Units: []accord.Unit{w.Unit(t, storetest.UnitOpts{})}})
	p := w.Project(t, storetest.ProjectOpts{Owner: &owner})
	n := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder, Title: "机房排期"})
	r := w.Request(t, storetest.RequestOpts{Need: &n, State: accord.RequestAgreed, KeyPerson: &keyPerson,
		Message: "请按季度排期"})
	c, err := st.AddComment(ctx, keyPerson.ID, accord.CommentSubject{Kind: accord.CommentOnRequest, ID: r.ID},
		accord.CommentInput{Body: "排期已确认"}, nil, 0, time.Now())
	require.NoError(t, err)
	in := needInputOf(n)
	in.HolderUnitID = &moveTo.ID
	_, err = st.UpdateNeed(ctx, p.LeadUserID, n.ID, n.Version, in)
	require.NoError(t, err)

	holderHead := w.Viewer(t, w.Head(t, holder))
	for _, fewSeen := range []int{1 << 30, -1} {
		st.SetFewSeen(fewSeen)
		for _, tc := range []struct {
			who      accord.Viewer
			sees     bool
			whoNamed string
		}{{w.Viewer(t, keyPerson), true, "key person"}, {holderHead, true, "holder's head"},
			{w.Viewer(t, outsider), false, "outsider"}} {
			listed, _, err := st.Projects(ctx, tc.who, store.ProjectFilter{Limit: 100})
			require.NoError(t, err)
			require.Empty(t, listed, "the %s sees no project", tc.whoNamed)
			for _, text := range []string{"排期", "季度排期", "机房"} { // short and long terms; the request's words and its need's
				q, err := accord.ParseSearchQuery(text, "")
				require.NoError(t, err)
				res, err := st.Search(ctx, tc.who, q, 0, 100)
				require.NoError(t, err)
				got := hitsByKind(res)
				wantRequests, wantComments := []int64(nil), []int64(nil)
				if tc.sees {
					wantRequests = []int64{r.ID}
				}
				if tc.sees && text == "排期" { // the comment's words
					wantComments = []int64{c.ID}
				}
				require.Equal(t, wantRequests, got[accord.SearchRequests], "%s, %q, few seen up to %d: requests",
					tc.whoNamed, text, fewSeen)
				require.Equal(t, wantComments, got[accord.SearchComments], "%s, %q, few seen up to %d: comments",
					tc.whoNamed, text, fewSeen)
				require.Empty(t, got[accord.SearchProjects], "%s, %q: projects", tc.whoNamed, text)
			}
		}
	}
}

// TestSearchRanksEveryWayACommentIsSeen: comments are found as three sets (on an
// escalation, by role on a request, with the project), read in that order, so the
// comments of seen projects, however many hold the word, do not crowd the others
// out. Here an escalation's comment that is the words themselves sits among 350
// comments on its project holding them.
func TestSearchRanksEveryWayACommentIsSeen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := store.New(pgtest.NewPool(t, pgtest.Empty()))
	w := storetest.Around(st)
	e := w.Escalation(t, storetest.EscalationOpts{})
	p, err := st.Project(ctx, e.ProjectID)
	require.NoError(t, err)
	c, err := st.AddComment(ctx, p.LeadUserID, accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID},
		accord.CommentInput{Body: "同步进度"}, nil, 0, time.Now())
	require.NoError(t, err)
	for i := range 350 {
		_, err := st.AddComment(ctx, p.LeadUserID, accord.CommentSubject{Kind: accord.CommentOnProject, ID: p.ID},
			accord.CommentInput{Body: fmt.Sprintf("项目例行进度同步，第%d次记录，请各方查阅", i)}, nil, 0, time.Now())
		require.NoError(t, err)
	}
	for _, fewSeen := range []int{1 << 30, -1} {
		st.SetFewSeen(fewSeen)
		for _, who := range []int64{e.AssignedUserID, p.LeadUserID} {
			v, err := st.Viewer(ctx, who)
			require.NoError(t, err)
			for _, text := range []string{"同步", "同步 进度"} { // one short term, and two

				q, err := accord.ParseSearchQuery(text, accord.SearchComments)
				require.NoError(t, err)
				res, err := st.Search(ctx, v, q, 0, 10)
				require.NoError(t, err)
				require.NotEmpty(t, res.Hits, "user %d, %q", who, text)
				require.Equal(t, c.ID, res.Hits[0].ID, "user %d, %q, few seen up to %d: the escalation's comment first",
					who, text, fewSeen)
				require.Equal(t, accord.SearchMaxHits, res.Counts[accord.SearchComments], "user %d, %q", who, text)
			}
		}
	}
}

// TestSearchForgetsAStandInsNotices: a stand-in's copy of an escalation's notice
// (data "on_behalf") gives no access once the arrangement ends (EscalationStandings),
// so search no longer finds the escalation's comments for them; the superior still
// does.
func TestSearchForgetsAStandInsNotices(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	e := c.upgradeDeclinedToCEO(t, now)
	itHead := c.Viewer(t, c.itHead)
	today := utcDay(now)
	later := today.AddDate(0, 0, 3)
	si, err := c.Store.CreateStandIn(c.Ctx, c.Viewer(t, c.ceo), c.ceo.ID, c.cto.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)
	require.NoError(t, c.Store.AddStatement(c.Ctx, itHead, e.ID, "排期已满", 3, now)) // the stand-in is told of it
	said, err := c.Store.AddComment(c.Ctx, c.itHead.ID, accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID},
		accord.CommentInput{Body: "预算细节"}, nil, 0, now)
	require.NoError(t, err)
	cto, err := c.Store.ViewerAt(c.Ctx, c.cto.ID, now)
	require.NoError(t, err)
	require.NoError(t, c.Store.EndStandIn(c.Ctx, cto, si.ID, now))
	formerStandIn, err := c.Store.ViewerAt(c.Ctx, c.cto.ID, now.Add(time.Minute))
	require.NoError(t, err)
	standings, err := c.Store.EscalationStandings(c.Ctx, e.ID, []int64{c.cto.ID})
	require.NoError(t, err)
	require.False(t, standings[c.cto.ID].Told, "a stand-in's copy of a notice gives no lasting access")

	for _, tc := range []struct {
		who   accord.Viewer
		finds bool
	}{{formerStandIn, false}, {c.Viewer(t, c.ceo), true}} {
		for _, text := range []string{"细节", "预算细节"} {
			q, err := accord.ParseSearchQuery(text, accord.SearchComments)
			require.NoError(t, err)
			res, err := c.Store.Search(c.Ctx, tc.who, q, 0, 100)
			require.NoError(t, err)
			var found bool
			for _, h := range res.Hits {
				found = found || h.ID == said.ID
			}
			require.Equal(t, tc.finds, found, "user %d, %q", tc.who.User.ID, text)
		}
	}
}

// TestSearchFindsWhatAStandInMayOpen: while someone stands in for an absent head,
// search finds what the arrangement lets them open, as their other pages do
// (accord.RequestPartyOf, EscalationPartyOf), and no more. For a holder's head: the
// unit's request, its comments and its escalation's, not the project's needs. For a
// superior: the escalations assigned to them that are still open, or were decided
// once the arrangement began; not the head's past, and nothing once it ends.
func TestSearchFindsWhatAStandInMayOpen(t *testing.T) {
	t.Parallel()
	c := newCompany(t)
	now := time.Now()
	e := c.upgradeDeclinedToCEO(t, now)
	onRequest, err := c.Store.AddComment(c.Ctx, c.itHead.ID, accord.CommentSubject{Kind: accord.CommentOnRequest, ID: e.RequestID},
		accord.CommentInput{Body: "排期说明"}, nil, 0, now)
	require.NoError(t, err)
	onEscalation, err := c.Store.AddComment(c.Ctx, c.itHead.ID, accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: e.ID},
		accord.CommentInput{Body: "预算细节"}, nil, 0, now)
	require.NoError(t, err)
	outsider := c.Person(t, storetest.PersonOpts{NameEN: "Legal counsel", Units: []accord.Unit{c.legal}})

	type sight struct{ requests, needs, comments []int64 }
	sees := func(who accord.User, at time.Time) sight {
		t.Helper()
		v, err := c.Store.ViewerAt(c.Ctx, who.ID, at)
		require.NoError(t, err)
		var got sight
		for _, fewSeen := range []int{1 << 30, -1} {
			c.Store.SetFewSeen(fewSeen)
			search := func(text string) map[accord.SearchKind][]int64 {
				q, err := accord.ParseSearchQuery(text, "")
				require.NoError(t, err)
				res, err := c.Store.Search(c.Ctx, v, q, 0, 100)
				require.NoError(t, err)
				return hitsByKind(res)
			}
			byNeed, said := search("客户管理系统"), search("说明")
			said[accord.SearchComments] = append(said[accord.SearchComments], search("细节")[accord.SearchComments]...)
			both := sight{byNeed[accord.SearchRequests], byNeed[accord.SearchNeeds], said[accord.SearchComments]}
			if fewSeen > 0 {
				got = both
			} else {
				require.Equal(t, got, both, "user %d: both ways a narrow sight is read", who.ID)
			}
		}
		return got
	}
	require.Equal(t, sight{}, sees(c.salesHead, now), "nobody stands in yet")
	require.Equal(t, sight{}, sees(c.legalHead, now))

	today := utcDay(now)
	later := today.AddDate(0, 0, 3)
	_, err = c.Store.CreateStandIn(c.Ctx, c.Viewer(t, c.itHead), c.itHead.ID, c.salesHead.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)
	require.Equal(t, sight{requests: []int64{e.RequestID}, comments: []int64{onRequest.ID, onEscalation.ID}},
		sees(c.salesHead, now), "standing in for the holder's head: its request and what is said about it, not the project")

	ceo := c.Viewer(t, c.ceo)
	forCEO, err := c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, c.legalHead.Email, &today, &later, time.UTC, now)
	require.NoError(t, err)
	require.Equal(t, sight{comments: []int64{onEscalation.ID}}, sees(c.legalHead, now),
		"standing in for the superior: the escalation waiting for them")
	due := now.AddDate(0, 2, 0)
	e, err = c.Store.Decide(c.Ctx, ceo, e.ID, e.Version, accord.DecisionInput{Kind: accord.DecideDirect,
		Note: "本季度优先交付", DueDate: &due}, now.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, sight{comments: []int64{onEscalation.ID}}, sees(c.legalHead, now.Add(2*time.Minute)),
		"and what was decided while they stood in")

	legalHead, err := c.Store.ViewerAt(c.Ctx, c.legalHead.ID, now.Add(2*time.Minute))
	require.NoError(t, err)
	require.NoError(t, c.Store.EndStandIn(c.Ctx, legalHead, forCEO.ID, now.Add(3*time.Minute)))
	require.Equal(t, sight{}, sees(c.legalHead, now.Add(4*time.Minute)), "nothing once it ends")

	tomorrow := today.AddDate(0, 0, 1)
	_, err = c.Store.CreateStandIn(c.Ctx, ceo, c.ceo.ID, outsider.Email, &tomorrow, &later, time.UTC, now.Add(5*time.Minute))
	require.NoError(t, err)
	standing, err := c.Store.ViewerAt(c.Ctx, outsider.ID, tomorrow.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, standing.StandingIn, 1, "the outsider stands in for the CEO then")
	require.Equal(t, sight{}, sees(outsider, tomorrow.Add(time.Hour)), "not what was decided before they began")
}

// hitsByKind is the ids of res's hits, kind by kind, in the order shown.
func hitsByKind(res accord.SearchResults) map[accord.SearchKind][]int64 {
	got := map[accord.SearchKind][]int64{}
	for _, h := range res.Hits {
		got[h.Kind] = append(got[h.Kind], h.ID)
	}
	return got
}

// TestSearchDatesARequestWhenSentOrAnswered: a request found is dated when it was sent,
// then when it was last answered; progress on it, the commonest write, neither
// re-dates it nor moves the company's search epoch (migration 0059), so kept searches
// stay as they are.
func TestSearchDatesARequestWhenSentOrAnswered(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st := w.Ctx, w.Store
	now := time.Now().Truncate(time.Second)
	holder := w.Unit(t, storetest.UnitOpts{})
	head := w.Viewer(t, w.Head(t, holder))
	need := w.Need(t, storetest.NeedOpts{Holder: &holder, Title: "星图看板", TitleEN: "Star chart board"})
	sent := now.AddDate(0, 0, -10)
	r := w.Request(t, storetest.RequestOpts{Need: &need, At: sent})
	dated := func(step string) time.Time {
		t.Helper()
		q, err := accord.ParseSearchQuery("星图", accord.SearchRequests)
		require.NoError(t, err)
		res, err := st.Search(ctx, head, q, 0, 10)
		require.NoError(t, err)
		require.Len(t, res.Hits, 1, step)
		require.Equal(t, r.ID, res.Hits[0].ID, step)
		return res.Hits[0].At
	}
	epoch := func() int64 {
		t.Helper()
		var e int64
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT epoch FROM search_epoch`).Scan(&e))
		return e
	}
	require.True(t, dated("sent").Equal(sent), "dated when sent")
	answered := now.AddDate(0, 0, -5)
	agreed, err := st.ActOnRequest(ctx, head, r.ID, r.Version, accord.ActionAgree, accord.RequestInput{}, answered)
	require.NoError(t, err)
	require.True(t, dated("agreed").Equal(answered), "dated when answered")
	before := epoch()
	_, err = st.AddProgress(ctx, head, agreed.ID, accord.ProgressInput{Body: "接口已联调", Risk: accord.RiskLow}, now)
	require.NoError(t, err)
	require.True(t, dated("progress reported").Equal(answered), "still dated when answered")
	require.Equal(t, before, epoch(), "progress leaves kept searches alone")
	_, err = st.Pool().Exec(ctx, `UPDATE requests SET answered_at = $2 WHERE id = $1`, r.ID, now)
	require.NoError(t, err)
	require.NotEqual(t, before, epoch(), "a request answered anew moves the search epoch")
	require.True(t, dated("answered anew").Equal(now), "dated when answered anew")
}

// TestSingleCharactersFindProjectsUnitsAndPeople: a query of single characters finds
// projects, units and people, and no need, request or comment, however many hold it
// (accord.SearchQuery.Searches); two characters find them all. Asked more than five
// times on one connection, it is planned for its pattern each time and still finds
// the same.
func TestSingleCharactersFindProjectsUnitsAndPeople(t *testing.T) {
	t.Parallel()
	w := storetest.New(t)
	ctx, st := w.Ctx, w.Store
	admin := w.Viewer(t, w.Person(t, storetest.PersonOpts{Admin: true}))
	person := w.Person(t, storetest.PersonOpts{Name: "韩梅"})
	unit := w.Unit(t, storetest.UnitOpts{Name: "韩梅工作室"})
	p := w.Project(t, storetest.ProjectOpts{Name: "韩梅计划"})
	need := w.Need(t, storetest.NeedOpts{Project: &p, Holder: &unit, Title: "韩梅的需求"})
	r := w.Request(t, storetest.RequestOpts{Need: &need, Message: "请韩梅支持"})
	c, err := st.AddComment(ctx, admin.User.ID, accord.CommentSubject{Kind: accord.CommentOnProject, ID: p.ID},
		accord.CommentInput{Body: "韩梅说好"}, nil, 0, time.Now())
	require.NoError(t, err)
	found := func(text string) map[accord.SearchKind][]int64 {
		q, err := accord.ParseSearchQuery(text, "")
		require.NoError(t, err)
		res, err := st.Search(ctx, admin, q, 0, 100)
		require.NoError(t, err)
		hits := map[accord.SearchKind][]int64{}
		for _, h := range res.Hits {
			hits[h.Kind] = append(hits[h.Kind], h.ID)
		}
		for k, n := range res.Counts {
			require.Len(t, hits[k], n, "%s: %s counted", text, k)
		}
		return hits
	}
	names := map[accord.SearchKind][]int64{accord.SearchProjects: {p.ID}, accord.SearchUnits: {unit.ID},
		accord.SearchPeople: {person.ID}}
	all := map[accord.SearchKind][]int64{accord.SearchProjects: {p.ID}, accord.SearchUnits: {unit.ID},
		accord.SearchPeople: {person.ID}, accord.SearchNeeds: {need.ID}, accord.SearchRequests: {r.ID},
		accord.SearchComments: {c.ID}}
	for i := range 7 {
		require.Equal(t, names, found("韩"), "one character, asked %d times", i+1)
		require.Equal(t, names, found("韩 梅"), "two single characters")
	}
	require.Equal(t, all, found("韩梅"), "two characters")
	require.Equal(t, all, found("梅 韩梅"), "a single character beside a longer term")
}
