DROP INDEX IF EXISTS escalations_holder_statement_owed;
DROP TRIGGER IF EXISTS requests_escalation_holder ON requests;
DROP FUNCTION IF EXISTS requests_escalation_holder();
-- 0012's body.
CREATE OR REPLACE FUNCTION escalations_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.queue_tier, r.queue_value INTO NEW.queue_tier, NEW.queue_value FROM requests r WHERE r.id = NEW.request_id;
    RETURN NEW;
END $$;
ALTER TABLE escalations DROP COLUMN IF EXISTS holder_unit_id;
