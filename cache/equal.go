package cache

import (
	"bytes"
	"context"
)

// Comparer is a Store that can tell whether a key holds a given value
// without copying the value out: a caller that keeps a decoded form of a
// value (the relying party's sessions) checks that it is still current for
// the price of a comparison.
type Comparer interface {
	// Equal reports whether key holds exactly value; ErrNotFound when it
	// holds nothing.
	Equal(ctx context.Context, key string, value []byte) (bool, error)
}

var _ Comparer = (*Memory)(nil)

// Equal implements Comparer, with Get's expiry check.
func (m *Memory) Equal(_ context.Context, key string, value []byte) (bool, error) {
	e, ok := m.c.Get(key)
	if !ok || !m.now().Before(e.expires) {
		return false, ErrNotFound
	}
	return bytes.Equal(e.value, value), nil
}
