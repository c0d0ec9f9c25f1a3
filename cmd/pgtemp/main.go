// Command pgtemp is a development tool: it starts a throwaway PostgreSQL cluster
// (fsync off), runs a command with ACCORD_TEST_DATABASE_URL pointing at it, and
// removes the cluster afterwards. `make test` runs `go test` under it so the whole
// run shares one cluster.
//
//	go run ./cmd/pgtemp -- go test ./...
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"accord/internal/localpg"
	"accord/internal/pgtest"
)

func main() {
	code, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtemp:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

func run(args []string) (int, error) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return 2, errors.New("usage: pgtemp -- command [args…]")
	}
	ctx := context.Background()
	bin, err := localpg.EnsureBinaries(ctx, os.Stderr)
	if err != nil {
		return 1, err
	}
	dir, err := os.MkdirTemp("", "accord-pgtemp-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	cluster := &localpg.Cluster{Dir: dir, BinDir: bin}
	url, err := cluster.Start(ctx)
	if err != nil {
		return 1, err
	}
	defer cluster.Stop(ctx)

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), pgtest.EnvURL+"="+url)
	// Ctrl-C reaches the child through the terminal; wait for it, then clean up.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), nil
		}
		return 1, err
	}
	return 0, nil
}
