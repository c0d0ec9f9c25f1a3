// Package migrations holds Accord's schema as numbered SQL files, embedded in the binary
// and applied by golang-migrate (see internal/store).
package migrations

import "embed"

// FS holds every *.up.sql and *.down.sql file.
//
//go:embed *.sql
var FS embed.FS
