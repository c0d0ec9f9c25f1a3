package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// searchCandidates is how many matches of one kind a search ranks: a term found in
// more (a common word in every need's title) ranks the first ones found, so its cost
// is bounded whatever the data; the reader is asked to narrow it. At most
// accord.SearchMaxHits of them are shown; ranking 1,000 cost a common word
// nearly half its throughput in make bench.
const searchCandidates = 300

// The words each kind is searched by: the very expressions migration 0027 indexes,
// whose doubled forms migration 0041 keeps in each table's search_doubled column.
const (
	projectSearchText = `(p.name || ' ' || p.name_en || ' ' || p.goal_statement)`
	needSearchText    = `(d.title || ' ' || d.title_en || ' ' || d.notes)`
	requestSearchText = `(r.message || ' ' || r.scope || ' ' || r.offer || ' ' || r.counter_scope || ' ' || r.decline_reason
		|| ' ' || r.transfer_reason)`
	unitSearchText   = `(u.name || ' ' || u.name_en)`
	personSearchText = `(u.name || ' ' || u.name_en || ' ' || u.email)`
)

// commentFound is what the ways a comment is seen (disjoint, so joined by UNION ALL)
// each read of a matching comment.
const commentFound = `c.id, c.body, c.created_at`

// searchColumns is the shape every kind's rows take, in the order scanned.
const searchColumns = `kind, id, title, title_en, body, project_id, project_name, project_name_en,
	unit_name, unit_name_en, unit_id, state, subject_kind, subject_id, subject_title, subject_title_en, at, rank`

// Search finds what v may open among projects, needs, requests, comments, units and
// people, every term of q a substring of each result (ignoring case), in one
// statement. Each kind keeps its SearchMaxHits most relevant results (a match in the
// name first, then likeness to the query by trigrams, then the newest); the page is
// offset..offset+limit of q.Kind's, or of all of them together, and the counts are
// every kind's, for the tabs. Visibility is decided in the query by each kind's own
// rule (accord.MayViewProject through projectSight, MayViewRequest,
// EscalationParty.MayView, a stand-in's arrangements included), so nothing v may not
// open is counted and nothing they may is missed. A term found in
// more than searchCandidates of a kind ranks the first of them found. People are
// matched by email only for an administrator, since the directory shows no one else
// an address.
func (s *Store) Search(ctx context.Context, v accord.Viewer, q accord.SearchQuery, offset, limit int) (accord.SearchResults, error) {
	res := accord.SearchResults{Counts: map[accord.SearchKind]int{}}
	if len(q.Terms) == 0 {
		return res, nil
	}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			sight, err := s.sightIn(ctx, tx, v)
			if err != nil {
				return err
			}
			return searchIn(ctx, tx, s.prepared, v, sight, q, offset, limit, &res)
		})
	if err != nil {
		return res, fmt.Errorf("store: search for user %d: %w", v.User.ID, err)
	}
	return res, nil
}

