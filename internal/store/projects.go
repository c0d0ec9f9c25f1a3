package store

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const projectColumns = `p.id, p.name, p.name_en, p.lead_user_id, l.name, l.name_en, p.owning_unit_id,
	n.name, n.name_en, p.status, p.cadence_days, p.goal_statement, p.expected_amount, p.currency,
	p.expected_outcome, p.goal_id, COALESCE(g.title, ''), COALESCE(g.title_en, ''), p.start_date, p.target_date,
	p.created_at, p.updated_at, p.version,
	p.p0_declined_days, p.p0_overdue_days, p.p1_declined_days, p.p1_overdue_days, p.stale_factor`

const projectFrom = ` FROM projects p JOIN users l ON l.id = p.lead_user_id JOIN units n ON n.id = p.owning_unit_id
	LEFT JOIN goals g ON g.id = p.goal_id `

// canViewProject is true when the viewer ($1 user id, $2 admin) may see project p:
// its lead, an admin, a member of the owning unit or of a holding unit, or the head
// of one of those units or of any unit above them. It is accord.MayViewProject in
// SQL, and so decides what needs, commitments, goal counts and unit-page rows show.
// "Any unit above them" is read from project_reach (migration 0013: every unit on the
// path to the owning unit or a holding unit, kept by triggers), a few index probes
// per project instead of a walk over its needs and their units' paths.
const canViewProject = `($2::boolean OR p.lead_user_id = $1
	OR ` + reachedByUnitsHeaded + `)
	OR ` + canViewProjectAsMember

// canViewProjectByKey is canViewProject for a few projects named by key: each one's
// reach is probed by its key. As canViewProject is written, the planner hashes every
// project the viewer's units reach to test any number of them (6,800 for a shared
// service's head, 1 ms to label an inbox page's 20 rows); OFFSET 0 keeps it from
// turning the test into a hash. A scan of many projects wants the hash.
const canViewProjectByKey = `($2::boolean OR p.lead_user_id = $1
	OR ` + reachedByUnitsHeaded + ` OFFSET 0)
	OR ` + canViewProjectAsMember

// reachedByUnitsHeaded and canViewProjectAsMember are the parts of canViewProject:
// the first, left open, is closed by its users.
const (
	reachedByUnitsHeaded = `EXISTS (SELECT 1 FROM project_reach pr WHERE pr.project_id = p.id
		AND pr.unit_id = ANY (` + openUnitsHeaded + `)`
	canViewProjectAsMember = `p.owning_unit_id IN (SELECT unit_id FROM memberships WHERE user_id = $1)
	OR EXISTS (SELECT 1 FROM needs mn WHERE mn.project_id = p.id
		AND mn.holder_unit_id IN (SELECT unit_id FROM memberships WHERE user_id = $1)))`
)

// seesThroughUnit is true when the viewer ($1) sees through unit u: they belong to u,
// or head an open unit on u's path (the root down to u itself). canViewProject admits
// a project exactly when the viewer leads it, is an administrator, or sees through its
// owning unit or one of its holding units (accord.MayViewProject), so a list can admit
// every project of a unit seen through from that unit's indexes without testing each.
const seesThroughUnit = `(u.id IN (SELECT unit_id FROM memberships WHERE user_id = $1)
	OR u.path && ` + openUnitsHeaded + `)`

// openUnitsHeaded is the array of open units the viewer ($1) heads: a head sees
// through them and every unit below; a closed unit's head no longer does.
const openUnitsHeaded = `ARRAY(SELECT id FROM units WHERE head_user_id = $1 AND closed_at IS NULL)`

// seesEveryProject is true when the viewer ($1 user id, $2 admin) sees every project:
// an administrator, or the head of the one root unit, which is open (every unit lies
// below it, so it is in every project's reach).
const seesEveryProject = `($2::boolean OR ((SELECT count(*) FROM units WHERE parent_id IS NULL) = 1
	AND EXISTS (SELECT 1 FROM units WHERE parent_id IS NULL AND head_user_id = $1 AND closed_at IS NULL)))`

