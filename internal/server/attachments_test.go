package server_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/server"
)

// postComment posts a comment with its words and, when name is set, a file, as the
// comment form does (the file last).
func (c *client) postComment(path, body, name string, content []byte) response {
	c.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	require.NoError(c.t, mw.WriteField("body", body))
	part, err := mw.CreateFormFile("file", name)
	require.NoError(c.t, err)
	_, err = part.Write(content)
	require.NoError(c.t, err)
	require.NoError(c.t, mw.Close())
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.base+path, &buf)
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// TestAttachmentsFollowTheConversation: the lead answers IT's question with the
// requirement document attached; those who see the request download it as a file,
// named safely and typed from its bytes; nobody else learns it exists; a file over
// the limit is refused with nothing kept.
func TestAttachmentsFollowTheConversation(t *testing.T) {
	b := setupWith(t, func(o *server.Options) { o.MaxUploadBytes = 1 << 20 })
	smart := b.rqSmart(t)
	lead := b.login(t, "aftersales@accord.demo")
	rqFollow(t, lead, rqSendAll(t, lead, smart, "请支持"))
	it := b.rqRequests(t, smart.ID)["IT"]
	page := rqReq(it.ID, "")

	doc := []byte("<html><script>alert(1)</script>需求文档 v3</html>")
	resp := rqFollow(t, lead, lead.postComment(page+"/comments", "需求文档见附件。", "../../需求文档 v3.html", doc))
	link := resp.doc.Find(`[data-testid="attachment"] a`)
	require.Equal(t, "需求文档 v3.html", strings.TrimSpace(link.Text()), "the name, without its path")
	href := link.AttrOr("href", "")

	itHead := b.login(t, "it@accord.demo")
	got := itHead.get(href)
	require.Equal(t, http.StatusOK, got.StatusCode)
	require.Equal(t, string(doc), got.body, "the bytes as sent")
	require.Equal(t, "application/octet-stream", got.Header.Get("Content-Type"), "never served as a page")
	require.Equal(t, "nosniff", got.Header.Get("X-Content-Type-Options"))
	require.Contains(t, got.Header.Get("Content-Disposition"), "attachment")
	require.Contains(t, got.Header.Get("Content-Disposition"), "filename*=utf-8''%E9%9C%80")
	require.Contains(t, got.Header.Get("Content-Security-Policy"), "sandbox")
	require.Equal(t, http.StatusNotFound, itHead.get(href+"/preview").StatusCode, "only images are previewed")

	// The API lists it with the comment and serves the same bytes, with its token.
	list := b.api(t, "it@accord.demo").get(page+"/comments").expect(t, http.StatusOK)
	files := dig(list["comments"].([]any)[0], "attachments").([]any)
	require.Len(t, files, 1)
	url := files[0].(map[string]any)["url"].(string)
	apiGot := b.api(t, "it@accord.demo").get(strings.TrimPrefix(url, "/api/v1"))
	require.Equal(t, http.StatusOK, apiGot.status)
	require.Equal(t, doc, apiGot.raw)
	require.Equal(t, http.StatusNotFound, b.api(t, "legal@accord.demo").get(strings.TrimPrefix(url, "/api/v1")).status)

	// Strangers find nothing, not even that the file exists.
	require.Equal(t, http.StatusNotFound, b.login(t, "legal@accord.demo").get(href).StatusCode)
	require.Equal(t, http.StatusNotFound, b.login(t, "legal@accord.demo").get("/attachments/999999").StatusCode)

	// An image is previewed inline, typed from its bytes whatever its name says.
	var pngBytes bytes.Buffer
	require.NoError(t, png.Encode(&pngBytes, image.NewGray(image.Rect(0, 0, 4, 4))))
	resp = rqFollow(t, itHead, itHead.postComment(page+"/comments", "", "截图.txt", pngBytes.Bytes()))
	img := resp.doc.Find(`[data-testid="attachment"] img`)
	require.Equal(t, 1, img.Length(), "a comment may be just a file")
	preview := itHead.get(img.AttrOr("src", ""))
	require.Equal(t, http.StatusOK, preview.StatusCode)
	require.Equal(t, "image/png", preview.Header.Get("Content-Type"))

	// An empty file is no attachment.
	resp = lead.postComment(page+"/comments", "空", "空.txt", nil)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Equal(t, "This file is empty.", resp.textOf(`#comment-file-error`))

	// Over the limit: 413 with a message, the words kept, nothing stored.
	before := len(resp.doc.Find(`[data-testid="comment"]`).Nodes)
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	resp = lead.postComment(page+"/comments", "全量数据", "全量.csv", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Contains(t, resp.text("comment-form-error"), "larger than 1 MB")
	require.Equal(t, "This file is too large.", resp.textOf(`#comment-file-error`))
	require.Equal(t, "全量数据", resp.textOf(`#comment-body`))
	require.Len(t, itHead.get(page).doc.Find(`[data-testid="comment"]`).Nodes, before, "nothing of it was kept")
}
