// Package scale fills an empty database with a generated organisation the size of a
// large enterprise, for `make bench`: a six-level unit tree, people, projects, needs,
// requests in realistic states and their progress logs. Everything but the unit tree
// is generated inside PostgreSQL (generate_series, INSERT … SELECT), so the large size
// loads in minutes.
package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/demo"
	"accord/internal/password"
)

// Size is how much to generate.
type Size struct {
	Name              string
	Levels            []int // units per level of the tree, the root first
	Users             int   // including one head per unit
	Goals             int   // every second project serves one
	Projects          int
	BigProjects       int // the first projects get BigProjectNeeds needs each
	BigProjectNeeds   int
	Needs             int // one request per need
	UpdatesPerRequest int
	SharedUnits       int // units on the third level that hold a fifth of all needs
}

// Large is the size `make bench` measures: 1,000 units six levels deep, 20,000
// people, 10,000 projects, 200,000 needs and requests, 2,000,000 progress entries.
func Large() Size {
	return Size{Name: "large", Levels: []int{1, 6, 24, 96, 288, 585}, Users: 20000, Goals: 50,
		Projects: 10000, BigProjects: 10, BigProjectNeeds: 200, Needs: 200000, UpdatesPerRequest: 10, SharedUnits: 10}
}

// Small is a hundredth of Large, for trials and tests; the tree keeps its six levels.
func Small() Size {
	return Size{Name: "small", Levels: []int{1, 1, 2, 2, 2, 2}, Users: 200, Goals: 2,
		Projects: 100, BigProjects: 1, BigProjectNeeds: 40, Needs: 2000, UpdatesPerRequest: 10, SharedUnits: 1}
}

// SizeNamed returns Small or Large by name.
func SizeNamed(name string) (Size, error) {
	switch name {
	case "small":
		return Small(), nil
	case "large":
		return Large(), nil
	}
	return Size{}, fmt.Errorf("scale: unknown size %q: say small or large", name)
}

// Units is the number of units in the tree.
func (s Size) Units() int {
	n := 0
	for _, l := range s.Levels {
		n += l
	}
	return n
}

// Requests is the number of requests: one per need.
func (s Size) Requests() int { return s.Needs }

// Updates is the number of progress entries.
func (s Size) Updates() int { return s.Needs * s.UpdatesPerRequest }

// validate checks the arithmetic the generators rely on.
func (s Size) validate() error {
	units := s.Units()
	switch {
	case len(s.Levels) < 3 || s.Levels[0] != 1:
		return errors.New("scale: the tree needs one root and at least three levels")
	case s.Users < 2*units:
		return errors.New("scale: need at least two people per unit")
	case s.Users%units != 0:
		return errors.New("scale: people must divide evenly over the units")
	case s.Projects <= s.BigProjects || s.Projects/units > s.Users/units-1:
		return errors.New("scale: too many projects for the people who can lead them")
	case s.Needs <= s.BigProjects*s.BigProjectNeeds:
		return errors.New("scale: the big projects take every need")
	case s.SharedUnits < 1 || s.SharedUnits > s.Levels[2]:
		return errors.New("scale: shared units must sit on the third level")
	case s.Goals < 1 || s.UpdatesPerRequest < 1:
		return errors.New("scale: need at least one goal and one progress entry per request")
	}
	for i := 1; i < len(s.Levels); i++ {
		if s.Levels[i] < s.Levels[i-1] {
			return errors.New("scale: every level must have at least as many units as the one above, so each has a child")
		}
	}
	return nil
}

// Options tune a seed.
type Options struct {
	PasswordParams password.Params // argon2id cost of the one hash every user shares
	Now            time.Time       // the moment the data is generated around; time.Now when zero
	Progress       io.Writer       // where the progress bar goes; nothing when nil
}

// Counts are the rows a seed wrote, table by table.
type Counts struct {
	Units, Users, Memberships, Goals, Projects, Needs, ProjectUnits, Requests, Updates, Comments int64
}

// ErrNotEmpty means the database already holds an organisation.
var ErrNotEmpty = errors.New("scale: the database is not empty; seed only a freshly migrated database")

