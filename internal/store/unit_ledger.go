package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/encoding/json"

	"accord/internal/accord"
)

// ledgerRequestJSON is the JSON shape of a accord.LedgerRequest inside the ledger query.
type ledgerRequestJSON struct {
	ID            int64               `json:"id"`
	State         accord.RequestState `json:"state"`
	DueDate       jsonDate            `json:"due_date"`
	NeedTitle     string              `json:"title"`
	NeedTitleEN   string              `json:"title_en"`
	Tier          accord.Tier         `json:"tier"`
	EffortDays    float64             `json:"effort_days"`
	ProjectID     int64               `json:"project_id"`
	ProjectName   string              `json:"project_name"`
	ProjectNameEN string              `json:"project_name_en"`
	UnitID        int64               `json:"unit_id"`
	UnitName      string              `json:"unit_name"`
	UnitNameEN    string              `json:"unit_name_en"`
}

type ledgerPromiseJSON struct {
	ID            int64                   `json:"id"`
	ProjectID     int64                   `json:"project_id"`
	What          string                  `json:"what"`
	DueDate       jsonDate                `json:"due_date"`
	Status        accord.CommitmentStatus `json:"status"`
	CreatedAt     time.Time               `json:"created_at"`
	Version       int                     `json:"version"`
	ProjectName   string                  `json:"project_name"`
	ProjectNameEN string                  `json:"project_name_en"`
}

type ledgerThanksJSON struct {
	ID            int64     `json:"id"`
	ProjectID     int64     `json:"project_id"`
	ProjectName   string    `json:"project_name"`
	ProjectNameEN string    `json:"project_name_en"`
	Text          string    `json:"text"`
	ByName        string    `json:"by_name"`
	ByNameEN      string    `json:"by_name_en"`
	At            time.Time `json:"at"`
}

// ledgerRequestObject is the JSON object built for each request row (aliases r, d,
// p and the other unit o).
const ledgerRequestObject = `json_build_object('id', r.id, 'state', r.state,
	'due_date', to_char(COALESCE(r.due_date, d.needed_by), 'YYYY-MM-DD'), 'title', d.title, 'title_en', d.title_en,
	'tier', d.tier, 'effort_days', d.effort_days, 'project_id', p.id, 'project_name', p.name,
	'project_name_en', p.name_en, 'unit_id', o.id, 'unit_name', o.name, 'unit_name_en', o.name_en)`

// LedgerAt is what a unit's ledger was read with, for keeping its page: whether every
// project it touches is one the viewer sees through the unit, so no row's showing
// depends on the viewer's sight of its own project, and the epochs of the projects its
// lists name, read in the same statement.
type LedgerAt struct {
	AllSeen  bool
	Projects map[int64]int64
}

