-- unit_exchange keeps, per pair of units, what the holder gave the projects the owner
-- owns: the effort logged on those requests, the effort it committed to (the requests
-- agreed, in progress or delivered, each counting need_load_effort) and how many it
-- delivered. A unit's give and take (store.UnitLedger) reads its rows as holder and
-- as owner instead of summing the thousands of requests a shared service holds.
-- Requests still drafts are no exchange; a unit's requests to itself are not kept.
--
-- A request written and effort logged move their pairs by delta. A change that moves
-- other requests' effort (a need re-estimated, a phase split off or answered), an
-- owner's change and a deleted request recompute the pairs they touch from the
-- requests, under the pairs' row locks taken in (holder, owner) order: a concurrent
-- writer either committed before the lock was granted (and is read) or waits and
-- recomputes after, as unit_load does (0021).
CREATE TABLE unit_exchange (
    holder_unit_id bigint  NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    owner_unit_id  bigint  NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    logged         numeric NOT NULL DEFAULT 0,
    committed      numeric NOT NULL DEFAULT 0,
    delivered      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (holder_unit_id, owner_unit_id)
);
CREATE INDEX unit_exchange_owner ON unit_exchange (owner_unit_id, holder_unit_id);

-- unit_exchange_recompute sets the pairs (holders[i], owners[i]) from their requests.
CREATE FUNCTION unit_exchange_recompute(holders bigint[], owners bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    hs bigint[];
    os bigint[];
BEGIN
    SELECT COALESCE(array_agg(h ORDER BY h, o), '{}'), COALESCE(array_agg(o ORDER BY h, o), '{}') INTO hs, os
    FROM (SELECT DISTINCT h, o FROM unnest(holders, owners) x (h, o)
          WHERE h IS NOT NULL AND o IS NOT NULL AND h <> o) x;
    IF cardinality(hs) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO unit_exchange (holder_unit_id, owner_unit_id)
    SELECT h, o FROM unnest(hs, os) x (h, o) ORDER BY h, o
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM unit_exchange e JOIN unnest(hs, os) x (h, o) ON e.holder_unit_id = x.h AND e.owner_unit_id = x.o
    ORDER BY e.holder_unit_id, e.owner_unit_id FOR UPDATE OF e;
    UPDATE unit_exchange e SET logged = s.logged, committed = s.committed, delivered = s.delivered
    FROM unnest(hs, os) x (h, o)
    CROSS JOIN LATERAL (
        SELECT COALESCE(sum(l.days), 0) AS logged,
            COALESCE(sum(need_load_effort(r.need_id)) FILTER (WHERE r.state IN ('agreed', 'in_progress', 'delivered')), 0)
                AS committed,
            count(*) FILTER (WHERE r.state = 'delivered') AS delivered
        FROM projects p JOIN requests r ON r.project_id = p.id
        LEFT JOIN request_logged l ON l.request_id = r.id
        WHERE p.owning_unit_id = x.o AND r.holder_unit_id = x.h AND r.state <> 'draft') s
    WHERE e.holder_unit_id = x.h AND e.owner_unit_id = x.o;
END $$;

-- unit_exchange_touch recomputes the pairs of the request rows (holders[i] holding a
-- request of projects[i]) and of every request on needs, or on the needs phase-linked
-- to them, whose effort they change (need_load_effort). Which pair a request is in is
-- read after locking those requests FOR SHARE: a concurrent change of its holder, or
-- of its project's owner (whose trigger locks the project's requests, below), is
-- waited for, and READ COMMITTED reads what it wrote. Project rows are not locked
-- here: a project's own edit locks the project, then its requests, and a lock taken
-- the other way round would deadlock with it.
CREATE FUNCTION unit_exchange_touch(holders bigint[], projects bigint[], needs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    related bigint[];
    hs bigint[];
    os bigint[];
BEGIN
    IF cardinality(needs) > 0 THEN
        needs := needs || phase_linked_needs(needs);
        related := ARRAY(SELECT id FROM requests WHERE need_id = ANY (needs) ORDER BY id);
        PERFORM 1 FROM requests WHERE id = ANY (related) ORDER BY id FOR SHARE;
        projects := projects || ARRAY(SELECT project_id FROM requests WHERE id = ANY (related));
    END IF;
    SELECT array_agg(h), array_agg(o) INTO hs, os FROM (
        SELECT x.h, p.owning_unit_id AS o FROM unnest(holders, projects) x (h, pid) JOIN projects p ON p.id = x.pid
        WHERE x.h IS NOT NULL
        UNION
        SELECT r.holder_unit_id, p.owning_unit_id FROM requests r JOIN projects p ON p.id = r.project_id
        WHERE r.id = ANY (related)) x;
    PERFORM unit_exchange_recompute(hs, os);
END $$;

-- unit_exchange_delta adds the request rows in changes (a jsonb array of {sign, id,
-- holder, project, need, state}: +1 for a row as it is now, -1 as it was) to their
-- pairs, at their needs' current effort and their current logged effort: a write
-- costs its own rows, however many requests the pair holds. A row whose need is a
-- phase or has phases changes other requests' effort too (need_load_effort): the
-- statement's pairs are then recomputed whole instead. The caller holds the rows'
-- locks, so a concurrent change of the same request waits for this transaction.
CREATE FUNCTION unit_exchange_delta(changes jsonb) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    needs bigint[];
BEGIN
    needs := ARRAY(SELECT DISTINCT (c ->> 'need')::bigint FROM jsonb_array_elements(changes) c);
    IF cardinality(phase_linked_needs(needs)) > 0 THEN
        PERFORM unit_exchange_touch(ARRAY(SELECT (c ->> 'holder')::bigint FROM jsonb_array_elements(changes) c),
            ARRAY(SELECT (c ->> 'project')::bigint FROM jsonb_array_elements(changes) c), needs);
        RETURN;
    END IF;
    INSERT INTO unit_exchange AS e (holder_unit_id, owner_unit_id, logged, committed, delivered)
    SELECT x.holder, p.owning_unit_id, sum(x.sign * COALESCE(l.days, 0)),
        sum(x.sign * CASE WHEN x.state IN ('agreed', 'in_progress', 'delivered') THEN need_load_effort(x.need) ELSE 0 END),
        sum(x.sign * (x.state = 'delivered')::int)
    FROM jsonb_to_recordset(changes) x (sign int, id bigint, holder bigint, project bigint, need bigint, state text)
    JOIN projects p ON p.id = x.project
    LEFT JOIN request_logged l ON l.request_id = x.id
    WHERE x.state <> 'draft' AND x.holder <> p.owning_unit_id
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (holder_unit_id, owner_unit_id) DO UPDATE SET logged = e.logged + EXCLUDED.logged,
        committed = e.committed + EXCLUDED.committed, delivered = e.delivered + EXCLUDED.delivered;
END $$;

-- Requests: a new one, a state, a holder, a need or a project, by delta. A deleted
-- request's logged effort is gone with it (request_logged cascades), so its pairs are
-- recomputed instead. (PL/pgSQL plans a statement when it first runs it, so each
-- branch names only the transition tables its event has.)
CREATE FUNCTION requests_refresh_exchange() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes jsonb;
    hs bigint[];
    ps bigint[];
    ds bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('sign', 1, 'id', id, 'holder', holder_unit_id, 'project', project_id,
            'need', need_id, 'state', state)) INTO changes FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(holder_unit_id), array_agg(project_id), array_agg(need_id) INTO hs, ps, ds FROM old_rows;
        IF hs IS NOT NULL THEN
            PERFORM unit_exchange_touch(hs, ps, ds);
        END IF;
    ELSE
        -- Each row that changed what the exchange counts, as it was and as it is: a
        -- nudge or a reworded message costs nothing.
        SELECT jsonb_agg(x.c) INTO changes
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES
            (jsonb_build_object('sign', -1, 'id', o.id, 'holder', o.holder_unit_id, 'project', o.project_id,
                'need', o.need_id, 'state', o.state)),
            (jsonb_build_object('sign', 1, 'id', n.id, 'holder', n.holder_unit_id, 'project', n.project_id,
                'need', n.need_id, 'state', n.state))) x (c)
        WHERE (o.state, o.holder_unit_id, o.project_id, o.need_id)
            IS DISTINCT FROM (n.state, n.holder_unit_id, n.project_id, n.need_id);
    END IF;
    IF changes IS NOT NULL THEN
        PERFORM unit_exchange_delta(changes);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER requests_exchange_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_exchange();
