// Package storetest builds the world a store test is about — units, people, projects,
// needs, requests, escalations, commitments, goals, progress and thanks — in an empty
// database, through the store's public methods only, so a test states what matters to
// it and takes defaults for the rest.
//
// The factories stay in one file: they share the World, its sequence and each
// other's defaults (a need makes a project, a request a need).
//
// Every factory takes an options struct whose zero value is sensible: a nil pointer or
// an empty field gets a default (often a new row of its own), so a test overrides only
// what it is about. Names are Chinese with English names, unique per call. The demo
// organisation stays for `make run`, browser journeys and the demo loader's own test.
//
//	w := storetest.New(t)
//	it := w.Unit(t, storetest.UnitOpts{NameEN: "IT"})
//	need := w.Need(t, storetest.NeedOpts{Holder: &it, Tier: accord.TierRequired})
//	r := w.Request(t, storetest.RequestOpts{Need: &need, State: accord.RequestDeclined})
//	e := w.Escalation(t, storetest.EscalationOpts{Request: &r}) // to the root's head
package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

// World is one test's database and the factories that fill it. Its methods are safe
// to call from parallel subtests.
type World struct {
	Store *store.Store
	Ctx   context.Context

	seq    atomic.Int64
	rootMu sync.Mutex // held while the root is made, so parallel callers share one
	rootID int64
}

// New opens a fresh, migrated, empty database for t. It does not call t.Parallel.
func New(t testing.TB) *World {
	t.Helper()
	return Around(store.New(pgtest.NewPool(t, pgtest.Empty())))
}

// Around builds on a store the test already has, e.g. one sharing its pool.
func Around(st *store.Store) *World {
	return &World{Store: st, Ctx: context.Background()}
}

// next is a number no other call on this world gets.
func (w *World) next() int64 { return w.seq.Add(1) }

// result holds a store call's value and error until the test judges them:
// must(w.Store.Unit(ctx, id)).in(t).
type result[T any] struct {
	v   T
	err error
}

func must[T any](v T, err error) result[T] { return result[T]{v, err} }

// in returns the value, failing t on an error.
func (r result[T]) in(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("storetest: %v", r.err)
	}
	return r.v
}

// Root returns the root of the org tree, creating it on first use with a head of
// its own.
func (w *World) Root(t testing.TB) accord.Unit {
	t.Helper()
	w.rootMu.Lock()
	defer w.rootMu.Unlock()
	if w.rootID != 0 {
		return must(w.Store.Unit(w.Ctx, w.rootID)).in(t)
	}
	n := w.next()
	root := must(w.Store.CreateUnit(w.Ctx, 0, accord.UnitInput{Name: fmt.Sprintf("集团%d", n), NameEN: fmt.Sprintf("Group %d", n)})).in(t)
	w.rootID = root.ID
	head := w.Person(t, PersonOpts{})
	return must(w.Store.SetUnitHead(w.Ctx, 0, root.ID, root.Version, &head.ID)).in(t)
}

// UnitOpts shapes a unit; every field is optional.
type UnitOpts struct {
	Parent *accord.Unit // default: the root
	Name   string       // default: 部门N
	NameEN string       // default: Unit N
	Head   *accord.User // default: a new person
	Vacant bool         // leave the head's post empty (Head is then ignored)
}

// Unit creates a unit, headed unless Vacant.
func (w *World) Unit(t testing.TB, o UnitOpts) accord.Unit {
	t.Helper()
	n := w.next()
	in := accord.UnitInput{Name: o.Name, NameEN: o.NameEN}
	if in.Name == "" {
		in.Name = fmt.Sprintf("部门%d", n)
	}
	if in.NameEN == "" {
		in.NameEN = fmt.Sprintf("Unit %d", n)
	}
	if o.Parent != nil {
		in.ParentID = o.Parent.ID
	} else {
		in.ParentID = w.Root(t).ID
	}
	u := must(w.Store.CreateUnit(w.Ctx, 0, in)).in(t)
	if o.Vacant {
		return u
	}
	head := o.Head
	if head == nil {
		p := w.Person(t, PersonOpts{})
		head = &p
	}
	return must(w.Store.SetUnitHead(w.Ctx, 0, u.ID, u.Version, &head.ID)).in(t)
}

// PersonOpts shapes a person; every field is optional.
type PersonOpts struct {
	Name   string        // default: 同事N
	NameEN string        // default: Colleague N
	Email  string        // default: personN@accord.test
	Admin  bool          // an administrator
	Units  []accord.Unit // units the person is a member of (default: none)
	Head   *accord.Unit  // the unit the person heads, and so is a member of
}

