-- Adds a column with a constant default to project_epochs and to content_epoch_moves
-- (no rewrite), replaces three functions and renames one trigger: it holds no table
-- for longer than a moment, at any scale.
--
-- Progress is the commonest write, and each entry moved its project's epoch and its
-- request's unit's and key person's: every page listing the request, or anything of
-- its project, was drawn again at its next view, though only a project's own pages
-- show a request's progress and activity. Under a working mix, the heads' inboxes,
-- department pages and start pages drawn again after their own progress were half the
-- drawings, and the slowest views.
--
-- A project now has two epochs:
--   - project_epochs.epoch, as before: every write to what its own pages show (the
--     workbook, the tracker, an escalation's page: store.ContentEpochs).
--   - project_epochs.listed_epoch: the same writes except a request's activity alone.
--     The pages that list rows across projects (the inbox, the escalation lists, the
--     start page, a unit's page: store.QueueEpochs) are kept by it. None of them shows
--     a request's progress entries or its activity, except the lead's start page,
--     which lists the requests gone quiet (store.AgendaAt) and is kept until the next
--     one would (store.HomeEpochs).
-- A request's activity alone is a progress entry logging no effort (an entry logging
-- effort moves both, as before: it can change a unit's give and take), and a change of a request's row where nothing else a page
-- shows moved but its last activity, moving later from a moment at which the request
-- was not quiet: a day past a whole cadence before the write, as 0059 judges it for
-- the portfolio (the later of the database's clock and the new activity; the day
-- covers a change of the clocks and clocks a little apart; the cadence is the one
-- committed before, read from the signal row after 0058's trigger locked it, hence
-- the trigger's new name). Such a change moves neither the request's unit's epoch nor
-- its key person's: no page kept by them shows activity (the quiet requests are the
-- lead's, kept by the projects they lead). Any other change moves both of the
-- project's epochs, as before. The moment the next request goes quiet only comes later
-- as activity moves later: a start page kept until the earlier one is drawn again
-- sooner, never late.
-- A project with no row, or whose listed epoch never moved, is at 0.
ALTER TABLE project_epochs ADD COLUMN listed_epoch bigint NOT NULL DEFAULT 0;

ALTER TABLE content_epoch_moves ADD COLUMN active bigint[] NOT NULL DEFAULT '{}';

-- Notes, for the commit, that the activity alone of projects' requests moved: their
-- epochs move, their listed epochs stay.
CREATE FUNCTION note_activity_epoch_moves(projects bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(projects) > 0 THEN
        INSERT INTO content_epoch_moves (active) VALUES (projects);
        PERFORM set_config('accord.content_epochs_moved', 'no', true);
    END IF;
END $$;

-- 0061's, moving a project's listed epoch with its epoch unless only its activity
-- moved.
CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org       boolean;
    moved_portfolio boolean;
    moved_search    boolean;
    moved           bigint[];
    moved_active    bigint[];
    moved_units     bigint[];
    moved_users     bigint[];
    moved_rows      bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, portfolio, search, projects, active, units, users, portfolio_rows)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT bool_or(g.portfolio) FROM gone g),
           (SELECT bool_or(g.search) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects || g.active) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.portfolio_rows) p)
    INTO moved_org, moved_portfolio, moved_search, moved, moved_active, moved_units, moved_users, moved_rows;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_portfolio THEN
        UPDATE portfolio_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_search THEN
        UPDATE search_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    -- moved_active holds every project moved (moved among them), in order.
    IF moved_active IS NOT NULL THEN
        INSERT INTO project_epochs AS e (project_id, epoch, listed_epoch)
        SELECT p, (random() * 9e18)::bigint,
            CASE WHEN p = ANY (COALESCE(moved, '{}')) THEN (random() * 9e18)::bigint ELSE 0 END
        FROM unnest(moved_active) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch,
            listed_epoch = CASE WHEN e.project_id = ANY (COALESCE(moved, '{}')) THEN excluded.listed_epoch
                ELSE e.listed_epoch END;
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
    IF moved_rows IS NOT NULL AND moved_portfolio IS NOT TRUE THEN
        INSERT INTO portfolio_row_epochs AS e (project_id, epoch)
        SELECT p, (random() * 9e18)::bigint FROM unnest(moved_rows) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    PERFORM set_config('accord.content_epochs_moved', 'yes', true);
    RETURN NULL;