func scanProject(row pgx.Row, extra ...any) (accord.Project, error) {
	var p accord.Project
	o := &p.EscalationOverrides
	dest := append([]any{&p.ID, &p.Name, &p.NameEN, &p.LeadUserID, &p.LeadName, &p.LeadNameEN, &p.OwningUnitID,
		&p.UnitName, &p.UnitNameEN, &p.Status, &p.CadenceDays, &p.GoalStatement, &p.ExpectedAmount, &p.Currency,
		&p.ExpectedOutcome, &p.GoalID, &p.GoalTitle, &p.GoalTitleEN, &p.StartDate, &p.TargetDate,
		&p.CreatedAt, &p.UpdatedAt, &p.Version, &o.P0DeclinedDays, &o.P0OverdueDays, &o.P1DeclinedDays,
		&o.P1OverdueDays, &o.StaleFactor}, extra...)
	err := row.Scan(dest...)
	return p, err
}

// CreateProject adds a project. in must be normalized and valid.
func (s *Store) CreateProject(ctx context.Context, actorID int64, in accord.ProjectInput) (accord.Project, error) {
	var p accord.Project
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkProjectRefs(ctx, tx, in); err != nil {
			return err
		}
		var id int64
		o := in.EscalationOverrides
		if err := tx.QueryRow(ctx, `INSERT INTO projects (name, name_en, lead_user_id, owning_unit_id, status,
				cadence_days, goal_statement, expected_amount, currency, expected_outcome, goal_id, start_date, target_date,
				p0_declined_days, p0_overdue_days, p1_declined_days, p1_overdue_days, stale_factor)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			in.Name, in.NameEN, in.LeadUserID, in.OwningUnitID, in.Status, in.CadenceDays, in.GoalStatement,
			in.ExpectedAmount, in.Currency, in.ExpectedOutcome, in.GoalID, in.StartDate, in.TargetDate,
			o.P0DeclinedDays, o.P0OverdueDays, o.P1DeclinedDays, o.P1OverdueDays, o.StaleFactor).Scan(&id); err != nil {
			return err
		}
		var err error
		if p, err = scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, p.ID, accord.AuditProject, p.ID, accord.AuditCreate, nil, in)
	})
	if err != nil {
		return accord.Project{}, fmt.Errorf("store: create project %q: %w", in.Name, err)
	}
	return p, nil
}

// UpdateProject saves a project's fields if nobody changed it since version.
func (s *Store) UpdateProject(ctx context.Context, actorID, id int64, version int, in accord.ProjectInput) (accord.Project, error) {
	var p accord.Project
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		// NO KEY: a request's writer holds the project's signal row (migration 0013) and
		// then reaches the project by foreign key (KEY SHARE), which FOR UPDATE would
		// block while this edit's triggers wait for that signal row: a deadlock.
		before, err := scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1 FOR NO KEY UPDATE OF p`, id))
		if err != nil {
			return mapNotFound(err, "project_not_found")
		}
		if err := checkEditor(ctx, tx, actorID, id); err != nil {
			return err
		}
		if before.Version != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		if err := checkProjectRefs(ctx, tx, in); err != nil {
			return err
		}
		o := in.EscalationOverrides
		if _, err := tx.Exec(ctx, `UPDATE projects SET name = $2, name_en = $3, lead_user_id = $4, owning_unit_id = $5,
				status = $6, cadence_days = $7, goal_statement = $8, expected_amount = $9, currency = $10,
				expected_outcome = $11, goal_id = $12, start_date = $13, target_date = $14,
				p0_declined_days = $15, p0_overdue_days = $16, p1_declined_days = $17, p1_overdue_days = $18,
				stale_factor = $19, updated_at = now(), version = version + 1
			WHERE id = $1`, id, in.Name, in.NameEN, in.LeadUserID, in.OwningUnitID, in.Status, in.CadenceDays,
			in.GoalStatement, in.ExpectedAmount, in.Currency, in.ExpectedOutcome, in.GoalID, in.StartDate, in.TargetDate,
			o.P0DeclinedDays, o.P0OverdueDays, o.P1DeclinedDays, o.P1OverdueDays, o.StaleFactor); err != nil {
			return err
		}
		if p, err = scanProject(tx.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id)); err != nil {
			return err
		}
		return auditProject(ctx, tx, actorID, id, accord.AuditProject, id, accord.AuditUpdate, before.Input(), in)
	})
	if err != nil {
		return accord.Project{}, fmt.Errorf("store: update project %d: %w", id, err)
	}
	return p, nil
}

