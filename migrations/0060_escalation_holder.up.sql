-- Adds a column to escalations and fills it (one row written per escalation, once),
-- replaces a trigger function, adds a trigger and an index. Requests are held against
-- writes while it runs (a second for 18,000 escalations), so no request is passed on
-- between the fill and the trigger that follows it.
-- A holder's start page lists the escalations still owed its statement (store/agenda.go).
-- It found them from every request its units hold (requests_holder_project), probing
-- the owed escalations (escalations_statement_owed, 0017) once per request: 4,300
-- probes, 6 ms, for a shared service's head. The escalation now keeps its request's
-- holder, as it keeps its queue keys (0012), and an index hands out those owed by a
-- unit directly.
LOCK TABLE requests IN SHARE MODE;
ALTER TABLE escalations ADD COLUMN holder_unit_id bigint;
UPDATE escalations e SET holder_unit_id = r.holder_unit_id FROM requests r WHERE r.id = e.request_id;
ALTER TABLE escalations ALTER COLUMN holder_unit_id SET NOT NULL;

-- 0012's, taking the holder too.
CREATE OR REPLACE FUNCTION escalations_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.queue_tier, r.queue_value, r.holder_unit_id INTO NEW.queue_tier, NEW.queue_value, NEW.holder_unit_id
    FROM requests r WHERE r.id = NEW.request_id;
    RETURN NEW;
END $$;

-- A request passed to another unit (or back) takes its escalations along, under the
-- request's lock: a writer of an escalation that locks it takes the request's first
-- (store.lockEscalation), as 0012's keys assume; the sweep moving decision windows
-- locks escalations alone, but never writes this column.
CREATE FUNCTION requests_escalation_holder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE escalations SET holder_unit_id = NEW.holder_unit_id
    WHERE request_id = NEW.id AND holder_unit_id IS DISTINCT FROM NEW.holder_unit_id;
    RETURN NULL;
END $$;
CREATE TRIGGER requests_escalation_holder AFTER UPDATE OF holder_unit_id ON requests
    FOR EACH ROW WHEN (OLD.holder_unit_id IS DISTINCT FROM NEW.holder_unit_id)
    EXECUTE FUNCTION requests_escalation_holder();

-- The escalations a unit still owes its statement on.
CREATE INDEX escalations_holder_statement_owed ON escalations (holder_unit_id)
    WHERE status IN ('open', 'sent_back') AND holder_statement = '';
