package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/stretchr/testify/require"
)

// srHits lists a search page's results as kind: the text of their line's head.
func srHits(r response) []string {
	var out []string
	r.doc.Find(`[data-testid="search-hit"]`).Each(func(_ int, s *goquery.Selection) {
		head := strings.Join(strings.Fields(s.Find(".search-hit-head").Text()), " ")
		out = append(out, s.AttrOr("data-kind", "")+": "+head)
	})
	return out
}

// srLinks lists where a search page's results lead.
func srLinks(r response) []string {
	var out []string
	r.doc.Find(`[data-testid="search-hit-link"]`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("href", ""))
	})
	return out
}

func srPath(q string, more ...string) string {
	return "/search?q=" + url.QueryEscape(q) + strings.Join(more, "")
}

// Search finds a comment by a two-character Chinese word for those who may open it,
// leads to it, and tells nobody else it exists; its links all open.
func TestSearchFindsWhatTheViewerMayOpen(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	resp := rqFollow(t, itHead, cmPost(itHead, rqReq(it.ID, ""), "工单模块的接口文档在哪里？"))
	commentID := resp.doc.Find(`[data-testid="comment"]`).Last().AttrOr("id", "")
	require.NotEmpty(t, commentID)

	for _, who := range []*client{itHead, lead} {
		resp = who.get(srPath("工单"))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, srLinks(resp), rqReq(it.ID, "")+"#"+commentID, "the comment is found and linked")
		require.Equal(t, "工单", resp.textOf(`[data-kind="comment"] mark`), "the word is marked")
		for _, link := range srLinks(resp) {
			path, _, _ := strings.Cut(link, "#")
			require.Equal(t, http.StatusOK, who.get(path).StatusCode, "every result opens: %s", link)
		}
	}
	page := lead.get(srPath("工单"))
	require.Equal(t, "Comments 1", strings.Join(strings.Fields(page.textOf(`[data-testid="search-tab-comment"]`)), " "))

	// Legal's head sees nothing of the smart service upgrade: no hit, no count.
	legal := b.login(t, "legal@accord.demo")
	resp = legal.get(srPath("工单"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, srLinks(resp))
	require.Equal(t, "Nothing you can open matches “工单”.", resp.textOf(`[data-testid="empty"] strong`))
	require.Equal(t, "Comments 0", strings.Join(strings.Fields(resp.textOf(`[data-testid="search-tab-comment"]`)), " "))
	require.Equal(t, http.StatusNotFound, legal.get(rqReq(it.ID, "")).StatusCode)

	// One kind: the tab narrows the list, the counts stay.
	resp = lead.get(srPath("客户", "&kind=need"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	hits := srHits(resp)
	require.NotEmpty(t, hits)
	for _, h := range hits {
		require.True(t, strings.HasPrefix(h, "need: "), h)
	}
	require.Equal(t, "page", resp.doc.Find(`[data-testid="search-tab-need"]`).AttrOr("aria-current", ""))

	// The other language's name is found, and shown beside the reader's.
	zh := b.login(t, "aftersales@accord.demo")
	zh.lang = "zh"
	resp = zh.get(srPath("analytics"))
	require.Contains(t, srHits(resp), "need: 需求 客户数据分析 (Customer data analytics)")

	// A search it cannot run keeps the words and says what to fix.
	resp = lead.get(srPath("a"))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "Type at least two letters, or one Chinese character.", resp.textOf(`#search-q-error`))
	require.Equal(t, "a", resp.doc.Find(`#search-q`).AttrOr("value", ""))
	resp = lead.get(srPath("a b c d e f g h"))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	resp = lead.get(srPath(strings.Repeat("很长", 60)))
	require.Equal(t, "Keep the search under 100 characters.", resp.textOf(`#search-q-error`))

	// No query: the box and what it finds, no results.
	resp = lead.get("/search")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Empty(t, srHits(resp))
	require.Equal(t, 1, resp.doc.Find(`[data-testid="search-box"]`).Length(), "the header's box")

	// Addresses: an administrator finds people by email, nobody else does.
	require.NotEmpty(t, srHits(b.login(t, "admin@accord.demo").get(srPath("it.dev@"))))
	require.Empty(t, srHits(lead.get(srPath("it.dev@"))))
	// A two-character term goes through the doubled index (migration 0035), the same rule.
	people := func(hits []string) (out []string) {
		for _, h := range hits {
			if strings.HasPrefix(h, "person: ") {
				out = append(out, h)
			}
		}
		return out
	}
	require.NotEmpty(t, people(srHits(b.login(t, "admin@accord.demo").get(srPath("v@")))))
	require.Empty(t, people(srHits(lead.get(srPath("v@")))))
	require.Equal(t, []string{"person: Person Xu Hang (徐航)"}, people(srHits(lead.get(srPath("徐航")))))
	require.Contains(t, srHits(lead.get(srPath("Xu Hang"))), "person: Person Xu Hang")

	// One character finds projects, units and people, says so, and offers no tab of
	// what it does not search; two find the comment too.
	for _, c := range []struct {
		who       *client
		hit, note string
	}{
		{lead, "person: Person Xu Hang (徐航)", "Single characters find projects, units and people only. " +
			"Type a word of two or more characters to search needs, requests and comments too."},
		{zh, "person: 人员 徐航", "只输入单个的字时，只查找项目、部门和人员。输入两个字或以上的词，可同时查找需求、请求和评论。"},
	} {
		resp = c.who.get(srPath("徐"))
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, srHits(resp), c.hit)
		require.Equal(t, c.note, resp.textOf(`[data-testid="search-names-only"]`))
		for _, kind := range []string{"project", "unit", "person"} {
			require.Equal(t, 1, resp.doc.Find(`[data-testid="search-tab-`+kind+`"]`).Length(), kind)
		}
		for _, kind := range []string{"need", "request", "comment"} {
			require.Zero(t, resp.doc.Find(`[data-testid="search-tab-`+kind+`"]`).Length(), kind)
		}
	}
	resp = lead.get(srPath("单"))
	require.NotContains(t, srLinks(resp), rqReq(it.ID, "")+"#"+commentID, "one character searches no comment")
	// Asked of comments (the kind kept from a search before), every kind it searches.
	resp = lead.get(srPath("信", "&kind=comment"))
	require.Contains(t, srHits(resp), "unit: Unit IT (信息技术部)")
	require.Equal(t, "page", resp.doc.Find(`[data-testid="search-tabs"] a`).First().AttrOr("aria-current", ""), "All")
	require.Contains(t, srLinks(lead.get(srPath("工单"))), rqReq(it.ID, "")+"#"+commentID)
	require.Zero(t, lead.get(srPath("工单")).doc.Find(`[data-testid="search-names-only"]`).Length())
}

