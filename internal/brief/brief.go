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

// Build writes the brief from the frozen facts as plain text: a title line, then
// short sections, each a heading line followed by its lines, separated by blank
// lines. lang picks the Chinese or English names of units, needs, people and
// projects; tr says each sentence in that language; typed gives the text people
// typed (the outcome, the offer, reasons, promises, progress) in that language when
// its translation is known, and may be nil to quote it as typed; the days of moments
// (a step of the request, a progress entry) are the reader's days in loc.
func Build(f accord.BriefFacts, tr func(id string, data map[string]any) string, typed func(string) string, lang string, loc *time.Location) string {
	if typed == nil {
		typed = func(s string) string { return s }
	}
	w := writer{tr: tr, typed: typed, lang: lang, loc: loc}
	r, p := f.Request, f.Project
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
		w.line("brief_outcome", map[string]any{"Outcome": typed(p.ExpectedOutcome)})
	}
	if p.ExpectedAmount == nil && p.ExpectedOutcome == "" {
		w.line("brief_no_value", nil)
	}
	if p.GoalID != nil {
		w.line("brief_goal", map[string]any{"Goal": accord.Goal{Title: p.GoalTitle, TitleEN: p.GoalTitleEN}.DisplayTitle(lang)})
	}
	if p.GoalStatement != "" {
		w.line("brief_statement", map[string]any{"Statement": typed(p.GoalStatement)})
	}

	w.section("brief_section_need")
	w.line("brief_need", map[string]any{"Tier": tr(r.Tier.MessageID(), nil), "Need": need, "Holder": holder})
	if r.EffortDays > 0 {
		w.line("brief_effort", map[string]any{"Days": Days(r.EffortDays)})
	}
	if f.NeededBy != nil {
		w.line("brief_needed_by", map[string]any{"Date": Date(f.NeededBy)})
	}

	w.section("brief_section_standing")
	agreed, inPart := accord.UnitsAgreed(f.Standing), 0
	for _, u := range f.Standing {
		if u.AgreedInPart() {
			inPart++
		}
	}
	switch len(f.Standing) {
	case 1:
		w.line("brief_standing_one", map[string]any{"Agreed": agreed})
	default:
		w.line("brief_standing", map[string]any{"Agreed": agreed, "Units": len(f.Standing)})
	}
	if inPart > 0 {
		w.line("brief_standing_in_part", map[string]any{"InPart": inPart})
	}
	for _, u := range f.Standing {
		data := map[string]any{"Unit": u.DisplayName(lang), "State": tr(u.State.MessageID(), nil), "Agreed": u.Agreed,
			"Asked": u.Asked, "PhaseAgreed": u.PhaseAgreed}
		switch {
		case u.AgreedAll() || !u.AgreedInPart():
			w.item("brief_standing_unit", data)
		case u.PhaseAgreed == 0:
			w.item("brief_standing_unit_partly", data)
		case u.Asked == 1:
			w.item("brief_standing_unit_phase", data)
		default:
			w.item("brief_standing_unit_partly_phase", data)
		}
	}
	if f.Cause != "" {
		w.line("brief_cause", map[string]any{"Cause": tr(f.Cause.MessageID(), nil)})
	}

	w.section("brief_section_positions")
	w.line("brief_asked", map[string]any{"Unit": accord.Unit{Name: p.UnitName, NameEN: p.UnitNameEN}.DisplayName(lang),
		"Holder": holder, "Scope": r.DisplayScope(lang)})
	if r.DueDate != nil {
		w.line("brief_asked_by", map[string]any{"Date": Date(r.DueDate)})
	}
	if r.Offer != "" {
		w.line("brief_offer", map[string]any{"Offer": joinLines(r.Offer, lang, typed)})
	}
	w.holderPosition(r, holder)

	if len(f.History) > 0 || len(f.Phases) > 0 || len(f.Commitments) > 0 || len(f.Progress) > 0 {
		w.section("brief_section_so_far")
		for _, ev := range f.History {
			w.event(ev, r, holder)
		}
		for _, ph := range f.Phases {
			data := map[string]any{"Need": needTitle(ph, lang), "State": tr(ph.State.MessageID(), nil)}
			if person := (accord.User{Name: ph.KeyPersonName, NameEN: ph.KeyPersonNameEN}).DisplayName(lang); person != "" {
				data["Person"] = person
				w.item("brief_phase_person", data)
			} else {
				w.item("brief_phase", data)
			}
		}
		for _, c := range f.Commitments {
			w.item("brief_promise", map[string]any{"What": oneLine(typed(c.What)), "Date": Date(c.DueDate),
				"Status": tr(c.Status.MessageID(), nil)})
		}
		for _, e := range f.Progress {
			w.item("brief_progress", map[string]any{"Date": w.day(e.CreatedAt), "Body": oneLine(typed(e.Body)),
				"Author": accord.User{Name: e.AuthorName, NameEN: e.AuthorNameEN}.DisplayName(lang)})
		}
	}

	if len(f.Advice) > 0 {
		// What the superior was advised, as it stood when the record was taken.
		w.section("brief_section_advice")
		for _, a := range f.Advice {
			data := map[string]any{"Adviser": a.DisplayAdviser(lang), "Opinion": oneLine(typed(a.Opinion))}
			if a.Pending() {
				w.item("brief_advice_awaited", data)
			} else {
				w.item("brief_advice", data)
			}
		}
	}

	w.section("brief_section_options")
	options := 0
	if counter := counterText(r.State, typed(r.CounterScope), r.CounterDate, tr); counter != "" {
		w.item("brief_option_counter", map[string]any{"Counter": counter})
		options++
	}
	for _, alt := range f.Alternatives {
		holder := alt.Holder(lang)
		if alt.HolderUnitID == nil {
			holder = typed(holder) // an outside party, named as typed
		}
		w.item("brief_option_alternative", map[string]any{"Need": alt.DisplayTitle(lang), "Holder": holder})
		options++
	}
	for _, st := range f.UntriedStrategies() {
		w.item("brief_option_strategy", map[string]any{"Strategy": tr(st.TitleID(), nil)})
		options++
	}
	if options == 0 {
		w.line("brief_options_none", nil)
	}
	w.item("brief_option_rank", map[string]any{"Holder": holder})

	w.section("brief_section_support")
	w.line("brief_support", map[string]any{"Holder": holder})
	if reason := strings.TrimSpace(f.Reason); reason != "" {
		w.line("brief_lead_reason", map[string]any{"Reason": oneLine(typed(reason))})
	}
	return w.String()
}

