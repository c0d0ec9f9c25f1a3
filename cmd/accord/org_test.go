package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/orgio"
	"accord/internal/pgtest"
)

func TestOrgExportThenImportChangesNothing(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DATABASE_URL": pgtest.NewDB(t, pgtest.Demo())})
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "org.xlsx")
	var out, errOut bytes.Buffer
	ctx := context.Background()
	require.NoError(t, run(ctx, []string{"org", "export", xlsx}, env, &out, &errOut))
	require.Contains(t, out.String(), "exported 15 units and 20 people")

	out.Reset()
	require.NoError(t, run(ctx, []string{"org", "import", xlsx, "--apply", "--as", "admin@accord.demo"}, env, &out, &errOut))
	require.Contains(t, out.String(), "No changes")
	require.Contains(t, errOut.String(), "done in")

	// CSV, one file per kind, with a change and a dry run that applies nothing.
	require.NoError(t, run(ctx, []string{"org", "export", filepath.Join(dir, "org.csv")}, env, &out, &errOut))
	units := filepath.Join(dir, "org-units.csv")
	data, err := os.ReadFile(units)
	require.NoError(t, err)
	f := orgio.Read(orgio.Upload{Name: "u.csv", Data: data}, orgio.Upload{Name: "p.csv", Data: mustRead(t, filepath.Join(dir, "org-people.csv"))})
	require.Empty(t, f.Problems)
	f.Units[1].Name = "运营总部"
	var buf bytes.Buffer
	require.NoError(t, orgio.WriteCSV(&buf, orgio.KindUnits, f))
	require.NoError(t, os.WriteFile(units, buf.Bytes(), 0o600))
	out.Reset()
	require.NoError(t, run(ctx, []string{"org", "import", units, filepath.Join(dir, "org-people.csv")}, env, &out, &errOut))
	require.Contains(t, out.String(), "Units renamed")
	require.Contains(t, out.String(), "dry run: nothing changed")
	out.Reset()
	require.NoError(t, run(ctx, []string{"org", "import", units, filepath.Join(dir, "org-people.csv")}, env, &out, &errOut))
	require.Contains(t, out.String(), "Units renamed", "the dry run changed nothing")

	// A file with a problem names the row and fails.
	require.NoError(t, os.WriteFile(units, []byte("code,name,parent code\nHQ,集团总部,\nX,,NOPE\n"), 0o600))
	out.Reset()
	err = run(ctx, []string{"org", "import", units, filepath.Join(dir, "org-people.csv"), "--apply"}, env, &out, &errOut)
	require.ErrorContains(t, err, "rows to fix")
	require.Contains(t, out.String(), "row 3, parent code: No unit has this parent code in the file.")
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return b
}
