package accord

import (
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file someone attached to what they said in a conversation: the
// requirement document on a request, the approval pack a head needs. It is seen by
// whoever may see the conversation, and only downloaded, never shown as a page.
type Attachment struct {
	ID          int64
	CommentID   int64
	Name        string // sanitised: a plain file name, safe in a header
	ContentType string // sniffed from the bytes, never taken from the sender
	Size        int64
	CreatedAt   time.Time
}

// Upload is a file as it arrives: its name as the sender gave it and its bytes, read
// once, as a stream.
type Upload struct {
	Name string
	Body io.Reader
}

// MaxAttachmentsPerSubject bounds the files one conversation holds.
const MaxAttachmentsPerSubject = 50

// DefaultMaxUploadBytes is the largest file accepted when ACCORD_MAX_UPLOAD_MB is unset.
const DefaultMaxUploadBytes = 20 << 20

// maxFileName bounds a stored file name, in characters.
const maxFileName = 120

// SanitizeFileName keeps the last element of a name as sent, without control,
// format (bidi) or path characters, trimmed and shortened, keeping its extension; an
// empty result is "attachment".
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r), strings.ContainsRune(`/\:*?"<>|`, r):
			continue
		}
		b.WriteRune(r)
	}
	clean := strings.Trim(strings.TrimSpace(b.String()), ".")
	if clean == "" {
		return "attachment"
	}
	if utf8.RuneCountInString(clean) > maxFileName {
		ext := path.Ext(clean)
		if utf8.RuneCountInString(ext) > 12 {
			ext = ""
		}
		runes := []rune(strings.TrimSuffix(clean, ext))
		clean = string(runes[:maxFileName-utf8.RuneCountInString(ext)]) + ext
	}
	return clean
}

// Previewable reports whether a file of sniffed content type may be shown inline as
// an image: raster images only (an SVG can carry script and is never previewed).
func Previewable(contentType string) bool {
	switch contentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
		return true
	}
	return false
}
