package accord

import (
	"strings"
	"time"
)

// Advice (加签) is an opinion a superior asks of someone before deciding an
// escalation: who was asked, what, and, once given, the opinion. Given, it stands as
// written and becomes part of the escalation's record.
type Advice struct {
	EscalationID  int64
	AdviserUserID int64
	AdviserName   string
	AdviserNameEN string
	Question      string // what the superior asked, if anything beyond the brief
	AskedAt       time.Time
	Opinion       string
	GivenAt       *time.Time // nil while the opinion is awaited
}

// Pending reports whether the opinion is still awaited.
func (a Advice) Pending() bool { return a.GivenAt == nil }

// DisplayAdviser names the adviser for a reader of the given language.
func (a Advice) DisplayAdviser(lang string) string {
	return User{Name: a.AdviserName, NameEN: a.AdviserNameEN}.DisplayName(lang)
}

// MaxAdvisers bounds the opinions asked on one escalation: advice informs a decision,
// it does not replace it.
const MaxAdvisers = 5

// AdviceAwaited lists the advisers whose opinion is still awaited.
func AdviceAwaited(asked []Advice) []Advice {
	var out []Advice
	for _, a := range asked {
		if a.Pending() {
			out = append(out, a)
		}
	}
	return out
}

// AdviceRequest is what a superior asks: of whom, and optionally what.
type AdviceRequest struct {
	AdviserUserID int64
	Question      string
}

// Normalize trims the question.
func (in *AdviceRequest) Normalize() { in.Question = strings.TrimSpace(in.Question) }

// RefuseAdviceRequest says why party may not ask a person for advice on e, or nil:
// only the superior, while the escalation is open; the person must be someone else
// than its parties (candidate is their part in it), active, not yet asked, and
// within MaxAdvisers.
func RefuseAdviceRequest(e Escalation, party EscalationParty, in AdviceRequest, candidate User, candidateParty EscalationParty, asked []Advice) error {
	switch {
	case !party.Superior:
		return Errorf(ECodeForbidden, "advice_superior_only", nil)
	case !MayAskAdvice(e, party):
		return Errorf(ECodeInvalid, "advice_not_open", nil)
	}
	var v Validation
	validateText(&v, "question", in.Question, MaxNoteLength)
	switch {
	case candidate.ID == 0 || !candidate.Active():
		v.Add("adviser", "advice_adviser_unknown")
	case candidateParty.Side():
		v.Add("adviser", "advice_adviser_is_party")
	case adviceOf(asked, candidate.ID) != nil:
		v.Add("adviser", "advice_already_asked")
	case len(asked) >= MaxAdvisers:
		v.Add("adviser", "advice_too_many")
	}
	return v.Err()
}

// MayAskAdvice reports whether party may ask for advice on e now: its superior, while
// it waits for a decision.
func MayAskAdvice(e Escalation, party EscalationParty) bool {
	return party.Superior && e.Status == EscalationOpen
}

// OpinionAwaited reports whether person userID, party to e as party, was asked for an
// opinion on e that is still awaited, while e waits for a decision: the form to give
// it is theirs. Someone asked who has since become a party speaks as that party.
func OpinionAwaited(e Escalation, party EscalationParty, userID int64, asked []Advice) bool {
	a := adviceOf(asked, userID)
	return party.Adviser && a != nil && a.Pending() && e.Status == EscalationOpen
}

// RefuseOpinion says why person userID may not give an opinion on e now, or nil:
// they were asked, have not answered yet, and the escalation is still open; the
// opinion itself must be written.
func RefuseOpinion(e Escalation, userID int64, asked []Advice, opinion string) error {
	a := adviceOf(asked, userID)
	switch {
	case a == nil:
		return Errorf(ECodeForbidden, "advice_not_asked", nil)
	case !a.Pending():
		return Errorf(ECodeInvalid, "advice_already_given", nil)
	case e.Status != EscalationOpen:
		return Errorf(ECodeInvalid, "advice_not_open", nil)
	}
	var v Validation
	if strings.TrimSpace(opinion) == "" {
		v.Add("opinion", "advice_opinion_required")
	}
	validateText(&v, "opinion", opinion, MaxNoteLength)
	return v.Err()
}

func adviceOf(asked []Advice, userID int64) *Advice {
	for i := range asked {
		if asked[i].AdviserUserID == userID {
			return &asked[i]
		}
	}
	return nil
}

// Advice notifications.
const (
	NotifyAdviceAsked NotificationKind = "advice_asked" // to the adviser: your opinion is asked
	NotifyAdviceGiven NotificationKind = "advice_given" // to the superior: an adviser answered
)
