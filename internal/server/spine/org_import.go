package spine

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// UnusablePasswordHash is the hash an organisation import gives the people it
// creates: of a random secret nobody is told, so they sign in once an administrator
// sets a password or through single sign-on, never with a guess.
func (s *Spine) UnusablePasswordHash(ctx context.Context) (string, error) {
	hash, err := s.Passwords.Hash(ctx, RandomSecret())
	if err != nil {
		return "", fmt.Errorf("spine: password for imported people: %w", err)
	}
	return hash, nil
}

// RandomSecret is 32 random bytes, as text.
func RandomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