// searchIn runs the search in tx, v seeing projects by sight.
func searchIn(ctx context.Context, tx pgx.Tx, prepared bool, v accord.Viewer, sight projectSight, q accord.SearchQuery, offset, limit int,
	res *accord.SearchResults) error {
	// $7 the units of the viewer's sight; $8 the units whose requests they answer for
	// as the holder's head: those they head and belong to, and those of a head they
	// stand in for (accord.RequestPartyOf).
	// (Never NULL: x = ANY (NULL) is NULL, which NOT would not turn into true.)
	args := []any{v.User.ID, v.Roles.Admin, string(q.Kind), offset, limit, strings.Join(q.Terms, " "), sight.units,
		slices.Concat([]int64{}, sight.heads, v.StandInUnits())}
	// Standing in for someone (rare), $9 and $10: whom for, and since when.
	decidesAsStandIn := ``
	if len(v.StandingIn) > 0 {
		var principals []int64
		var since []time.Time
		for _, si := range v.StandingIn {
			principals, since = append(principals, si.PrincipalID), append(since, si.StartsAt)
		}
		args = append(args, principals, since)
		decidesAsStandIn = ` OR ` + standInSuperior(`e`, `$9`, `$10`)
	}
	seesProject := sight.sees(`$7`)
	// accord.MayViewRequest: whoever sees the project, the key person, the holder's
	// head; the project reached by key row by row, so a scan of matches stops at the
	// first that are seen (a join let the planner sort every match first).
	seesRequestByKey := `(` + sight.seesID(`r.project_id`, `$7`) + `
		OR r.key_person_user_id = $1 OR r.holder_unit_id = ANY ($8))`
	// The requests seen by role alone, their project unseen: the key person's and
	// those of the units the viewer heads (from the indexes on those columns).
	seenByRoleOnly := `SELECT r.id FROM requests r WHERE r.key_person_user_id = $1
			AND NOT ` + sight.seesID(`r.project_id`, `$7`) + `
		UNION ALL SELECT r.id FROM requests r WHERE r.holder_unit_id = ANY ($8)
			AND NOT ` + sight.seesID(`r.project_id`, `$7`)
	// accord.EscalationParty.MayView: the superior (or their stand-in), the lead, the
	// key person, the holder's head (or their stand-in), an administrator, an adviser,
	// anyone it was sent to.
	seesEscalation := `($2 OR e.assigned_user_id = $1 OR p.lead_user_id = $1 OR r.key_person_user_id = $1
		OR r.holder_unit_id = ANY ($8)` + decidesAsStandIn + `
		OR EXISTS (SELECT 1 FROM escalation_advice ea WHERE ea.escalation_id = e.id AND ea.adviser_user_id = $1)
		OR ` + toldOfEscalation(`e.id`, `$1`) + `)`
	with := sight.with(`$7`, `$`+strconv.Itoa(len(args)+1))
	if with != `` {
		with += `,`
		args = append(args, sight.headed)
	}
	// Each term's pattern, and for a term of one or two characters its doubled one
	// (migrations 0027 and 0041), which every table but units has a second index
	// to narrow by.
	var match, short []string
	useShort := searchByShortIndex(q.Terms)
	for _, t := range q.Terms {
		args = append(args, "%"+likeEscape(t)+"%")
		match = append(match, "$"+strconv.Itoa(len(args)))
		if useShort {
			args = append(args, "%"+likeEscape(doubled(t))+"%")
			short = append(short, "$"+strconv.Itoa(len(args)))
		} else {
			short = append(short, "")
		}
	}
	// matches is every term in expr; matchesBig the same on the text of a table whose
	// doubled form is kept in column doubledColumn (migration 0041: all but units).
	matches := func(expr string) string {
		conds := make([]string, len(match))
		for i, m := range match {
			conds[i] = expr + ` ILIKE ` + m
		}
		return `(` + strings.Join(conds, ` AND `) + `)`
	}
	matchesBig := func(expr, doubledColumn string) string {
		conds := make([]string, len(match))
		for i, m := range match {
			if short[i] != "" {
				conds[i] = doubledColumn + ` LIKE lower(` + short[i] + `)` // stored lower-cased
			} else {
				conds[i] = expr + ` ILIKE ` + m
			}
		}
		return `(` + strings.Join(conds, ` AND `) + `)`
	}
	// rank: 1 when the name itself holds every term, plus the name's likeness to the query.
	rank := func(name string) string {
		return `((CASE WHEN ` + matches(name) + ` THEN 1 ELSE 0 END) + similarity(` + name + `, $6))`
	}
	// The first searchCandidates matches, then the most relevant of them: each kind
	// finds (kind, id, at, rank), and only the page shown is dressed.
	candidates := strconv.Itoa(searchCandidates)
	top := ` LIMIT ` + candidates + `) c ORDER BY rank DESC, at DESC, id DESC LIMIT ` + strconv.Itoa(accord.SearchMaxHits)
	// The requests a kind's matches are on: by their own words or their need's.
	requestCandidates := `(SELECT r.id FROM requests r WHERE ` + matchesBig(requestSearchText, `r.search_doubled`) + `
			AND ` + seesRequestByKey + ` LIMIT ` + candidates + `)
		UNION (SELECT r.id FROM needs d JOIN requests r ON r.need_id = d.id
			WHERE d.archived_at IS NULL AND ` + matchesBig(needSearchText, `d.search_doubled`) + ` AND ` + seesRequestByKey + `
			LIMIT ` + candidates + `)`
	if sight.few {
		// Seeing few projects (fewSeen), the requests of seen projects are one
		// set, and the few seen only by role another, read from their indexes.
		requestCandidates = `(SELECT r.id FROM requests r WHERE ` + matchesBig(requestSearchText, `r.search_doubled`) + `
				AND r.project_id IN (SELECT id FROM vis) LIMIT ` + candidates + `)
			UNION (SELECT r.id FROM needs d JOIN requests r ON r.need_id = d.id
				WHERE d.archived_at IS NULL AND ` + matchesBig(needSearchText, `d.search_doubled`) + `
				AND r.project_id IN (SELECT id FROM vis) LIMIT ` + candidates + `)
			UNION (SELECT r.id FROM requests r JOIN needs d ON d.id = r.need_id WHERE r.id IN (` + seenByRoleOnly + `)
				AND (` + matchesBig(requestSearchText, `r.search_doubled`) + `
					OR d.archived_at IS NULL AND ` + matchesBig(needSearchText, `d.search_doubled`) + `)
				LIMIT ` + candidates + `)`
	}
	// A query of single characters reads no need, request or comment
	// (accord.SearchQuery.Searches): their branches are cut by a constant the planner
	// folds, so their statement keeps its parameters and runs none of them.
	searched := func(k accord.SearchKind) string {
		if q.Searches(k) {
			return `true`
		}
		return `false`
	}
	query := `WITH ` + with + `
	projects_found AS MATERIALIZED (SELECT * FROM (SELECT 'project' AS kind, p.id, p.created_at AS at,
			` + rank(`(p.name || ' ' || p.name_en)`) + ` AS rank
		FROM projects p WHERE ` + matchesBig(projectSearchText, `p.search_doubled`) + ` AND ` + seesProject + top + `),
	needs_found AS MATERIALIZED (SELECT * FROM (SELECT 'need' AS kind, d.id, d.created_at AS at,
			` + rank(`(d.title || ' ' || d.title_en)`) + ` AS rank
		FROM needs d JOIN projects p ON p.id = d.project_id
		WHERE ` + searched(accord.SearchNeeds) + ` AND d.archived_at IS NULL AND ` + matchesBig(needSearchText, `d.search_doubled`) + `
			AND ` + seesProject + top + `),
	requests_found AS MATERIALIZED (SELECT * FROM (SELECT 'request' AS kind, r.id,
			-- when it was sent or last answered, not its last activity: progress, the
			-- commonest write, leaves kept searches alone (migration 0059)
			COALESCE(GREATEST(r.sent_at, r.answered_at), r.created_at) AS at,
			` + rank(`(d.title || ' ' || d.title_en)`) + ` AS rank
		FROM requests r JOIN needs d ON d.id = r.need_id WHERE ` + searched(accord.SearchRequests) + `
			AND r.id IN (` + requestCandidates + `)` + top + `),
	comments_found AS MATERIALIZED (SELECT * FROM (SELECT 'comment' AS kind, c.id, c.created_at AS at,
			similarity(c.body, $6) AS rank
		-- Three disjoint sets, read in turn until searchCandidates are found: the two
		-- usually small ones first, so the comments of seen projects cannot crowd them
		-- out of the ranking.
		FROM (
				-- on an escalation, by its parties
				(SELECT ` + commentFound + ` FROM comments c JOIN escalations e ON e.id = c.escalation_id
					JOIN projects p ON p.id = c.project_id LEFT JOIN requests r ON r.id = e.request_id
				WHERE c.escalation_id IS NOT NULL AND c.retracted_at IS NULL
					AND ` + matchesBig(`c.body`, `c.search_doubled`) + ` AND ` + seesEscalation + `
				LIMIT ` + candidates + `)
				-- on a request whose project is not seen: by its key person and its holder's
				-- head (the requests read from the indexes, then their comments)
				UNION ALL (SELECT ` + commentFound + ` FROM comments c WHERE c.request_id IN (` + seenByRoleOnly + `)
					AND c.retracted_at IS NULL AND ` + matchesBig(`c.body`, `c.search_doubled`) + `
				LIMIT ` + candidates + `)
				-- on a project or one of its requests: seen with the project (for a few
				-- projects seen, possibly read from their comments: fewSeen)
				UNION ALL (SELECT ` + commentFound + ` FROM comments c WHERE c.escalation_id IS NULL AND c.retracted_at IS NULL
					AND ` + matchesBig(`c.body`, `c.search_doubled`) + ` AND ` + sight.seesID(`c.project_id`, `$7`) + `
				LIMIT ` + candidates + `)) c WHERE ` + searched(accord.SearchComments) + top + `),
	units_found AS MATERIALIZED (SELECT * FROM (SELECT 'unit' AS kind, u.id, u.created_at AS at, ` + rank(unitSearchText) + ` AS rank
		FROM units u WHERE ` + matches(unitSearchText) + top + `),
	people_found AS MATERIALIZED (SELECT * FROM (SELECT 'person' AS kind, u.id, u.created_at AS at,
			` + rank(`(u.name || ' ' || u.name_en)`) + ` AS rank
		FROM users u WHERE u.deactivated_at IS NULL AND ` + matchesBig(personSearchText, `u.search_doubled`) + `
			AND ($2 OR ` + matches(`(u.name || ' ' || u.name_en)`) + `)` + top + `),
	found AS (SELECT * FROM projects_found UNION ALL SELECT * FROM needs_found UNION ALL SELECT * FROM requests_found
		UNION ALL SELECT * FROM comments_found UNION ALL SELECT * FROM units_found UNION ALL SELECT * FROM people_found)
	SELECT ARRAY[(SELECT count(*) FROM projects_found), (SELECT count(*) FROM needs_found),
			(SELECT count(*) FROM requests_found), (SELECT count(*) FROM comments_found),
			(SELECT count(*) FROM units_found), (SELECT count(*) FROM people_found)], page.*
	FROM (VALUES (1)) one LEFT JOIN LATERAL (SELECT kind, id, at, rank FROM found
		WHERE $3 = '' OR kind = $3 ORDER BY rank DESC, at DESC, kind, id OFFSET $4 LIMIT $5) page ON true`
	// Planned for its patterns on every call: after five, PostgreSQL may keep a plan
	// for any pattern, and the one it kept for a pattern an index narrows read every
	// request for one it does not (minutes for a single character at 200,000 requests).
	var page searchPage
	err := queryInPlanMode(ctx, tx, prepared, "force_custom_plan", query, args, func(rows pgx.Rows) error {
		for rows.Next() {
			var counts []int
			var kind *string
			var id *int64
			var at *time.Time
			var rank *float64
			if err := rows.Scan(&counts, &kind, &id, &at, &rank); err != nil {
				return err
			}
			for i, k := range accord.SearchKinds {
				res.Counts[k] = counts[i]
			}
			if kind != nil { // else a page past the end: the counts alone
				page.kinds, page.ids = append(page.kinds, *kind), append(page.ids, *id)
				page.at, page.ranks = append(page.at, *at), append(page.ranks, *rank)
			}
		}
		return rows.Err()
	})
	if err != nil || len(page.ids) == 0 {
		return err
	}
	return dressSearchPage(ctx, tx, prepared, v, page, res)
}

