DROP TRIGGER projects_status_counts_truncate ON projects;
DROP TRIGGER projects_status_counts_delete ON projects;
DROP TRIGGER projects_status_counts_update ON projects;
DROP TRIGGER projects_status_counts_insert ON projects;
DROP FUNCTION count_project_statuses();
DROP TABLE project_status_counts;
