// Package brief writes the note a shared superior reads before deciding an escalated
// request: the project and its value, the need, where things stand, each side's
// position in neutral words, the options, and the support asked for. It is generated
// from data in the reader's language and reads as a request for guidance, never as a
// complaint about the other unit.
package brief

import (
	"strconv"
	"strings"
	"time"

	"accord/internal/accord"
)

// Input is what the brief is written from; the caller fills it from the store.
type Input struct {
	Project  accord.Project         // the requesting project, with its goal joined
	Request  accord.Request         // the request that needs a decision
	Requests []accord.Request       // every request of the project, for where things stand
	Needs    []accord.Need          // the project's resource map, for the alternatives
	Cause    accord.EscalationCause // why it goes up; empty before it is escalated
	Reason   string                 // the lead's own words, if any
}

// Build writes the brief as plain text: a title line, then short sections, each a
// heading line followed by its lines, separated by blank lines. lang picks the
// Chinese or English names of units, needs and projects.
func Build(in Input, tr func(id string, data map[string]any) string, lang string) string {
	w := writer{tr: tr, lang: lang}
	r, p := in.Request, in.Project
	need := needTitle(r, lang)
	holder := holderName(r, lang)
	w.line("brief_title", map[string]any{"Need": need, "Project": p.DisplayName(lang)})

	w.section("brief_section_project")
	w.line("brief_project", map[string]any{"Project": p.DisplayName(lang),
		"Unit": accord.Unit{Name: p.UnitName, NameEN: p.UnitNameEN}.DisplayName(lang),
		"Lead": accord.User{Name: p.LeadName, NameEN: p.LeadNameEN}.DisplayName(lang)})
	if p.ExpectedAmount != nil {
		w.line("brief_value", map[string]any{"Amount": Amount(*p.ExpectedAmount, p.Currency)})
	}
	if p.ExpectedOutcome != "" {
		w.line("brief_outcome", map[string]any{"Outcome": p.ExpectedOutcome})
	}
	if p.ExpectedAmount == nil && p.ExpectedOutcome == "" {
		w.line("brief_no_value", nil)
	}
	if p.GoalID != nil {
		w.line("brief_goal", map[string]any{"Goal": accord.Goal{Title: p.GoalTitle, TitleEN: p.GoalTitleEN}.DisplayTitle(lang)})
	}
	if p.GoalStatement != "" {
		w.line("brief_statement", map[string]any{"Statement": p.GoalStatement})
	}

	w.section("brief_section_need")
	w.line("brief_need", map[string]any{"Tier": tr(r.Tier.MessageID(), nil), "Need": need, "Holder": holder})
	if r.EffortDays > 0 {
		w.line("brief_effort", map[string]any{"Days": Days(r.EffortDays)})
	}
	if n, ok := findNeed(in.Needs, r.NeedID); ok && n.NeededBy != nil {
		w.line("brief_needed_by", map[string]any{"Date": Date(n.NeededBy)})
	}

	w.section("brief_section_standing")
	s := Standing(in.Requests, r, lang)
	switch s.Units {
	case 1:
		w.line("brief_standing_one", map[string]any{"Agreed": s.Agreed})
	default:
		w.line("brief_standing", map[string]any{"Agreed": s.Agreed, "Units": s.Units})
	}
	for _, u := range s.Lines {
		w.item("brief_standing_unit", map[string]any{"Unit": u.Unit, "State": tr(u.State.MessageID(), nil)})
	}
	if in.Cause != "" {
		w.line("brief_cause", map[string]any{"Cause": tr(in.Cause.MessageID(), nil)})
	}

	w.section("brief_section_positions")
	w.line("brief_asked", map[string]any{"Unit": accord.Unit{Name: p.UnitName, NameEN: p.UnitNameEN}.DisplayName(lang),
		"Holder": holder, "Scope": firstNonEmpty(r.Scope, need)})
	if r.DueDate != nil {
		w.line("brief_asked_by", map[string]any{"Date": Date(r.DueDate)})
	}
	if r.Offer != "" {
		w.line("brief_offer", map[string]any{"Offer": joinLines(r.Offer, lang)})
	}
	w.holderPosition(r, holder)

	w.section("brief_section_options")
	options := 0
	if counter := counterText(r, tr); counter != "" {
		w.item("brief_option_counter", map[string]any{"Counter": counter})
		options++
	}
	for _, alt := range Alternatives(in.Needs, r.NeedID) {
		w.item("brief_option_alternative", map[string]any{"Need": alt.DisplayTitle(lang), "Holder": alt.Holder(lang)})
		options++
	}
	if r.Obstacle.Valid() {
		for _, st := range accord.StrategiesFor(r.Obstacle) {
			w.item("brief_option_strategy", map[string]any{"Strategy": tr(st.TitleID(), nil)})
			options++
		}
	}
	if options == 0 {
		w.line("brief_options_none", nil)
	}
	w.item("brief_option_rank", map[string]any{"Holder": holder})

	w.section("brief_section_support")
	w.line("brief_support", map[string]any{"Holder": holder})
	if reason := strings.TrimSpace(in.Reason); reason != "" {
		w.line("brief_lead_reason", map[string]any{"Reason": oneLine(reason)})
	}
	return w.String()
}

