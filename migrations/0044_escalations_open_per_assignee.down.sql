DROP TRIGGER escalations_to_decide_delete ON escalations;
DROP TRIGGER escalations_to_decide_update ON escalations;
DROP TRIGGER escalations_to_decide_insert ON escalations;
DROP FUNCTION escalations_count_assigned();
DROP TABLE escalation_assignee_load;
