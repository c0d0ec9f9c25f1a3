-- Creates a table of at most five rows, filled from projects in one pass (10,000
-- projects: a few milliseconds) while writes to projects wait, and adds statement
-- triggers.
-- How many projects have each status, kept by the writes to projects: a list of every
-- project (an administrator's, the root unit's head's) takes its total from here
-- rather than counting the table on every page (store.Projects). A statement adds what
-- it moved, status by status in order, so two writers queue on a row rather than
-- deadlock.
CREATE TABLE project_status_counts (
    status   text PRIMARY KEY,
    projects bigint NOT NULL
);
-- Projects written between this count and the triggers below would be counted by
-- neither: the table is held against writes until the migration commits.
LOCK TABLE projects IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO project_status_counts (status, projects)
SELECT status, count(*) FROM projects GROUP BY status;

-- A statement plans its transition tables when it first runs, so each branch names
-- only those its operation has.
CREATE FUNCTION count_project_statuses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO project_status_counts AS c (status, projects)
        SELECT status, count(*) FROM new_rows GROUP BY status ORDER BY status
        ON CONFLICT (status) DO UPDATE SET projects = c.projects + excluded.projects;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO project_status_counts AS c (status, projects)
        SELECT status, -count(*) FROM old_rows GROUP BY status ORDER BY status
        ON CONFLICT (status) DO UPDATE SET projects = c.projects + excluded.projects;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO project_status_counts AS c (status, projects)
        SELECT status, sum(d) FROM (SELECT status, 1 AS d FROM new_rows UNION ALL SELECT status, -1 FROM old_rows) x
        GROUP BY status HAVING sum(d) <> 0 ORDER BY status
        ON CONFLICT (status) DO UPDATE SET projects = c.projects + excluded.projects;
    ELSE
        DELETE FROM project_status_counts;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER projects_status_counts_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_project_statuses();
CREATE TRIGGER projects_status_counts_update AFTER UPDATE ON projects
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_project_statuses();
CREATE TRIGGER projects_status_counts_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_project_statuses();
CREATE TRIGGER projects_status_counts_truncate AFTER TRUNCATE ON projects
    FOR EACH STATEMENT EXECUTE FUNCTION count_project_statuses();
