-- A need's change passed its tier, date and effort on to every request it ever had
-- (0012). Closed requests sit in no queue, and rewriting them took row locks that an
-- answer to the live request could be waiting behind in the other order: only the
-- live request (at most one per need) is rewritten now. Every path that changes a need
-- locks that request first (store.lockNeed), as answering a request does.
CREATE OR REPLACE FUNCTION needs_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET queue_tier = NEW.tier, queue_date = COALESCE(due_date, NEW.needed_by, 'infinity'),
        queue_effort = NEW.effort_days
    WHERE need_id = NEW.id AND state NOT IN ('delivered', 'cancelled');
    IF OLD.tier IS DISTINCT FROM NEW.tier THEN
        UPDATE escalations e SET queue_tier = NEW.tier FROM requests r
        WHERE r.need_id = NEW.id AND e.request_id = r.id AND e.status IN ('open', 'sent_back');
    END IF;
    RETURN NULL;
END $$;