// searchPage is the page of hits a search found, in order, before they are dressed.
type searchPage struct {
	kinds []string
	ids   []int64
	at    []time.Time
	ranks []float64
}

// searchDressing dresses a page of hits ($1–$4: kinds, ids, times, ranks; $5 whether
// the reader is an administrator, who alone sees addresses), each kind by its keys,
// in the page's order. A statement of its own, planned once per connection: within
// the search's, it doubled the planning of every call (2 ms of 4).
const searchDressing = `WITH page AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::float8[])
		WITH ORDINALITY AS pg (kind, id, at, rank, n)),
	dressed AS (SELECT pg.kind, p.id, p.name AS title, p.name_en AS title_en, p.goal_statement AS body,
			p.id AS project_id, p.name AS project_name, p.name_en AS project_name_en, n.name AS unit_name,
			n.name_en AS unit_name_en, n.id AS unit_id, '' AS state, '' AS subject_kind, 0::bigint AS subject_id,
			'' AS subject_title, '' AS subject_title_en, pg.at, pg.rank, pg.n
		FROM page pg JOIN projects p ON p.id = pg.id JOIN units n ON n.id = p.owning_unit_id WHERE pg.kind = 'project'
		UNION ALL SELECT pg.kind, d.id, d.title, d.title_en, d.notes, p.id, p.name, p.name_en,
			COALESCE(hu.name, d.external_party), COALESCE(hu.name_en, ''), COALESCE(hu.id, 0), '', '', 0, '', '', pg.at, pg.rank, pg.n
		FROM page pg JOIN needs d ON d.id = pg.id JOIN projects p ON p.id = d.project_id
			LEFT JOIN units hu ON hu.id = d.holder_unit_id WHERE pg.kind = 'need'
		UNION ALL SELECT pg.kind, r.id, d.title, d.title_en,
			concat_ws(' · ', NULLIF(r.scope, ''), NULLIF(r.message, ''), NULLIF(r.offer, ''), NULLIF(r.counter_scope, ''),
				NULLIF(r.decline_reason, ''), NULLIF(r.transfer_reason, '')),
			p.id, p.name, p.name_en, hu.name, hu.name_en, hu.id, r.state, '', 0, '', '', pg.at, pg.rank, pg.n
		FROM page pg JOIN requests r ON r.id = pg.id JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units hu ON hu.id = r.holder_unit_id WHERE pg.kind = 'request'
		UNION ALL SELECT pg.kind, c.id, a.name, a.name_en, c.body, p.id, p.name, p.name_en, '', '', 0, '',
			CASE WHEN c.request_id IS NOT NULL THEN 'request' WHEN c.escalation_id IS NOT NULL THEN 'escalation' ELSE 'project' END,
			COALESCE(c.request_id, c.escalation_id, c.project_id), COALESCE(d.title, ''), COALESCE(d.title_en, ''),
			pg.at, pg.rank, pg.n
		FROM page pg JOIN comments c ON c.id = pg.id JOIN users a ON a.id = c.author_user_id
			JOIN projects p ON p.id = c.project_id LEFT JOIN escalations e ON e.id = c.escalation_id
			-- the request the comment or its escalation is about, by its key (a join on
			-- COALESCE would read every request)
			LEFT JOIN LATERAL (SELECT * FROM requests rr WHERE rr.id = COALESCE(c.request_id, e.request_id)) r ON true
			LEFT JOIN needs d ON d.id = r.need_id WHERE pg.kind = 'comment'
		UNION ALL SELECT pg.kind, u.id, u.name, u.name_en, '', 0, '', '', '', '', 0, '', '', 0, '', '', pg.at, pg.rank, pg.n
		FROM page pg JOIN units u ON u.id = pg.id WHERE pg.kind = 'unit'
		UNION ALL SELECT pg.kind, u.id, u.name, u.name_en, CASE WHEN $5 THEN u.email ELSE '' END, 0, '', '',
			COALESCE(fu.name, ''), COALESCE(fu.name_en, ''), COALESCE(fu.id, 0), '', '', 0, '', '', pg.at, pg.rank, pg.n
		FROM page pg JOIN users u ON u.id = pg.id LEFT JOIN LATERAL (SELECT n.id, n.name, n.name_en FROM memberships m
				JOIN units n ON n.id = m.unit_id AND n.closed_at IS NULL
			WHERE m.user_id = u.id ORDER BY n.path LIMIT 1) fu ON true WHERE pg.kind = 'person')
	SELECT ` + searchColumns + ` FROM dressed ORDER BY n`

