package accord

// The access policy: for every kind of object Accord shows, whether a viewer may see
// it and whether they may act on it, written once. Pages and the API ask these
// functions before they offer or accept anything; the store asks them inside its
// transactions. Lists and aggregates apply the same rules inside their SQL
// (store.canViewProject and the queries built on it, the portfolio's scope, the unit
// ledger, the escalation party lists, the notification centre), and property tests
// over generated organisations check that each SQL filter admits exactly what the
// rule here admits (store's TestProjectVisibilityAgreesWithTheRule and
// TestListsAgreeWithTheAccessPolicy).
//
// Seeing depends on where a person sits in the org tree (ProjectViewer) and on the
// units a project touches (ProjectReach); acting, on the signed-in Viewer and the
// object. Someone who may not see an object does not learn it exists (404); someone
// who may see it but not act on it is refused (403).
//
//	object           see                                   act
//	project          MayViewProject                        MayEditProject, Roles.MayStartProjects,
//	                                                       MayPlaceProjectIn
//	need             MayViewNeed (its project's rule)      MayEditNeed (its project's editor)
//	commitment       MayViewCommitment (its project's)     MayEditCommitment (its project's editor)
//	request          MayViewRequest                        MayTakeAction, RequestParty.MayLogProgress,
//	                                                       RequestParty.MayEscalate, RequestParty.MayNudge
//	escalation       MayViewEscalation                     MayCause, MayDecideDirectly
//	                 (its lists: EscalationList.MayUse)
//	unit page        MayViewUnitPage; each row about a project: MayNameOnUnitPage, else only counted
//	portfolio        Roles.SeesPortfolio; rows MayViewPortfolioRow; unit load MayViewUnitLoad (read only)
//	notification     MayViewNotification                   MayMarkNotificationRead
//	comment          its subject's rule (request,              MayCommentOnRequest, MayCommentOnEscalation,
//	                 escalation or project); mentions only     MayCommentOnProject; MayEditComment,
//	                 of people who may see the subject         MayRetractComment (its author)
//	search result    each kind's own rule above, in the        —
//	                 query (store.Search); people by email
//	                 for administrators only
//	goal             MayViewGoals                          Roles.MaySetGoals
//	inbox            Roles.HasInbox; its requests are those RequestParty.AnswersForHolder
//	org tree, users  everyone signed in reads the tree     MayAdminister
//	stand-in         RefuseStandIn (who may name one), MayEndStandIn; while it runs the
//	                 stand-in is the holder's head of the absent head's units (RequestPartyOf,
//	                 EscalationPartyOf: HolderFor) and the superior of escalations assigned to
//	                 that head which they are no party to (SuperiorFor)

// signedIn reports whether v is someone: the zero Viewer is nobody and may do nothing.
func signedIn(v Viewer) bool { return v.User.ID != 0 && v.User.Active() }

// ProjectViewer is what project visibility knows of a person.
type ProjectViewer struct {
	UserID   int64
	Admin    bool
	MemberOf map[int64]bool // every unit they belong to, closed ones included
	Heads    map[int64]bool // the open units they head
}

// ProjectReach is what project visibility knows of a project: its lead and the paths
// of the units it touches, the owning unit and each unit holding one of its needs.
type ProjectReach struct {
	LeadUserID int64
	UnitPaths  [][]int64
}

// MayViewProject reports whether v may see project p: its lead, an administrator, a
// member of a unit it touches, or the head of such a unit or of any open unit above
// one. Anyone else does not learn it exists.
func MayViewProject(v ProjectViewer, p ProjectReach) bool {
	if v.Admin || v.UserID == p.LeadUserID {
		return true
	}
	for _, path := range p.UnitPaths {
		if len(path) > 0 && v.MemberOf[path[len(path)-1]] {
			return true
		}
	}
	return headsOnAnyPath(v, p.UnitPaths)
}

// headsOnAnyPath reports whether v heads a unit on one of paths.
func headsOnAnyPath(v ProjectViewer, paths [][]int64) bool {
	for _, path := range paths {
		for _, u := range path {
			if v.Heads[u] {
				return true
			}
		}
	}
	return false
}

// MayEditProject reports whether v may change project p and everything in its
// workbook (resource map, unit plans and stances, commitments, sending requests, the
// retrospective and its thanks, imports): its lead or an administrator.
func MayEditProject(v Viewer, p Project) bool {
	return v.Roles.Admin || (v.User.ID != 0 && v.User.ID == p.LeadUserID)
}

