package api

import (
	"time"

	"accord/internal/accord"
)

// The API's representations: snake_case, ids as strings, timestamps in RFC 3339 and
// dates as YYYY-MM-DD. internal/server/api/openapi.json documents each one.

type apiUser struct {
	ID      string `json:"id"`
	Email   string `json:"email"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	IsAdmin bool   `json:"is_admin"`
	Locale  string `json:"locale"`
	Version int    `json:"version"`
}

func toAPIUser(u accord.User) apiUser {
	return apiUser{ID: apiID(u.ID), Email: u.Email, Name: u.Name, NameEN: u.NameEN, IsAdmin: u.IsAdmin,
		Locale: u.Locale, Version: u.Version}
}

type apiMembership struct {
	UnitID     string `json:"unit_id"`
	UnitName   string `json:"unit_name"`
	UnitNameEN string `json:"unit_name_en"`
	IsHead     bool   `json:"is_head"`
}

type apiRoles struct {
	Admin     bool `json:"admin"`
	Head      bool `json:"head"`
	Executive bool `json:"executive"`
	Lead      bool `json:"lead"`
	KeyPerson bool `json:"key_person"`
}

type apiMe struct {
	User        apiUser         `json:"user"`
	Roles       apiRoles        `json:"roles"`
	Memberships []apiMembership `json:"memberships"`
	Unread      int             `json:"unread_notifications"`
}

func toAPIMe(v accord.Viewer) apiMe {
	me := apiMe{User: toAPIUser(v.User), Memberships: []apiMembership{}, Unread: v.Unread,
		Roles: apiRoles{Admin: v.Roles.Admin, Head: v.Roles.Head, Executive: v.Roles.Executive, Lead: v.Roles.Lead,
			KeyPerson: v.Roles.KeyPerson}}
	for _, m := range v.Memberships {
		me.Memberships = append(me.Memberships, apiMembership{UnitID: apiID(m.UnitID), UnitName: m.UnitName,
			UnitNameEN: m.UnitNameEN, IsHead: m.IsHead})
	}
	return me
}

type apiUnit struct {
	ID         string     `json:"id"`
	Code       string     `json:"code"`
	ParentID   *string    `json:"parent_id"`
	Path       []string   `json:"path"`
	Name       string     `json:"name"`
	NameEN     string     `json:"name_en"`
	HeadUserID *string    `json:"head_user_id"`
	HeadName   string     `json:"head_name"`
	HeadNameEN string     `json:"head_name_en"`
	ClosedAt   *time.Time `json:"closed_at"`
	CreatedAt  time.Time  `json:"created_at"`
	Version    int        `json:"version"`
}

func toAPIUnit(u accord.Unit) apiUnit {
	out := apiUnit{ID: apiID(u.ID), Code: u.Code, ParentID: apiIDPtr(u.ParentID), Path: make([]string, 0, len(u.Path)), Name: u.Name,
		NameEN: u.NameEN, HeadUserID: apiIDPtr(u.HeadUserID), HeadName: u.HeadName, HeadNameEN: u.HeadNameEN,
		ClosedAt: u.ClosedAt, CreatedAt: u.CreatedAt, Version: u.Version}
	for _, id := range u.Path {
		out.Path = append(out.Path, apiID(id))
	}
	return out
}

type apiSuperior struct {
	CommonUnitID  string `json:"common_unit_id"`
	UnitID        string `json:"unit_id"`
	HeadUserID    string `json:"head_user_id"`
	VacantSkipped int    `json:"vacant_skipped"`
	HeadIsParty   bool   `json:"head_is_party"`
}

type apiProject struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	NameEN          string    `json:"name_en"`
	LeadUserID      string    `json:"lead_user_id"`
	LeadName        string    `json:"lead_name"`
	LeadNameEN      string    `json:"lead_name_en"`
	OwningUnitID    string    `json:"owning_unit_id"`
	UnitName        string    `json:"unit_name"`
	UnitNameEN      string    `json:"unit_name_en"`
	Status          string    `json:"status"`
	CadenceDays     int       `json:"cadence_days"`
	GoalStatement   string    `json:"goal_statement"`
	ExpectedAmount  *int64    `json:"expected_amount"`
	Currency        string    `json:"currency"`
	ExpectedOutcome string    `json:"expected_outcome"`
	GoalID          *string   `json:"goal_id"`
	StartDate       *string   `json:"start_date"`
	TargetDate      *string   `json:"target_date"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	Version         int       `json:"version"`
}

