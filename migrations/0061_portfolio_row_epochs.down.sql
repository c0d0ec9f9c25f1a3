-- Restores 0059's and 0057's bodies and 0056's trigger on the signals.
DROP TRIGGER project_signals_portfolio_epoch_update ON project_signals;
CREATE TRIGGER project_signals_portfolio_epoch_update AFTER UPDATE ON project_signals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
DROP FUNCTION note_portfolio_epoch_of_signals();
CREATE OR REPLACE FUNCTION note_portfolio_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM new_rows
            EXCEPT SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM old_rows)
        OR EXISTS (
            SELECT FROM new_rows n JOIN old_rows o ON o.id = n.id
                -- a request whose project changed was caught above; LEFT JOIN keeps a
                -- row whose project has no signal row (then it moves)
                LEFT JOIN project_signals s ON s.project_id = n.project_id
                CROSS JOIN LATERAL (SELECT greatest(now(), n.last_activity_at)
                    - make_interval(days => s.cadence_days) + interval '1 day' AS active_since) a
            WHERE n.last_activity_at IS DISTINCT FROM o.last_activity_at
              AND (n.last_activity_at > o.last_activity_at AND o.last_activity_at >= a.active_since) IS NOT TRUE);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('portfolio');
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org       boolean;
    moved_portfolio boolean;
    moved_search    boolean;
    moved           bigint[];
    moved_units     bigint[];
    moved_users     bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, portfolio, search, projects, units, users)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT bool_or(g.portfolio) FROM gone g),
           (SELECT bool_or(g.search) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u)
    INTO moved_org, moved_portfolio, moved_search, moved, moved_units, moved_users;
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
    PERFORM set_config('accord.content_epochs_moved', 'yes', true);
    RETURN NULL;
END $$;
DROP FUNCTION note_portfolio_row_moves(bigint[]);
ALTER TABLE content_epoch_moves DROP COLUMN portfolio_rows;
DROP TABLE portfolio_row_epochs;
