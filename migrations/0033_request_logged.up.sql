-- request_logged keeps, per request, the effort its progress log records: the sum of
-- request_updates.effort_days. The log is append-only, so an insert is the only
-- change, and each adds to the sum in the same transaction. A unit's give and take
-- (store.UnitLedger) reads it instead of summing ten entries per request, for the
-- thousands of requests a shared service holds.
CREATE TABLE request_logged (
    request_id bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
    days       numeric NOT NULL
);

INSERT INTO request_logged (request_id, days)
SELECT request_id, sum(effort_days) FROM request_updates GROUP BY request_id;

CREATE FUNCTION request_updates_add_logged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In request order, so concurrent inserts lock the rows in one order.
    INSERT INTO request_logged AS l (request_id, days)
    SELECT request_id, sum(effort_days) FROM new_rows GROUP BY request_id ORDER BY request_id
    ON CONFLICT (request_id) DO UPDATE SET days = l.days + EXCLUDED.days;
    RETURN NULL;
END;
$$;

CREATE TRIGGER request_updates_logged AFTER INSERT ON request_updates
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION request_updates_add_logged();
