DROP TABLE IF EXISTS escalation_advice;
