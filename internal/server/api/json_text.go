package api

import (
	"encoding/json"
	"unicode/utf8"

	"accord/internal/accord"
)

// Go's JSON decoder turns invalid UTF-8 and lone surrogate escapes ("\ud800") into
// U+FFFD without a word, so such text would be stored altered, where a form with the
// same bytes is refused. The API refuses it too, and for a member's value with the
// problem accord.TextProblem gives a form: 422, field_bad_characters on that field.

// refuseBadText checks a decoded body's raw bytes: nil, or the error to answer with.
func refuseBadText(raw []byte) error {
	field, bad := badJSONText(raw)
	switch {
	case !bad:
		return nil
	case field == "":
		return &apiBadRequest{detail: "text is not valid UTF-8", fields: map[string]string{"body": "field_bad_characters"}}
	default:
		return &accord.Error{Code: accord.ECodeInvalid, MessageID: "error_invalid_form",
			Fields: map[string]string{field: "field_bad_characters"}}
	}
}

// badJSONText finds the first string in raw (a JSON text the decoder accepted) that
// is not valid UTF-8 or holds a lone surrogate escape. field is the key of the object
// member whose value holds it, or "" when the string is a key or belongs to no member.
func badJSONText(raw []byte) (field string, bad bool) {
	key := ""
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		start := i
		end, ok := scanJSONString(raw, i+1)
		i = end
		next := end + 1
		for next < len(raw) && (raw[next] == ' ' || raw[next] == '\t' || raw[next] == '\n' || raw[next] == '\r') {
			next++
		}
		if next < len(raw) && raw[next] == ':' { // a key
			if !ok {
				return "", true
			}
			key = ""
			_ = json.Unmarshal(raw[start:end+1], &key)
			continue
		}
		if !ok {
			return key, true
		}
	}
	return "", false
}

// scanJSONString reads the string whose content starts at raw[i]: it returns the
// index of the closing quote and whether the content is valid UTF-8 without lone
// surrogates.
func scanJSONString(raw []byte, i int) (end int, ok bool) {
	ok = true
	for i < len(raw) && raw[i] != '"' {
		switch c := raw[i]; {
		case c == '\\' && i+1 < len(raw) && raw[i+1] == 'u':
			r := hex4(raw, i+2)
			switch {
			case r >= 0xd800 && r < 0xdc00: // high: a low must follow
				if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
					if low := hex4(raw, i+8); low >= 0xdc00 && low < 0xe000 {
						i += 12
						continue
					}
				}
				ok = false
			case r >= 0xdc00 && r < 0xe000: // a low alone
				ok = false
			}
			i += 6
		case c == '\\':
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				ok = false
			}
			i += size
		}
	}
	return i, ok
}

// hex4 reads four hex digits at raw[i], or -1.
func hex4(raw []byte, i int) rune {
	if i+4 > len(raw) {
		return -1
	}
	var r rune
	for _, c := range raw[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}
