-- The portfolio ranks every project in an executive's scope by health, and charts the
-- load on every unit. Aggregating 200,000 requests and 2,000,000 progress entries on
-- each page view took seconds, so the signals behind health are kept per project, and
-- the load per unit, by triggers in the same transaction as the change.
--
-- Correctness under concurrency (Accord runs READ COMMITTED only, where each statement
-- of a PL/pgSQL function takes a new snapshot):
-- * project_signals rows are recomputed from the source rows after locking them (in
--   id order), so a refresh that waited for another transaction sees its commit;
-- * pending escalations and unit_load are kept by additive deltas, which commute. A
--   request's load depends on its need's effort, so both sides take the need's row
--   lock (a request change FOR SHARE, an effort change by updating it) before reading
--   the other: whichever comes second sees the first one's commit.
--
-- The time-dependent signals (overdue, stale) are kept as the earliest date or
-- activity, so health at any moment is a comparison made when the page is read.
CREATE TABLE project_signals (
    project_id      bigint PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
    live            integer NOT NULL DEFAULT 0, -- sent and still open
    declined        integer NOT NULL DEFAULT 0,
    p0_declined     integer NOT NULL DEFAULT 0,
    high_risk       integer NOT NULL DEFAULT 0, -- open, latest progress entry at high risk
    delivered       integer NOT NULL DEFAULT 0,
    next_due        date,                       -- earliest date of an open request
    p0_next_due     date,                       -- the same among P0 needs
    oldest_activity timestamptz,                -- least recent activity of an open request
    escalations     integer NOT NULL DEFAULT 0  -- waiting for a superior's decision
);

-- Every unit on the path to a project's owning unit or to a unit holding one of its
-- needs: the project is in the scope of whoever heads one of them. Read by unit, from
-- the primary key alone.
CREATE TABLE project_reach (
    unit_id    bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, project_id)
);
CREATE INDEX project_reach_project_id ON project_reach (project_id);

-- What each unit is asked for right now: the requests it holds that are sent and open.
CREATE TABLE unit_load (
    unit_id   bigint PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    open      integer NOT NULL DEFAULT 0,       -- open and not declined
    asked     numeric NOT NULL DEFAULT 0,       -- effort of requested and countered ones
    committed numeric NOT NULL DEFAULT 0,       -- effort of agreed and in-progress ones
    declined  integer NOT NULL DEFAULT 0
);

