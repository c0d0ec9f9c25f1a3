package faults

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"accord/internal/localpg"
	"accord/internal/pgtest"
	"accord/internal/store"
)

// TestBackupRestoresEverything is the restore drill the README's "Backups" section
// describes, run for real: Accord (the binary) serves the demo organisation while
// people write — a request, a comment with an attached file, a decline, an
// escalation, a commitment; pg_dump -Fc takes the running instance's database; the
// dump is restored with pg_restore into a fresh cluster; Accord starts on it without
// --migrate and is ready at once (the schema version came with the dump). Every table
// (found in information_schema, so new tables are covered) and the large objects that
// hold attachments have the same rows, byte for byte, as the snapshot the dump was
// taken from; sessions from before the dump still sign their people in; River's
// queue came along and runs; and every write is there, through the pages.
func TestBackupRestoresEverything(t *testing.T) {
	t.Parallel()
	began := time.Now()
	ctx := context.Background()
	bin, err := localpg.FindBinaries()
	require.NoError(t, err)
	pgDump, pgRestore := backupTool(t, bin, "pg_dump"), backupTool(t, bin, "pg_restore")
	binary := buildAccord(t)
	built := time.Since(began)
	srcURL := pgtest.NewDB(t, pgtest.Demo())
	src := backupServe(t, binary, srcURL)

	// People at work on the running instance.
	conn, err := pgx.Connect(ctx, srcURL)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	var project, itUnit, itNeed int64
	require.NoError(t, conn.QueryRow(ctx, `SELECT p.id, u.id, d.id FROM projects p JOIN needs d ON d.project_id = p.id
		JOIN units u ON u.id = d.holder_unit_id WHERE p.name_en = 'Smart service upgrade' AND u.name_en = 'IT'
		ORDER BY d.id LIMIT 1`).Scan(&project, &itUnit, &itNeed))
	lead := newClient(t, src)
	lead.login(t, "aftersales@accord.demo")
	itHead := newClient(t, src)
	itHead.login(t, "it@accord.demo")

	backupExpect(t, lead, fmt.Sprintf("/projects/%d/send", project), url.Values{"need": {fmt.Sprint(itNeed)}, "message": {"请支持：备份演练"}})
	var request int64
	var version int
	require.NoError(t, conn.QueryRow(ctx, `SELECT id, version FROM requests WHERE need_id = $1 ORDER BY id DESC LIMIT 1`, itNeed).Scan(&request, &version))
	requestPath := fmt.Sprintf("/requests/%d", request)

	file := make([]byte, 300<<10) // an attachment of several large-object pages
	_, _ = rand.Read(file)
	comment := "备份前的评论：需求文档见附件 " + hex.EncodeToString(file[:4])
	backupPostFile(t, lead, requestPath+"/comments", comment, "需求文档.bin", file)
	backupExpect(t, itHead, requestPath+"/decline", url.Values{"version": {fmt.Sprint(version)},
		"obstacle": {"too_busy"}, "reason": {"本季度排满了"}})
	reason := "备份前的升级：二期是年度重点"
	escalation := backupExpect(t, lead, requestPath+"/escalate", url.Values{"reason": {reason}})
	require.Regexp(t, `^/escalations/\d+$`, escalation)
	promise := "备份前的承诺：培训材料"
	backupExpect(t, lead, fmt.Sprintf("/projects/%d/commitments", project),
		url.Values{"unit_id": {fmt.Sprint(itUnit)}, "what": {promise}, "status": {"open"}})
	page := backupBody(t, lead, requestPath)
	href := regexp.MustCompile(`href="(/attachments/\d+)"`).FindStringSubmatch(page)
	require.NotNil(t, href, "the comment's attachment is linked on the request page")
	attachment := href[1]
	require.Equal(t, file, []byte(backupBody(t, itHead, attachment)))

	// The dump, while Accord keeps running. Its snapshot is exported from a transaction
	// that also counts the rows, so the counts are exactly what the dump holds.
	dumpStart := time.Now()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	require.NoError(t, err)
	var snapshot string
	require.NoError(t, tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot))
	before := backupTables(t, tx)
	dump := filepath.Join(t.TempDir(), "accord.dump")
	backupRun(t, pgDump, "-Fc", "--snapshot="+snapshot, "--file="+dump, srcURL)
	require.NoError(t, tx.Rollback(ctx))
	dumped := time.Since(dumpStart)

	// A fresh cluster, as after losing the machine. As the README says: the role
	// Accord connects as must exist, and its empty database; the dump is restored as
	// that role, not a superuser, with --no-owner, so everything restored is its own.
	restoreStart := time.Now()
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755)) // the postgres user must reach it when run as root
	cluster := &localpg.Cluster{Dir: dir, BinDir: bin}
	maintenance, err := cluster.Start(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { cluster.Stop(context.Background()) })
	admin, err := pgx.Connect(ctx, maintenance)
	require.NoError(t, err)
	for _, sql := range []string{`CREATE ROLE accord LOGIN`, `CREATE DATABASE accord OWNER accord`} {
		_, err = admin.Exec(ctx, sql)
		require.NoError(t, err)
	}
	require.NoError(t, admin.Close(ctx))
	dstURL := cluster.URL("accord") // as the superuser, to compare every table
	accordURL := strings.Replace(dstURL, "://postgres@", "://accord@", 1)
	require.NotEqual(t, dstURL, accordURL)
	backupRun(t, pgRestore, "--no-owner", "--exit-on-error", "--dbname="+accordURL, dump)
	restored := time.Since(restoreStart)

	dst, err := pgx.Connect(ctx, dstURL)
	require.NoError(t, err)
	t.Cleanup(func() { dst.Close(context.Background()) })
	dstTx, err := dst.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	require.NoError(t, err)
	after := backupTables(t, dstTx)
	require.NoError(t, dstTx.Rollback(ctx))
	for _, must := range []string{"public.sessions", "public.river_job", "public.schema_migrations", "public.attachments", "pg_largeobject"} {
		require.Contains(t, before, must)
		require.NotZero(t, before[must].rows, "%s has rows to lose", must)
	}
	require.Equal(t, before, after, "every table, and the attachments' large objects, restored row for row")

	// The drill's step before starting: jobs the dump caught running were running on
	// the old machine, and nothing runs them here; River's rescuer would retry them
	// only jobs.RescueStuckJobsAfter after they started, this hands them back to the
	// queue at once (README, "Backups").
	// A delivery run again skips what it had recorded as sent.
	tag, err := dst.Exec(ctx, `UPDATE river_job SET state = 'available', scheduled_at = now() WHERE state = 'running'`)
	require.NoError(t, err)
	caughtRunning := tag.RowsAffected()
	var lastJob int64
	require.NoError(t, dst.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM river_job`).Scan(&lastJob))

	// Accord on the restored database: no --migrate, ready at once.
	restoredBase := backupServe(t, binary, accordURL)
	ready := backupBody(t, newClient(t, restoredBase), "/readyz")
	require.Contains(t, ready, `"status":"ready"`)
	latest, err := store.LatestMigration()
	require.NoError(t, err)
	require.Contains(t, ready, fmt.Sprintf(`"schema_version":%d`, latest), "the schema's version came with the dump")

	// Signed-in people stay signed in: their session cookies from before the dump work.
	leadAfter := backupMoveSession(t, lead, restoredBase)
	itAfter := backupMoveSession(t, itHead, restoredBase)
	page = backupBody(t, leadAfter, requestPath)
	require.Contains(t, page, comment)
	require.Contains(t, page, "需求文档.bin")
	require.Contains(t, page, "本季度排满了", "the decline's reason")
	require.Equal(t, file, []byte(backupBody(t, itAfter, attachment)), "the attachment, byte for byte")
	require.Contains(t, backupBody(t, itAfter, escalation), reason)
	require.Contains(t, backupBody(t, leadAfter, fmt.Sprintf("/projects/%d", project)), promise)
	fresh := newClient(t, restoredBase)
	fresh.login(t, "admin@accord.demo") // password hashes came along too
	require.Equal(t, http.StatusOK, fresh.get(t, "/").StatusCode)

	// It keeps working: identity sequences came along (a new row gets a new id), and
	// River runs the queue it inherited and the new write's deliveries.
	var itHeadID int64
	require.NoError(t, dst.QueryRow(ctx, `SELECT id FROM users WHERE email = 'it@accord.demo'`).Scan(&itHeadID))
	backupExpect(t, leadAfter, requestPath+"/comments", url.Values{"body": {"恢复后的评论"}, "mention": {fmt.Sprint(itHeadID)}})
	require.Contains(t, backupBody(t, itAfter, requestPath), "恢复后的评论")
	worked := assert.Eventually(t, func() bool {
		var pending, added int
		require.NoError(t, dst.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state IN ('available', 'running', 'retryable', 'scheduled')),
			count(*) FILTER (WHERE id > $1 AND state = 'completed') FROM river_job WHERE kind = 'accord_deliver'`, lastJob).Scan(&pending, &added))
		return pending == 0 && added > 0
	}, 20*time.Second, 100*time.Millisecond)
	require.True(t, worked, "the restored instance's River works its queue and the new write's deliveries: %v", backupJobStates(t, dst))

	t.Logf("%d tables and %d large-object pages restored; %d jobs caught running, re-queued; build %v, dump %v (%d kB), "+
		"fresh cluster + restore %v, whole drill %v", len(after)-1, after["pg_largeobject"].rows, caughtRunning,
		built.Round(time.Millisecond), dumped.Round(time.Millisecond), backupSize(t, dump)>>10,
		restored.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// backupTable is what is compared of one table: its rows, and a digest of them all.
type backupTable struct {
	rows   int64
	digest string
}

// backupTables reads every table of the database (from information_schema, so a new
// table is covered without editing this test) and the large objects attachments are
// kept in, within tx's snapshot.
func backupTables(t *testing.T, tx pgx.Tx) map[string]backupTable {
	t.Helper()
	ctx := context.Background()
	// Rows are compared as text: the same time zone on both sides.
	_, err := tx.Exec(ctx, `SET LOCAL TimeZone = 'UTC'`)
	require.NoError(t, err)
	rows, err := tx.Query(ctx, `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
		ORDER BY 1, 2`)
	require.NoError(t, err)
	var names [][2]string
	for rows.Next() {
		var schema, name string
		require.NoError(t, rows.Scan(&schema, &name))
		names = append(names, [2]string{schema, name})
	}
	require.NoError(t, rows.Err())
	out := map[string]backupTable{}
	for _, n := range names {
		ident := pgx.Identifier{n[0], n[1]}.Sanitize()
		var tb backupTable
		require.NoError(t, tx.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '')
			FROM `+ident+` r`).Scan(&tb.rows, &tb.digest))
		out[n[0]+"."+n[1]] = tb
	}
	var lo backupTable
	require.NoError(t, tx.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(loid || ':' || pageno || ':' || md5(data), ','
		ORDER BY loid, pageno)), '') FROM pg_largeobject`).Scan(&lo.rows, &lo.digest))
	out["pg_largeobject"] = lo
	return out
}

