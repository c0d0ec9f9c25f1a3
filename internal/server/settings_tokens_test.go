package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// The token page is every signed-in user's own. The matrix has no token of its own
// to revoke: id 0 is nobody's, so everyone signed in gets 404 there.
func init() {
	nobodysToken := policy{login, nf, nf, nf, nf, nf, nf}
	addPolicies(map[string]policy{
		"GET /settings/tokens":              signedIn,
		"POST /settings/tokens":             signedIn,
		"POST /settings/tokens/{id}/revoke": nobodysToken,
	})
}

// tokenRows reads the listed tokens: name → state text.
func (r response) tokenRows() map[string]string {
	out := map[string]string{}
	r.doc.Find(`[data-testid="token"]`).Each(func(_ int, row *goquery.Selection) {
		out[strings.TrimSpace(row.Find(`[data-testid="token-name"]`).Text())] =
			strings.TrimSpace(row.Find(`[data-testid="token-state"]`).Text())
	})
	return out
}

func TestTokensPageCreateUseRevoke(t *testing.T) {
	b := setup(t)
	c := b.login(t, "aftersales@accord.demo")

	// The top bar's name leads here; with no token yet, the page says what to do.
	home := c.get("/")
	require.Equal(t, "/settings/tokens", home.attrOf(`[data-testid="viewer-name"]`, "href"))
	page := c.get("/settings/tokens")
	require.Equal(t, http.StatusOK, page.StatusCode)
	require.Equal(t, "Your settings", page.textOf("h1"))
	require.Equal(t, "You have no API tokens yet.", page.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, 0, page.doc.Find(`[data-testid="token-secret"]`).Length())

	// A name is required, and a refused form keeps what was typed.
	resp := c.post("/settings/tokens", url.Values{"name": {"   "}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Fill in this field.", resp.textOf(`#token-name-error`))
	require.Equal(t, "true", resp.attrOf(`#token-name`, "aria-invalid"))
	long := strings.Repeat("长", 121)
	resp = c.post("/settings/tokens", url.Values{"name": {long}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, long, resp.inputValue("token-form", "name"))
	require.Equal(t, "Keep this under 120 characters.", resp.textOf(`#token-name-error`))
	tokens, err := b.st.Tokens(context.Background(), b.user(t, "aftersales@accord.demo").ID)
	require.NoError(t, err)
	require.Empty(t, tokens, "nothing was created")

	// Created: the secret is shown in this answer, and it works on the API.
	resp = c.post("/settings/tokens", url.Values{"name": {"weekly BI export"}})
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	require.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	secret := resp.attrOf(`[data-testid="token-secret"]`, "value")
	require.Len(t, secret, 43, "32 random bytes, base64url")
	require.Contains(t, resp.textOf(`[data-testid="token-created"]`), "Token “weekly BI export” created")
	require.Contains(t, resp.text("token-example"), "Authorization: Bearer "+secret)
	require.Contains(t, resp.text("token-example"), b.srv.URL+"/api/v1/me")
	require.Equal(t, map[string]string{"weekly BI export": "Active"}, resp.tokenRows())
	require.Equal(t, secret[:8]+"…", resp.text("token-prefix"))
	require.Equal(t, "never", resp.text("token-last-used"))

	api := &apiClient{t: t, b: b, token: secret, lang: "en"}
	me := api.get("/me").expect(t, http.StatusOK)
	require.Equal(t, "aftersales@accord.demo", dig(me, "user.email"), "the token acts as its user")

	// Never shown again: not on the list, not anywhere on the page.
	page = c.get("/settings/tokens")
	require.NotContains(t, page.body, secret)
	require.Equal(t, 0, page.doc.Find(`[data-testid="token-secret"]`).Length())
	require.Equal(t, "just now", page.text("token-last-used"), "the API call is noted")

	// Another user cannot revoke it; the revoke form says what will happen.
	id := page.attrOf(`[data-testid="token"]`, "data-token-id")
	require.Contains(t, page.textOf(`[data-testid="token-revoke-form"]`), "Anything using “weekly BI export” stops working at once")
	other := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusNotFound, other.post("/settings/tokens/"+id+"/revoke", nil).StatusCode)
	require.Empty(t, other.get("/settings/tokens").tokenRows(), "nor see it")
	api.get("/me").expect(t, http.StatusOK)

	// Revoked by its owner: the API answers 401, the list says so.
	resp = c.post("/settings/tokens/"+id+"/revoke", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/settings/tokens", resp.Header.Get("Location"))
	page = c.get("/settings/tokens")
	require.Equal(t, "The token is revoked. Nothing can use it any more.", page.text("flash"))
	require.Contains(t, page.tokenRows()["weekly BI export"], "Revoked")
	require.Equal(t, 0, page.doc.Find(`[data-testid="token-revoke"]`).Length(), "nothing left to revoke")
	api.get("/me").expect(t, http.StatusUnauthorized)
	// Revoking again changes nothing; a missing token is not found.
	require.Equal(t, http.StatusSeeOther, c.post("/settings/tokens/"+id+"/revoke", nil).StatusCode)
	require.Equal(t, http.StatusNotFound, c.post("/settings/tokens/999999999/revoke", nil).StatusCode)
}

func TestTokensPageInChineseAndListsCLITokens(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	u := b.user(t, "it@accord.demo")
	// A token from `accord token create` may have no name.
	_, _, err := b.st.CreateToken(ctx, u.ID, u.ID, "", time.Now())
	require.NoError(t, err)
	c := b.login(t, "it@accord.demo")
	c.lang = "zh-CN"
	page := c.get("/settings/tokens")
	require.Equal(t, "我的设置", page.textOf("h1"))
	require.Equal(t, map[string]string{"（未命名）": "有效"}, page.tokenRows())
	require.Equal(t, "我的设置：时区、日历订阅、外出代理与 API 令牌", page.attrOf(`[data-testid="viewer-name"]`, "title"))
	resp := c.post("/settings/tokens", url.Values{"name": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "请填写此项。", resp.textOf(`#token-name-error`))
}
