-- The portfolio read every project in an executive's scope, joined to its project and
-- goal, scored and sorted on every view: 26 ms for the root's head at 10,000 projects,
-- mostly joins and the sorts behind "the worst five of each goal" and "the worst page".
-- Each project's signal row now also carries what the portfolio ranks and sums by,
-- copied from its project by a trigger, and its severity apart from the clock
-- (sev_static), so the ranked lists are read in index order and only the rows the
-- clock has made worse (a date passed, activity gone quiet) are scored when read.
ALTER TABLE project_signals
    ADD COLUMN status          text,
    ADD COLUMN goal_id         bigint,
    ADD COLUMN expected_amount bigint,
    ADD COLUMN currency        text,
    ADD COLUMN cadence_days    integer,
    -- accord.HealthOf without the signals that depend on the moment: 0 blocked (a P0
    -- need declined, an escalation waiting), 1 at risk (a decline, a high risk), 2 on
    -- track. The clock can only make a project worse than this, never better.
    ADD COLUMN sev_static      smallint GENERATED ALWAYS AS (
        CASE WHEN p0_declined > 0 OR escalations > 0 THEN 0
             WHEN declined > 0 OR high_risk > 0 THEN 1
             ELSE 2 END) STORED,
    -- When the least recent activity goes stale, counted in UTC days. Only an index key
    -- for finding the rows near or past it: the portfolio compares the exact moment in
    -- its session's zone.
    ADD COLUMN stale_at        timestamptz GENERATED ALWAYS AS (
        (oldest_activity AT TIME ZONE 'UTC' + make_interval(days => cadence_days)) AT TIME ZONE 'UTC') STORED;

-- A project's columns follow it. An edit touches the signal row only when a copied
-- column changed: a rename must not take the row's lock, which a request's writer
-- holds while it reaches the project. Triggers on one event fire in name order, row
-- triggers first: these are named to fire last, after the ones that lock the
-- project's requests (projects_queue_keys, projects_exchange_update), so an edit
-- locks requests before the signal row, the order a request's writer takes them in.
CREATE FUNCTION projects_copy_to_signals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO project_signals AS s (project_id, status, goal_id, expected_amount, currency, cadence_days)
        SELECT n.id, n.status, n.goal_id, n.expected_amount, n.currency, n.cadence_days
        FROM new_rows n ORDER BY n.id
        ON CONFLICT (project_id) DO UPDATE SET status = EXCLUDED.status, goal_id = EXCLUDED.goal_id,
            expected_amount = EXCLUDED.expected_amount, currency = EXCLUDED.currency,
            cadence_days = EXCLUDED.cadence_days;
    ELSE
        UPDATE project_signals s
        SET status = c.status, goal_id = c.goal_id, expected_amount = c.expected_amount, currency = c.currency,
            cadence_days = c.cadence_days
        FROM (SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
              WHERE (o.status, o.goal_id, o.expected_amount, o.currency, o.cadence_days)
                  IS DISTINCT FROM (n.status, n.goal_id, n.expected_amount, n.currency, n.cadence_days)) c
        WHERE s.project_id = c.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_signals_insert_copy AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_copy_to_signals();
CREATE TRIGGER projects_signals_update_copy AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION projects_copy_to_signals();

UPDATE project_signals s
SET status = p.status, goal_id = p.goal_id, expected_amount = p.expected_amount, currency = p.currency,
    cadence_days = p.cadence_days
FROM projects p WHERE p.id = s.project_id;

-- The worst first, overall and within each goal, in the order the portfolio lists them.
CREATE INDEX project_signals_rank ON project_signals
    (sev_static, escalations DESC, expected_amount DESC NULLS LAST, project_id);
CREATE INDEX project_signals_goal_rank ON project_signals
    (goal_id, sev_static, escalations DESC, expected_amount DESC NULLS LAST, project_id);
-- The rows the clock may have made worse than sev_static.
CREATE INDEX project_signals_p0_due ON project_signals (p0_next_due) WHERE sev_static > 0;
CREATE INDEX project_signals_due ON project_signals (next_due) WHERE sev_static = 2;
CREATE INDEX project_signals_stale ON project_signals (stale_at) WHERE sev_static = 2;
