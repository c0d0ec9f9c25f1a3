-- Search (issue 15): trigram indexes, so a substring of any length three or more,
-- Chinese included, is found without a word splitter. Each index is on the very
-- expression store.Search matches, which is what lets the planner use it. Shorter
-- terms are still matched correctly (LIKE rechecks every row); they only cannot
-- narrow through the index. pg_trgm counts a character as part of a word by the
-- database's LC_CTYPE: under a UTF-8 ctype it indexes Chinese, under "C" only ASCII.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX projects_search ON projects
    USING gin ((name || ' ' || name_en || ' ' || goal_statement) gin_trgm_ops);
CREATE INDEX needs_search ON needs
    USING gin ((title || ' ' || title_en || ' ' || notes) gin_trgm_ops) WHERE archived_at IS NULL;
CREATE INDEX requests_search ON requests
    USING gin ((message || ' ' || scope || ' ' || offer || ' ' || counter_scope || ' ' || decline_reason
        || ' ' || transfer_reason) gin_trgm_ops);
CREATE INDEX comments_search ON comments USING gin (body gin_trgm_ops) WHERE retracted_at IS NULL;
CREATE INDEX units_search ON units USING gin ((name || ' ' || name_en) gin_trgm_ops);
CREATE INDEX users_search ON users
    USING gin ((name || ' ' || name_en || ' ' || email) gin_trgm_ops) WHERE deactivated_at IS NULL;

-- Two characters (the commonest Chinese word) give no trigram, so the big tables are
-- also indexed with every character doubled: "排期" in a text is "排排期期" in its
-- doubled form, whose trigrams an index can narrow by, and the one holds exactly when
-- the other does. store.Search matches a term of one or two characters this way;
-- longer ones the plain way, whose recheck is cheaper.
CREATE FUNCTION accord_doubled(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT regexp_replace(t, '(.)', '\1\1', 'g') $$;
CREATE INDEX needs_search_short ON needs
    USING gin (accord_doubled(title || ' ' || title_en || ' ' || notes) gin_trgm_ops) WHERE archived_at IS NULL;
CREATE INDEX requests_search_short ON requests
    USING gin (accord_doubled(message || ' ' || scope || ' ' || offer || ' ' || counter_scope || ' ' || decline_reason
        || ' ' || transfer_reason) gin_trgm_ops);
CREATE INDEX comments_search_short ON comments USING gin (accord_doubled(body) gin_trgm_ops) WHERE retracted_at IS NULL;

-- Requests by need: a request found through its need's words, and the tracker's
-- phases (a phase's parent request, a request's phases), which otherwise read every
-- request once per row (12 s for the big project's tracker at 200,000 requests). The
-- partial requests_one_live_per_need cannot serve them: they take delivered ones too.
CREATE INDEX requests_need_id ON requests (need_id);
