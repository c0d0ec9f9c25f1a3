package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/encoding/json"

	"accord/internal/accord"
)

// commentColumns read a comment with its author's names and the people it mentions.
const commentColumns = `c.id, c.project_id, c.request_id, c.escalation_id, c.author_user_id, a.name, a.name_en,
	c.body, c.created_at, c.edited_at, c.retracted_at, c.version,
	(SELECT COALESCE(jsonb_agg(jsonb_build_object('id', u.id, 'name', u.name, 'name_en', u.name_en) ORDER BY u.id), '[]')
	 FROM comment_mentions m JOIN users u ON u.id = m.user_id WHERE m.comment_id = c.id),
	(SELECT COALESCE(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'content_type', a.content_type,
		'size', a.size, 'created_at', a.created_at) ORDER BY a.id), '[]') FROM attachments a WHERE a.comment_id = c.id)`

const commentFrom = ` FROM comments c JOIN users a ON a.id = c.author_user_id `

// commentSubjectWhere picks a conversation's comments, the subject's id being the
// placeholder arg ("$1").
func commentSubjectWhere(kind accord.CommentKind, arg string) string {
	switch kind {
	case accord.CommentOnRequest:
		return `c.request_id = ` + arg
	case accord.CommentOnEscalation:
		return `c.escalation_id = ` + arg
	}
	return `c.project_id = ` + arg + ` AND c.request_id IS NULL AND c.escalation_id IS NULL`
}

func scanComment(row pgx.Row, extra ...any) (accord.Comment, error) {
	var c accord.Comment
	var requestID, escalationID *int64
	var mentions []struct {
		ID     int64  `json:"id"`
		Name   string `json:"name"`
		NameEN string `json:"name_en"`
	}
	var raw, files []byte
	err := row.Scan(append([]any{&c.ID, &c.ProjectID, &requestID, &escalationID, &c.AuthorUserID, &c.AuthorName,
		&c.AuthorNameEN, &c.Body, &c.CreatedAt, &c.EditedAt, &c.RetractedAt, &c.Version, &raw, &files}, extra...)...)
	if err != nil {
		return accord.Comment{}, err
	}
	switch {
	case requestID != nil:
		c.Subject = accord.CommentSubject{Kind: accord.CommentOnRequest, ID: *requestID}
	case escalationID != nil:
		c.Subject = accord.CommentSubject{Kind: accord.CommentOnEscalation, ID: *escalationID}
	default:
		c.Subject = accord.CommentSubject{Kind: accord.CommentOnProject, ID: c.ProjectID}
	}
	if err := json.Unmarshal(raw, &mentions); err != nil {
		return accord.Comment{}, fmt.Errorf("mentions of comment %d: %w", c.ID, err)
	}
	for _, m := range mentions {
		c.Mentions = append(c.Mentions, accord.User{ID: m.ID, Name: m.Name, NameEN: m.NameEN})
	}
	var attached []struct {
		ID          int64     `json:"id"`
		Name        string    `json:"name"`
		ContentType string    `json:"content_type"`
		Size        int64     `json:"size"`
		CreatedAt   time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(files, &attached); err != nil {
		return accord.Comment{}, fmt.Errorf("attachments of comment %d: %w", c.ID, err)
	}
	for _, a := range attached {
		c.Attachments = append(c.Attachments, accord.Attachment{ID: a.ID, CommentID: c.ID, Name: a.Name,
			ContentType: a.ContentType, Size: a.Size, CreatedAt: a.CreatedAt})
	}
	return c, nil
}

// Comments lists the latest limit comments of a conversation said before comment
// before (0: up to now), in the order they were said, with how many there are in all.
func (s *Store) Comments(ctx context.Context, subject accord.CommentSubject, before int64, limit int) ([]accord.Comment, int, error) {
	where := commentSubjectWhere(subject.Kind, "$1")
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM comments c WHERE `+where, subject.ID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: comments on %s %d: %w", subject.Kind, subject.ID, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (SELECT `+commentColumns+commentFrom+`WHERE `+where+`
			AND ($2 = 0 OR c.id < $2) ORDER BY c.id DESC LIMIT $3) latest ORDER BY 1`, subject.ID, before, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: comments on %s %d: %w", subject.Kind, subject.ID, err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.Comment, error) { return scanComment(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("store: comments on %s %d: %w", subject.Kind, subject.ID, err)
	}
	return list, total, nil
}

