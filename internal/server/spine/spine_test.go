package spine

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"accord/internal/accord"
)

func TestStatusOfEveryCode(t *testing.T) {
	for code, want := range map[accord.ErrorCode]int{
		accord.ECodeInvalid:      http.StatusUnprocessableEntity,
		accord.ECodeNotFound:     http.StatusNotFound,
		accord.ECodeConflict:     http.StatusConflict,
		accord.ECodeUnauthorized: http.StatusUnauthorized,
		accord.ECodeForbidden:    http.StatusForbidden,
		accord.ErrorCode("new"):  http.StatusInternalServerError,
	} {
		require.Equal(t, want, StatusOf(code), code)
	}
}

func TestInputReaders(t *testing.T) {
	d, ok := ParseDate(" 2026-12-03 ")
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), *d)
	d, ok = ParseDate("")
	require.True(t, ok)
	require.Nil(t, d)
	_, ok = ParseDate("3/12/2026")
	require.False(t, ok)

	require.True(t, QueryFlag("1"))
	require.True(t, QueryFlag("on"))
	require.False(t, QueryFlag("0"))
	require.False(t, QueryFlag("false"))
	require.False(t, QueryFlag(""))
}

func TestProblemsKeepWhatReadingFound(t *testing.T) {
	var read accord.Validation
	read.Add("due", "error_date")
	domain := accord.FieldError("due", "error_past")
	merged := MergeProblems(read, domain)
	require.Equal(t, map[string]string{"due": "error_date"}, accord.FieldErrors(merged), "the reading problem wins")

	var none accord.Validation
	require.Equal(t, domain, MergeProblems(none, domain), "nothing read wrong: accord's error as it is")

	renamed := RenameFields(accord.FieldError("owning_unit", "error_required"), map[string]string{"owning_unit": "unit"})
	require.Equal(t, map[string]string{"unit": "error_required"}, accord.FieldErrors(renamed))
	require.Equal(t, "error_invalid_form", MessageID(renamed, "x"))
	require.Equal(t, "x", MessageID(http.ErrAbortHandler, "x"))
}
