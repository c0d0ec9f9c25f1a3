DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log;
DROP FUNCTION IF EXISTS audit_log_append_only();
DROP INDEX IF EXISTS audit_log_project_id;
ALTER TABLE audit_log DROP COLUMN IF EXISTS project_id;
DROP TABLE IF EXISTS commitments, project_units, needs;
ALTER TABLE projects
    DROP CONSTRAINT IF EXISTS projects_dates,
    DROP COLUMN IF EXISTS goal_statement, DROP COLUMN IF EXISTS expected_amount,
    DROP COLUMN IF EXISTS currency, DROP COLUMN IF EXISTS expected_outcome,
    DROP COLUMN IF EXISTS goal_id, DROP COLUMN IF EXISTS start_date,
    DROP COLUMN IF EXISTS target_date, DROP COLUMN IF EXISTS updated_at;
DROP TABLE IF EXISTS goals;
