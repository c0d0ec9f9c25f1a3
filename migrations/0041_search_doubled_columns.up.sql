-- Search (issue 18): the doubled text (migration 0027) is kept, lower-cased, in a
-- column of its own, computed once per write, and indexed there.
--
-- Indexed as an expression, it was computed again for every row a search read: the
-- index is lossy, so each candidate is rechecked against accord_doubled(...), a
-- regular expression costing about 4 µs a row. Stored lower-cased, it is matched
-- with LIKE against the lower-cased pattern (what ILIKE does, without folding every
-- row again): 0.2 µs. A lead who sees few projects, searching a word found in a
-- quarter of all comments, read 10,000 of them before finding 300 they may open:
-- 40 ms, nearly all of it recomputing the doubled text. The column also carries its
-- own statistics, so the extended statistics on the expressions (migration 0036)
-- are dropped.
--
-- Adding a stored column rewrites the table, with every index on it, under a lock
-- that holds reads off until the migration ends: about 20 s at 200,000 needs and
-- requests on two cores. The old doubled indexes go first, so the rewrite does not
-- rebuild them only for them to be dropped. Every later update of a row recomputes
-- its column (about 4 µs; requests have BEFORE UPDATE triggers, so theirs on any
-- update).
DROP INDEX projects_search_short, needs_search_short, requests_search_short, comments_search_short, users_search_short;

ALTER TABLE projects ADD COLUMN search_doubled text NOT NULL
    GENERATED ALWAYS AS (lower(accord_doubled(name || ' ' || name_en || ' ' || goal_statement))) STORED;
ALTER TABLE needs ADD COLUMN search_doubled text NOT NULL
    GENERATED ALWAYS AS (lower(accord_doubled(title || ' ' || title_en || ' ' || notes))) STORED;
ALTER TABLE requests ADD COLUMN search_doubled text NOT NULL
    GENERATED ALWAYS AS (lower(accord_doubled(message || ' ' || scope || ' ' || offer || ' ' || counter_scope
        || ' ' || decline_reason || ' ' || transfer_reason))) STORED;
ALTER TABLE comments ADD COLUMN search_doubled text NOT NULL GENERATED ALWAYS AS (lower(accord_doubled(body))) STORED;
ALTER TABLE users ADD COLUMN search_doubled text NOT NULL
    GENERATED ALWAYS AS (lower(accord_doubled(name || ' ' || name_en || ' ' || email))) STORED;

CREATE INDEX projects_search_short ON projects USING gin (search_doubled gin_trgm_ops);
CREATE INDEX needs_search_short ON needs USING gin (search_doubled gin_trgm_ops) WHERE archived_at IS NULL;
CREATE INDEX requests_search_short ON requests USING gin (search_doubled gin_trgm_ops);
CREATE INDEX comments_search_short ON comments USING gin (search_doubled gin_trgm_ops) WHERE retracted_at IS NULL;
CREATE INDEX users_search_short ON users USING gin (search_doubled gin_trgm_ops) WHERE deactivated_at IS NULL;

DROP STATISTICS needs_search_short_expr, comments_search_short_expr, users_search_short_expr;

-- The comments a project's readers see (on it and on its requests), by project: for
-- whoever sees few projects, search reads these rather than every match.
CREATE INDEX comments_seen_with_project ON comments (project_id) WHERE escalation_id IS NULL AND retracted_at IS NULL;

-- Statistics: rewritten, the tables lost theirs. Needs, comments and users are
-- analysed as migration 0036 left them, even empty; projects and requests only when
-- they hold rows, as before they never were on a fresh database.
ANALYZE needs, comments, users;
DO $$
BEGIN
    IF EXISTS (SELECT FROM projects) THEN
        ANALYZE projects, requests;
    END IF;
END $$;
