package cache_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/cache/cachetest"
	"github.com/oidcgate/oidcgate/cache/storetest"
)

func newMem(t *testing.T) *cache.Memory {
	t.Helper()
	m, err := cache.NewMemory(cache.MemoryOptions{MaxEntrySize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestEncryptedConformance(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1700000000, 0)}
	storetest.Run(t, func(t *testing.T) cache.Store {
		m, err := cache.NewMemory(cache.MemoryOptions{MaxEntrySize: 64 << 10, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		e, err := cache.Encrypted(m, "secret")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	}, storetest.Options{Advance: clock.Advance, MaxValue: 32 << 10})
}

func TestEncryptedOverRedisAndMemcache(t *testing.T) {
	t.Run("redis", func(t *testing.T) {
		srv := cachetest.Redis(t)
		storetest.Run(t, func(t *testing.T) cache.Store {
			e, err := cache.Encrypted(prefixed{newRedis(t, srv.Addr), t.Name() + ":"}, "secret")
			if err != nil {
				t.Fatal(err)
			}
			return e
		}, storetest.Options{MaxValue: 256 << 10})
	})
	t.Run("memcache", func(t *testing.T) {
		srv := cachetest.Memcached(t)
		storetest.Run(t, func(t *testing.T) cache.Store {
			e, err := cache.Encrypted(prefixed{newMemcache(t, srv.Addr), t.Name() + ":"}, "secret")
			if err != nil {
				t.Fatal(err)
			}
			return e
		}, storetest.Options{MaxValue: 256 << 10})
	})
}

func TestEncryptedKeysAndValues(t *testing.T) {
	ctx := context.Background()
	m := newMem(t)
	e, err := cache.Encrypted(m, "pass")
	if err != nil {
		t.Fatal(err)
	}
	// the module's key: base64url(SHA-256("<passphrase>:<key>"))
	sum := sha256.Sum256([]byte("pass:s:ns:session-id"))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	if got := e.Key("s:ns:session-id"); got != want {
		t.Fatalf("Key = %q, want %q", got, want)
	}
	secret := []byte(`{"sub":"alice","at":"token"}`)
	if err := e.Set(ctx, "s:ns:session-id", secret, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Get(ctx, "s:ns:session-id"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatal("plain key stored")
	}
	raw, err := m.Get(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("alice")) || strings.Count(string(raw), ".") != 4 {
		t.Fatalf("stored value is not a compact JWE: %q", raw)
	}
	hdr, _, _ := strings.Cut(string(raw), ".")
	h, _ := base64.RawURLEncoding.DecodeString(hdr)
	if !strings.Contains(string(h), `"alg":"dir"`) || !strings.Contains(string(h), `"enc":"A256GCM"`) {
		t.Fatalf("header %s", h)
	}
	// the same passphrase elsewhere (another instance) reads it
	e2, _ := cache.Encrypted(m, "pass")
	if got, err := e2.Get(ctx, "s:ns:session-id"); err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("second instance: %q, %v", got, err)
	}
	// another passphrase neither finds nor decrypts it
	other, _ := cache.Encrypted(m, "other")
	if _, err := other.Get(ctx, "s:ns:session-id"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("other passphrase: %v", err)
	}
	m.Set(ctx, other.Key("s:ns:session-id"), raw, time.Minute)
	if _, err := other.Get(ctx, "s:ns:session-id"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("other passphrase decrypted: %v", err)
	}
	// a tampered value is a miss
	bad := append([]byte(nil), raw...)
	bad[len(bad)-3] ^= 1
	m.Set(ctx, want, bad, time.Minute)
	if _, err := e.Get(ctx, "s:ns:session-id"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("tampered: %v", err)
	}
	m.Set(ctx, want, []byte("plain"), time.Minute)
	if _, err := e.Get(ctx, "s:ns:session-id"); !errors.Is(err, cache.ErrNotFound) {
		t.Fatalf("not a JWE: %v", err)
	}
	if _, err := cache.Encrypted(m, ""); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}
