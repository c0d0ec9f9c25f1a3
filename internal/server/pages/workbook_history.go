package pages

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"accord/internal/accord"
	"accord/web/i18n"
	"accord/web/ui"
)

// projectHistoryPerPage is how many changes a page of a project's history shows.
const projectHistoryPerPage = 25

// showProjectHistoryPage lists every change to the project's workbook, newest first,
// in a fixed number of queries: the page of history, and the units, needs and goals
// that name the ids the changes refer to.
func (s *Server) showProjectHistoryPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, ok := s.visibleProject(w, r)
	if !ok {
		return
	}
	page := min(pageParam(r), 100000)
	entries, total, err := s.store.ProjectHistory(ctx, p.ID, (page-1)*projectHistoryPerPage, projectHistoryPerPage)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	names, err := s.historyNames(ctx, p)
	if err != nil {
		s.Fail(w, r, err)
		return
	}
	v := ui.ProjectHistoryView{Project: p, Page: page, Pages: pages(total, projectHistoryPerPage), Total: total}
	for _, e := range entries {
		v.Entries = append(v.Entries, names.change(ctx, e))
	}
	s.page(w, r, http.StatusOK, i18n.T(ctx, "wb_history_title"), "projects", ui.ProjectHistory(v))
}

// historyNames resolves the ids a change refers to into names a reader knows.
type historyNames struct {
	project accord.Project // names its current lead
	units   map[int64]accord.Unit
	needs   map[int64]accord.Need
	goals   map[int64]accord.Goal
}

