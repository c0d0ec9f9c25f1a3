DROP TABLE IF EXISTS audit_log, login_failures, sessions, projects, memberships, units, users;
