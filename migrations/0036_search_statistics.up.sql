-- Search (issue 18): help the planner tell a common word from a rare one.
--
-- It reads the statistics of an index's expression only when the index is not
-- partial, so for the partial ones (needs, comments, people) it guessed that any
-- pattern matches about twenty rows: a word in every need's title read all 200,000
-- index entries into a bitmap (10 ms, twice per search) where a scan stops at the
-- first 300 matches. Statistics on the same expressions give it the real share.
CREATE STATISTICS needs_search_expr ON ((title || ' ' || title_en || ' ' || notes)) FROM needs;
CREATE STATISTICS needs_search_short_expr ON (accord_doubled(title || ' ' || title_en || ' ' || notes)) FROM needs;
CREATE STATISTICS comments_search_short_expr ON (accord_doubled(body)) FROM comments;
CREATE STATISTICS users_search_expr ON ((name || ' ' || name_en || ' ' || email)) FROM users;
CREATE STATISTICS users_search_short_expr ON (accord_doubled(name || ' ' || name_en || ' ' || email)) FROM users;

-- Written in SQL, accord_doubled was inlined into regexp_replace, which the planner
-- prices like an addition: scanning rows was costed as nearly free, and a word in one
-- comment in eight was searched by reading comments one by one (11 ms) instead of
-- through the index (2 ms). In PL/pgSQL it keeps its declared cost. Same result, so
-- the indexes built with it stay valid.
CREATE OR REPLACE FUNCTION accord_doubled(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 100
    AS $$ BEGIN RETURN regexp_replace(t, '(.)', '\1\1', 'g'); END $$;

ANALYZE needs, comments, users;