// Comment returns one comment.
func (s *Store) Comment(ctx context.Context, id int64) (accord.Comment, error) {
	c, err := scanComment(s.pool.QueryRow(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1`, id))
	if err != nil {
		return accord.Comment{}, fmt.Errorf("store: comment %d: %w", id, mapNotFound(err, "comment_not_found"))
	}
	return c, nil
}

// commentSubjectFacts are what a new comment needs to know of its subject: its
// project, the request it is about, and the people who take part in it.
type commentSubjectFacts struct {
	projectID, requestID, escalationID int64
	parties                            []int64
}

// commentSubjectFactsSQL selects the project of the subject of kind whose id is arg,
// the request it is about (NULL for a project) and its parties, some of them NULL:
// for a request its lead, the holder's head and the key person; for an escalation
// also its superior; for a project its lead.
func commentSubjectFactsSQL(kind accord.CommentKind, arg string) string {
	switch kind {
	case accord.CommentOnRequest:
		return `SELECT r.project_id, r.id AS request_id, ARRAY[p.lead_user_id, h.head_user_id, r.key_person_user_id] AS parties
			FROM requests r JOIN projects p ON p.id = r.project_id JOIN units h ON h.id = r.holder_unit_id
			WHERE r.id = ` + arg
	case accord.CommentOnEscalation:
		return `SELECT e.project_id, e.request_id,
				ARRAY[e.assigned_user_id, p.lead_user_id, h.head_user_id, r.key_person_user_id] AS parties
			FROM escalations e JOIN requests r ON r.id = e.request_id JOIN projects p ON p.id = e.project_id
			JOIN units h ON h.id = r.holder_unit_id WHERE e.id = ` + arg
	}
	return `SELECT id AS project_id, NULL::bigint AS request_id, ARRAY[lead_user_id] AS parties FROM projects
		WHERE id = ` + arg
}

// readCommentSubject reads the subject's project, request and parties
// (commentSubjectFactsSQL), the parties who are still here.
func readCommentSubject(ctx context.Context, tx pgx.Tx, subject accord.CommentSubject) (commentSubjectFacts, error) {
	var f commentSubjectFacts
	var requestID *int64
	var parties []*int64
	err := tx.QueryRow(ctx, commentSubjectFactsSQL(subject.Kind, `$1`), subject.ID).Scan(&f.projectID, &requestID, &parties)
	if err != nil {
		notFound := "project_not_found"
		switch subject.Kind {
		case accord.CommentOnRequest:
			notFound = "request_not_found"
		case accord.CommentOnEscalation:
			notFound = "escalation_not_found"
		}
		return f, mapNotFound(err, notFound)
	}
	if requestID != nil {
		f.requestID = *requestID
	}
	if subject.Kind == accord.CommentOnEscalation {
		f.escalationID = subject.ID
	}
	var ids []int64
	for _, id := range parties {
		if id != nil {
			ids = append(ids, *id)
		}
	}
	// Only people still here take part: a deactivated lead or head hears nothing.
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE id = ANY ($1) AND deactivated_at IS NULL`, ids)
	if err != nil {
		return f, err
	}
	active, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return f, err
	}
	for _, id := range ids {
		if slices.Contains(active, id) {
			f.parties = append(f.parties, id)
		}
	}
	return f, nil
}

// AddComment records what actorID said on subject, calls in the people mentioned and
// tells them and the subject's other parties (accord.CommentAudience). The caller has
// checked that the actor may speak there and that each person mentioned may see it.
//
// A file, when given, comes with the comment: streamed into the database, at most
// limit bytes, or nothing of the comment is kept.
func (s *Store) AddComment(ctx context.Context, actorID int64, subject accord.CommentSubject, in accord.CommentInput,
	file *accord.Upload, limit int64, now time.Time) (accord.Comment, error) {
	in.Normalize()
	in.HasFile = file != nil
	if err := in.Validate(); err != nil {
		return accord.Comment{}, err
	}
	var c accord.Comment
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		f, err := readCommentSubject(ctx, tx, subject)
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO comments (project_id, request_id, escalation_id, author_user_id, body, created_at)
			VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), $4, $5, $6) RETURNING id`,
			f.projectID, subjectRequest(subject), subjectEscalation(subject), actorID, in.Body, now).Scan(&id)
		if err != nil {
			return err
		}
		if file != nil {
			if err := attachFile(ctx, tx, id, subject, *file, limit, now); err != nil {
				return err
			}
		}
		if len(in.Mentions) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO comment_mentions (comment_id, user_id) SELECT $1, unnest($2::bigint[])`,
				id, in.Mentions); err != nil {
				return err
			}
		}
		r := accord.Request{ID: f.requestID, ProjectID: f.projectID}
		hear := f.parties
		if subject.Kind != accord.CommentOnProject {
			followers, err := followerIDs(ctx, tx, subject.Kind, subject.ID)
			if err != nil {
				return err
			}
			hear = append(hear, followers...) // followers hear the conversation too
		}
		for _, n := range accord.CommentAudience(actorID, in.Mentions, hear) {
			if err := insertNotification(ctx, tx, notice{to: n.To, kind: n.Kind, request: r, actor: actorID,
				escalation: f.escalationID, comment: id}); err != nil {
				return err
			}
		}
		if err := auditProject(ctx, tx, actorID, f.projectID, accord.AuditComment, id, accord.AuditCreate, nil,
			commentAudit(subject, in.Body)); err != nil {
			return err
		}
		c, err = scanComment(tx.QueryRow(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1`, id))
		return err
	})
	if err != nil {
		return accord.Comment{}, fmt.Errorf("store: comment on %s %d: %w", subject.Kind, subject.ID, err)
	}
	return c, nil
}

// commentAudit is what the audit log keeps of a comment: where it was said and the
// words. A project's history shows the words only where its readers may read them.
func commentAudit(subject accord.CommentSubject, body string) map[string]any {
	return map[string]any{"subject": subject.Kind, "subject_id": subject.ID, "Body": body}
}

func subjectRequest(s accord.CommentSubject) int64 {
	if s.Kind == accord.CommentOnRequest {
		return s.ID
	}
	return 0
}

func subjectEscalation(s accord.CommentSubject) int64 {
	if s.Kind == accord.CommentOnEscalation {
		return s.ID
	}
	return 0
}

// lockComment reads comment id for a change by actorID, refusing a stale version.
func lockComment(ctx context.Context, tx pgx.Tx, id int64, version int) (accord.Comment, error) {
	c, err := scanComment(tx.QueryRow(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1 FOR UPDATE OF c`, id))
	if err != nil {
		return accord.Comment{}, mapNotFound(err, "comment_not_found")
	}
	if c.Version != version {
		return accord.Comment{}, accord.Errorf(accord.ECodeConflict, "edit_conflict", nil)
	}
	return c, nil
}

