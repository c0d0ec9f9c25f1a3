package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// Decide records the superior's binding decision and applies it to the request in
// the same transaction, with a second record of the facts as the superior saw them.
// Only the superior it is routed to may decide; administrators may not.
func (s *Store) Decide(ctx context.Context, v accord.Viewer, id int64, version int, in accord.DecisionInput, now time.Time) (accord.Escalation, error) {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		status, err := accord.NextEscalationState(e.Status, accord.EscalationEventFor(in.Kind), accord.EscalationPartyOf(e, v))
		if err != nil {
			return err
		}
		if e.Version != version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		return applyDecision(ctx, tx, v, e, status, in, now)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: decide escalation %d: %w", id, err)
	}
	return s.Escalation(ctx, id)
}

// DecideDirectly records the binding decision of a lead who is the superior both
// units share, from the request page: an escalation raised and decided at once,
// marked direct and kept with its record like any other.
func (s *Store) DecideDirectly(ctx context.Context, v accord.Viewer, requestID int64, in accord.DecisionInput, now time.Time) (accord.Escalation, error) {
	var id int64
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		r, err := scanRequest(tx.QueryRow(ctx, `SELECT `+requestColumns+requestFrom+`WHERE r.id = $1 FOR UPDATE OF r`, requestID))
		if err != nil {
			return mapNotFound(err, "request_not_found")
		}
		sup, err := routeRequest(ctx, tx, r)
		if err != nil && accord.ErrorCodeOf(err) != accord.ECodeNotFound {
			return err
		}
		if !accord.MayDecideDirectly(r, v, sup) {
			return accord.Errorf(accord.ECodeForbidden, "escalation_not_superior", nil)
		}
		if in.Kind == accord.DecideSendBack {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "decision_kind_required",
				Fields: map[string]string{"kind": "decision_kind_required"}}
		}
		if !r.State.Open() || r.State == accord.RequestDraft {
			return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
		}
		// One binding ruling at a time: while a superior has the request, the lead waits.
		var pending bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM escalations WHERE request_id = $1
				AND status IN ('open', 'sent_back'))`, r.ID).Scan(&pending); err != nil {
			return err
		}
		if pending {
			return accord.Errorf(accord.ECodeConflict, "escalation_pending", nil)
		}
		var unit int64
		if err := tx.QueryRow(ctx, `SELECT id FROM units WHERE head_user_id = $1 AND id = ANY (
				SELECT unnest(path) FROM units WHERE id = $2) ORDER BY cardinality(path) DESC LIMIT 1`,
			v.User.ID, r.HolderUnitID).Scan(&unit); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO escalations (request_id, project_id, cause, assigned_user_id, assigned_unit_id,
				window_opened_at, window_due_at, created_by, created_at, party_decides, direct)
			VALUES ($1, $2, 'manual', $3, $4, $5, $5, $3, $5, true, true) RETURNING id`,
			r.ID, r.ProjectID, v.User.ID, unit, now).Scan(&id); err != nil {
			return err
		}
		if err := saveRecord(ctx, tx, id, "record_raised", r.ID, accord.CauseManual, "", now); err != nil {
			return err
		}
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		return applyDecision(ctx, tx, v, e, accord.EscalationDecided, in, now)
	})
	if err != nil {
		return accord.Escalation{}, fmt.Errorf("store: decide request %d directly: %w", requestID, err)
	}
	return s.Escalation(ctx, id)
}

// applyDecision validates in, freezes the facts as decided on, applies what the
// decision does to the request (accord.DecisionEffect), records the decision, tells
// both sides and the key person with its outcome and reason, and audits.
func applyDecision(ctx context.Context, tx pgx.Tx, v accord.Viewer, e accord.Escalation, status accord.EscalationStatus,
	in accord.DecisionInput, now time.Time) error {
	if err := in.Validate(); err != nil {
		return err
	}
	r := e.Request
	if !r.State.Open() {
		return accord.Errorf(accord.ECodeInvalid, "escalation_request_closed", nil)
	}
	if status == accord.EscalationDecided {
		// What the superior decided on, before the decision changes it.
		if err := saveRecord(ctx, tx, e.ID, "record_decided", r.ID, e.Cause, e.Reason, now); err != nil {
			return err
		}
	}
	fx := accord.DecisionEffect(r, in)
	if fx.NeedTier != "" {
		if _, err := tx.Exec(ctx, `UPDATE needs SET tier = $2, version = version + 1 WHERE id = $1`, r.NeedID, fx.NeedTier); err != nil {
			return err
		}
	}
	if fx.Alternative != nil {
		if in.AltUnitID != nil {
			if err := checkUnitField(ctx, tx, *in.AltUnitID, "alt_holder"); err != nil {
				return err
			}
		}
		alt := fx.Alternative
		if _, err := tx.Exec(ctx, `INSERT INTO needs (project_id, title, holder_unit_id, external_party, tier, needed_by,
				effort_days, notes)
			SELECT project_id, $2, $3, $4, tier, COALESCE($5, needed_by), effort_days, $6 FROM needs WHERE id = $1`,
			r.NeedID, alt.Title, alt.HolderUnitID, alt.ExternalParty, alt.NeededBy, alt.Notes); err != nil {
			return err
		}
	}
	if fx.Changes {
		if _, err := tx.Exec(ctx, `UPDATE requests SET state = $2, scope = $3, due_date = $4, binding = binding OR $5,
				answered_at = CASE WHEN $6 THEN COALESCE(answered_at, $7) ELSE answered_at END,
				last_activity_at = $7, version = version + 1 WHERE id = $1`,
			r.ID, fx.State, fx.Scope, fx.DueDate, fx.Binding, fx.Answered, now); err != nil {
			return err
		}
	}
	// A stand-in decides for the absent superior, and the record says so.
	actorFor := accord.EscalationPartyOf(e, v).SuperiorFor
	if _, err := tx.Exec(ctx, `UPDATE escalations SET status = $2, decision = $3, decision_note = $4,
			decided_by = $5, decided_at = CASE WHEN $2 = 'decided' THEN $6::timestamptz END, decided_for = $7,
			version = version + 1
		WHERE id = $1`, e.ID, status, in.Kind, in.Note, v.User.ID, now, actorFor.ForUserID()); err != nil {
		return err
	}
	kind := accord.NotifyEscalationSentBack
	if status == accord.EscalationDecided {
		kind = accord.NotifyEscalationDecided
		// The sweep holds back other causes while an escalation waits (see
		// accord.CausesToRaise): the request is due for a look again.
		if _, err := tx.Exec(ctx, `UPDATE requests SET escalate_at = '-infinity' WHERE id = $1`, r.ID); err != nil {
			return err
		}
	}
	head, err := holderHead(ctx, tx, r.HolderUnitID)
	if err != nil {
		return err
	}
	told := map[int64]bool{}
	followers, err := followerIDs(ctx, tx, accord.CommentOnEscalation, e.ID)
	if err != nil {
		return err
	}
	for _, to := range append(accord.DecisionAudience(r, head), followers...) { // followers hear the decision too
		if told[to] {
			continue
		}
		told[to] = true
		if err := insertNotification(ctx, tx, notice{to: to, kind: kind, request: r, actor: v.User.ID, state: fx.State,
			escalation: e.ID, decision: in.Kind, reason: in.Note, actorFor: actorFor}); err != nil {
			return err
		}
	}
	return auditProject(ctx, tx, v.User.ID, e.ProjectID, accord.AuditEscalation, e.ID, accord.AuditDecide, nil, decisionAudit{
		DecisionInput: in, RequestID: r.ID, NeedTitle: r.NeedTitle, NeedTitleEN: r.NeedTitleEN,
		Direct: e.Direct, PartyDecides: e.PartyDecides, For: actorFor})
}

