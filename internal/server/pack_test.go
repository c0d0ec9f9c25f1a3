package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestApprovalPackAttachedInOneClick: IT's head declines the CRM request because it
// needs their superior's approval; the lead attaches the one-page pack, in Chinese,
// to the request's conversation; IT's head downloads it for their superior.
func TestApprovalPackAttachedInOneClick(t *testing.T) {
	b := setup(t)
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(it.ID, "")
	require.Equal(t, http.StatusForbidden, lead.post(page+"/approval-pack", url.Values{"lang": {"zh"}}).StatusCode,
		"not before the holder asks for their superior's approval")

	itHead := b.login(t, "it@accord.demo")
	require.Equal(t, http.StatusSeeOther, itHead.post(rqReq(it.ID, "/decline"), url.Values{"version": {rqVersion(it)},
		"obstacle": {"needs_approval"}, "reason": {"需要分管副总批准"}}).StatusCode)
	resp := lead.get(page)
	require.Equal(t, 1, resp.doc.Find(`[data-testid="pack-form"]`).Length(), "the strategy acts in one click")
	require.Equal(t, http.StatusForbidden, itHead.post(page+"/approval-pack", url.Values{"lang": {"zh"}}).StatusCode, "the lead's")

	resp = rqFollow(t, lead, lead.post(page+"/approval-pack", url.Values{"lang": {"zh"}}))
	require.Equal(t, "The approval pack is attached to the request's conversation.", resp.text("flash"))
	link := resp.doc.Find(`[data-testid="attachment"] a`).Last()
	require.Equal(t, "审批材料 - 客户管理系统开发.html", strings.TrimSpace(link.Text()))

	pack := itHead.get(link.AttrOr("href", ""))
	require.Equal(t, http.StatusOK, pack.StatusCode)
	require.Equal(t, "审批材料：客户管理系统开发", pack.doc.Find("h1").Text())
	for _, want := range []string{"120 人天", "20,000,000 CNY", "客户满意度", "张伟", "黄磊 · 信息技术部"} {
		require.Contains(t, pack.body, want)
	}
	require.NotContains(t, pack.body, "Approval pack")

	resp = rqFollow(t, lead, lead.post(page+"/approval-pack", url.Values{"lang": {"en"}}))
	english := itHead.get(resp.doc.Find(`[data-testid="attachment"] a`).Last().AttrOr("href", ""))
	require.Equal(t, "Approval pack: CRM system development", english.doc.Find("h1").Text())
	require.Contains(t, english.body, "120 person-days")
	require.Contains(t, english.body, "Huang Lei · IT")
}
