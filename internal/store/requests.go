package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const requestColumns = `r.id, r.need_id, r.project_id, r.holder_unit_id, r.state, r.message, r.offer, r.scope, r.due_date,
	r.key_person_user_id, r.counter_scope, r.counter_date, r.obstacle, r.decline_reason, r.binding, r.sent_at,
	r.answered_at, r.last_activity_at, r.last_nudge_at, r.created_at, r.version,
	d.title, d.title_en, d.tier, d.effort_days::float8, p.name, p.name_en, p.lead_user_id, h.name, h.name_en,
	COALESCE(k.name, ''), COALESCE(k.name_en, ''), r.offer_we_give, r.offer_they_get, r.offer_proposal,
	r.transferred_from_unit_id, r.transfer_reason,
	COALESCE((SELECT tf.name FROM units tf WHERE tf.id = r.transferred_from_unit_id), ''),
	COALESCE((SELECT tf.name_en FROM units tf WHERE tf.id = r.transferred_from_unit_id), ''),
	(SELECT json_build_object('by', ab.name, 'by_en', ab.name_en, 'for', af.name, 'for_en', af.name_en)
		FROM users ab LEFT JOIN users af ON af.id = r.answered_for_user_id WHERE ab.id = r.answered_by_user_id)`

const requestFrom = ` FROM requests r JOIN needs d ON d.id = r.need_id JOIN projects p ON p.id = r.project_id
	JOIN units h ON h.id = r.holder_unit_id LEFT JOIN users k ON k.id = r.key_person_user_id `

func scanRequest(row pgx.Row, extra ...any) (accord.Request, error) {
	var r accord.Request
	err := row.Scan(append(requestDest(&r), extra...)...)
	return r, err
}

// requestDest lists where requestColumns scan into.
func requestDest(r *accord.Request) []any {
	return []any{&r.ID, &r.NeedID, &r.ProjectID, &r.HolderUnitID, &r.State, &r.Message, &r.Offer, &r.Scope,
		&r.DueDate, &r.KeyPersonUserID, &r.CounterScope, &r.CounterDate, &r.Obstacle, &r.DeclineReason, &r.Binding,
		&r.SentAt, &r.AnsweredAt, &r.LastActivityAt, &r.LastNudgeAt, &r.CreatedAt, &r.Version,
		&r.NeedTitle, &r.NeedTitleEN, &r.Tier, &r.EffortDays, &r.ProjectName, &r.ProjectNameEN, &r.LeadUserID,
		&r.HolderName, &r.HolderNameEN, &r.KeyPersonName, &r.KeyPersonNameEN,
		&r.OfferParts.WeGive, &r.OfferParts.TheyGet, &r.OfferParts.Proposal,
		&r.TransferredFromUnitID, &r.TransferReason, &r.TransferredFromName, &r.TransferredFromNameEN, &r.AnsweredBy}
}

func collectRequests(rows pgx.Rows) ([]accord.Request, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Request, error) { return scanRequest(r) })
}

// SendNeeds sends needs of a project to the heads of their holding units, with the
// lead's message and, for each unit, the value-exchange offer as it stands now. Needs
// held by outside parties, and needs that already have a live request, are skipped.
// It returns the requests created.
func (s *Store) SendNeeds(ctx context.Context, actorID, projectID int64, needIDs []int64, message string, now time.Time) ([]accord.Request, error) {
	var out []accord.Request
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		// The project first, shared: an edit of its value (which locks it FOR NO KEY
		// UPDATE, see UpdateProject) then waits for these requests or they wait for it,
		// so the value each request copies into its queue keys (migration 0012) is the
		// one that stays. Project, then requests, then signals: the order an edit takes.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM projects WHERE id = $1 FOR SHARE`, projectID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `INSERT INTO requests (need_id, project_id, holder_unit_id, state, message, offer, scope,
				due_date, sent_at, last_activity_at, offer_we_give, offer_they_get, offer_proposal)
			SELECT d.id, d.project_id, d.holder_unit_id, 'requested', $3,
				concat_ws(E'\n', NULLIF(pu.we_give, ''), NULLIF(pu.they_get, ''), NULLIF(pu.proposal, '')),
				d.title, d.needed_by, $4, $4,
				COALESCE(pu.we_give, ''), COALESCE(pu.they_get, ''), COALESCE(pu.proposal, '')
			FROM needs d LEFT JOIN project_units pu ON pu.project_id = d.project_id AND pu.unit_id = d.holder_unit_id
			WHERE d.project_id = $1 AND d.id = ANY ($2) AND d.holder_unit_id IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM requests x WHERE x.need_id = d.id AND x.state NOT IN `+closedStates+`)
			ORDER BY d.tier, d.needed_by NULLS LAST, d.id
			RETURNING id`, projectID, needIDs, message, now)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = ANY ($1) ORDER BY d.tier, r.due_date NULLS LAST, r.id`, ids)
		if err != nil {
			return err
		}
		if out, err = collectRequests(rows); err != nil {
			return err
		}
		for _, r := range out {
			after := requestAuditFacts(r, map[string]any{"message": message, "state": r.State})
			if err := auditProjectAt(ctx, tx, now, actorID, projectID, accord.AuditRequest, r.ID, accord.AuditOf(accord.ActionSend), nil, after); err != nil {
				return err
			}
		}
		for _, r := range out {
			if err := notifyAction(ctx, tx, actorID, nil, accord.ActionSend, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: send needs of project %d: %w", projectID, err)
	}
	return out, nil
}

