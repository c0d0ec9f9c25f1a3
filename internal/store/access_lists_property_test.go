package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
	"accord/internal/store/storetest"
)

// TestListsAgreeWithTheAccessPolicy builds random organisations as the project
// visibility test does (buildOrg), fills them through storetest's factories with
// projects serving goals, needs, requests in every state, escalations, commitments,
// thanks and the notifications all of that sends, has two heads away with someone
// standing in for each, closes a few units, and checks for every person that each
// list the store filters by the viewer inside its SQL shows exactly what the access
// policy in accord admits:
//
//   - a project's needs and commitments, behind the loader both faces open them with
//     (ProjectForViewer): MayViewNeed, MayViewCommitment;
//   - a unit page's rows (UnitLedgerAt): named as MayNameOnUnitPage says, every one
//     counted;
//   - the goals (Goals, GoalProjectCounts, a goal's projects): MayViewGoals, and
//     MayViewProject for what each goal counts and lists;
//   - the portfolio's rows, its goal rollups and its unit load (PortfolioPage,
//     PortfolioLoad): MayViewPortfolioRow, MayViewUnitLoad;
//   - search's projects, needs, requests and comments (Search): MayViewProject,
//     MayViewNeed, MayViewRequest, MayViewEscalation;
//   - the notification centre (Notifications, MarkNotificationsRead):
//     MayViewNotification, MayMarkNotificationRead.
func TestListsAgreeWithTheAccessPolicy(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := store.New(pgtest.NewPool(t, pgtest.Empty()))
			rng := rand.New(rand.NewPCG(seed, 2027))
			w := buildOrg(t, ctx, st, rng)
			fillWorld(t, storetest.Around(st), &w, rng)
			w.closeSomeUnits(t, ctx, st, rng)
			f := readWorldFacts(t, ctx, st, w)
			var people []worldPerson
			for _, id := range w.users {
				v, err := st.Viewer(ctx, id)
				require.NoError(t, err)
				people = append(people, worldPerson{v: v, pv: w.viewer(t, ctx, st, v)})
			}
			now := time.Now()

			t.Run("needs and commitments", func(t *testing.T) {
				var shown, hidden int
				for _, x := range people {
					for _, p := range w.projects {
						_, err := st.ProjectForViewer(ctx, x.v, p)
						opens := err == nil
						if !opens {
							require.Equal(t, accord.ECodeNotFound, accord.ErrorCodeOf(err), "user %d, project %d", x.v.User.ID, p)
						}
						require.Equal(t, accord.MayViewNeed(x.pv, f.reach[p]), opens, "user %d, needs of project %d", x.v.User.ID, p)
						require.Equal(t, accord.MayViewCommitment(x.pv, f.reach[p]), opens, "user %d, commitments of project %d", x.v.User.ID, p)
						if !opens {
							hidden++
							continue
						}
						shown++
						needs, err := st.Needs(ctx, p)
						require.NoError(t, err)
						require.Equal(t, f.needs[p], sortedIDsOf(needs, func(n accord.Need) int64 { return n.ID }))
						commitments, err := st.Commitments(ctx, p)
						require.NoError(t, err)
						require.Equal(t, f.commitments[p], sortedIDsOf(commitments, func(c accord.Commitment) int64 { return c.ID }))
					}
				}
				require.Positive(t, shown, "the world has projects someone opens")
				require.Positive(t, hidden, "and projects closed to someone")
			})

			t.Run("projects by key", func(t *testing.T) {
				for _, x := range people {
					byID, err := st.ProjectsByID(ctx, x.v, w.projects)
					require.NoError(t, err)
					var got []int64
					for id := range byID {
						got = append(got, id)
					}
					slices.Sort(got)
					want := filterRows(w.projects, func(p int64) bool { return accord.MayViewProject(x.pv, f.reach[p]) })
					require.Equal(t, want, got, "user %d", x.v.User.ID)
				}
			})

			t.Run("unit pages", func(t *testing.T) {
				var named, counted int
				for _, x := range people {
					for _, u := range w.units {
						l, _, err := st.UnitLedgerAt(ctx, x.v, u, 1000, now)
						require.NoError(t, err)
						mayName := func(project int64) bool { return accord.MayNameOnUnitPage(x.pv, f.reach[project]) }
						at := fmt.Sprintf("user %d, unit %d", x.v.User.ID, u)

						queue := filterRows(f.requests, func(r requestFact) bool {
							return r.holder == u && slices.Contains(accord.QueuedStates(), r.state)
						})
						want := namedIDs(queue, mayName)
						require.Equal(t, want, sortedIDsOf(l.Queue, func(r accord.LedgerRequest) int64 { return r.ID }), "%s: queue", at)
						require.Equal(t, len(want), l.QueueShown, "%s: queue", at)
						require.Equal(t, len(queue), l.QueueCount, "%s: queue", at)
						named, counted = named+len(want), counted+len(queue)-len(want)

						asks := filterRows(f.requests, func(r requestFact) bool {
							return r.owner == u && r.holder != u && slices.Contains(accord.SentOpenStates(), r.state)
						})
						want = namedIDs(asks, mayName)
						require.Equal(t, want, sortedIDsOf(l.Asks, func(r accord.LedgerRequest) int64 { return r.ID }), "%s: asks", at)
						require.Equal(t, len(want), l.AsksShown, "%s: asks", at)
						require.Equal(t, len(asks), l.AsksCount, "%s: asks", at)
						named, counted = named+len(want), counted+len(asks)-len(want)

						promises := filterRows(f.promises, func(c unitRowFact) bool { return c.unit == u })
						want = namedIDs(promises, mayName)
						require.Equal(t, want, sortedIDsOf(l.Promises, func(p accord.LedgerPromise) int64 { return p.ID }), "%s: promises", at)
						require.Equal(t, len(want), l.PromisesShown, "%s: promises", at)
						require.Equal(t, len(promises), l.PromisesKept+l.PromisesBroken+l.PromisesOpen, "%s: promises", at)
						named, counted = named+len(want), counted+len(promises)-len(want)

						thanks := filterRows(f.thanks, func(c unitRowFact) bool { return c.unit == u })
						want = namedIDs(thanks, mayName)
						require.Equal(t, want, sortedIDsOf(l.Thanks, func(t accord.Thanks) int64 { return t.ID }), "%s: thanks", at)
						require.Equal(t, len(want), l.ThanksShown, "%s: thanks", at)
						require.Equal(t, len(thanks), l.ThanksCount, "%s: thanks", at)
						named, counted = named+len(want), counted+len(thanks)-len(want)
					}
				}
				require.Positive(t, named, "unit pages name rows")
				require.Positive(t, counted, "and count rows they may not name")
			})

			t.Run("goals", func(t *testing.T) {
				for _, x := range people {
					require.True(t, accord.MayViewGoals(x.v))
					goals, err := st.Goals(ctx)
					require.NoError(t, err)
					require.Equal(t, f.goals, sortedIDsOf(goals, func(g accord.Goal) int64 { return g.ID }), "user %d", x.v.User.ID)

					counts, err := st.GoalProjectCounts(ctx, x.v)
					require.NoError(t, err)
					want := map[int64]int{}
					for _, p := range w.projects {
						if g := f.goalOf[p]; g != 0 && accord.MayViewProject(x.pv, f.reach[p]) {
							want[g]++
						}
					}
					require.Equal(t, want, counts, "user %d", x.v.User.ID)

					for _, g := range f.goals {
						listed, total, err := st.Projects(ctx, x.v, store.ProjectFilter{GoalID: &g, Limit: 1000})
						require.NoError(t, err)
						wantIDs := []int64{}
						for _, p := range w.projects {
							if f.goalOf[p] == g && accord.MayViewProject(x.pv, f.reach[p]) {
								wantIDs = append(wantIDs, p)
							}
						}
						require.Equal(t, wantIDs, sortedIDsOf(listed, func(p accord.Project) int64 { return p.ID }), "user %d, goal %d", x.v.User.ID, g)
						require.Equal(t, len(wantIDs), total)
					}
				}
				require.NotEmpty(t, f.goalOf, "projects serve goals")
			})

			t.Run("portfolio", func(t *testing.T) {
				var in, out int
				for _, x := range people {
					rows, total, rollups, err := st.PortfolioPage(ctx, x.v, store.PortfolioFilter{Limit: 1000}, 1000, now)
					require.NoError(t, err)
					want := []int64{}
					for _, p := range w.projects {
						if accord.MayViewPortfolioRow(x.pv, f.reach[p]) {
							require.True(t, accord.MayViewProject(x.pv, f.reach[p]), "a row its reader may not open")
							want = append(want, p)
						}
					}
					require.Equal(t, want, sortedIDsOf(rows, func(r accord.PortfolioRow) int64 { return r.ID }), "user %d", x.v.User.ID)
					require.Equal(t, len(want), total)
					in, out = in+len(want), out+len(w.projects)-len(want)
					inRollups := 0
					for _, g := range rollups {
						inRollups += g.Projects
						for _, p := range g.Top {
							require.Contains(t, want, p.ID, "user %d, goal %d names a project outside the portfolio", x.v.User.ID, g.Goal.ID)
						}
					}
					require.Equal(t, len(want), inRollups, "user %d: every row rolls up to one goal", x.v.User.ID)

					load, err := st.PortfolioLoad(ctx, x.v, 1000)
					require.NoError(t, err)
					wantUnits := []int64{}
					for _, u := range w.units {
						asked := slices.ContainsFunc(f.requests, func(r requestFact) bool {
							return r.holder == u && slices.Contains(accord.SentOpenStates(), r.state)
						})
						if asked && accord.MayViewUnitLoad(x.pv, f.paths[u]) {
							wantUnits = append(wantUnits, u)
						}
					}
					require.Equal(t, wantUnits, sortedIDsOf(load, func(l store.UnitLoad) int64 { return l.UnitID }), "user %d", x.v.User.ID)
				}
				require.Positive(t, in, "portfolios hold projects")
				require.Positive(t, out, "and leave some out")
			})

			// Both ways Search reads the matches of a narrow sight: from the projects
			// seen (every narrow sight here is few) and from the matches.
			for _, fewSeen := range []int{1 << 30, -1} {
				t.Run(fmt.Sprint("search, few seen up to ", fewSeen), func(t *testing.T) {
					st.SetFewSeen(fewSeen)
					var found, unseen int
					for _, x := range people {
						at := fmt.Sprintf("user %d", x.v.User.ID)
						search := func(text string) map[accord.SearchKind][]int64 {
							q, err := accord.ParseSearchQuery(text, "")
							require.NoError(t, err)
							res, err := st.Search(ctx, x.v, q, 0, 10_000)
							require.NoError(t, err)
							got := hitsByKind(res)
							for k, ids := range got {
								slices.Sort(ids)
								require.Equal(t, res.Counts[k], len(ids), "%s: %q counts its %s hits", at, text, k)
							}
							return got
						}
						got := search("项目") // every project's name
						want := filterRows(w.projects, func(p int64) bool { return accord.MayViewProject(x.pv, f.reach[p]) })
						require.Equal(t, want, got[accord.SearchProjects], "%s: projects", at)
						found, unseen = found+len(want), unseen+len(w.projects)-len(want)

						got = search("需求") // every need's title, and so every request's
						var needs []int64
						for _, p := range w.projects {
							if accord.MayViewNeed(x.pv, f.reach[p]) {
								needs = append(needs, f.needs[p]...)
							}
						}
						slices.Sort(needs)
						require.Equal(t, needs, got[accord.SearchNeeds], "%s: needs", at)
						var requests []int64
						for _, r := range f.requests {
							req, err := st.Request(ctx, r.id)
							require.NoError(t, err)
							if accord.MayViewRequest(x.pv, f.reach[r.project], accord.RequestPartyOf(req, x.v)) {
								requests = append(requests, r.id)
							}
						}
						require.Equal(t, requests, got[accord.SearchRequests], "%s: requests", at)

						got = search("同步")
						var comments []int64
						for _, c := range f.comments {
							var sees bool
							switch c.Subject.Kind {
							case accord.CommentOnProject:
								sees = accord.MayViewProject(x.pv, f.reach[c.ProjectID])
							case accord.CommentOnRequest:
								req, err := st.Request(ctx, c.Subject.ID)
								require.NoError(t, err)
								sees = accord.MayViewRequest(x.pv, f.reach[c.ProjectID], accord.RequestPartyOf(req, x.v))
							case accord.CommentOnEscalation:
								e, err := st.Escalation(ctx, c.Subject.ID)
								require.NoError(t, err)
								party := accord.EscalationPartyOf(e, x.v)
								standings, err := st.EscalationStandings(ctx, e.ID, []int64{x.v.User.ID})
								require.NoError(t, err)
								party.Adviser, party.Told = standings[x.v.User.ID].Adviser, standings[x.v.User.ID].Told
								sees = accord.MayViewEscalation(party)
							}
							if sees {
								comments = append(comments, c.ID)
							}
						}
						require.Equal(t, comments, got[accord.SearchComments], "%s: comments", at)
						found, unseen = found+len(comments), unseen+len(f.comments)-len(comments)

						// The org tree is everyone's; an address only an administrator's.
						require.Len(t, search("部门")[accord.SearchUnits], len(w.units)-1, "%s: units", at)
						require.Len(t, search("人")[accord.SearchPeople], len(w.users), "%s: people", at)
						byEmail := search("world.test")[accord.SearchPeople]
						if x.v.Roles.Admin {
							require.Len(t, byEmail, len(w.users), "%s: people by email", at)
						} else {
							require.Empty(t, byEmail, "%s: people by email", at)
						}
					}
					require.Positive(t, found, "search finds what people may open")
					require.Positive(t, unseen, "and keeps from them what they may not")
				})
			}

			// Last: marking read changes the world.
			t.Run("notifications", func(t *testing.T) {
				require.NotEmpty(t, f.notifications, "the world's requests told someone")
				for _, x := range people {
					list, total, err := st.Notifications(ctx, x.v.User.ID, 0, 1000)
					require.NoError(t, err)
					want := []int64{}
					for _, n := range f.notifications {
						if accord.MayViewNotification(x.v, n) {
							want = append(want, n.ID)
						}
					}
					require.Equal(t, want, sortedIDsOf(list, func(n accord.Notification) int64 { return n.ID }), "user %d", x.v.User.ID)
					require.Equal(t, len(want), total)
				}
				read := []int64{}
				for _, x := range people {
					require.NoError(t, st.MarkNotificationsRead(ctx, x.v.User.ID, 0, now))
					for _, n := range f.notifications {
						if accord.MayMarkNotificationRead(x.v, n) {
							read = append(read, n.ID)
						}
					}
					slices.Sort(read)
					rows, err := st.Pool().Query(ctx, `SELECT id FROM notifications WHERE read_at IS NOT NULL ORDER BY id`)
					require.NoError(t, err)
					got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
					require.NoError(t, err)
					require.Equal(t, read, append([]int64{}, got...), "after user %d marked theirs read", x.v.User.ID)
				}
			})
		})
	}
}

