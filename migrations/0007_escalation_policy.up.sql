-- A project's own thresholds for automatic escalation. NULL keeps the default for the
-- tier (accord.DefaultEscalationPolicy); P2 alternatives never escalate by themselves.
ALTER TABLE projects
    ADD COLUMN p0_declined_days integer CHECK (p0_declined_days BETWEEN 0 AND 365),
    ADD COLUMN p0_overdue_days  integer CHECK (p0_overdue_days BETWEEN 0 AND 365),
    ADD COLUMN p1_declined_days integer CHECK (p1_declined_days BETWEEN 0 AND 365),
    ADD COLUMN p1_overdue_days  integer CHECK (p1_overdue_days BETWEEN 0 AND 365),
    -- multiples of the cadence without activity before a P0/P1 request escalates; 0 never
    ADD COLUMN stale_factor     integer CHECK (stale_factor BETWEEN 0 AND 10);
