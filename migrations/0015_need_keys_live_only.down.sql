CREATE OR REPLACE FUNCTION needs_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET queue_tier = NEW.tier, queue_date = COALESCE(due_date, NEW.needed_by, 'infinity'),
        queue_effort = NEW.effort_days
    WHERE need_id = NEW.id;
    IF OLD.tier IS DISTINCT FROM NEW.tier THEN
        UPDATE escalations e SET queue_tier = NEW.tier FROM requests r WHERE r.need_id = NEW.id AND e.request_id = r.id;
    END IF;
    RETURN NULL;
END $$;