// event states one step of the request's history in neutral words.
func (w *writer) event(ev accord.RequestEvent, r accord.Request, holder string) {
	data := map[string]any{"Date": w.day(ev.At), "Holder": holder,
		"Actor": accord.User{Name: ev.ActorName, NameEN: ev.ActorNameEN}.DisplayName(w.lang)}
	if ev.ForName != "" { // a stand-in took the step for the head
		data["Actor"] = w.tr("standin_actor_for", map[string]any{"Actor": data["Actor"],
			"Head": accord.User{Name: ev.ForName, NameEN: ev.ForNameEN}.DisplayName(w.lang)})
	}
	if ev.Ruling != "" {
		if ev.Ruling == accord.DecideSendBack {
			return // a question to the lead, answered in the statements
		}
		data["Outcome"], data["Reason"] = w.tr(ev.Ruling.MessageID(), nil), oneLine(w.typed(ev.Input.Reason))
		w.item("brief_event_ruled", data)
		return
	}
	switch ev.Action {
	case accord.ActionSend, accord.ActionResend:
		w.item("brief_event_sent", data)
	case accord.ActionAgree:
		w.item("brief_event_agreed", data)
	case accord.ActionDecline:
		obstacle := accord.ObstacleOther
		if ev.Input.Obstacle.Valid() {
			obstacle = ev.Input.Obstacle
		}
		data["Obstacle"] = w.tr(obstacle.MessageID(), nil)
		if reason := oneLine(w.typed(ev.Input.Reason)); reason != "" {
			data["Reason"] = reason
			w.item("brief_event_declined_words", data)
		} else {
			w.item("brief_event_declined", data)
		}
	case accord.ActionCounter:
		data["Counter"] = counterText(accord.RequestCountered, w.typed(ev.Input.CounterScope), ev.Input.CounterDate, w.tr)
		w.item("brief_event_countered", data)
	case accord.ActionAcceptCounter:
		w.item("brief_event_counter_accepted", data)
	case accord.ActionRefuseCounter:
		w.item("brief_event_counter_refused", data)
	case accord.ActionStart:
		w.item("brief_event_started", data)
	}
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
			w.line("brief_holder_words", map[string]any{"Reason": oneLine(w.typed(r.DeclineReason))})
		}
	case accord.RequestCountered:
		w.line("brief_holder_counter", map[string]any{"Holder": holder, "Counter": counterText(r.State, w.typed(r.CounterScope), r.CounterDate, w.tr)})
	case accord.RequestRequested:
		sent := r.CreatedAt
		if r.SentAt != nil {
			sent = *r.SentAt
		}
		w.line("brief_holder_waiting", map[string]any{"Holder": holder, "Date": w.day(sent)})
	case accord.RequestAgreed, accord.RequestInProgress:
		w.line("brief_holder_agreed", map[string]any{"Holder": holder, "State": w.tr(r.State.MessageID(), nil)})
	default:
		w.line("brief_holder_state", map[string]any{"Holder": holder, "State": w.tr(r.State.MessageID(), nil)})
	}
}

// counterText says what a counter-proposal offers, or "" when there is none.
func counterText(state accord.RequestState, scope string, date *time.Time, tr func(string, map[string]any) string) string {
	if state != accord.RequestCountered {
		return ""
	}
	switch {
	case scope != "" && date != nil:
		return tr("brief_counter_scope_date", map[string]any{"Scope": oneLine(scope), "Date": Date(date)})
	case scope != "":
		return oneLine(scope)
	case date != nil:
		return tr("brief_counter_date", map[string]any{"Date": Date(date)})
	}
	return ""
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

// oneLine folds text typed over several lines into one, so it stays inside its item.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// joinLines puts the lines of a list typed one per line into one sentence.
func joinLines(s, lang string, typed func(string) string) string {
	var parts []string
	for _, l := range strings.Split(s, "\n") {
		if l = oneLine(typed(strings.TrimSpace(l))); l != "" {
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
	typed func(string) string
	lang  string
	loc   *time.Location
	lines []string
}

// day is the reader's calendar day of a moment.
func (w *writer) day(t time.Time) string {
	if w.loc != nil {
		t = t.In(w.loc)
	}
	return t.Format("2006-01-02")
}

func (w *writer) line(id string, data map[string]any) { w.lines = append(w.lines, w.tr(id, data)) }

func (w *writer) item(id string, data map[string]any) { w.lines = append(w.lines, "- "+w.tr(id, data)) }

func (w *writer) section(id string) { w.lines = append(w.lines, "", w.tr(id, nil)) }

func (w *writer) String() string { return strings.Join(w.lines, "\n") + "\n" }

// Normalize makes a brief posted from a textarea comparable with a generated one:
// browsers send CRLF line ends, and trailing space is not content.
func Normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
