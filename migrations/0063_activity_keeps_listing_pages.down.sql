-- Restores 0061's move_content_epochs, 0050's note_request_epochs and 0048's
-- note_project_epochs_by_request, and the trigger's name.
ALTER TRIGGER requests_zz_epochs_update ON requests RENAME TO requests_epochs_update;

CREATE OR REPLACE FUNCTION move_content_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_org       boolean;
    moved_portfolio boolean;
    moved_search    boolean;
    moved           bigint[];
    moved_units     bigint[];
    moved_users     bigint[];
    moved_rows      bigint[];
BEGIN
    IF current_setting('accord.content_epochs_moved', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    WITH gone AS (DELETE FROM content_epoch_moves WHERE xact = pg_current_xact_id()
            RETURNING org, portfolio, search, projects, units, users, portfolio_rows)
    SELECT (SELECT bool_or(g.org) FROM gone g),
           (SELECT bool_or(g.portfolio) FROM gone g),
           (SELECT bool_or(g.search) FROM gone g),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.projects) p),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.units) u),
           (SELECT array_agg(DISTINCT u ORDER BY u) FROM gone g, unnest(g.users) u),
           (SELECT array_agg(DISTINCT p ORDER BY p) FROM gone g, unnest(g.portfolio_rows) p)
    INTO moved_org, moved_portfolio, moved_search, moved, moved_units, moved_users, moved_rows;
    IF moved_org THEN
        UPDATE org_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_portfolio THEN
        UPDATE portfolio_epoch SET epoch = (random() * 9e18)::bigint;
    END IF;
    IF moved_search THEN
        UPDATE search_epoch SET epoch = (random() * 9e18)::bigint;
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
    IF moved_rows IS NOT NULL AND moved_portfolio IS NOT TRUE THEN
        INSERT INTO portfolio_row_epochs AS e (project_id, epoch)
        SELECT p, (random() * 9e18)::bigint FROM unnest(moved_rows) p ORDER BY p
        ON CONFLICT (project_id) DO UPDATE SET epoch = excluded.epoch;
    END IF;
    PERFORM set_config('accord.content_epochs_moved', 'yes', true);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION note_request_epochs() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION note_project_epochs_by_request() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION note_activity_epoch_moves(bigint[]);
-- Notes of activity a transaction left uncommitted at this moment are dropped with
-- the column: down is run with nothing else writing.
ALTER TABLE content_epoch_moves DROP COLUMN active;
ALTER TABLE project_epochs DROP COLUMN listed_epoch;
