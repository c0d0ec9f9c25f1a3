-- Replaces two functions and renames a trigger: it holds no table for longer than a
-- moment, at any scale.
-- Progress on a request (its activity moving alone) is the commonest write; each made
-- every executive's portfolio and every kept search read afresh.
--
-- A request's activity moving reaches the portfolio (pages/portfolio_routes.go, kept
-- by portfolio_epoch: 0056) in two ways only: through its project's signals (the
-- oldest activity, kept by 0013/0058, whose own triggers move the epoch), and through
-- a listed project's count of quiet requests (and the moment the next goes quiet).
-- So activity moving later moves the epoch only when the request may have been quiet,
-- or may be now: when the old value is within a day of a whole cadence before the
-- write. The moment of the write is the later of the database's clock and the new
-- activity (the server's clock, which stamps it); a page was drawn before it, and a
-- request active a day past a cadence before it was not quiet then either — the day
-- covers the hour a change of the clocks shifts a count of days, and clocks a little
-- apart. The moment the next request goes quiet only comes later as activity moves
-- later: a page kept until the earlier one is drawn again sooner, never late. Activity
-- moved earlier always moves the epoch.
--
-- The cadence a write is judged on is the one committed before it: a cadence's change
-- locks the project's open requests (0011), so a write to one waits for it. The
-- cadence is read from the project's signal row after 0058's trigger has locked it
-- too (this trigger is renamed to fire after requests_signals_update: statement
-- triggers fire in name order), which would hold for a change that locked no request.
CREATE OR REPLACE FUNCTION note_portfolio_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM new_rows
            EXCEPT SELECT id, project_id, state, due_date, queue_tier, holder_unit_id, key_person_user_id FROM old_rows)
        OR EXISTS (
            SELECT FROM new_rows n JOIN old_rows o ON o.id = n.id
                -- a request whose project changed was caught above; LEFT JOIN keeps a
                -- row whose project has no signal row (then it moves)
                LEFT JOIN project_signals s ON s.project_id = n.project_id
                CROSS JOIN LATERAL (SELECT greatest(now(), n.last_activity_at)
                    - make_interval(days => s.cadence_days) + interval '1 day' AS active_since) a
            WHERE n.last_activity_at IS DISTINCT FROM o.last_activity_at
              AND (n.last_activity_at > o.last_activity_at AND o.last_activity_at >= a.active_since) IS NOT TRUE);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('portfolio');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER requests_portfolio_epoch_update ON requests;
CREATE TRIGGER requests_zz_portfolio_epoch_update AFTER UPDATE ON requests
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_portfolio_epoch_of_requests();

-- A search no longer reads a request's activity: a request found is dated when it was
-- sent or last answered (store/search.go), so progress leaves kept searches alone.
-- Those moments are read instead.
CREATE OR REPLACE FUNCTION note_search_epoch_of_requests() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed boolean := true;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := EXISTS (SELECT FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := EXISTS (SELECT FROM old_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        changed := EXISTS (
            SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, created_at, sent_at, answered_at,
                message, scope, offer, counter_scope, decline_reason, transfer_reason FROM new_rows
            EXCEPT SELECT id, need_id, project_id, holder_unit_id, key_person_user_id, state, created_at, sent_at, answered_at,
                message, scope, offer, counter_scope, decline_reason, transfer_reason FROM old_rows);
    END IF;
    IF changed THEN
        PERFORM note_company_epoch_move('search');
    END IF;
    RETURN NULL;
END $$;
