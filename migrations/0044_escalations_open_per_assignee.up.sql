-- Holds escalations against writes while it counts them: under 0.1 s at the
-- benchmark's scale (17,800 escalations).
-- How many open escalations wait for each person's decision, kept by the writes to
-- escalations: the home page's agenda, the escalation tabs and the portfolio's
-- decision tile each counted them from the index (escalations_assigned_open), 15,000
-- entries for an executive at the bench's scale, 1 ms of each page. A stand-in's
-- count adds what they may decide for others, counted from the rows (rare).
CREATE TABLE escalation_assignee_load (
    user_id bigint  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    open    integer NOT NULL DEFAULT 0
);

-- By delta per statement: within a statement the people's rows are locked in order of
-- their ids, so a write that moves escalations between people does it in one statement
-- (store.AdvanceWindows), never one person after another. The triggers are named to
-- fire after escalations_pending_* (triggers fire in name order), so a statement locks
-- the project's signal row before a person's, the order in which a decision, which
-- first writes the request, takes them.
CREATE FUNCTION escalations_count_assigned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO escalation_assignee_load AS l (user_id, open)
        SELECT assigned_user_id, count(*) FROM new_rows WHERE status = 'open'
        GROUP BY assigned_user_id ORDER BY assigned_user_id
        ON CONFLICT (user_id) DO UPDATE SET open = l.open + EXCLUDED.open;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO escalation_assignee_load AS l (user_id, open)
        SELECT assigned_user_id, -count(*) FROM old_rows WHERE status = 'open'
        GROUP BY assigned_user_id ORDER BY assigned_user_id
        ON CONFLICT (user_id) DO UPDATE SET open = l.open + EXCLUDED.open;
    ELSE
        INSERT INTO escalation_assignee_load AS l (user_id, open)
        SELECT assigned_user_id, sum(delta) FROM (
            SELECT assigned_user_id, 1 AS delta FROM new_rows WHERE status = 'open'
            UNION ALL
            SELECT assigned_user_id, -1 FROM old_rows WHERE status = 'open') d
        GROUP BY assigned_user_id HAVING sum(delta) <> 0 ORDER BY assigned_user_id
        ON CONFLICT (user_id) DO UPDATE SET open = l.open + EXCLUDED.open;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER escalations_to_decide_insert AFTER INSERT ON escalations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_assigned();
CREATE TRIGGER escalations_to_decide_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_assigned();
CREATE TRIGGER escalations_to_decide_delete AFTER DELETE ON escalations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION escalations_count_assigned();

INSERT INTO escalation_assignee_load (user_id, open)
SELECT assigned_user_id, count(*) FROM escalations WHERE status = 'open' GROUP BY assigned_user_id ORDER BY assigned_user_id;
