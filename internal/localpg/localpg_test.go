package localpg

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// TestClusterKeepsDataAcrossRestarts is what `make run` relies on: stop, start again,
// the rows are still there.
func TestClusterKeepsDataAcrossRestarts(t *testing.T) {
	t.Parallel()
	bin, dir := binariesAndDir(t)
	ctx := context.Background()

	c := &Cluster{Dir: dir, BinDir: bin, Durable: true}
	url, err := c.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { c.Stop(context.Background()) })
	execSQL(t, url, `CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')`)

	// A second Start on a running cluster reuses it (and does not own it).
	again := &Cluster{Dir: dir, BinDir: bin, Durable: true}
	url2, err := again.Start(ctx)
	require.NoError(t, err)
	require.Equal(t, url, url2)
	require.NoError(t, again.Stop(ctx), "stopping a reused cluster is a no-op")

	require.NoError(t, c.Stop(ctx))
	url, err = c.Start(ctx)
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var v string
	require.NoError(t, conn.QueryRow(ctx, `SELECT v FROM kept`).Scan(&v))
	require.Equal(t, "still here", v)
	var fsync string
	require.NoError(t, conn.QueryRow(ctx, `SHOW fsync`).Scan(&fsync))
	require.Equal(t, "on", fsync, "a durable cluster keeps fsync on")
}

func execSQL(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	require.NoError(t, err)
}

// TestClusterTakesExtraSettings: the benchmark starts its cluster with
// pg_stat_statements loaded; a setting a shell would read is refused.
func TestClusterTakesExtraSettings(t *testing.T) {
	t.Parallel()
	bin, dir := binariesAndDir(t)
	ctx := context.Background()

	bad := &Cluster{Dir: dir, BinDir: bin, Settings: []string{"work_mem=4MB; touch /tmp/x"}}
	_, err := bad.Start(ctx)
	require.ErrorContains(t, err, "letters, digits")

	c := &Cluster{Dir: dir, BinDir: bin, Settings: []string{"shared_preload_libraries=pg_stat_statements", "work_mem=5MB"}}
	url, err := c.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { c.Stop(context.Background()) })
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var libs, workMem string
	require.NoError(t, conn.QueryRow(ctx, `SELECT current_setting('shared_preload_libraries'), current_setting('work_mem')`).Scan(&libs, &workMem))
	require.Equal(t, "pg_stat_statements", libs)
	require.Equal(t, "5MB", workMem)
}

// binariesAndDir finds the server binaries and makes a directory for a cluster that
// the postgres user can reach when tests run as root.
func binariesAndDir(t *testing.T) (string, string) {
	t.Helper()
	bin, err := FindBinaries()
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	return bin, dir
}