// holderPosition states the holder's side as it stands, in neutral words.
func (w *writer) holderPosition(r accord.Request, holder string) {
	switch r.State {
	case accord.RequestDeclined:
		obstacle := w.tr(accord.ObstacleOther.MessageID(), nil)
		if r.Obstacle.Valid() {
			obstacle = w.tr(r.Obstacle.MessageID(), nil)
		}
		w.line("brief_holder_obstacle", map[string]any{"Holder": holder, "Obstacle": obstacle})
		if r.DeclineReason != "" {
			w.line("brief_holder_words", map[string]any{"Reason": oneLine(r.DeclineReason)})
		}
	case accord.RequestCountered:
		w.line("brief_holder_counter", map[string]any{"Holder": holder, "Counter": counterText(r, w.tr)})
	case accord.RequestRequested:
		sent := r.CreatedAt
		if r.SentAt != nil {
			sent = *r.SentAt
		}
		w.line("brief_holder_waiting", map[string]any{"Holder": holder, "Date": Date(&sent)})
	case accord.RequestAgreed, accord.RequestInProgress:
		w.line("brief_holder_agreed", map[string]any{"Holder": holder, "State": w.tr(r.State.MessageID(), nil)})
	default:
		w.line("brief_holder_state", map[string]any{"Holder": holder, "State": w.tr(r.State.MessageID(), nil)})
	}
}

// counterText says what a counter-proposal on the table offers, or "".
func counterText(r accord.Request, tr func(string, map[string]any) string) string {
	if r.State != accord.RequestCountered {
		return ""
	}
	switch {
	case r.CounterScope != "" && r.CounterDate != nil:
		return tr("brief_counter_scope_date", map[string]any{"Scope": oneLine(r.CounterScope), "Date": Date(r.CounterDate)})
	case r.CounterScope != "":
		return oneLine(r.CounterScope)
	case r.CounterDate != nil:
		return tr("brief_counter_date", map[string]any{"Date": Date(r.CounterDate)})
	}
	return ""
}

// UnitState is one holding unit's line in where things stand.
type UnitState struct {
	UnitID int64
	Unit   string
	State  accord.RequestState // the state that keeps it from agreeing, else its furthest state
}

// Progress is how many of the units asked have agreed.
type Progress struct {
	Agreed int
	Units  int
	Lines  []UnitState
}

// agreedStates are the states in which a unit has said yes.
func agreedState(s accord.RequestState) bool {
	return s == accord.RequestAgreed || s == accord.RequestInProgress || s == accord.RequestDelivered
}

// Standing counts the units asked (requests sent and not cancelled) and those whose
// every such request is agreed, in progress or delivered. The escalated request counts
// even when the list misses it. lang picks the units' names.
func Standing(requests []accord.Request, current accord.Request, lang string) Progress {
	list := requests
	found := false
	for _, r := range requests {
		if r.ID == current.ID {
			found = true
		}
	}
	if !found && current.ID != 0 {
		list = append(append([]accord.Request(nil), requests...), current)
	}
	var out Progress
	index := map[int64]int{}
	for _, r := range list {
		if r.ID == current.ID {
			r = current
		}
		if r.State == accord.RequestDraft || r.State == accord.RequestCancelled {
			continue
		}
		i, ok := index[r.HolderUnitID]
		if !ok {
			i = len(out.Lines)
			index[r.HolderUnitID] = i
			out.Lines = append(out.Lines, UnitState{UnitID: r.HolderUnitID, Unit: holderName(r, lang), State: r.State})
			continue
		}
		// A unit that has not agreed to everything shows what is still open.
		if agreedState(out.Lines[i].State) && !agreedState(r.State) {
			out.Lines[i].State = r.State
		}
	}
	for _, l := range out.Lines {
		if agreedState(l.State) {
			out.Agreed++
		}
	}
	out.Units = len(out.Lines)
	return out
}

// Alternatives lists the needs of the resource map that back up the given need.
func Alternatives(needs []accord.Need, needID int64) []accord.Need {
	var out []accord.Need
	for _, n := range needs {
		if n.BacksUpNeedID != nil && *n.BacksUpNeedID == needID {
			out = append(out, n)
		}
	}
	return out
}

func findNeed(needs []accord.Need, id int64) (accord.Need, bool) {
	for _, n := range needs {
		if n.ID == id {
			return n, true
		}
	}
	return accord.Need{}, false
}

func needTitle(r accord.Request, lang string) string {
	return accord.Need{Title: r.NeedTitle, TitleEN: r.NeedTitleEN}.DisplayTitle(lang)
}

func holderName(r accord.Request, lang string) string {
	return accord.Unit{Name: r.HolderName, NameEN: r.HolderNameEN}.DisplayName(lang)
}

// Amount writes a money value with grouped digits and its currency: 20,000,000 CNY.
func Amount(n int64, currency string) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return strings.TrimSpace(sign + b.String() + " " + currency)
}

// Date writes a date as yyyy-mm-dd, the same in both languages; nil is "".
func Date(d *time.Time) string {
	if d == nil {
		return ""
	}
	return d.Format("2006-01-02")
}

// Days writes a number of person-days without trailing zeros.
func Days(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// oneLine folds text typed over several lines into one, so it stays inside its item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// joinLines puts the lines of a list typed one per line into one sentence.
func joinLines(s, lang string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = oneLine(l); l != "" {
			parts = append(parts, l)
		}
	}
	sep := "；"
	if lang == accord.LocaleEN {
		sep = "; "
	}
	return strings.Join(parts, sep)
}

// writer collects the brief's lines.
type writer struct {
	tr    func(string, map[string]any) string
	lang  string
	lines []string
}

func (w *writer) line(id string, data map[string]any) { w.lines = append(w.lines, w.tr(id, data)) }

func (w *writer) item(id string, data map[string]any) { w.lines = append(w.lines, "- "+w.tr(id, data)) }

func (w *writer) section(id string) { w.lines = append(w.lines, "", w.tr(id, nil)) }

func (w *writer) String() string { return strings.Join(w.lines, "\n") + "\n" }
