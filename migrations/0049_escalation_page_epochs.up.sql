-- Adds functions, triggers and an index on stand_ins (a table of a few rows per head):
-- it holds no table for longer than a moment, at any scale.
-- An escalation's page is rendered from its project's rows (0047, 0048), the project
-- itself, which it does not read again while it is kept, and from its
-- conversation, its advice and whom it was told of it: every write to those rows moves
-- the project's epoch too, at commit, as 0047 says (pages/rendered_pages.go keeps the
-- page by it). Conversations on requests and projects, and followers of requests, are
-- on no kept page: they move nothing. Who the conversation offers to mention depends on who may see the
-- escalation, so the stand-in arrangements, and people's deactivation and
-- administrator rights, move the organisation's epoch.

-- Notes the projects a statement wrote themselves: the page is kept without reading
-- its project again (name, lead, owning unit: who may open it).
CREATE FUNCTION note_project_epochs_by_project() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT id) INTO touched FROM (SELECT id FROM new_rows UNION ALL SELECT id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT id) INTO touched FROM old_rows;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the projects of the escalations' comments a statement wrote.
CREATE FUNCTION note_project_epochs_by_escalation_comment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT project_id) INTO touched FROM new_rows WHERE escalation_id IS NOT NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT project_id) INTO touched FROM (
            SELECT project_id, escalation_id FROM new_rows UNION ALL SELECT project_id, escalation_id FROM old_rows) x
        WHERE escalation_id IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT project_id) INTO touched FROM old_rows WHERE escalation_id IS NOT NULL;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the projects of the escalations' comments a statement's rows belong to
-- (attachments and mentions name their comment).
CREATE FUNCTION note_project_epochs_by_comment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT c.project_id) INTO touched FROM new_rows n JOIN comments c ON c.id = n.comment_id
        WHERE c.escalation_id IS NOT NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT c.project_id) INTO touched
        FROM (SELECT comment_id FROM new_rows UNION ALL SELECT comment_id FROM old_rows) x JOIN comments c ON c.id = x.comment_id
        WHERE c.escalation_id IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT c.project_id) INTO touched FROM old_rows o JOIN comments c ON c.id = o.comment_id
        WHERE c.escalation_id IS NOT NULL;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the projects of the escalations a statement's rows name (escalation_id).
CREATE FUNCTION note_project_epochs_by_escalation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT e.project_id) INTO touched FROM new_rows n JOIN escalations e ON e.id = n.escalation_id;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT e.project_id) INTO touched
        FROM (SELECT escalation_id FROM new_rows UNION ALL SELECT escalation_id FROM old_rows) x
        JOIN escalations e ON e.id = x.escalation_id;
    ELSE
        SELECT array_agg(DISTINCT e.project_id) INTO touched FROM old_rows o JOIN escalations e ON e.id = o.escalation_id;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the projects of the escalations a statement's notifications told someone of
-- (store.toldOfEscalation: not a copy sent on someone's behalf).
CREATE FUNCTION note_project_epochs_by_told() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT e.project_id) INTO touched FROM new_rows n JOIN escalations e ON e.id = n.escalation_id
        WHERE NOT n.data ? 'on_behalf';
    ELSE
        SELECT array_agg(DISTINCT e.project_id) INTO touched FROM old_rows o JOIN escalations e ON e.id = o.escalation_id
        WHERE NOT o.data ? 'on_behalf';
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- The same for one row, for an update trigger that names its columns (which may not
-- have transition tables).
CREATE FUNCTION note_project_epochs_by_escalation_row() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    SELECT array_agg(DISTINCT e.project_id) INTO touched FROM escalations e
    WHERE e.id IN (NEW.escalation_id, OLD.escalation_id);
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

