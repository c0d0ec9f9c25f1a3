DROP TRIGGER project_signals_portfolio_epoch_insert ON project_signals;
DROP TRIGGER project_signals_portfolio_epoch_update ON project_signals;
DROP TRIGGER project_signals_portfolio_epoch_delete ON project_signals;
DROP TRIGGER project_signals_portfolio_epoch_truncate ON project_signals;
DROP TRIGGER goals_portfolio_epoch_insert ON goals;
DROP TRIGGER goals_portfolio_epoch_update ON goals;
DROP TRIGGER goals_portfolio_epoch_delete ON goals;
DROP TRIGGER goals_portfolio_epoch_truncate ON goals;
DROP TRIGGER projects_portfolio_epoch_insert ON projects;
DROP TRIGGER projects_portfolio_epoch_update ON projects;
DROP TRIGGER projects_portfolio_epoch_delete ON projects;
DROP TRIGGER projects_portfolio_epoch_truncate ON projects;
DROP TRIGGER project_reach_portfolio_epoch_insert ON project_reach;
DROP TRIGGER project_reach_portfolio_epoch_update ON project_reach;
DROP TRIGGER project_reach_portfolio_epoch_delete ON project_reach;
DROP TRIGGER project_reach_portfolio_epoch_truncate ON project_reach;
DROP TRIGGER unit_load_portfolio_epoch_insert ON unit_load;
DROP TRIGGER unit_load_portfolio_epoch_update ON unit_load;
DROP TRIGGER unit_load_portfolio_epoch_delete ON unit_load;
DROP TRIGGER unit_load_portfolio_epoch_truncate ON unit_load;
DROP TRIGGER escalation_assignee_load_portfolio_epoch_insert ON escalation_assignee_load;
DROP TRIGGER escalation_assignee_load_portfolio_epoch_update ON escalation_assignee_load;
DROP TRIGGER escalation_assignee_load_portfolio_epoch_delete ON escalation_assignee_load;
DROP TRIGGER escalation_assignee_load_portfolio_epoch_truncate ON escalation_assignee_load;
DROP TRIGGER requests_portfolio_epoch_insert ON requests;
DROP TRIGGER requests_portfolio_epoch_update ON requests;
DROP TRIGGER requests_portfolio_epoch_delete ON requests;
DROP TRIGGER requests_portfolio_epoch_truncate ON requests;
DROP FUNCTION note_portfolio_epoch_of_requests();
DROP FUNCTION note_company_epoch();
DROP FUNCTION note_company_epoch_move(text);
-- 0050's again.
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org   boolean;
    moved       bigint[];
    moved_units bigint[];
    moved_users bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, projects, units, users)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u)
    INTO moved_org, moved, moved_units, moved_users;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
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
ALTER TABLE content_epoch_moves DROP COLUMN portfolio;
DROP TABLE portfolio_epoch;
