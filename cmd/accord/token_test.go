package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/pgtest"
	"accord/internal/store"
)

func TestTokenCreatePrintsASecretThatWorks(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDB(t, pgtest.Demo())
	env := envOf(map[string]string{"DATABASE_URL": dbURL})
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"token", "create", "--email", "IT@accord.demo", "--name", "bot"}, env, &out, &errOut))
	secret := strings.TrimSpace(out.String())
	require.Len(t, secret, 43, "32 bytes, base64url")
	require.Contains(t, errOut.String(), "for it@accord.demo created")

	p, err := store.Open(context.Background(), dbURL, nil)
	require.NoError(t, err)
	defer p.Close()
	st := store.New(p)
	v, err := st.TokenViewer(context.Background(), secret, time.Now())
	require.NoError(t, err)
	it, err := st.UserByEmail(context.Background(), "it@accord.demo")
	require.NoError(t, err)
	require.Equal(t, it.ID, v.User.ID)
	list, err := st.Tokens(context.Background(), it.ID)
	require.NoError(t, err)
	require.Equal(t, "bot", list[0].Name)

	for _, args := range [][]string{{"token"}, {"token", "create"}, {"token", "create", "--email", "nobody@accord.demo"}} {
		err := run(context.Background(), args, env, &out, &errOut)
		require.Error(t, err, "%v", args)
	}
}
