package cache

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

// MemcacheOptions are OIDCMemCache* settings.
type MemcacheOptions struct {
	// Servers is OIDCMemCacheServers: "host[:port] ..." (default port
	// 11211); keys are spread over them by hash.
	Servers string
	// MaxIdleConns per server (OIDCMemCacheConnectionsHMax; default 2
	// as gomemcache's, raised to 8 here for a proxy's concurrency).
	MaxIdleConns int
	// Timeout is the connect and per-operation timeout (default 1s).
	Timeout time.Duration
}

// Memcache is a Store over memcached servers. Keys memcached refuses
// (longer than 250 bytes, spaces or control characters) are replaced by
// "#" + base64url(SHA-256(key)), deterministically, so every instance
// finds them.
type Memcache struct {
	c       *memcache.Client
	servers []string
}

var _ Store = (*Memcache)(nil)

// NewMemcache returns a memcached store. It does not contact the servers.
func NewMemcache(o MemcacheOptions) (*Memcache, error) {
	servers := strings.Fields(o.Servers)
	if len(servers) == 0 {
		return nil, errors.New("cache: memcache: no servers (OIDCMemCacheServers)")
	}
	for i, s := range servers {
		servers[i] = withDefaultPort(s, "11211")
	}
	c := memcache.New(servers...)
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = 8
	}
	c.Timeout = o.Timeout
	c.MaxIdleConns = o.MaxIdleConns
	return &Memcache{c: c, servers: servers}, nil
}

// memcacheKey maps a store key to one memcached accepts.
func memcacheKey(key string) string {
	ok := len(key) > 0 && len(key) <= 250 && key[0] != '#'
	for i := 0; ok && i < len(key); i++ {
		if key[i] <= ' ' || key[i] == 0x7f {
			ok = false
		}
	}
	if ok {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "#" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func (m *Memcache) fail(op string, err error) error {
	return fmt.Errorf("%w: memcache %s %s: %v", ErrUnavailable, op, strings.Join(m.servers, " "), err)
}

// staleConn reports an error of a pooled connection the server closed
// (it was restarted): gomemcache drops that connection, and the operation
// is worth repeating on the next one.
func staleConn(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// retry runs op again while it fails on stale pooled connections (at
// most one more time per idle connection kept).
func (m *Memcache) retry(op func() error) error {
	err := op()
	for i := 0; i < m.c.MaxIdleConns && err != nil && staleConn(err); i++ {
		err = op()
	}
	return err
}

// Get implements Store.
func (m *Memcache) Get(_ context.Context, key string) ([]byte, error) {
	var it *memcache.Item
	err := m.retry(func() (err error) {
		it, err = m.c.Get(memcacheKey(key))
		return err
	})
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, m.fail("get", err)
	}
	if it.Value == nil {
		return []byte{}, nil
	}
	return it.Value, nil
}

// memcacheExpiry is memcached's expiration for ttl: relative seconds
// (at least 1), or an absolute unix time beyond 30 days, which memcached
// would otherwise read as a date in 1970.
func memcacheExpiry(ttl time.Duration, now time.Time) int32 {
	secs := int64((ttl + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	if secs > 30*24*3600 {
		return int32(now.Unix() + secs)
	}
	return int32(secs)
}

// Set implements Store.
func (m *Memcache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	item := &memcache.Item{Key: memcacheKey(key), Value: value, Expiration: memcacheExpiry(ttl, time.Now())}
	err := m.retry(func() error { return m.c.Set(item) })
	if err != nil {
		if strings.Contains(err.Error(), "object too large") || strings.Contains(err.Error(), "SERVER_ERROR out of memory") {
			return fmt.Errorf("%w: memcache: %v", ErrRejected, err)
		}
		return m.fail("set", err)
	}
	return nil
}

// Add implements Adder (memcached add).
func (m *Memcache) Add(_ context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	item := &memcache.Item{Key: memcacheKey(key), Value: value, Expiration: memcacheExpiry(ttl, time.Now())}
	err := m.retry(func() error { return m.c.Add(item) })
	if errors.Is(err, memcache.ErrNotStored) {
		return false, nil
	}
	if err != nil {
		if strings.Contains(err.Error(), "object too large") || strings.Contains(err.Error(), "SERVER_ERROR out of memory") {
			return false, fmt.Errorf("%w: memcache: %v", ErrRejected, err)
		}
		return false, m.fail("add", err)
	}
	return true, nil
}

// Delete implements Store.
func (m *Memcache) Delete(_ context.Context, key string) error {
	err := m.retry(func() error { return m.c.Delete(memcacheKey(key)) })
	if err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return m.fail("delete", err)
	}
	return nil
}

// Ping checks that every server answers.
func (m *Memcache) Ping(context.Context) error {
	if err := m.c.Ping(); err != nil {
		return m.fail("version", err)
	}
	return nil
}

// Close implements Store.
func (m *Memcache) Close() error { return m.c.Close() }

// withDefaultPort adds port to a host without one.
func withDefaultPort(hostport, port string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), port)
}
