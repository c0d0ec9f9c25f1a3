package demo

// phrases collects the English of the demo's Chinese texts as the specs are built:
// t records the pair and returns the Chinese, which is what the demo stores. A nil
// phrases records nothing.
type phrases map[string]string

func (p phrases) t(zh, en string) string {
	if p != nil {
		p[zh] = en
	}
	return zh
}

// list is t for each pair of a list written zh, en, zh, en, …
func (p phrases) list(pairs ...string) []string {
	out := make([]string, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, p.t(pairs[i], pairs[i+1]))
	}
	return out
}

// English is the English of every text the demo types in Chinese — descriptions,
// plans, promises, goals' targets, statements, progress notes, thanks, lessons —
// keyed by the Chinese, for i18n.Bundle.AddContent. Names need none of it: people,
// units, projects, needs and goals carry both names.
func English() map[string]string {
	p := phrases{}
	goals(p)
	workbooks(p)
	liveNeeds(p)
	liveTexts(p)
	retroTexts(p)
	return p
}