// Seed fills an empty, migrated database with an organisation of the given size in
// one transaction, then analyzes the tables. Every user gets demo.Password, hashed
// once. It refuses a database that already holds users, units or projects.
func Seed(ctx context.Context, pool *pgxpool.Pool, size Size, opts Options) (Counts, error) {
	if err := size.validate(); err != nil {
		return Counts{}, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.PasswordParams == (password.Params{}) {
		opts.PasswordParams = password.DefaultParams()
	}
	g := &generator{size: size, now: opts.Now.UTC().Truncate(time.Second), bar: newProgress(opts.Progress, 12)}
	hash, err := password.Hash(demo.Password, opts.PasswordParams)
	if err != nil {
		return Counts{}, fmt.Errorf("scale: %w", err)
	}
	g.hash = hash

	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		g.tx = tx
		if err := g.checkEmpty(ctx); err != nil {
			return err
		}
		for _, step := range []func(context.Context) error{g.users, g.units, g.memberships, g.goals, g.projects,
			g.needs, g.projectUnits, g.requests, g.updates, g.comments, g.sequences} {
			if err := step(ctx); err != nil {
				return err
			}
			// Statistics of what this transaction has added so far (ANALYZE counts its
			// own rows), which the next step's statement triggers are planned from:
			// with them the seed took about 100 s, without about 120 s (once each, on
			// this machine). Before migration 0042 they were what kept the requests
			// step from stalling for hours (need_load_effort hashed every request on
			// each call when needs had no statistics).
			if _, err := tx.Exec(ctx, `ANALYZE`); err != nil {
				return fmt.Errorf("scale: analyze: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		g.bar.abort()
		return Counts{}, err
	}
	// Fresh statistics, so the first queries plan for 200,000 rows rather than none.
	g.bar.begin("analyze", 0)
	if _, err := pool.Exec(ctx, `ANALYZE users, units, memberships, goals, projects, needs, project_units,
		requests, request_updates, comments`); err != nil {
		g.bar.abort()
		return Counts{}, fmt.Errorf("scale: analyze: %w", err)
	}
	g.bar.end()
	g.bar.finish()
	return g.counts, nil
}

// generator holds one seed's state; each step adds one table.
type generator struct {
	size   Size
	now    time.Time
	hash   string
	tx     pgx.Tx
	bar    *progress
	counts Counts
}

func (g *generator) checkEmpty(ctx context.Context) error {
	// Two seeds at once: the second waits here, then finds the first one's rows.
	if _, err := g.tx.Exec(ctx, `LOCK TABLE units IN EXCLUSIVE MODE`); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
			return errors.New("scale: the database is not migrated; run `accord migrate up` first")
		}
		return fmt.Errorf("scale: lock units: %w", err)
	}
	var used bool
	if err := g.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM units)
		OR EXISTS (SELECT 1 FROM projects)`).Scan(&used); err != nil {
		return fmt.Errorf("scale: check the database is empty: %w", err)
	}
	if used {
		return ErrNotEmpty
	}
	return nil
}

// exec runs one generating statement and counts its rows into the bar and *counter.
func (g *generator) exec(ctx context.Context, counter *int64, sql string, args ...any) error {
	tag, err := g.tx.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("scale: %s: %w", g.bar.step, err)
	}
	*counter += tag.RowsAffected()
	g.bar.add(int(tag.RowsAffected()))
	return nil
}

// chunks runs fn over 1..total in ranges of size n, so the bar moves during long steps.
func chunks(total, n int, fn func(lo, hi int) error) error {
	for lo := 1; lo <= total; lo += n {
		if err := fn(lo, min(lo+n-1, total)); err != nil {
			return err
		}
	}
	return nil
}

// Unit i (counting from 1, level by level) is headed by user i, who is also a member.
// The other people are spread evenly: user U + u + U·k belongs to unit u.

func (g *generator) users(ctx context.Context) error {
	g.bar.begin("users", g.size.Users)
	// The last person is an administrator.
	return g.exec(ctx, &g.counts.Users, `INSERT INTO users (id, email, name, name_en, password_hash, is_admin, created_at)
		SELECT i, CASE WHEN i = $2 THEN 'admin@scale.accord' ELSE format('user%s@scale.accord', i) END,
			'用户' || i, 'User ' || i, $1, i = $2, $3::timestamptz - interval '400 days'
		FROM generate_series(1, $2) i`, g.hash, g.size.Users, g.now)
}

var levelNames = []struct{ zh, en string }{{"集团", "Group"}, {"事业部", "Division"}, {"中心", "Centre"},
	{"部门", "Department"}, {"科室", "Section"}, {"小组", "Team"}}

// firstUnitOf is the id of the first unit on level (0 is the root).
func (s Size) firstUnitOf(level int) int {
	id := 1
	for _, n := range s.Levels[:level] {
		id += n
	}
	return id
}

// units copies the tree in: each level's units take the level above's as parents in
// turn, and each path is its parent's with its own id appended.
func (g *generator) units(ctx context.Context) error {
	g.bar.begin("units", g.size.Units())
	created := g.now.Add(-400 * 24 * time.Hour)
	paths := make([][]int64, g.size.Units()+1)
	var rows [][]any
	for level, count := range g.size.Levels {
		name := levelNames[min(level, len(levelNames)-1)]
		for j := 0; j < count; j++ {
			id := int64(g.size.firstUnitOf(level) + j)
			var parent *int64
			var path []int64
			if level > 0 {
				p := int64(g.size.firstUnitOf(level-1) + j%g.size.Levels[level-1])
				parent = &p
				path = append(append(path, paths[p]...), id)
			} else {
				path = []int64{id}
			}
			paths[id] = path
			rows = append(rows, []any{id, parent, path, fmt.Sprintf("%s %d", name.zh, id),
				fmt.Sprintf("%s %d", name.en, id), id, created})
		}
	}
	n, err := g.tx.CopyFrom(ctx, pgx.Identifier{"units"},
		[]string{"id", "parent_id", "path", "name", "name_en", "head_user_id", "created_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("scale: units: %w", err)
	}
	g.counts.Units = n
	g.bar.add(int(n))
	return nil
}

func (g *generator) memberships(ctx context.Context) error {
	g.bar.begin("memberships", g.size.Users)
	return g.exec(ctx, &g.counts.Memberships, `INSERT INTO memberships (user_id, unit_id, created_at)
		SELECT i, CASE WHEN i <= $1 THEN i ELSE (i - $1 - 1) % $1 + 1 END, $3::timestamptz - interval '400 days'
		FROM generate_series(1, $2) i`, g.size.Units(), g.size.Users, g.now)
}

func (g *generator) goals(ctx context.Context) error {
	g.bar.begin("goals", g.size.Goals)
	return g.exec(ctx, &g.counts.Goals, `INSERT INTO goals (id, title, title_en, target, created_at)
		SELECT i, '年度目标 ' || i, 'Annual goal ' || i, '+' || (5 + i % 20) || '%', $2::timestamptz - interval '300 days'
		FROM generate_series(1, $1) i`, g.size.Goals, g.now)
}

// h is a well-mixed non-negative pseudo-random number from an integer column, one
// stream per salt, so the generated data is the same on every run.
func h(expr string, salt int) string {
	return fmt.Sprintf("(hashint8((%s)::bigint * 1000003 + %d)::bigint + 2147483648)", expr, salt)
}

// projects: ten per unit, each led by one of the unit's members; the first ones are
// the big projects, owned by the top of the tree.
func (g *generator) projects(ctx context.Context) error {
	g.bar.begin("projects", g.size.Projects)
	sql := `INSERT INTO projects (id, name, name_en, lead_user_id, owning_unit_id, status, cadence_days, goal_statement,
			expected_amount, currency, expected_outcome, goal_id, start_date, target_date, created_at, updated_at)
		SELECT p, '项目 ' || p, 'Project ' || p, $1 + x.u + $1 * (((p - 1) / $1) % ($2 / $1 - 1)), x.u,
			CASE WHEN ` + h("p", 1) + ` % 20 < 17 THEN 'active' WHEN ` + h("p", 1) + ` % 20 = 17 THEN 'draft'
			     WHEN ` + h("p", 1) + ` % 20 = 18 THEN 'on_hold' ELSE 'done' END,
			CASE WHEN ` + h("p", 2) + ` % 10 < 3 THEN 7 WHEN ` + h("p", 2) + ` % 10 < 9 THEN 14 ELSE 30 END,
			'提升跨部门协作效率，项目 ' || p, 100000 * (1 + ` + h("p", 3) + ` % 500), 'CNY', '客户满意度提升',
			CASE WHEN p % 2 = 0 THEN (p / 2 - 1) % $3 + 1 END,
			$4::date - (` + h("p", 4) + ` % 120)::int, $4::date + (30 + ` + h("p", 4) + ` % 300)::int,
			$5::timestamptz - interval '1 day' * (130 + ` + h("p", 4) + ` % 120), $5::timestamptz - interval '1 day' * (` + h("p", 5) + ` % 30)
		FROM generate_series(1, $6) p CROSS JOIN LATERAL (SELECT (p - 1) % $1 + 1 AS u) x`
	return g.exec(ctx, &g.counts.Projects, sql, g.size.Units(), g.size.Users, g.size.Goals, g.now, g.now, g.size.Projects)
}

// needs: the big projects first, then round-robin over the others. A fifth are held by
// the shared-service units, the rest anywhere but in the owning unit.
func (g *generator) needs(ctx context.Context) error {
	g.bar.begin("needs", g.size.Needs)
	s := g.size
	sql := `INSERT INTO needs (id, project_id, title, title_en, holder_unit_id, tier, needed_by, effort_days, created_at)
		SELECT n, x.project, '需求 ' || n || '：协助提供资源', 'Need ' || n || ': resources',
			CASE WHEN x.holder = (x.project - 1) % $1::int + 1 THEN x.holder % $1::int + 1 ELSE x.holder END,
			CASE WHEN ` + h("n", 11) + ` % 10 < 2 THEN 'P0' WHEN ` + h("n", 11) + ` % 10 < 7 THEN 'P1' ELSE 'P2' END,
			$7::date + (` + h("n", 12) + ` % 150)::int - 5,
			((` + h("n", 13) + ` % 40) + 1) / 2.0,
			$8::timestamptz - interval '1 day' * (100 + ` + h("n", 14) + ` % 30)
		FROM generate_series($9::int, $10::int) n
		CROSS JOIN LATERAL (SELECT
			CASE WHEN n <= $2::int * $3::int THEN (n - 1) / $3::int + 1 ELSE $2::int + 1 + (n - $2::int * $3::int - 1) % ($4::int - $2::int) END AS project,
			CASE WHEN ` + h("n", 10) + ` % 5 = 0 THEN $5::int + (` + h("n", 10) + ` / 5) % $6::int
			     ELSE (` + h("n", 10) + ` / 7) % $1::int + 1 END AS holder) x`
	return chunks(s.Needs, 50000, func(lo, hi int) error {
		return g.exec(ctx, &g.counts.Needs, sql, s.Units(), s.BigProjects, s.BigProjectNeeds, s.Projects,
			s.firstUnitOf(2), s.SharedUnits, g.now, g.now, lo, hi)
	})
}

func (g *generator) projectUnits(ctx context.Context) error {
	g.bar.begin("project units", 0)
	return g.exec(ctx, &g.counts.ProjectUnits, `INSERT INTO project_units (project_id, unit_id, concerns, they_need,
			we_give, they_get, stance, approach_order)
		SELECT project_id, holder_unit_id, '{人手,考核}', '明确的优先级', '项目成果共享', '纳入部门考核',
			(ARRAY['ally', 'winnable', 'neutral', 'opposed', ''])[`+h("project_id * 7 + holder_unit_id", 20)+` % 5 + 1],
			row_number() OVER (PARTITION BY project_id ORDER BY holder_unit_id)
		FROM (SELECT DISTINCT project_id, holder_unit_id FROM needs) x`)
}

// requests: one per need. States: 30% agreed, 30% in progress, 15% requested, 10%
// declined, 10% delivered, 5% countered. One in fifty open requests has stalled: no
// activity for more than twice its project's cadence; the others moved within it.
func (g *generator) requests(ctx context.Context) error {
	g.bar.begin("requests", g.size.Needs)
	s := g.size
	sql := `INSERT INTO requests (id, need_id, project_id, holder_unit_id, state, message, offer, scope, due_date,
			key_person_user_id, counter_scope, counter_date, obstacle, decline_reason, sent_at, answered_at,
			last_activity_at, created_at)
		SELECT d.id, d.id, d.project_id, d.holder_unit_id, s.state, '请协助：' || d.title, '项目成果共享', d.title,
			d.needed_by,
			CASE WHEN s.state IN ('agreed', 'in_progress', 'delivered') AND ` + h("d.id", 25) + ` % 2 = 0
			     THEN $1 + d.holder_unit_id + $1 * (` + h("d.id", 25) + ` / 2 % ($2 / $1 - 1)) END,
			CASE WHEN s.state = 'countered' THEN '先交付一半范围' ELSE '' END,
			CASE WHEN s.state = 'countered' THEN d.needed_by + 14 END,
			CASE WHEN s.state = 'declined'
			     THEN (ARRAY['too_busy', 'not_in_kpi', 'needs_approval', 'rules', 'bad_past_experience', 'other'])[` + h("d.id", 26) + ` % 6 + 1]
			     ELSE '' END,
			CASE WHEN s.state = 'declined' THEN '本季度人手不足' ELSE '' END,
			t.sent, a.answered,
			CASE WHEN t.stalled THEN t.last
			     WHEN s.state = 'declined' THEN a.answered
			     WHEN s.state = 'delivered' THEN GREATEST(a.answered, $3::timestamptz - interval '1 day' * (` + h("d.id", 27) + ` % 60))
			     ELSE GREATEST(COALESCE(a.answered, t.sent),
			                   $3::timestamptz - interval '1 second' * (` + h("d.id", 28) + ` % (p.cadence_days * 77760))) END,
			t.sent
		FROM needs d JOIN projects p ON p.id = d.project_id
		CROSS JOIN LATERAL (SELECT CASE WHEN ` + h("d.id", 21) + ` % 100 < 30 THEN 'agreed'
			WHEN ` + h("d.id", 21) + ` % 100 < 60 THEN 'in_progress' WHEN ` + h("d.id", 21) + ` % 100 < 75 THEN 'requested'
			WHEN ` + h("d.id", 21) + ` % 100 < 85 THEN 'declined' WHEN ` + h("d.id", 21) + ` % 100 < 95 THEN 'delivered'
			ELSE 'countered' END AS state) s
		CROSS JOIN LATERAL (SELECT s.state IN ('requested', 'agreed', 'countered', 'in_progress')
			AND ` + h("d.id", 22) + ` % 50 = 0 AS stalled) st
		CROSS JOIN LATERAL (SELECT st.stalled,
			$3::timestamptz - interval '1 day' * (2 * p.cadence_days + 1 + ` + h("d.id", 23) + ` % 30) AS last,
			CASE WHEN st.stalled
			     THEN $3::timestamptz - interval '1 day' * (2 * p.cadence_days + 2 + ` + h("d.id", 23) + ` % 30 + ` + h("d.id", 24) + ` % 20)
			     ELSE $3::timestamptz - interval '1 day' * (5 + ` + h("d.id", 24) + ` % 90) - interval '1 second' * (` + h("d.id", 29) + ` % 86400)
			END AS sent) t
		CROSS JOIN LATERAL (SELECT CASE WHEN s.state = 'requested' THEN NULL
			WHEN t.stalled THEN t.sent + (t.last - t.sent) / 2
			ELSE t.sent + interval '1 day' * (1 + ` + h("d.id", 30) + ` % 4) END AS answered) a
		WHERE d.id BETWEEN $4 AND $5`
	return chunks(s.Needs, 50000, func(lo, hi int) error {
		return g.exec(ctx, &g.counts.Requests, sql, s.Units(), s.Users, g.now, lo, hi)
	})
}

// updates: each request's progress log, spread evenly from its sending to its last
// activity; every third entry is the lead's, the others the holder's.
func (g *generator) updates(ctx context.Context) error {
	g.bar.begin("progress entries", g.size.Updates())
	sql := `INSERT INTO request_updates (request_id, author_user_id, body, next_step, risk, effort_days, created_at)
		SELECT r.id, CASE WHEN k % 3 = 0 THEN p.lead_user_id ELSE COALESCE(r.key_person_user_id, h.head_user_id) END,
			format('第%s次进展：已完成本阶段的对接与评审，资源已到位，按计划推进。', k),
			CASE WHEN k = $1 THEN '下周与对方负责人确认交付范围' ELSE '' END,
			(ARRAY['low', 'low', 'low', 'medium', 'medium', 'high'])[` + h("r.id * 16 + k", 31) + ` % 6 + 1],
			(` + h("r.id * 16 + k", 32) + ` % 10) / 2.0,
			r.sent_at + (r.last_activity_at - r.sent_at) * k / $1
		FROM requests r JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
		CROSS JOIN generate_series(1, $1) k
		WHERE r.id BETWEEN $2 AND $3
		ORDER BY r.id, k`
	return chunks(g.size.Needs, 20000, func(lo, hi int) error {
		return g.exec(ctx, &g.counts.Updates, sql, g.size.UpdatesPerRequest, lo, hi)
	})
}

// Comments returns how many comments a seed writes: one for every CommentEvery
// requests.
func (s Size) Comments() int { return s.Needs / CommentEvery }

// CommentEvery is how many requests share one seeded comment.
const CommentEvery = 5

// comments: a conversation on one request in five, its one comment the lead's or the
// holder's, on one of eight subjects (so a word of each is in an eighth of them, the
// words search is measured with), written between its sending and its last activity.
func (g *generator) comments(ctx context.Context) error {
	g.bar.begin("comments", g.size.Comments())
	sql := `INSERT INTO comments (project_id, request_id, author_user_id, body, created_at)
		SELECT r.project_id, r.id, CASE WHEN ` + h("r.id", 41) + ` % 2 = 0 THEN p.lead_user_id
				ELSE COALESCE(r.key_person_user_id, h.head_user_id, p.lead_user_id) END,
			format('关于%s：%s', d.title, (ARRAY['接口文档已更新，请查收', '排期需要再确认一次', '工单流程有变更',
				'数据口径需要对齐', '验收标准补充了两条', '预算审批还在走流程', '测试环境已经准备好', '培训材料初稿已完成'])[` + h("r.id", 42) + ` % 8 + 1]),
			r.sent_at + (r.last_activity_at - r.sent_at) / 2
		FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
			JOIN units h ON h.id = r.holder_unit_id
		WHERE r.id % $1 = 0 AND r.sent_at IS NOT NULL AND r.id BETWEEN $2 AND $3
		ORDER BY r.id`
	return chunks(g.size.Needs, 50000, func(lo, hi int) error {
		return g.exec(ctx, &g.counts.Comments, sql, CommentEvery, lo, hi)
	})
}

// sequences moves the identity sequences past the ids written explicitly, so rows the
// application adds later do not collide.
func (g *generator) sequences(ctx context.Context) error {
	tables := []string{"users", "units", "goals", "projects", "needs", "requests", "comments"}
	g.bar.begin("sequences", 0)
	for _, t := range tables {
		var n int64
		if err := g.exec(ctx, &n, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), max(id)) FROM %[1]s`, t)); err != nil {
			return err
		}
	}
	return nil
}

// String summarises the counts, one table a line.
func (c Counts) String() string {
	var b strings.Builder
	for _, row := range []struct {
		name string
		n    int64
	}{{"units", c.Units}, {"users", c.Users}, {"memberships", c.Memberships}, {"goals", c.Goals},
		{"projects", c.Projects}, {"needs", c.Needs}, {"project units", c.ProjectUnits},
		{"requests", c.Requests}, {"progress entries", c.Updates}, {"comments", c.Comments}} {
		fmt.Fprintf(&b, "%-17s %10s\n", row.name, thousands(row.n))
	}
	return b.String()
}
