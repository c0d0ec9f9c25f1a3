package pages

import (
	"bytes"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/segmentio/encoding/json"
)

// sessionCodec writes a session's values as tagged JSON instead of scs's default
// gob, whose decoder is built afresh for every request: decoding took a sixth of the
// signed-in floor's CPU in make bench. Accord keeps only strings and int64s in a
// session (the signed-in user, flashes, the sign-in handshake), so they round-trip
// typed. A session written by the gob codec before is still read, so nobody is
// signed out by the change; it is rewritten in the new form when next saved.
type sessionCodec struct{}

// sessionCodecMark starts every session this codec writes. scs's gob data starts with
// a message length and a type definition instead; should one ever start so, it still
// decodes as gob below.
const sessionCodecMark = "accord1:"

type sessionData struct {
	Deadline time.Time         `json:"d"`
	Strings  map[string]string `json:"s,omitempty"`
	Ints     map[string]int64  `json:"i,omitempty"`
}

// Encode implements scs.Codec.
func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	d := sessionData{Deadline: deadline}
	for k, v := range values {
		switch x := v.(type) {
		case string:
			if d.Strings == nil {
				d.Strings = map[string]string{}
			}
			d.Strings[k] = x
		case int64:
			if d.Ints == nil {
				d.Ints = map[string]int64{}
			}
			d.Ints[k] = x
		default:
			return nil, fmt.Errorf("pages: session value %q is a %T; only strings and int64s are kept", k, v)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("pages: encode session: %w", err)
	}
	return append([]byte(sessionCodecMark), b...), nil
}

// Decode implements scs.Codec.
func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	if !bytes.HasPrefix(b, []byte(sessionCodecMark)) {
		return scs.GobCodec{}.Decode(b) // written before this codec
	}
	var d sessionData
	if err := json.Unmarshal(b[len(sessionCodecMark):], &d); err != nil {
		if deadline, values, gobErr := (scs.GobCodec{}).Decode(b); gobErr == nil {
			return deadline, values, nil
		}
		return time.Time{}, nil, fmt.Errorf("pages: decode session: %w", err)
	}
	values := make(map[string]any, len(d.Strings)+len(d.Ints))
	for k, v := range d.Strings {
		values[k] = v
	}
	for k, v := range d.Ints {
		values[k] = v
	}
	return d.Deadline, values, nil
}