// Request returns one request with its need, project, unit and key person.
func (s *Store) Request(ctx context.Context, id int64) (accord.Request, error) {
	r, err := scanRequest(s.pool.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1`, id))
	if err != nil {
		return accord.Request{}, fmt.Errorf("store: request %d: %w", id, mapNotFound(err, "request_not_found"))
	}
	return r, nil
}

// ProjectRequests lists every request of a project, tier and date order.
func (s *Store) ProjectRequests(ctx context.Context, projectID int64) ([]accord.Request, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.project_id = $1
		ORDER BY `+requestOrder, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: requests of project %d: %w", projectID, err)
	}
	list, err := collectRequests(rows)
	if err != nil {
		return nil, fmt.Errorf("store: requests of project %d: %w", projectID, err)
	}
	return list, nil
}

// ActOnRequest applies an action in one transaction: it locks the request, refuses a
// stale version, checks the lifecycle and who may act (accord.NextRequestState),
// records the action's data, and audits it. It returns the request as it is now.
func (s *Store) ActOnRequest(ctx context.Context, v accord.Viewer, id int64, version int, action accord.RequestAction, in accord.RequestInput, now time.Time) (accord.Request, error) {
	var after accord.Request
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, id))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		// Who may act comes first: someone on the wrong side learns that, not that the
		// request changed meanwhile.
		if !slices.Contains(accord.RequestActions(), action) {
			return accord.Errorf(accord.ECodeInvalid, "request_action_unknown", nil)
		}
		party := accord.RequestPartyOf(r, v)
		if !accord.MayTakeAction(action, party) {
			return accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil)
		}
		if r.Version != version {
			return &accord.Error{Code: accord.ECodeConflict, MessageID: "request_changed",
				Data: map[string]any{"State": string(r.State)}}
		}
		next, err := accord.NextRequestState(r.State, action, party)
		if err != nil {
			return err
		}
		if err := in.ValidateFor(r, action); err != nil {
			return err
		}
		if err := accord.RefuseStandInKeyPerson(party, v.User.ID, in.KeyPersonUserID); err != nil {
			return err
		}
		if in.KeyPersonUserID != nil {
			if err := checkUnitMember(ctx, tx, *in.KeyPersonUserID, r.HolderUnitID); err != nil {
				return err
			}
		}
		set := []string{"state = $2", "version = version + 1", "last_activity_at = $3"}
		args := []any{id, next, now}
		arg := func(column string, value any) {
			args = append(args, value)
			set = append(set, fmt.Sprintf("%s = $%d", column, len(args)))
		}
		// A holder's step is the holder's answer by whoever gave it, and for whom
		// when a stand-in did (accord.StandIn).
		var actingFor *accord.ActingFor
		if party.For != nil && !party.Delegate && accord.HolderSideAction(action) {
			actingFor = party.For
		}
		switch action {
		case accord.ActionAgree, accord.ActionDecline, accord.ActionCounter:
			arg("answered_by_user_id", v.User.ID)
			arg("answered_for_user_id", actingFor.ForUserID())
		}
		switch action {
		case accord.ActionAgree:
			arg("answered_at", now)
			if in.DueDate != nil {
				arg("due_date", in.DueDate)
			}
			if in.KeyPersonUserID != nil {
				arg("key_person_user_id", in.KeyPersonUserID)
			}
		case accord.ActionDecline:
			arg("answered_at", now)
			arg("obstacle", in.Obstacle)
			arg("decline_reason", in.Reason)
		case accord.ActionCounter:
			arg("answered_at", now)
			arg("counter_scope", in.CounterScope)
			arg("counter_date", in.CounterDate)
		case accord.ActionAcceptCounter:
			if r.CounterScope != "" {
				arg("scope", r.CounterScope)
			}
			if r.CounterDate != nil {
				arg("due_date", r.CounterDate)
			}
		case accord.ActionDelegate:
			arg("key_person_user_id", in.KeyPersonUserID)
		case accord.ActionResend, accord.ActionRefuseCounter:
			arg("obstacle", "")
			arg("decline_reason", "")
		case accord.ActionSend:
			arg("sent_at", now)
		case accord.ActionTransfer:
			// The unit it belongs to answers it afresh; the need is held there now. The
			// lead may still send it back to the unit first asked.
			var pending bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM escalations WHERE request_id = $1
				AND status IN ('open', 'sent_back'))`, id).Scan(&pending); err != nil {
				return err
			}
			if err := accord.RefuseTransfer(pending); err != nil {
				return err
			}
			if err := checkTransferTarget(ctx, tx, *in.TransferUnitID); err != nil {
				return err
			}
			arg("holder_unit_id", *in.TransferUnitID)
			arg("transferred_from_unit_id", r.TransferredFrom(*in.TransferUnitID))
			arg("transfer_reason", in.Reason)
			arg("key_person_user_id", nil)
			if err := moveNeed(ctx, tx, r.NeedID, *in.TransferUnitID); err != nil {
				return err
			}
		case accord.ActionTransferBack:
			if err := checkTransferTarget(ctx, tx, *r.TransferredFromUnitID); err != nil {
				return err
			}
			arg("holder_unit_id", *r.TransferredFromUnitID)
			arg("transferred_from_unit_id", nil)
			arg("transfer_reason", "")
			arg("key_person_user_id", nil)
			if err := moveNeed(ctx, tx, r.NeedID, *r.TransferredFromUnitID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE requests SET `+strings.Join(set, ", ")+` WHERE id = $1`, args...); err != nil {
			return err
		}
		if after, err = scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1`, id)); err != nil {
			return err
		}
		if err := notifyAction(ctx, tx, v.User.ID, actingFor, action, after); err != nil {
			return err
		}
		facts := requestAuditFacts(r, map[string]any{"state": next, "input": in})
		if actingFor != nil {
			facts["for"], facts["for_en"] = actingFor.Name, actingFor.NameEN // as named then
		}
		if action == accord.ActionTransfer || action == accord.ActionTransferBack {
			facts["to_unit"], facts["to_unit_en"] = after.HolderName, after.HolderNameEN // as named then
		}
		return auditProjectAt(ctx, tx, now, v.User.ID, r.ProjectID, accord.AuditRequest, id, accord.AuditOf(action),
			map[string]any{"state": r.State}, facts)
	})
	if err != nil {
		return accord.Request{}, fmt.Errorf("store: %s request %d: %w", action, id, err)
	}
	return after, nil
}

// checkTransferTarget refuses to pass a request to a unit that is closed or has no
// head: nobody would answer it there.
func checkTransferTarget(ctx context.Context, tx pgx.Tx, unitID int64) error {
	var open, headed bool
	err := tx.QueryRow(ctx, `SELECT closed_at IS NULL, head_user_id IS NOT NULL FROM units WHERE id = $1 FOR SHARE`, unitID).Scan(&open, &headed)
	if err != nil {
		return fieldNotFound(err, "unit", "unit_not_found")
	}
	switch {
	case !open:
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "request_transfer_unit_closed",
			Fields: map[string]string{"unit": "request_transfer_unit_closed"}}
	case !headed:
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "request_transfer_unit_vacant",
			Fields: map[string]string{"unit": "request_transfer_unit_vacant"}}
	}
	return nil
}

// moveNeed makes unitID the holder of a need whose request was passed on.
func moveNeed(ctx context.Context, tx pgx.Tx, needID, unitID int64) error {
	_, err := tx.Exec(ctx, `UPDATE needs SET holder_unit_id = $2, version = version + 1 WHERE id = $1`, needID, unitID)
	return err
}

// requestAuditFacts adds to a request's audit record the need and the holding unit
// as they were named at the time, so its history tells what the request was about
// in either language however they are renamed later.
func requestAuditFacts(r accord.Request, after map[string]any) map[string]any {
	after["need"], after["need_en"] = r.NeedTitle, r.NeedTitleEN
	after["holder"], after["holder_en"] = r.HolderName, r.HolderNameEN
	return after
}

// checkUnitMember refuses a key person who is not an active member of the unit.
func checkUnitMember(ctx context.Context, tx pgx.Tx, userID, unitID int64) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.user_id = $1 AND m.unit_id = $2 AND u.deactivated_at IS NULL)`, userID, unitID).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "request_key_person_not_member",
			Fields: map[string]string{"key_person": "request_key_person_not_member"}}
	}
	return nil
}

