-- Creates two small tables, adds two columns with constant defaults to an empty table,
-- and replaces functions and triggers: it holds no table for longer than a moment, at
-- any scale.
-- Epochs for pages that list rows across projects (pages/rendered_pages.go keeps the
-- inbox by them), moved at commit as 0047 says:
--   unit_epochs: one value per unit, moved by every write to a request it holds
--     (before and after), its queue's order included: the inbox shows a request's
--     place in its unit's queue, which another request can change.
--   user_epochs: one value per person, moved by every write to a request handed to
--     them (their key person), before and after.
-- A unit or person with no row is at epoch 0.
CREATE TABLE unit_epochs (
    unit_id bigint PRIMARY KEY,
    epoch   bigint NOT NULL
);

CREATE TABLE user_epochs (
    user_id bigint PRIMARY KEY,
    epoch   bigint NOT NULL
);

ALTER TABLE content_epoch_moves ADD COLUMN units bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN users bigint[] NOT NULL DEFAULT '{}';

CREATE FUNCTION note_queue_epoch_moves(units bigint[], users bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(units) > 0 OR cardinality(users) > 0 THEN
        INSERT INTO content_epoch_moves (units, users) VALUES (units, users);
        PERFORM set_config('accord.content_epochs_moved', 'no', true);
    END IF;
END $$;

-- 0047's, moving units and then people too, each in order, after the organisation and
-- the projects.
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org   boolean;
    moved       bigint[];
    moved_units bigint[];
    moved_users bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, projects, units, users)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u)
    INTO moved_org, moved, moved_units, moved_users;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
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

-- A request written: its project's epoch (0048), and its holding unit's and key
-- person's, before and after. An update moves the unit and person on any change but
-- the sweep's next times and the doubled search text; the project only on one 0048
-- counts as shown (the queue's keys are not).
CREATE FUNCTION note_request_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unshown CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'queue_tier', 'queue_date', 'queue_value',
        'queue_sent', 'queue_effort', 'search_doubled'];
    unqueued CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'search_doubled'];
    projects bigint[];
    units    bigint[];
    users    bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT project_id), array_agg(DISTINCT holder_unit_id),
               array_agg(DISTINCT key_person_user_id) FILTER (WHERE key_person_user_id IS NOT NULL)
        INTO projects, units, users FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT project_id), array_agg(DISTINCT holder_unit_id),
               array_agg(DISTINCT key_person_user_id) FILTER (WHERE key_person_user_id IS NOT NULL)
        INTO projects, units, users FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT x.project_id) FILTER (WHERE x.shown),
               array_agg(DISTINCT x.holder_unit_id),
               array_agg(DISTINCT x.key_person_user_id) FILTER (WHERE x.key_person_user_id IS NOT NULL)
        INTO projects, units, users
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (VALUES
            (to_jsonb(n) - unshown IS DISTINCT FROM to_jsonb(o) - unshown, n.project_id, n.holder_unit_id, n.key_person_user_id),
            (to_jsonb(n) - unshown IS DISTINCT FROM to_jsonb(o) - unshown, o.project_id, o.holder_unit_id, o.key_person_user_id))
            x (shown, project_id, holder_unit_id, key_person_user_id)
        WHERE to_jsonb(n) - unqueued IS DISTINCT FROM to_jsonb(o) - unqueued;
    END IF;
    IF projects IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, projects);
    END IF;
    PERFORM note_queue_epoch_moves(COALESCE(units, '{}'), COALESCE(users, '{}'));
    RETURN NULL;
END $$;

DROP TRIGGER requests_project_epochs_insert ON requests;
DROP TRIGGER requests_project_epochs_update ON requests;
DROP TRIGGER requests_project_epochs_delete ON requests;
CREATE TRIGGER requests_epochs_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_request_epochs();
CREATE TRIGGER requests_epochs_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_request_epochs();
CREATE TRIGGER requests_epochs_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION note_request_epochs();
-- A TRUNCATE of requests already moves the organisation's epoch (0048), which every
-- kept page is keyed by too.