// UnitLedgerAt gathers, in one query however much there is, what a unit's page shows
// viewer v besides the unit itself: its open queue with the effort asked and
// committed, what its projects ask of others, the promises made to it, the thanks it
// received, and the give and take with every other unit. Lists name only rows of
// projects v may open (the same rule as the project pages, canViewProject); totals
// and sums count everything. limit caps each list, the give and take too (the biggest
// exchanges first: a shared service trades with hundreds of units). It runs its
// generic plan (queryGenericPlan): planning it for the parameters took 3–4 ms on each
// connection's first five calls, and the generic plan ran as fast for a shared
// service's head, a lead, the root's head and an administrator, on big and small units.
// With the ledger comes what it was read with (LedgerAt).
func (s *Store) UnitLedgerAt(ctx context.Context, v accord.Viewer, unitID int64, limit int, now time.Time) (accord.UnitLedger, LedgerAt, error) {
	var l accord.UnitLedger
	at := LedgerAt{Projects: map[int64]int64{}}
	var queue, asks, promises, thanks, balance []byte
	var listed, listedEpochs []int64
	err := s.queryGenericPlan(ctx, `WITH
		-- The projects this unit's rows belong to that the viewer may open: only their rows
		-- are named. When the viewer sees through this unit (seesThroughUnit), every
		-- project it owns or holds a need of is one (seen), read from two indexes; only
		-- the rest (a request left with it after its need moved, a promise, thanks) is
		-- tested one by one. Testing every one cost a shared service's head 3,500 tests
		-- per view. Every project touched is gathered in one pass: kept as two sets,
		-- the rest filtered by the seen, each of its branches hashed the seen anew.
		through AS MATERIALIZED (
			SELECT $2 OR EXISTS (SELECT 1 FROM units u WHERE u.id = $3 AND `+seesThroughUnit+`) AS yes),
		touching AS MATERIALIZED (
			SELECT project_id, bool_or(direct) AND (SELECT yes FROM through) AS seen FROM (
				SELECT project_id, true AS direct FROM needs WHERE holder_unit_id = $3 AND (SELECT yes FROM through)
				UNION ALL SELECT id, true FROM projects WHERE owning_unit_id = $3
				UNION ALL SELECT project_id, false FROM requests WHERE holder_unit_id = $3
				UNION ALL SELECT project_id, false FROM commitments WHERE unit_id = $3
				UNION ALL SELECT project_id, false FROM thanks WHERE unit_id = $3) t
			GROUP BY project_id),
		-- (The queue's listed rows below ask canViewProject by key instead of vis, for
		-- the reason given there; both admit the same projects.)
		vis AS (SELECT project_id AS id FROM touching WHERE seen
			UNION ALL SELECT p.id FROM projects p JOIN touching t ON t.project_id = p.id AND NOT t.seen
			WHERE `+canViewProject+`),
		-- Every project touched is seen (a head seeing through their own unit, as a
		-- rule): then every row is, and vis is never hashed to tell, nor touching
		-- gathered (grouping a shared service's 8,000 rows cost 3.6 ms per view). Told
		-- from the indexes alone: no project it holds a request of, a promise to or
		-- thanks from is outside those it owns or holds a need of (both hashed; every
		-- column read is NOT NULL, so NOT IN means what it says).
		all_seen AS MATERIALIZED (SELECT CASE WHEN (SELECT yes FROM through) THEN NOT EXISTS (
				SELECT 1 FROM (SELECT project_id FROM requests WHERE holder_unit_id = $3
					UNION ALL SELECT project_id FROM commitments WHERE unit_id = $3
					UNION ALL SELECT project_id FROM thanks WHERE unit_id = $3) x
				WHERE x.project_id NOT IN (SELECT project_id FROM needs WHERE holder_unit_id = $3)
				  AND x.project_id NOT IN (SELECT id FROM projects WHERE owning_unit_id = $3))
			ELSE NOT EXISTS (SELECT 1 FROM touching) END AS yes),
		-- The open queue: its size and effort are the unit's load (unit_load: open,
		-- asked, committed), and only the listed rows are read whole, in the stored
		-- queue order (requests_holder_queue). Only a viewer who does not see every
		-- project it touches counts the rows they may open (queue_visible).
		queue_visible AS (
			SELECT CASE WHEN (SELECT yes FROM all_seen) THEN NULL ELSE (SELECT count(*) FROM requests r
				WHERE r.holder_unit_id = $3 AND `+openRequest+`
				  AND r.project_id IN (SELECT id FROM vis)) END AS n),
		queue_listed AS (
			SELECT `+ledgerRequestObject+` AS obj, row_number() OVER (ORDER BY `+queueKey+`) AS pos
			-- Walked in queue order (requests_holder_queue), each row kept if the viewer
			-- may open its project, until enough are kept: joined to vis instead, the
			-- planner sorted every visible row of a shared service's queue first.
			FROM (SELECT r.* FROM requests r JOIN projects p ON p.id = r.project_id
				WHERE r.holder_unit_id = $3 AND `+openRequest+`
				  AND `+canViewProject+`
				ORDER BY `+queueKey+` LIMIT $4) r
			JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units o ON o.id = p.owning_unit_id),
		-- What its projects ask of others, ranked; only the listed rows are dressed.
		-- Ranked by the keys every live request carries (migrations 0012, 0015: its need's
		-- tier, and the date it is needed by or 'infinity'), so the needs of only the
		-- listed rows are read.
		asks AS (
			SELECT r.id, ((SELECT yes FROM all_seen) OR r.project_id IN (SELECT id FROM vis)) AS visible,
				row_number() OVER (ORDER BY r.queue_tier, r.queue_date, r.id) AS pos
			FROM requests r JOIN projects p ON p.id = r.project_id
			WHERE p.owning_unit_id = $3 AND r.holder_unit_id <> $3 AND r.state IN `+sentOpen+`),
		promises AS (
			SELECT json_build_object('id', c.id, 'project_id', c.project_id, 'what', c.what,
					'due_date', to_char(c.due_date, 'YYYY-MM-DD'), 'status', c.status, 'created_at', c.created_at,
					'version', c.version, 'project_name', p.name, 'project_name_en', p.name_en) AS obj,
				c.status, c.due_date, ((SELECT yes FROM all_seen) OR p.id IN (SELECT id FROM vis)) AS visible,
				row_number() OVER (ORDER BY c.status <> 'open', c.due_date NULLS LAST, c.id) AS pos
			FROM commitments c JOIN projects p ON p.id = c.project_id WHERE c.unit_id = $3),
		thanked AS (
			SELECT json_build_object('id', t.id, 'project_id', t.project_id, 'project_name', p.name,
					'project_name_en', p.name_en, 'text', t.text, 'by_name', u.name, 'by_name_en', u.name_en, 'at', t.at) AS obj,
				((SELECT yes FROM all_seen) OR p.id IN (SELECT id FROM vis)) AS visible, row_number() OVER (ORDER BY t.at DESC, t.id DESC) AS pos
			FROM thanks t JOIN projects p ON p.id = t.project_id JOIN users u ON u.id = t.by_user_id
			WHERE t.unit_id = $3),
		asks_listed AS (SELECT id, pos FROM asks WHERE visible ORDER BY pos LIMIT $4),
		promises_listed AS (SELECT obj, pos FROM promises WHERE visible ORDER BY pos LIMIT $4),
		thanks_listed AS (SELECT obj, pos FROM thanked WHERE visible ORDER BY pos LIMIT $4),
		-- The projects the lists name, whose names and rows they show.
		listed AS (
			SELECT (obj ->> 'project_id')::bigint AS id FROM queue_listed
			UNION SELECT r.project_id FROM asks_listed x JOIN requests r ON r.id = x.id
			UNION SELECT (obj ->> 'project_id')::bigint FROM promises_listed
			UNION SELECT (obj ->> 'project_id')::bigint FROM thanks_listed),
		-- The give and take, from what each pair of units exchanged (unit_exchange,
		-- kept by the writes to requests, needs, projects and the progress log).
		-- Each side has at most one row per other unit (the key is the pair), so the two
		-- are joined rather than summed.
		given AS (
			-- What this unit gave other units' projects …
			SELECT owner_unit_id AS other, logged, committed, delivered
			FROM unit_exchange WHERE holder_unit_id = $3 AND owner_unit_id <> $3),
		received AS (
			-- … and what other units gave this unit's projects.
			SELECT holder_unit_id AS other, logged, committed, delivered
			FROM unit_exchange WHERE owner_unit_id = $3 AND holder_unit_id <> $3),
		balance AS (
			SELECT COALESCE(g.other, r.other) AS other, COALESCE(g.logged, 0)::float8 AS given_days,
				COALESCE(g.committed, 0)::float8 AS given_committed, COALESCE(g.delivered, 0) AS given_delivered,
				COALESCE(r.logged, 0)::float8 AS received_days, COALESCE(r.committed, 0)::float8 AS received_committed,
				COALESCE(r.delivered, 0) AS received_delivered
			FROM given g FULL JOIN received r ON r.other = g.other
			-- A request only sent, with nothing committed, logged or delivered, is no exchange yet.
			WHERE COALESCE(g.logged + g.committed + g.delivered, 0) + COALESCE(r.logged + r.committed + r.delivered, 0) > 0)
		SELECT
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM queue_listed),
			COALESCE((SELECT n FROM queue_visible), (SELECT open FROM unit_load WHERE unit_id = $3), 0),
			COALESCE((SELECT open FROM unit_load WHERE unit_id = $3), 0),
			COALESCE((SELECT asked::float8 FROM unit_load WHERE unit_id = $3), 0),
			COALESCE((SELECT committed::float8 FROM unit_load WHERE unit_id = $3), 0),
			(SELECT COALESCE(json_agg(`+ledgerRequestObject+` ORDER BY x.pos), '[]')
				FROM asks_listed x
				JOIN requests r ON r.id = x.id JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
				JOIN units o ON o.id = r.holder_unit_id),
			(SELECT count(*) FILTER (WHERE visible) FROM asks),
			(SELECT count(*) FROM asks),
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM promises_listed), (SELECT count(*) FILTER (WHERE visible) FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'kept') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'broken') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'open') FROM promises),
			(SELECT count(*) FILTER (WHERE status = 'open' AND due_date < $5::date) FROM promises),
			(SELECT COALESCE(json_agg(obj ORDER BY pos), '[]') FROM thanks_listed), (SELECT count(*) FILTER (WHERE visible) FROM thanked),
			(SELECT count(*) FROM thanked),
			(SELECT COALESCE(json_agg(json_build_object('unit_id', x.id, 'name', x.name, 'name_en', x.name_en,
					'given_days', x.given_days, 'given_committed', x.given_committed, 'given_delivered', x.given_delivered,
					'received_days', x.received_days, 'received_committed', x.received_committed,
					'received_delivered', x.received_delivered) ORDER BY x.pos), '[]') FROM (
				SELECT b.*, u.id, u.name, u.name_en,
					row_number() OVER (ORDER BY b.given_days + b.received_days + b.given_committed + b.received_committed DESC, u.path) AS pos
				-- The biggest exchanges and any tied with the last of them: only those meet
				-- their units for the tie-break by path.
				FROM (SELECT * FROM balance ORDER BY given_days + received_days + given_committed + received_committed DESC
					FETCH FIRST $4 ROWS WITH TIES) b JOIN units u ON u.id = b.other
				ORDER BY pos LIMIT $4) x),
			(SELECT count(*) FROM balance),
			(SELECT COALESCE(bool_or(given_days > 0 OR received_days > 0), false) FROM balance),
			(SELECT yes FROM all_seen), ARRAY(SELECT id FROM listed ORDER BY id),
			ARRAY(SELECT COALESCE(e.listed_epoch, 0) FROM listed x LEFT JOIN project_epochs e ON e.project_id = x.id ORDER BY x.id)`,
		[]any{v.User.ID, v.Roles.Admin, unitID, limit, now}, func(rows pgx.Rows) error {
			// One row, always: every column is an aggregate.
			_, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (struct{}, error) {
				return struct{}{}, r.Scan(&queue, &l.QueueShown, &l.QueueCount, &l.QueueAsked, &l.QueueCommitted, &asks,
					&l.AsksShown, &l.AsksCount, &promises, &l.PromisesShown, &l.PromisesKept, &l.PromisesBroken,
					&l.PromisesOpen, &l.PromisesLate, &thanks, &l.ThanksShown, &l.ThanksCount, &balance, &l.BalanceCount,
					&l.BalanceLogged, &at.AllSeen, &listed, &listedEpochs)
			})
			return err
		})
	if err != nil {
		return accord.UnitLedger{}, LedgerAt{}, fmt.Errorf("store: ledger of unit %d: %w", unitID, err)
	}
	if err := decodeLedger(&l, queue, asks, promises, thanks, balance, unitID); err != nil {
		return accord.UnitLedger{}, LedgerAt{}, fmt.Errorf("store: ledger of unit %d: %w", unitID, err)
	}
	for i, id := range listed {
		at.Projects[id] = listedEpochs[i]
	}
	return l, at, nil
}