// AddProgress appends an entry to a request's progress log and marks the request
// active now. The lead, the holder's head and the key person may write.
func (s *Store) AddProgress(ctx context.Context, v accord.Viewer, requestID int64, in accord.ProgressInput, now time.Time) (accord.ProgressEntry, error) {
	var e accord.ProgressEntry
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		party := accord.RequestPartyOf(r, v)
		if !party.MayLogProgress() {
			return accord.Errorf(accord.ECodeForbidden, "request_action_not_yours", nil)
		}
		if !r.State.Open() || r.State == accord.RequestDraft {
			return accord.Errorf(accord.ECodeInvalid, "request_progress_closed", nil)
		}
		var actingFor *accord.ActingFor
		if !party.Delegate && !(party.Lead && r.LeadUserID == v.User.ID) {
			actingFor = party.For // a stand-in writes for the absent head, unless they lead it themselves
		}
		err = tx.QueryRow(ctx, `INSERT INTO request_updates (request_id, author_user_id, body, next_step, risk, effort_days, created_at,
				for_user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, created_at`,
			requestID, v.User.ID, in.Body, in.NextStep, in.Risk, in.EffortDays, now, actingFor.ForUserID()).Scan(&e.ID, &e.CreatedAt)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE requests SET last_activity_at = $2 WHERE id = $1`, requestID, now); err != nil {
			return err
		}
		e.RequestID, e.AuthorUserID, e.Body, e.NextStep, e.Risk, e.EffortDays = requestID, v.User.ID, in.Body, in.NextStep, in.Risk, in.EffortDays
		e.AuthorName, e.AuthorNameEN = v.User.Name, v.User.NameEN
		if actingFor != nil {
			e.ForName, e.ForNameEN = actingFor.Name, actingFor.NameEN
		}
		return auditProject(ctx, tx, v.User.ID, r.ProjectID, accord.AuditRequest, requestID, accord.AuditProgress, nil,
			requestAuditFacts(r, map[string]any{"Body": in.Body, "NextStep": in.NextStep, "Risk": in.Risk, "EffortDays": in.EffortDays}))
	})
	if err != nil {
		return accord.ProgressEntry{}, fmt.Errorf("store: add progress to request %d: %w", requestID, err)
	}
	return e, nil
}

// Progress lists a request's progress log, newest first.
func (s *Store) Progress(ctx context.Context, requestID int64) ([]accord.ProgressEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.request_id, e.author_user_id, u.name, u.name_en, e.body, e.next_step,
			e.risk, e.effort_days::float8, e.created_at, COALESCE(f.name, ''), COALESCE(f.name_en, '')
		FROM request_updates e JOIN users u ON u.id = e.author_user_id LEFT JOIN users f ON f.id = e.for_user_id
		WHERE e.request_id = $1 ORDER BY e.id DESC`, requestID)
	if err != nil {
		return nil, fmt.Errorf("store: progress of request %d: %w", requestID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.ProgressEntry, error) {
		var e accord.ProgressEntry
		err := r.Scan(&e.ID, &e.RequestID, &e.AuthorUserID, &e.AuthorName, &e.AuthorNameEN, &e.Body, &e.NextStep,
			&e.Risk, &e.EffortDays, &e.CreatedAt, &e.ForName, &e.ForNameEN)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: progress of request %d: %w", requestID, err)
	}
	return list, nil
}