func (s *Server) historyNames(ctx context.Context, p accord.Project) (historyNames, error) {
	n := historyNames{project: p, units: map[int64]accord.Unit{}, needs: map[int64]accord.Need{},
		goals: map[int64]accord.Goal{}}
	units, err := s.store.Units(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range units {
		n.units[u.ID] = u
	}
	needs, err := s.store.Needs(ctx, p.ID)
	if err != nil {
		return n, err
	}
	for _, need := range needs {
		n.needs[need.ID] = need
	}
	goals, err := s.store.Goals(ctx)
	if err != nil {
		return n, err
	}
	for _, g := range goals {
		n.goals[g.ID] = g
	}
	return n, nil
}

// change turns one audit entry into a line of history: who, what in words, and each
// field whose value differs, before and after.
func (n historyNames) change(ctx context.Context, e accord.AuditEntry) ui.ProjectChange {
	lang := i18n.Lang(ctx)
	before, after := decodeAudit(e.Before), decodeAudit(e.After)
	c := ui.ProjectChange{At: e.At, Actor: i18n.T(ctx, "audit_system")}
	if e.ActorName != "" {
		c.Actor = accord.User{Name: e.ActorName, NameEN: e.ActorNameEN}.DisplayName(lang)
	}
	// A stand-in's step names the head they stood in for, as named then.
	if head := histLocal(after, "for", "for_en", lang); head != "" {
		c.Actor = i18n.T(ctx, "standin_actor_for", map[string]any{"Actor": c.Actor, "Head": head})
	}
	latest := after
	if latest == nil {
		latest = before
	}
	switch e.Entity {
	case accord.AuditNeed:
		data := map[string]any{"Subject": histLocal(latest, "Title", "TitleEN", lang)}
		switch e.Action {
		case accord.AuditCreate:
			c.Summary = histT(ctx, "wb_hist_need_create", data)
		case accord.AuditUpdate:
			c.Summary = histT(ctx, "wb_hist_need_update", data)
		case accord.AuditDelete:
			c.Summary = histT(ctx, "wb_hist_need_delete", data)
		case accord.AuditArchive:
			c.Summary = histT(ctx, "wb_hist_need_archive", data)
		}
	case accord.AuditCommitment:
		data := map[string]any{"Subject": i18n.Text(ctx, histText(latest["What"])), "Unit": n.unitName(latest["UnitID"], lang)}
		switch e.Action {
		case accord.AuditCreate:
			c.Summary = histT(ctx, "wb_hist_commitment_create", data)
		case accord.AuditUpdate:
			c.Summary = histT(ctx, "wb_hist_commitment_update", data)
		case accord.AuditDelete:
			c.Summary = histT(ctx, "wb_hist_commitment_delete", data)
		}
	case accord.AuditUnitPlan:
		data := map[string]any{"Subject": n.unitName(json.Number(strconv.FormatInt(e.EntityID, 10)), lang)}
		if before == nil {
			c.Summary = histT(ctx, "wb_hist_plan_create", data)
		} else {
			c.Summary = histT(ctx, "wb_hist_plan_update", data)
		}
	case accord.AuditRequest:
		if need := histLocal(latest, "need", "need_en", lang); need != "" {
			return requestChange(ctx, c, e.Action, before, latest, need, histLocal(latest, "holder", "holder_en", lang))
		}
		// Recorded before the need and unit were kept with each step.
		switch e.Action {
		case accord.AuditOf(accord.ActionSend):
			c.Summary = i18n.T(ctx, "wb_hist_request_send")
		case accord.AuditProgress:
			c.Summary = i18n.T(ctx, "wb_hist_request_progress")
		case accord.AuditNudge:
			c.Summary = i18n.T(ctx, "wb_hist_request_nudge")
		default:
			c.Summary = i18n.T(ctx, "wb_hist_request_other")
		}
	case accord.AuditEscalation:
		switch e.Action {
		case accord.AuditRaise:
			if need := histLocal(latest, "need", "need_en", lang); need != "" {
				c.Summary = histT(ctx, "polish_hist_escalation_raise", map[string]any{"Need": need,
					"Unit": histLocal(latest, "holder", "holder_en", lang)})
				return c
			}
			c.Summary = i18n.T(ctx, "wb_hist_escalation_raise")
		case accord.AuditDecide:
			// The decision as given, with the need named as it was then.
			kind := accord.DecisionKind(histText(latest["Kind"]))
			data := map[string]any{"Outcome": i18n.T(ctx, kind.MessageID()), "Reason": i18n.Text(ctx, histText(latest["Note"])),
				"Need": histLocal(latest, "NeedTitle", "NeedTitleEN", lang)}
			switch {
			case !kind.Valid():
				c.Summary = i18n.T(ctx, "wb_hist_escalation_decide")
			case kind == accord.DecideSendBack:
				c.Summary = histT(ctx, "wb_hist_escalation_sent_back", data)
			default:
				c.Summary = histT(ctx, "wb_hist_escalation_decided", data)
			}
			return c // the decision is the summary; its fields are not a table of edits
		case accord.AuditReassign:
			c.Summary = histT(ctx, "wb_hist_escalation_reassign", map[string]any{"Reason": i18n.Text(ctx, histText(latest["reason"]))})
			return c
		case accord.AuditRefresh:
			c.Summary = i18n.T(ctx, "wb_hist_escalation_refresh")
			return c
		case accord.AuditMoveUp:
			c.Summary = i18n.T(ctx, "wb_hist_escalation_move_up")
		case accord.AuditAskAdvice:
			c.Summary = i18n.T(ctx, "advice_hist_asked") // who and what stay with the escalation
			return c
		case accord.AuditOpinion:
			c.Summary = i18n.T(ctx, "advice_hist_given")
			return c
		default:
			c.Summary = i18n.T(ctx, "wb_hist_escalation_other")
		}
	case accord.AuditRetrospective:
		if before == nil {
			c.Summary = i18n.T(ctx, "polish_hist_retro_create")
		} else {
			c.Summary = i18n.T(ctx, "polish_hist_retro_update")
		}
	case accord.AuditThanks:
		data := map[string]any{"Unit": n.unitName(latest["UnitID"], lang), "Text": histClip(i18n.Text(ctx, histText(latest["Text"])), 120)}
		if e.Action == accord.AuditDelete {
			c.Summary = histT(ctx, "polish_hist_thanks_delete", data)
		} else {
			c.Summary = histT(ctx, "polish_hist_thanks_create", data)
		}
		return c // the summary quotes the thanks; there are no fields to compare
	case accord.AuditComment:
		data := map[string]any{"Text": histClip(i18n.Text(ctx, histText(latest["Body"])), 120)}
		switch {
		case histText(latest["subject"]) == string(accord.CommentOnEscalation):
			// An escalation's conversation is for its parties, not every reader of the
			// project: the history says that someone spoke there, not what.
			c.Summary = i18n.T(ctx, "polish_hist_comment_escalation")
		case e.Action == accord.AuditUpdate:
			c.Summary = histT(ctx, "polish_hist_comment_update", data)
		case e.Action == accord.AuditRetract:
			c.Summary = histT(ctx, "polish_hist_comment_retract", data)
		default:
			c.Summary = histT(ctx, "polish_hist_comment_create", data)
		}
		return c // the words are the summary
	case accord.AuditProject:
		if e.Action == accord.AuditCreate {
			c.Summary = i18n.T(ctx, "wb_hist_project_create")
		} else {
			c.Summary = i18n.T(ctx, "wb_hist_project_update")
		}
	}
	if c.Summary == "" {
		c.Summary = histT(ctx, "wb_hist_other", map[string]any{"Entity": e.Entity, "Action": e.Action})
	}
	if e.Action == accord.AuditDelete || e.Action == accord.AuditArchive || after == nil {
		return c
	}
	for _, key := range changedKeys(before, after) {
		label := historyFieldLabel(ctx, key)
		if label == "" {
			continue
		}
		fc := ui.FieldChange{Field: label, After: n.value(ctx, string(e.Entity), key, after[key])}
		if before != nil {
			fc.Before = n.value(ctx, string(e.Entity), key, before[key])
		} else if histBlank(after[key]) {
			continue // a new row: list only what was filled in
		}
		fc.Created = before == nil
		if (key == "Name" || key == "Title") && lang == i18n.English {
			fc.Lang = "zh-Hans" // the Chinese name, labelled as such, is the change itself
		}
		c.Changes = append(c.Changes, fc)
	}
	return c
}

// requestChange words a step of a request from what its audit record kept: the need
// and the holding unit as named then, the state it left and the state it reached, and
// what was given with it, in the reader's language.
func requestChange(ctx context.Context, c ui.ProjectChange, action accord.AuditAction, before, after map[string]any, need, unit string) ui.ProjectChange {
	state := func(m map[string]any) string {
		if s := histText(m["state"]); s != "" {
			return i18n.T(ctx, accord.RequestState(s).MessageID())
		}
		return ""
	}
	data := map[string]any{"Need": need, "Unit": unit, "From": state(before), "To": state(after)}
	switch {
	case action == accord.AuditOf(accord.ActionSend):
		c.Summary = histT(ctx, "polish_hist_request_send", data)
	case action == accord.AuditProgress:
		c.Summary = histT(ctx, "polish_hist_request_progress", data)
		if body := histText(after["Body"]); body != "" {
			c.Changes = append(c.Changes, ui.FieldChange{Field: i18n.T(ctx, "polish_hist_progress_note"),
				After: histClip(i18n.Text(ctx, body), 120), Created: true})
		}
		return c
	case action == accord.AuditNudge:
		c.Summary = histT(ctx, "polish_hist_request_nudge", data)
		return c
	case action == accord.AuditOf(accord.ActionTransfer), action == accord.AuditOf(accord.ActionTransferBack):
		data["ToUnit"] = histLocal(after, "to_unit", "to_unit_en", i18n.Lang(ctx))
		id := "polish_hist_request_transfer"
		if action == accord.AuditOf(accord.ActionTransferBack) {
			id = "polish_hist_request_transfer_back"
		}
		c.Summary = histT(ctx, id, data)
	case data["From"] != "" && data["From"] != data["To"]:
		c.Summary = histT(ctx, "polish_hist_request_moved", data)
	default:
		c.Summary = histT(ctx, "polish_hist_request_changed", data)
	}
	in, _ := after["input"].(map[string]any)
	for _, f := range []struct{ key, label string }{
		{"DueDate", "rq_commit_date"}, {"Obstacle", "rq_obstacle_legend"}, {"Reason", "rq_reason"},
		{"CounterScope", "rq_counter_scope"}, {"CounterDate", "rq_counter_date"},
	} {
		v := histText(in[f.key])
		switch {
		case v == "":
			continue
		case f.key == "Obstacle":
			v = i18n.T(ctx, accord.Obstacle(v).MessageID())
		case f.key == "DueDate" || f.key == "CounterDate":
			if len(v) >= 10 {
				v = v[:10]
			}
		default:
			v = histClip(i18n.Text(ctx, v), 120) // typed words, in the reader's language when known
		}
		c.Changes = append(c.Changes, ui.FieldChange{Field: i18n.T(ctx, f.label), After: v, Created: true})
	}
	return c
}

// decodeAudit reads an audit record's JSON object; numbers stay as written.
func decodeAudit(raw []byte) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil
	}
	return m
}

