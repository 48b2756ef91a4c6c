package cache_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/cache/storetest"
)

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestMemoryConformance(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1700000000, 0)}
	storetest.Run(t, func(t *testing.T) cache.Store {
		s, err := cache.NewMemory(cache.MemoryOptions{MaxEntries: 1000, MaxEntrySize: 32 << 10, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}, storetest.Options{Advance: clock.Advance, MaxValue: 32 << 10})
}

func TestMemoryEntrySizeLimit(t *testing.T) {
	s, err := cache.NewMemory(cache.MemoryOptions{MaxEntrySize: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Set(context.Background(), "k", make([]byte, 11), time.Minute)
	if !errors.Is(err, cache.ErrRejected) {
		t.Fatalf("oversized value: err = %v, want ErrRejected", err)
	}
	if err := s.Set(context.Background(), "k", make([]byte, 10), time.Minute); err != nil {
		t.Fatalf("value at the limit: %v", err)
	}
}

// TestMemoryCapacity: MaxEntries is a number of entries (ristretto's
// internal per-item cost must not count), and the store never holds more.
func TestMemoryCapacity(t *testing.T) {
	ctx := context.Background()
	s, err := cache.NewMemory(cache.MemoryOptions{MaxEntries: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 50 {
		if err := s.Set(ctx, string(rune('A'+i)), []byte("v"), time.Minute); err != nil {
			t.Fatalf("entry %d of 50: %v", i, err)
		}
	}
	for i := range 50 {
		if _, err := s.Get(ctx, string(rune('A'+i))); err != nil {
			t.Fatalf("entry %d lost in a cache sized for 50: %v", i, err)
		}
	}
	for i := range 200 {
		_ = s.Set(ctx, "more"+string(rune('A'+i)), []byte("v"), time.Minute) // may be refused when full
	}
	held := 0
	for i := range 50 {
		if _, err := s.Get(ctx, string(rune('A'+i))); err == nil {
			held++
		}
	}
	for i := range 200 {
		if _, err := s.Get(ctx, "more"+string(rune('A'+i))); err == nil {
			held++
		}
	}
	if held > 50 {
		t.Fatalf("store holds %d entries, more than MaxEntries 50", held)
	}
}