// decisionAudit is what the project's history keeps of a decision: the decision as
// given and the request it ruled on, named as it was then.
type decisionAudit struct {
	accord.DecisionInput
	RequestID    int64
	NeedTitle    string
	NeedTitleEN  string
	Direct       bool
	PartyDecides bool
	For          *accord.ActingFor `json:",omitempty"` // the absent superior a stand-in decided for
}

// Reassign moves a stuck escalation to another head, with a reason: an
// administrator's act, who keeps the tree and never decides. The new head gets a
// full window and is told why; the move is audited.
func (s *Store) Reassign(ctx context.Context, v accord.Viewer, id, toUserID int64, reason string, windowDays int, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := accord.NextEscalationState(e.Status, accord.EventReassign, accord.EscalationPartyOf(e, v)); err != nil {
			return err
		}
		// The two sides' paths, their heads, and the open units the chosen person heads
		// as an active user, for accord's rule.
		var pathA, pathB, headed []int64
		var owningHead, holderHead int64
		err = tx.QueryRow(ctx, `SELECT ou.path, hu.path, COALESCE(ou.head_user_id, 0), COALESCE(hu.head_user_id, 0),
				ARRAY(SELECT n.id FROM units n JOIN users nu ON nu.id = n.head_user_id AND nu.deactivated_at IS NULL
					WHERE n.head_user_id = $1 AND n.closed_at IS NULL)
			FROM projects p JOIN units ou ON ou.id = p.owning_unit_id, units hu
			WHERE p.id = $3 AND hu.id = $2`, toUserID, e.Request.HolderUnitID, e.ProjectID).Scan(&pathA, &pathB,
			&owningHead, &holderHead, &headed)
		if err != nil {
			return err
		}
		unit, above := accord.UnitAboveBoth(pathA, pathB, headed)
		if err := accord.CheckReassign(e, toUserID, above, accord.Parties{owningHead, holderHead, e.Request.LeadUserID}, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET assigned_user_id = $2, assigned_unit_id = $3,
				window_opened_at = $4, window_due_at = $5, reminded_half = false, reminded_late = false, at_top = false,
				party_decides = false, version = version + 1
			WHERE id = $1`, id, toUserID, unit, now, accord.AddWorkingDays(now, windowDays, now.Location())); err != nil {
			return err
		}
		if err := insertNotification(ctx, tx, notice{to: toUserID, kind: accord.NotifyEscalationReassigned, request: e.Request,
			actor: v.User.ID, state: e.Request.State, escalation: id, reason: reason}); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, accord.AuditEscalation, id, accord.AuditReassign,
			map[string]any{"assigned_user_id": e.AssignedUserID, "unit_id": e.AssignedUnitID},
			map[string]any{"assigned_user_id": toUserID, "unit_id": unit, "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("store: reassign escalation %d: %w", id, err)
	}
	return nil
}

// RefreshRecord takes a new record of the facts for a pending escalation at the
// lead's request ("refresh with today's data"), and notes it in the history.
func (s *Store) RefreshRecord(ctx context.Context, v accord.Viewer, id int64, now time.Time) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := accord.NextEscalationState(e.Status, accord.EventRefresh, accord.EscalationPartyOf(e, v)); err != nil {
			return err
		}
		if err := saveRecord(ctx, tx, id, "record_raised", e.RequestID, e.Cause, e.Reason, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE escalations SET version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		return auditProject(ctx, tx, v.User.ID, e.ProjectID, accord.AuditEscalation, id, accord.AuditRefresh, nil,
			map[string]any{"request_id": e.RequestID})
	})
	if err != nil {
		return fmt.Errorf("store: refresh the record of escalation %d: %w", id, err)
	}
	return nil
}
