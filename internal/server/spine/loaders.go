package spine

import (
	"context"
	"time"

	"accord/internal/accord"
	"accord/internal/store"
)

// The loaders both faces use to read an object named in a path. Each answers
// accord's "not found" for an object the viewer may not see, so neither face can
// tell a stranger that it exists, and "forbidden" only to someone who may see it
// but not do what they asked. The rules themselves are accord's.

// Project is the project with id if the viewer may see it; forEdit also asks that
// they may change it.
func (s *Spine) Project(ctx context.Context, id int64, forEdit bool) (accord.Project, error) {
	p, _, err := s.ProjectAt(ctx, id, forEdit)
	return p, err
}

// ProjectAt is Project with the epochs of the rows its pages are rendered from.
func (s *Spine) ProjectAt(ctx context.Context, id int64, forEdit bool) (accord.Project, store.ContentEpochs, error) {
	v := ViewerFrom(ctx)
	p, at, err := s.store.ProjectForViewerAt(ctx, *v, id)
	if err != nil {
		return accord.Project{}, store.ContentEpochs{}, err
	}
	if forEdit && !accord.MayEditProject(*v, p) {
		return accord.Project{}, store.ContentEpochs{}, accord.Errorf(accord.ECodeForbidden, "error_forbidden_body", nil)
	}
	return p, at, nil
}

// ProjectNeed is the need with id if it belongs to p (which the caller loaded with
// Project).
func (s *Spine) ProjectNeed(ctx context.Context, p accord.Project, id int64) (accord.Need, error) {
	n, err := s.store.Need(ctx, id)
	if err != nil {
		return accord.Need{}, err
	}
	if n.ProjectID != p.ID {
		return accord.Need{}, accord.Errorf(accord.ECodeNotFound, "need_not_found", nil)
	}
	return n, nil
}

// Need is the need with id and its project, for the project's editor.
func (s *Spine) Need(ctx context.Context, id int64) (accord.Need, accord.Project, error) {
	n, err := s.store.Need(ctx, id)
	if err != nil {
		return accord.Need{}, accord.Project{}, err
	}
	p, err := s.Project(ctx, n.ProjectID, true)
	return n, p, err
}

// ProjectCommitment is the commitment with id if it belongs to p (which the caller
// loaded with Project).
func (s *Spine) ProjectCommitment(ctx context.Context, p accord.Project, id int64) (accord.Commitment, error) {
	c, err := s.store.Commitment(ctx, id)
	if err != nil {
		return accord.Commitment{}, err
	}
	if c.ProjectID != p.ID {
		return accord.Commitment{}, accord.Errorf(accord.ECodeNotFound, "commitment_not_found", nil)
	}
	return c, nil
}

// Commitment is the commitment with id and its project, for the project's editor.
func (s *Spine) Commitment(ctx context.Context, id int64) (accord.Commitment, accord.Project, error) {
	c, err := s.store.Commitment(ctx, id)
	if err != nil {
		return accord.Commitment{}, accord.Project{}, err
	}
	p, err := s.Project(ctx, c.ProjectID, true)
	return c, p, err
}

// RequestAccess is a request with its project and the viewer's part in it.
type RequestAccess struct {
	Request accord.Request
	Project accord.Project
	Party   accord.RequestParty
}

// Request is the request with id if the viewer may see it: anyone who may see its
// project, plus those who answer for the holding unit (its head, delegates, the key
// person), who read the project through the request.
func (s *Spine) Request(ctx context.Context, id int64) (RequestAccess, error) {
	v := ViewerFrom(ctx)
	req, err := s.store.Request(ctx, id)
	if err != nil {
		return RequestAccess{}, err
	}
	party := accord.RequestPartyOf(req, *v)
	p, err := s.store.ProjectForViewer(ctx, *v, req.ProjectID)
	if accord.ErrorCodeOf(err) == accord.ECodeNotFound && accord.MayViewRequestSeeing(false, party) {
		p, err = s.store.Project(ctx, req.ProjectID)
	}
	if err != nil {
		if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
			return RequestAccess{}, accord.Errorf(accord.ECodeNotFound, "request_not_found", nil)
		}
		return RequestAccess{}, err
	}
	return RequestAccess{Request: req, Project: p, Party: party}, nil
}

