package ui

import (
	"context"

	"accord/internal/accord"
)

// searchTitle is what a result's line leads with: its name in the reader's language,
// or for a comment the words around the match.
func searchTitle(ctx context.Context, h accord.SearchHit, terms []string) string {
	if h.Kind == accord.SearchComments {
		return accord.Excerpt(h.Text, terms, 60)
	}
	return h.DisplayTitle(lang(ctx))
}

// searchWhere says where a result sits: a need's or request's project and holder, a
// comment's author and conversation, a project's owning unit, a person's unit.
func searchWhere(ctx context.Context, h accord.SearchHit) []string {
	l := lang(ctx)
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	switch h.Kind {
	case accord.SearchProjects, accord.SearchPeople:
		add(h.DisplayUnit(l))
	case accord.SearchNeeds, accord.SearchRequests:
		add(h.DisplayProject(l))
		add(h.DisplayUnit(l))
	case accord.SearchComments:
		add(h.DisplayTitle(l))
		add(searchConversation(ctx, h))
		add(h.DisplayProject(l))
	}
	return out
}

// searchConversation says which conversation a comment was found in.
func searchConversation(ctx context.Context, h accord.SearchHit) string {
	title := map[string]any{"Title": "\u2068" + h.DisplaySubject(lang(ctx)) + "\u2069"} // isolated: see isolatedMarks
	switch h.Subject.Kind {
	case accord.CommentOnRequest:
		return t(ctx, "search_in_request", title)
	case accord.CommentOnEscalation:
		return t(ctx, "search_in_escalation", title)
	}
	return t(ctx, "search_in_project")
}

// searchKindName names one result's kind, for its badge.
func searchKindName(ctx context.Context, k accord.SearchKind) string {
	switch k {
	case accord.SearchProjects:
		return t(ctx, "search_kind_project")
	case accord.SearchNeeds:
		return t(ctx, "search_kind_need")
	case accord.SearchRequests:
		return t(ctx, "search_kind_request")
	case accord.SearchComments:
		return t(ctx, "search_kind_comment")
	case accord.SearchUnits:
		return t(ctx, "search_kind_unit")
	}
	return t(ctx, "search_kind_person")
}

// searchTabName names a kind's tab.
func searchTabName(ctx context.Context, k accord.SearchKind) string {
	switch k {
	case accord.SearchProjects:
		return t(ctx, "search_kinds_project")
	case accord.SearchNeeds:
		return t(ctx, "search_kinds_need")
	case accord.SearchRequests:
		return t(ctx, "search_kinds_request")
	case accord.SearchComments:
		return t(ctx, "search_kinds_comment")
	case accord.SearchUnits:
		return t(ctx, "search_kinds_unit")
	}
	return t(ctx, "search_kinds_person")
}
