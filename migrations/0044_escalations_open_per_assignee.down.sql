DROP TRIGGER escalations_assignee_delete ON escalations;
DROP TRIGGER escalations_assignee_update ON escalations;
DROP TRIGGER escalations_assignee_insert ON escalations;
DROP FUNCTION escalations_count_assigned();
DROP TABLE escalation_assignee_load;
