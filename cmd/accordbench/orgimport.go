package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"accord/internal/accord"
	"accord/internal/localpg"
	"accord/internal/orgio"
	"accord/internal/scale"
	"accord/internal/store"
)

// orgImportResult is the organisation import timed at the large size: a file of
// scale.Large's tree (1,000 units) and 20,000 people, generated in memory, imported
// into an empty database, checked again, then changed and imported again.
type orgImportResult struct {
	Units, People int
	FileBytes     int
	Write         time.Duration // the .xlsx written
	Read          time.Duration // and read back
	DryRun        time.Duration // the first dry run (everything to create)
	Apply         time.Duration // the first import, in one transaction
	Again         time.Duration // the same file's dry run afterwards: no changes
	Changed       int           // changes in the second file
	ApplyChanged  time.Duration // applying it
}

// orgFileOf generates the organisation file: the large tree, one head per unit among
// the people, each person in one unit.
func orgFileOf(size scale.Size) orgio.File {
	var f orgio.File
	var prev []string
	n := 0
	for level, count := range size.Levels {
		var codes []string
		for i := 0; i < count; i++ {
			code := fmt.Sprintf("D%04d", n)
			u := orgio.UnitRow{Sheet: "units", Row: n + 2, Code: code, Name: fmt.Sprintf("部门%04d", n),
				NameEN: fmt.Sprintf("Department %04d", n), HeadEmail: fmt.Sprintf("p%05d@bench.test", n)}
			if level > 0 {
				u.ParentCode = prev[i*len(prev)/count]
			}
			f.Units = append(f.Units, u)
			codes = append(codes, code)
			n++
		}
		prev = codes
	}
	for i := 0; i < size.Users; i++ {
		f.People = append(f.People, orgio.PersonRow{Sheet: "people", Row: i + 2, Email: fmt.Sprintf("p%05d@bench.test", i),
			Name: fmt.Sprintf("员工%05d", i), NameEN: fmt.Sprintf("Person %05d", i),
			UnitCodes: []string{f.Units[i%len(f.Units)].Code}, Active: true})
	}
	f.People = append(f.People, orgio.PersonRow{Sheet: "people", Row: size.Users + 2, Email: "admin@bench.test",
		Name: "管理员", UnitCodes: []string{"D0000"}, Active: true})
	return f
}

// measureOrgImport times the import on a fresh migrated database.
func measureOrgImport(ctx context.Context, dbURL string) (orgImportResult, error) {
	size := scale.Large()
	var r orgImportResult
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return r, err
	}
	defer pool.Close()
	st := store.New(pool)
	admin, err := st.CreateUser(ctx, 0, accord.NewUser{Email: "admin@bench.test", Name: "管理员", IsAdmin: true}, "x")
	if err != nil {
		return r, err
	}
	gen := orgFileOf(size)
	r.Units, r.People = len(gen.Units), len(gen.People)

	start := time.Now()
	var buf bytes.Buffer
	if err := orgio.Write(&buf, gen); err != nil {
		return r, err
	}
	r.Write, r.FileBytes = time.Since(start), buf.Len()
	start = time.Now()
	f := orgio.Read(orgio.Upload{Name: "org.xlsx", Data: buf.Bytes()})
	r.Read = time.Since(start)
	if len(f.Problems) > 0 {
		return r, fmt.Errorf("org import: the generated file reads with problems: %v", f.Problems[0])
	}

	start = time.Now()
	pl, err := st.PlanOrgImport(ctx, admin.ID, f)
	if err != nil {
		return r, err
	}
	r.DryRun = time.Since(start)
	if !pl.OK() {
		return r, fmt.Errorf("org import: the generated file has problems: %v", pl.Errors[0])
	}
	opts := store.OrgImportOptions{PasswordHash: "x", Filename: "bench.xlsx"}
	start = time.Now()
	if _, err := st.ApplyOrgImport(ctx, admin.ID, f, opts); err != nil {
		return r, err
	}
	r.Apply = time.Since(start)

	start = time.Now()
	if pl, err = st.PlanOrgImport(ctx, admin.ID, f); err != nil {
		return r, err
	}
	r.Again = time.Since(start)
	if !pl.Empty() {
		return r, fmt.Errorf("org import: re-importing the same file plans %d changes", pl.Count())
	}

	// A reorganisation: a tenth of the units renamed, the last level's first 50 moved
	// under another parent, 1,000 people leave, 1,000 join.
	for i := range f.Units {
		if i%10 == 0 {
			f.Units[i].NameEN += " (new)"
		}
	}
	last := len(f.Units) - size.Levels[len(size.Levels)-1]
	for i := last; i < last+50; i++ {
		f.Units[i].ParentCode = f.Units[last-1-(i-last)].Code
	}
	f.People = f.People[1000:]
	for i := 0; i < 1000; i++ {
		f.People = append(f.People, orgio.PersonRow{Sheet: "people", Email: fmt.Sprintf("new%05d@bench.test", i),
			Name: fmt.Sprintf("新人%05d", i), UnitCodes: []string{f.Units[(i*7)%len(f.Units)].Code}, Active: true})
	}
	// The people who left headed the first 1,000 units: their successors take over.
	for i := 0; i < 1000 && i < len(f.Units); i++ {
		f.Units[i].HeadEmail = fmt.Sprintf("new%05d@bench.test", i)
	}
	if pl, err = st.PlanOrgImport(ctx, admin.ID, f); err != nil {
		return r, err
	}
	if !pl.OK() {
		return r, fmt.Errorf("org import: the changed file has problems: %v", pl.Errors[0])
	}
	r.Changed = pl.Count()
	start = time.Now()
	if _, err := st.ApplyOrgImport(ctx, admin.ID, f, opts); err != nil {
		return r, err
	}
	r.ApplyChanged = time.Since(start)
	return r, nil
}

func (r orgImportResult) markdown() string {
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	return fmt.Sprintf("An organisation file of %s units (the large tree) and %s people, generated in memory "+
		"(`orgFileOf` in [cmd/accordbench/orgimport.go](../cmd/accordbench/orgimport.go)), imported into an empty "+
		"database as `accord org import FILE --apply` and `/admin/import` do:\n\n"+
		"| step | time |\n|---|---|\n"+
		"| write the .xlsx (%.1f MB) | %s |\n| read it back | %s |\n| dry run: everything to create | %s |\n"+
		"| **apply, one transaction** | **%s** |\n| the same file again: dry run, no changes | %s |\n"+
		"| a reorganisation (%s changes: a tenth of the units renamed, 50 moved, 1,000 people leaving, 1,000 joining, "+
		"1,000 heads changed), applied | %s |\n\n"+
		"Run on its own with `go run ./cmd/accordbench -only org-import`.\n",
		thousandsInt(r.Units), thousandsInt(r.People), float64(r.FileBytes)/(1<<20), ms(r.Write), ms(r.Read), ms(r.DryRun),
		ms(r.Apply), ms(r.Again), thousandsInt(r.Changed), ms(r.ApplyChanged))
}

// timeOrgImport times the import on its own fresh, migrated database.
func timeOrgImport(ctx context.Context, maintenance string, cluster *localpg.Cluster) (orgImportResult, error) {
	const name = "accord_org_import"
	if err := store.EnsureDatabase(ctx, maintenance, name); err != nil {
		return orgImportResult{}, err
	}
	m, err := store.NewMigrator(cluster.URL(name))
	if err != nil {
		return orgImportResult{}, err
	}
	err = m.Up()
	m.Close()
	if err != nil {
		return orgImportResult{}, err
	}
	return measureOrgImport(ctx, cluster.URL(name))
}
