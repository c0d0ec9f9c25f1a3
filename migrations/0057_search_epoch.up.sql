-- Creates one small table, adds a column with a constant default to an empty table,
-- and replaces a function and adds statement triggers: it holds no table for longer
-- than a moment, at any scale.
-- search_epoch: one value, moved at commit (as 0047 says) by every write that changes
-- what a search reads (pages/search.go keeps its results rendered by it and the
-- organisation's epoch, per viewer and query): the words and places of projects,
-- needs, requests, comments, units and people, and who may see which (memberships,
-- a project's reach, an escalation's parties, advice and the notifications telling
-- someone of it). Of a request, the sweep's bookkeeping and its queue's keys move
-- nothing; of a notification, only one about an escalation (it lets its reader see
-- it) does, so reading notifications leaves kept searches alone. One row for the
-- company, as portfolio_epoch (0056).
CREATE TABLE search_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint NOT NULL
);
INSERT INTO search_epoch (epoch) VALUES (0);

ALTER TABLE content_epoch_moves ADD COLUMN search boolean NOT NULL DEFAULT false;

-- 0056's, moving the search's epoch too, after the portfolio's. Tables whose every
-- column a search reads note it by 0056's note_company_epoch('search').
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

-- A request's: only when what a search reads of it changed.
CREATE FUNCTION note_search_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, last_activity_at, message,
                scope, offer, counter_scope, decline_reason, transfer_reason FROM new_rows
            EXCEPT SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, last_activity_at, message,
                scope, offer, counter_scope, decline_reason, transfer_reason FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('search');
    END IF;
    RETURN NULL;
END $$;

-- A notification's: only one about an escalation.
CREATE FUNCTION note_search_epoch_of_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows WHERE escalation_id IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows WHERE escalation_id IS NOT NULL);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, escalation_id, user_id, data ? 'on_behalf' FROM new_rows WHERE escalation_id IS NOT NULL
            EXCEPT SELECT id, escalation_id, user_id, data ? 'on_behalf' FROM old_rows)
            OR EXISTS (SELECT id, escalation_id, user_id, data ? 'on_behalf' FROM old_rows WHERE escalation_id IS NOT NULL
            EXCEPT SELECT id, escalation_id, user_id, data ? 'on_behalf' FROM new_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('search');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER projects_search_epoch_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER projects_search_epoch_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER projects_search_epoch_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER projects_search_epoch_truncate AFTER TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER needs_search_epoch_insert AFTER INSERT ON needs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER needs_search_epoch_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER needs_search_epoch_delete AFTER DELETE ON needs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER needs_search_epoch_truncate AFTER TRUNCATE ON needs
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER comments_search_epoch_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER comments_search_epoch_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER comments_search_epoch_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER comments_search_epoch_truncate AFTER TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER units_search_epoch_insert AFTER INSERT ON units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER units_search_epoch_update AFTER UPDATE ON units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER units_search_epoch_delete AFTER DELETE ON units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER units_search_epoch_truncate AFTER TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER users_search_epoch_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER users_search_epoch_update AFTER UPDATE ON users
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER users_search_epoch_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER users_search_epoch_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER memberships_search_epoch_insert AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER memberships_search_epoch_update AFTER UPDATE ON memberships
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER memberships_search_epoch_delete AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER memberships_search_epoch_truncate AFTER TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER project_reach_search_epoch_insert AFTER INSERT ON project_reach
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER project_reach_search_epoch_update AFTER UPDATE ON project_reach
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER project_reach_search_epoch_delete AFTER DELETE ON project_reach
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER project_reach_search_epoch_truncate AFTER TRUNCATE ON project_reach
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalations_search_epoch_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalations_search_epoch_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalations_search_epoch_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalations_search_epoch_truncate AFTER TRUNCATE ON escalations
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalation_advice_search_epoch_insert AFTER INSERT ON escalation_advice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalation_advice_search_epoch_update AFTER UPDATE ON escalation_advice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalation_advice_search_epoch_delete AFTER DELETE ON escalation_advice
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER escalation_advice_search_epoch_truncate AFTER TRUNCATE ON escalation_advice
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('search');
CREATE TRIGGER requests_search_epoch_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_requests();
CREATE TRIGGER requests_search_epoch_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_requests();
CREATE TRIGGER requests_search_epoch_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_requests();
CREATE TRIGGER requests_search_epoch_truncate AFTER TRUNCATE ON requests
    FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_requests();
CREATE TRIGGER notifications_search_epoch_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_notifications();
CREATE TRIGGER notifications_search_epoch_update AFTER UPDATE ON notifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_notifications();
CREATE TRIGGER notifications_search_epoch_delete AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_notifications();
CREATE TRIGGER notifications_search_epoch_truncate AFTER TRUNCATE ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION note_search_epoch_of_notifications();