// checkProjectRefs turns references to missing or closed rows into field errors.
func checkProjectRefs(ctx context.Context, tx pgx.Tx, in accord.ProjectInput) error {
	var unitOK, leadOK, goalOK bool
	err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM units WHERE id = $1 AND closed_at IS NULL),
			EXISTS (SELECT 1 FROM users WHERE id = $2 AND deactivated_at IS NULL),
			$3::bigint IS NULL OR EXISTS (SELECT 1 FROM goals WHERE id = $3 AND closed_at IS NULL)`,
		in.OwningUnitID, in.LeadUserID, in.GoalID).Scan(&unitOK, &leadOK, &goalOK)
	if err != nil {
		return err
	}
	var v accord.Validation
	if !unitOK {
		v.Add("owning_unit_id", "unit_not_found")
	}
	if !leadOK {
		v.Add("lead_user_id", "user_not_found")
	}
	if !goalOK {
		v.Add("goal_id", "goal_not_found")
	}
	return v.Err()
}

// Project returns one project regardless of who asks (for background work and tests).
func (s *Store) Project(ctx context.Context, id int64) (accord.Project, error) {
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = $1`, id))
	if err != nil {
		return accord.Project{}, fmt.Errorf("store: project %d: %w", id, mapNotFound(err, "project_not_found"))
	}
	return p, nil
}

// ProjectForViewer returns a project the viewer may see; a project they may not see
// is not found, so its existence is not revealed.
func (s *Store) ProjectForViewer(ctx context.Context, v accord.Viewer, id int64) (accord.Project, error) {
	p, _, err := s.ProjectForViewerAt(ctx, v, id)
	return p, err
}

// canViewProjectAs is canViewProject for the viewer whose id is the expression user
// and whose administrator right is admin: several viewers tested in one statement.
func canViewProjectAs(user, admin string) string {
	return strings.NewReplacer("$2::boolean", admin, "$1", user).Replace(canViewProject)
}

// ProjectSeenBy reports which of viewers may see project id (canViewProject), in one
// statement for them all: a viewer who may not, or a project that does not exist,
// is left out.
func (s *Store) ProjectSeenBy(ctx context.Context, id int64, viewers []accord.Viewer) (map[int64]bool, error) {
	ids, admins := make([]int64, len(viewers)), make([]bool, len(viewers))
	for i, v := range viewers {
		ids[i], admins[i] = v.User.ID, v.Roles.Admin
	}
	rows, err := s.pool.Query(ctx, `SELECT w.id FROM unnest($1::bigint[], $2::boolean[]) AS w (id, admin)
		JOIN projects p ON p.id = $3 WHERE `+canViewProjectAs(`w.id`, `w.admin`), ids, admins, id)
	if err != nil {
		return nil, fmt.Errorf("store: who of %d people sees project %d: %w", len(viewers), id, err)
	}
	seen, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store: who of %d people sees project %d: %w", len(viewers), id, err)
	}
	out := make(map[int64]bool, len(seen))
	for _, u := range seen {
		out[u] = true
	}
	return out, nil
}

// ContentEpochs name the state of the rows a project's pages are rendered from,
// apart from the project's own row (migration 0047): the project's needs, plans and
// promises, and the organisation's units, memberships and people. Every write to
// those rows moves them in its own transaction, so a page rendered after reading them
// may be served again while a later read finds them unchanged.
type ContentEpochs struct {
	Project int64
	Org     int64
}

// contentEpochColumns reads the epochs of project p in the statement that reads p.
const contentEpochColumns = `, COALESCE((SELECT e.epoch FROM project_epochs e WHERE e.project_id = p.id), 0),
	(SELECT o.epoch FROM org_epoch o)`

// ProjectForViewerAt is ProjectForViewer with the project's content epochs, read in
// the same statement.
func (s *Store) ProjectForViewerAt(ctx context.Context, v accord.Viewer, id int64) (accord.Project, ContentEpochs, error) {
	var at ContentEpochs
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+contentEpochColumns+projectFrom+
		`WHERE p.id = $3 AND `+canViewProject, v.User.ID, v.Roles.Admin, id), &at.Project, &at.Org)
	if err != nil {
		return accord.Project{}, ContentEpochs{}, fmt.Errorf("store: project %d for user %d: %w", id, v.User.ID,
			mapNotFound(err, "project_not_found"))
	}
	return p, at, nil
}

