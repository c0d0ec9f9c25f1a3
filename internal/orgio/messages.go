package orgio

// fieldMessages name each column in the reader's language.
var fieldMessages = map[string]string{
	FieldCode: "org_field_code", FieldName: "org_field_name", FieldNameEN: "org_field_name_en",
	FieldParentCode: "org_field_parent_code", FieldHeadEmail: "org_field_head_email", FieldEmail: "org_field_email",
	FieldUnitCodes: "org_field_unit_codes", FieldActive: "org_field_active",
}

// FieldMessageID is the message naming a problem's column, or "" for none.
func FieldMessageID(field string) string { return fieldMessages[field] }

// groupMessages title each kind of change, keyed as Changes.Counts keys them.
var groupMessages = map[string]string{
	"units_created": "org_import_group_units_created", "units_renamed": "org_import_group_units_renamed",
	"units_moved": "org_import_group_units_moved", "units_closed": "org_import_group_units_closed",
	"units_reopened": "org_import_group_units_reopened", "heads_changed": "org_import_group_heads_changed",
	"people_created": "org_import_group_people_created", "people_renamed": "org_import_group_people_renamed",
	"people_activated": "org_import_group_people_activated", "people_deactivated": "org_import_group_people_deactivated",
	"memberships_added": "org_import_group_memberships_added", "memberships_removed": "org_import_group_memberships_removed",
}

// GroupMessageID is the message titling a kind of change (a key of Changes.Counts).
func GroupMessageID(kind string) string { return groupMessages[kind] }
