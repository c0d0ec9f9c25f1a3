-- A first phase split from a need is part of that need's effort (accord.EffortCounted),
-- so the load on a unit must not count it twice: a request counts its need's effort
-- less the effort of the phases split from that need that are on the tracker (their
-- request not cancelled), and each phase counts its own. A request whose need has
-- such phases or is one depends on other requests, which additive deltas cannot
-- follow; the units holding them are recomputed from their requests instead, under
-- the same unit_load row locks the deltas take, in unit order.

-- need_load_effort is the effort need counts in a unit's load: its own, less that of
-- its live phases.
CREATE FUNCTION need_load_effort(need bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT GREATEST(d.effort_days - COALESCE((
        SELECT sum(pd.effort_days) FROM needs pd
        WHERE pd.phase_of_need_id = d.id
          AND EXISTS (SELECT 1 FROM requests pr WHERE pr.need_id = pd.id AND pr.state <> 'cancelled')), 0), 0)
    FROM needs d WHERE d.id = need;
$$;

-- unit_load_recompute sets the load of units from their requests. The caller holds
-- their unit_load rows locked, so a concurrent delta either committed before (and is
-- read here) or waits and applies after.
CREATE FUNCTION unit_load_recompute(units bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE unit_load l SET open = x.open, asked = x.asked, committed = x.committed, declined = x.declined
    FROM (
        SELECT u.id,
            count(r.id) FILTER (WHERE r.state IN ('requested', 'agreed', 'countered', 'in_progress')) AS open,
            COALESCE(sum(need_load_effort(r.need_id)) FILTER (WHERE r.state IN ('requested', 'countered')), 0) AS asked,
            COALESCE(sum(need_load_effort(r.need_id)) FILTER (WHERE r.state IN ('agreed', 'in_progress')), 0) AS committed,
            count(r.id) FILTER (WHERE r.state = 'declined') AS declined
        FROM unnest(units) u (id)
        LEFT JOIN requests r ON r.holder_unit_id = u.id AND r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
        GROUP BY u.id) x
    WHERE l.unit_id = x.id;
$$;

-- phase_linked_needs keeps, of needs, those that are phases or have phases split from
-- them, with the needs they were split from.
CREATE FUNCTION phase_linked_needs(needs bigint[]) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT ARRAY(
        SELECT d.id FROM needs d
        WHERE d.id = ANY (needs)
          AND (d.phase_of_need_id IS NOT NULL OR EXISTS (SELECT 1 FROM needs c WHERE c.phase_of_need_id = d.id))
        UNION
        SELECT d.phase_of_need_id FROM needs d WHERE d.id = ANY (needs) AND d.phase_of_need_id IS NOT NULL);
$$;

-- unit_load_delta, as in 0013, adds the load of the request rows in plus and removes
-- that of the rows in minus; rows on phase-linked needs, and every row of the units
-- holding requests on them, are recomputed instead.
CREATE OR REPLACE FUNCTION unit_load_delta(plus jsonb, minus jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    linked bigint[];
    recompute bigint[];
BEGIN
    linked := phase_linked_needs(ARRAY(SELECT (e ->> 'need_id')::bigint FROM jsonb_array_elements(plus || minus) e));
    recompute := ARRAY(
        SELECT (e ->> 'holder_unit_id')::bigint FROM jsonb_array_elements(plus || minus) e
        WHERE (e ->> 'need_id')::bigint = ANY (linked)
        UNION
        SELECT r.holder_unit_id FROM requests r WHERE r.need_id = ANY (linked)
        ORDER BY 1);
    IF cardinality(recompute) > 0 THEN
        INSERT INTO unit_load (unit_id) SELECT u FROM unnest(recompute) u ORDER BY u ON CONFLICT DO NOTHING;
        -- Every row this statement changes, locked in unit order before any is written.
        PERFORM 1 FROM unit_load
        WHERE unit_id = ANY (recompute)
           OR unit_id IN (SELECT (e ->> 'holder_unit_id')::bigint FROM jsonb_array_elements(plus || minus) e)
        ORDER BY unit_id FOR UPDATE;
    END IF;
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
      AND c.unit <> ALL (recompute)
    GROUP BY c.unit
    ORDER BY c.unit
    ON CONFLICT (unit_id) DO UPDATE SET open = l.open + EXCLUDED.open, asked = l.asked + EXCLUDED.asked,
        committed = l.committed + EXCLUDED.committed, declined = l.declined + EXCLUDED.declined;
    IF cardinality(recompute) > 0 THEN
        PERFORM unit_load_recompute(recompute);
    END IF;
END $$;

-- A phase's effort changed: the need it was split from counts the difference the
-- other way. The needs trigger of 0013 has added the plain delta first (triggers run
-- in name order); the units involved are then recomputed whole.
CREATE FUNCTION needs_refresh_phase_load() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    linked bigint[];
    recompute bigint[];
BEGIN
    linked := phase_linked_needs(ARRAY(
        SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.effort_days <> n.effort_days));
    IF cardinality(linked) = 0 THEN
        RETURN NULL;
    END IF;
    recompute := ARRAY(SELECT DISTINCT r.holder_unit_id FROM requests r WHERE r.need_id = ANY (linked) ORDER BY 1);
    IF cardinality(recompute) > 0 THEN
        INSERT INTO unit_load (unit_id) SELECT u FROM unnest(recompute) u ORDER BY u ON CONFLICT DO NOTHING;
        PERFORM 1 FROM unit_load WHERE unit_id = ANY (recompute) ORDER BY unit_id FOR UPDATE;
        PERFORM unit_load_recompute(recompute);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER needs_signals_update_phases AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION needs_refresh_phase_load();

-- Loads kept so far counted phases twice; recount the units holding phase-linked requests.
DO $$
DECLARE
    units bigint[];
BEGIN
    units := ARRAY(SELECT DISTINCT r.holder_unit_id FROM requests r JOIN needs d ON d.id = r.need_id
        WHERE d.phase_of_need_id IS NOT NULL OR EXISTS (SELECT 1 FROM needs c WHERE c.phase_of_need_id = d.id)
        ORDER BY 1);
    INSERT INTO unit_load (unit_id) SELECT u FROM unnest(units) u ORDER BY u ON CONFLICT DO NOTHING;
    PERFORM unit_load_recompute(units);
END $$;