// RequestToEscalate is the request with id for its lead to escalate: someone who may
// see the project but does not lead the request is forbidden; anyone else finds
// nothing.
func (s *Spine) RequestToEscalate(ctx context.Context, id int64) (accord.Request, accord.Project, error) {
	v := ViewerFrom(ctx)
	req, err := s.store.Request(ctx, id)
	if err != nil {
		return accord.Request{}, accord.Project{}, err
	}
	p, err := s.store.ProjectForViewer(ctx, *v, req.ProjectID)
	if err != nil {
		return accord.Request{}, accord.Project{}, err
	}
	if !accord.RequestPartyOf(req, *v).MayEscalate() {
		return accord.Request{}, accord.Project{}, accord.Errorf(accord.ECodeForbidden, "esc_escalate_lead_only", nil)
	}
	return req, p, nil
}

// Escalation is the escalation with id and the viewer's part in it, if they may see
// it.
func (s *Spine) Escalation(ctx context.Context, id int64) (accord.Escalation, accord.EscalationParty, error) {
	e, err := s.store.Escalation(ctx, id)
	if err != nil {
		return accord.Escalation{}, accord.EscalationParty{}, err
	}
	party, err := s.viewableParty(ctx, e)
	if err != nil {
		return accord.Escalation{}, accord.EscalationParty{}, err
	}
	return e, party, nil
}

// viewableParty is the viewer's part in e, or "not found" if they may not see it.
func (s *Spine) viewableParty(ctx context.Context, e accord.Escalation) (accord.EscalationParty, error) {
	party, err := s.EscalationParty(ctx, e)
	if err != nil {
		return accord.EscalationParty{}, err
	}
	if !party.MayView() {
		return accord.EscalationParty{}, accord.Errorf(accord.ECodeNotFound, "escalation_not_found", nil)
	}
	return party, nil
}

// EscalationAt is Escalation with its project's content epochs and the next moment a
// stand-in arrangement turns (store.EscalationAt), for a page kept by them.
func (s *Spine) EscalationAt(ctx context.Context, id int64) (accord.Escalation, accord.EscalationParty, store.ContentEpochs, time.Time, error) {
	e, at, turn, err := s.store.EscalationAt(ctx, id, s.Now())
	if err != nil {
		return accord.Escalation{}, accord.EscalationParty{}, store.ContentEpochs{}, time.Time{}, err
	}
	party, err := s.viewableParty(ctx, e)
	if err != nil {
		return accord.Escalation{}, accord.EscalationParty{}, store.ContentEpochs{}, time.Time{}, err
	}
	return e, party, at, turn, nil
}

// EscalationParty is the viewer's part in e; for someone who is not one of its
// parties it asks, in one query, whether they were asked for advice and, if not and
// nothing else lets them see it, whether they were told of it.
func (s *Spine) EscalationParty(ctx context.Context, e accord.Escalation) (accord.EscalationParty, error) {
	parties, err := s.escalationParties(ctx, e, []accord.Viewer{*ViewerFrom(ctx)})
	if err != nil {
		return accord.EscalationParty{}, err
	}
	return parties[0], nil
}

// escalationParties is EscalationParty for each of viewers, whether those who are no
// side were asked for advice or told of it read in one statement for all.
func (s *Spine) escalationParties(ctx context.Context, e accord.Escalation, viewers []accord.Viewer) ([]accord.EscalationParty, error) {
	parties := make([]accord.EscalationParty, len(viewers))
	var others []int64
	for i, v := range viewers {
		parties[i] = accord.EscalationPartyOf(e, v)
		if !parties[i].Side() {
			others = append(others, v.User.ID)
		}
	}
	if len(others) == 0 {
		return parties, nil
	}
	standings, err := s.store.EscalationStandings(ctx, e.ID, others)
	if err != nil {
		return nil, err
	}
	for i := range parties {
		p := &parties[i]
		if p.Side() {
			continue // a side is never an adviser (accord.RefuseAdviceRequest)
		}
		st := standings[viewers[i].User.ID]
		// Told matters only to one who may not read it otherwise.
		p.Adviser, p.Told = st.Adviser, st.Told && !st.Adviser && !p.MayView()
	}
	return parties, nil
}

// CreateUser adds a person with a hashed password, and makes them a member of
// unitID unless it is 0; the administrator's form and the API both call it.
func (s *Spine) CreateUser(ctx context.Context, in accord.NewUser, unitID int64) (accord.User, error) {
	hash, err := s.Passwords.Hash(ctx, in.Password)
	if err != nil {
		return accord.User{}, err
	}
	actor := ViewerFrom(ctx).User.ID
	u, err := s.store.CreateUser(ctx, actor, in, hash)
	if err != nil {
		return accord.User{}, err
	}
	if unitID != 0 {
		if err := s.store.AddMembership(ctx, actor, u.ID, unitID); err != nil {
			return accord.User{}, err
		}
	}
	return u, nil
}
