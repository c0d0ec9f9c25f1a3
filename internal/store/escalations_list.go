package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// OpenEscalations lists every escalation still waiting for a decision, whoever it is
// routed to, for an administrator's overview: those sent back to the lead included,
// in the queue's order (tier, the project's value, age), read in that order from the
// escalations_pending_queue index (migration 0012).
func (s *Store) OpenEscalations(ctx context.Context, offset, limit int) ([]accord.Escalation, int, error) {
	const total = `(SELECT count(*) FROM escalations WHERE status IN ('open', 'sent_back'))`
	rows, err := s.pool.Query(ctx, `WITH q AS (
			SELECT id FROM escalations WHERE status IN ('open', 'sent_back')
			ORDER BY queue_tier, queue_value, created_at, id OFFSET $1 LIMIT $2)
		SELECT `+escalationColumns+`, `+total+escalationsPicked(`q`)+`
		ORDER BY e.queue_tier, e.queue_value, e.created_at, e.id`, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: open escalations: %w", err)
	}
	var n int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) { return scanEscalation(r, &n) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: open escalations: %w", err)
	}
	return list, n, nil
}

// ProjectValues returns, in one query, the name and expected value of each project by
// id, for lists that show what is at stake on every row. Only ID, Name, NameEN,
// ExpectedAmount, Currency and ExpectedOutcome are filled.
func (s *Store) ProjectValues(ctx context.Context, ids []int64) (map[int64]accord.Project, error) {
	out := make(map[int64]accord.Project, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name, name_en, expected_amount, currency, expected_outcome
		FROM projects WHERE id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: project values: %w", err)
	}
	var p accord.Project
	_, err = pgx.ForEachRow(rows, []any{&p.ID, &p.Name, &p.NameEN, &p.ExpectedAmount, &p.Currency, &p.ExpectedOutcome}, func() error {
		out[p.ID] = p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: project values: %w", err)
	}
	return out, nil
}

// LatestEscalations returns the latest escalation of each request that has one, in
// one query, for the banners that carry a pending escalation or a ruling wherever the
// request is shown.
func (s *Store) LatestEscalations(ctx context.Context, requestIDs []int64) (map[int64]accord.Escalation, error) {
	out := map[int64]accord.Escalation{}
	if len(requestIDs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `WITH latest AS (SELECT DISTINCT ON (x.request_id) x.id FROM escalations x
			WHERE x.request_id = ANY ($1) ORDER BY x.request_id, x.id DESC)
		SELECT `+escalationColumns+escalationsPicked(`latest`), requestIDs)
	if err != nil {
		return nil, fmt.Errorf("store: latest escalations: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Escalation, error) { return scanEscalation(r) })
	if err != nil {
		return nil, fmt.Errorf("store: latest escalations: %w", err)
	}
	for _, e := range list {
		out[e.RequestID] = e
	}
	return out, nil
}

// Each party list starts from the viewer ($1) through an index and reaches the
// escalations through escalations_request, never by an OR across joined tables
// (which scanned every request at 200,000): the units they head → those units'
// requests, the requests naming them key person, the projects they lead → their
// requests, and the escalations assigned to them. Each branch admits only what
// accord.EscalationParty.MayView admits (TestEscalationListsAgreeWithMayView).
const (
	escalationsOfMyUnits = `SELECT e.id FROM units hu JOIN requests rr ON rr.holder_unit_id = hu.id
			JOIN escalations e ON e.request_id = rr.id WHERE hu.head_user_id = $1
		UNION SELECT e.id FROM requests rr JOIN escalations e ON e.request_id = rr.id WHERE rr.key_person_user_id = $1`
	escalationsOfMyProjects = `SELECT e.id FROM projects pp JOIN requests rr ON rr.project_id = pp.id
			JOIN escalations e ON e.request_id = rr.id WHERE pp.lead_user_id = $1`
	escalationsAssignedToMe = `SELECT e.id FROM escalations e WHERE e.assigned_user_id = $1`
)

// escalationLists are each party list's ids and order.
var escalationLists = map[accord.EscalationList]struct{ ids, order string }{
	accord.ListMyUnits:    {escalationsOfMyUnits, `(e.status = 'decided'), e.created_at DESC, e.id DESC`},
	accord.ListMyProjects: {escalationsOfMyProjects, `(e.status = 'decided'), e.created_at DESC, e.id DESC`},
	accord.ListDecided: {escalationsOfMyUnits + ` UNION ` + escalationsOfMyProjects + ` UNION ` + escalationsAssignedToMe,
		`e.decided_at DESC, e.id DESC`},
}

// EscalationsInList lists a page of one of the party lists (my units, my projects,
// decided) with its total, in one query.
func (s *Store) EscalationsInList(ctx context.Context, userID int64, list accord.EscalationList, offset, limit int) ([]accord.Escalation, int, error) {
	out, n, _, err := s.EscalationsInListAt(ctx, userID, list, offset, limit)
	return out, n, err
}

// EscalationsInListAt is EscalationsInList with the epochs of the listed escalations'
// projects, read with them (QueueEpochs).
func (s *Store) EscalationsInListAt(ctx context.Context, userID int64, list accord.EscalationList, offset, limit int) ([]accord.Escalation, int, map[int64]int64, error) {
	f, ok := escalationLists[list]
	if !ok {
		return nil, 0, nil, accord.Errorf(accord.ECodeInvalid, "error_invalid_form", nil)
	}
	where := ""
	if list == accord.ListDecided {
		where = ` WHERE e.status = 'decided'`
	}
	out, n, epochs, err := s.escalationListAt(ctx, `WITH of_viewer AS (`+f.ids+`)
		SELECT `+escalationColumns+`, count(*) OVER (), `+escalationProjectEpoch+escalationsPicked(`of_viewer`)+where+`
		ORDER BY `+f.order+` OFFSET $2 LIMIT $3`, userID, offset, limit)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("store: %s escalations of user %d: %w", list, userID, err)
	}
	return out, n, epochs, nil
}

// EscalationCounts counts what each party list holds for the viewer, for the tabs, in
// one query: pending ones in the lists that also hold decided ones.
func (s *Store) EscalationCounts(ctx context.Context, userID int64) (map[accord.EscalationList]int, error) {
	return s.EscalationCountsOf(ctx, accord.Viewer{User: accord.User{ID: userID}})
}

// EscalationCountsOf is EscalationCounts for viewer v, whose "to decide" count holds
// what they may decide as a stand-in too (EscalationsToDecide).
func (s *Store) EscalationCountsOf(ctx context.Context, v accord.Viewer) (map[accord.EscalationList]int, error) {
	userID := v.User.ID
	var decide, units, projects, decided int
	toDecide, args := escalationsToDecideCount(v)
	err := s.pool.QueryRow(ctx, `WITH of_units AS (`+escalationsOfMyUnits+`), of_projects AS (`+escalationsOfMyProjects+`),
		of_mine AS (`+escalationsAssignedToMe+`)
		SELECT `+toDecide+`,
			(SELECT count(*) FROM escalations e JOIN of_units USING (id) WHERE e.status <> 'decided'),
			(SELECT count(*) FROM escalations e JOIN of_projects USING (id) WHERE e.status <> 'decided'),
			(SELECT count(*) FROM escalations e JOIN (SELECT id FROM of_units UNION SELECT id FROM of_projects
				UNION SELECT id FROM of_mine) x USING (id) WHERE e.status = 'decided')`,
		args...).Scan(&decide, &units, &projects, &decided)
	if err != nil {
		return nil, fmt.Errorf("store: escalation counts of user %d: %w", userID, err)
	}
	return map[accord.EscalationList]int{accord.ListToDecide: decide, accord.ListMyUnits: units,
		accord.ListMyProjects: projects, accord.ListDecided: decided}, nil
}

// escalationsToDecide selects the ids of what viewer v ($1) may decide, with its
// arguments: what is routed to them and still open, and while they stand in for
// someone ($2 the people, $3 the units), what they may decide for them
// (EscalationsToDecide lists the same). Without a stand-in arrangement, the common
// case, it is one index range: the union's de-duplication of an executive's 15,000
// cost 4 ms.
func escalationsToDecide(v accord.Viewer) (string, []any) {
	principals := v.StandInPrincipals()
	if len(principals) == 0 {
		return escalationsAssignedOpen, []any{v.User.ID}
	}
	return escalationsAssignedOpen + ` UNION ` + standInDecides("$2", "$3"), []any{v.User.ID, principals, v.StandInUnits()}
}

// escalationsAssignedOpen selects what is routed to user $1 and still open.
const escalationsAssignedOpen = `SELECT id FROM escalations WHERE assigned_user_id = $1 AND status = 'open'`

// escalationsAssignedOpenCount is how many rows escalationsAssignedOpen selects, from
// the count kept per person (migration 0044): counted from the index, an executive's
// 15,000 cost each page that shows the number 1 ms.
const escalationsAssignedOpenCount = `COALESCE((SELECT open FROM escalation_assignee_load WHERE user_id = $1), 0)`

// escalationsToDecideCount is an expression counting what escalationsToDecide selects,
// with its arguments: the kept count unless v stands in for someone.
func escalationsToDecideCount(v accord.Viewer) (string, []any) {
	decide, args := escalationsToDecide(v)
	if len(v.StandInPrincipals()) == 0 {
		return escalationsAssignedOpenCount, args
	}
	return `(SELECT count(*) FROM (` + decide + `) decide)`, args
}

// EscalationsToDecideCount is how many escalations viewer v may decide now: the "to
// decide" tab's count, alone (the portfolio's decision tile).
func (s *Store) EscalationsToDecideCount(ctx context.Context, v accord.Viewer) (int, error) {
	var n int
	decide, args := escalationsToDecideCount(v)
	err := s.pool.QueryRow(ctx, `SELECT `+decide, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: escalations user %d may decide: %w", v.User.ID, err)
	}
	return n, nil
}

// toldOfEscalation is true when the user whose id is user was notified of the
// escalation whose id is escalation: they may still open what they were sent
// (accord.EscalationParty.Told). A stand-in's copy of the absent head's notice (data
// "on_behalf") does not count: their access ends with the arrangement.
func toldOfEscalation(escalation, user string) string {
	return `EXISTS (SELECT 1 FROM notifications tn WHERE tn.escalation_id = ` + escalation + `
		AND tn.user_id = ` + user + ` AND NOT tn.data ? 'on_behalf')`
}