// queueKey is the order in which a holder's queue lists open requests — tier, then
// the date needed, then the project's value, then age — as stored on the request
// itself (migration 0012), the order of the requests_holder_queue and
// requests_key_person_queue indexes.
const queueKey = `r.queue_tier, r.queue_date, r.queue_value, r.queue_sent, r.id`

// inboxHeaded lists the units whose queues are a user's to answer: those they head
// that are open, as accord.RequestPartyOf says (HolderHead). The inbox's cards, its
// counts and the queues on top all read it, so what is counted is what is listed.
// A stand-in's inbox adds the units of the head they stand in for ($4).
var inboxHeaded = inboxHeadedBy("$4")

// inboxHeadedBy is inboxHeaded with the stand-in units in parameter standIn.
func inboxHeadedBy(standIn string) string {
	return `(SELECT id FROM units WHERE (head_user_id = $1 OR id = ANY(` + standIn + `::bigint[])) AND closed_at IS NULL)`
}

// inboxHanded counts, from the index alone, the open requests handed to a user in
// units whose queue is not theirs.
var inboxHanded = `(SELECT count(*) FROM requests r WHERE ` + openRequest + ` AND r.key_person_user_id = $1
		AND r.holder_unit_id NOT IN ` + inboxHeaded + `)`

// inboxTotal counts a user's inbox from the indexes alone: the open requests of the
// units they head, and those delegated to them in other units.
var inboxTotal = `(SELECT count(*) FROM requests r WHERE ` + openRequest + `
		AND r.holder_unit_id IN ` + inboxHeaded + `)
	+ ` + inboxHanded

