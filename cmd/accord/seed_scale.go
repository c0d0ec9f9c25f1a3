package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"accord/internal/config"
	"accord/internal/password"
	"accord/internal/scale"
)

// runSeedScale is `accord seed --scale small|large`: a generated organisation for
// benchmarks, into an empty migrated database, with a progress bar on stderr.
func runSeedScale(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	name, err := scaleFlag(args)
	if err != nil {
		return err
	}
	size, err := scale.SizeNamed(name)
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errNoDatabase
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	fmt.Fprintf(stderr, "accord: seeding the %s organisation (%d units, %d people, %d projects, %d requests, %d progress entries)\n",
		size.Name, size.Units(), size.Users, size.Projects, size.Requests(), size.Updates())
	counts, err := scale.Seed(ctx, pool, size, scale.Options{PasswordParams: password.DefaultParams(), Progress: stderr})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, counts)
	return nil
}

// scaleFlag reads `--scale NAME` or `--scale=NAME`.
func scaleFlag(args []string) (string, error) {
	switch {
	case len(args) == 2 && args[0] == "--scale":
		return args[1], nil
	case len(args) == 1 && strings.HasPrefix(args[0], "--scale="):
		return strings.TrimPrefix(args[0], "--scale="), nil
	}
	return "", fmt.Errorf("seed: say `seed demo` or `seed --scale small|large`")
}