// worldPerson is one of the world's people as the store and the policy see them.
type worldPerson struct {
	v  accord.Viewer
	pv accord.ProjectViewer
}

// fillWorld gives an organisation from buildOrg two company goals with a KPI each,
// and eight projects owned and led by anyone, most serving a goal, each with up to
// four needs (one in six held outside), up to two promises and perhaps a thanks.
// Each need held by a unit is sent, or not, and moved to any state; the declined ones
// are escalated where someone above both sides may decide. About half the projects,
// requests and escalations get a comment, and about one sent need in four is then
// given to another unit, its requests staying with the one that had it.
func fillWorld(t *testing.T, fw *storetest.World, w *world, rng *rand.Rand) {
	t.Helper()
	ctx, st := fw.Ctx, fw.Store
	anyUnit := func() accord.Unit {
		u, err := st.Unit(ctx, w.units[rng.IntN(len(w.units))])
		require.NoError(t, err)
		return u
	}
	anyone := func() accord.User {
		u, err := st.User(ctx, w.users[rng.IntN(len(w.users))])
		require.NoError(t, err)
		return u
	}
	var goals []accord.Goal
	for range 2 {
		goals = append(goals, fw.Goal(t, storetest.GoalOpts{}))
	}
	for i := range 2 {
		u := anyUnit()
		goals = append(goals, fw.Goal(t, storetest.GoalOpts{Parent: &goals[i], Unit: &u}))
	}
	now := time.Now()
	for range 8 {
		owner, lead := anyUnit(), anyone()
		var goal *int64
		if k := rng.IntN(len(goals) + 1); k < len(goals) {
			goal = &goals[k].ID
		}
		p := fw.Project(t, storetest.ProjectOpts{Owner: &owner, Lead: &lead,
			Edit: func(in *accord.ProjectInput) { in.GoalID = goal }})
		w.projects = append(w.projects, p.ID)
		for range rng.IntN(5) {
			if rng.IntN(6) == 0 {
				fw.Need(t, storetest.NeedOpts{Project: &p, External: "外部培训机构"})
				continue
			}
			holder := anyUnit()
			n := fw.Need(t, storetest.NeedOpts{Project: &p, Holder: &holder})
			sendSomewhere(t, fw, p, n, holder, rng)
		}
		for range rng.IntN(3) {
			u := anyUnit()
			due := now.AddDate(0, 0, rng.IntN(30)-15)
			fw.Commitment(t, storetest.CommitmentOpts{Project: &p, Unit: &u, DueDate: &due,
				Status: accord.CommitmentStatuses()[rng.IntN(len(accord.CommitmentStatuses()))]})
		}
		if rng.IntN(2) == 0 {
			_, err := st.AddThanks(ctx, lead.ID, p.ID, accord.ThanksInput{UnitID: anyUnit().ID, Text: "感谢支持"}, now)
			require.NoError(t, err)
		}
	}
	// Conversations: about half the projects, requests and escalations have one, each
	// with a comment saying "进度同步" (the search test looks for 同步).
	rows, err := st.Pool().Query(ctx, `SELECT 'project', id FROM projects UNION ALL SELECT 'request', id FROM requests
		UNION ALL SELECT 'escalation', id FROM escalations ORDER BY 1, 2`)
	require.NoError(t, err)
	subjects, err := pgx.CollectRows(rows, pgx.RowToStructByPos[accord.CommentSubject])
	require.NoError(t, err)
	// Their own random source, so the draws after this (which units close) stay as
	// each seed had them.
	talk := rand.New(rand.NewPCG(uint64(len(subjects)), 15))
	for _, s := range subjects {
		if talk.IntN(2) == 0 {
			author := w.users[talk.IntN(len(w.users))]
			_, err := st.AddComment(ctx, author, s, accord.CommentInput{Body: "进度同步"}, nil, 0, now)
			require.NoError(t, err)
		}
	}
	// A lead may move a sent need to another unit: its requests stay with the unit that
	// had it, which then holds rows of a project it no longer holds a need of (the unit
	// page's visibility must not assume otherwise). Their own random source too.
	move := rand.New(rand.NewPCG(uint64(len(subjects)), 16))
	rows, err = st.Pool().Query(ctx, `SELECT DISTINCT d.id FROM needs d JOIN requests r ON r.need_id = d.id ORDER BY 1`)
	require.NoError(t, err)
	sent, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	for _, id := range sent {
		if move.IntN(4) != 0 {
			continue
		}
		var n accord.Need
		n, err = st.Need(ctx, id)
		require.NoError(t, err)
		p, err := st.Project(ctx, n.ProjectID)
		require.NoError(t, err)
		in := needInputOf(n)
		to := w.units[move.IntN(len(w.units))]
		in.HolderUnitID = &to
		_, err = st.UpdateNeed(ctx, p.LeadUserID, id, n.Version, in)
		require.NoError(t, err)
	}
	// Two heads are away from today, each with someone else standing in for them, who
	// then answers for their units and decides what is assigned to them: every list
	// must agree with the policy for the stand-ins too. Their own random source.
	away := rand.New(rand.NewPCG(uint64(len(subjects)), 17))
	rows, err = st.Pool().Query(ctx, `SELECT DISTINCT head_user_id FROM units WHERE head_user_id IS NOT NULL ORDER BY 1`)
	require.NoError(t, err)
	heads, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	today := utcDay(now)
	until := today.AddDate(0, 0, 2)
	away.Shuffle(len(heads), func(i, j int) { heads[i], heads[j] = heads[j], heads[i] })
	for _, head := range heads[:min(2, len(heads))] {
		by, err := st.User(ctx, w.users[away.IntN(len(w.users))])
		require.NoError(t, err)
		if by.ID == head { // someone else
			by, err = st.User(ctx, w.users[(slices.Index(w.users, head)+1)%len(w.users)])
			require.NoError(t, err)
		}
		principal, err := st.Viewer(ctx, head)
		require.NoError(t, err)
		_, err = st.CreateStandIn(ctx, principal, head, by.Email, &today, &until, time.UTC, now)
		require.NoError(t, err)
	}
}

