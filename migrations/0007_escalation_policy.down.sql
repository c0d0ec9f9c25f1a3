ALTER TABLE projects
    DROP COLUMN IF EXISTS p0_declined_days,
    DROP COLUMN IF EXISTS p0_overdue_days,
    DROP COLUMN IF EXISTS p1_declined_days,
    DROP COLUMN IF EXISTS p1_overdue_days,
    DROP COLUMN IF EXISTS stale_factor;
