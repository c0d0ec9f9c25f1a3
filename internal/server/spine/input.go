package spine

import (
	"errors"
	"strings"
	"time"

	"accord/internal/accord"
)

// Reading input the same way on both faces: dates, flags, and problems found while
// reading merged with those accord finds.

// DateLayout is how dates travel in forms (<input type="date">), JSON and CSV.
const DateLayout = "2006-01-02"

// ParseDate reads an optional yyyy-mm-dd date as midnight UTC; empty is nil.
func ParseDate(raw string) (*time.Time, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, true
	}
	t, err := time.Parse(DateLayout, raw)
	if err != nil {
		return nil, false
	}
	return &t, true
}

// QueryFlag reads a checkbox sent with a GET form or a query flag.
func QueryFlag(raw string) bool { return raw != "" && raw != "0" && raw != "false" }

// MergeProblems adds the domain's problems with the input to those found reading it
// (text that is not a number or a date); a field keeps the reading problem.
func MergeProblems(read accord.Validation, err error) error {
	if len(read.Fields) == 0 {
		return err
	}
	for field, id := range accord.FieldErrors(err) {
		read.Add(field, id)
	}
	if err != nil && accord.ErrorCodeOf(err) != accord.ECodeInvalid {
		return err
	}
	return read.Err()
}

// FieldName is accord's field name as a face calls it (names maps the ones that
// differ).
func FieldName(field string, names map[string]string) string {
	if name, ok := names[field]; ok {
		return name
	}
	return field
}

// RenameFields returns err with its field names mapped to the face's; other errors
// pass through unchanged.
func RenameFields(err error, names map[string]string) error {
	fields := accord.FieldErrors(err)
	if len(fields) == 0 {
		return err
	}
	var e *accord.Error
	if !errors.As(err, &e) {
		return err
	}
	renamed := *e
	renamed.Fields = make(map[string]string, len(fields))
	for field, id := range fields {
		renamed.Fields[FieldName(field, names)] = id
	}
	return &renamed
}