// InboxPage is one page of a user's inbox and what the whole inbox holds.
type InboxPage struct {
	Requests []accord.Request
	Total    int // every open request of the units they head, and those handed to them elsewhere
	Handed   int // of which handed to them in units they do not head
	// Read at: the epochs of the listed requests' projects and holding units, read
	// with them (QueueEpochs).
	At QueueEpochs
}

// Inbox lists the open requests addressed to units the user heads, or delegated to
// them, in queue order, with how many there are in all.
func (s *Store) Inbox(ctx context.Context, userID int64, offset, limit int) ([]accord.Request, int, error) {
	page, err := s.InboxPage(ctx, userID, nil, offset, limit)
	return page.Requests, page.Total, err
}

// InboxPage reads a page of the inbox (see Inbox) with its counts. Each unit's queue
// and the delegated requests are read from their index already in order,
// offset+limit rows at most from each, so a page costs the same whatever the length
// of the queue.
//
// standInUnits are the units the user answers for as a stand-in today
// (accord.Viewer.StandInUnits): their queues join the user's own.
func (s *Store) InboxPage(ctx context.Context, userID int64, standInUnits []int64, offset, limit int) (InboxPage, error) {
	var page InboxPage
	err := s.queryGenericPlan(ctx, `WITH q AS (
			SELECT x.* FROM units u CROSS JOIN LATERAL (
				SELECT r.id, r.queue_tier, r.queue_date, r.queue_value, r.queue_sent FROM requests r
				WHERE r.holder_unit_id = u.id AND `+openRequest+`
				ORDER BY `+queueKey+` LIMIT $2::bigint + $3::bigint) x
			WHERE u.id IN `+inboxHeaded+`
			UNION
			(SELECT r.id, r.queue_tier, r.queue_date, r.queue_value, r.queue_sent FROM requests r
			 WHERE r.key_person_user_id = $1 AND `+openRequest+`
			 ORDER BY `+queueKey+` LIMIT $2::bigint + $3::bigint)
			ORDER BY 2, 3, 4, 5, 1 OFFSET $2 LIMIT $3)
		SELECT `+requestColumns+`, `+inboxTotal+`, `+inboxHanded+`,
			COALESCE((SELECT e.listed_epoch FROM project_epochs e WHERE e.project_id = r.project_id), 0),
			COALESCE((SELECT e.epoch FROM unit_epochs e WHERE e.unit_id = r.holder_unit_id), 0)`+requestFrom+`JOIN q ON q.id = r.id
		ORDER BY `+queueKey, []any{userID, offset, limit, standInUnits}, func(rows pgx.Rows) error {
		var err error
		page.At = QueueEpochs{Units: map[int64]int64{}, Projects: map[int64]int64{}}
		page.Requests, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Request, error) {
			var project, unit int64
			req, err := scanRequest(r, &page.Total, &page.Handed, &project, &unit)
			page.At.Projects[req.ProjectID], page.At.Units[req.HolderUnitID] = project, unit
			return req, err
		})
		return err
	})
	if err != nil {
		return InboxPage{}, fmt.Errorf("store: inbox of user %d: %w", userID, err)
	}
	return page, nil
}

