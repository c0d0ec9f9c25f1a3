DROP INDEX IF EXISTS escalations_assigned_window;
