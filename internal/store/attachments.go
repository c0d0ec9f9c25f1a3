package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// loWriteSize is how much of a file goes to PostgreSQL in one large-object write.
const loWriteSize = 256 << 10

// attachmentColumns read an attachment's facts, not its bytes.
const attachmentColumns = `a.id, a.comment_id, a.name, a.content_type, a.size, a.created_at`

func scanAttachment(row pgx.Row) (accord.Attachment, error) {
	var a accord.Attachment
	err := row.Scan(&a.ID, &a.CommentID, &a.Name, &a.ContentType, &a.Size, &a.CreatedAt)
	return a, err
}

// sniffLength is how much of a file is read to tell its type (as net/http does).
const sniffLength = 512

// attachFile streams file into a new large object, at most limit bytes, and records
// it against comment id. Past the limit it stops reading and fails, and the caller's
// transaction leaves nothing behind.
func attachFile(ctx context.Context, tx pgx.Tx, commentID int64, subject accord.CommentSubject, file accord.Upload, limit int64, now time.Time) error {
	// Files arriving at once in one conversation take turns, so its cap holds.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('attachments ' || $1), $2::int)`,
		string(subject.Kind), int32(subject.ID)); err != nil {
		return err
	}
	var held int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM attachments a JOIN comments c ON c.id = a.comment_id
		WHERE `+commentSubjectWhere(subject.Kind, "$1"), subject.ID).Scan(&held); err != nil {
		return err
	}
	if held >= accord.MaxAttachmentsPerSubject {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "attachment_too_many",
			Fields: map[string]string{"file": "attachment_too_many"}}
	}
	los := tx.LargeObjects()
	oid, err := los.Create(ctx, 0)
	if err != nil {
		return err
	}
	lo, err := los.Open(ctx, oid, pgx.LargeObjectModeWrite)
	if err != nil {
		return err
	}
	// The type is told from the bytes themselves, never from the name or the sender.
	br := bufio.NewReaderSize(io.LimitReader(file.Body, limit+1), sniffLength)
	head, err := br.Peek(sniffLength)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return tooLargeOr(err)
	}
	contentType := http.DetectContentType(head)
	// Written in large pieces: each write to a large object is a round trip, and the
	// sniffing reader's own buffer would make it one per 512 bytes.
	bw := bufio.NewWriterSize(lo, loWriteSize)
	size, err := io.Copy(bw, br)
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return tooLargeOr(err)
	}
	if size > limit {
		return tooLarge(limit)
	}
	if size == 0 {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "attachment_empty",
			Fields: map[string]string{"file": "attachment_empty"}}
	}
	if err := lo.Close(); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO attachments (comment_id, name, content_type, size, object, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, commentID, accord.SanitizeFileName(file.Name), contentType, size, oid, now)
	return err
}

// tooLarge says a file passed the limit, in megabytes.
func tooLarge(limit int64) error {
	return &accord.Error{Code: accord.ECodeTooLarge, MessageID: "attachment_too_large",
		Data: map[string]any{"MB": limit >> 20}}
}

// tooLargeOr turns the request body's own limit into the same answer, and a body
// that stopped arriving (the sender gone, or too slow) into a clear refusal.
func tooLargeOr(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return tooLarge(mb.Limit)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "attachment_interrupted",
			Fields: map[string]string{"file": "attachment_interrupted"}}
	}
	return err
}

// Attachment returns one attachment's facts.
func (s *Store) Attachment(ctx context.Context, id int64) (accord.Attachment, error) {
	a, err := scanAttachment(s.pool.QueryRow(ctx, `SELECT `+attachmentColumns+` FROM attachments a WHERE a.id = $1`, id))
	if err != nil {
		return accord.Attachment{}, fmt.Errorf("store: attachment %d: %w", id, mapNotFound(err, "attachment_not_found"))
	}
	return a, nil
}

// CopyAttachment streams attachment id's bytes, in chunks, inside one read
// transaction (a large object is read within one), to the writer start returns once
// the file is open: a failure before then leaves the answer to the caller.
func (s *Store) CopyAttachment(ctx context.Context, id int64, start func() io.Writer) error {
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var oid uint32
		if err := tx.QueryRow(ctx, `SELECT object FROM attachments WHERE id = $1`, id).Scan(&oid); err != nil {
			return mapNotFound(err, "attachment_not_found")
		}
		los := tx.LargeObjects()
		lo, err := los.Open(ctx, oid, pgx.LargeObjectModeRead)
		if err != nil {
			return err
		}
		_, err = io.Copy(start(), lo)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: read attachment %d: %w", id, err)
	}
	return nil
}
