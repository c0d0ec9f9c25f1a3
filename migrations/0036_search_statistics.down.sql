CREATE OR REPLACE FUNCTION accord_doubled(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT regexp_replace(t, '(.)', '\1\1', 'g') $$;
DROP STATISTICS users_search_short_expr;
DROP STATISTICS users_search_expr;
DROP STATISTICS comments_search_short_expr;
DROP STATISTICS needs_search_short_expr;
DROP STATISTICS needs_search_expr;
