DROP TRIGGER IF EXISTS escalations_window_remind_at ON escalations;
DROP FUNCTION IF EXISTS escalations_window_remind_at();
ALTER TABLE escalations DROP COLUMN IF EXISTS window_remind_at;
DROP TRIGGER IF EXISTS needs_sweep_recheck ON needs;
DROP FUNCTION IF EXISTS needs_sweep_recheck();
DROP TRIGGER IF EXISTS projects_sweep_recheck ON projects;
DROP FUNCTION IF EXISTS projects_sweep_recheck();
DROP TRIGGER IF EXISTS requests_sweep_recheck ON requests;
DROP FUNCTION IF EXISTS requests_sweep_recheck();
ALTER TABLE requests
    DROP COLUMN IF EXISTS remind_at,
    DROP COLUMN IF EXISTS escalate_at;
