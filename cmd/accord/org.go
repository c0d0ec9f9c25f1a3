package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"accord/internal/config"
	"accord/internal/orgio"
	"accord/internal/password"
	"accord/internal/server/spine"
	"accord/internal/store"
	"accord/web/i18n"
)

const orgUsage = `usage: accord org import FILE [FILE2] [--apply] [--as EMAIL]
       accord org export FILE

import reads an organisation file: one .xlsx with a units sheet and a people sheet
(see the template on /admin/import), or two CSV files, one per kind. It prints what
would change, grouped and counted, and every row to fix; nothing changes without
--apply, which applies it in one transaction. --as names the administrator applying
it: recorded in the audit log, and never deactivated by it.
export writes the organisation as .xlsx (or, for FILE.csv, FILE-units.csv and
FILE-people.csv); importing it changes nothing. Both need DATABASE_URL.`

// runOrg is `accord org import|export`.
func runOrg(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return errors.New(orgUsage)
	}
	if cfg.DatabaseURL == "" {
		return errNoDatabase
	}
	switch args[0] {
	case "export":
		if len(args) != 2 {
			return errors.New(orgUsage)
		}
		return runOrgExport(ctx, cfg, args[1], stdout)
	case "import":
		return runOrgImport(ctx, cfg, args[1:], stdout, stderr)
	}
	return errors.New(orgUsage)
}

func runOrgExport(ctx context.Context, cfg config.Config, path string, stdout io.Writer) error {
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	f, err := store.New(pool).OrgExport(ctx)
	if err != nil {
		return err
	}
	write := func(path string, fn func(io.Writer) error) error {
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		if err := fn(out); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	if stem, ok := strings.CutSuffix(path, ".csv"); ok {
		for _, kind := range []string{orgio.KindUnits, orgio.KindPeople} {
			name := stem + "-" + kind + ".csv"
			if err := write(name, func(w io.Writer) error { return orgio.WriteCSV(w, kind, f) }); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "wrote", name)
		}
	} else if err := write(path, func(w io.Writer) error { return orgio.Write(w, f) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %d units and %d people\n", len(f.Units), len(f.People))
	return nil
}

func runOrgImport(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	var files []string
	var apply bool
	var as string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--apply":
			apply = true
		case a == "--as" && i+1 < len(args):
			as = args[i+1]
			i++
		case strings.HasPrefix(a, "--as="):
			as = strings.TrimPrefix(a, "--as=")
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("org import: unknown flag %q\n\n%s", a, orgUsage)
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 || len(files) > 2 {
		return errors.New(orgUsage)
	}
	bar := newOrgProgress(stderr)
	bar.step("read")
	var uploads []orgio.Upload
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		uploads = append(uploads, orgio.Upload{Name: name, Data: data})
	}
	f := orgio.Read(uploads...)

	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	var actorID int64
	if as != "" {
		u, err := st.UserByEmail(ctx, as)
		if err != nil || !u.Active() || !u.IsAdmin {
			return fmt.Errorf("org import: --as %s is not an active administrator", as)
		}
		actorID = u.ID
	}
	bundle, err := i18n.NewBundle()
	if err != nil {
		return err
	}
	tr := bundle.Localizer(i18n.English)
	var pl orgio.Plan
	if !apply {
		bar.step("plan")
		pl, err = st.PlanOrgImport(ctx, actorID, f)
		bar.done()
		if err != nil {
			return err
		}
		printPlan(stdout, pl, tr)
		if !pl.OK() {
			return fmt.Errorf("org import: %d rows to fix; nothing changed", len(pl.Errors))
		}
		if !pl.Empty() {
			fmt.Fprintln(stdout, "dry run: nothing changed; run again with --apply to apply")
		}
		return nil
	}
	hash, err := password.Hash(spine.RandomSecret(), password.DefaultParams())
	if err != nil {
		return err
	}
	pl, err = st.ApplyOrgImport(ctx, actorID, f, store.OrgImportOptions{PasswordHash: hash,
		Filename: filepath.Base(files[0]), Progress: bar.step})
	bar.done()
	printPlan(stdout, pl, tr)
	if err != nil {
		if !pl.OK() {
			return fmt.Errorf("org import: %d rows to fix; nothing changed", len(pl.Errors))
		}
		return err
	}
	if !pl.Empty() {
		fmt.Fprintln(stdout, "applied")
	}
	return nil
}

// printPlan writes the grouped counts, the first changes of each group, and every
// problem, in English.
func printPlan(w io.Writer, pl orgio.Plan, tr *i18n.Localizer) {
	if !pl.OK() {
		fmt.Fprintf(w, "%d rows to fix:\n", len(pl.Errors))
		for _, e := range pl.Errors {
			where := e.Sheet
			if e.Row > 0 {
				where += fmt.Sprintf(" row %d", e.Row)
			}
			if e.Field != "" {
				where += ", " + tr.T(orgio.FieldMessageID(e.Field))
			}
			line := fmt.Sprintf("  %s: %s", strings.TrimPrefix(where, " "), tr.T(e.MessageID))
			if e.Value != "" {
				line += fmt.Sprintf(" (%q)", e.Value)
			}
			fmt.Fprintln(w, line)
		}
		return
	}
	if pl.Empty() {
		fmt.Fprintln(w, tr.T("org_import_no_changes"))
		return
	}
	c := pl.Changes
	groups := []struct {
		kind  string
		items []string
	}{
		{"units_created", unitLines(c.UnitsCreated)}, {"units_renamed", unitLines(c.UnitsRenamed)},
		{"units_moved", unitLines(c.UnitsMoved)}, {"units_closed", unitLines(c.UnitsClosed)},
		{"units_reopened", unitLines(c.UnitsReopened)}, {"heads_changed", unitLines(c.HeadsChanged)},
		{"people_created", personLines(c.PeopleCreated)}, {"people_renamed", personLines(c.PeopleRenamed)},
		{"people_activated", personLines(c.PeopleActivated)}, {"people_deactivated", personLines(c.PeopleDeactivated)},
		{"memberships_added", memberLines(c.MembershipsAdded)}, {"memberships_removed", memberLines(c.MembershipsRemoved)},
	}
	for _, g := range groups {
		if len(g.items) == 0 {
			continue
		}
		fmt.Fprintf(w, "%-22s %7d\n", tr.T(orgio.GroupMessageID(g.kind)), len(g.items))
		for i, item := range g.items {
			if i == orgSamples {
				fmt.Fprintf(w, "    … %d more\n", len(g.items)-orgSamples)
				break
			}
			fmt.Fprintln(w, "    "+item)
		}
	}
	if pl.ActorKept {
		fmt.Fprintln(w, tr.T("org_import_actor_kept"))
	}
}

// orgSamples is how many changes of each kind the summary names.
const orgSamples = 5

func unitLines(list []orgio.UnitChange) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Code + " " + c.Name
		if c.From != "" || c.To != "" {
			out[i] += ": " + c.From + " → " + c.To
		}
		if c.OpenRequests > 0 {
			out[i] += fmt.Sprintf(" (%d open requests stay with it)", c.OpenRequests)
		}
	}
	return out
}

