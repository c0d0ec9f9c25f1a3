-- Adds functions and triggers only: it holds no table for longer than the ALTERs that
-- add a trigger take (a moment, at any scale).
-- A person's escalation lists (pages/escalations_queue.go keeps them by the epochs of
-- 0050) hold the escalations routed to them, those of their projects, those of the
-- units they head and those of the requests handed to them: every write to an
-- escalation moves, at commit, the epochs of its superior, its project's lead and its
-- request's key person, before and after, and of its request's holding unit; a
-- project started, removed or changing lead moves its leads'. (A unit changing head moves the
-- organisation's epoch, 0047; a request changing unit or key person, theirs, 0050.)
CREATE FUNCTION note_escalation_party_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched jsonb; -- [{id, assigned}], before and after: a function may name only its trigger's transition tables
    units   bigint[];
    users   bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_array(request_id, assigned_user_id)) INTO touched FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(jsonb_build_array(request_id, assigned_user_id)) INTO touched
        FROM (SELECT request_id, assigned_user_id FROM new_rows UNION SELECT request_id, assigned_user_id FROM old_rows) x;
    ELSE
        SELECT jsonb_agg(jsonb_build_array(request_id, assigned_user_id)) INTO touched FROM old_rows;
    END IF;
    WITH x AS (SELECT (t->>0)::bigint AS request_id, (t->>1)::bigint AS assigned FROM jsonb_array_elements(touched) t)
    SELECT array_agg(DISTINCT r.holder_unit_id),
           (SELECT array_agg(DISTINCT u) FROM (
                SELECT x.assigned FROM x
                UNION SELECT p.lead_user_id FROM x JOIN requests r ON r.id = x.request_id JOIN projects p ON p.id = r.project_id
                UNION SELECT r.key_person_user_id FROM x JOIN requests r ON r.id = x.request_id) y (u) WHERE u IS NOT NULL)
    INTO units, users
    FROM x JOIN requests r ON r.id = x.request_id;
    PERFORM note_queue_epoch_moves(COALESCE(units, '{}'), COALESCE(users, '{}'));
    RETURN NULL;
END $$;

-- A project started, handed on or removed: its leads' (the start page lists the
-- projects a person leads and what they need next).
CREATE FUNCTION note_project_lead_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    leads bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT lead_user_id) INTO leads FROM new_rows;
    ELSE
        SELECT array_agg(DISTINCT lead_user_id) INTO leads FROM old_rows;
    END IF;
    PERFORM note_queue_epoch_moves('{}', COALESCE(leads, '{}'));
    RETURN NULL;
END $$;

-- The same for one row whose lead changed (a trigger naming its columns may not have
-- transition tables).
CREATE FUNCTION note_project_lead_change_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.lead_user_id IS DISTINCT FROM OLD.lead_user_id THEN
        PERFORM note_queue_epoch_moves('{}', ARRAY[OLD.lead_user_id, NEW.lead_user_id]);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER escalations_party_epochs_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_escalation_party_epochs();
CREATE TRIGGER escalations_party_epochs_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_escalation_party_epochs();
CREATE TRIGGER escalations_party_epochs_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_escalation_party_epochs();
CREATE TRIGGER projects_lead_epochs_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_lead_epochs();
CREATE TRIGGER projects_lead_epochs_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_lead_epochs();
CREATE TRIGGER projects_lead_epochs_update AFTER UPDATE OF lead_user_id ON projects
    FOR EACH ROW EXECUTE FUNCTION note_project_lead_change_epochs();
-- A TRUNCATE of escalations moves the organisation's epoch (0048), which every kept
-- page is keyed by too.
