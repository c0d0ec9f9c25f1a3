-- Search (issue 18): a term of one or two characters (the commonest Chinese word)
-- gives no trigram, so projects and people were read whole for it, 10,000 and 20,000
-- rows at the large scale, about half of a rare word's search. They get the doubled
-- index the big tables have (migration 0027), on the very expressions store.Search
-- matches. Units (1,000 rows) are still read whole.
CREATE INDEX projects_search_short ON projects
    USING gin (accord_doubled(name || ' ' || name_en || ' ' || goal_statement) gin_trgm_ops);
CREATE INDEX users_search_short ON users
    USING gin (accord_doubled(name || ' ' || name_en || ' ' || email) gin_trgm_ops) WHERE deactivated_at IS NULL;
