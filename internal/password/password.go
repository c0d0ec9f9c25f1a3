// Package password hashes and checks passwords with argon2id (RFC 9106), stored as
// PHC strings so the parameters can be raised later without breaking old hashes.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost settings.
type Params struct {
	Time    uint32
	MemKiB  uint32
	Threads uint8
}

// DefaultParams is OWASP's recommended argon2id setting (19 MiB, 2 passes, one lane).
// RFC 9106's 64 MiB option costs a server more memory per sign-in than it can spare
// under a burst of them; hashes made with it still check, and are upgraded on sign-in.
func DefaultParams() Params { return Params{Time: 2, MemKiB: 19 * 1024, Threads: 1} }

// ErrMalformed means a stored hash is not a PHC argon2id string.
var ErrMalformed = errors.New("password: malformed hash")

const saltLen, keyLen = 16, 32

// Hash returns a PHC string for plain with a fresh random salt.
func Hash(plain string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(plain), salt, p.Time, p.MemKiB, p.Threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemKiB, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Check reports whether plain matches the PHC string, in constant time.
func Check(plain, encoded string) (bool, error) {
	p, parts, err := parse(encoded)
	if err != nil {
		return false, err
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(plain), salt, p.Time, p.MemKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// parse reads the parameters of a PHC argon2id string and returns its $-separated parts.
func parse(encoded string) (Params, []string, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Params{}, nil, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return Params{}, nil, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemKiB, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, ErrMalformed
	}
	return p, parts, nil
}

// Hasher hashes and checks passwords with a bound on how many run at once: each one
// holds MemKiB of memory, so a burst of sign-ins would otherwise multiply it.
type Hasher struct {
	params Params
	slots  chan struct{}
}

// NewHasher hashes new passwords with p, at most concurrent at a time (at least one).
func NewHasher(p Params, concurrent int) *Hasher {
	return &Hasher{params: p, slots: make(chan struct{}, max(concurrent, 1))}
}

// acquire waits for a free slot, or for ctx to end.
func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("password: wait for a free hashing slot: %w", ctx.Err())
	}
}

// Hash is the package's Hash with the hasher's parameters, within its bound.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return Hash(plain, h.params)
}

// Check is the package's Check within the hasher's bound.
func (h *Hasher) Check(ctx context.Context, plain, encoded string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return Check(plain, encoded)
}

// Current reports whether encoded was made with the hasher's parameters; a hash that
// was not is worth replacing once its password has been checked.
func (h *Hasher) Current(encoded string) bool {
	p, _, err := parse(encoded)
	return err == nil && p == h.params
}
