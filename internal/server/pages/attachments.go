package pages

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"accord/internal/accord"
)

// downloadAttachment sends a file attached in a conversation the viewer may see, as a
// download: its sniffed type, never rendered as a page (Content-Disposition:
// attachment, nosniff, a sandbox). An image may also be shown inline as a preview.
func (s *Server) downloadAttachment(inline bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id, ok := s.pathID(w, r, "id")
		if !ok {
			return
		}
		a, err := s.store.Attachment(ctx, id)
		if err == nil {
			// Seen with the conversation it was attached in, else not found.
			_, _, err = s.Comment(ctx, a.CommentID)
			if accord.ErrorCodeOf(err) == accord.ECodeNotFound {
				err = accord.Errorf(accord.ECodeNotFound, "attachment_not_found", nil)
			}
		}
		if err == nil && inline && !accord.Previewable(a.ContentType) {
			err = accord.Errorf(accord.ECodeNotFound, "attachment_not_found", nil)
		}
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		disposition, contentType := "attachment", "application/octet-stream"
		if inline {
			disposition, contentType = "inline", a.ContentType
		}
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTime)) // a file, not a page
		started := false
		err = s.store.CopyAttachment(ctx, a.ID, func() io.Writer {
			started = true
			h := w.Header()
			h.Set("Content-Type", contentType)
			h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
			h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
			h.Set("Cache-Control", "private, no-store")
			return w
		})
		switch {
		case err != nil && !started:
			s.Fail(w, r, err) // nothing sent yet: an error page, not a truncated file
		case err != nil:
			s.Log.Warn("send attachment", "attachment", a.ID, "err", err) // the client sees a short body
		}
	}
}
