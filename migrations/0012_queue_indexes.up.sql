-- The inbox, the queue places and the escalation queue order rows by values held on
-- the need (tier, date needed, effort) and the project (expected value). No index can
-- span three tables, so every page sorted a holder's or a superior's whole queue.
-- Copies of those values on the request and the escalation, kept current by the
-- triggers below, let one index per queue hand out a page already in order.
--
-- Each copy is a sort key without NULLs, so that row comparisons (a place in the
-- queue) work on it: queue_date is the request's due date, else the need's date, else
-- 'infinity' (the queue's NULLS LAST); queue_value is minus the project's expected
-- value, else 1 (expected_amount >= 0, so ascending queue_value is the queue's
-- "expected_amount DESC NULLS LAST"); queue_sent is sent_at, else 'infinity'.

ALTER TABLE requests
    ADD COLUMN queue_tier   text NOT NULL DEFAULT 'P2',
    ADD COLUMN queue_date   date NOT NULL DEFAULT 'infinity',
    ADD COLUMN queue_value  bigint NOT NULL DEFAULT 1,
    ADD COLUMN queue_sent   timestamptz NOT NULL DEFAULT 'infinity',
    ADD COLUMN queue_effort numeric(8, 1) NOT NULL DEFAULT 0;

ALTER TABLE escalations
    ADD COLUMN queue_tier  text NOT NULL DEFAULT 'P2',
    ADD COLUMN queue_value bigint NOT NULL DEFAULT 1;

-- A request takes its keys from its need and project when written.
CREATE FUNCTION requests_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT d.tier, COALESCE(NEW.due_date, d.needed_by, 'infinity'), d.effort_days, COALESCE(-p.expected_amount, 1)
    INTO NEW.queue_tier, NEW.queue_date, NEW.queue_effort, NEW.queue_value
    FROM needs d, projects p WHERE d.id = NEW.need_id AND p.id = NEW.project_id;
    NEW.queue_sent := COALESCE(NEW.sent_at, 'infinity');
    RETURN NEW;
END $$;
CREATE TRIGGER requests_queue_keys BEFORE INSERT OR UPDATE OF need_id, project_id, due_date, sent_at ON requests
    FOR EACH ROW EXECUTE FUNCTION requests_queue_keys();

-- An escalation takes them from its request.
CREATE FUNCTION escalations_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.queue_tier, r.queue_value INTO NEW.queue_tier, NEW.queue_value FROM requests r WHERE r.id = NEW.request_id;
    RETURN NEW;
END $$;
CREATE TRIGGER escalations_queue_keys BEFORE INSERT OR UPDATE OF request_id ON escalations
    FOR EACH ROW EXECUTE FUNCTION escalations_queue_keys();

-- A need edited in the workbook passes its tier, date and effort on.
CREATE FUNCTION needs_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET queue_tier = NEW.tier, queue_date = COALESCE(due_date, NEW.needed_by, 'infinity'),
        queue_effort = NEW.effort_days
    WHERE need_id = NEW.id;
    IF OLD.tier IS DISTINCT FROM NEW.tier THEN
        UPDATE escalations e SET queue_tier = NEW.tier FROM requests r WHERE r.need_id = NEW.id AND e.request_id = r.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER needs_queue_keys AFTER UPDATE OF tier, needed_by, effort_days ON needs
    FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier OR OLD.needed_by IS DISTINCT FROM NEW.needed_by
                       OR OLD.effort_days IS DISTINCT FROM NEW.effort_days)
    EXECUTE FUNCTION needs_queue_keys();

-- A project's new expected value moves its requests and escalations in their queues.
CREATE FUNCTION projects_queue_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET queue_value = COALESCE(-NEW.expected_amount, 1) WHERE project_id = NEW.id;
    UPDATE escalations e SET queue_value = COALESCE(-NEW.expected_amount, 1)
    FROM requests r WHERE r.project_id = NEW.id AND e.request_id = r.id;
    RETURN NULL;
END $$;
CREATE TRIGGER projects_queue_keys AFTER UPDATE OF expected_amount ON projects
    FOR EACH ROW WHEN (OLD.expected_amount IS DISTINCT FROM NEW.expected_amount)
    EXECUTE FUNCTION projects_queue_keys();

UPDATE requests r SET queue_tier = d.tier, queue_date = COALESCE(r.due_date, d.needed_by, 'infinity'),
    queue_effort = d.effort_days, queue_value = COALESCE(-p.expected_amount, 1),
    queue_sent = COALESCE(r.sent_at, 'infinity')
FROM needs d, projects p WHERE d.id = r.need_id AND p.id = r.project_id;
UPDATE escalations e SET queue_tier = r.queue_tier, queue_value = r.queue_value
FROM requests r WHERE r.id = e.request_id;

-- A unit's open requests in queue order, with the effort to sum the queue without
-- visiting the table.
CREATE INDEX requests_holder_queue ON requests
    (holder_unit_id, queue_tier, queue_date, queue_value, queue_sent, id) INCLUDE (queue_effort)
    WHERE state IN ('requested', 'agreed', 'countered', 'in_progress');
-- A key person's open requests in the same order.
CREATE INDEX requests_key_person_queue ON requests
    (key_person_user_id, queue_tier, queue_date, queue_value, queue_sent, id)
    WHERE state IN ('requested', 'agreed', 'countered', 'in_progress') AND key_person_user_id IS NOT NULL;
-- A superior's open escalations in the queue's order.
CREATE INDEX escalations_assigned_queue ON escalations (assigned_user_id, queue_tier, queue_value, created_at, id)
    WHERE status = 'open';
-- Every pending escalation in that order, for the administrator's overview.
CREATE INDEX escalations_pending_queue ON escalations (queue_tier, queue_value, created_at, id)
    WHERE status IN ('open', 'sent_back');
-- The project list walks projects newest first and stops after a page.
CREATE INDEX projects_newest ON projects (created_at DESC, id DESC);
-- The projects in which a viewer's units hold a need, from the index alone.
CREATE INDEX needs_holder_project ON needs (holder_unit_id, project_id);
