-- Adds triggers only: it holds no table for longer than the ALTERs that add a trigger
-- take (a moment, at any scale).
-- A project's tracker is rendered from its requests, their progress entries and their
-- escalations as well as what 0047 covers: every write to those rows moves the
-- project's epoch too, at commit, as 0047 says (pages/rendered_pages.go keeps the
-- tracker by it).
CREATE FUNCTION note_project_epochs_by_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT r.project_id) INTO touched FROM new_rows n JOIN requests r ON r.id = n.request_id;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT r.project_id) INTO touched
        FROM (SELECT request_id FROM new_rows UNION ALL SELECT request_id FROM old_rows) x JOIN requests r ON r.id = x.request_id;
    ELSE
        SELECT array_agg(DISTINCT r.project_id) INTO touched FROM old_rows o JOIN requests r ON r.id = o.request_id;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- A request's row also holds bookkeeping no page shows, rewritten by the sweep and by
-- the triggers that keep the queues' keys: a change to it alone moves nothing, so a
-- sweep does not throw away every page it passes over. Every other column counts,
-- including any added later.
CREATE FUNCTION note_project_epochs_by_shown_request_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unshown CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'queue_tier', 'queue_date', 'queue_value',
        'queue_sent', 'queue_effort', 'search_doubled'];
    touched bigint[];
BEGIN
    SELECT array_agg(DISTINCT x.project_id) INTO touched
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES (n.project_id), (o.project_id)) x (project_id)
    WHERE to_jsonb(n) - unshown IS DISTINCT FROM to_jsonb(o) - unshown;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER requests_project_epochs_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER requests_project_epochs_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION note_project_epochs_by_shown_request_change();
CREATE TRIGGER requests_project_epochs_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER requests_project_epochs_truncate AFTER TRUNCATE ON requests
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER escalations_project_epochs_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER escalations_project_epochs_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER escalations_project_epochs_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
CREATE TRIGGER escalations_project_epochs_truncate AFTER TRUNCATE ON escalations
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
-- A progress entry names its request, not its project. Entries are append-only (0003),
-- so only the insert trigger fires today; the others keep the rule whole if that changes.
CREATE TRIGGER request_updates_project_epochs_insert AFTER INSERT ON request_updates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_request();
CREATE TRIGGER request_updates_project_epochs_update AFTER UPDATE ON request_updates
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_request();
CREATE TRIGGER request_updates_project_epochs_delete AFTER DELETE ON request_updates
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_request();
CREATE TRIGGER request_updates_project_epochs_truncate AFTER TRUNCATE ON request_updates
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
