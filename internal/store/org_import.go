package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
	"accord/internal/orgio"
)

// OrgCurrent reads the whole organisation as an import compares it: every unit
// (parents first) with the open requests it holds, and every person with their
// memberships. actorID is who would apply the import.
func (s *Store) OrgCurrent(ctx context.Context, actorID int64) (orgio.Current, error) {
	cur, err := orgCurrent(ctx, s.pool, actorID)
	if err != nil {
		return orgio.Current{}, fmt.Errorf("store: read organisation: %w", err)
	}
	return cur, nil
}

func orgCurrent(ctx context.Context, q querier, actorID int64) (orgio.Current, error) {
	cur := orgio.Current{ActorID: actorID}
	rows, err := q.Query(ctx, `SELECT n.id, n.code, n.name, n.name_en, COALESCE(n.parent_id, 0), COALESCE(n.head_user_id, 0),
			n.closed_at IS NOT NULL, COALESCE(o.open, 0)
		FROM units n
		LEFT JOIN (SELECT holder_unit_id, count(*) AS open FROM requests WHERE state IN `+sentOpen+`
			GROUP BY holder_unit_id) o ON o.holder_unit_id = n.id
		ORDER BY n.path`)
	if err != nil {
		return cur, err
	}
	cur.Units, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgio.CurrentUnit, error) {
		var u orgio.CurrentUnit
		err := r.Scan(&u.ID, &u.Code, &u.Name, &u.NameEN, &u.ParentID, &u.HeadUserID, &u.Closed, &u.OpenRequests)
		return u, err
	})
	if err != nil {
		return cur, err
	}
	rows, err = q.Query(ctx, `SELECT u.id, u.email, u.name, u.name_en, u.deactivated_at IS NULL,
			COALESCE(array_agg(m.unit_id ORDER BY m.unit_id) FILTER (WHERE m.unit_id IS NOT NULL), '{}')
		FROM users u LEFT JOIN memberships m ON m.user_id = u.id
		GROUP BY u.id ORDER BY lower(u.email)`)
	if err != nil {
		return cur, err
	}
	cur.People, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgio.CurrentPerson, error) {
		var p orgio.CurrentPerson
		err := r.Scan(&p.ID, &p.Email, &p.Name, &p.NameEN, &p.Active, &p.UnitIDs)
		return p, err
	})
	return cur, err
}

// OrgExport is the organisation as a file: importing it changes nothing.
func (s *Store) OrgExport(ctx context.Context) (orgio.File, error) {
	cur, err := s.OrgCurrent(ctx, 0)
	if err != nil {
		return orgio.File{}, err
	}
	return orgio.Export(cur), nil
}

// PlanOrgImport is the dry run: what importing f would change now, or what is
// wrong with it.
func (s *Store) PlanOrgImport(ctx context.Context, actorID int64, f orgio.File) (orgio.Plan, error) {
	cur, err := s.OrgCurrent(ctx, actorID)
	if err != nil {
		return orgio.Plan{}, err
	}
	return orgio.MakePlan(f, cur), nil
}

// OrgUpload is a checked file kept between its dry run and its apply.
type OrgUpload struct {
	ID       int64
	Filename string
	Digest   string // of the rows, so a page can say the file is the one checked
	File     orgio.File
}

// orgUploadKeep is how long an uploaded file waits for its apply.
const orgUploadKeep = "1 day"

// SaveOrgUpload keeps a read file for its apply, and forgets uploads older than a day.
func (s *Store) SaveOrgUpload(ctx context.Context, actorID int64, filename string, f orgio.File) (OrgUpload, error) {
	payload, err := json.Marshal(f)
	if err != nil {
		return OrgUpload{}, fmt.Errorf("store: save organisation upload: %w", err)
	}
	sum := sha256.Sum256(payload)
	filename = lookupText(filename) // a browser's name for the file may hold anything
	up := OrgUpload{Filename: filename, Digest: hex.EncodeToString(sum[:]), File: f}
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM org_import_uploads WHERE created_at < now() - $1::interval`, orgUploadKeep); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO org_import_uploads (actor_user_id, filename, digest, payload)
			VALUES ($1, $2, $3, $4) RETURNING id`, actorID, filename, up.Digest, payload).Scan(&up.ID)
	})
	if err != nil {
		return OrgUpload{}, fmt.Errorf("store: save organisation upload: %w", err)
	}
	return up, nil
}

