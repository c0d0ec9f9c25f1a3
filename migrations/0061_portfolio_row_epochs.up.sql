-- Creates one empty table, adds a column with a constant default to an empty table,
-- replaces three functions and one trigger: it holds no table for longer than a
-- moment, at any scale.
--
-- A portfolio (pages/portfolio_routes.go) was kept by the company's portfolio_epoch
-- alone (0056), so a write that changed one project's row moved every executive's
-- page, listing that project or not: a request gone quiet made active again (its
-- project's count of quiet requests, 0059), a progress entry at another risk than the
-- last (its count of requests at high risk). Under a working mix these were most of
-- the portfolio's drawings.
--
-- What a portfolio shows of a project splits in two:
--   - what ranks, sums and colours it on every page in scope: its status, goal, value,
--     currency, escalations and severity (sev_static, the dates that lower it, its
--     cadence, and its oldest activity while that can lower it). A change moves the
--     company's epoch, as before.
--   - what only its own listed row shows: its live, declined (P0 and all), delivered
--     and high-risk counts, and how many of its requests are quiet. A change moves the
--     project's row epoch here, and a page is kept with the row epochs of the projects
--     it lists, read with them (store.CompanyEpochs).
-- TestEveryPortfolioSignalIsFollowed changes each column of project_signals in turn and
-- checks which epoch it moves.
CREATE TABLE portfolio_row_epochs (
    project_id bigint PRIMARY KEY, -- no foreign key, as project_epochs: moved at commit, after a delete too
    epoch      bigint NOT NULL
);

ALTER TABLE content_epoch_moves ADD COLUMN portfolio_rows bigint[] NOT NULL DEFAULT '{}';

-- Notes, for the commit, that the portfolio rows of projects move (0056's
-- note_company_epoch_move for one project's row).
CREATE FUNCTION note_portfolio_row_moves(projects bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(projects) > 0 THEN
        INSERT INTO content_epoch_moves (portfolio_rows) VALUES (projects);
        PERFORM set_config('accord.content_epochs_moved', 'no', true);
    END IF;
END $$;

-- 0057's, moving the portfolio's rows too, last. A transaction that moved the
-- company's portfolio epoch leaves them: every page kept before it is drawn again.
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org       boolean;
    moved_portfolio boolean;
    moved_search    boolean;
    moved           bigint[];
    moved_units     bigint[];
    moved_users     bigint[];
    moved_rows      bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, portfolio, search, projects, units, users, portfolio_rows)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT bool_or(g.portfolio) FROM gone g),
           (SELECT bool_or(g.search) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.portfolio_rows) p)
    INTO moved_org, moved_portfolio, moved_search, moved, moved_units, moved_users, moved_rows;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_portfolio THEN
        UPDATE portfolio_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_search THEN
        UPDATE search_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved IS NOT NULL THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT p, (random() * 9e18)::bigint FROM unnest(moved) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    IF moved_units IS NOT NULL THEN
        INSERT INTO unit_epochs AS e (unit_id, epoch)
        SELECT u, (random() * 9e18)::bigint FROM unnest(moved_units) u ORDER BY u
        ON CONFLICT (unit_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    IF moved_users IS NOT NULL THEN
        INSERT INTO user_epochs AS e (user_id, epoch)
        SELECT u, (random() * 9e18)::bigint FROM unnest(moved_users) u ORDER BY u
        ON CONFLICT (user_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    IF moved_rows IS NOT NULL AND moved_portfolio IS NOT TRUE THEN
        INSERT INTO portfolio_row_epochs AS e (project_id, epoch)
        SELECT p, (random() * 9e18)::bigint FROM unnest(moved_rows) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    PERFORM set_config('accord.content_epochs_moved', 'yes', true);
    RETURN NULL;
END $$;

-- 0059's, with a request's activity moving near a quiet spell noted on its project's
-- row instead of the company's epoch: only the listed row counts its quiet requests
-- (its project's oldest activity, which can lower its severity, is the signals', below).
CREATE OR REPLACE FUNCTION note_portfolio_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
    rows    bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM new_rows
            EXCEPT SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM old_rows);
        IF NOT changed THEN
            SELECT array_agg(DISTINCT n.project_id) INTO rows
            FROM new_rows n JOIN old_rows o ON o.id = n.id
                -- LEFT JOIN keeps a row whose project has no signal row (then it moves)
                LEFT JOIN project_signals s ON s.project_id = n.project_id
                CROSS JOIN LATERAL (SELECT greatest(now(), n.last_activity_at)
                    - make_interval(days => s.cadence_days) + interval '1 day' AS active_since) a
            WHERE n.last_activity_at IS DISTINCT FROM o.last_activity_at
              AND (n.last_activity_at > o.last_activity_at AND o.last_activity_at >= a.active_since) IS NOT TRUE;
        END IF;
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('portfolio');
    ELSIF rows IS NOT NULL THEN
        PERFORM note_portfolio_row_moves(rows);
    END IF;
    RETURN NULL;
END $$;

-- A project's signals changed: the company's epoch when what ranks, sums or colours it
-- changed, else the changed projects' rows. Its oldest activity colours it only while
-- nothing else has lowered it (sev_static 2), and then only when it may cross a whole
-- cadence before now: it moves earlier, it appears or goes, or moving later it was
-- active or is still quiet. Active: a day past a cadence before the latest clock a
-- page may have been drawn by, the later of the database's and the latest activity
-- any server stamped on the project's requests (the write's own among them; 0059
-- judges a request so). Still quiet: a day short of a cadence before the database's
-- clock, which holds on any server whose clock is less than a day behind it. A page
-- drawn before a request went quiet was kept only until that moment
-- (store.PortfolioRead.Quiet), so a spell that began since it was drawn has redrawn
-- it already.
CREATE FUNCTION note_portfolio_epoch_of_signals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows bigint[];
BEGIN
    IF EXISTS (
            SELECT project_id, status, goal_id, expected_amount, currency, escalations, sev_static, cadence_days,
                next_due, p0_next_due FROM new_rows
            EXCEPT SELECT project_id, status, goal_id, expected_amount, currency, escalations, sev_static, cadence_days,
                next_due, p0_next_due FROM old_rows)
        OR EXISTS (
            SELECT FROM new_rows n JOIN old_rows o ON o.project_id = n.project_id
            CROSS JOIN LATERAL (SELECT make_interval(days => n.cadence_days) AS cadence,
                greatest(now(), (SELECT max(r.last_activity_at) FROM requests r WHERE r.project_id = n.project_id)) AS clock) c
            WHERE n.sev_static = 2 AND n.oldest_activity IS DISTINCT FROM o.oldest_activity
              AND (n.oldest_activity > o.oldest_activity
                AND (o.oldest_activity >= c.clock - c.cadence + interval '1 day'
                  OR n.oldest_activity < now() - c.cadence - interval '1 day')) IS NOT TRUE) THEN
        PERFORM note_company_epoch_move('portfolio');
        RETURN NULL;
    END IF;
    SELECT array_agg(project_id) INTO rows FROM (
        SELECT project_id, live, declined, p0_declined, high_risk, delivered FROM new_rows
        EXCEPT SELECT project_id, live, declined, p0_declined, high_risk, delivered FROM old_rows) x;
    PERFORM note_portfolio_row_moves(rows);
    RETURN NULL;
END $$;

DROP TRIGGER project_signals_portfolio_epoch_update ON project_signals;
CREATE TRIGGER project_signals_portfolio_epoch_update AFTER UPDATE ON project_signals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_signals();