// changedKeys lists the keys whose values differ, in the order the forms show them.
func changedKeys(before, after map[string]any) []string {
	var keys []string
	for k, a := range after {
		if b, ok := before[k]; !ok || !reflect.DeepEqual(a, b) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		ia, ib := fieldRank(a), fieldRank(b)
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	return keys
}

// historyFieldOrder ranks the audited fields of every workbook entity as their forms
// list them.
var historyFieldOrder = []string{
	"Name", "NameEN", "OwningUnitID", "LeadUserID", "Status", "GoalID", "GoalStatement", "ExpectedAmount", "Currency",
	"ExpectedOutcome", "StartDate", "TargetDate", "CadenceDays",
	"Title", "TitleEN", "Tier", "HolderUnitID", "ExternalParty", "BacksUpNeedID", "NeededBy", "EffortDays", "KeyPerson", "Notes",
	"UnitID", "What", "DueDate",
	"concerns", "kpis", "they_need", "we_give", "they_get", "proposal", "option_a", "option_b", "option_c", "stance", "approach_order",
}

func fieldRank(key string) int {
	if i := slices.Index(historyFieldOrder, key); i >= 0 {
		return i
	}
	return len(historyFieldOrder)
}

// historyFieldLabel names an audited field for the reader; "" hides it.
func historyFieldLabel(ctx context.Context, key string) string {
	switch key {
	case "Title":
		return i18n.T(ctx, "wb_field_title")
	case "TitleEN":
		return i18n.T(ctx, "wb_field_title_en")
	case "Tier":
		return i18n.T(ctx, "wb_field_tier")
	case "HolderUnitID":
		return i18n.T(ctx, "wb_field_holder")
	case "ExternalParty":
		return i18n.T(ctx, "wb_field_external_party")
	case "BacksUpNeedID":
		return i18n.T(ctx, "wb_field_backs_up")
	case "NeededBy":
		return i18n.T(ctx, "wb_field_needed_by")
	case "EffortDays":
		return i18n.T(ctx, "wb_field_effort")
	case "KeyPerson":
		return i18n.T(ctx, "wb_field_key_person")
	case "Notes":
		return i18n.T(ctx, "wb_field_notes")
	case "UnitID":
		return i18n.T(ctx, "wb_field_unit")
	case "What":
		return i18n.T(ctx, "wb_field_what")
	case "DueDate":
		return i18n.T(ctx, "wb_field_due")
	case "Status":
		return i18n.T(ctx, "wb_field_status")
	case "concerns":
		return i18n.T(ctx, "wb_plan_concerns")
	case "kpis":
		return i18n.T(ctx, "wb_plan_kpis")
	case "they_need":
		return i18n.T(ctx, "wb_plan_they_need")
	case "we_give":
		return i18n.T(ctx, "wb_plan_we_give")
	case "they_get":
		return i18n.T(ctx, "wb_plan_they_get")
	case "proposal":
		return i18n.T(ctx, "wb_plan_proposal")
	case "option_a":
		return i18n.T(ctx, "wb_option_a")
	case "option_b":
		return i18n.T(ctx, "wb_option_b")
	case "option_c":
		return i18n.T(ctx, "wb_option_c")
	case "stance":
		return i18n.T(ctx, "wb_stance")
	case "approach_order":
		return i18n.T(ctx, "wb_approach_order")
	case "Name":
		return i18n.T(ctx, "wb_hist_name")
	case "NameEN":
		return i18n.T(ctx, "wb_hist_name_en")
	case "OwningUnitID":
		return i18n.T(ctx, "project_unit")
	case "LeadUserID":
		return i18n.T(ctx, "wb_fact_lead")
	case "GoalID":
		return i18n.T(ctx, "wb_fact_goal")
	case "GoalStatement":
		return i18n.T(ctx, "wb_hist_goal_statement")
	case "ExpectedAmount":
		return i18n.T(ctx, "wb_hist_expected_amount")
	case "Currency":
		return i18n.T(ctx, "wb_hist_currency")
	case "ExpectedOutcome":
		return i18n.T(ctx, "wb_hist_expected_outcome")
	case "StartDate":
		return i18n.T(ctx, "wb_hist_start")
	case "TargetDate":
		return i18n.T(ctx, "wb_hist_target")
	case "CadenceDays":
		return i18n.T(ctx, "wb_fact_cadence")
	case "ActualAmount":
		return i18n.T(ctx, "retro_xlsx_actual_amount")
	case "ActualOutcome":
		return i18n.T(ctx, "retro_field_outcome")
	case "Lessons":
		return i18n.T(ctx, "retro_field_lessons")
	}
	return ""
}

// value shows one audited value the way the page shows it: names for ids, labels for
// tiers and stances, dates without a time.
func (n historyNames) value(ctx context.Context, entity, key string, v any) string {
	lang := i18n.Lang(ctx)
	if histText(v) == "" {
		return "—"
	}
	switch key {
	case "HolderUnitID", "UnitID", "OwningUnitID":
		return n.unitName(v, lang)
	case "BacksUpNeedID":
		if need, ok := n.needs[histID(v)]; ok {
			return need.DisplayTitle(lang)
		}
		return "#" + histText(v)
	case "GoalID":
		if g, ok := n.goals[histID(v)]; ok {
			return g.DisplayTitle(lang)
		}
		return "#" + histText(v)
	case "LeadUserID":
		// Only the current lead's name is at hand; an earlier one is named as such.
		if histID(v) == n.project.LeadUserID {
			return accord.User{Name: n.project.LeadName, NameEN: n.project.LeadNameEN}.DisplayName(lang)
		}
		return i18n.T(ctx, "wb_hist_earlier_lead")
	case "KeyPerson":
		// A person of the holder, named by the need today, is named in the reader's language.
		for _, need := range n.needs {
			if need.KeyPerson == histText(v) && need.KeyPersonName != "" {
				return need.DisplayKeyPerson(lang)
			}
		}
	case "ExpectedAmount":
		if amount, err := strconv.ParseInt(histText(v), 10, 64); err == nil {
			return ui.GroupThousands(amount)
		}
	case "Tier":
		return i18n.T(ctx, accord.Tier(histText(v)).MessageID())
	case "stance":
		return i18n.T(ctx, accord.Stance(histText(v)).MessageID())
	case "Status":
		if entity == "commitment" {
			return i18n.T(ctx, accord.CommitmentStatus(histText(v)).MessageID())
		}
		return i18n.T(ctx, accord.ProjectStatus(histText(v)).MessageID())
	case "NeededBy", "DueDate", "StartDate", "TargetDate":
		if s := histText(v); len(s) >= 10 {
			return s[:10]
		}
	}
	return histClip(histTyped(ctx, v), 120)
}

// histTyped is a value people typed, each item of a list in the reader's language
// when its translation is known (i18n.Text).
func histTyped(ctx context.Context, v any) string {
	if items, ok := v.([]any); ok {
		parts := make([]string, 0, len(items))
		for _, item := range items {
			parts = append(parts, i18n.Text(ctx, histText(item)))
		}
		return strings.Join(parts, "; ")
	}
	return i18n.Text(ctx, histText(v))
}

func (n historyNames) unitName(v any, lang string) string {
	if histBlank(v) {
		return "—"
	}
	if u, ok := n.units[histID(v)]; ok {
		return u.DisplayName(lang)
	}
	return "#" + histText(v)
}

// text writes a decoded JSON value as plain text; lists are joined with semicolons.
func histText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, 0, len(x))
		for _, item := range x {
			parts = append(parts, histText(item))
		}
		return strings.Join(parts, "; ")
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

