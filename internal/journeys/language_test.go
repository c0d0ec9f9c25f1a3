package journeys_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLanguageSwitch: a visitor whose browser prefers Chinese gets the sign-in page
// in Chinese, switches to English before signing in, and the choice carries into
// the session — names and units in English — until switched back.
func TestLanguageSwitch(t *testing.T) {
	_, b := journey(t, "zh-CN,zh")
	visitor := b.tab("visitor")

	visitor.open("/login")
	require.Equal(t, "zh-Hans", visitor.attr("html", "lang"))
	require.Equal(t, "登录", visitor.mustText("h1"))
	require.Equal(t, "true", visitor.attr(`button[name="lang"][value="zh"]`, "aria-pressed"))

	// English, before signing in: the page comes back in English.
	visitor.submit(`button[name="lang"][value="en"]`)
	require.Equal(t, "/login", visitor.path())
	require.Equal(t, "en", visitor.attr("html", "lang"))
	require.Equal(t, "Sign in", visitor.mustText("h1"))
	require.Equal(t, "true", visitor.attr(`button[name="lang"][value="en"]`, "aria-pressed"))

	// Signed in, the names are the English ones.
	visitor.login("aftersales@accord.demo")
	require.Equal(t, "Hello, Zhang Wei", visitor.mustText(`[data-testid="greeting"]`))
	require.Equal(t, "Zhang Wei", visitor.mustText(`[data-testid="viewer-name"]`))
	require.Equal(t, "After-sales", visitor.mustText(`[data-testid="viewer-unit"]`))
	visitor.open("/projects")
	require.Contains(t, visitor.texts(`[data-testid="projects"] [data-field="name"]`), "Smart service upgrade")

	// And back to Chinese, now saved on the user.
	visitor.submit(`button[name="lang"][value="zh"]`)
	require.Equal(t, "/projects", visitor.path())
	require.Equal(t, "zh-Hans", visitor.attr("html", "lang"))
	require.Contains(t, visitor.texts(`[data-testid="projects"] [data-field="name"]`), "智能服务升级")
	visitor.open("/")
	require.Equal(t, "你好，张伟", visitor.mustText(`[data-testid="greeting"]`))
	require.Equal(t, "售后服务部", visitor.mustText(`[data-testid="viewer-unit"]`))
}