// OrgUploadByID reads back a kept file. Only the administrator who uploaded it may
// use it; anyone else is told it does not exist.
func (s *Store) OrgUploadByID(ctx context.Context, actorID, id int64) (OrgUpload, error) {
	up := OrgUpload{ID: id}
	var payload []byte
	err := s.pool.QueryRow(ctx, `SELECT filename, digest, payload FROM org_import_uploads
		WHERE id = $1 AND actor_user_id = $2 AND created_at >= now() - $3::interval`, id, actorID, orgUploadKeep).
		Scan(&up.Filename, &up.Digest, &payload)
	if err != nil {
		return OrgUpload{}, fmt.Errorf("store: organisation upload %d: %w", id, mapNotFound(err, "org_import_upload_not_found"))
	}
	if err := json.Unmarshal(payload, &up.File); err != nil {
		return OrgUpload{}, fmt.Errorf("store: organisation upload %d: %w", id, err)
	}
	return up, nil
}

// OrgImportOptions tune an apply.
type OrgImportOptions struct {
	// Digest, when set, is the plan the person saw (orgio.Plan.Digest): if the
	// organisation changed since, so that the plan differs, nothing is applied and
	// the error is a conflict.
	Digest string
	// PasswordHash is given to the people the import creates: the hash of a secret
	// nobody knows, so they sign in only once given a password or through single
	// sign-on.
	PasswordHash string
	UploadID     int64 // recorded in the audit log; 0 for the command line
	Filename     string
	Progress     func(step string) // told as each step starts; may be nil
}

