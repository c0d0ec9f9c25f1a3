DROP TRIGGER IF EXISTS projects_signals_update_copy ON projects;
DROP TRIGGER IF EXISTS projects_signals_insert_copy ON projects;
DROP FUNCTION IF EXISTS projects_copy_to_signals();
ALTER TABLE project_signals
    DROP COLUMN IF EXISTS stale_at,
    DROP COLUMN IF EXISTS sev_static,
    DROP COLUMN IF EXISTS cadence_days,
    DROP COLUMN IF EXISTS currency,
    DROP COLUMN IF EXISTS expected_amount,
    DROP COLUMN IF EXISTS goal_id,
    DROP COLUMN IF EXISTS status;