// Person creates an active user. Their password hash is a placeholder nobody can sign
// in with. Making them Head bumps that unit's version: re-read it before editing it.
func (w *World) Person(t testing.TB, o PersonOpts) accord.User {
	t.Helper()
	n := w.next()
	in := accord.NewUser{Name: o.Name, NameEN: o.NameEN, Email: o.Email, IsAdmin: o.Admin}
	if in.Name == "" {
		in.Name = fmt.Sprintf("同事%d", n)
	}
	if in.NameEN == "" {
		in.NameEN = fmt.Sprintf("Colleague %d", n)
	}
	if in.Email == "" {
		in.Email = fmt.Sprintf("person%d@accord.test", n)
	}
	u := must(w.Store.CreateUser(w.Ctx, 0, in, "no-password")).in(t)
	for _, unit := range o.Units {
		if err := w.Store.AddMembership(w.Ctx, 0, u.ID, unit.ID); err != nil {
			t.Fatalf("storetest: %v", err)
		}
	}
	if o.Head != nil {
		unit := must(w.Store.Unit(w.Ctx, o.Head.ID)).in(t)
		must(w.Store.SetUnitHead(w.Ctx, 0, unit.ID, unit.Version, &u.ID)).in(t)
	}
	return must(w.Store.User(w.Ctx, u.ID)).in(t)
}

// Viewer is u as the store sees them when they sign in.
func (w *World) Viewer(t testing.TB, u accord.User) accord.Viewer {
	t.Helper()
	return must(w.Store.Viewer(w.Ctx, u.ID)).in(t)
}

// Head is the user heading unit u; the test fails if the post is vacant.
func (w *World) Head(t testing.TB, u accord.Unit) accord.User {
	t.Helper()
	u = must(w.Store.Unit(w.Ctx, u.ID)).in(t)
	if u.HeadUserID == nil {
		t.Fatalf("storetest: unit %s has no head", u.NameEN)
	}
	return must(w.Store.User(w.Ctx, *u.HeadUserID)).in(t)
}

// ProjectOpts shapes a project; every field is optional.
type ProjectOpts struct {
	Name   string       // default: 项目N
	NameEN string       // default: Project N
	Owner  *accord.Unit // default: a new unit
	Lead   *accord.User // default: the owner's head
	// Edit changes anything else before the input is normalized and saved.
	Edit func(*accord.ProjectInput)
}

// Project creates an active project with the default cadence and policy.
func (w *World) Project(t testing.TB, o ProjectOpts) accord.Project {
	t.Helper()
	n := w.next()
	in := accord.ProjectInput{Name: o.Name, NameEN: o.NameEN}
	if in.Name == "" {
		in.Name = fmt.Sprintf("项目%d", n)
	}
	if in.NameEN == "" {
		in.NameEN = fmt.Sprintf("Project %d", n)
	}
	owner := o.Owner
	if owner == nil {
		u := w.Unit(t, UnitOpts{})
		owner = &u
	}
	in.OwningUnitID = owner.ID
	if o.Lead != nil {
		in.LeadUserID = o.Lead.ID
	} else {
		in.LeadUserID = w.Head(t, *owner).ID
	}
	if o.Edit != nil {
		o.Edit(&in)
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("storetest: project: %v", err)
	}
	return must(w.Store.CreateProject(w.Ctx, 0, in)).in(t)
}

// NeedOpts shapes a need; every field is optional.
type NeedOpts struct {
	Project    *accord.Project // default: a new project
	Holder     *accord.Unit    // default: a new unit, unless External is set
	External   string          // an outside party holds it instead of a unit
	Tier       accord.Tier     // default: P1 (important)
	BacksUp    *accord.Need    // the need this P2 alternative backs up
	Title      string          // default: 需求N
	TitleEN    string          // default: Need N
	NeededBy   *time.Time      // default: none
	EffortDays float64         // default: 1
	KeyPerson  string
	PhaseOf    *accord.Need // the need this one is a phase of; default project and holder: its own
}

// Need adds a need to a project's resource map.
func (w *World) Need(t testing.TB, o NeedOpts) accord.Need {
	t.Helper()
	n := w.next()
	in := accord.NeedInput{Title: o.Title, TitleEN: o.TitleEN, ExternalParty: o.External, Tier: o.Tier,
		NeededBy: o.NeededBy, EffortDays: o.EffortDays, KeyPerson: o.KeyPerson}
	if in.Title == "" {
		in.Title = fmt.Sprintf("需求%d", n)
	}
	if in.TitleEN == "" {
		in.TitleEN = fmt.Sprintf("Need %d", n)
	}
	if in.Tier == "" {
		in.Tier = accord.TierImportant
	}
	if in.EffortDays == 0 {
		in.EffortDays = 1
	}
	if o.BacksUp != nil {
		in.BacksUpNeedID = &o.BacksUp.ID
	}
	if o.PhaseOf != nil {
		in.PhaseOfNeedID = &o.PhaseOf.ID
		if o.Project == nil {
			o.Project = &accord.Project{ID: o.PhaseOf.ProjectID}
		}
		if o.Holder == nil && o.External == "" {
			o.Holder = &accord.Unit{ID: *o.PhaseOf.HolderUnitID}
		}
	}
	p := o.Project
	if p == nil {
		np := w.Project(t, ProjectOpts{})
		p = &np
	}
	switch {
	case o.Holder != nil:
		in.HolderUnitID = &o.Holder.ID
	case o.External == "":
		u := w.Unit(t, UnitOpts{})
		in.HolderUnitID = &u.ID
	}
	in.Normalize()
	if _, err := in.Validate(*p); err != nil {
		t.Fatalf("storetest: need: %v", err)
	}
	return must(w.Store.CreateNeed(w.Ctx, 0, p.ID, in)).in(t)
}

