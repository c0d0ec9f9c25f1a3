-- The periodic sweep looked at every open request on every run to find the few that
-- owe a reminder or have stalled: a sequential scan of requests, and for escalations
-- the whole backlog re-selected and re-inserted every five minutes. Each request now
-- carries the earliest moment the sweep needs to look at it again, one column per
-- step, and the sweep reads only the rows due through a partial index.
--
-- The sweep sets these columns, with the rules it already applies (reminders in SQL,
-- escalation causes in accord.StalledCauses); NULL means "not until the request
-- changes". The triggers below hold no rule: any change a rule reads resets both
-- columns to '-infinity', "look again at the next sweep, whatever its clock", so a
-- stored moment is never later than the rule's own answer.
ALTER TABLE requests
    ADD COLUMN remind_at   timestamptz DEFAULT '-infinity', -- SweepStale: the next reminder may be due
    ADD COLUMN escalate_at timestamptz DEFAULT '-infinity'; -- SweepEscalations: a cause may apply

-- In (moment, id) order, the sweep's batches walk them with a cursor.
CREATE INDEX requests_remind_at ON requests (remind_at, id) WHERE remind_at IS NOT NULL;
CREATE INDEX requests_escalate_at ON requests (escalate_at, id) WHERE escalate_at IS NOT NULL;

-- A request whose state, dates, activity, need, project, holder or key person changed.
CREATE FUNCTION requests_sweep_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.remind_at := '-infinity';
    NEW.escalate_at := '-infinity';
    RETURN NEW;
END $$;
CREATE TRIGGER requests_sweep_recheck
    BEFORE UPDATE OF state, last_activity_at, answered_at, due_date, need_id, project_id, holder_unit_id,
        key_person_user_id ON requests
    FOR EACH ROW WHEN ((OLD.state, OLD.last_activity_at, OLD.answered_at, OLD.due_date, OLD.need_id, OLD.project_id,
                        OLD.holder_unit_id, OLD.key_person_user_id)
                       IS DISTINCT FROM (NEW.state, NEW.last_activity_at, NEW.answered_at, NEW.due_date, NEW.need_id,
                                         NEW.project_id, NEW.holder_unit_id, NEW.key_person_user_id))
    EXECUTE FUNCTION requests_sweep_recheck();

-- A project's cadence, lead or escalation policy: its open requests are looked at again.
CREATE FUNCTION projects_sweep_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET remind_at = '-infinity', escalate_at = '-infinity'
    WHERE project_id = NEW.id AND state NOT IN ('delivered', 'cancelled');
    RETURN NULL;
END $$;
CREATE TRIGGER projects_sweep_recheck AFTER UPDATE OF cadence_days, lead_user_id, p0_declined_days, p0_overdue_days,
        p1_declined_days, p1_overdue_days, stale_factor ON projects
    FOR EACH ROW WHEN ((OLD.cadence_days, OLD.lead_user_id, OLD.p0_declined_days, OLD.p0_overdue_days,
                        OLD.p1_declined_days, OLD.p1_overdue_days, OLD.stale_factor)
                       IS DISTINCT FROM (NEW.cadence_days, NEW.lead_user_id, NEW.p0_declined_days, NEW.p0_overdue_days,
                                         NEW.p1_declined_days, NEW.p1_overdue_days, NEW.stale_factor))
    EXECUTE FUNCTION projects_sweep_recheck();

-- A need's tier picks the policy of its requests.
CREATE FUNCTION needs_sweep_recheck() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests SET remind_at = '-infinity', escalate_at = '-infinity'
    WHERE need_id = NEW.id AND state NOT IN ('delivered', 'cancelled');
    RETURN NULL;
END $$;
CREATE TRIGGER needs_sweep_recheck AFTER UPDATE OF tier ON needs
    FOR EACH ROW WHEN (OLD.tier IS DISTINCT FROM NEW.tier)
    EXECUTE FUNCTION needs_sweep_recheck();

-- Decision windows: the superior is reminded at half and at three quarters of the
-- window. The next of those moments, kept by the trigger below whenever a column it
-- depends on is written, lets the sweep find the few escalations due through an index
-- instead of computing both moments for every open one. It is stored three hours
-- early: the sweep still applies its own exact test, in its own session's time zone,
-- where interval arithmetic may differ by a daylight-saving hour.
ALTER TABLE escalations ADD COLUMN window_remind_at timestamptz;

CREATE FUNCTION escalations_window_remind_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.window_remind_at := CASE
        WHEN NEW.status <> 'open' OR NEW.at_top THEN NULL
        WHEN NOT NEW.reminded_half THEN NEW.window_opened_at + (NEW.window_due_at - NEW.window_opened_at) * 0.5
        WHEN NOT NEW.reminded_late THEN NEW.window_opened_at + (NEW.window_due_at - NEW.window_opened_at) * 0.75
    END - interval '3 hours';
    RETURN NEW;
END $$;
CREATE TRIGGER escalations_window_remind_at
    BEFORE INSERT OR UPDATE OF status, at_top, reminded_half, reminded_late, window_opened_at, window_due_at ON escalations
    FOR EACH ROW EXECUTE FUNCTION escalations_window_remind_at();

UPDATE escalations SET window_remind_at = CASE
        WHEN status <> 'open' OR at_top THEN NULL
        WHEN NOT reminded_half THEN window_opened_at + (window_due_at - window_opened_at) * 0.5
        WHEN NOT reminded_late THEN window_opened_at + (window_due_at - window_opened_at) * 0.75
    END - interval '3 hours';

CREATE INDEX escalations_window_remind ON escalations (window_remind_at) WHERE window_remind_at IS NOT NULL;
