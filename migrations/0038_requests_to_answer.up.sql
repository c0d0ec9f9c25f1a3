-- Performance (issue 18): a head's start page lists the first few requests waiting for
-- their answer, by tier and then the moment sent, and counts them all. A shared
-- service's head has hundreds (641 at the large scale), each read from the table to
-- learn its state and keys, then joined to its need, project and unit before all but
-- five were dropped. This index holds only the requests waiting for an answer, with
-- the keys they are ranked by, so the page ranks and counts them from it alone and
-- reads the table for the five it lists.
CREATE INDEX requests_to_answer ON requests (holder_unit_id) INCLUDE (queue_tier, sent_at, created_at)
    WHERE state = 'requested';
