-- need_load_effort as migration 0021 wrote it.
CREATE OR REPLACE FUNCTION need_load_effort(need bigint) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT GREATEST(d.effort_days - COALESCE((
        SELECT sum(pd.effort_days) FROM needs pd
        WHERE pd.phase_of_need_id = d.id
          AND EXISTS (SELECT 1 FROM requests pr WHERE pr.need_id = pd.id AND pr.state <> 'cancelled')), 0), 0)
    FROM needs d WHERE d.id = need;
$$;
