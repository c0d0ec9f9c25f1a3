-- Creates three small tables and their triggers: it holds no table for longer than the
-- ALTERs that add a trigger take (a moment, at any scale).
-- Epochs a server keys its rendered project pages by (pages/rendered_pages.go): a page
-- rendered from a project's rows is served again only while every epoch it was read
-- at is unchanged, so it is never older than the database, on any server.
--   project_epochs: one value per project, moved by every write to the rows its
--     workbook reads (its needs, its units' plans, its promises; 0048 adds what its
--     tracker reads). A project with no row is at epoch 0.
--   org_epoch: one value for the organisation, moved by every write to units and
--     memberships and to people's names, which every project's pages show (a unit's
--     name, head, place or closing; a key person's name and unit).
-- A move sets a new random value rather than counting up: a database restored from a
-- backup never brings back a value a server holds for other content. Epochs may move
-- when nothing a page shows changed, never stay when something did.
--
-- The moves are made at commit, not by the writes: a statement only notes what it
-- touched in content_epoch_moves, and a deferred trigger on that table takes every
-- epoch the transaction moves, in one go, in order, once all its other locks are held.
-- Taking a project's epoch at the end of a transaction's first write, then other rows
-- in its later statements, deadlocked with a one-statement edit of the same project
-- that held those rows (a transfer against an effort edit, reproduced in review).
CREATE TABLE project_epochs (
    project_id bigint PRIMARY KEY,
    epoch      bigint NOT NULL
);

CREATE TABLE org_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint NOT NULL
);
INSERT INTO org_epoch (epoch) VALUES (0);

-- What the open transaction has touched; emptied by its own commit, so it holds no
-- committed row. Each transaction deletes only its own rows, through the index: the
-- dead rows others left stay until vacuum, which a long snapshot (a dump, the seed)
-- holds off, and a scan of them all made every commit slower while it lasted.
CREATE TABLE content_epoch_moves (
    xact     xid8 NOT NULL DEFAULT pg_current_xact_id(),
    org      boolean NOT NULL DEFAULT false,
    projects bigint[] NOT NULL DEFAULT '{}'
);
CREATE INDEX content_epoch_moves_xact ON content_epoch_moves (xact);

CREATE FUNCTION note_content_epoch_moves(org boolean, projects bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF org OR cardinality(projects) > 0 THEN
        INSERT INTO content_epoch_moves (org, projects) VALUES (org, projects);
        PERFORM set_config('accord.content_epochs_moved', 'no', true);
    END IF;
END $$;

-- Fires once per noted statement, at commit; the first firing moves everything noted
-- so far and the rest return at once (until a later statement notes more, which only
-- SET CONSTRAINTS … IMMEDIATE lets happen).
CREATE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org boolean;
    moved     bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id() RETURNING org, projects)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p)
    INTO moved_org, moved;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved IS NOT NULL THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT p, (random() * 9e18)::bigint FROM unnest(moved) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    PERFORM set_config('accord.content_epochs_moved', 'yes', true);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER content_epoch_moves_at_commit AFTER INSERT ON content_epoch_moves
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION move_content_epochs();

-- Notes the projects of the rows a statement wrote, before and after.
CREATE FUNCTION note_project_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT project_id) INTO touched FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT project_id) INTO touched
        FROM (SELECT project_id FROM new_rows UNION ALL SELECT project_id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT project_id) INTO touched FROM old_rows;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the organisation; also a TRUNCATE of a project's rows, which names no project
-- (every project's pages are keyed by the organisation's epoch too).
CREATE FUNCTION note_org_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM note_content_epoch_moves(true, '{}');
    RETURN NULL;
END $$;

CREATE TRIGGER needs_project_epochs_insert AFTER INSERT ON needs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER needs_project_epochs_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER needs_project_epochs_delete AFTER DELETE ON needs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER needs_project_epochs_truncate AFTER TRUNCATE ON needs
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER project_units_project_epochs_insert AFTER INSERT ON project_units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER project_units_project_epochs_update AFTER UPDATE ON project_units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER project_units_project_epochs_delete AFTER DELETE ON project_units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER project_units_project_epochs_truncate AFTER TRUNCATE ON project_units
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER commitments_project_epochs_insert AFTER INSERT ON commitments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER commitments_project_epochs_update AFTER UPDATE ON commitments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER commitments_project_epochs_delete AFTER DELETE ON commitments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER commitments_project_epochs_truncate AFTER TRUNCATE ON commitments
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER units_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER memberships_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
-- Of a person's row, pages show only the names: a sign-in, a language or a zone
-- chosen moves nothing.
CREATE TRIGGER users_org_epoch AFTER INSERT OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER users_org_epoch_names AFTER UPDATE OF name, name_en ON users
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