END $$;

-- 0048's: a progress entry logging no effort is its request's activity alone. Entries
-- are append-only (0003): an update or a delete, were one ever allowed, moves both.
CREATE OR REPLACE FUNCTION note_project_epochs_by_request() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
    active  bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT r.project_id) FILTER (WHERE n.effort_days <> 0),
               array_agg(DISTINCT r.project_id) FILTER (WHERE n.effort_days = 0)
        INTO touched, active
        FROM new_rows n JOIN requests r ON r.id = n.request_id;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT r.project_id) INTO touched
        FROM (SELECT request_id FROM new_rows UNION ALL SELECT request_id FROM old_rows) x JOIN requests r ON r.id = x.request_id;
    ELSE
        SELECT array_agg(DISTINCT r.project_id) INTO touched FROM old_rows o JOIN requests r ON r.id = o.request_id;
    END IF;
    IF touched IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, touched);
    END IF;
    IF active IS NOT NULL THEN
        PERFORM note_activity_epoch_moves(active);
    END IF;
    RETURN NULL;
END $$;

-- 0050's, with a change of a request's activity alone, moving later from a moment it
-- was not quiet, noted as its project's activity (and moving no unit or person).
CREATE OR REPLACE FUNCTION note_request_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unshown CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'queue_tier', 'queue_date', 'queue_value',
        'queue_sent', 'queue_effort', 'search_doubled'];
    unqueued CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'search_doubled'];
    inactive CONSTANT text[] := ARRAY['remind_at', 'escalate_at', 'search_doubled', 'last_activity_at'];
    projects bigint[];
    active   bigint[];
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
        SELECT array_agg(DISTINCT x.project_id) FILTER (WHERE x.shown AND NOT a.alone),
               array_agg(DISTINCT x.project_id) FILTER (WHERE x.shown AND a.alone),
               array_agg(DISTINCT x.holder_unit_id) FILTER (WHERE NOT a.alone),
               array_agg(DISTINCT x.key_person_user_id) FILTER (WHERE x.key_person_user_id IS NOT NULL AND NOT a.alone)
        INTO projects, active, units, users
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        -- LEFT JOIN: a project with no signal row has no cadence to judge by (it moves)
        LEFT JOIN project_signals s ON s.project_id = n.project_id
        CROSS JOIN LATERAL (SELECT COALESCE(to_jsonb(n) - inactive = to_jsonb(o) - inactive
                AND n.last_activity_at > o.last_activity_at
                AND o.last_activity_at >= greatest(now(), n.last_activity_at)
                    - make_interval(days => s.cadence_days) + interval '1 day', false) AS alone) a
        CROSS JOIN LATERAL (VALUES
            (to_jsonb(n) - unshown IS DISTINCT FROM to_jsonb(o) - unshown, n.project_id, n.holder_unit_id, n.key_person_user_id),
            (to_jsonb(n) - unshown IS DISTINCT FROM to_jsonb(o) - unshown, o.project_id, o.holder_unit_id, o.key_person_user_id))
            x (shown, project_id, holder_unit_id, key_person_user_id)
        WHERE to_jsonb(n) - unqueued IS DISTINCT FROM to_jsonb(o) - unqueued;
    END IF;
    IF projects IS NOT NULL THEN
        PERFORM note_content_epoch_moves(false, projects);
    END IF;
    IF active IS NOT NULL THEN
        PERFORM note_activity_epoch_moves(active);
    END IF;
    PERFORM note_queue_epoch_moves(COALESCE(units, '{}'), COALESCE(users, '{}'));
    RETURN NULL;
END $$;

ALTER TRIGGER requests_epochs_update ON requests RENAME TO requests_zz_epochs_update;