func histID(v any) int64 {
	id, _ := strconv.ParseInt(histText(v), 10, 64)
	return id
}

// isBlank reports whether a value holds nothing worth listing for a new row.
func histBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case json.Number:
		return x.String() == "0"
	}
	return false
}

func histLocal(m map[string]any, zh, en, lang string) string {
	if lang == accord.LocaleEN && histText(m[en]) != "" {
		return histText(m[en])
	}
	return histText(m[zh])
}

// clip shortens long text for a history line.
func histClip(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}

// histT is i18n.T for a history line, with the user's text in it (a need's title, a
// unit's name, a reason) marked as isolated (FSI … PDI): the page shows each such
// piece inside <bdi>, so a right-to-left override in a title cannot reverse the rest
// of the sentence.
func histT(ctx context.Context, id string, data map[string]any) string {
	marked := make(map[string]any, len(data))
	for k, v := range data {
		if s, ok := v.(string); ok && s != "" && histUserText[k] {
			v = accord.Isolate(s)
		}
		marked[k] = v
	}
	return i18n.T(ctx, id, marked)
}

// histUserText are the keys of history sentences' data that carry user text.
var histUserText = map[string]bool{"Text": true, "Subject": true, "Unit": true, "Need": true, "Reason": true, "Head": true, "Actor": true}
