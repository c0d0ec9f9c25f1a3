// Package ui renders Accord's pages with templ. Components take view models shaped
// like the screen and domain types; they never see the store or the request. The
// reader's language comes from the context (web/i18n), the one cross-cutting value.
package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"accord/internal/accord"
	"accord/web/i18n"
)

// Meta is what the layout needs besides the page's own content.
type Meta struct {
	Title    string // already translated
	Viewer   *accord.Viewer
	Active   string // the navigation entry to mark as current
	Flash    string // already translated
	FlashBad bool
	Path     string // the current path, to come back to after switching language
}

// t translates a message id for the reader in ctx.
func t(ctx context.Context, id string, data ...map[string]any) string {
	return i18n.T(ctx, id, data...)
}

// lang is the reader's language.
func lang(ctx context.Context) string { return i18n.Lang(ctx) }

// htmlLang is the value of <html lang>.
func htmlLang(ctx context.Context) string {
	if lang(ctx) == i18n.English {
		return "en"
	}
	return "zh-Hans"
}

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// unreadBadge shows an unread count, which the store counts up to accord.UnreadCap.
func unreadBadge(n int) string {
	if n >= accord.UnreadCap {
		return strconv.Itoa(accord.UnreadCap-1) + "+"
	}
	return strconv.Itoa(n)
}

func pressed(b bool) string { return strconv.FormatBool(b) }

// fieldError translates the message for one form field, or "".
func fieldError(ctx context.Context, fields map[string]string, name string) string {
	if id, ok := fields[name]; ok {
		return t(ctx, id)
	}
	return ""
}

func invalid(fields map[string]string, name string) string {
	_, bad := fields[name]
	return strconv.FormatBool(bad)
}

// unitName is a unit's name in the reader's language.
func unitName(ctx context.Context, u accord.Unit) string { return u.DisplayName(lang(ctx)) }

func userName(ctx context.Context, u accord.User) string { return u.DisplayName(lang(ctx)) }

// peopleList names people in the reader's language, joined as the language joins a
// list.
func peopleList(ctx context.Context, people []accord.User) string {
	names := make([]string, len(people))
	for i, u := range people {
		names[i] = userName(ctx, u)
	}
	return strings.Join(names, t(ctx, "list_separator"))
}

func pageURL(base string, page int) string { return fmt.Sprintf("%s%spage=%d", base, sep(base), page) }

func sep(base string) string {
	for _, c := range base {
		if c == '?' {
			return "&"
		}
	}
	return "?"
}

// depthClass indents a tree row. Inline styles are barred by the Content-Security-Policy,
// so indentation comes from classes depth-0 … depth-8.
func depthClass(depth int) string { return "depth-" + itoa(min(max(depth, 0), 8)) }

// typed is text a person typed, in the reader's language when its translation is
// known (the demo brings its own), else as typed. Forms that edit the text show it
// as stored, never through typed.
func typed(ctx context.Context, s string) string { return i18n.Text(ctx, s) }

// typedLines is typed for each line of a text written one item per line.
func typedLines(ctx context.Context, s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = typed(ctx, strings.TrimSpace(l))
	}
	return strings.Join(lines, "\n")
}