-- refresh_project_signals recomputes the signals of the projects ids, and their reach
-- when reach is set (a project's row lock guards its reach rows too).
CREATE FUNCTION refresh_project_signals(ids bigint[], reach boolean DEFAULT false) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO project_signals (project_id)
    SELECT id FROM projects WHERE id = ANY (ids) ORDER BY id
    ON CONFLICT DO NOTHING;
    PERFORM 1 FROM project_signals WHERE project_id = ANY (ids) ORDER BY project_id FOR UPDATE;
    IF reach THEN
        DELETE FROM project_reach WHERE project_id = ANY (ids);
        INSERT INTO project_reach (unit_id, project_id)
        SELECT DISTINCT a, x.project_id
        FROM (SELECT id AS project_id, owning_unit_id AS unit_id FROM projects WHERE id = ANY (ids)
              UNION
              SELECT project_id, holder_unit_id FROM needs WHERE project_id = ANY (ids) AND holder_unit_id IS NOT NULL) x
        JOIN units u ON u.id = x.unit_id
        CROSS JOIN LATERAL unnest(u.path) a;
    END IF;
    UPDATE project_signals s
    SET live = x.live, declined = x.declined, p0_declined = x.p0_declined,
        high_risk = x.high_risk, delivered = x.delivered, next_due = x.next_due,
        p0_next_due = x.p0_next_due, oldest_activity = x.oldest_activity
    FROM (
        SELECT p.id,
            COALESCE(g.live, 0) AS live, COALESCE(g.declined, 0) AS declined,
            COALESCE(g.p0_declined, 0) AS p0_declined, COALESCE(g.high_risk, 0) AS high_risk,
            COALESCE(g.delivered, 0) AS delivered, g.next_due, g.p0_next_due, g.oldest_activity
        FROM projects p
        LEFT JOIN LATERAL (
            SELECT count(*) FILTER (WHERE r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')) AS live,
                count(*) FILTER (WHERE r.state = 'declined') AS declined,
                count(*) FILTER (WHERE r.state = 'declined' AND d.tier = 'P0') AS p0_declined,
                count(*) FILTER (WHERE lu.risk = 'high') AS high_risk,
                count(*) FILTER (WHERE r.state = 'delivered') AS delivered,
                min(r.due_date) FILTER (WHERE r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')) AS next_due,
                min(r.due_date) FILTER (WHERE r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
                                          AND d.tier = 'P0') AS p0_next_due,
                min(r.last_activity_at) FILTER (WHERE r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')) AS oldest_activity
            FROM requests r JOIN needs d ON d.id = r.need_id
            LEFT JOIN LATERAL (
                SELECT e.risk FROM request_updates e
                WHERE e.request_id = r.id AND r.state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress')
                ORDER BY e.id DESC LIMIT 1) lu ON true
            WHERE r.project_id = p.id) g ON true
        WHERE p.id = ANY (ids)) x
    WHERE s.project_id = x.id;
END $$;

-- unit_load_delta adds the load of the request rows in plus and removes that of the
-- rows in minus (jsonb arrays of {holder_unit_id, state, need_id}), at the needs'
-- current effort. The caller has locked those needs.
CREATE FUNCTION unit_load_delta(plus jsonb, minus jsonb) RETURNS void LANGUAGE sql AS $$
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

-- Requests: a change of state, date, activity, need, project or holder. (PL/pgSQL plans
-- a statement when it first runs it, so each branch names only the transition tables
-- its event has.)
CREATE FUNCTION requests_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER requests_signals_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_signals();
CREATE TRIGGER requests_signals_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_signals();
CREATE TRIGGER requests_signals_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION requests_refresh_signals();

-- Progress entries: the latest one's risk.
CREATE FUNCTION request_updates_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_project_signals(ARRAY(
        SELECT DISTINCT r.project_id FROM requests r WHERE r.id IN (SELECT request_id FROM new_rows) ORDER BY 1));
    RETURN NULL;
END $$;
CREATE TRIGGER request_updates_signals_insert AFTER INSERT ON request_updates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_updates_refresh_signals();

-- Needs: a holder (reach), a tier (P0 signals), an effort (load). A new holder is
-- locked FOR SHARE first, so a concurrent move of that unit waits for this transaction
-- and then refreshes a reach with this need in it (or this refresh waits for the move
-- and reads the new path).
CREATE FUNCTION needs_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM units WHERE id IN (SELECT holder_unit_id FROM new_rows) ORDER BY id FOR SHARE;
        PERFORM refresh_project_signals(ARRAY(SELECT DISTINCT project_id FROM new_rows ORDER BY 1), true);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM refresh_project_signals(ARRAY(SELECT DISTINCT project_id FROM old_rows ORDER BY 1), true);
    ELSE
        PERFORM 1 FROM units WHERE id IN (
            SELECT n.holder_unit_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.holder_unit_id IS DISTINCT FROM n.holder_unit_id) ORDER BY id FOR SHARE;
        PERFORM refresh_project_signals(ARRAY(
            SELECT DISTINCT x.project_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.project_id), (n.project_id)) x (project_id)
            WHERE (o.tier, o.holder_unit_id, o.project_id) IS DISTINCT FROM (n.tier, n.holder_unit_id, n.project_id)
            ORDER BY 1), true);
        -- This UPDATE holds the changed needs' locks: requests changed meanwhile are read here.
        INSERT INTO unit_load AS l (unit_id, asked, committed)
        SELECT r.holder_unit_id,
            COALESCE(sum(n.effort_days - o.effort_days) FILTER (WHERE r.state IN ('requested', 'countered')), 0),
            COALESCE(sum(n.effort_days - o.effort_days) FILTER (WHERE r.state IN ('agreed', 'in_progress')), 0)
        FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN requests r ON r.need_id = n.id
        WHERE o.effort_days <> n.effort_days AND r.state IN ('requested', 'agreed', 'countered', 'in_progress')
        GROUP BY r.holder_unit_id ORDER BY r.holder_unit_id
        ON CONFLICT (unit_id) DO UPDATE SET asked = l.asked + EXCLUDED.asked, committed = l.committed + EXCLUDED.committed;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER needs_signals_insert AFTER INSERT ON needs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION needs_refresh_signals();
CREATE TRIGGER needs_signals_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION needs_refresh_signals();
CREATE TRIGGER needs_signals_delete AFTER DELETE ON needs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION needs_refresh_signals();

-- Projects: every project has its row (its reach starts with its owning unit).
CREATE FUNCTION projects_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM units WHERE id IN (SELECT owning_unit_id FROM new_rows) ORDER BY id FOR SHARE;
        PERFORM refresh_project_signals(ARRAY(SELECT id FROM new_rows ORDER BY 1), true);
    ELSE
        PERFORM 1 FROM units WHERE id IN (
            SELECT n.owning_unit_id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.owning_unit_id IS DISTINCT FROM n.owning_unit_id) ORDER BY id FOR SHARE;
        PERFORM refresh_project_signals(ARRAY(
            SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.owning_unit_id IS DISTINCT FROM n.owning_unit_id ORDER BY 1), true);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_signals_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_refresh_signals();
CREATE TRIGGER projects_signals_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_refresh_signals();

-- Units: a unit moved under another parent changes the reach of every project it is in.
CREATE FUNCTION units_refresh_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_project_signals(ARRAY(
        SELECT DISTINCT r.project_id FROM project_reach r
        WHERE r.unit_id IN (SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.path IS DISTINCT FROM n.path)
        ORDER BY 1), true);
    RETURN NULL;
END $$;
CREATE TRIGGER units_signals_update AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION units_refresh_signals();

-- Escalations: pending ones counted by delta. (PL/pgSQL plans a statement when it
-- first runs it, so each branch may name only the transition tables its event has.)
CREATE FUNCTION escalations_count_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO project_signals AS s (project_id, escalations)
        SELECT project_id, count(*) FROM new_rows WHERE status IN ('open', 'sent_back')
        GROUP BY project_id ORDER BY project_id
        ON CONFLICT (project_id) DO UPDATE SET escalations = s.escalations + EXCLUDED.escalations;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE project_signals s SET escalations = s.escalations - d.n
        FROM (SELECT project_id, count(*) AS n FROM old_rows WHERE status IN ('open', 'sent_back')
              GROUP BY project_id) d
        WHERE s.project_id = d.project_id;
    ELSE
        INSERT INTO project_signals AS s (project_id, escalations)
        SELECT project_id, sum(delta) FROM (
            SELECT project_id, 1 AS delta FROM new_rows WHERE status IN ('open', 'sent_back')
            UNION ALL
            SELECT project_id, -1 FROM old_rows WHERE status IN ('open', 'sent_back')) d
        GROUP BY project_id HAVING sum(delta) <> 0 ORDER BY project_id
        ON CONFLICT (project_id) DO UPDATE SET escalations = s.escalations + EXCLUDED.escalations;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER escalations_pending_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_pending();
CREATE TRIGGER escalations_pending_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_pending();
CREATE TRIGGER escalations_pending_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_pending();

-- Fill both for the data already there.
SELECT refresh_project_signals(ARRAY(SELECT id FROM projects ORDER BY id), true);
UPDATE project_signals s SET escalations = e.n
FROM (SELECT project_id, count(*) AS n FROM escalations WHERE status IN ('open', 'sent_back') GROUP BY project_id) e
WHERE s.project_id = e.project_id;
SELECT unit_load_delta(COALESCE(jsonb_agg(jsonb_build_object('holder_unit_id', holder_unit_id, 'state', state,
    'need_id', need_id)), '[]'), '[]')
FROM requests WHERE state IN ('requested', 'agreed', 'declined', 'countered', 'in_progress');
