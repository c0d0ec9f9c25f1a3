package accord

import (
	"strings"
	"unicode/utf8"
)

// MaxUnitCodeLength bounds a unit's code (the database checks the same).
const MaxUnitCodeLength = 64

// unitCodeForbidden are the characters a code may not hold: the separators of the
// unit-codes column of an organisation file, and space, so a list splits one way.
const unitCodeForbidden = ";,；，、 \t"

// UnitCodeProblem names what is wrong with a unit code (already trimmed), or "" when
// it is fine: a code is 1 to 64 characters without separators, spaces or control
// characters. Codes are compared exactly, case included.
func UnitCodeProblem(code string) string {
	switch {
	case TextProblem(code, TextRule{Required: true}) != "":
		return TextProblem(code, TextRule{Required: true})
	case strings.ContainsAny(code, unitCodeForbidden):
		return "unit_code_separator"
	case utf8.RuneCountInString(code) > MaxUnitCodeLength:
		return "unit_code_too_long"
	}
	return ""
}