// sendSomewhere sends need n of project p, or leaves it unsent, and moves its request
// to a random state; a holder with nobody at its head gets the request and no answer.
func sendSomewhere(t *testing.T, fw *storetest.World, p accord.Project, n accord.Need, holder accord.Unit, rng *rand.Rand) {
	t.Helper()
	ctx, st := fw.Ctx, fw.Store
	states := accord.RequestStates() // draft stands for a need never sent
	state := states[rng.IntN(len(states))]
	switch {
	case state == accord.RequestDraft:
		return
	case holder.HeadUserID == nil:
		_, err := st.SendNeeds(ctx, p.LeadUserID, p.ID, []int64{n.ID}, "", time.Now())
		require.NoError(t, err)
		return
	}
	o := storetest.RequestOpts{Need: &n, State: state}
	if state == accord.RequestAgreed || state == accord.RequestInProgress || state == accord.RequestDelivered {
		members, err := st.UnitMembers(ctx, holder.ID)
		require.NoError(t, err)
		if k := rng.IntN(len(members) + 1); k < len(members) {
			o.KeyPerson = &members[k]
		}
	}
	r := fw.Request(t, o)
	if state != accord.RequestDeclined {
		return
	}
	lead, err := st.Viewer(ctx, p.LeadUserID)
	require.NoError(t, err)
	_, err = st.Escalate(ctx, lead, r.ID, "需要上级协调", "", accord.DefaultDecisionWindowDays, time.Now())
	switch accord.ErrorCodeOf(err) {
	case accord.ECodeInvalid, accord.ECodeNotFound: // the lead decides, or nobody above both sides heads a unit
	default:
		require.NoError(t, err)
	}
}