func toAPIProject(p accord.Project) apiProject {
	return apiProject{ID: apiID(p.ID), Name: p.Name, NameEN: p.NameEN, LeadUserID: apiID(p.LeadUserID),
		LeadName: p.LeadName, LeadNameEN: p.LeadNameEN, OwningUnitID: apiID(p.OwningUnitID), UnitName: p.UnitName,
		UnitNameEN: p.UnitNameEN, Status: string(p.Status), CadenceDays: p.CadenceDays, GoalStatement: p.GoalStatement,
		ExpectedAmount: p.ExpectedAmount, Currency: p.Currency, ExpectedOutcome: p.ExpectedOutcome,
		GoalID: apiIDPtr(p.GoalID), StartDate: apiDate(p.StartDate), TargetDate: apiDate(p.TargetDate),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

type apiNeed struct {
	ID            string            `json:"id"`
	ProjectID     string            `json:"project_id"`
	Title         string            `json:"title"`
	TitleEN       string            `json:"title_en"`
	HolderUnitID  *string           `json:"holder_unit_id"`
	HolderName    string            `json:"holder_name"`
	HolderNameEN  string            `json:"holder_name_en"`
	ExternalParty string            `json:"external_party"`
	Tier          string            `json:"tier"`
	BacksUpNeedID *string           `json:"backs_up_need_id"`
	NeededBy      *string           `json:"needed_by"`
	EffortDays    float64           `json:"effort_days"`
	KeyPerson     string            `json:"key_person"`
	Notes         string            `json:"notes"`
	CreatedAt     time.Time         `json:"created_at"`
	Version       int               `json:"version"`
	Warnings      map[string]string `json:"warnings,omitempty"` // after a save: what the lead should check
}

func toAPINeed(n accord.Need) apiNeed {
	return apiNeed{ID: apiID(n.ID), ProjectID: apiID(n.ProjectID), Title: n.Title, TitleEN: n.TitleEN,
		HolderUnitID: apiIDPtr(n.HolderUnitID), HolderName: n.HolderName, HolderNameEN: n.HolderNameEN,
		ExternalParty: n.ExternalParty, Tier: string(n.Tier), BacksUpNeedID: apiIDPtr(n.BacksUpNeedID),
		NeededBy: apiDate(n.NeededBy), EffortDays: n.EffortDays, KeyPerson: n.KeyPerson, Notes: n.Notes,
		CreatedAt: n.CreatedAt, Version: n.Version}
}

type apiRequest struct {
	ID               string       `json:"id"`
	NeedID           string       `json:"need_id"`
	ProjectID        string       `json:"project_id"`
	HolderUnitID     string       `json:"holder_unit_id"`
	State            string       `json:"state"`
	Message          string       `json:"message"`
	Offer            string       `json:"offer"`
	Scope            string       `json:"scope"`
	DueDate          *string      `json:"due_date"`
	KeyPersonUserID  *string      `json:"key_person_user_id"`
	CounterScope     string       `json:"counter_scope"`
	CounterDate      *string      `json:"counter_date"`
	Obstacle         string       `json:"obstacle"`
	DeclineReason    string       `json:"decline_reason"`
	Binding          bool         `json:"binding"`
	SentAt           *time.Time   `json:"sent_at"`
	AnsweredAt       *time.Time   `json:"answered_at"`
	AnsweredBy       *apiAnswerer `json:"answered_by"`
	LastActivityAt   time.Time    `json:"last_activity_at"`
	CreatedAt        time.Time    `json:"created_at"`
	Version          int          `json:"version"`
	NeedTitle        string       `json:"need_title"`
	NeedTitleEN      string       `json:"need_title_en"`
	Tier             string       `json:"tier"`
	EffortDays       float64      `json:"effort_days"`
	ProjectName      string       `json:"project_name"`
	ProjectNameEN    string       `json:"project_name_en"`
	LeadUserID       string       `json:"lead_user_id"`
	HolderName       string       `json:"holder_name"`
	HolderNameEN     string       `json:"holder_name_en"`
	KeyPersonName    string       `json:"key_person_name"`
	KeyPersonNameEN  string       `json:"key_person_name_en"`
	AvailableActions []string     `json:"available_actions"` // what the caller may do now
	// TransferredFromUnitID is the unit first asked, while the request stands passed on.
	TransferredFromUnitID *string `json:"transferred_from_unit_id"`
	TransferReason        string  `json:"transfer_reason"`
	// Ruling is the request's latest escalation, on GET /requests/{id} only: with whom
	// it waits, or the outcome and reason decided.
	Ruling *apiRuling `json:"ruling,omitempty"`
}

// apiRuling is a request's latest escalation as the request carries it.
type apiRuling struct {
	EscalationID    *string    `json:"escalation_id"` // null for a viewer who may not open the escalation
	Status          string     `json:"status"`
	Decision        *string    `json:"decision"`
	Reason          string     `json:"reason"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecidedByName   string     `json:"decided_by_name"`
	DecidedByNameEN string     `json:"decided_by_name_en"`
	AssignedName    string     `json:"assigned_name"`
	AssignedNameEN  string     `json:"assigned_name_en"`
	Direct          bool       `json:"direct"`
	PartyDecides    bool       `json:"party_decides"`
}

func toAPIRuling(e accord.Escalation, mayOpen bool) *apiRuling {
	out := &apiRuling{Status: string(e.Status), Reason: e.DecisionNote, DecidedAt: e.DecidedAt,
		DecidedByName: e.DecidedByName, DecidedByNameEN: e.DecidedByNameEN, AssignedName: e.AssignedName,
		AssignedNameEN: e.AssignedNameEN, Direct: e.Direct, PartyDecides: e.PartyDecides}
	if mayOpen {
		id := apiID(e.ID)
		out.EscalationID = &id
	}
	if e.Decision != nil {
		d := string(*e.Decision)
		out.Decision = &d
	}
	return out
}

func toAPIRequest(r accord.Request, v accord.Viewer) apiRequest {
	out := apiRequest{ID: apiID(r.ID), NeedID: apiID(r.NeedID), ProjectID: apiID(r.ProjectID),
		HolderUnitID: apiID(r.HolderUnitID), State: string(r.State), Message: r.Message, Offer: r.Offer, Scope: r.Scope,
		DueDate: apiDate(r.DueDate), KeyPersonUserID: apiIDPtr(r.KeyPersonUserID), CounterScope: r.CounterScope,
		CounterDate: apiDate(r.CounterDate), Obstacle: string(r.Obstacle), DeclineReason: r.DeclineReason,
		Binding: r.Binding, SentAt: r.SentAt, AnsweredAt: r.AnsweredAt, AnsweredBy: toAPIAnswerer(r.AnsweredBy), LastActivityAt: r.LastActivityAt,
		CreatedAt: r.CreatedAt, Version: r.Version, NeedTitle: r.NeedTitle, NeedTitleEN: r.NeedTitleEN,
		Tier: string(r.Tier), EffortDays: r.EffortDays, ProjectName: r.ProjectName, ProjectNameEN: r.ProjectNameEN,
		LeadUserID: apiID(r.LeadUserID), HolderName: r.HolderName, HolderNameEN: r.HolderNameEN,
		KeyPersonName: r.KeyPersonName, KeyPersonNameEN: r.KeyPersonNameEN, AvailableActions: []string{},
		TransferredFromUnitID: apiIDPtr(r.TransferredFromUnitID), TransferReason: r.TransferReason}
	for _, a := range r.AvailableActions(accord.RequestPartyOf(r, v)) {
		out.AvailableActions = append(out.AvailableActions, string(a))
	}
	return out
}

type apiProgress struct {
	ID           string    `json:"id"`
	RequestID    string    `json:"request_id"`
	AuthorUserID string    `json:"author_user_id"`
	AuthorName   string    `json:"author_name"`
	AuthorNameEN string    `json:"author_name_en"`
	Body         string    `json:"body"`
	NextStep     string    `json:"next_step"`
	Risk         string    `json:"risk"`
	EffortDays   float64   `json:"effort_days"`
	CreatedAt    time.Time `json:"created_at"`
}

func toAPIProgress(e accord.ProgressEntry) apiProgress {
	return apiProgress{ID: apiID(e.ID), RequestID: apiID(e.RequestID), AuthorUserID: apiID(e.AuthorUserID),
		AuthorName: e.AuthorName, AuthorNameEN: e.AuthorNameEN, Body: e.Body, NextStep: e.NextStep,
		Risk: string(e.Risk), EffortDays: e.EffortDays, CreatedAt: e.CreatedAt}
}

type apiTrackerRow struct {
	Request apiRequest   `json:"request"`
	Latest  *apiProgress `json:"latest_update"`
	// PhaseOf names the need this request's need was split from as a first phase.
	PhaseOf *string `json:"phase_of_need_id"`
	// Phases are the requests of the phases split from this request's need, which the
	// tracker rolls into this row.
	Phases []apiTrackerPhase `json:"phases"`
}

// apiTrackerPhase is a phase's request as its parent's tracker row tells it.
type apiTrackerPhase struct {
	RequestID string  `json:"request_id"`
	Title     string  `json:"title"`
	TitleEN   string  `json:"title_en"`
	State     string  `json:"state"`
	DueDate   *string `json:"due_date"`
}

func toAPITrackerRow(row accord.TrackerRow, v accord.Viewer) apiTrackerRow {
	tr := apiTrackerRow{Request: toAPIRequest(row.Request, v), Phases: make([]apiTrackerPhase, 0, len(row.Phases))}
	if row.Latest != nil {
		latest := toAPIProgress(*row.Latest)
		tr.Latest = &latest
	}
	if row.PhaseOf != nil {
		id := apiID(*row.PhaseOf)
		tr.PhaseOf = &id
	}
	for _, p := range row.Phases {
		tr.Phases = append(tr.Phases, apiTrackerPhase{RequestID: apiID(p.RequestID), Title: p.Title, TitleEN: p.TitleEN,
			State: string(p.State), DueDate: apiDate(p.DueDate)})
	}
	return tr
}

type apiEscalation struct {
	ID              string     `json:"id"`
	RequestID       string     `json:"request_id"`
	ProjectID       string     `json:"project_id"`
	Cause           string     `json:"cause"`
	Status          string     `json:"status"`
	AssignedUserID  string     `json:"assigned_user_id"`
	AssignedUnitID  string     `json:"assigned_unit_id"`
	AssignedName    string     `json:"assigned_name"`
	AssignedNameEN  string     `json:"assigned_name_en"`
	Level           int        `json:"level"`
	AtTop           bool       `json:"at_top"`
	Reason          string     `json:"reason"`
	Brief           string     `json:"brief"`
	LeadStatement   string     `json:"lead_statement"`
	HolderStatement string     `json:"holder_statement"`
	WindowOpenedAt  time.Time  `json:"window_opened_at"`
	WindowDueAt     time.Time  `json:"window_due_at"`
	Decision        *string    `json:"decision"`
	DecisionNote    string     `json:"decision_note"`
	DecidedAt       *time.Time `json:"decided_at"`
	DecidedByName   string     `json:"decided_by_name"`
	DecidedByNameEN string     `json:"decided_by_name_en"`
	PartyDecides    bool       `json:"party_decides"` // nobody above is free of the case: a party decides, at the top
	Direct          bool       `json:"direct"`        // decided by a lead who heads the unit above both sides
	CreatedAt       time.Time  `json:"created_at"`
	Version         int        `json:"version"`
	Request         apiRequest `json:"request"`
	// BriefText is the brief written from the frozen record in the caller's language,
	// on GET /escalations/{id} only; RecordTakenAt is when those facts were recorded.
	BriefText     *string    `json:"brief_text,omitempty"`
	RecordTakenAt *time.Time `json:"record_taken_at,omitempty"`
}

func toAPIEscalation(e accord.Escalation, v accord.Viewer) apiEscalation {
	out := apiEscalation{ID: apiID(e.ID), RequestID: apiID(e.RequestID), ProjectID: apiID(e.ProjectID),
		Cause: string(e.Cause), Status: string(e.Status), AssignedUserID: apiID(e.AssignedUserID),
		AssignedUnitID: apiID(e.AssignedUnitID), AssignedName: e.AssignedName, AssignedNameEN: e.AssignedNameEN,
		Level: e.Level, AtTop: e.AtTop, Reason: e.Reason, Brief: e.Brief, LeadStatement: e.LeadStatement,
		HolderStatement: e.HolderStatement, WindowOpenedAt: e.WindowOpenedAt, WindowDueAt: e.WindowDueAt,
		DecisionNote: e.DecisionNote, DecidedAt: e.DecidedAt, DecidedByName: e.DecidedByName,
		DecidedByNameEN: e.DecidedByNameEN, PartyDecides: e.PartyDecides, Direct: e.Direct, CreatedAt: e.CreatedAt,
		Version: e.Version, Request: toAPIRequest(e.Request, v)}
	if e.Decision != nil {
		d := string(*e.Decision)
		out.Decision = &d
	}
	return out
}

// apiAnswerer is who gave a request's last answer, and the absent head they stood in
// for (empty when none).
type apiAnswerer struct {
	Name      string `json:"name"`
	NameEN    string `json:"name_en"`
	ForName   string `json:"for_name"`
	ForNameEN string `json:"for_name_en"`
}

func toAPIAnswerer(a *accord.Answerer) *apiAnswerer {
	if a == nil {
		return nil
	}
	return &apiAnswerer{Name: a.Name, NameEN: a.NameEN, ForName: a.ForName, ForNameEN: a.ForNameEN}
}
