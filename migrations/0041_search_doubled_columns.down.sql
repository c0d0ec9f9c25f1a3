DROP INDEX comments_seen_with_project;
ALTER TABLE projects DROP COLUMN search_doubled;
ALTER TABLE needs DROP COLUMN search_doubled;
ALTER TABLE requests DROP COLUMN search_doubled;
ALTER TABLE comments DROP COLUMN search_doubled;
ALTER TABLE users DROP COLUMN search_doubled;

CREATE INDEX projects_search_short ON projects
    USING gin (accord_doubled(name || ' ' || name_en || ' ' || goal_statement) gin_trgm_ops);
CREATE INDEX needs_search_short ON needs
    USING gin (accord_doubled(title || ' ' || title_en || ' ' || notes) gin_trgm_ops) WHERE archived_at IS NULL;
CREATE INDEX requests_search_short ON requests
    USING gin (accord_doubled(message || ' ' || scope || ' ' || offer || ' ' || counter_scope || ' ' || decline_reason
        || ' ' || transfer_reason) gin_trgm_ops);
CREATE INDEX comments_search_short ON comments USING gin (accord_doubled(body) gin_trgm_ops) WHERE retracted_at IS NULL;
CREATE INDEX users_search_short ON users
    USING gin (accord_doubled(name || ' ' || name_en || ' ' || email) gin_trgm_ops) WHERE deactivated_at IS NULL;

CREATE STATISTICS needs_search_short_expr ON (accord_doubled(title || ' ' || title_en || ' ' || notes)) FROM needs;
CREATE STATISTICS comments_search_short_expr ON (accord_doubled(body)) FROM comments;
CREATE STATISTICS users_search_short_expr ON (accord_doubled(name || ' ' || name_en || ' ' || email)) FROM users;

ANALYZE needs, comments, users;
