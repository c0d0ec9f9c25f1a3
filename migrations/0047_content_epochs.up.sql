-- Creates two small tables and their triggers: it holds no table for longer than the
-- ALTERs that add a trigger take (a moment, at any scale).
-- Epochs a server keys its rendered project pages by (pages/page_cache.go): a page
-- rendered from a project's rows is served again only while every epoch it was read
-- at is unchanged, so it is never older than the database, on any server.
--   project_epochs: one counter per project, moved by every write to the rows a
--     workbook reads of it (its needs, its units' plans, its promises). A project
--     with no row is at epoch 0.
--   org_epoch: one counter for the organisation, moved by every write to units,
--     memberships and people (a unit's name, head, place or closing; a key person's
--     name and unit), which every project's pages show.
-- Epochs only ever grow and may move when nothing a page shows changed: a write moves
-- them whenever it might matter, never less often. The project row itself is read on
-- every request and is part of the key, so it needs no epoch.
CREATE TABLE project_epochs (
    project_id bigint PRIMARY KEY,
    epoch      bigint NOT NULL
);

CREATE TABLE org_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint NOT NULL
);
INSERT INTO org_epoch (epoch) VALUES (0);

-- A statement takes its projects' epochs in one go, in order of their ids. The
-- triggers are named to fire after every other trigger on their tables (triggers fire
-- in name order), so a statement takes the kept counts' locks first.
CREATE FUNCTION move_project_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT DISTINCT project_id, 1 FROM new_rows ORDER BY project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT project_id, 1 FROM (SELECT project_id FROM new_rows UNION SELECT project_id FROM old_rows) x ORDER BY project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    ELSE
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT DISTINCT project_id, 1 FROM old_rows ORDER BY project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER needs_zz_project_epochs_insert AFTER INSERT ON needs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER needs_zz_project_epochs_update AFTER UPDATE ON needs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER needs_zz_project_epochs_delete AFTER DELETE ON needs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER project_units_zz_project_epochs_insert AFTER INSERT ON project_units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER project_units_zz_project_epochs_update AFTER UPDATE ON project_units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER project_units_zz_project_epochs_delete AFTER DELETE ON project_units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER commitments_zz_project_epochs_insert AFTER INSERT ON commitments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER commitments_zz_project_epochs_update AFTER UPDATE ON commitments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER commitments_zz_project_epochs_delete AFTER DELETE ON commitments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();

-- Statement triggers without transition tables: a statement that changes no row still
-- moves the epoch, which costs a page render, never a stale one.
CREATE FUNCTION move_org_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_epoch SET epoch = epoch + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER units_zz_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION move_org_epoch();
CREATE TRIGGER memberships_zz_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION move_org_epoch();
CREATE TRIGGER users_zz_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION move_org_epoch();