// dressSearchPage reads what each hit of page shows into res.Hits, under the generic
// plan of searchDressing (set for the rest of tx, which ends after it).
func dressSearchPage(ctx context.Context, tx pgx.Tx, prepared bool, v accord.Viewer, page searchPage,
	res *accord.SearchResults) error {
	return queryInPlanMode(ctx, tx, prepared, "force_generic_plan", searchDressing,
		[]any{page.kinds, page.ids, page.at, page.ranks, v.Roles.Admin}, func(rows pgx.Rows) error {
			for rows.Next() {
				var h accord.SearchHit
				var kind, state, subjectKind string
				var rank float64
				if err := rows.Scan(&kind, &h.ID, &h.Title, &h.TitleEN, &h.Text, &h.ProjectID, &h.ProjectName,
					&h.ProjectNameEN, &h.UnitName, &h.UnitNameEN, &h.UnitID, &state, &subjectKind, &h.Subject.ID,
					&h.SubjectTitle, &h.SubjectTitleEN, &h.At, &rank); err != nil {
					return err
				}
				h.Kind, h.State, h.Subject.Kind = accord.SearchKind(kind), accord.RequestState(state),
					accord.CommentKind(subjectKind)
				res.Hits = append(res.Hits, h)
			}
			return rows.Err()
		})
}

// doubled is text with every character written twice: accord_doubled (migration
// 0027) in Go, for the patterns of short terms matched against search_doubled.
func doubled(text string) string {
	var b strings.Builder
	for _, r := range text {
		b.WriteRune(r)
		b.WriteRune(r)
	}
	return b.String()
}

// searchByShortIndex reports whether a search narrows the tables by their doubled
// index (migration 0041): only when every term is one or two characters. A
// longer one narrows by the plain index, whose recheck is far cheaper; with both,
// the planner, misjudging how many rows a doubled pattern matches, would take the
// doubled index alone and recheck every row it holds.
func searchByShortIndex(terms []string) bool {
	for _, t := range terms {
		if utf8.RuneCountInString(t) >= 3 {
			return false
		}
	}
	return true
}
