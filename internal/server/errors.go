package server

import (
	"errors"
	"net/http"

	"accord/internal/accord"
)

// statusOf is the one table from a domain error code to its HTTP status, for pages
// (fail, formProblem) and the API (apiFail) alike. An unknown code is an internal
// error.
func statusOf(code accord.ErrorCode) int {
	switch code {
	case accord.ECodeInvalid:
		return http.StatusUnprocessableEntity
	case accord.ECodeNotFound:
		return http.StatusNotFound
	case accord.ECodeConflict:
		return http.StatusConflict
	case accord.ECodeUnauthorized:
		return http.StatusUnauthorized
	case accord.ECodeForbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func asAccordError(err error, target **accord.Error) bool { return errors.As(err, target) }
