package proxy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/internal/errorlog"
)

// storeSpec is what chooses and configures the session store: the
// OIDCCacheType of the main server, else of the first virtual host that
// sets one (apacheconf.StoreServer), with its OIDCRedisCache*, OIDCMemCache* and
// OIDCCacheShm* settings, OIDCCacheEncrypt and the passphrase. A reload
// keeps the store (and the sessions in it) unless its spec changed.
type storeSpec struct {
	Type string // shm, file, redis, memcache
	// ShmMax and ShmEntrySizeMax size the in-memory store.
	ShmMax, ShmEntrySizeMax int
	Redis                   cache.RedisOptions
	Memcache                cache.MemcacheOptions
	Encrypt                 bool
	Passphrase              string
}

// shared reports whether the store lives outside the process.
func (sp storeSpec) shared() bool { return sp.Type == "redis" || sp.Type == "memcache" }

// sessionStoreSpec reads cfg's store settings. Like mod_auth_openidc,
// OIDCCacheEncrypt defaults to On for file, redis and memcache and Off
// for shm; the passphrase is the chosen server's OIDCCryptoPassphrase, else
// the first virtual host's that sets one (the store is shared by all
// virtual hosts).
func sessionStoreSpec(cfg *apacheconf.Config) (storeSpec, error) {
	o := apacheconf.StoreServer(cfg)
	str := func(name string) string { v, _ := o.Value(name); return v.String() }
	secs := func(name string) time.Duration {
		if v, ok := o.Value(name); ok && v.Int > 0 {
			return time.Duration(v.Int) * time.Second
		}
		return 0
	}
	sp := storeSpec{Type: strings.ToLower(str("OIDCCacheType"))}
	if sp.Type == "" {
		sp.Type = "shm"
	}
	if v, ok := o.Value("OIDCCacheShmMax"); ok {
		sp.ShmMax = v.Int
	}
	if v, ok := o.Value("OIDCCacheShmEntrySizeMax"); ok {
		sp.ShmEntrySizeMax = v.Int
	}
	switch sp.Type {
	case "shm", "file":
	case "redis":
		sp.Redis = cache.RedisOptions{
			Addr:           str("OIDCRedisCacheServer"),
			Username:       str("OIDCRedisCacheUsername"),
			Password:       str("OIDCRedisCachePassword"),
			ConnectTimeout: secs("OIDCRedisCacheConnectTimeout"),
			Timeout:        secs("OIDCRedisCacheTimeout"),
		}
		if v, ok := o.Value("OIDCRedisCacheDatabase"); ok {
			sp.Redis.DB = v.Int
		}
		if sp.Redis.Addr == "" {
			return sp, errors.New("OIDCCacheType redis needs OIDCRedisCacheServer")
		}
	case "memcache":
		sp.Memcache = cache.MemcacheOptions{Servers: str("OIDCMemCacheServers")}
		if v, ok := o.Value("OIDCMemCacheConnectionsHMax"); ok {
			sp.Memcache.MaxIdleConns = v.Int
		}
		if sp.Memcache.Servers == "" {
			return sp, errors.New("OIDCCacheType memcache needs OIDCMemCacheServers")
		}
	default:
		return sp, fmt.Errorf("unknown OIDCCacheType %q", sp.Type)
	}
	sp.Encrypt = sp.Type != "shm"
	if v, ok := o.Value("OIDCCacheEncrypt"); ok {
		sp.Encrypt = v.Bool
	}
	if sp.Encrypt {
		sp.Passphrase = str("OIDCCryptoPassphrase")
		for _, vh := range cfg.VHosts {
			if sp.Passphrase != "" {
				break
			}
			if v, ok := vh.OIDC.Value("OIDCCryptoPassphrase"); ok {
				sp.Passphrase = v.String()
			}
		}
	}
	return sp, nil
}

// openStore builds the store sp describes.
func openStore(sp storeSpec) (cache.Store, error) {
	var st cache.Store
	var err error
	switch sp.Type {
	case "redis":
		st, err = cache.NewRedis(sp.Redis)
	case "memcache":
		st, err = cache.NewMemcache(sp.Memcache)
	default:
		mo := cache.MemoryOptions{MaxEntries: int64(sp.ShmMax), MaxEntrySize: sp.ShmEntrySizeMax}
		if sp.Encrypt && mo.MaxEntrySize > 0 {
			// room for the JWE's base64 and header
			mo.MaxEntrySize = mo.MaxEntrySize*4/3 + 256
		}
		st, err = cache.NewMemory(mo)
	}
	if err != nil {
		return nil, err
	}
	if sp.Encrypt {
		if sp.Passphrase == "" {
			// Nothing to derive a key from: the relying parties refuse to
			// start without OIDCCryptoPassphrase anyway.
			return st, nil
		}
		e, err := cache.Encrypted(st, sp.Passphrase)
		if err != nil {
			st.Close()
			return nil, err
		}
		return e, nil
	}
	return st, nil
}