// backupTool finds one of PostgreSQL's client tools from the same installation as
// the server binaries (bin may hold links to them, as /usr/local/bin does), else on
// PATH.
func backupTool(t *testing.T, bin, name string) string {
	t.Helper()
	candidates := []string{filepath.Join(bin, name)}
	if real, err := filepath.EvalSymlinks(filepath.Join(bin, "pg_ctl")); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(real), name))
	}
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	t.Fatalf("%s not found beside the PostgreSQL server binaries in %s nor on PATH", name, bin)
	return ""
}

// backupServe runs `accord serve` (no --migrate) on dbURL until the test ends, and
// returns its address once /readyz says ready.
func backupServe(t *testing.T, binary, dbURL string) string {
	t.Helper()
	port := freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(binary, "serve")
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, fmt.Sprintf("PORT=%d", port), "ACCORD_HOST=127.0.0.1")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ok := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && !ok; time.Sleep(50 * time.Millisecond) {
		resp, err := probe.Get(base + "/readyz")
		if err == nil {
			ok = resp.StatusCode == http.StatusOK
			resp.Body.Close()
		}
	}
	require.True(t, ok, "accord on %s never became ready:\n%s", dbURL, logs.String())
	return base
}

// backupRun runs one of PostgreSQL's client tools and fails with its output.
func backupRun(t *testing.T, tool string, args ...string) {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", filepath.Base(tool), strings.Join(args, " "), out)
}

