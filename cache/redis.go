package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// RedisOptions are OIDCRedisCache* settings.
type RedisOptions struct {
	// Addr is OIDCRedisCacheServer, host[:port] (default port 6379).
	Addr string
	// Username and Password authenticate (OIDCRedisCacheUsername,
	// OIDCRedisCachePassword; Redis 6 ACLs when both are set).
	Username, Password string
	// DB is OIDCRedisCacheDatabase (SELECT), default 0.
	DB int
	// ConnectTimeout (OIDCRedisCacheConnectTimeout) and Timeout
	// (OIDCRedisCacheTimeout, per command) default to 5s as in
	// mod_auth_openidc.
	ConnectTimeout, Timeout time.Duration
	// PoolSize bounds the connections (default: go-redis's, 10 per CPU).
	PoolSize int
}

// Redis is a Store in one Redis server: GET, SET key value PX ttl, DEL,
// as mod_auth_openidc's redis cache does. Connections are pooled and
// re-established by go-redis after the server comes back.
type Redis struct {
	c    *redis.Client
	addr string
}

var _ Store = (*Redis)(nil)

// quietRedis drops go-redis's own log lines (it prints dial failures to
// standard error); the store's errors are returned and logged by the
// caller, once per outage.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...interface{}) {}

var quietOnce sync.Once

// NewRedis returns a Redis store. It does not contact the server: a
// server that is down at start is reported by the first request (and
// Ping), and used as soon as it is up.
func NewRedis(o RedisOptions) (*Redis, error) {
	if o.Addr == "" {
		return nil, errors.New("cache: redis: no server (OIDCRedisCacheServer)")
	}
	quietOnce.Do(func() { redis.SetLogger(quietRedis{}) })
	addr := withDefaultPort(o.Addr, "6379")
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	c := redis.NewClient(&redis.Options{
		Addr:         addr,
		Username:     o.Username,
		Password:     o.Password,
		DB:           o.DB,
		DialTimeout:  o.ConnectTimeout,
		ReadTimeout:  o.Timeout,
		WriteTimeout: o.Timeout,
		PoolSize:     o.PoolSize,
		// One retry covers a pooled connection the server closed
		// (restart); more would only make a down server slower to report.
		MaxRetries: 1,
		// No CLIENT SETINFO: older servers log an error for it.
		DisableIdentity: true,
		// Maintenance notifications are Redis Enterprise's; in "auto" mode
		// go-redis starts a goroutine per client that Close does not stop.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
		// Keep the idle pool small so a restart leaves few stale conns.
		MaxIdleConns:    8,
		ConnMaxIdleTime: 5 * time.Minute,
	})
	return &Redis{c: c, addr: addr}, nil
}

func (r *Redis) fail(op string, err error) error {
	return fmt.Errorf("%w: redis %s %s: %v", ErrUnavailable, op, r.addr, err)
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.c.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, r.fail("GET", err)
	}
	return b, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	if value == nil {
		value = []byte{}
	}
	if err := r.c.Set(ctx, key, value, ttl).Err(); err != nil {
		return r.fail("SET", err)
	}
	return nil
}

// Add implements Adder (SET NX).
func (r *Redis) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("%w: ttl must be positive", ErrRejected)
	}
	if ttl < time.Millisecond {
		ttl = time.Millisecond
	}
	if value == nil {
		value = []byte{}
	}
	ok, err := r.c.SetNX(ctx, key, value, ttl).Result()
	if err != nil {
		return false, r.fail("SET NX", err)
	}
	return ok, nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	if err := r.c.Del(ctx, key).Err(); err != nil {
		return r.fail("DEL", err)
	}
	return nil
}

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return r.fail("PING", err)
	}
	return nil
}

// Stats reports the connection pool (for leak checks).
func (r *Redis) Stats() (total, idle int) {
	s := r.c.PoolStats()
	return int(s.TotalConns), int(s.IdleConns)
}

// Close implements Store.
func (r *Redis) Close() error { return r.c.Close() }