// ApplyOrgImport imports f in one transaction: it re-plans against the organisation
// as it is under lock, refuses a file with problems (an invalid error; the plan says
// which rows) or a plan that is not the one checked (a conflict), then writes every
// change with one statement per kind of change, and records the import, counted,
// in the audit log. The returned plan is what was applied.
func (s *Store) ApplyOrgImport(ctx context.Context, actorID int64, f orgio.File, opts OrgImportOptions) (orgio.Plan, error) {
	step := func(name string) {
		if opts.Progress != nil {
			opts.Progress(name)
		}
	}
	var pl orgio.Plan
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		step("lock")
		// Reads go on; other writers of the organisation (and another import) wait.
		if _, err := tx.Exec(ctx, `LOCK TABLE units, users, memberships IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		step("plan")
		cur, err := orgCurrent(ctx, tx, actorID)
		if err != nil {
			return err
		}
		pl = orgio.MakePlan(f, cur)
		if !pl.OK() {
			return accord.Errorf(accord.ECodeInvalid, "org_import_has_errors", nil)
		}
		if opts.Digest != "" && opts.Digest != pl.Digest() {
			return accord.Errorf(accord.ECodeConflict, "org_import_changed", nil)
		}
		if pl.Empty() {
			return nil
		}
		return applyOrgPlan(ctx, tx, actorID, pl, opts, step)
	})
	if err != nil {
		return pl, fmt.Errorf("store: import organisation: %w", err)
	}
	return pl, nil
}

func applyOrgPlan(ctx context.Context, tx pgx.Tx, actorID int64, pl orgio.Plan, opts OrgImportOptions, step func(string)) error {
	t := pl.Target
	step("people")
	userID := make([]int64, len(t.People))
	var newEmails, newNames, newNamesEN []string
	var newActive []bool
	var updIDs []int64
	var updNames, updNamesEN []string
	var updActive []bool
	for i, p := range t.People {
		userID[i] = p.ID
		switch {
		case p.ID == 0:
			newEmails, newNames, newNamesEN, newActive = append(newEmails, p.Email), append(newNames, p.Name),
				append(newNamesEN, p.NameEN), append(newActive, p.Active)
		case p.Changed:
			updIDs, updNames, updNamesEN, updActive = append(updIDs, p.ID), append(updNames, p.Name),
				append(updNamesEN, p.NameEN), append(updActive, p.Active)
		}
	}
	if len(newEmails) > 0 {
		rows, err := tx.Query(ctx, `INSERT INTO users (email, name, name_en, password_hash, deactivated_at)
			SELECT e, n, ne, $5, CASE WHEN a THEN NULL ELSE now() END
			FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS t(e, n, ne, a)
			RETURNING id, lower(email)`, newEmails, newNames, newNamesEN, newActive, opts.PasswordHash)
		if err != nil {
			return err
		}
		created := map[string]int64{}
		var id int64
		var email string
		if _, err := pgx.ForEachRow(rows, []any{&id, &email}, func() error { created[email] = id; return nil }); err != nil {
			return err
		}
		for i, p := range t.People {
			if p.ID == 0 {
				userID[i] = created[p.Email]
			}
		}
	}
	if len(updIDs) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE users u SET name = t.n, name_en = t.ne,
				deactivated_at = CASE WHEN t.a THEN NULL ELSE COALESCE(u.deactivated_at, now()) END, version = u.version + 1
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS t(id, n, ne, a) WHERE u.id = t.id`,
			updIDs, updNames, updNamesEN, updActive); err != nil {
			return err
		}
	}
	if len(t.Deactivate) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE users SET deactivated_at = now(), version = version + 1
			WHERE id = ANY ($1) AND deactivated_at IS NULL`, t.Deactivate); err != nil {
			return err
		}
	}

	step("units")
	unitID := make([]int64, len(t.Units))
	fresh := 0
	for i, u := range t.Units {
		unitID[i] = u.ID
		if u.ID == 0 {
			fresh++
		}
	}
	if fresh > 0 {
		rows, err := tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('units', 'id')) FROM generate_series(1, $1)`, fresh)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for i := range unitID {
			if unitID[i] == 0 {
				unitID[i], ids = ids[0], ids[1:]
			}
		}
	}
	// Paths from the root down, parents first; units outside the file are fixed below.
	paths := make([][]int64, len(t.Units))
	var ins, upd struct {
		id, parent, head   []int64
		path, name, nameEN []string
		code               []string
	}
	for i, u := range t.Units {
		var parent, head int64
		if u.Parent >= 0 {
			parent = unitID[u.Parent]
			paths[i] = append(append([]int64{}, paths[u.Parent]...), unitID[i])
		} else {
			paths[i] = []int64{unitID[i]}
		}
		if u.Head >= 0 {
			head = userID[u.Head]
		}
		b := &upd
		if u.ID == 0 {
			b = &ins
		} else if !u.Changed {
			continue
		}
		b.id, b.parent, b.head = append(b.id, unitID[i]), append(b.parent, parent), append(b.head, head)
		b.path, b.name, b.nameEN, b.code = append(b.path, pathText(paths[i])), append(b.name, u.Name), append(b.nameEN, u.NameEN), append(b.code, u.Code)
	}
	if len(ins.id) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO units (id, parent_id, path, name, name_en, code, head_user_id)
			SELECT id, NULLIF(parent, 0), path::bigint[], n, ne, code, NULLIF(head, 0)
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
				AS t(id, parent, path, n, ne, code, head)`,
			ins.id, ins.parent, ins.path, ins.name, ins.nameEN, ins.code, ins.head); err != nil {
			return err
		}
	}
	if len(upd.id) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE units n SET parent_id = NULLIF(t.parent, 0), path = t.path::bigint[], name = t.n,
				name_en = t.ne, head_user_id = NULLIF(t.head, 0), closed_at = NULL, version = n.version + 1
			FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[]) AS t(id, parent, path, n, ne, head)
			WHERE n.id = t.id`, upd.id, upd.parent, upd.path, upd.name, upd.nameEN, upd.head); err != nil {
			return err
		}
	}
	if len(t.Close) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE units SET closed_at = now(), version = version + 1 WHERE id = ANY ($1)`, t.Close); err != nil {
			return err
		}
	}
	// Every path from its parents again: the descendants of a moved unit that the file
	// leaves out (closed ones) move with it.
	if _, err := tx.Exec(ctx, `WITH RECURSIVE tree AS (
			SELECT id, ARRAY[id] AS path FROM units WHERE parent_id IS NULL
			UNION ALL
			SELECT n.id, tree.path || n.id FROM units n JOIN tree ON n.parent_id = tree.id)
		UPDATE units n SET path = tree.path, version = n.version + 1 FROM tree
		WHERE n.id = tree.id AND n.path <> tree.path`); err != nil {
		return err
	}
	// Like DeactivateUser: a deactivated person heads nothing (the file's heads are active).
	if _, err := tx.Exec(ctx, `UPDATE units SET head_user_id = NULL, version = version + 1
		WHERE head_user_id IN (SELECT id FROM users WHERE deactivated_at IS NOT NULL)`); err != nil {
		return err
	}

	step("memberships")
	if len(t.Join) > 0 {
		users, units := make([]int64, len(t.Join)), make([]int64, len(t.Join))
		for i, j := range t.Join {
			users[i], units[i] = userID[j[0]], unitID[j[1]]
		}
		if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, unit_id)
			SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING`, users, units); err != nil {
			return err
		}
	}
	if len(t.Leave) > 0 {
		users, units := make([]int64, len(t.Leave)), make([]int64, len(t.Leave))
		for i, l := range t.Leave {
			users[i], units[i] = l[0], l[1]
		}
		if _, err := tx.Exec(ctx, `DELETE FROM memberships m USING unnest($1::bigint[], $2::bigint[]) AS t(u, n)
			WHERE m.user_id = t.u AND m.unit_id = t.n`, users, units); err != nil {
			return err
		}
	}

	step("audit")
	return audit(ctx, tx, actorID, accord.AuditOrganisation, opts.UploadID, accord.AuditImport, nil,
		map[string]any{"file": opts.Filename, "counts": pl.Counts(), "actor_kept": pl.ActorKept})
}

// pathText spells a path as a PostgreSQL array literal, for unnest over text[].
func pathText(path []int64) string {
	parts := make([]string, len(path))
	for i, id := range path {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return "{" + strings.Join(parts, ",") + "}"
}
