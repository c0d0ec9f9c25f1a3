package store

import (
	"context"
	"fmt"

	"accord/internal/accord"
)

// UnitPlan returns the plan for one unit a project involves (it holds one of the
// project's needs, or the lead has planned for it), saved or not (Version 0). A unit
// the project does not involve has no plan: not found. The workbook's forms and the
// API both load a plan through it, so both refuse the same units.
func (s *Store) UnitPlan(ctx context.Context, projectID, unitID int64) (accord.UnitPlan, error) {
	var p accord.UnitPlan
	err := s.pool.QueryRow(ctx, `SELECT $1::bigint, u.id, u.name, u.name_en, COALESCE(pu.concerns, '{}'),
			COALESCE(pu.kpis, '{}'), COALESCE(pu.they_need, ''), COALESCE(pu.we_give, ''), COALESCE(pu.they_get, ''),
			COALESCE(pu.proposal, ''), COALESCE(pu.option_a, ''), COALESCE(pu.option_b, ''), COALESCE(pu.option_c, ''),
			COALESCE(pu.stance, ''), COALESCE(pu.approach_order, 0), COALESCE(pu.version, 0)
		FROM units u LEFT JOIN project_units pu ON pu.project_id = $1 AND pu.unit_id = u.id
		WHERE u.id = $2 AND (pu.unit_id IS NOT NULL
			OR EXISTS (SELECT 1 FROM needs WHERE project_id = $1 AND holder_unit_id = $2))`, projectID, unitID).
		Scan(&p.ProjectID, &p.UnitID, &p.UnitName, &p.UnitNameEN, &p.Concerns, &p.KPIs, &p.TheyNeed, &p.WeGive,
			&p.TheyGet, &p.Proposal, &p.OptionA, &p.OptionB, &p.OptionC, &p.Stance, &p.ApproachOrder, &p.Version)
	if err != nil {
		return accord.UnitPlan{}, fmt.Errorf("store: plan for unit %d in project %d: %w", unitID, projectID,
			mapNotFound(err, "unit_not_found"))
	}
	return p, nil
}