// RequestOpts shapes a request; every field is optional.
type RequestOpts struct {
	Need      *accord.Need        // default: a new need held by a new unit
	State     accord.RequestState // default: requested; any state but draft
	At        time.Time           // when it was sent and moved; default: now
	Message   string              // the lead's note when sending
	KeyPerson *accord.User        // named by the holder's head on agreeing
}

// Request sends a need from its project's lead and moves the request to State through
// the real actions: the holder's head agrees, declines (too busy), counters (a first
// phase), starts and delivers; the lead cancels.
func (w *World) Request(t testing.TB, o RequestOpts) accord.Request {
	t.Helper()
	need := o.Need
	if need == nil {
		n := w.Need(t, NeedOpts{})
		need = &n
	}
	if need.HolderUnitID == nil {
		t.Fatalf("storetest: need %d is held outside: it gets no request", need.ID)
	}
	at := o.At
	if at.IsZero() {
		at = time.Now()
	}
	p := must(w.Store.Project(w.Ctx, need.ProjectID)).in(t)
	sent := must(w.Store.SendNeeds(w.Ctx, p.LeadUserID, p.ID, []int64{need.ID}, o.Message, at)).in(t)
	if len(sent) != 1 {
		t.Fatalf("storetest: need %d already has a live request", need.ID)
	}
	r := sent[0]

	holder := w.Viewer(t, w.Head(t, accord.Unit{ID: *need.HolderUnitID}))
	act := func(v accord.Viewer, a accord.RequestAction, in accord.RequestInput) {
		t.Helper()
		r = must(w.Store.ActOnRequest(w.Ctx, v, r.ID, r.Version, a, in, at)).in(t)
	}
	agree := accord.RequestInput{}
	if o.KeyPerson != nil {
		agree.KeyPersonUserID = &o.KeyPerson.ID
	}
	switch o.State {
	case "", accord.RequestRequested:
	case accord.RequestAgreed:
		act(holder, accord.ActionAgree, agree)
	case accord.RequestDeclined:
		act(holder, accord.ActionDecline, accord.RequestInput{Obstacle: accord.ObstacleTooBusy, Reason: "排期已满"})
	case accord.RequestCountered:
		act(holder, accord.ActionCounter, accord.RequestInput{CounterScope: "先做一期"})
	case accord.RequestInProgress, accord.RequestDelivered:
		act(holder, accord.ActionAgree, agree)
		act(holder, accord.ActionStart, accord.RequestInput{})
		if o.State == accord.RequestDelivered {
			act(holder, accord.ActionDeliver, accord.RequestInput{})
		}
	case accord.RequestCancelled:
		act(w.Viewer(t, accord.User{ID: p.LeadUserID}), accord.ActionCancel, accord.RequestInput{Reason: "不再需要"})
	default:
		t.Fatalf("storetest: no way to a %s request", o.State)
	}
	return r
}

// EscalationOpts shapes an escalation; every field is optional.
type EscalationOpts struct {
	Request    *accord.Request // default: a new declined request
	By         *accord.User    // default: the project's lead
	Reason     string          // default: 需要上级协调
	WindowDays int             // default: accord.DefaultDecisionWindowDays
	At         time.Time       // default: now
}

// Escalation escalates a request by hand, routed to the shared superior as the store
// routes it; the brief is left to be written from the record.
func (w *World) Escalation(t testing.TB, o EscalationOpts) accord.Escalation {
	t.Helper()
	r := o.Request
	if r == nil {
		nr := w.Request(t, RequestOpts{State: accord.RequestDeclined, At: o.At})
		r = &nr
	}
	by := accord.User{ID: r.LeadUserID}
	if o.By != nil {
		by = *o.By
	}
	if o.Reason == "" {
		o.Reason = "需要上级协调"
	}
	if o.WindowDays == 0 {
		o.WindowDays = accord.DefaultDecisionWindowDays
	}
	if o.At.IsZero() {
		o.At = time.Now()
	}
	return must(w.Store.Escalate(w.Ctx, w.Viewer(t, by), r.ID, o.Reason, "", o.WindowDays, o.At)).in(t)
}

