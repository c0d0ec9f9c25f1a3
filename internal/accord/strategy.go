package accord

// Strategy is a way for a lead to move a holder past an obstacle.
type Strategy string

// Strategies, in the product's own words (see the strategy_* messages).
const (
	StrategyRaisePriority  Strategy = "raise_priority"  // show why this matters more than the queue says
	StrategyPhase          Strategy = "phase"           // lower the bar: split into a small first phase
	StrategyBringResources Strategy = "bring_resources" // bring budget or people so the holder only reviews
	StrategyTieToKPI       Strategy = "tie_to_kpi"      // make the contribution count in their own targets
	StrategyFutureReturn   Strategy = "future_return"   // promise something real in return, and keep it
	StrategyApprovalPack   Strategy = "approval_pack"   // prepare what their superior needs to say yes
	StrategyPilot          Strategy = "pilot"           // start with a small trial that needs no sign-off
	StrategyRuleException  Strategy = "rule_exception"  // read the rule and use its exception path
	StrategyOtherRoute     Strategy = "other_route"     // meet the rule's purpose another way
	StrategyOwnThePast     Strategy = "own_the_past"    // acknowledge what went wrong and what changed
	StrategySmallWin       Strategy = "small_win"       // rebuild trust with a small, sure success
)

// StrategyAct is what Accord can do for the lead when they pick a strategy.
type StrategyAct string

// Acts a strategy offers on the request page.
const (
	ActNone      StrategyAct = ""
	ActSplitNeed StrategyAct = "split"  // split the need into a first phase and the rest
	ActCommit    StrategyAct = "commit" // record a commitment to the holding unit
	ActPack      StrategyAct = "pack"   // attach a one-page approval pack to the request
)

// StrategiesOffered is what the request page suggests to party for request r: to its
// lead, while the holder's decline stands, what tends to work against the obstacle it
// named; nothing to anyone else or at any other time.
func StrategiesOffered(r Request, party RequestParty) []Strategy {
	if !party.Lead || r.State != RequestDeclined || r.Obstacle == "" {
		return nil
	}
	return StrategiesFor(r.Obstacle)
}

// StrategiesFor lists what tends to work against an obstacle, most useful first.
func StrategiesFor(o Obstacle) []Strategy {
	switch o {
	case ObstacleTooBusy:
		return []Strategy{StrategyPhase, StrategyRaisePriority, StrategyBringResources}
	case ObstacleNotInKPI:
		return []Strategy{StrategyTieToKPI, StrategyFutureReturn, StrategyRaisePriority}
	case ObstacleNeedsApproval:
		return []Strategy{StrategyApprovalPack, StrategyPilot}
	case ObstacleRules:
		return []Strategy{StrategyRuleException, StrategyOtherRoute}
	case ObstacleBadPastWork:
		return []Strategy{StrategyOwnThePast, StrategySmallWin, StrategyFutureReturn}
	default:
		return []Strategy{StrategyPhase, StrategyRaisePriority, StrategySmallWin}
	}
}

// AllStrategies lists every strategy once.
func AllStrategies() []Strategy {
	return []Strategy{StrategyRaisePriority, StrategyPhase, StrategyBringResources, StrategyTieToKPI,
		StrategyFutureReturn, StrategyApprovalPack, StrategyPilot, StrategyRuleException, StrategyOtherRoute,
		StrategyOwnThePast, StrategySmallWin}
}

// Act is what Accord can do right away for this strategy.
func (s Strategy) Act() StrategyAct {
	switch s {
	case StrategyPhase, StrategyPilot, StrategySmallWin:
		return ActSplitNeed
	case StrategyFutureReturn, StrategyTieToKPI, StrategyOwnThePast:
		return ActCommit
	case StrategyApprovalPack:
		return ActPack
	default:
		return ActNone
	}
}

// TitleID and BodyID name the strategy's translated title and explanation.
func (s Strategy) TitleID() string { return "strategy_" + string(s) + "_title" }

// BodyID names the strategy's translated explanation.
func (s Strategy) BodyID() string { return "strategy_" + string(s) + "_body" }
