package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// fileSize is the attachment the bench sends and fetches back.
const fileSize = 10 << 20

// fileTransfer is one attachment sent with a comment and downloaded again, with the
// server's peak memory during each.
type fileTransfer struct {
	Bytes                    int
	Upload, Download         time.Duration
	BaseRSSKB                int // the server's resident set before the upload
	UploadPeakKB, DownPeakKB int // its peak (VmHWM) during each
	Err                      string
}

// measureFileTransfer posts a comment with a 10 MB file of random bytes on one of
// the lead's requests, as the comment form does, then downloads it; the body is
// streamed both ways, so the client holds none of it. The peak is reset before each
// step, so each shows what that step cost the server.
func measureFileTransfer(ctx context.Context, client *http.Client, base string, project int64, lead credential, pool *pgxpool.Pool, pid int) fileTransfer {
	ft := fileTransfer{Bytes: fileSize}
	var request int64
	if err := pool.QueryRow(ctx, `SELECT id FROM requests WHERE project_id = $1 ORDER BY id LIMIT 1`, project).Scan(&request); err != nil {
		ft.Err = "find a request: " + err.Error()
		return ft
	}
	settleRSS(pid)
	_, ft.BaseRSSKB = readMemory(pid)
	resetPeak(pid)

	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := mw.WriteField("body", "需求说明书（压测附件）")
		var part io.Writer
		if err == nil {
			part, err = mw.CreateFormFile("file", "requirements.bin")
		}
		if err == nil {
			_, err = io.CopyN(part, rand.Reader, fileSize)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("%s/requests/%d/comments", base, request), pr)
	if err != nil {
		ft.Err = err.Error()
		return ft
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(lead.Cookie)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		ft.Err = "upload: " + err.Error()
		return ft
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ft.Upload = time.Since(start)
	ft.UploadPeakKB, _ = readMemory(pid)
	if resp.StatusCode != http.StatusSeeOther {
		ft.Err = "upload: " + resp.Status
		return ft
	}
	var attachment int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM attachments`).Scan(&attachment); err != nil {
		ft.Err = "find the attachment: " + err.Error()
		return ft
	}

	settleRSS(pid)
	resetPeak(pid)
	start = time.Now()
	status, n, err := get(ctx, client, fmt.Sprintf("%s/attachments/%d", base, attachment), lead)
	ft.Download = time.Since(start)
	ft.DownPeakKB, _ = readMemory(pid)
	switch {
	case err != nil:
		ft.Err = "download: " + err.Error()
	case status != http.StatusOK || n != fileSize:
		ft.Err = fmt.Sprintf("download: %d, %d bytes", status, n)
	}
	return ft
}

// markdown reports the transfer in a sentence.
func (ft fileTransfer) markdown() string {
	if ft.Err != "" {
		return "The 10 MB attachment could not be measured: " + strings.TrimSpace(ft.Err) + ".\n"
	}
	mb := float64(ft.Bytes) / (1 << 20)
	return fmt.Sprintf("A comment with a %.0f MB file (random bytes, so nothing compresses) took %s to upload (%.0f MB/s) and "+
		"%s to download (%.0f MB/s), one at a time as the project's lead. The server's resident set was %s before; its peak "+
		"was %s during the upload (%+.1f MB) and %s during the download (%+.1f MB): the file streams through in pieces, "+
		"into and out of a PostgreSQL large object, never held whole.\n",
		mb, ft.Upload.Round(time.Millisecond), mb/ft.Upload.Seconds(), ft.Download.Round(time.Millisecond), mb/ft.Download.Seconds(),
		mbExact(ft.BaseRSSKB), mbExact(ft.UploadPeakKB), float64(ft.UploadPeakKB-ft.BaseRSSKB)/1024,
		mbExact(ft.DownPeakKB), float64(ft.DownPeakKB-ft.BaseRSSKB)/1024)
}

func mbExact(n int) string { return fmt.Sprintf("%.1f MB", float64(n)/1024) }
