package accord

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error; the server maps each code to one HTTP status.
type ErrorCode string

// Error codes. Only ECodeInternal is logged; the others are the user's to fix.
const (
	ECodeInvalid      ErrorCode = "invalid"
	ECodeNotFound     ErrorCode = "not_found"
	ECodeConflict     ErrorCode = "conflict"
	ECodeUnauthorized ErrorCode = "unauthorized"
	ECodeForbidden    ErrorCode = "forbidden"
	ECodeInternal     ErrorCode = "internal"
	ECodeTooLarge     ErrorCode = "too_large" // an upload over its limit
)

// Error is a domain error a user can act on. MessageID names a translated message so
// the edge can say it in the reader's language; Fields maps form fields to message IDs.
type Error struct {
	Code      ErrorCode
	MessageID string
	Data      map[string]any
	Fields    map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("accord: %s: %s %v", e.Code, e.MessageID, e.Fields)
	}
	return fmt.Sprintf("accord: %s: %s", e.Code, e.MessageID)
}

// Errorf builds an Error with a message ID and optional template data.
func Errorf(code ErrorCode, messageID string, data map[string]any) *Error {
	return &Error{Code: code, MessageID: messageID, Data: data}
}

// ErrorCodeOf returns the code of the first *Error in err's chain, or ECodeInternal.
func ErrorCodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ECodeInternal
}

// Validation collects field problems so a form can show every one of them at once.
type Validation struct {
	Fields map[string]string
}

// Add records a problem with a field; the first problem per field wins.
func (v *Validation) Add(field, messageID string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = messageID
	}
}

// Err returns nil when no field has a problem, else an ECodeInvalid *Error.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: ECodeInvalid, MessageID: "error_invalid_form", Fields: v.Fields}
}

// FieldErrors returns the per-field message IDs of err, if it is an invalid-input error.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldError is the invalid-input error of one field.
func FieldError(field, messageID string) error {
	var v Validation
	v.Add(field, messageID)
	return v.Err()
}