// QueueEpochs name the state of the rows a page listing requests across projects was
// read from (migrations 0047, 0050): the organisation's; the viewer's, for the requests
// handed to them; each unit's whose queue it shows; and each listed project's listed
// epoch, which a request's activity alone leaves (0063: none of these pages shows it,
// but for the quiet requests on a lead's start page, which that migration follows).
type QueueEpochs struct {
	Org      int64
	User     int64
	Units    map[int64]int64
	Projects map[int64]int64
}

// With adds to e the epochs of units and projects read after it, keeping e's own for a
// row both name: read earlier, it vouches for no more than was read after it.
func (e QueueEpochs) With(units, projects map[int64]int64) QueueEpochs {
	for id, epoch := range units {
		if _, ok := e.Units[id]; !ok {
			e.Units[id] = epoch
		}
	}
	for id, epoch := range projects {
		if _, ok := e.Projects[id]; !ok {
			e.Projects[id] = epoch
		}
	}
	return e
}

// Equal reports whether e and o name the same epochs of the same rows.
func (e QueueEpochs) Equal(o QueueEpochs) bool {
	return e.Org == o.Org && e.User == o.User && maps.Equal(e.Units, o.Units) && maps.Equal(e.Projects, o.Projects)
}

// queueEpochsSQL reads the epochs of the organisation, person $1, the units listed
// by the array expression units and the projects in $3, in one statement.
func queueEpochsSQL(units string) string {
	return `WITH u AS (SELECT id, n FROM unnest(` + units + `) WITH ORDINALITY u (id, n))
		SELECT (SELECT epoch FROM org_epoch), COALESCE((SELECT epoch FROM user_epochs WHERE user_id = $1), 0),
			ARRAY(SELECT id FROM u ORDER BY n),
			ARRAY(SELECT COALESCE(e.epoch, 0) FROM u LEFT JOIN unit_epochs e ON e.unit_id = u.id ORDER BY u.n),
			ARRAY(SELECT COALESCE(e.listed_epoch, 0) FROM unnest($3::bigint[]) WITH ORDINALITY p (id, n)
				LEFT JOIN project_epochs e ON e.project_id = p.id ORDER BY p.n)`
}

// QueueEpochsNow reads the epochs of the rows at names, as they are now: a page kept
// with at is the same while they are equal.
func (s *Store) QueueEpochsNow(ctx context.Context, userID int64, at QueueEpochs) (QueueEpochs, error) {
	now, err := s.queueEpochs(ctx, queueEpochsSQL("$2::bigint[]"), userID, slices.Collect(maps.Keys(at.Units)),
		slices.Collect(maps.Keys(at.Projects)))
	if err != nil {
		return QueueEpochs{}, fmt.Errorf("store: epochs of user %d's queues: %w", userID, err)
	}
	return now, nil
}

// InboxEpochs reads the epochs of the organisation, user userID and the units whose
// queues their inbox holds (those they head, and standInUnits), before the inbox is
// read: a page rendered from what is read after them may be kept with them.
func (s *Store) InboxEpochs(ctx context.Context, userID int64, standInUnits []int64) (QueueEpochs, error) {
	at, err := s.queueEpochs(ctx, queueEpochsSQL("ARRAY"+inboxHeadedBy("$2")), userID, standInUnits, nil)
	if err != nil {
		return QueueEpochs{}, fmt.Errorf("store: epochs of user %d's inbox: %w", userID, err)
	}
	return at, nil
}

// EscalationListEpochs reads the epochs of the organisation, user userID, every unit
// they head (their escalation lists' "my units", closed units included) and every
// project they lead, before those lists are read: a page rendered from what is read
// after them may be kept with them (migration 0051 moves them). The projects led cover
// a project handed to them while one of its escalations was being written: 0051 notes
// the lead when the escalation's statement runs, the project's epoch moves at its
// commit.
func (s *Store) EscalationListEpochs(ctx context.Context, userID int64) (QueueEpochs, error) {
	at, _, err := s.partyEpochs(ctx, userID, time.Time{})
	if err != nil {
		return QueueEpochs{}, fmt.Errorf("store: epochs of user %d's escalations: %w", userID, err)
	}
	return at, nil
}

