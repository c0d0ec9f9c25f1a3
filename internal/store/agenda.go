package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// Agenda is what needs a person today, in one query: up to perKind items of each
// list, and how many each list holds.
//
// Its branches are accord's rules written in SQL: which lists a request, an
// escalation or a promise is on for the person (accord.RequestAgenda,
// EscalationAgenda, PromiseOnAgenda) and the order of each list
// (accord.CompareAgendaItems). Change one with the other;
// TestAgendaInSQLAgreesWithTheRules checks they agree.
func (s *Store) Agenda(ctx context.Context, userID int64, perKind int, now time.Time) (map[accord.AgendaKind][]accord.AgendaItem, map[accord.AgendaKind]int, error) {
	items, counts, _, err := s.AgendaAt(ctx, userID, perKind, now)
	return items, counts, err
}

// AgendaAt is Agenda with the epochs of the listed items' projects, read with them
// (QueueEpochs).
func (s *Store) AgendaAt(ctx context.Context, userID int64, perKind int, now time.Time) (map[accord.AgendaKind][]accord.AgendaItem, map[accord.AgendaKind]int, map[int64]int64, error) {
	// Every branch is reached from the person through an index (units they head,
	// requests naming them, projects they lead, escalations assigned to them): one OR
	// across the joined tables scanned every request, 300 ms at 200,000. The answer
	// list's two branches are disjoint; the heads' one ranks and counts its requests
	// from requests_to_answer (migrations 0038, 0039) and cuts them at perKind before
	// joining: the queue's tier stands for its need's, as every request waiting for an
	// answer is live (migration 0015). The decide list takes its first items and its
	// count from indexes: an executive can have tens of thousands of open escalations,
	// and ranking them all cost 400 ms. The statement list goes from the units headed
	// to the escalations they still owe a statement on, by the holder each keeps
	// (escalations_holder_statement_owed, migration 0060: from every request held, it
	// probed 4,300 times for a shared service's head), and is cut before it is
	// dressed, as the heads' answer list is: a shared service owes hundreds. $2 is the moment, $5 today:
	// now again, which pgx sends as a date in now's own zone, the company's ($2::date
	// would be the database session's day). It runs its generic plan (queryGenericPlan):
	// planning it for each person's parameters took 4–6 ms on each connection's first
	// five calls, three times as long as running it, and the generic plan ran as fast
	// or faster for every kind of person measured (a head of the root, of a shared
	// service, a lead, a member, an administrator).
	items := map[accord.AgendaKind][]accord.AgendaItem{}
	counts := map[accord.AgendaKind]int{}
	epochs := map[int64]int64{}
	err := s.queryGenericPlan(ctx, `WITH items AS (
			SELECT 'answer' AS kind, r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name AS unit_name,
				h.name_en AS unit_name_en, r.state, d.tier::text AS tier, COALESCE(r.sent_at, r.created_at) AS at,
				COALESCE(r.due_date, d.needed_by) AS due, a.total
			FROM (SELECT r.id, count(*) OVER () AS total FROM units h JOIN requests r ON r.holder_unit_id = h.id
				WHERE h.head_user_id = $1 AND r.state = 'requested'
				ORDER BY r.queue_tier, COALESCE(r.sent_at, r.created_at), r.id LIMIT $3) a
			JOIN requests r ON r.id = a.id JOIN units h ON h.id = r.holder_unit_id
			JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			UNION ALL
			SELECT 'answer', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE r.key_person_user_id = $1 AND r.state = 'requested' AND h.head_user_id IS DISTINCT FROM $1
			UNION ALL
			SELECT 'deliver', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.answered_at, r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE r.key_person_user_id = $1 AND r.state IN ('agreed', 'in_progress')
			UNION ALL
			SELECT 'statement', e.id, e.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, e.status,
				d.tier, e.created_at, COALESCE(r.due_date, d.needed_by), s.total
			FROM (SELECT e.id, count(*) OVER () AS total
				FROM units h JOIN escalations e ON e.holder_unit_id = h.id AND e.status IN ('open', 'sent_back')
					AND e.holder_statement = ''
				JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id
				WHERE h.head_user_id = $1
				ORDER BY d.tier, e.created_at, e.id LIMIT $3) s
			JOIN escalations e ON e.id = s.id JOIN requests r ON r.id = e.request_id JOIN units h ON h.id = r.holder_unit_id
			JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			UNION ALL
			SELECT 'next', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, COALESCE(r.answered_at, r.sent_at, r.created_at), COALESCE(r.due_date, d.needed_by), NULL
			FROM projects p JOIN requests r ON r.project_id = p.id JOIN needs d ON d.id = r.need_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE p.lead_user_id = $1 AND r.state IN ('countered', 'declined')
			UNION ALL
			SELECT 'stale', r.id, r.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, r.last_activity_at, COALESCE(r.due_date, d.needed_by), NULL
			FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
			WHERE p.lead_user_id = $1 AND r.state IN `+sentOpen+`
			  AND r.last_activity_at < $2::timestamptz - make_interval(days => p.cadence_days)
			UNION ALL
			SELECT 'decide', e.id, e.project_id, d.title, d.title_en, p.name, p.name_en, h.name, h.name_en, r.state,
				d.tier, e.window_due_at, COALESCE(r.due_date, d.needed_by),
				`+escalationsAssignedOpenCount+`
			FROM (SELECT * FROM escalations x WHERE x.assigned_user_id = $1 AND x.status = 'open'
				ORDER BY x.window_due_at, x.id LIMIT $3) e
			JOIN requests r ON r.id = e.request_id JOIN needs d ON d.id = r.need_id
			JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
			UNION ALL
			SELECT 'promise', c.id, c.project_id, c.what, '', p.name, p.name_en, u.name, u.name_en, c.status,
				'', c.due_date::timestamptz, c.due_date, NULL
			FROM commitments c JOIN projects p ON p.id = c.project_id JOIN units u ON u.id = c.unit_id
			WHERE p.lead_user_id = $1 AND c.status = 'open' AND c.due_date <= $5::date + $4::int),
		ranked AS (
			-- Tier first where the person answers or decides what comes next; what is
			-- owed by a date, by that date.
			SELECT *, row_number() OVER (PARTITION BY kind ORDER BY
					CASE WHEN kind IN ('answer', 'next', 'statement') THEN tier ELSE '' END,
					CASE WHEN kind = 'deliver' THEN due END NULLS LAST, at, id) AS rn,
				-- A branch cut before it met the others carries its own count: a list
				-- holds that, and the rows of its uncut branches.
				COALESCE(max(total) OVER (PARTITION BY kind), 0)
					+ count(*) FILTER (WHERE total IS NULL) OVER (PARTITION BY kind) AS n
			FROM items)
		SELECT kind, id, project_id, title, title_en, name, name_en, unit_name, unit_name_en, state, tier, at, due, n,
			COALESCE((SELECT e.listed_epoch FROM project_epochs e WHERE e.project_id = ranked.project_id), 0)
		FROM ranked WHERE rn <= $3 ORDER BY kind, rn`, []any{userID, now, perKind, accord.PromiseHorizonDays, now},
		func(rows pgx.Rows) error {
			var it accord.AgendaItem
			var n int
			var epoch int64
			_, err := pgx.ForEachRow(rows, []any{&it.Kind, &it.ID, &it.ProjectID, &it.Title, &it.TitleEN, &it.ProjectName,
				&it.ProjectNameEN, &it.UnitName, &it.UnitNameEN, &it.State, &it.Tier, &it.At, &it.DueDate, &n, &epoch}, func() error {
				items[it.Kind] = append(items[it.Kind], it)
				counts[it.Kind] = n
				epochs[it.ProjectID] = epoch
				it.DueDate = nil // the next row scans into a fresh date
				return nil
			})
			return err
		})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: agenda of user %d: %w", userID, err)
	}
	return items, counts, epochs, nil
}
