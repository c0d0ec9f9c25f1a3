DROP TRIGGER projects_lead_epochs_update ON projects;
DROP TRIGGER projects_lead_epochs_delete ON projects;
DROP TRIGGER projects_lead_epochs_insert ON projects;
DROP TRIGGER escalations_party_epochs_delete ON escalations;
DROP TRIGGER escalations_party_epochs_update ON escalations;
DROP TRIGGER escalations_party_epochs_insert ON escalations;
DROP FUNCTION note_project_lead_change_epochs();
DROP FUNCTION note_project_lead_epochs();
DROP FUNCTION note_escalation_party_epochs();