// guardedStore is the session store the server hands its relying
// parties: it logs when the store becomes unreachable and when it is
// back, and marks the request (see storeFaultWriter) whose store call
// failed.
type guardedStore struct {
	cache.Store
	desc string
	log  *slog.Logger

	down     atomic.Bool
	mu       sync.Mutex
	lastWarn time.Time
}

func newGuardedStore(st cache.Store, sp storeSpec, log *slog.Logger) *guardedStore {
	desc := sp.Type
	switch sp.Type {
	case "redis":
		desc = "redis " + sp.Redis.Addr
	case "memcache":
		desc = "memcache " + sp.Memcache.Servers
	}
	return &guardedStore{Store: st, desc: desc, log: log}
}

// check pings a shared store at start, so a store that is down is
// reported before the first login.
func (g *guardedStore) check(ctx context.Context) {
	inner := g.Store
	if e, ok := inner.(*cache.EncryptedStore); ok {
		inner = e.Inner()
	}
	p, ok := inner.(interface{ Ping(context.Context) error })
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	g.note(ctx, p.Ping(ctx))
}

// note records the outcome of a store call.
func (g *guardedStore) note(ctx context.Context, err error) error {
	if err == nil || errors.Is(err, cache.ErrNotFound) {
		if g.down.Load() && g.down.CompareAndSwap(true, false) {
			// notice: always logged, as Apache's notices
			g.log.Log(ctx, errorlog.LevelNotice, "session store "+g.desc+" is reachable again")
		}
		return err
	}
	if !errors.Is(err, cache.ErrUnavailable) {
		return err
	}
	if f, ok := ctx.Value(storeFaultKey{}).(*storeFault); ok {
		f.failed.Store(true)
	}
	g.mu.Lock()
	first := g.down.CompareAndSwap(false, true)
	now := time.Now()
	if first || now.Sub(g.lastWarn) >= 10*time.Second {
		g.lastWarn = now
		g.mu.Unlock()
		g.log.Error("session store "+g.desc+" is unavailable: requests that need a session, a login or a logout fail with 500 until it is back", "err", err)
		return err
	}
	g.mu.Unlock()
	return err
}

func (g *guardedStore) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := g.Store.Get(ctx, key)
	return b, g.note(ctx, err)
}

func (g *guardedStore) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return g.note(ctx, g.Store.Set(ctx, key, value, ttl))
}

func (g *guardedStore) Delete(ctx context.Context, key string) error {
	return g.note(ctx, g.Store.Delete(ctx, key))
}

// Add passes cache.Adder on (the relying parties' refresh lock); a store
// without it fails with errors.ErrUnsupported.
func (g *guardedStore) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	a, ok := g.Store.(cache.Adder)
	if !ok {
		return false, errors.ErrUnsupported
	}
	added, err := a.Add(ctx, key, value, ttl)
	return added, g.note(ctx, err)
}

// storeFault marks a request during which the session store failed.
type storeFault struct{ failed atomic.Bool }

type storeFaultKey struct{}

// storeFaultWriter turns the response of a request whose session store
// call failed into a 500, whatever the relying party decided on a store
// it could not read. mod_auth_openidc 2.4.12.3 treats a failed session
// read as "no session": it clears the session cookie and redirects to the
// provider, so a store outage logs everybody out and the login that
// follows fails with 500 when the session cannot be saved; a failed nonce
// read lets the callback through without replay protection. oidcgate
// fails closed instead: 500, the cookies untouched, and the session is
// usable again as soon as the store is back.
type storeFaultWriter struct {
	http.ResponseWriter
	f       *storeFault
	r       *http.Request
	wrote   bool
	swallow bool
}

func (w *storeFaultWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	if code < 200 {
		// informational (103 Early Hints from a backend): not the answer
		if !w.f.failed.Load() {
			w.ResponseWriter.WriteHeader(code)
		}
		return
	}
	w.wrote = true
	if code >= 500 || !w.f.failed.Load() {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.swallow = true
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	_, body := ErrorPage{Status: http.StatusInternalServerError, Method: w.r.Method, Admin: serverAdmin(w.r), Signature: signature(w.r)}.Render()
	h.Set("Content-Type", "text/html; charset=iso-8859-1")
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
	if w.r.Method != http.MethodHead {
		_, _ = w.ResponseWriter.Write([]byte(body))
	}
}

func (w *storeFaultWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *storeFaultWriter) Flush() {
	if w.swallow {
		return
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *storeFaultWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
