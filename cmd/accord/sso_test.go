package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
	"accord/internal/pgtest"
	"accord/internal/store"
)

func TestSSOUnlinkForgetsTheBinding(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Demo())
	ctx := context.Background()
	p, err := store.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	defer p.Close()
	st := store.New(p)
	id := accord.Identity{Issuer: "https://idp.test", Subject: "old-subject", Email: "it@accord.demo"}
	outcome, it, err := st.SignInWithIdentity(ctx, id, false, "")
	require.NoError(t, err)
	require.Equal(t, accord.SSOSignIn, outcome)
	id.Subject = "new-subject"
	outcome, _, err = st.SignInWithIdentity(ctx, id, false, "")
	require.NoError(t, err)
	require.Equal(t, accord.SSORefuseOtherSubject, outcome, "a new subject for a bound email is refused")

	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"sso", "unlink", "--email", "IT@accord.demo"}, env, &out, &errOut))
	require.Contains(t, out.String(), "it@accord.demo unlinked from 1 provider subject(s)")

	outcome, u, err := st.SignInWithIdentity(ctx, id, false, "")
	require.NoError(t, err)
	require.Equal(t, accord.SSOSignIn, outcome, "bound afresh")
	require.Equal(t, it.ID, u.ID)
	subject, err := st.IdentitySubject(ctx, it.ID, id.Issuer)
	require.NoError(t, err)
	require.Equal(t, "new-subject", subject)
	entries, err := st.AuditEntries(ctx, accord.AuditSignIn, it.ID, 10)
	require.NoError(t, err)
	var actions []accord.AuditAction
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	require.Equal(t, []accord.AuditAction{"sso_sign_in", "sso_unlink", "sso_refuse_other_subject", "sso_sign_in"}, actions)

	for _, args := range [][]string{{"sso"}, {"sso", "unlink"}, {"sso", "unlink", "--email", "nobody@accord.demo"}} {
		require.Error(t, run(ctx, args, env, &out, &errOut), "%v", args)
	}
}