// HomeEpochs reads, before the start page is read, the epochs of the organisation,
// user userID, the units they head and every project they lead (its agenda: the
// requests to answer, the escalations to decide, what their projects need next), and
// quiet, the first moment after now at which a sent request of those projects goes
// quiet for the agenda (the zero time for none): the page changes then with nothing
// written.
func (s *Store) HomeEpochs(ctx context.Context, userID int64, now time.Time) (QueueEpochs, time.Time, error) {
	at, quiet, err := s.partyEpochs(ctx, userID, now)
	if err != nil {
		return QueueEpochs{}, time.Time{}, fmt.Errorf("store: epochs of user %d's start page: %w", userID, err)
	}
	return at, quiet, nil
}

// partyEpochs reads the epochs of the organisation, user userID, every unit they head
// and every project they lead, and, unless now is the zero time, the first moment
// from now at which a sent request of those projects goes quiet (the zero time for
// none).
func (s *Store) partyEpochs(ctx context.Context, userID int64, now time.Time) (QueueEpochs, time.Time, error) {
	at := QueueEpochs{Units: map[int64]int64{}, Projects: map[int64]int64{}}
	var unitIDs, unitEpochs, projectIDs, projectEpochs []int64
	var quiet *time.Time
	var asOf *time.Time
	if !now.IsZero() {
		asOf = &now
	}
	// Its generic plan: planned for its parameters on every call, it spent 0.44 ms
	// planning to run in 0.06.
	err := s.queryGenericPlan(ctx, `WITH u AS (SELECT id FROM units WHERE head_user_id = $1),
			led AS (SELECT id, cadence_days FROM projects WHERE lead_user_id = $1)
		SELECT (SELECT epoch FROM org_epoch), COALESCE((SELECT epoch FROM user_epochs WHERE user_id = $1), 0),
			ARRAY(SELECT id FROM u ORDER BY id),
			ARRAY(SELECT COALESCE(e.epoch, 0) FROM u LEFT JOIN unit_epochs e ON e.unit_id = u.id ORDER BY u.id),
			ARRAY(SELECT id FROM led ORDER BY id),
			ARRAY(SELECT COALESCE(e.listed_epoch, 0) FROM led LEFT JOIN project_epochs e ON e.project_id = led.id ORDER BY led.id),
			-- Agenda's "stale": quiet for longer than the project's cadence.
			(SELECT min(r.last_activity_at + make_interval(days => l.cadence_days)) FROM led l
			 JOIN requests r ON r.project_id = l.id
			 WHERE $2::timestamptz IS NOT NULL AND r.state IN `+sentOpen+`
			   AND r.last_activity_at + make_interval(days => l.cadence_days) >= $2)`,
		[]any{userID, asOf}, func(rows pgx.Rows) error {
			_, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (struct{}, error) {
				return struct{}{}, r.Scan(&at.Org, &at.User, &unitIDs, &unitEpochs, &projectIDs, &projectEpochs, &quiet)
			})
			return err
		})
	if err != nil {
		return QueueEpochs{}, time.Time{}, err
	}
	for i, id := range unitIDs {
		at.Units[id] = unitEpochs[i]
	}
	for i, id := range projectIDs {
		at.Projects[id] = projectEpochs[i]
	}
	if quiet == nil {
		return at, time.Time{}, nil
	}
	// Quiet once the clock is past that moment: the same up to and including it.
	return at, quiet.Add(time.Nanosecond), nil
}

// queueEpochs runs a queueEpochsSQL with its parameters and reads its row.
func (s *Store) queueEpochs(ctx context.Context, sql string, userID int64, units any, projects []int64) (QueueEpochs, error) {
	at := QueueEpochs{Units: map[int64]int64{}, Projects: map[int64]int64{}}
	var unitIDs, unitEpochs, projectEpochs []int64
	err := s.pool.QueryRow(ctx, sql, userID, units, projects).Scan(&at.Org, &at.User, &unitIDs, &unitEpochs, &projectEpochs)
	if err != nil {
		return QueueEpochs{}, err
	}
	for i, id := range unitIDs {
		at.Units[id] = unitEpochs[i]
	}
	for i, id := range projects {
		at.Projects[id] = projectEpochs[i]
	}
	return at, nil
}

