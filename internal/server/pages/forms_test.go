package pages

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFormReaders(t *testing.T) {
	t.Parallel()
	form := url.Values{"d": {"2026-12-01"}, "bad_d": {"01/12/2026"}, "id": {"42"}, "bad_id": {"x"}, "zero": {"0"},
		"f": {"2.5"}, "bad_f": {"two"}, "n": {"7"}, "lines": {" a \n\n b\r\n"}}
	r := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")

	d, ok := formDate(r, "d")
	require.True(t, ok)
	require.Equal(t, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), *d)
	_, ok = formDate(r, "bad_d")
	require.False(t, ok)
	d, ok = formDate(r, "missing")
	require.True(t, ok)
	require.Nil(t, d)

	id, ok := formOptionalID(r, "id")
	require.True(t, ok)
	require.Equal(t, int64(42), *id)
	_, ok = formOptionalID(r, "bad_id")
	require.False(t, ok)
	id, ok = formOptionalID(r, "zero")
	require.True(t, ok)
	require.Nil(t, id)

	f, ok := formFloat(r, "f")
	require.True(t, ok)
	require.Equal(t, 2.5, f)
	_, ok = formFloat(r, "bad_f")
	require.False(t, ok)
	n, ok := formInt(r, "n")
	require.True(t, ok)
	require.Equal(t, 7, n)
	require.Equal(t, []string{"a", "b"}, formLines(r, "lines"))
}