// backupExpect posts a form and expects the redirect a successful write answers with;
// it returns where it leads.
func backupExpect(t *testing.T, c *client, path string, form url.Values) string {
	t.Helper()
	resp, err := c.postErr(path, form)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "POST %s:\n%s", path, body)
	return resp.Header.Get("Location")
}

// backupPostFile posts a comment with a file, as the comment form does.
func backupPostFile(t *testing.T, c *client, path, body, name string, content []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("body", body))
	part, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = part.Write(content)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, c.base+path, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	resp, err := c.http.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "POST %s:\n%s", path, answer)
}

// backupBody GETs a page, expecting 200, and returns its body.
func backupBody(t *testing.T, c *client, path string) string {
	t.Helper()
	resp := c.get(t, path)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s:\n%s", path, body)
	return string(body)
}

// backupMoveSession is the same browser, now talking to the restored instance: it
// carries over the cookies it had from the original one, and nothing else.
func backupMoveSession(t *testing.T, c *client, base string) *client {
	t.Helper()
	from, err := url.Parse(c.base)
	require.NoError(t, err)
	to, err := url.Parse(base)
	require.NoError(t, err)
	cookies := c.http.Jar.Cookies(from)
	require.NotEmpty(t, cookies, "signed in before the dump")
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	jar.SetCookies(to, cookies)
	moved := newClient(t, base)
	moved.http.Jar = jar
	return moved
}

// backupJobStates lists the delivery jobs by state, for a failure's message.
func backupJobStates(t *testing.T, conn *pgx.Conn) map[string]int {
	rows, err := conn.Query(context.Background(), `SELECT state::text || ' attempt ' || attempt || ' ' || coalesce(errors::text, ''), count(*)
		FROM river_job WHERE kind = 'accord_deliver' GROUP BY 1`)
	require.NoError(t, err)
	out := map[string]int{}
	for rows.Next() {
		var state string
		var n int
		require.NoError(t, rows.Scan(&state, &n))
		out[state] = n
	}
	require.NoError(t, rows.Err())
	return out
}

func backupSize(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	require.NoError(t, err)
	return st.Size()
}
