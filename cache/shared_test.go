package cache_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/cache/cachetest"
	"github.com/oidcgate/oidcgate/cache/storetest"
)

func newRedis(t *testing.T, addr string) *cache.Redis {
	t.Helper()
	s, err := cache.NewRedis(cache.RedisOptions{Addr: addr, Timeout: time.Second, ConnectTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newMemcache(t *testing.T, servers string) *cache.Memcache {
	t.Helper()
	s, err := cache.NewMemcache(cache.MemcacheOptions{Servers: servers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// prefixed gives every subtest of the suite its own key space in the
// one server.
type prefixed struct {
	cache.Store
	p string
}

func (s prefixed) Get(ctx context.Context, k string) ([]byte, error) {
	return s.Store.Get(ctx, s.p+k)
}
func (s prefixed) Set(ctx context.Context, k string, v []byte, ttl time.Duration) error {
	return s.Store.Set(ctx, s.p+k, v, ttl)
}
func (s prefixed) Delete(ctx context.Context, k string) error { return s.Store.Delete(ctx, s.p+k) }

func TestRedisConformance(t *testing.T) {
	srv := cachetest.Redis(t)
	storetest.Run(t, func(t *testing.T) cache.Store {
		return prefixed{newRedis(t, srv.Addr), t.Name() + ":"}
	}, storetest.Options{MaxValue: 512 << 10})
}

func TestMemcacheConformance(t *testing.T) {
	srv := cachetest.Memcached(t)
	storetest.Run(t, func(t *testing.T) cache.Store {
		return prefixed{newMemcache(t, srv.Addr), t.Name() + ":"}
	}, storetest.Options{MaxValue: 512 << 10})
}

func TestMemcacheOddKeys(t *testing.T) {
	srv := cachetest.Memcached(t)
	a, b := newMemcache(t, srv.Addr), newMemcache(t, srv.Addr)
	ctx := context.Background()
	for _, k := range []string{strings.Repeat("x", 251), strings.Repeat("y", 4000), "with space", "tab\there", "nl\n", "\x00", "#looks-hashed", "%s%s%s%n", "ünïcode"} {
		if err := a.Set(ctx, k, []byte(k), time.Minute); err != nil {
			t.Fatalf("Set(%q): %v", k, err)
		}
		// another client (instance) finds it under the same hashed key
		got, err := b.Get(ctx, k)
		if err != nil || string(got) != k {
			t.Fatalf("Get(%q) = %q, %v", k, got, err)
		}
	}
	// two keys that differ only past byte 250 stay apart
	k1, k2 := strings.Repeat("k", 300)+"1", strings.Repeat("k", 300)+"2"
	a.Set(ctx, k1, []byte("1"), time.Minute)
	a.Set(ctx, k2, []byte("2"), time.Minute)
	if got, _ := a.Get(ctx, k1); string(got) != "1" {
		t.Fatalf("long key collision: %q", got)
	}
}

func TestRedisOddKeys(t *testing.T) {
	srv := cachetest.Redis(t)
	s := newRedis(t, srv.Addr)
	ctx := context.Background()
	// CVE-2021-32785: format-like keys must be plain keys
	for _, k := range []string{"%s%s%s%n", "a b", "\r\nFLUSHALL\r\n", strings.Repeat("z", 10000)} {
		if err := s.Set(ctx, k, []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, k); err != nil || string(got) != "v" {
			t.Fatalf("Get(%q) = %q, %v", k, got, err)
		}
	}
}

// A store whose server is down answers ErrUnavailable (not ErrNotFound)
// and works again, without a new client, when the server is back.
func TestSharedStoresRecover(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(testing.TB) *cachetest.Server
		open  func(*testing.T, string) cache.Store
	}{
		{"redis", func(t testing.TB) *cachetest.Server { return cachetest.Redis(t) }, func(t *testing.T, a string) cache.Store { return newRedis(t, a) }},
		{"memcache", cachetest.Memcached, func(t *testing.T, a string) cache.Store { return newMemcache(t, a) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.start(t)
			s := tc.open(t, srv.Addr)
			ctx := context.Background()
			if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
				t.Fatal(err)
			}
			srv.Stop()
			for _, err := range []error{
				func() error { _, err := s.Get(ctx, "k"); return err }(),
				s.Set(ctx, "k", []byte("v"), time.Minute),
				s.Delete(ctx, "k"),
			} {
				if !errors.Is(err, cache.ErrUnavailable) {
					t.Fatalf("server down: err = %v, want ErrUnavailable", err)
				}
			}
			srv.Start()
			// the restarted server is empty
			if _, err := s.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("after restart: err = %v, want ErrNotFound", err)
			}
			if err := s.Set(ctx, "k", []byte("v2"), time.Minute); err != nil {
				t.Fatal(err)
			}
			// a restart between two requests, with several pooled
			// connections: the next request does not fail on them
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { s.Get(ctx, "k") })
			}
			wg.Wait()
			srv.Stop()
			srv.Start()
			if _, err := s.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
				t.Fatalf("first request after a restart: err = %v, want ErrNotFound", err)
			}
		})
	}
}

// OIDCRedisCacheUsername/Password (Redis 6 ACL user, or requirepass) and
// OIDCRedisCacheDatabase.
func TestRedisAuthAndDatabase(t *testing.T) {
	srv := cachetest.Redis(t, "--requirepass", "default-pw", "--user", "oidc", "on", ">oidc-pw", "~*", "+@all")
	ctx := context.Background()
	open := func(o cache.RedisOptions) *cache.Redis {
		o.Addr, o.Timeout = srv.Addr, time.Second
		s, err := cache.NewRedis(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	db0 := open(cache.RedisOptions{Password: "default-pw"})
	db3 := open(cache.RedisOptions{Username: "oidc", Password: "oidc-pw", DB: 3})
	if err := db3.Set(ctx, "k", []byte("in 3"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := db0.Get(ctx, "k"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("database 0 sees database 3's key: %v", err)
	}
	if got, err := open(cache.RedisOptions{Password: "default-pw", DB: 3}).Get(ctx, "k"); err != nil || string(got) != "in 3" {
		t.Fatalf("database 3: %q, %v", got, err)
	}
	for _, o := range []cache.RedisOptions{{}, {Password: "wrong"}, {Username: "oidc", Password: "wrong"}} {
		if _, err := open(o).Get(ctx, "k"); !errors.Is(err, cache.ErrUnavailable) {
			t.Fatalf("%+v: err = %v, want ErrUnavailable", o, err)
		}
	}
}
