-- Creates one small table, adds a column with a constant default to an empty table,
-- and replaces a function and adds statement triggers: it holds no table for longer
-- than a moment, at any scale.
-- portfolio_epoch: one value, moved at commit (as 0047 says) by every write that
-- changes what an executive's portfolio reads (pages/portfolio_routes.go keeps it
-- rendered by it and the organisation's epoch): the projects' signals, their goals,
-- rows and reach, the load per unit, the open escalations per person, and of a
-- request what the portfolio counts (its state, due date, tier, last activity and
-- project) and whom it concerns (its holder and key person: a stand-in's decisions). A statement that changed no row moves nothing, so the sweep's bookkeeping
-- (a request's next reminder) leaves kept portfolios alone. One row for the whole
-- company: a write anywhere makes every portfolio read afresh at its next view.
CREATE TABLE portfolio_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint NOT NULL
);
INSERT INTO portfolio_epoch (epoch) VALUES (0);

ALTER TABLE content_epoch_moves ADD COLUMN portfolio boolean NOT NULL DEFAULT false;

-- 0050's, moving the portfolio's epoch too, after the organisation's.
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

-- Notes, for the commit, that the company-wide epoch whose content_epoch_moves column
-- is named by epoch moves (0057 adds the search's).
CREATE FUNCTION note_company_epoch_move(epoch text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO content_epoch_moves (%I) VALUES (true)', epoch);
    PERFORM set_config('accord.content_epochs_moved', 'no', true);
END $$;

-- Notes the company-wide epoch TG_ARGV[0] when the statement inserted or deleted a
-- row, or changed one (each branch reads only the transition tables its event has).
CREATE FUNCTION note_company_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (SELECT * FROM new_rows EXCEPT SELECT * FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move(TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$;

-- A request's: only when what the portfolio counts of it changed.
CREATE FUNCTION note_portfolio_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, project_id, state, due_date, queue_tier, last_activity_at, holder_unit_id, key_person_user_id
            FROM new_rows
            EXCEPT SELECT id, project_id, state, due_date, queue_tier, last_activity_at, holder_unit_id, key_person_user_id
            FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('portfolio');
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER project_signals_portfolio_epoch_insert AFTER INSERT ON project_signals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_signals_portfolio_epoch_update AFTER UPDATE ON project_signals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_signals_portfolio_epoch_delete AFTER DELETE ON project_signals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_signals_portfolio_epoch_truncate AFTER TRUNCATE ON project_signals
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER goals_portfolio_epoch_insert AFTER INSERT ON goals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER goals_portfolio_epoch_update AFTER UPDATE ON goals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER goals_portfolio_epoch_delete AFTER DELETE ON goals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER goals_portfolio_epoch_truncate AFTER TRUNCATE ON goals
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER projects_portfolio_epoch_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER projects_portfolio_epoch_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER projects_portfolio_epoch_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER projects_portfolio_epoch_truncate AFTER TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_reach_portfolio_epoch_insert AFTER INSERT ON project_reach
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_reach_portfolio_epoch_update AFTER UPDATE ON project_reach
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_reach_portfolio_epoch_delete AFTER DELETE ON project_reach
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER project_reach_portfolio_epoch_truncate AFTER TRUNCATE ON project_reach
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER unit_load_portfolio_epoch_insert AFTER INSERT ON unit_load
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER unit_load_portfolio_epoch_update AFTER UPDATE ON unit_load
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER unit_load_portfolio_epoch_delete AFTER DELETE ON unit_load
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER unit_load_portfolio_epoch_truncate AFTER TRUNCATE ON unit_load
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER escalation_assignee_load_portfolio_epoch_insert AFTER INSERT ON escalation_assignee_load
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER escalation_assignee_load_portfolio_epoch_update AFTER UPDATE ON escalation_assignee_load
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER escalation_assignee_load_portfolio_epoch_delete AFTER DELETE ON escalation_assignee_load
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER escalation_assignee_load_portfolio_epoch_truncate AFTER TRUNCATE ON escalation_assignee_load
    FOR EACH STATEMENT EXECUTE FUNCTION note_company_epoch('portfolio');
CREATE TRIGGER requests_portfolio_epoch_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();
CREATE TRIGGER requests_portfolio_epoch_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();
CREATE TRIGGER requests_portfolio_epoch_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();
CREATE TRIGGER requests_portfolio_epoch_truncate AFTER TRUNCATE ON requests
    FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();