// ProjectFilter narrows the project list. Pointer fields are unset when nil.
type ProjectFilter struct {
	LedByMe bool
	MyUnits bool // owned by a unit the viewer belongs to
	Status  *accord.ProjectStatus
	GoalID  *int64
	Offset  int
	Limit   int
}

// projectFilters narrows a project list: $1 the viewer, $3 led by them, $4 owned by
// a unit they belong to, $5 status, $6 goal.
const projectFilters = `(NOT $3 OR p.lead_user_id = $1)
	AND (NOT $4 OR p.owning_unit_id IN (SELECT unit_id FROM memberships WHERE user_id = $1))
	AND ($5::text IS NULL OR p.status = $5)
	AND ($6::bigint IS NULL OR p.goal_id = $6)`

// Projects lists the projects the viewer may see, newest first, with the total.
//
// A viewer who sees every project (an administrator, the head of the one root unit)
// is answered by one statement under its generic plan (projectsOfEvery): the page
// walked from the newest, the total from the counts kept per status (migration 0053)
// rather than counting every project per page (1–2 ms, the most of the list's cost).
// Who sees every project is asked in that statement; someone it finds not to is not
// asked again for their next lists (projectSights), and a wrong guess costs one short
// statement, never content.
//
// Otherwise canViewProject tested on every project would read each one's needs.
// Instead the units through which the viewer sees projects (canViewProject's units)
// are read first, and the list takes the cheaper of two routes. Seeing through most
// units (an executive high up, an admin), it walks the projects newest first and
// reads the needs only of projects owned by one of the few other units. Seeing
// through few, it gathers the projects those units own or hold a need of, from the
// indexes.
//
// Both statements read one snapshot (a read-only REPEATABLE READ transaction): the
// broad route shows whatever is not owned by an unseen unit, so a unit created
// between two snapshots would otherwise count as seen for that page load.
func (s *Store) Projects(ctx context.Context, v accord.Viewer, f ProjectFilter) ([]accord.Project, int, error) {
	tried := !f.LedByMe && !f.MyUnits && f.GoalID == nil && s.projectSights.tryEvery(v.User.ID)
	if tried {
		list, total, err := s.projectsOfEvery(ctx, v, f)
		if err != nil || len(list) > 0 {
			return list, total, err
		}
		// No rows: not someone who sees every project, or a page past the end.
	}
	var list []accord.Project
	var total int
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			sight, err := s.sightIn(ctx, tx, v)
			if err != nil {
				return fmt.Errorf("store: list projects: %w", err)
			}
			list, total, err = projectsIn(ctx, tx, v, sight, f)
			return err
		})
	if err == nil && tried && len(list) > 0 {
		s.projectSights.missed(v.User.ID) // the page was there: they do not see every project
	}
	return list, total, err
}

// projectsOfEvery is Projects for a viewer who sees every project, filtered by status
// alone: no rows when the viewer is not one (or the page is past the end).
func (s *Store) projectsOfEvery(ctx context.Context, v accord.Viewer, f ProjectFilter) ([]accord.Project, int, error) {
	var list []accord.Project
	var total int
	err := s.queryGenericPlan(ctx, `WITH every AS MATERIALIZED (SELECT `+seesEveryProject+` AS yes)
		SELECT x.*, (SELECT COALESCE(sum(projects), 0) FROM project_status_counts WHERE $3::text IS NULL OR status = $3)
		FROM (SELECT p.id, p.created_at FROM projects p WHERE (SELECT yes FROM every) AND ($3::text IS NULL OR p.status = $3)
			ORDER BY p.created_at DESC, p.id DESC OFFSET $4 LIMIT $5) pg
		-- Each listed project dressed by its key (OFFSET 0 keeps the subquery from being
		-- flattened): not knowing the limit, the generic plan hashed every project and
		-- unit to dress 20 (2.4 ms).
		CROSS JOIN LATERAL (SELECT `+projectColumns+projectFrom+`WHERE p.id = pg.id OFFSET 0) x
		ORDER BY pg.created_at DESC, pg.id DESC`, []any{v.User.ID, v.Roles.Admin, f.Status, f.Offset, f.Limit},
		func(rows pgx.Rows) error {
			var err error
			list, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Project, error) { return scanProject(r, &total) })
			return err
		})
	if err != nil {
		return nil, 0, fmt.Errorf("store: list every project: %w", err)
	}
	return list, total, nil
}