// QueuePositions places each request among its holding unit's open requests, in the
// inbox's order, with one query for any number of requests. It counts index entries
// rather than ranking whole queues: per unit, those before its first asked request,
// then for each asked request those from that first one up to it (a page's requests
// sit together, so that span is short). The size and effort of each unit's queue are
// its load (unit_load: open, asked and committed, a phase split from a need counted
// once, as the unit's page counts it): summed from the queue, a shared service's
// 3,475 open requests cost 1.5 ms of every inbox drawn.
func (s *Store) QueuePositions(ctx context.Context, requestIDs []int64) (map[int64]accord.QueueEntry, error) {
	rows, err := s.pool.Query(ctx, `WITH asked AS (
			SELECT r.id, r.holder_unit_id, r.queue_tier, r.queue_date, r.queue_value, r.queue_sent FROM requests r
			WHERE r.id = ANY ($1) AND `+openRequest+`),
		firsts AS (
			SELECT DISTINCT ON (holder_unit_id) * FROM asked
			ORDER BY holder_unit_id, queue_tier, queue_date, queue_value, queue_sent, id),
		-- Once per unit: inlined, the planner could count a unit's queue once per asked
		-- request of it (20 × 2.6 ms for a queue of 3,475).
		heads AS MATERIALIZED (
			SELECT f.*, COALESCE(l.open, 0) AS n, COALESCE(l.asked + l.committed, 0)::float8 AS effort,
				(SELECT count(*) FROM requests r
				WHERE r.holder_unit_id = f.holder_unit_id AND `+openRequest+`
				  AND (`+queueKey+`) < (f.queue_tier, f.queue_date, f.queue_value, f.queue_sent, f.id)) AS before
			FROM firsts f LEFT JOIN unit_load l ON l.unit_id = f.holder_unit_id)
		SELECT a.id, h.before + (SELECT count(*) FROM requests r
				WHERE r.holder_unit_id = a.holder_unit_id AND `+openRequest+`
				  AND (`+queueKey+`) >= (h.queue_tier, h.queue_date, h.queue_value, h.queue_sent, h.id)
				  AND (`+queueKey+`) <= (a.queue_tier, a.queue_date, a.queue_value, a.queue_sent, a.id)),
			h.n, h.effort
		FROM asked a JOIN heads h ON h.holder_unit_id = a.holder_unit_id`, requestIDs)
	if err != nil {
		return nil, fmt.Errorf("store: queue positions: %w", err)
	}
	defer rows.Close()
	out := map[int64]accord.QueueEntry{}
	for rows.Next() {
		var id int64
		var q accord.QueueEntry
		if err := rows.Scan(&id, &q.Position, &q.Of, &q.Effort); err != nil {
			return nil, fmt.Errorf("store: queue positions: %w", err)
		}
		out[id] = q
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue positions: %w", err)
	}
	return out, nil
}

// Nudge records a manual reminder if the last one was at least accord.NudgeInterval
// ago; it returns when the next one is allowed otherwise.
func (s *Store) Nudge(ctx context.Context, v accord.Viewer, requestID int64, now time.Time) (time.Time, error) {
	var next time.Time
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		if err := accord.RefuseNudge(r, accord.RequestPartyOf(r, v)); err != nil {
			return err
		}
		ok, at := r.CanNudge(now)
		if !ok {
			next = at
			return accord.Errorf(accord.ECodeConflict, "request_nudge_too_soon", map[string]any{"At": at})
		}
		if _, err := tx.Exec(ctx, `UPDATE requests SET last_nudge_at = $2 WHERE id = $1`, requestID, now); err != nil {
			return err
		}
		next = now.Add(accord.NudgeInterval)
		head, err := holderHead(ctx, tx, r.HolderUnitID)
		if err != nil {
			return err
		}
		if err := notify(ctx, tx, accord.HolderContact(r, head), accord.NotifyNudge, r, v.User.ID, r.State, ""); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, r.ProjectID, accord.AuditRequest, requestID, accord.AuditNudge, nil,
			requestAuditFacts(r, map[string]any{"state": r.State}))
	})
	if err != nil {
		return next, fmt.Errorf("store: nudge request %d: %w", requestID, err)
	}
	return next, nil
}
