-- Adds triggers only: it holds no table for longer than the ALTERs that add a trigger
-- take (a moment, at any scale).
-- A project's tracker is rendered from its requests, their progress entries and their
-- escalations as well as what 0047 covers: every write to those rows moves the
-- project's epoch too (pages/rendered_pages.go keeps the tracker by it).
CREATE FUNCTION move_project_epochs_by_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT DISTINCT r.project_id, 1 FROM old_rows o JOIN requests r ON r.id = o.request_id ORDER BY r.project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT DISTINCT r.project_id, 1
        FROM (SELECT request_id FROM new_rows UNION SELECT request_id FROM old_rows) x JOIN requests r ON r.id = x.request_id
        ORDER BY r.project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    ELSE
        INSERT INTO project_epochs AS e (project_id, epoch)
        SELECT DISTINCT r.project_id, 1 FROM new_rows n JOIN requests r ON r.id = n.request_id ORDER BY r.project_id
        ON CONFLICT (project_id) DO UPDATE SET epoch = e.epoch + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER requests_zz_project_epochs_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER requests_zz_project_epochs_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER requests_zz_project_epochs_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER escalations_zz_project_epochs_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER escalations_zz_project_epochs_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
CREATE TRIGGER escalations_zz_project_epochs_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs();
-- A progress entry names its request, not its project. Entries are append-only (0003),
-- so only the insert trigger ever fires; the others keep the rule whole if that changes.
CREATE TRIGGER request_updates_zz_project_epochs_insert AFTER INSERT ON request_updates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs_by_request();
CREATE TRIGGER request_updates_zz_project_epochs_update AFTER UPDATE ON request_updates
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs_by_request();
CREATE TRIGGER request_updates_zz_project_epochs_delete AFTER DELETE ON request_updates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION move_project_epochs_by_request();