// UnitPageEpochs reads, before a unit's page is read, the epochs of the organisation,
// user userID, unit unitID and every project it owns: what those projects ask of
// other units is on its page, and a write to one of those requests moves the
// project's epoch and its holder's, not this unit's. A project the unit comes to own
// after this read moves the unit's epoch (migration 0052).
func (s *Store) UnitPageEpochs(ctx context.Context, userID, unitID int64) (QueueEpochs, error) {
	at := QueueEpochs{Units: map[int64]int64{}, Projects: map[int64]int64{}}
	var unitEpoch int64
	var projectIDs, projectEpochs []int64
	err := s.pool.QueryRow(ctx, `WITH owned AS (SELECT id FROM projects WHERE owning_unit_id = $2)
		SELECT (SELECT epoch FROM org_epoch), COALESCE((SELECT epoch FROM user_epochs WHERE user_id = $1), 0),
			COALESCE((SELECT epoch FROM unit_epochs WHERE unit_id = $2), 0),
			ARRAY(SELECT id FROM owned ORDER BY id),
			ARRAY(SELECT COALESCE(e.listed_epoch, 0) FROM owned LEFT JOIN project_epochs e ON e.project_id = owned.id ORDER BY owned.id)`,
		userID, unitID).Scan(&at.Org, &at.User, &unitEpoch, &projectIDs, &projectEpochs)
	if err != nil {
		return QueueEpochs{}, fmt.Errorf("store: epochs of unit %d's page: %w", unitID, err)
	}
	at.Units[unitID] = unitEpoch
	for i, id := range projectIDs {
		at.Projects[id] = projectEpochs[i]
	}
	return at, nil
}

