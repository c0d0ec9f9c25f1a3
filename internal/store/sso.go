package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"accord/internal/accord"
)

// SignInWithIdentity decides a single sign-on with accord.DecideSSO and records it in
// one transaction: it binds the provider's subject to the person at their first
// sign-in, creates an unknown person when createUnknown allows (with passwordHash, a
// hash of a password nobody knows, and in no unit), and audits every outcome,
// refusals included. The person is returned when the outcome signs in.
func (s *Store) SignInWithIdentity(ctx context.Context, id accord.Identity, createUnknown bool, passwordHash string) (accord.SSOOutcome, accord.User, error) {
	var (
		outcome accord.SSOOutcome
		user    accord.User
	)
	attempt := func() error {
		return s.WithTx(ctx, func(tx pgx.Tx) error {
			var err error
			outcome, user, err = signInWithIdentity(ctx, tx, id, createUnknown, passwordHash)
			return err
		})
	}
	err := attempt()
	// Two first sign-ins of one new person at once: the second finds the first's work.
	if isUniqueViolation(err, "users_email_key") || isUniqueViolation(err, "user_identities_pkey") ||
		isUniqueViolation(err, "user_identities_user_id_issuer_key") {
		err = attempt()
	}
	if err != nil {
		return "", accord.User{}, fmt.Errorf("store: sign in %s from %s: %w", id.Email, id.Issuer, err)
	}
	return outcome, user, nil
}

func signInWithIdentity(ctx context.Context, tx pgx.Tx, id accord.Identity, createUnknown bool, passwordHash string) (accord.SSOOutcome, accord.User, error) {
	bySubject, err := identityBySubject(ctx, tx, id)
	if err != nil {
		return "", accord.User{}, err
	}
	byEmail, err := identityByEmail(ctx, tx, id)
	if err != nil {
		return "", accord.User{}, err
	}
	outcome := accord.DecideSSO(id, bySubject, byEmail, createUnknown)
	record := map[string]any{"issuer": id.Issuer, "subject": id.Subject, "email": id.Email}
	var user accord.User
	switch {
	case outcome == accord.SSOCreate:
		in := accord.JustInTimeUser(id)
		user, err = scanUser(tx.QueryRow(ctx, `INSERT INTO users AS u (email, name, password_hash)
			VALUES ($1, $2, $3) RETURNING `+userColumns, in.Email, in.Name, passwordHash))
		if err != nil {
			return "", accord.User{}, err
		}
		created := userAudit(user)
		created["via"] = "sso"
		if err := audit(ctx, tx, 0, accord.AuditUser, user.ID, accord.AuditCreate, nil, created); err != nil {
			return "", accord.User{}, err
		}
		record["bound"] = true
		err = bindIdentity(ctx, tx, id, user.ID)
	case outcome == accord.SSOSignIn && bySubject != nil:
		user = bySubject.User
	case outcome == accord.SSOSignIn:
		user = byEmail.User
		record["bound"] = byEmail.BoundSubject == ""
		if byEmail.BoundSubject == "" {
			err = bindIdentity(ctx, tx, id, user.ID)
		}
	case bySubject != nil:
		user = bySubject.User
	case byEmail != nil:
		user = byEmail.User
	}
	if err != nil {
		return "", accord.User{}, err
	}
	actor := int64(0)
	if outcome.SignsIn() {
		actor = user.ID
	}
	if err := audit(ctx, tx, actor, accord.AuditSignIn, user.ID, accord.AuditAction(outcome), nil, record); err != nil {
		return "", accord.User{}, err
	}
	if !outcome.SignsIn() {
		return outcome, accord.User{}, nil
	}
	return outcome, user, nil
}

// identityBySubject finds the person bound to the identity's subject, or nil.
func identityBySubject(ctx context.Context, tx pgx.Tx, id accord.Identity) (*accord.SSOCandidate, error) {
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM user_identities i JOIN users u ON u.id = i.user_id
		WHERE i.issuer = $1 AND i.subject = $2 FOR UPDATE OF u`, lookupText(id.Issuer), lookupText(id.Subject)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find identity by subject: %w", err)
	}
	return &accord.SSOCandidate{User: u, BoundSubject: id.Subject}, nil
}

// identityByEmail finds the person with the identity's email and the subject they are
// bound to at this provider, or nil.
func identityByEmail(ctx context.Context, tx pgx.Tx, id accord.Identity) (*accord.SSOCandidate, error) {
	var c accord.SSOCandidate
	u, err := scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+`,
			COALESCE((SELECT i.subject FROM user_identities i WHERE i.user_id = u.id AND i.issuer = $2), '')
		FROM users u WHERE lower(u.email) = lower($1) FOR UPDATE OF u`, lookupText(id.Email), lookupText(id.Issuer)), &c.BoundSubject)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find identity by email: %w", err)
	}
	c.User = u
	return &c, nil
}

func bindIdentity(ctx context.Context, tx pgx.Tx, id accord.Identity, userID int64) error {
	if _, err := tx.Exec(ctx, `INSERT INTO user_identities (issuer, subject, user_id, email) VALUES ($1, $2, $3, $4)`,
		lookupText(id.Issuer), lookupText(id.Subject), userID, id.Email); err != nil {
		return fmt.Errorf("bind identity: %w", err)
	}
	return nil
}

// IdentitySubject returns the subject a person is bound to at an issuer, "" when none.
func (s *Store) IdentitySubject(ctx context.Context, userID int64, issuer string) (string, error) {
	var subject string
	err := s.pool.QueryRow(ctx, `SELECT subject FROM user_identities WHERE user_id = $1 AND issuer = $2`, userID, issuer).Scan(&subject)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: identity of user %d: %w", userID, err)
	}
	return subject, nil
}

// UnlinkIdentities forgets the subjects a person is bound to at every provider, so
// their next single sign-on binds afresh by email: for a person whose account the
// provider re-created under a new subject. It returns how many bindings it removed.
func (s *Store) UnlinkIdentities(ctx context.Context, actorID, userID int64) (int, error) {
	var n int
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `DELETE FROM user_identities WHERE user_id = $1 RETURNING issuer, subject`, userID)
		if err != nil {
			return err
		}
		var removed []map[string]string
		for rows.Next() {
			var issuer, subject string
			if err := rows.Scan(&issuer, &subject); err != nil {
				rows.Close()
				return err
			}
			removed = append(removed, map[string]string{"issuer": issuer, "subject": subject})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(removed)
		if n == 0 {
			return nil
		}
		return audit(ctx, tx, actorID, accord.AuditSignIn, userID, accord.AuditSSOUnlink, removed, nil)
	})
	if err != nil {
		return 0, fmt.Errorf("store: unlink identities of user %d: %w", userID, err)
	}
	return n, nil
}