// projectSights remembers whose lists found them not seeing every project, to skip
// the statement for those who do (Projects) for their next projectRetry lists, then
// try it again: someone may come to head the root. It holds no content: a stale entry
// only picks a slower way.
type projectSights struct {
	mu   sync.Mutex
	skip map[int64]int // lists left to skip, per viewer
}

// projectRetry is how many lists a viewer found not to see every project skips the
// statement for them: at most one list in that many sends it in vain.
const projectRetry = 100

// tryEvery reports whether userID's next list should try projectsOfEvery.
func (p *projectSights) tryEvery(userID int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.skip[userID] == 0 {
		return true
	}
	p.skip[userID]--
	return false
}

// missed notes that userID's list tried projectsOfEvery in vain.
func (p *projectSights) missed(userID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.skip == nil {
		p.skip = map[int64]int{}
	}
	p.skip[userID] = projectRetry
}

// projectSight is how a list decides which projects a viewer sees without testing
// canViewProject on each (which reads each project's needs): the units through which
// they see projects are read first, and the cheaper of two routes taken. Seeing
// through most units (an executive high up, an administrator), a project is seen
// unless it touches only the few others (the broad route); seeing through few, the
// projects those units own or hold a need of are gathered from the indexes (the
// narrow route, a WITH clause named vis). Both admit exactly what canViewProject
// admits; read both statements from one snapshot, as a unit created between two
// would otherwise count as seen on the broad route.
//
// On the narrow route the projects of the subtrees the viewer heads come from
// project_reach, one index range per unit headed, as canViewProject reads it: a
// shared service's head sees 6,800 projects, and gathering them from its tens of
// thousands of needs cost 4–5 ms per list. Only the units the viewer belongs to
// outside those subtrees are gathered from the indexes of owners and holders.
type projectSight struct {
	narrow bool
	// units: on the broad route the unseen ones; on the narrow one those the viewer
	// belongs to outside the subtrees they head.
	units []int64
	// headed: the open units the viewer heads, for the narrow route. A parameter
	// rather than a subquery, so the planner knows how many projects they reach and
	// can choose between reading them and reading the matches of a search.
	headed []int64
	heads  []int64 // the open units the viewer heads and belongs to (none read for an administrator)
	// seenAbout bounds from above how many projects the narrow route sees, counted
	// until it is more than fewSeen (0 on the broad one); few: no more than fewSeen
	// (see seesID).
	seenAbout int
	few       bool
}

// fewSeen: a narrow sight of at most this many projects (seenAbout) is few, and a
// list tests its rows against the projects seen by a semi-join, which the planner
// may read from the projects' keys (ten rows each) rather than scanning every
// candidate for the few seen: a lead who sees 175 of 10,000 projects, searching a
// word in every request, read 18,000 requests to find 300 (25 ms; 5 ms from the
// keys). Seeing more, each candidate is looked up in the projects seen, sorted once
// per statement (see seesID).
const fewSeen = 1000

