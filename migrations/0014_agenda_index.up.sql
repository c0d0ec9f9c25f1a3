-- The home page lists the escalations a superior must decide soonest first; an
-- executive can have tens of thousands open, so the first few come from this index.
CREATE INDEX escalations_assigned_window ON escalations (assigned_user_id, window_due_at, id) WHERE status = 'open';
