// Package storetest is the conformance suite every cache.Store passes:
// the in-memory store, Redis and memcached run the same tests.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
)

// Options describe what a store needs from the suite.
type Options struct {
	// Advance moves the store's clock forward. Stores with an injectable
	// clock pass a function; stores that expire in real time (Redis,
	// memcached) leave it nil and the suite sleeps instead, with a TTL
	// of Granularity.
	Advance func(time.Duration)
	// Granularity is the smallest TTL the store honours (1s for
	// memcached and Redis EX); default 1s.
	Granularity time.Duration
	// MaxValue is the largest value the store accepts; the suite stores
	// one of that size. Default 16 KiB.
	MaxValue int
}

// Run runs the conformance suite against stores made by newStore. Each
// subtest gets a fresh store.
func Run(t *testing.T, newStore func(t *testing.T) cache.Store, o Options) {
	if o.Granularity == 0 {
		o.Granularity = time.Second
	}
	if o.MaxValue == 0 {
		o.MaxValue = 16 << 10
	}
	ctx := context.Background()
	t.Run("MissingKey", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Get(ctx, "nope"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("Get(missing) err = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "nope"); err != nil {
			t.Fatalf("Delete(missing) = %v", err)
		}
	})
	t.Run("SetGetOverwriteDelete", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "k", []byte("one"), time.Minute)
		mustGet(t, s, "k", []byte("one"))
		mustSet(t, s, "k", []byte("two"), time.Minute)
		mustGet(t, s, "k", []byte("two"))
		if err := s.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("after Delete: err = %v", err)
		}
	})
	t.Run("BinaryAndLarge", func(t *testing.T) {
		s := newStore(t)
		bin := []byte{0, 1, 2, 0xff, '\n', '\r', ' ', 0}
		mustSet(t, s, "bin", bin, time.Minute)
		mustGet(t, s, "bin", bin)
		big := bytes.Repeat([]byte("0123456789abcdef"), o.MaxValue/16)
		mustSet(t, s, "big", big, time.Minute)
		mustGet(t, s, "big", big)
		mustSet(t, s, "empty", []byte{}, time.Minute)
		mustGet(t, s, "empty", []byte{})
	})
	t.Run("ValuesAreCopied", func(t *testing.T) {
		s := newStore(t)
		v := []byte("abc")
		mustSet(t, s, "k", v, time.Minute)
		v[0] = 'X'
		got, err := s.Get(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		got[1] = 'Y'
		mustGet(t, s, "k", []byte("abc"))
	})
	t.Run("TTLExpiry", func(t *testing.T) {
		s := newStore(t)
		ttl := o.Granularity
		mustSet(t, s, "short", []byte("x"), ttl)
		mustSet(t, s, "long", []byte("y"), time.Hour)
		mustGet(t, s, "short", []byte("x"))
		if o.Advance != nil {
			o.Advance(ttl + time.Millisecond)
		} else {
			time.Sleep(ttl + 1100*time.Millisecond)
		}
		if _, err := s.Get(ctx, "short"); !errors.Is(err, cache.ErrNotFound) {
			t.Fatalf("expired entry: err = %v, want ErrNotFound", err)
		}
		mustGet(t, s, "long", []byte("y"))
	})
	t.Run("Concurrent", func(t *testing.T) {
		s := newStore(t)
		var wg sync.WaitGroup
		errs := make(chan error, 8*50)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 50 {
					k := fmt.Sprintf("g%d-%d", g, i)
					v := []byte(k)
					if err := s.Set(ctx, k, v, time.Minute); err != nil {
						errs <- err
						return
					}
					got, err := s.Get(ctx, k)
					if err != nil || !bytes.Equal(got, v) {
						errs <- fmt.Errorf("%s: got %q, %v", k, got, err)
						return
					}
					if i%5 == 0 {
						if err := s.Delete(ctx, k); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func mustSet(t *testing.T, s cache.Store, k string, v []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Set(context.Background(), k, v, ttl); err != nil {
		t.Fatalf("Set(%q): %v", k, err)
	}
}

func mustGet(t *testing.T, s cache.Store, k string, want []byte) {
	t.Helper()
	got, err := s.Get(context.Background(), k)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, %v; want %q", k, got, err, want)
	}
}
