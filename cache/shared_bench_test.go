package cache_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/cache/cachetest"
)

// BenchmarkStores measures a session-sized Get (the per-request lookup)
// and Set on each store, plain and encrypted, with parallel callers over
// loopback (not in CI: go test ./cache -run '^$' -bench Stores).
func BenchmarkStores(b *testing.B) {
	value := bytes.Repeat([]byte(`{"sub":"zoe","email":"zoe@example.com"}`), 100) // ~4 KiB, a typical session
	type mk func(b *testing.B) cache.Store
	stores := []struct {
		name string
		open mk
	}{
		{"memory", func(b *testing.B) cache.Store {
			m, _ := cache.NewMemory(cache.MemoryOptions{MaxEntrySize: 64 << 10})
			return m
		}},
		{"redis", func(b *testing.B) cache.Store {
			srv := cachetest.Redis(b)
			s, _ := cache.NewRedis(cache.RedisOptions{Addr: srv.Addr})
			return s
		}},
		{"memcache", func(b *testing.B) cache.Store {
			srv := cachetest.Memcached(b)
			s, _ := cache.NewMemcache(cache.MemcacheOptions{Servers: srv.Addr, MaxIdleConns: 64})
			return s
		}},
	}
	ctx := context.Background()
	for _, st := range stores {
		for _, enc := range []bool{false, true} {
			name := st.name
			if enc {
				name += "+encrypt"
			}
			b.Run(name, func(b *testing.B) {
				s := st.open(b)
				defer s.Close()
				if enc {
					e, err := cache.Encrypted(s, "secret")
					if err != nil {
						b.Fatal(err)
					}
					s = e
				}
				const keys = 1000
				for i := range keys {
					if err := s.Set(ctx, fmt.Sprintf("s:ns:%d", i), value, time.Hour); err != nil {
						b.Fatal(err)
					}
				}
				b.Run("Get", func(b *testing.B) {
					b.SetBytes(int64(len(value)))
					b.RunParallel(func(pb *testing.PB) {
						i := 0
						for pb.Next() {
							if _, err := s.Get(ctx, fmt.Sprintf("s:ns:%d", i%keys)); err != nil {
								b.Fatal(err)
							}
							i++
						}
					})
				})
				b.Run("Set", func(b *testing.B) {
					b.SetBytes(int64(len(value)))
					b.RunParallel(func(pb *testing.PB) {
						i := 0
						for pb.Next() {
							if err := s.Set(ctx, fmt.Sprintf("s:ns:%d", i%keys), value, time.Hour); err != nil {
								b.Fatal(err)
							}
							i++
						}
					})
				})
			})
		}
	}
}
