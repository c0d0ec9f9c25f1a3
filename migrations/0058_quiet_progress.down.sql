-- Restores the bodies of 0013 (request_updates_refresh_signals, requests_refresh_signals),
-- 0033 (request_updates_add_logged) and 0034 (request_logged_add_exchange).
CREATE OR REPLACE FUNCTION request_updates_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_project_signals(ARRAY(
        SELECT DISTINCT r.project_id FROM requests r WHERE r.id IN (SELECT request_id FROM new_rows) ORDER BY 1));
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION requests_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    plus jsonb;
    minus jsonb;
    projects bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        projects := ARRAY(SELECT DISTINCT project_id FROM new_rows ORDER BY 1);
        plus := (SELECT jsonb_agg(jsonb_build_object('holder_unit_id', holder_unit_id, 'state', state, 'need_id', need_id))
                 FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        projects := ARRAY(SELECT DISTINCT project_id FROM old_rows ORDER BY 1);
        minus := (SELECT jsonb_agg(jsonb_build_object('holder_unit_id', holder_unit_id, 'state', state, 'need_id', need_id))
                  FROM old_rows);
    ELSE
        -- Only rows whose signals could have moved: a nudge or a reworded message costs nothing.
        projects := ARRAY(
            SELECT DISTINCT x.project_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.project_id), (n.project_id)) x (project_id)
            WHERE (o.state, o.due_date, o.last_activity_at, o.need_id, o.project_id)
                IS DISTINCT FROM (n.state, n.due_date, n.last_activity_at, n.need_id, n.project_id)
            ORDER BY 1);
        SELECT jsonb_agg(jsonb_build_object('holder_unit_id', n.holder_unit_id, 'state', n.state, 'need_id', n.need_id)),
               jsonb_agg(jsonb_build_object('holder_unit_id', o.holder_unit_id, 'state', o.state, 'need_id', o.need_id))
        INTO plus, minus
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE (o.state, o.need_id, o.holder_unit_id) IS DISTINCT FROM (n.state, n.need_id, n.holder_unit_id);
    END IF;
    PERFORM refresh_project_signals(projects);
    IF plus IS NOT NULL OR minus IS NOT NULL THEN
        plus := COALESCE(plus, '[]');
        minus := COALESCE(minus, '[]');
        PERFORM 1 FROM needs
        WHERE id IN (SELECT (e ->> 'need_id')::bigint FROM jsonb_array_elements(plus || minus) e)
        ORDER BY id FOR SHARE;
        PERFORM unit_load_delta(plus, minus);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION request_updates_add_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In request order, so concurrent inserts lock the rows in one order.
    INSERT INTO request_logged AS l (request_id, days)
    SELECT request_id, sum(effort_days) FROM new_rows GROUP BY request_id ORDER BY request_id
    ON CONFLICT (request_id) DO UPDATE SET days = l.days + EXCLUDED.days;
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION request_logged_add_exchange() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    days numeric[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(request_id ORDER BY request_id), array_agg(n.days ORDER BY request_id) INTO ids, days
        FROM new_rows n;
    ELSE
        SELECT array_agg(n.request_id ORDER BY n.request_id), array_agg(n.days - o.days ORDER BY n.request_id)
        INTO ids, days
        FROM old_rows o JOIN new_rows n ON n.request_id = o.request_id;
    END IF;
    -- The pair each request is in, read after waiting for a concurrent change of its
    -- holder or its project's owner (both lock the request; FOR SHARE, in id order).
    PERFORM 1 FROM requests WHERE id = ANY (ids) ORDER BY id FOR SHARE;
    INSERT INTO unit_exchange AS e (holder_unit_id, owner_unit_id, logged)
    SELECT r.holder_unit_id, p.owning_unit_id, sum(x.days)
    FROM unnest(ids, days) x (request_id, days)
    JOIN requests r ON r.id = x.request_id JOIN projects p ON p.id = r.project_id
    WHERE r.holder_unit_id <> p.owning_unit_id AND r.state <> 'draft'
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (holder_unit_id, owner_unit_id) DO UPDATE SET logged = e.logged + EXCLUDED.logged;
    RETURN NULL;
END $$;