func personLines(list []orgio.PersonChange) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Email + " " + c.Name
	}
	return out
}

func memberLines(list []orgio.MembershipChange) []string {
	out := make([]string, len(list))
	for i, c := range list {
		out[i] = c.Email + " · " + c.Code
	}
	return out
}

// orgProgress shows the step an import is in and how long it has taken: redrawn in
// place on a terminal, one line per step elsewhere.
type orgProgress struct {
	w     io.Writer
	tty   bool
	start time.Time
	name  string
	at    time.Time
	steps int
}

// orgSteps is the number of steps an apply goes through (read, lock, plan, people,
// units, memberships, audit).
const orgSteps = 7

func newOrgProgress(w io.Writer) *orgProgress {
	p := &orgProgress{w: w, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *orgProgress) step(name string) {
	p.finishStep()
	p.name, p.at = name, time.Now()
	p.steps++
	p.draw(false)
}

func (p *orgProgress) finishStep() {
	if p.name != "" {
		p.draw(true)
	}
}

func (p *orgProgress) done() {
	p.finishStep()
	p.name = ""
	if p.tty {
		fmt.Fprintln(p.w)
	}
	fmt.Fprintf(p.w, "accord: done in %s\n", time.Since(p.start).Round(10*time.Millisecond))
}

func (p *orgProgress) draw(finished bool) {
	const width = 21
	filled := min(width, p.steps*width/orgSteps)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	line := fmt.Sprintf("accord: import %s %-12s %6.2fs", bar, p.name, time.Since(p.at).Seconds())
	switch {
	case p.tty:
		fmt.Fprint(p.w, "\r"+line+"\x1b[K")
	case finished:
		fmt.Fprintln(p.w, line)
	}
}
