package cache

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dgraph-io/ristretto/v2"
)

// MemoryOptions size the in-memory store, from OIDCCacheShmMax (entries)
// and OIDCCacheShmEntrySizeMax (bytes per entry).
type MemoryOptions struct {
	// MaxEntries is the number of entries kept before the least useful
	// ones are evicted (mod_auth_openidc's default: 10000).
	MaxEntries int64
	// MaxEntrySize is the largest value accepted, in bytes (default
	// 16384 + 512, as mod_auth_openidc's shm default).
	MaxEntrySize int
	// Now is the clock used to expire entries; nil means time.Now.
	Now func() time.Time
}

// Memory is the in-process store: one ristretto cache shared by every
// virtual host. Values are copied in and out, so callers may reuse their
// slices.
type Memory struct {
	// writeMu serialises writes: ristretto drops a Set when its buffer is
	// full under contention, which a session store must never do. Reads
	// take no lock.
	writeMu sync.Mutex
	c       *ristretto.Cache[string, memEntry]
	maxSize int
	now     func() time.Time
}

type memEntry struct {
	value   []byte
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an in-memory store.
func NewMemory(o MemoryOptions) (*Memory, error) {
	if o.MaxEntries <= 0 {
		o.MaxEntries = 10000
	}
	if o.MaxEntrySize <= 0 {
		o.MaxEntrySize = 16384 + 512
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c, err := ristretto.NewCache(&ristretto.Config[string, memEntry]{
		NumCounters: o.MaxEntries * 10,
		// Cost is counted in entries, so the capacity is MaxEntries.
		MaxCost:            o.MaxEntries,
		IgnoreInternalCost: true,
		BufferItems:        64,
	})
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	return &Memory{c: c, maxSize: o.MaxEntrySize, now: o.Now}, nil
}

// Get implements Store. Expiry is checked against the store's clock as
// well as ristretto's TTL, so an injected clock is honoured.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	e, ok := m.c.Get(key)
	if !ok || !m.now().Before(e.expires) {
		return nil, ErrNotFound
	}
	return append([]byte(nil), e.value...), nil
}

// Set implements Store. The write is applied before Set returns, so a Get
// that follows sees it; when the cache is full, ristretto's admission
// policy may refuse a new entry and Set says so.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if len(value) > m.maxSize {
		return fmt.Errorf("%w: %d bytes is more than the entry size limit of %d (OIDCCacheShmEntrySizeMax)", ErrRejected, len(value), m.maxSize)
	}
	if ttl <= 0 {
		return fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	return m.setLocked(key, value, ttl)
}

// Add implements Adder.
func (m *Memory) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if len(value) > m.maxSize {
		return false, fmt.Errorf("%w: %d bytes is more than the entry size limit of %d (OIDCCacheShmEntrySizeMax)", ErrRejected, len(value), m.maxSize)
	}
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	if e, ok := m.c.Get(key); ok && m.now().Before(e.expires) {
		return false, nil
	}
	if err := m.setLocked(key, value, ttl); err != nil {
		return false, err
	}
	return true, nil
}

// setLocked stores the entry; the caller holds writeMu.
func (m *Memory) setLocked(key string, value []byte, ttl time.Duration) error {
	e := memEntry{value: append([]byte(nil), value...), expires: m.now().Add(ttl)}
	if m.c.SetWithTTL(key, e, 1, ttl) {
		m.c.Wait()
		if _, ok := m.c.Get(key); ok {
			return nil
		}
	}
	return fmt.Errorf("%w: the in-memory cache did not admit the entry (it is full; raise OIDCCacheShmMax)", ErrRejected)
}

// Delete implements Store.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.writeMu.Lock()
	defer m.writeMu.Unlock()
	m.c.Del(key)
	m.c.Wait()
	return nil
}

// Close implements Store.
func (m *Memory) Close() error {
	m.c.Close()
	return nil
}
