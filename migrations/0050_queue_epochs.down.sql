DROP TRIGGER requests_epochs_delete ON requests;
DROP TRIGGER requests_epochs_update ON requests;
DROP TRIGGER requests_epochs_insert ON requests;
CREATE TRIGGER requests_project_epochs_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER requests_project_epochs_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION note_project_epochs_by_shown_request_change();
CREATE TRIGGER requests_project_epochs_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
DROP FUNCTION note_request_epochs();

CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
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
DROP FUNCTION note_queue_epoch_moves(bigint[], bigint[]);
ALTER TABLE content_epoch_moves DROP COLUMN users, DROP COLUMN units;
DROP TABLE user_epochs;
DROP TABLE unit_epochs;
