// Package cache stores mod_auth_openidc's server-side state — sessions,
// state, nonces, introspection results — behind one small interface, with an
// in-memory store shared by all virtual hosts (ristretto) by default and
// shared stores (Redis, memcached) for several instances, as
// OIDCCacheType selects.
package cache

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by Get for a key that is missing or expired.
var ErrNotFound = errors.New("cache: not found")

// ErrRejected is returned by Set when the store refused the value (for
// example, larger than the store's entry size limit).
var ErrRejected = errors.New("cache: value rejected")

// Store is a key/value store with per-entry expiry. Keys are opaque
// strings (callers prefix them by purpose: "s:" session, "n:" nonce, ...).
// Implementations are safe for concurrent use.
type Store interface {
	// Get returns the value stored under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl (> 0), replacing any value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Close releases the store's resources.
	Close() error
}

// Adder is a Store that can store a value only under a key that holds
// none, in one step (Redis SET NX, memcached add): what makes an entry a
// lock that instances sharing the store can take.
type Adder interface {
	// Add stores value under key for ttl unless key holds a value; it
	// reports whether it stored it.
	Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
}
