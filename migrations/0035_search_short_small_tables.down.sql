DROP INDEX users_search_short;
DROP INDEX projects_search_short;