func TestAPISearch(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	itHead := b.login(t, "it@accord.demo")
	rqFollow(t, itHead, cmPost(itHead, rqReq(it.ID, ""), "工单模块的接口文档在哪里？"))

	body := b.api(t, "it@accord.demo").get("/search?q="+url.QueryEscape("工单")+"&kind=comment").expect(t, http.StatusOK)
	results := body["results"].([]any)
	require.Len(t, results, 1)
	hit := results[0].(map[string]any)
	require.Equal(t, "comment", hit["kind"])
	require.Equal(t, "工单模块的接口文档在哪里？", hit["text"])
	require.Equal(t, map[string]any{"kind": "request", "id": float64(it.ID), "title": "客户管理系统开发",
		"title_en": "CRM system development"}, hit["subject"])
	require.True(t, strings.HasPrefix(hit["path"].(string), rqReq(it.ID, "")+"#comment-"), hit["path"])
	require.Equal(t, 1, num(body["counts"].(map[string]any)["comment"]))
	require.Equal(t, 1, num(body["total"]))
	require.Nil(t, body["next_cursor"])
	require.Equal(t, false, body["names_only"])
	// Single characters search projects, units and people only, and say so: asked of
	// comments, they search those three.
	one := b.api(t, "it@accord.demo").get("/search?q="+url.QueryEscape("信")+"&kind=comment").expect(t, http.StatusOK)
	require.Equal(t, true, one["names_only"])
	require.Equal(t, 0, num(one["counts"].(map[string]any)["comment"]))
	require.Equal(t, 1, num(one["counts"].(map[string]any)["unit"]), "IT, 信息技术部")
	require.Equal(t, "unit", one["results"].([]any)[0].(map[string]any)["kind"])

	outsider := b.api(t, "legal@accord.demo").get("/search?q="+url.QueryEscape("工单")).expect(t, http.StatusOK)
	require.Empty(t, outsider["results"])
	require.Equal(t, 0, num(outsider["counts"].(map[string]any)["comment"]))

	// Pages: a search finding more than one page says where the next starts.
	first := b.api(t, "admin@accord.demo").get("/search?q="+url.QueryEscape("部")+"&kind=unit&limit=2").expect(t, http.StatusOK)
	require.Len(t, first["results"], 2)
	require.Greater(t, num(first["total"]), 2)
	next := b.api(t, "admin@accord.demo").get("/search?q="+url.QueryEscape("部")+"&kind=unit&limit=2&cursor="+
		first["next_cursor"].(string)).expect(t, http.StatusOK)
	require.NotEqual(t, first["results"].([]any)[0].(map[string]any)["id"], next["results"].([]any)[0].(map[string]any)["id"])

	bad := b.api(t, "it@accord.demo").get("/search?q=a&kind=everything").expect(t, http.StatusUnprocessableEntity)
	require.Equal(t, map[string]any{"q": "Type at least two letters, or one Chinese character.",
		"kind": "Choose one of: project, need, request, comment, unit, person."}, bad["error"].(map[string]any)["fields"])
}
