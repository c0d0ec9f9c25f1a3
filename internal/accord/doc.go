// Package accord holds Accord's domain: the types every other package speaks in,
// the error codes, and the pure rules (the org tree's shared superior, roles).
// It depends on nothing but the standard library.
package accord
