-- need_load_effort (migration 0021), which every write to a request counts its effort
-- by, asked whether each phase of the need is on the tracker with EXISTS. The planner
-- may turn that EXISTS into a join and, when it believes a need has many phases, read
-- the requests first: every request, hashed, on every call. It believes so when the
-- needs have no statistics, as in a transaction that filled them after the table was
-- analysed empty: the bench's seed of 200,000 requests (one transaction, after
-- migration 0041 analysed needs on a fresh database) ran for hours, 100 ms a call.
--
-- Asked as a subquery that stops at the first live request, the question cannot be
-- turned into a join: the phases are read by their index (needs_phase_of), and for
-- each its requests by theirs. Same answer, whatever the statistics say.
CREATE OR REPLACE FUNCTION need_load_effort(need bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT GREATEST(d.effort_days - COALESCE((
        SELECT sum(pd.effort_days) FROM needs pd
        WHERE pd.phase_of_need_id = d.id
          AND (SELECT true FROM requests pr WHERE pr.need_id = pd.id AND pr.state <> 'cancelled' LIMIT 1)), 0), 0)
    FROM needs d WHERE d.id = need;
$$;
