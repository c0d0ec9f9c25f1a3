package ui

import (
	"context"
	"strings"

	"accord/internal/accord"
)

// The choices the workbook's selects offer, in the reader's language: tiers, units
// grouped by parent, backups, stances and promise statuses.

func tierOptions(ctx context.Context) []wbOption {
	out := []wbOption{{Value: "", Label: t(ctx, "wb_choose")}}
	for _, tier := range accord.Tiers() {
		out = append(out, wbOption{Value: string(tier), Label: t(ctx, tier.MessageID())})
	}
	return out
}

// unitOptions offers the open units after a first blank choice: the top of the tree
// alone, then each unit below it grouped under the unit it belongs to at the first
// level, so a closed select reads "IT", not an indented name.
func unitOptions(ctx context.Context, units []accord.Unit, blank string) ([]wbOption, []wbOptGroup) {
	return unitOptionsWhere(ctx, units, blank, nil)
}

// unitOptionsWhere is unitOptions for the units kept (all when keep is nil); a group
// is still named after its top unit when that unit is not kept.
func unitOptionsWhere(ctx context.Context, units []accord.Unit, blank string, keep map[int64]bool) ([]wbOption, []wbOptGroup) {
	top := []wbOption{{Value: "", Label: blank}}
	var groups []wbOptGroup
	byID := make(map[int64]accord.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	var current int64
	for _, u := range units {
		if keep != nil && !keep[u.ID] {
			continue
		}
		depth := u.Depth()
		if depth < 1 {
			top = append(top, wbOption{Value: itoa(u.ID), Label: unitName(ctx, u)})
			continue
		}
		if head := u.Path[1]; head != current || len(groups) == 0 {
			current = head
			groups = append(groups, wbOptGroup{Label: unitName(ctx, byID[head])})
		}
		g := &groups[len(groups)-1]
		g.Options = append(g.Options, wbOption{Value: itoa(u.ID),
			Label: strings.Repeat("\u00a0\u00a0\u00a0", max(depth-2, 0)) + unitName(ctx, u)})
	}
	return top, groups
}

// unitChoices are the options of a unit select: every open unit, or with the unit
// chooser only the units the project involves and the one chosen.
func (v WorkbookView) unitChoices(ctx context.Context, blank string, chosen int64) ([]wbOption, []wbOptGroup) {
	if !v.UnitChooser {
		return unitOptions(ctx, v.Units, blank)
	}
	keep := map[int64]bool{chosen: true}
	for _, p := range v.Plans {
		keep[p.UnitID] = true
	}
	for _, c := range v.Commitments {
		keep[c.UnitID] = true
	}
	return unitOptionsWhere(ctx, v.Units, blank, keep)
}

// chooserLink leads from a unit select to the unit chooser, when there is one. A
// commitment being edited keeps its unit or moves to one the project involves.
func (v WorkbookView) chooserLink(ctx context.Context, forForm string) *wbLink {
	if !v.UnitChooser || !v.CanEdit || strings.HasPrefix(forForm, "commitment-") {
		return nil
	}
	return &wbLink{Href: projectURL(v.Project.ID, "/units/choose?for=", forForm), Text: t(ctx, "wb_chooser_other")}
}

// needChooserFor and commitmentChooserFor name the form a chosen unit returns to.
func needChooserFor(needID int64) string {
	if needID == 0 {
		return "need"
	}
	return "need-" + itoa(needID)
}

func commitmentChooserFor(id int64) string {
	if id == 0 {
		return "commitment"
	}
	return "commitment-" + itoa(id)
}

func backupOptions(ctx context.Context, v WorkbookView, self int64) []wbOption {
	out := []wbOption{{Value: "", Label: t(ctx, "wb_backs_up_none")}}
	for _, n := range v.backupChoices(self) {
		out = append(out, wbOption{Value: itoa(n.ID), Label: string(n.Tier) + " · " + n.DisplayTitle(lang(ctx))})
	}
	return out
}

func stanceOptions(ctx context.Context) []wbOption {
	var out []wbOption
	for _, s := range accord.Stances() {
		out = append(out, wbOption{Value: string(s), Label: t(ctx, s.MessageID())})
	}
	return out
}

func commitmentStatusOptions(ctx context.Context) []wbOption {
	var out []wbOption
	for _, s := range accord.CommitmentStatuses() {
		out = append(out, wbOption{Value: string(s), Label: t(ctx, s.MessageID())})
	}
	return out
}

// holderFor is the unit a need form's "Held by" shows chosen. A new need starts on a
// real unit — the first the project involves, else the first besides its own — not
// on "Outside the company", which a user picks on purpose.
func (v WorkbookView) holderFor(f NeedForm) int64 {
	if f.ID != 0 || f.HolderUnitID != 0 || f.ExternalParty != "" {
		return f.HolderUnitID
	}
	if len(v.Plans) > 0 {
		return v.Plans[0].UnitID
	}
	for _, u := range v.Units {
		if u.ID != v.Project.OwningUnitID {
			return u.ID
		}
	}
	return 0
}
