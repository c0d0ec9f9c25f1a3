-- Adds functions and triggers only: it holds no table for longer than the ALTERs that
-- add a trigger take (a moment, at any scale).
-- A person's escalation lists (pages/escalations_queue.go keeps them by the epochs of
-- 0050) hold the escalations routed to them, those of their projects, those of the
-- units they head and those of the requests handed to them: every write to an
-- escalation moves, at commit, the epochs of its superior, its project's lead and its
-- request's key person, before and after, and of its request's holding unit (but for
-- the sweep's reminders, which show nowhere); a project started, removed or changing
-- lead moves its leads'. (A unit changing head moves the
-- organisation's epoch, 0047; a request changing unit or key person, theirs, 0050.)
-- The reminders the sweep sends halfway and late through a decision window, and the
-- moment of the next, show nowhere: a change to them alone moves nothing.
CREATE FUNCTION escalation_change_shown(n escalations, o escalations) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT to_jsonb(n) - ARRAY['reminded_half', 'reminded_late', 'window_remind_at']
        IS DISTINCT FROM to_jsonb(o) - ARRAY['reminded_half', 'reminded_late', 'window_remind_at']
$$;

CREATE FUNCTION note_escalation_party_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched jsonb; -- [{id, assigned}], before and after: a function may name only its trigger's transition tables
    units   bigint[];
    users   bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_array(request_id, assigned_user_id)) INTO touched FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(jsonb_build_array(x.request_id, x.assigned_user_id)) INTO touched
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES (n.request_id, n.assigned_user_id), (o.request_id, o.assigned_user_id)) x (request_id, assigned_user_id)
        WHERE escalation_change_shown(n, o);
    ELSE
        SELECT jsonb_agg(jsonb_build_array(request_id, assigned_user_id)) INTO touched FROM old_rows;
    END IF;
    IF touched IS NULL THEN
        RETURN NULL;
    END IF;
    WITH x AS (SELECT DISTINCT (t->>0)::bigint AS request_id, (t->>1)::bigint AS assigned FROM jsonb_array_elements(touched) t)
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

-- 0048's trigger moves an escalation's project on every update: now only on a shown
-- change, so the sweep's reminders throw no page away.
CREATE FUNCTION note_project_epochs_by_shown_escalation_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    SELECT array_agg(DISTINCT x.project_id) INTO touched
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES (n.project_id), (o.project_id)) x (project_id)
    WHERE escalation_change_shown(n, o);
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER escalations_project_epochs_update ON escalations;
CREATE TRIGGER escalations_project_epochs_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION note_project_epochs_by_shown_escalation_change();

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