// MayViewNeed reports whether v may see a need of project p: a need is seen with its
// project, by whoever may see the project.
func MayViewNeed(v ProjectViewer, p ProjectReach) bool { return MayViewProject(v, p) }

// MayEditNeed reports whether v may add, change, delete, import, split or send the
// needs of project p: whoever may edit the project.
func MayEditNeed(v Viewer, p Project) bool { return MayEditProject(v, p) }

// MayViewCommitment reports whether v may see a promise project p made: it is seen
// with its project. (A unit's page counts the promises made to it whoever reads it,
// and names them by MayNameOnUnitPage, the same rule.)
func MayViewCommitment(v ProjectViewer, p ProjectReach) bool { return MayViewProject(v, p) }

// MayEditCommitment reports whether v may record, change or delete a promise of
// project p, its status included: whoever may edit the project.
func MayEditCommitment(v Viewer, p Project) bool { return MayEditProject(v, p) }

// MayViewRequest reports whether v may see a request of project p, party being the
// part v plays in it (RequestPartyOf): whoever may see its project, and those who
// answer for the holding unit even when the project is otherwise closed to them.
func MayViewRequest(v ProjectViewer, p ProjectReach, party RequestParty) bool {
	return MayViewRequestSeeing(MayViewProject(v, p), party)
}

// MayViewRequestSeeing is MayViewRequest for a viewer already known to see its
// project or not (the store decides MayViewProject in SQL).
func MayViewRequestSeeing(projectSeen bool, party RequestParty) bool {
	return party.AnswersForHolder() || projectSeen
}

// MayEscalate reports whether the party may take the request to a superior by hand:
// its project's lead (or an administrator acting as the lead).
func (p RequestParty) MayEscalate() bool { return p.Lead }

// MayNudge reports whether the party may remind the holder by hand: the lead.
func (p RequestParty) MayNudge() bool { return p.Lead }

// MayViewEscalation reports whether the party may open an escalation: its superior,
// either side, the key person, an administrator, or anyone it was sent to
// (EscalationParty.MayView). What each may do there is MayCause.
func MayViewEscalation(p EscalationParty) bool { return p.MayView() }

// MayViewUnitPage reports whether v may open a unit's page: everyone signed in sees
// every unit, its head, parent, sub-units and members, and its give and take with
// other units.
func MayViewUnitPage(v Viewer) bool { return signedIn(v) }

// MayNameOnUnitPage reports whether a unit's page may name (and link) a row about
// project p — a request in its queue, an ask of its projects, a promise made to it, a
// thanks it received: only when v may open the project. Every other row is counted,
// never named.
func MayNameOnUnitPage(v ProjectViewer, p ProjectReach) bool { return MayViewProject(v, p) }

// MayViewPortfolioRow reports whether project p is in v's portfolio: every project
// for an administrator; for anyone else, those whose reach includes an open unit they
// head. It is narrower than MayViewProject (its lead or a member of a unit it touches
// sees a project outside their portfolio), so a row never names a project its reader
// may not open.
func MayViewPortfolioRow(v ProjectViewer, p ProjectReach) bool {
	return v.Admin || headsOnAnyPath(v, p.UnitPaths)
}

// MayViewUnitLoad reports whether the portfolio shows v what the unit at path is
// asked for: an administrator every unit, anyone else the units at or below an open
// unit they head.
func MayViewUnitLoad(v ProjectViewer, path []int64) bool {
	return v.Admin || headsOnAnyPath(v, [][]int64{path})
}

// MayViewNotification reports whether v may read notification n: its recipient
// alone, administrators included.
func MayViewNotification(v Viewer, n Notification) bool {
	return signedIn(v) && n.UserID == v.User.ID
}

// MayMarkNotificationRead reports whether v may mark notification n read: whoever
// may read it.
func MayMarkNotificationRead(v Viewer, n Notification) bool { return MayViewNotification(v, n) }

// MayViewGoals reports whether v may read the goal tree: everyone signed in reads
// every goal and KPI, closed ones too. Each goal's projects are those v may see
// (MayViewProject).
func MayViewGoals(v Viewer) bool { return signedIn(v) }

// MayAdminister reports whether v may keep the org tree, the people and the webhooks:
// administrators. Anyone else does not learn the admin pages exist.
func MayAdminister(v Viewer) bool { return v.Roles.Admin }