// EditComment corrects a comment's words, if actorID wrote it and the edit window is
// still open (accord.MayEditComment); the comment then shows it was edited.
func (s *Store) EditComment(ctx context.Context, actorID, id int64, version int, body string, now time.Time) (accord.Comment, error) {
	in := accord.CommentInput{Body: body}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return accord.Comment{}, err
	}
	var c accord.Comment
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockComment(ctx, tx, id, version)
		if err != nil {
			return err
		}
		switch {
		case before.AuthorUserID != actorID:
			return accord.Errorf(accord.ECodeForbidden, "comment_not_yours", nil)
		case !accord.MayEditComment(before, actorID, now):
			return accord.Errorf(accord.ECodeForbidden, "comment_edit_closed", nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE comments SET body = $2, edited_at = $3, version = version + 1 WHERE id = $1`,
			id, in.Body, now); err != nil {
			return err
		}
		if err := auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditComment, id, accord.AuditUpdate,
			commentAudit(before.Subject, before.Body), commentAudit(before.Subject, in.Body)); err != nil {
			return err
		}
		c, err = scanComment(tx.QueryRow(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1`, id))
		return err
	})
	if err != nil {
		return accord.Comment{}, fmt.Errorf("store: edit comment %d: %w", id, err)
	}
	return c, nil
}

// RetractComment withdraws a comment its author wrote. The words stay in the record,
// marked withdrawn (accord.MayRetractComment).
func (s *Store) RetractComment(ctx context.Context, actorID, id int64, version int, now time.Time) (accord.Comment, error) {
	var c accord.Comment
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		before, err := lockComment(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if !accord.MayRetractComment(before, actorID) {
			return accord.Errorf(accord.ECodeForbidden, "comment_retract_refused", nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE comments SET retracted_at = $2, version = version + 1 WHERE id = $1`, id, now); err != nil {
			return err
		}
		if err := auditProject(ctx, tx, actorID, before.ProjectID, accord.AuditComment, id, accord.AuditRetract,
			commentAudit(before.Subject, before.Body), nil); err != nil {
			return err
		}
		c, err = scanComment(tx.QueryRow(ctx, `SELECT `+commentColumns+commentFrom+`WHERE c.id = $1`, id))
		return err
	})
	if err != nil {
		return accord.Comment{}, fmt.Errorf("store: retract comment %d: %w", id, err)
	}
	return c, nil
}

// MentionAuthors is how many of a conversation's latest speakers its form offers to
// notify, besides the subject's parties: each is checked against the access rule,
// so the page's cost stays bounded however long the conversation.
const MentionAuthors = 8

// CommentCandidates lists the people around a conversation, whom its form offers to
// mention: the subject's parties and its latest speakers. The caller has loaded the
// subject (one that does not exist has no one around it) and keeps those who may see
// it.
func (s *Store) CommentCandidates(ctx context.Context, subject accord.CommentSubject) ([]accord.User, error) {
	// One statement: the subject's parties and its latest authors, one set of ids
	// probed by key (written "id = ANY (…) OR id IN (…)", the planner read all 20,000
	// people of the large organisation, 2 ms); only people still here.
	rows, err := s.pool.Query(ctx, `WITH subject AS (`+commentSubjectFactsSQL(subject.Kind, `$1`)+`)
		SELECT `+userColumns+` FROM users u
		WHERE u.deactivated_at IS NULL AND u.id IN (
			SELECT unnest(parties) FROM subject
			UNION SELECT a.author_user_id FROM (SELECT c.author_user_id, max(c.id) AS last FROM comments c
				WHERE `+commentSubjectWhere(subject.Kind, "$1")+` GROUP BY c.author_user_id
				ORDER BY last DESC LIMIT $2) a)
		ORDER BY u.name_en, u.name, u.id`, subject.ID, MentionAuthors)
	var users []accord.User
	if err == nil {
		users, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (accord.User, error) { return scanUser(r) })
	}
	if err != nil {
		return nil, fmt.Errorf("store: people around %s %d: %w", subject.Kind, subject.ID, err)
	}
	return users, nil
}
