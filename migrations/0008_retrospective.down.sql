DROP INDEX IF EXISTS requests_holder_project;
DROP INDEX IF EXISTS escalations_project_pending;
DROP TABLE IF EXISTS thanks;
DROP TABLE IF EXISTS retrospectives;
