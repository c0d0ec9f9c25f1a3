-- Replaces four trigger functions; creates and rewrites nothing, so it holds no table
-- for longer than a moment, at any scale.
--
-- A progress entry is the commonest write, and it paid for a project-wide refresh of
-- the portfolio's signals twice (its insert, then the request marked active) and for
-- the give and take of its units even when it logged no effort: about 5 ms of the
-- database alone, 15 ms under load. Each trigger now first asks whether the change can
-- move what it keeps, and keeps everything exactly as before
-- (store.TestPortfolioSignalsFollowEveryChange, ...UnderConcurrentChanges).
--
-- Correctness under concurrency, as 0013 says: a decision to leave a project's signals
-- alone is read after locking the project's signal row (in id order, as
-- refresh_project_signals does), so of two writers to one project the later decides on
-- what the earlier left.

-- Progress entries (0013 refreshed every project of the new rows, locked as here): the
-- signals count a live request whose latest entry is at high risk. Only an entry that
-- became its request's latest, with another answer to "high?" than the latest before
-- it, moves them (an entry slipped in under an earlier id leaves the latest what it
-- was, and compares equal).
CREATE OR REPLACE FUNCTION request_updates_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    locked bigint[];
BEGIN
    SELECT array_agg(project_id) INTO locked FROM (
        SELECT project_id FROM project_signals
        WHERE project_id IN (SELECT r.project_id FROM requests r WHERE r.id IN (SELECT request_id FROM new_rows))
        ORDER BY project_id FOR UPDATE) l;
    -- A request moved to another project since the lock was taken (or one with no
    -- signal row yet) is refreshed whatever it says: only what was locked is decided.
    PERFORM refresh_project_signals(ARRAY(
        SELECT DISTINCT r.project_id FROM requests r
        CROSS JOIN LATERAL (SELECT e.id, e.risk FROM request_updates e WHERE e.request_id = r.id
            ORDER BY e.id DESC LIMIT 1) latest
        WHERE r.id IN (SELECT request_id FROM new_rows)
          AND (r.project_id <> ALL (COALESCE(locked, '{}'))
            OR r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
              AND (latest.risk = 'high') IS DISTINCT FROM COALESCE((
                  SELECT e.risk = 'high' FROM request_updates e
                  WHERE e.request_id = r.id AND e.id NOT IN (SELECT id FROM new_rows)
                  ORDER BY e.id DESC LIMIT 1), false))
        ORDER BY 1));
    RETURN NULL;
END $$;

-- Requests: as 0013's, but a request only marked active later (a progress entry, a
-- comment) can move only its project's oldest activity, and only if it was the
-- oldest open one: its project is refreshed only then.
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
        -- The projects 0013 refreshed, locked as it did, before deciding which need it.
        PERFORM 1 FROM project_signals WHERE project_id IN (
            SELECT x.project_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.project_id), (n.project_id)) x (project_id)
            WHERE (o.state, o.due_date, o.last_activity_at, o.need_id, o.project_id)
                IS DISTINCT FROM (n.state, n.due_date, n.last_activity_at, n.need_id, n.project_id))
        ORDER BY project_id FOR UPDATE;
        -- Only rows whose signals could have moved: a nudge or a reworded message costs
        -- nothing, nor does later activity on a request that was not the oldest open one
        -- (or is not open).
        projects := ARRAY(
            SELECT DISTINCT x.project_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.project_id), (n.project_id)) x (project_id)
            WHERE (o.state, o.due_date, o.last_activity_at, o.need_id, o.project_id)
                IS DISTINCT FROM (n.state, n.due_date, n.last_activity_at, n.need_id, n.project_id)
              AND NOT COALESCE((o.state, o.due_date, o.need_id, o.project_id)
                    IS NOT DISTINCT FROM (n.state, n.due_date, n.need_id, n.project_id)
                AND (o.state NOT IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
                    OR (n.last_activity_at >= o.last_activity_at
                        AND o.last_activity_at > (SELECT s.oldest_activity FROM project_signals s
                            WHERE s.project_id = o.project_id))), false)
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

-- Logged effort: an entry logging none adds nothing, and moves no unit's give and take.
CREATE OR REPLACE FUNCTION request_updates_add_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE effort_days <> 0) THEN
        RETURN NULL;
    END IF;
    -- In request order, so concurrent inserts lock the rows in one order.
    INSERT INTO request_logged AS l (request_id, days)
    SELECT request_id, sum(effort_days) FROM new_rows WHERE effort_days <> 0 GROUP BY request_id ORDER BY request_id
    ON CONFLICT (request_id) DO UPDATE SET days = l.days + EXCLUDED.days;
    RETURN NULL;
END;
$$;

-- As 0034's, returning at once when the statement changed no row (an INSERT … ON
-- CONFLICT fires both the insert and the update trigger, one of them on no rows).
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
    IF ids IS NULL THEN
        RETURN NULL;
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
