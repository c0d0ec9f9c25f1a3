package main

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgreSQL's own account of each load run: pg_stat_statements, loaded only in the
// benchmark's throwaway cluster, reset before each run and read after it.

// pgStatSettings start the benchmark's cluster with the statistics loaded.
var pgStatSettings = []string{
	"shared_preload_libraries=pg_stat_statements",
	"pg_stat_statements.track_planning=on",
}

// sqlStat is one normalised statement over one run.
type sqlStat struct {
	Query          string
	Calls          int64
	ExecMS, PlanMS float64 // total
	Rows           int64
	Hit, Read      int64 // shared blocks
}

// dbStats is what PostgreSQL did during one run.
type dbStats struct {
	ExecMS, PlanMS float64 // all statements of the database, total
	Calls          int64
	Statements     []sqlStat // the costliest, by execution and planning time
	Err            string
}

// sqlTop is how many statements the report keeps per run.
const sqlTop = 8

func enablePgStat(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`)
	return err
}

func resetPgStat(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `SELECT pg_stat_statements_reset()`)
	return err
}

// readPgStat reads the statistics of the bench database gathered since the reset,
// leaving out the benchmark's own look at them.
func readPgStat(ctx context.Context, pool *pgxpool.Pool) dbStats {
	var s dbStats
	rows, err := pool.Query(ctx, `SELECT query, calls, total_exec_time, total_plan_time, rows,
			shared_blks_hit, shared_blks_read
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND query NOT LIKE '%pg_stat_statements%'
		ORDER BY total_exec_time + total_plan_time DESC`)
	if err != nil {
		s.Err = err.Error()
		return s
	}
	defer rows.Close()
	for rows.Next() {
		var q sqlStat
		if err := rows.Scan(&q.Query, &q.Calls, &q.ExecMS, &q.PlanMS, &q.Rows, &q.Hit, &q.Read); err != nil {
			s.Err = err.Error()
			return s
		}
		s.ExecMS += q.ExecMS
		s.PlanMS += q.PlanMS
		s.Calls += q.Calls
		if len(s.Statements) < sqlTop {
			q.Query = oneLine(q.Query, 140)
			s.Statements = append(s.Statements, q)
		}
	}
	if err := rows.Err(); err != nil {
		s.Err = err.Error()
	}
	return s
}

// oneLine puts a statement on one line, shortened to about n characters, safe in a
// table cell.
func oneLine(sql string, n int) string {
	s := strings.Join(strings.Fields(sql), " ")
	if utf8.RuneCountInString(s) > n {
		r := []rune(s)
		s = string(r[:n]) + " …"
	}
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "`", "'")
}