// CommitmentOpts shapes a commitment; every field is optional.
type CommitmentOpts struct {
	Project *accord.Project         // default: a new project
	Unit    *accord.Unit            // the unit promised to; default: a new unit
	What    string                  // default: 承诺N
	DueDate *time.Time              // default: none
	Status  accord.CommitmentStatus // default: open
}

// Commitment records a promise of a project to a unit, made by its lead.
func (w *World) Commitment(t testing.TB, o CommitmentOpts) accord.Commitment {
	t.Helper()
	n := w.next()
	p := o.Project
	if p == nil {
		np := w.Project(t, ProjectOpts{})
		p = &np
	}
	u := o.Unit
	if u == nil {
		nu := w.Unit(t, UnitOpts{})
		u = &nu
	}
	in := accord.CommitmentInput{UnitID: u.ID, What: o.What, DueDate: o.DueDate, Status: o.Status}
	if in.What == "" {
		in.What = fmt.Sprintf("承诺%d", n)
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("storetest: commitment: %v", err)
	}
	return must(w.Store.CreateCommitment(w.Ctx, p.LeadUserID, p.ID, in)).in(t)
}

// GoalOpts shapes a goal; every field is optional.
type GoalOpts struct {
	Parent  *accord.Goal // the company goal a KPI serves; default: none, a company goal
	Unit    *accord.Unit // the unit whose KPI it is; default: none
	Title   string       // default: 目标N
	TitleEN string       // default: Goal N
}

// Goal adds a company goal, or a KPI under Parent.
func (w *World) Goal(t testing.TB, o GoalOpts) accord.Goal {
	t.Helper()
	n := w.next()
	in := accord.GoalInput{Title: o.Title, TitleEN: o.TitleEN}
	if in.Title == "" {
		in.Title = fmt.Sprintf("目标%d", n)
	}
	if in.TitleEN == "" {
		in.TitleEN = fmt.Sprintf("Goal %d", n)
	}
	if o.Parent != nil {
		in.ParentID = &o.Parent.ID
	}
	if o.Unit != nil {
		in.UnitID = &o.Unit.ID
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("storetest: goal: %v", err)
	}
	return must(w.Store.CreateGoal(w.Ctx, 0, in)).in(t)
}

// ProgressOpts shapes a progress entry; every field is optional.
type ProgressOpts struct {
	Request    *accord.Request // default: a new request in progress
	By         *accord.User    // who writes it; default: the holder's head
	Body       string          // default: 进展N
	NextStep   string
	Risk       accord.Risk // default: low
	EffortDays float64     // effort logged; default: none
	At         time.Time   // default: now
}

// Progress logs progress on a request, which marks it active at At.
func (w *World) Progress(t testing.TB, o ProgressOpts) accord.ProgressEntry {
	t.Helper()
	n := w.next()
	r := o.Request
	if r == nil {
		nr := w.Request(t, RequestOpts{State: accord.RequestInProgress, At: o.At})
		r = &nr
	}
	by := o.By
	if by == nil {
		h := w.Head(t, accord.Unit{ID: r.HolderUnitID})
		by = &h
	}
	in := accord.ProgressInput{Body: o.Body, NextStep: o.NextStep, Risk: o.Risk, EffortDays: o.EffortDays}
	if in.Body == "" {
		in.Body = fmt.Sprintf("进展%d", n)
	}
	if o.At.IsZero() {
		o.At = time.Now()
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("storetest: progress: %v", err)
	}
	return must(w.Store.AddProgress(w.Ctx, w.Viewer(t, *by), r.ID, in, o.At)).in(t)
}

// ThanksOpts shapes a thank-you; every field is optional.
type ThanksOpts struct {
	Project *accord.Project // default: a new project
	Unit    *accord.Unit    // the unit thanked; default: a new unit
	Text    string          // default: 感谢N
	At      time.Time       // default: now
}

// Thanks records a project's thanks to a unit, given by its lead.
func (w *World) Thanks(t testing.TB, o ThanksOpts) accord.Thanks {
	t.Helper()
	n := w.next()
	p := o.Project
	if p == nil {
		np := w.Project(t, ProjectOpts{})
		p = &np
	}
	u := o.Unit
	if u == nil {
		nu := w.Unit(t, UnitOpts{})
		u = &nu
	}
	in := accord.ThanksInput{UnitID: u.ID, Text: o.Text}
	if in.Text == "" {
		in.Text = fmt.Sprintf("感谢%d", n)
	}
	if o.At.IsZero() {
		o.At = time.Now()
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatalf("storetest: thanks: %v", err)
	}
	return must(w.Store.AddThanks(w.Ctx, p.LeadUserID, p.ID, in, o.At)).in(t)
}