// worldFacts are what the world holds, read straight from its tables, for the test to
// work out what each person should be shown.
type worldFacts struct {
	reach         map[int64]accord.ProjectReach // by project
	paths         map[int64][]int64             // by unit
	goalOf        map[int64]int64               // project → the goal it serves, if any
	goals         []int64
	needs         map[int64][]int64 // by project
	commitments   map[int64][]int64 // by project
	requests      []requestFact
	promises      []unitRowFact
	thanks        []unitRowFact
	notifications []accord.Notification
	comments      []accord.Comment // id, subject and project
}

// requestFact is a request with the units it runs between.
type requestFact struct {
	id, project, holder, owner int64
	state                      accord.RequestState
}

func (r requestFact) rowID() int64      { return r.id }
func (r requestFact) rowProject() int64 { return r.project }

// unitRowFact is a promise or a thanks: a project's row on a unit's page.
type unitRowFact struct{ id, project, unit int64 }

func (r unitRowFact) rowID() int64      { return r.id }
func (r unitRowFact) rowProject() int64 { return r.project }

func readWorldFacts(t *testing.T, ctx context.Context, st *store.Store, w world) worldFacts {
	t.Helper()
	f := worldFacts{reach: map[int64]accord.ProjectReach{}, paths: map[int64][]int64{}, goalOf: map[int64]int64{},
		needs: map[int64][]int64{}, commitments: map[int64][]int64{}}
	for _, p := range w.projects {
		f.reach[p] = w.reach(t, ctx, st, p)
		f.needs[p], f.commitments[p] = []int64{}, []int64{}
	}
	query := func(sql string, scan func(pgx.CollectableRow) error) {
		t.Helper()
		rows, err := st.Pool().Query(ctx, sql)
		require.NoError(t, err)
		_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) { return struct{}{}, scan(r) })
		require.NoError(t, err)
	}
	var id, a, b, c int64
	var path []int64
	var state accord.RequestState
	query(`SELECT id, path FROM units`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &path)
		f.paths[id] = path
		return err
	})
	query(`SELECT id, COALESCE(goal_id, 0) FROM projects ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a)
		if a != 0 {
			f.goalOf[id] = a
		}
		return err
	})
	query(`SELECT id FROM goals ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id)
		f.goals = append(f.goals, id)
		return err
	})
	query(`SELECT id, project_id FROM needs ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a)
		f.needs[a] = append(f.needs[a], id)
		return err
	})
	query(`SELECT id, project_id, unit_id FROM commitments ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a, &b)
		f.commitments[a] = append(f.commitments[a], id)
		f.promises = append(f.promises, unitRowFact{id, a, b})
		return err
	})
	query(`SELECT id, project_id, unit_id FROM thanks ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a, &b)
		f.thanks = append(f.thanks, unitRowFact{id, a, b})
		return err
	})
	query(`SELECT r.id, r.project_id, r.holder_unit_id, p.owning_unit_id, r.state
		FROM requests r JOIN projects p ON p.id = r.project_id ORDER BY r.id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a, &b, &c, &state)
		f.requests = append(f.requests, requestFact{id, a, b, c, state})
		return err
	})
	var kind accord.CommentKind
	query(`SELECT id, project_id, CASE WHEN request_id IS NOT NULL THEN 'request' WHEN escalation_id IS NOT NULL
			THEN 'escalation' ELSE 'project' END, COALESCE(request_id, escalation_id, project_id) FROM comments ORDER BY id`,
		func(r pgx.CollectableRow) error {
			err := r.Scan(&id, &a, &kind, &b)
			f.comments = append(f.comments, accord.Comment{ID: id, ProjectID: a, Subject: accord.CommentSubject{Kind: kind, ID: b}})
			return err
		})
	query(`SELECT id, user_id FROM notifications ORDER BY id`, func(r pgx.CollectableRow) error {
		err := r.Scan(&id, &a)
		f.notifications = append(f.notifications, accord.Notification{ID: id, UserID: a})
		return err
	})
	return f
}

// filterRows keeps the rows keep accepts.
func filterRows[T any](rows []T, keep func(T) bool) []T {
	var out []T
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// projectRow is a row that belongs to a project.
type projectRow interface {
	rowID() int64
	rowProject() int64
}

// namedIDs is the sorted ids of the rows whose project mayName admits.
func namedIDs[T projectRow](rows []T, mayName func(project int64) bool) []int64 {
	out := []int64{}
	for _, r := range rows {
		if mayName(r.rowProject()) {
			out = append(out, r.rowID())
		}
	}
	slices.Sort(out)
	return out
}

// sortedIDsOf is the sorted ids of list, never nil.
func sortedIDsOf[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(list))
	for _, x := range list {
		out = append(out, id(x))
	}
	slices.Sort(out)
	return out
}
