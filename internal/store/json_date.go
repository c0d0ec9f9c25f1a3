package store

import (
	"strings"
	"time"
)

// jsonDate is a yyyy-mm-dd date inside a JSON aggregate; null stays nil.
type jsonDate struct{ t *time.Time }

// UnmarshalJSON reads "yyyy-mm-dd" or null.
func (d *jsonDate) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		d.t = nil
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return err
	}
	d.t = &t
	return nil
}