func decodeLedger(l *accord.UnitLedger, queue, asks, promises, thanks, balance []byte, unitID int64) error {
	var err error
	if l.Queue, err = decodeLedgerRequests(queue); err != nil {
		return err
	}
	if l.Asks, err = decodeLedgerRequests(asks); err != nil {
		return err
	}
	var ps []ledgerPromiseJSON
	if err := json.Unmarshal(promises, &ps); err != nil {
		return err
	}
	for _, p := range ps {
		l.Promises = append(l.Promises, accord.LedgerPromise{Commitment: accord.Commitment{ID: p.ID, ProjectID: p.ProjectID,
			UnitID: unitID, What: p.What, DueDate: p.DueDate.t, Status: p.Status, CreatedAt: p.CreatedAt, Version: p.Version},
			ProjectName: p.ProjectName, ProjectNameEN: p.ProjectNameEN})
	}
	var ts []ledgerThanksJSON
	if err := json.Unmarshal(thanks, &ts); err != nil {
		return err
	}
	for _, t := range ts {
		l.Thanks = append(l.Thanks, accord.Thanks{ID: t.ID, ProjectID: t.ProjectID, UnitID: unitID, ProjectName: t.ProjectName,
			ProjectNameEN: t.ProjectNameEN, Text: t.Text, ByName: t.ByName, ByNameEN: t.ByNameEN, At: t.At})
	}
	return json.Unmarshal(balance, &l.Balance)
}

func decodeLedgerRequests(raw []byte) ([]accord.LedgerRequest, error) {
	var in []ledgerRequestJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, err
	}
	out := make([]accord.LedgerRequest, 0, len(in))
	for _, r := range in {
		out = append(out, accord.LedgerRequest{ID: r.ID, State: r.State, DueDate: r.DueDate.t, NeedTitle: r.NeedTitle,
			NeedTitleEN: r.NeedTitleEN, Tier: r.Tier, EffortDays: r.EffortDays, ProjectID: r.ProjectID,
			ProjectName: r.ProjectName, ProjectNameEN: r.ProjectNameEN, UnitID: r.UnitID, UnitName: r.UnitName,
			UnitNameEN: r.UnitNameEN})
	}
	return out, nil
}
