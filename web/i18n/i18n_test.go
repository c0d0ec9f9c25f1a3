package i18n

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

// TestCatalogsComplete fails when a message exists in one language only.
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	b, err := NewBundle()
	require.NoError(t, err)
	zh, en := b.MessageIDs(Chinese), b.MessageIDs(English)
	require.NotEmpty(t, zh)
	require.ElementsMatch(t, zh, en, "every message needs both a Chinese and an English text")
	for _, lang := range []string{Chinese, English} {
		l := b.Localizer(lang)
		for _, id := range b.MessageIDs(lang) {
			require.NotEqual(t, id, l.T(id), "%s: %s does not translate", lang, id)
			require.NotEmpty(t, strings.TrimSpace(l.T(id)), "%s: %s is blank", lang, id)
		}
	}
}

// TestEveryUsedMessageExists scans the source for message ids passed to the
// translators and for the ids domain errors carry, and fails on any id the catalogs
// lack.
func TestEveryUsedMessageExists(t *testing.T) {
	t.Parallel()
	b, err := NewBundle()
	require.NoError(t, err)
	known := b.MessageIDs(English)
	// t(ctx, "id"), i18n.T(ctx, "id"), s.flash(ctx, "id"), MessageID: "id", Add("field", "id"),
	// Errorf(code, "id", …), and field maps {"field": "id"}.
	patterns := []*regexp.Regexp{
		regexp.MustCompile(`\b[tT]\(ctx, "([a-z0-9_]+)"`),
		regexp.MustCompile(`\bhistT\(ctx, "([a-z0-9_]+)"`),
		regexp.MustCompile(`\bflash(?:Error)?\(ctx, "([a-z0-9_]+)"`),
		regexp.MustCompile(`MessageID: "([a-z0-9_]+)"`),
		regexp.MustCompile(`\.Add\("[a-z_]+", "([a-z0-9_]+)"\)`),
		regexp.MustCompile(`Errorf\(accord\.ECode[A-Za-z]+, "([a-z0-9_]+)"`),
		regexp.MustCompile(`Errorf\(ECode[A-Za-z]+, "([a-z0-9_]+)"`),
		regexp.MustCompile(`(?:errorPage|mapNotFound|fieldNotFound)\([^)]*"([a-z0-9_]+)"\)`),
	}
	root := filepath.Join("..", "..")
	var used []string
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".data" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(path, "_templ.go") || strings.HasSuffix(path, "_test.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".templ")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, re := range patterns {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				used = append(used, m[1])
				require.True(t, slices.Contains(known, m[1]), "%s uses message %q, which the catalogs lack", path, m[1])
			}
		}
		return nil
	})
	require.NoError(t, err)
	// Ids built at run time from domain values.
	for _, st := range accord.ProjectStatuses() {
		require.True(t, slices.Contains(known, st.MessageID()), "status %s has no label", st)
	}
	for _, tier := range accord.Tiers() {
		require.True(t, slices.Contains(known, tier.MessageID()), "tier %s has no label", tier)
	}
	for _, st := range accord.Stances() {
		require.True(t, slices.Contains(known, st.MessageID()), "stance %q has no label", st)
	}
	for _, st := range accord.RequestStates() {
		require.True(t, slices.Contains(known, st.MessageID()), "request state %s has no label", st)
	}
	for _, st := range accord.AllStrategies() {
		require.True(t, slices.Contains(known, st.TitleID()) && slices.Contains(known, st.BodyID()), "strategy %s lacks text", st)
	}
	for _, k := range accord.NotificationKinds() {
		require.True(t, slices.Contains(known, k.MessageID()), "notification %s has no text", k)
	}
	for _, k := range accord.DecisionKinds() {
		require.True(t, slices.Contains(known, k.MessageID()), "decision %s has no label", k)
	}
	for _, st := range []accord.EscalationStatus{accord.EscalationOpen, accord.EscalationSentBack, accord.EscalationDecided} {
		require.True(t, slices.Contains(known, st.MessageID()), "escalation status %s has no label", st)
	}
	for _, c := range accord.EscalationCauses() {
		require.True(t, slices.Contains(known, c.MessageID()), "cause %s has no label", c)
	}
	for _, r := range accord.Risks() {
		require.True(t, slices.Contains(known, r.MessageID()), "risk %s has no label", r)
	}
	for _, o := range accord.Obstacles() {
		require.True(t, slices.Contains(known, o.MessageID()), "obstacle %s has no label", o)
	}
	for _, st := range accord.CommitmentStatuses() {
		require.True(t, slices.Contains(known, st.MessageID()), "commitment status %s has no label", st)
	}
	for _, l := range accord.EscalationLists() {
		for _, id := range []string{l.MessageID(), l.TitleID(), l.IntroID(), l.EmptyID(), l.EmptyNextID()} {
			require.True(t, slices.Contains(known, id), "escalation list %s lacks %s", l, id)
		}
	}
	for _, z := range accord.TimeZones() {
		require.True(t, slices.Contains(known, accord.TimeZoneMessageID(z)), "time zone %s has no label", z)
	}
	require.Greater(t, len(used), 50, "the scan found too few ids: the patterns are broken")
}

func TestMatch(t *testing.T) {
	t.Parallel()
	b, err := NewBundle()
	require.NoError(t, err)
	tests := []struct{ pref, accept, want string }{
		{"", "", Chinese},
		{"", "en-US,en;q=0.9", English},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"", "fr-FR", Chinese},
		{"", "de-DE,en;q=0.5", English},
		{"zh", "en-US", Chinese},
		{"en", "zh-CN", English},
		{"xx", "en", English},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, b.Match(tt.pref, tt.accept), "pref=%q accept=%q", tt.pref, tt.accept)
	}
}

func TestTemplateData(t *testing.T) {
	t.Parallel()
	b, err := NewBundle()
	require.NoError(t, err)
	ctx := WithLocalizer(context.Background(), b.Localizer(English))
	require.Equal(t, "Hello, Ada", T(ctx, "home_greeting", map[string]any{"Name": "Ada"}))
	require.Equal(t, English, Lang(ctx))
	require.Equal(t, Chinese, Lang(context.Background()))
	require.Equal(t, "你好，阿达", b.Localizer(Chinese).T("home_greeting", map[string]any{"Name": "阿达"}))
}
