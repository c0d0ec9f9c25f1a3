package server

import (
	"errors"

	"accord/internal/accord"
)

func asAccordError(err error, target **accord.Error) bool { return errors.As(err, target) }
