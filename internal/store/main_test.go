package store_test

import (
	"os"
	"testing"

	"accord/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