// sightOf reads how many units v sees projects through against those v does not,
// the units v belongs to outside the subtrees v heads, and the units v heads; the
// sight is few when it sees at most few projects (fewSeen). With it comes the
// organisation's epoch it was read at (0 for an administrator's, which reads nothing).
func sightOf(ctx context.Context, tx pgx.Tx, v accord.Viewer, few int) (projectSight, int64, error) {
	sight := projectSight{units: []int64{}, headed: []int64{}, heads: []int64{}}
	if v.Roles.Admin {
		return sight, 0, nil // the broad route, with nothing unseen; an administrator sees through every unit
	}
	var org int64
	var narrow bool
	var unseen, memberOutsideHeaded, headed []int64
	var seenAbout *int
	// On the narrow route, seenAbout: the projects led, those the units headed reach,
	// and those the other units own or hold needs of (a project counted once per
	// need), each count stopped past few: that is all the answer needs.
	err := tx.QueryRow(ctx, `WITH u AS (SELECT u.id, `+seesThroughUnit+` AS sees FROM units u),
			c AS (SELECT count(*) FILTER (WHERE sees) < count(*) FILTER (WHERE NOT sees) AS narrow FROM u),
			mo AS (SELECT ARRAY(SELECT mu.id FROM units mu JOIN memberships m ON m.unit_id = mu.id AND m.user_id = $1
				WHERE NOT mu.path && `+openUnitsHeaded+` ORDER BY mu.id) AS ids),
			hd AS (SELECT `+openUnitsHeaded+` AS ids)
		SELECT c.narrow, ARRAY(SELECT id FROM u WHERE NOT sees ORDER BY id),
			ARRAY(SELECT h.id FROM units h JOIN memberships m ON m.unit_id = h.id AND m.user_id = $1
				WHERE h.head_user_id = $1 AND h.closed_at IS NULL ORDER BY h.id),
			mo.ids, hd.ids,
			CASE WHEN c.narrow THEN (SELECT count(*) FROM (SELECT FROM projects WHERE lead_user_id = $1 LIMIT $2) x)
				+ (SELECT count(*) FROM (SELECT FROM project_reach WHERE unit_id = ANY (hd.ids) LIMIT $2) x)
				+ (SELECT count(*) FROM (SELECT FROM projects WHERE owning_unit_id = ANY (mo.ids) LIMIT $2) x)
				+ (SELECT count(*) FROM (SELECT FROM needs WHERE holder_unit_id = ANY (mo.ids) LIMIT $2) x) END,
			(SELECT epoch FROM org_epoch)
		FROM c, mo, hd`,
		v.User.ID, max(few+1, 0)).Scan(&narrow, &unseen, &sight.heads, &memberOutsideHeaded, &headed, &seenAbout, &org)
	if err != nil {
		return sight, 0, fmt.Errorf("store: units of user %d: %w", v.User.ID, err)
	}
	if narrow {
		sight.narrow, sight.units, sight.headed, sight.seenAbout = true, memberOutsideHeaded, headed, *seenAbout
		sight.few = sight.seenAbout <= few
	} else if unseen != nil {
		sight.units = unseen
	}
	return sight, org, nil
}

// with is the WITH clause the narrow route needs ("" on the broad one), the viewer
// in $1 and admin in $2, the units in param and the units headed in headedParam.
func (ps projectSight) with(param, headedParam string) string {
	if !ps.narrow {
		return ``
	}
	// UNION ALL: vis is read as a set (IN), so its repeats cost less than removing them.
	// vis_sorted is the same projects as one sorted array, read by seesID for a sight
	// that is not few (and computed only then: a CTE no one reads is never run), from
	// the indexes directly: through vis, stored and read back, a division's head's
	// 9,800 projects took 3.3 ms instead of 1.3.
	seen := `SELECT id FROM projects WHERE lead_user_id = $1 AND NOT $2
			UNION ALL SELECT project_id FROM project_reach WHERE unit_id = ANY (` + headedParam + `)
			UNION ALL SELECT id FROM projects WHERE owning_unit_id = ANY (` + param + `)
			UNION ALL SELECT project_id FROM needs WHERE holder_unit_id = ANY (` + param + `)`
	return `vis AS MATERIALIZED (` + seen + `),
		vis_sorted AS MATERIALIZED (SELECT array_agg(id ORDER BY id) AS ids FROM (` + seen + `) v)`
}

// sees is the condition that project p is seen, the units in param.
func (ps projectSight) sees(param string) string {
	if ps.narrow {
		return ps.seesID(`p.id`, param)
	}
	if len(ps.units) == 0 {
		// Nothing unseen (an administrator, the root's head): every project. Written
		// out, the test was hashed over every project once per use; this form a plan
		// made for the parameters folds to true (and it names its parameters, as a
		// statement must).
		return `($2 OR cardinality(` + param + `::bigint[]) = 0)`
	}
	return `($2 OR p.lead_user_id = $1 OR p.owning_unit_id <> ALL (` + param + `) OR EXISTS (
			SELECT 1 FROM needs sd WHERE sd.project_id = p.id AND sd.holder_unit_id IS NOT NULL AND sd.holder_unit_id <> ALL (` + param + `)))`
}

