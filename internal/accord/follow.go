package accord

// Followers (抄送): people who are not parties to a request or an escalation but want
// to hear of it — a head's superior, a colleague who will take over. Anyone who may
// see the subject may follow it; the project's lead may add followers who may see it.
// Followers hear of its steps and its conversation; following never lets anyone see
// more than the subject's own access rule lets them.

// FollowKinds are the subjects that can be followed: requests and escalations (a
// project's own conversation is open to all who see the project).
func FollowKinds() []CommentKind { return []CommentKind{CommentOnRequest, CommentOnEscalation} }

// MayAddFollower reports whether someone with lead (they lead the subject's project)
// may add other people as followers.
func MayAddFollower(lead bool) bool { return lead }

// FollowerAudience is who among followers hears of a step on the subject: every
// follower but the actor and those the step already tells (told).
func FollowerAudience(actor int64, followers []int64, told []Notice) []Notice {
	skip := map[int64]bool{actor: true, 0: true}
	for _, n := range told {
		skip[n.To] = true
	}
	var out []Notice
	for _, id := range followers {
		if !skip[id] {
			skip[id] = true
			out = append(out, Notice{To: id, Kind: NotifyFollowed})
		}
	}
	return out
}

// NotifyFollowed tells a follower of a step on what they follow.
const NotifyFollowed NotificationKind = "followed"
