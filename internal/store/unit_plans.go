package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// UnitPlans returns one plan per involved unit of a project — every unit holding a
// need plus every unit the lead has planned for — saved or not (Version 0), ordered
// by the approach order and then the tree.
func (s *Store) UnitPlans(ctx context.Context, projectID int64) ([]accord.UnitPlan, error) {
	rows, err := s.pool.Query(ctx, `WITH involved AS (
			SELECT holder_unit_id AS unit_id FROM needs WHERE project_id = $1 AND holder_unit_id IS NOT NULL AND archived_at IS NULL
			UNION SELECT unit_id FROM project_units WHERE project_id = $1)
		SELECT $1::bigint, u.id, u.name, u.name_en, COALESCE(pu.concerns, '{}'), COALESCE(pu.kpis, '{}'),
			COALESCE(pu.they_need, ''), COALESCE(pu.we_give, ''), COALESCE(pu.they_get, ''), COALESCE(pu.proposal, ''),
			COALESCE(pu.option_a, ''), COALESCE(pu.option_b, ''), COALESCE(pu.option_c, ''),
			COALESCE(pu.stance, ''), COALESCE(pu.approach_order, 0), COALESCE(pu.version, 0)
		FROM involved i JOIN units u ON u.id = i.unit_id
		LEFT JOIN project_units pu ON pu.project_id = $1 AND pu.unit_id = u.id
		ORDER BY COALESCE(NULLIF(pu.approach_order, 0), 1000), u.path`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: unit plans of project %d: %w", projectID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.UnitPlan, error) {
		var p accord.UnitPlan
		err := r.Scan(&p.ProjectID, &p.UnitID, &p.UnitName, &p.UnitNameEN, &p.Concerns, &p.KPIs, &p.TheyNeed, &p.WeGive,
			&p.TheyGet, &p.Proposal, &p.OptionA, &p.OptionB, &p.OptionC, &p.Stance, &p.ApproachOrder, &p.Version)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: unit plans of project %d: %w", projectID, err)
	}
	return list, nil
}

// SaveUnitPlan creates (plan.Version 0) or updates the plan for one unit, refusing a
// stale version. It returns the saved plan.
func (s *Store) SaveUnitPlan(ctx context.Context, actorID int64, plan accord.UnitPlan) (accord.UnitPlan, error) {
	// The columns are NOT NULL arrays; pgx sends a nil slice as NULL.
	plan.Concerns, plan.KPIs = nonNil(plan.Concerns), nonNil(plan.KPIs)
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := checkEditor(ctx, tx, actorID, plan.ProjectID); err != nil {
			return err
		}
		var unitOK bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, plan.UnitID).Scan(&unitOK); err != nil {
			return err
		}
		if !unitOK {
			return &accord.Error{Code: accord.ECodeInvalid, MessageID: "unit_not_found", Fields: map[string]string{"unit_id": "unit_not_found"}}
		}
		var before *accord.UnitPlan
		var cur accord.UnitPlan
		err := tx.QueryRow(ctx, `SELECT concerns, kpis, they_need, we_give, they_get, proposal, option_a, option_b, option_c,
				stance, approach_order, version
			FROM project_units WHERE project_id = $1 AND unit_id = $2 FOR UPDATE`, plan.ProjectID, plan.UnitID).
			Scan(&cur.Concerns, &cur.KPIs, &cur.TheyNeed, &cur.WeGive, &cur.TheyGet, &cur.Proposal, &cur.OptionA,
				&cur.OptionB, &cur.OptionC, &cur.Stance, &cur.ApproachOrder, &cur.Version)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			before = &cur
		}
		curVersion := 0
		if before != nil {
			curVersion = before.Version
		}
		if curVersion != plan.Version {
			return accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
		}
		_, err = tx.Exec(ctx, `INSERT INTO project_units AS pu (project_id, unit_id, concerns, kpis, they_need, we_give,
				they_get, proposal, option_a, option_b, option_c, stance, approach_order)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (project_id, unit_id) DO UPDATE SET concerns = $3, kpis = $4, they_need = $5, we_give = $6,
				they_get = $7, proposal = $8, option_a = $9, option_b = $10, option_c = $11, stance = $12,
				approach_order = $13, version = pu.version + 1`,
			plan.ProjectID, plan.UnitID, plan.Concerns, plan.KPIs, plan.TheyNeed, plan.WeGive, plan.TheyGet,
			plan.Proposal, plan.OptionA, plan.OptionB, plan.OptionC, plan.Stance, plan.ApproachOrder)
		if err != nil {
			return err
		}
		plan.Version = curVersion + 1
		var beforeAudit any
		if before != nil {
			beforeAudit = planAudit(*before)
		}
		return auditProject(ctx, tx, actorID, plan.ProjectID, accord.AuditUnitPlan, plan.UnitID, accord.AuditSave, beforeAudit, planAudit(plan))
	})
	if err != nil {
		return accord.UnitPlan{}, fmt.Errorf("store: save plan for unit %d in project %d: %w", plan.UnitID, plan.ProjectID, err)
	}
	return plan, nil
}

func planAudit(p accord.UnitPlan) map[string]any {
	return map[string]any{"concerns": p.Concerns, "kpis": p.KPIs, "they_need": p.TheyNeed, "we_give": p.WeGive,
		"they_get": p.TheyGet, "proposal": p.Proposal, "option_a": p.OptionA, "option_b": p.OptionB,
		"option_c": p.OptionC, "stance": p.Stance, "approach_order": p.ApproachOrder}
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
