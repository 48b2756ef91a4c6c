package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/cache/cachetest"
)

// TestAdd: Add stores only under a key that holds nothing, for every store
// (and through the encrypted wrapper): two clients of one server race for
// a key and one wins, and wins again once the key is deleted; a store
// without Add under the wrapper says so.
func TestAdd(t *testing.T) {
	mem, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	type pair struct{ a, b cache.Store }
	stores := map[string]func(t *testing.T) pair{
		"memory": func(*testing.T) pair { return pair{mem, mem} },
		"redis": func(t *testing.T) pair {
			srv := cachetest.Redis(t)
			return pair{newRedis(t, srv.Addr), newRedis(t, srv.Addr)}
		},
		"memcache": func(t *testing.T) pair {
			srv := cachetest.Memcached(t)
			return pair{newMemcache(t, srv.Addr), newMemcache(t, srv.Addr)}
		},
	}
	for name, open := range stores {
		for _, encrypted := range []bool{false, true} {
			t.Run(name+map[bool]string{true: "/encrypted"}[encrypted], func(t *testing.T) {
				p := open(t)
				if encrypted {
					var err error
					if p.a, err = cache.Encrypted(p.a, "pass"); err != nil {
						t.Fatal(err)
					}
					if p.b, err = cache.Encrypted(p.b, "pass"); err != nil {
						t.Fatal(err)
					}
				}
				ctx := context.Background()
				key := t.Name()
				a, b := p.a.(cache.Adder), p.b.(cache.Adder)
				if ok, err := a.Add(ctx, key, []byte("first"), time.Second); !ok || err != nil {
					t.Fatalf("first Add = %v, %v; want stored", ok, err)
				}
				if ok, err := b.Add(ctx, key, []byte("second"), time.Second); ok || err != nil {
					t.Fatalf("second Add = %v, %v; want refused", ok, err)
				}
				if v, err := p.b.Get(ctx, key); err != nil || string(v) != "first" {
					t.Fatalf("Get = %q, %v; want the first value", v, err)
				}
				if err := p.a.Delete(ctx, key); err != nil {
					t.Fatal(err)
				}
				if ok, err := b.Add(ctx, key, []byte("third"), time.Second); !ok || err != nil {
					t.Fatalf("Add after Delete = %v, %v; want stored", ok, err)
				}
			})
		}
	}
	t.Run("encrypted/without-add", func(t *testing.T) {
		e, err := cache.Encrypted(noAdd{mem}, "pass")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Add(context.Background(), "k", []byte("v"), time.Second); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Add over a store without it: %v, want errors.ErrUnsupported", err)
		}
	})
}

// noAdd hides a store's Add.
type noAdd struct{ cache.Store }
