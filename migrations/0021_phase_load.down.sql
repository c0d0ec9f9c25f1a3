DROP TRIGGER IF EXISTS needs_signals_update_phases ON needs;
DROP FUNCTION IF EXISTS needs_refresh_phase_load();
-- The load as 0013 kept it, by additive deltas only.
CREATE OR REPLACE FUNCTION unit_load_delta(plus jsonb, minus jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO unit_load AS l (unit_id, open, asked, committed, declined)
    SELECT c.unit,
        COALESCE(sum(c.sign) FILTER (WHERE c.state IN ('requested', 'agreed', 'countered', 'in_progress')), 0),
        COALESCE(sum(c.sign * d.effort_days) FILTER (WHERE c.state IN ('requested', 'countered')), 0),
        COALESCE(sum(c.sign * d.effort_days) FILTER (WHERE c.state IN ('agreed', 'in_progress')), 0),
        COALESCE(sum(c.sign) FILTER (WHERE c.state = 'declined'), 0)
    FROM (
        SELECT (e ->> 'holder_unit_id')::bigint AS unit, e ->> 'state' AS state, (e ->> 'need_id')::bigint AS need, 1 AS sign
        FROM jsonb_array_elements(plus) e
        UNION ALL
        SELECT (e ->> 'holder_unit_id')::bigint, e ->> 'state', (e ->> 'need_id')::bigint, -1
        FROM jsonb_array_elements(minus) e) c
    JOIN needs d ON d.id = c.need
    WHERE c.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
    GROUP BY c.unit
    ORDER BY c.unit
    ON CONFLICT (unit_id) DO UPDATE SET open = l.open + EXCLUDED.open, asked = l.asked + EXCLUDED.asked,
        committed = l.committed + EXCLUDED.committed, declined = l.declined + EXCLUDED.declined;
$$;
DROP FUNCTION IF EXISTS phase_linked_needs(bigint[]);
DROP FUNCTION IF EXISTS unit_load_recompute(bigint[]);
DROP FUNCTION IF EXISTS need_load_effort(bigint);
