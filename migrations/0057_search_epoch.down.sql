DROP TRIGGER projects_search_epoch_insert ON projects;
DROP TRIGGER projects_search_epoch_update ON projects;
DROP TRIGGER projects_search_epoch_delete ON projects;
DROP TRIGGER projects_search_epoch_truncate ON projects;
DROP TRIGGER needs_search_epoch_insert ON needs;
DROP TRIGGER needs_search_epoch_update ON needs;
DROP TRIGGER needs_search_epoch_delete ON needs;
DROP TRIGGER needs_search_epoch_truncate ON needs;
DROP TRIGGER comments_search_epoch_insert ON comments;
DROP TRIGGER comments_search_epoch_update ON comments;
DROP TRIGGER comments_search_epoch_delete ON comments;
DROP TRIGGER comments_search_epoch_truncate ON comments;
DROP TRIGGER units_search_epoch_insert ON units;
DROP TRIGGER units_search_epoch_update ON units;
DROP TRIGGER units_search_epoch_delete ON units;
DROP TRIGGER units_search_epoch_truncate ON units;
DROP TRIGGER users_search_epoch_insert ON users;
DROP TRIGGER users_search_epoch_update ON users;
DROP TRIGGER users_search_epoch_delete ON users;
DROP TRIGGER users_search_epoch_truncate ON users;
DROP TRIGGER memberships_search_epoch_insert ON memberships;
DROP TRIGGER memberships_search_epoch_update ON memberships;
DROP TRIGGER memberships_search_epoch_delete ON memberships;
DROP TRIGGER memberships_search_epoch_truncate ON memberships;
DROP TRIGGER project_reach_search_epoch_insert ON project_reach;
DROP TRIGGER project_reach_search_epoch_update ON project_reach;
DROP TRIGGER project_reach_search_epoch_delete ON project_reach;
DROP TRIGGER project_reach_search_epoch_truncate ON project_reach;
DROP TRIGGER escalations_search_epoch_insert ON escalations;
DROP TRIGGER escalations_search_epoch_update ON escalations;
DROP TRIGGER escalations_search_epoch_delete ON escalations;
DROP TRIGGER escalations_search_epoch_truncate ON escalations;
DROP TRIGGER escalation_advice_search_epoch_insert ON escalation_advice;
DROP TRIGGER escalation_advice_search_epoch_update ON escalation_advice;
DROP TRIGGER escalation_advice_search_epoch_delete ON escalation_advice;
DROP TRIGGER escalation_advice_search_epoch_truncate ON escalation_advice;
DROP TRIGGER requests_search_epoch_insert ON requests;
DROP TRIGGER requests_search_epoch_update ON requests;
DROP TRIGGER requests_search_epoch_delete ON requests;
DROP TRIGGER requests_search_epoch_truncate ON requests;
DROP TRIGGER notifications_search_epoch_insert ON notifications;
DROP TRIGGER notifications_search_epoch_update ON notifications;
DROP TRIGGER notifications_search_epoch_delete ON notifications;
DROP TRIGGER notifications_search_epoch_truncate ON notifications;
DROP FUNCTION note_search_epoch_of_notifications();
DROP FUNCTION note_search_epoch_of_requests();
-- 0056's again.
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org       boolean;
    moved_portfolio boolean;
    moved           bigint[];
    moved_units     bigint[];
    moved_users     bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, portfolio, projects, units, users)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT bool_or(g.portfolio) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u)
    INTO moved_org, moved_portfolio, moved, moved_units, moved_users;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_portfolio THEN
        UPDATE portfolio_epoch SET epoch = (random() * 9e18)::bigint;
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
ALTER TABLE content_epoch_moves DROP COLUMN search;
DROP TABLE search_epoch;
