DROP TRIGGER projects_lead_epochs_update ON projects;
DROP TRIGGER projects_lead_epochs_delete ON projects;
DROP TRIGGER projects_lead_epochs_insert ON projects;
DROP TRIGGER escalations_party_epochs_delete ON escalations;
DROP TRIGGER escalations_party_epochs_update ON escalations;
DROP TRIGGER escalations_party_epochs_insert ON escalations;
DROP TRIGGER escalations_project_epochs_update ON escalations;
CREATE TRIGGER escalations_project_epochs_update AFTER UPDATE ON escalations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_project_epochs();
DROP FUNCTION note_project_epochs_by_shown_escalation_change();
DROP FUNCTION note_project_lead_change_epochs();
DROP FUNCTION note_project_lead_epochs();
DROP FUNCTION note_escalation_party_epochs();
DROP FUNCTION escalation_change_shown(escalations, escalations);