-- Notes the projects of the escalations people follow.
CREATE FUNCTION note_project_epochs_by_followed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    followed jsonb; -- [{kind, subject_id}], before and after: a function may name only the transition tables its trigger has
    touched  bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(jsonb_build_object('kind', kind, 'id', subject_id)) INTO followed FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_agg(jsonb_build_object('kind', kind, 'id', subject_id)) INTO followed
        FROM (SELECT kind, subject_id FROM new_rows UNION ALL SELECT kind, subject_id FROM old_rows) x;
    ELSE
        SELECT jsonb_agg(jsonb_build_object('kind', kind, 'id', subject_id)) INTO followed FROM old_rows;
    END IF;
    WITH x AS (SELECT f->>'kind' AS kind, (f->>'id')::bigint AS subject_id FROM jsonb_array_elements(followed) f)
    SELECT array_agg(DISTINCT e.project_id) INTO touched FROM x JOIN escalations e ON x.kind = 'escalation' AND e.id = x.subject_id;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER projects_project_epochs_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_project();
CREATE TRIGGER projects_project_epochs_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_project();

CREATE TRIGGER comments_project_epochs_insert AFTER INSERT ON comments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation_comment();
CREATE TRIGGER comments_project_epochs_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation_comment();
CREATE TRIGGER comments_project_epochs_delete AFTER DELETE ON comments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation_comment();
CREATE TRIGGER comments_project_epochs_truncate AFTER TRUNCATE ON comments
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER attachments_project_epochs_insert AFTER INSERT ON attachments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER attachments_project_epochs_update AFTER UPDATE ON attachments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER attachments_project_epochs_delete AFTER DELETE ON attachments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER attachments_project_epochs_truncate AFTER TRUNCATE ON attachments
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER comment_mentions_project_epochs_insert AFTER INSERT ON comment_mentions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER comment_mentions_project_epochs_update AFTER UPDATE ON comment_mentions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER comment_mentions_project_epochs_delete AFTER DELETE ON comment_mentions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_comment();
CREATE TRIGGER comment_mentions_project_epochs_truncate AFTER TRUNCATE ON comment_mentions
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER escalation_advice_project_epochs_insert AFTER INSERT ON escalation_advice
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation();
CREATE TRIGGER escalation_advice_project_epochs_update AFTER UPDATE ON escalation_advice
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation();
CREATE TRIGGER escalation_advice_project_epochs_delete AFTER DELETE ON escalation_advice
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_escalation();
CREATE TRIGGER escalation_advice_project_epochs_truncate AFTER TRUNCATE ON escalation_advice
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

CREATE TRIGGER followers_project_epochs_insert AFTER INSERT ON followers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_followed();
CREATE TRIGGER followers_project_epochs_update AFTER UPDATE ON followers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_followed();
CREATE TRIGGER followers_project_epochs_delete AFTER DELETE ON followers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_followed();
CREATE TRIGGER followers_project_epochs_truncate AFTER TRUNCATE ON followers
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

-- Whether someone was told of an escalation lets them read it (store.toldOfEscalation):
-- only a notification naming an escalation counts, and reading one (read_at) changes
-- nothing a page shows.
CREATE TRIGGER notifications_project_epochs_insert AFTER INSERT ON notifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_told();
CREATE TRIGGER notifications_project_epochs_update AFTER UPDATE OF user_id, escalation_id, data ON notifications
    FOR EACH ROW EXECUTE FUNCTION note_project_epochs_by_escalation_row();
CREATE TRIGGER notifications_project_epochs_delete AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs_by_told();
CREATE TRIGGER notifications_project_epochs_truncate AFTER TRUNCATE ON notifications
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();

-- The next moment an arrangement starts or ends (store.EscalationAt) is read from the
-- arrangements not yet over, by this index.
CREATE INDEX stand_ins_ends_at ON stand_ins (ends_at);

CREATE TRIGGER stand_ins_org_epoch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON stand_ins
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
CREATE TRIGGER users_org_epoch_sight AFTER UPDATE OF deactivated_at, is_admin ON users
    FOR EACH STATEMENT EXECUTE FUNCTION note_org_epoch();
