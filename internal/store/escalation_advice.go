package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

const adviceColumns = `a.escalation_id, a.adviser_user_id, u.name, u.name_en, a.question, a.asked_at, a.opinion, a.given_at`

// escalationAdvice lists the advice asked on escalation id, in the order asked.
func escalationAdvice(ctx context.Context, q querier, id int64) ([]accord.Advice, error) {
	rows, err := q.Query(ctx, `SELECT `+adviceColumns+` FROM escalation_advice a JOIN users u ON u.id = a.adviser_user_id
		WHERE a.escalation_id = $1 ORDER BY a.asked_at, a.adviser_user_id`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Advice, error) {
		var a accord.Advice
		err := r.Scan(&a.EscalationID, &a.AdviserUserID, &a.AdviserName, &a.AdviserNameEN, &a.Question, &a.AskedAt,
			&a.Opinion, &a.GivenAt)
		return a, err
	})
}

// EscalationAdvice lists the advice asked on an escalation, in the order asked.
func (s *Store) EscalationAdvice(ctx context.Context, id int64) ([]accord.Advice, error) {
	list, err := escalationAdvice(ctx, s.pool, id)
	if err != nil {
		return nil, fmt.Errorf("store: advice on escalation %d: %w", id, err)
	}
	return list, nil
}

// isAdviser is true when user (an expression) was asked for advice on escalation
// (another).
func isAdviser(escalation, user string) string {
	return `EXISTS (SELECT 1 FROM escalation_advice WHERE escalation_id = ` + escalation + ` AND adviser_user_id = ` + user + `)`
}

// EscalationStanding is what lets someone who is no side of an escalation read it
// (accord.EscalationParty): asked for advice on it, or told of it.
type EscalationStanding struct {
	Adviser bool // asked for advice on it: they may read it and answer
	Told    bool // told of it (toldOfEscalation)
}

// EscalationStandings is the standing on escalation id of each of userIDs, in one
// statement however many.
func (s *Store) EscalationStandings(ctx context.Context, id int64, userIDs []int64) (map[int64]EscalationStanding, error) {
	rows, err := s.pool.Query(ctx, `SELECT w.id, `+isAdviser(`$1`, `w.id`)+`, `+toldOfEscalation(`$1`, `w.id`)+`
		FROM unnest($2::bigint[]) AS w(id)`, id, userIDs)
	out := make(map[int64]EscalationStanding, len(userIDs))
	if err == nil {
		var userID int64
		var st EscalationStanding
		_, err = pgx.ForEachRow(rows, []any{&userID, &st.Adviser, &st.Told}, func() error {
			out[userID] = st
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: standing of users %v on escalation %d: %w", userIDs, id, err)
	}
	return out, nil
}

// AskAdvice has the superior of escalation id ask a person for an opinion
// (accord.RefuseAdviceRequest says who may ask whom); the adviser is told and may
// then read the escalation.
func (s *Store) AskAdvice(ctx context.Context, v accord.Viewer, id int64, in accord.AdviceRequest, now time.Time) (accord.Advice, error) {
	in.Normalize()
	var out accord.Advice
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		asked, err := escalationAdvice(ctx, tx, id)
		if err != nil {
			return err
		}
		var candidate accord.User
		var candidateParty accord.EscalationParty
		if cv, err := s.Viewer(ctx, in.AdviserUserID); err == nil {
			candidate, candidateParty = cv.User, accord.EscalationPartyOf(e, cv)
		} else if accord.ErrorCodeOf(err) != accord.ECodeNotFound {
			return err
		}
		if err := accord.RefuseAdviceRequest(e, accord.EscalationPartyOf(e, v), in, candidate, candidateParty, asked); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO escalation_advice (escalation_id, adviser_user_id, asked_by_user_id, question, asked_at)
			VALUES ($1, $2, $3, $4, $5)`, id, candidate.ID, v.User.ID, in.Question, now); err != nil {
			return err
		}
		if err := insertNotification(ctx, tx, notice{to: candidate.ID, kind: accord.NotifyAdviceAsked, request: e.Request,
			actor: v.User.ID, escalation: e.ID}); err != nil {
			return err
		}
		if err := auditProject(ctx, tx, v.User.ID, e.ProjectID, accord.AuditEscalation, id, accord.AuditAskAdvice, nil,
			map[string]any{"adviser": candidate.ID}); err != nil {
			return err
		}
		list, err := escalationAdvice(ctx, tx, id)
		for _, a := range list {
			if a.AdviserUserID == candidate.ID {
				out = a
			}
		}
		return err
	})
	if err != nil {
		return accord.Advice{}, fmt.Errorf("store: ask advice on escalation %d: %w", id, err)
	}
	return out, nil
}

// GiveOpinion records the opinion an adviser was asked for, once; the superior is
// told (accord.RefuseOpinion says when it may be given).
func (s *Store) GiveOpinion(ctx context.Context, userID, id int64, opinion string, now time.Time) (accord.Advice, error) {
	var out accord.Advice
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		e, err := lockEscalation(ctx, tx, id)
		if err != nil {
			return err
		}
		asked, err := escalationAdvice(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := accord.RefuseOpinion(e, userID, asked, opinion); err != nil {
			return err
		}
		in := accord.CommentInput{Body: opinion}
		in.Normalize()
		if _, err := tx.Exec(ctx, `UPDATE escalation_advice SET opinion = $3, given_at = $4
			WHERE escalation_id = $1 AND adviser_user_id = $2`, id, userID, in.Body, now); err != nil {
			return err
		}
		if err := insertNotification(ctx, tx, notice{to: e.AssignedUserID, kind: accord.NotifyAdviceGiven, request: e.Request,
			actor: userID, escalation: e.ID}); err != nil {
			return err
		}
		// The words stay with the escalation: the project's history says only that
		// an opinion was given.
		if err := auditProject(ctx, tx, userID, e.ProjectID, accord.AuditEscalation, id, accord.AuditOpinion, nil, nil); err != nil {
			return err
		}
		list, err := escalationAdvice(ctx, tx, id)
		for _, a := range list {
			if a.AdviserUserID == userID {
				out = a
			}
		}
		return err
	})
	if err != nil {
		return accord.Advice{}, fmt.Errorf("store: opinion on escalation %d: %w", id, err)
	}
	return out, nil
}