// seesID is the condition that the project whose id is col is seen, reached by its
// key so a scan of candidates stops at the first seen ones. On the narrow route it
// asks vis alone: going through projects made the planner hash vis joined to projects
// once per use (about 6 ms each for a shared service's 6,800 projects).
func (ps projectSight) seesID(col, param string) string {
	if ps.narrow && ps.few {
		// A semi-join: the planner may read the few projects' rows from their keys.
		return col + ` IN (SELECT id FROM vis)`
	}
	if ps.narrow {
		// A binary search of the projects seen, sorted once per statement
		// (width_bucket: how many of them are at most col; the last of those is col
		// when col is seen). Each hashed test (IN) built a hash of its own, about
		// 0.8 ms per use for a shared service's 6,800 projects, five to seven uses in
		// a search; pulled up into a semi-join, the planner first removed the repeats
		// from all of vis, 1.5 ms per use. No projects seen: ids is NULL, and so is
		// the comparison.
		seen := `(SELECT ids FROM vis_sorted)`
		return `(` + seen + `[width_bucket(` + col + `, ` + seen + `)] = ` + col + `) IS TRUE`
	}
	if len(ps.units) == 0 {
		return ps.sees(param)
	}
	return `EXISTS (SELECT 1 FROM projects p WHERE p.id = ` + col + ` AND ` + ps.sees(param) + `)`
}

// projectsIn lists the projects v sees by sight that match f, in tx.
func projectsIn(ctx context.Context, tx pgx.Tx, v accord.Viewer, sight projectSight, f ProjectFilter) ([]accord.Project, int, error) {
	with, cond, units := sight.with(`$7`, `$10`), sight.sees(`$7`), sight.units
	if with != `` {
		with = `WITH ` + with + ` `
	}
	cond += ` AND (NOT $3 OR p.lead_user_id = $1)
		AND (NOT $4 OR p.owning_unit_id IN (SELECT unit_id FROM memberships WHERE user_id = $1))
		AND ($5::text IS NULL OR p.status = $5)
		AND ($6::bigint IS NULL OR p.goal_id = $6)`
	// The total rides on each row, so a page past the end says 0, as the list page expects.
	count := `SELECT count(*) FROM projects p WHERE ` + cond
	args := []any{v.User.ID, v.Roles.Admin, f.LedByMe, f.MyUnits, f.Status, f.GoalID, units, f.Offset, f.Limit}
	if sight.narrow {
		args = append(args, sight.headed)
	}
	// The page is picked from projects alone, then dressed with the joins.
	rows, err := tx.Query(ctx, with+`SELECT `+projectColumns+`, (`+count+`)`+projectFrom+`WHERE p.id IN (
			SELECT p.id FROM projects p WHERE `+cond+` ORDER BY p.created_at DESC, p.id DESC OFFSET $8 LIMIT $9)
		ORDER BY p.created_at DESC, p.id DESC`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list projects: %w", err)
	}
	var total int
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Project, error) { return scanProject(r, &total) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: list projects: %w", err)
	}
	return list, total, nil
}

// ProjectsByID returns the projects among ids that the viewer may see, by id, in one
// query: for lists that label each row with its project.
func (s *Store) ProjectsByID(ctx context.Context, v accord.Viewer, ids []int64) (map[int64]accord.Project, error) {
	out := make(map[int64]accord.Project, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.id = ANY ($3) AND `+canViewProjectByKey,
		v.User.ID, v.Roles.Admin, ids)
	if err != nil {
		return nil, fmt.Errorf("store: projects by id for user %d: %w", v.User.ID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Project, error) { return scanProject(r) })
	if err != nil {
		return nil, fmt.Errorf("store: projects by id for user %d: %w", v.User.ID, err)
	}
	for _, p := range list {
		out[p.ID] = p
	}
	return out, nil
}

// ProjectsLedBy lists the projects a user leads, newest first.
func (s *Store) ProjectsLedBy(ctx context.Context, userID int64, limit int) ([]accord.Project, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+projectFrom+`WHERE p.lead_user_id = $1
		ORDER BY p.created_at DESC, p.id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: projects led by %d: %w", userID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Project, error) { return scanProject(r) })
	if err != nil {
		return nil, fmt.Errorf("store: projects led by %d: %w", userID, err)
	}
	return list, nil
}
