DROP INDEX IF EXISTS comments_search_short;
DROP INDEX IF EXISTS requests_search_short;
DROP INDEX IF EXISTS needs_search_short;
DROP FUNCTION IF EXISTS accord_doubled(text);
DROP INDEX IF EXISTS requests_need_id;
DROP INDEX IF EXISTS users_search;
DROP INDEX IF EXISTS units_search;
DROP INDEX IF EXISTS comments_search;
DROP INDEX IF EXISTS requests_search;
DROP INDEX IF EXISTS needs_search;
DROP INDEX IF EXISTS projects_search;
-- pg_trgm stays: dropping an extension another schema may use is not this
-- migration's to do.
