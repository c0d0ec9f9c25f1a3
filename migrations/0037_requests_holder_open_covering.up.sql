-- Performance (issue 18): a unit's open requests are counted whole on two pages: the
-- inbox sizes each queue and sums its effort, the department page asks which project
-- each belongs to. Both read every row of a shared service's queue (3,475 at the large
-- scale, about 3 ms each) for two columns the index can carry, so they scan the index
-- alone where the visibility map allows.
CREATE INDEX requests_holder_open_covering ON requests (holder_unit_id) INCLUDE (project_id, queue_effort)
    WHERE state IN ('requested', 'agreed', 'countered', 'in_progress');
DROP INDEX requests_holder_open;
ALTER INDEX requests_holder_open_covering RENAME TO requests_holder_open;
