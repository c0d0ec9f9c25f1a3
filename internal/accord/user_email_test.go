package accord

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValidEmail: one bare address, as SMTP allows it; net/mail alone would take the
// control, formatting and space characters of a quoted local part.
func TestValidEmail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"li.na@example.com":                  true,
		"王芳@例子.公司":                           true,
		"a+tag@x.test":                       true,
		"":                                   false,
		"Li Na <li@example.com>":             false,
		"a@b.test, c@d.test":                 false,
		"a\u0085b@x.com":                     false, // C1 control
		"a\u202eb@x.com":                     false, // right-to-left override
		"\u202e@x.com":                       false,
		"a\u200bb@x.com":                     false, // zero-width space (format)
		`"a b"@x.com`:                        false,
		"a\x00b@x.com":                       false,
		"a\xffb@x.com":                       false,
		strings.Repeat("a", 250) + "@x.test": false,
	} {
		require.Equal(t, want, ValidEmail(s), "%q", s)
	}
}