CREATE TRIGGER requests_exchange_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_exchange();
CREATE TRIGGER requests_exchange_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_exchange();

-- Needs: an effort, or a phase split off or joined back, changes need_load_effort of
-- the need and of the need it was split from. (A need is deleted only without
-- requests, and a phase counts only through its requests.)
CREATE FUNCTION needs_refresh_exchange() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ds bigint[];
BEGIN
    ds := ARRAY(
        SELECT x.d FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES (n.id), (o.phase_of_need_id), (n.phase_of_need_id)) x (d)
        WHERE (o.effort_days, o.phase_of_need_id) IS DISTINCT FROM (n.effort_days, n.phase_of_need_id)
          AND x.d IS NOT NULL);
    IF cardinality(ds) > 0 THEN
        PERFORM unit_exchange_touch('{}', '{}', ds);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER needs_exchange_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION needs_refresh_exchange();

-- Projects: a new owning unit moves each of the project's requests from the pair with
-- the old owner to the pair with the new one.
CREATE FUNCTION projects_refresh_exchange() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[];
    hs bigint[];
    os bigint[];
BEGIN
    moved := ARRAY(SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.owning_unit_id IS DISTINCT FROM n.owning_unit_id);
    IF cardinality(moved) = 0 THEN
        RETURN NULL;
    END IF;
    -- A request passed to another unit meanwhile is waited for, and read as it is now;
    -- locked FOR NO KEY UPDATE, so effort being logged on one (which locks it FOR
    -- SHARE, below) either waits for this move or is read by it.
    PERFORM 1 FROM requests WHERE project_id = ANY (moved) ORDER BY id FOR NO KEY UPDATE;
    SELECT array_agg(r.holder_unit_id), array_agg(x.o) INTO hs, os
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    JOIN requests r ON r.project_id = n.id
    CROSS JOIN LATERAL (VALUES (o.owning_unit_id), (n.owning_unit_id)) x (o)
    WHERE o.owning_unit_id IS DISTINCT FROM n.owning_unit_id;
    IF hs IS NOT NULL THEN
        PERFORM unit_exchange_recompute(hs, os);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_exchange_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_refresh_exchange();

-- Logged effort: the change to request_logged, added to the pair of each request.
-- (A trigger with transition tables takes one event, so inserts and updates of
-- request_logged, both made by INSERT … ON CONFLICT, have one trigger each.)
CREATE FUNCTION request_logged_add_exchange() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER request_logged_exchange_insert AFTER INSERT ON request_logged
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logged_add_exchange();
CREATE TRIGGER request_logged_exchange_update AFTER UPDATE ON request_logged
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_logged_add_exchange();

-- Fill it for the requests already there.
INSERT INTO unit_exchange (holder_unit_id, owner_unit_id, logged, committed, delivered)
SELECT r.holder_unit_id, p.owning_unit_id, COALESCE(sum(l.days), 0),
    COALESCE(sum(need_load_effort(r.need_id)) FILTER (WHERE r.state IN ('agreed', 'in_progress', 'delivered')), 0),
    count(*) FILTER (WHERE r.state = 'delivered')
FROM requests r JOIN projects p ON p.id = r.project_id
LEFT JOIN request_logged l ON l.request_id = r.id
WHERE r.state <> 'draft' AND r.holder_unit_id <> p.owning_unit_id
GROUP BY 1, 2;
