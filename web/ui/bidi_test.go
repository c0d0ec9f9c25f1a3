package ui

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/web/i18n"
)

func TestUserTextInSentencesIsIsolated(t *testing.T) {
	render := func(parts []sentencePart) string {
		var b bytes.Buffer
		require.NoError(t, isolated(parts).Render(context.Background(), &b))
		return b.String()
	}
	require.Equal(t, `Added the need “<bdi>a&lt;b&gt;`+"\u202e"+`x</bdi>” to <bdi>IT</bdi>`,
		render(markedParts("Added the need “\u2068a<b>\u202ex\u2069” to \u2068IT\u2069")))
	require.Equal(t, `<bdi>a `+"\u2068"+`b`+"\u2069"+`</bdi> c`, render(markedParts("\u2068a \u2068b\u2069\u2069 c")), "nested marks stay inside")
	require.Equal(t, "plain", render(markedParts("plain")))

	var u userTexts
	sentence := "“" + u.mark("甲\u202e乙") + "” (" + u.mark("P") + ")" + u.mark("")
	require.Equal(t, []sentencePart{{Text: "“"}, {Text: "甲\u202e乙", User: true}, {Text: "” ("}, {Text: "P", User: true},
		{Text: ")"}}, u.split(sentence))

	n := accord.Notification{Kind: accord.NotifyRequestAnswered, ActorName: "黄磊", ActorNameEN: "Huang Lei",
		NeedTitle: "需求", NeedTitleEN: "Need \u202eX", ProjectName: "项目", State: accord.RequestDeclined}
	bundle, err := i18n.NewBundle()
	require.NoError(t, err)
	ctx := i18n.WithLocalizer(context.Background(), bundle.Localizer(i18n.English))
	parts := notificationParts(ctx, n)
	require.Equal(t, "Huang Lei answered “Need \u202eX”: Declined.", textOf(parts), "the words as before")
	var user []string
	for _, p := range parts {
		if p.User {
			user = append(user, p.Text)
		}
	}
	require.Equal(t, []string{"Huang Lei", "Need \u202eX"}, user)
	require.Contains(t, render(parts), "<bdi>Need \u202eX</bdi>")
}

func textOf(parts []sentencePart) string {
	s := ""
	for _, p := range parts {
		s += p.Text
	}
	return s
}
