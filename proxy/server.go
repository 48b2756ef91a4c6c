package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/errorlog"
)

// Server listens on the configuration's Listen addresses and serves the
// current Site; Reload swaps the Site atomically, in-flight requests
// finish on the one they started with.
type Server struct {
	site atomic.Pointer[Site]
	log  *slog.Logger
	// LookupEnv supplies PassEnv values; set it before Reload (cmd passes
	// os.LookupEnv).
	lookupEnv func(string) (string, bool)
	// store keeps sessions across reloads; it is rebuilt only when its
	// settings (storeSpec) change.
	store     *guardedStore
	storeSpec storeSpec
	// sharedStore is storeSpec.shared(), read by every request.
	sharedStore atomic.Bool

	mu        sync.Mutex
	servers   []*http.Server
	listeners []net.Listener
}

// NewServer prepares a server for cfg.
func NewServer(cfg *apacheconf.Config, log *slog.Logger, lookupEnv func(string) (string, bool)) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{log: log, lookupEnv: lookupEnv}
	s.setStore(cfg)
	s.site.Store(s.newSite(cfg))
	return s
}

// setStore chooses the session store for cfg (OIDCCacheType), keeping the
// current one when its settings did not change. A replaced store is
// closed after the grace period of the site that used it.
func (s *Server) setStore(cfg *apacheconf.Config) {
	log := s.log.With(errorlog.Module("auth_openidc"))
	sp, err := sessionStoreSpec(cfg)
	if err != nil {
		log.Error("session store: "+err.Error()+"; sessions are kept in memory, not shared", "err", err)
		sp = storeSpec{Type: "shm", ShmMax: sp.ShmMax, ShmEntrySizeMax: sp.ShmEntrySizeMax}
	}
	if s.store != nil && sp == s.storeSpec {
		return
	}
	if sp.Type == "file" {
		log.Warn("OIDCCacheType file is not implemented: sessions are kept in memory (not shared, lost on restart); use redis or memcache to share them")
	}
	st, err := openStore(sp)
	if err != nil {
		log.Error("session store could not be created", "type", sp.Type, "err", err)
		if s.store != nil {
			return
		}
		if st, err = openStore(storeSpec{Type: "shm", ShmMax: sp.ShmMax, ShmEntrySizeMax: sp.ShmEntrySizeMax}); err != nil {
			return
		}
	}
	g := newGuardedStore(st, sp, log)
	if sp.shared() {
		g.check(context.Background())
	}
	if old := s.store; old != nil {
		time.AfterFunc(time.Minute+time.Second, func() { _ = old.Close() })
	}
	s.store, s.storeSpec = g, sp
	s.sharedStore.Store(sp.shared())
}

func (s *Server) newSite(cfg *apacheconf.Config) *Site {
	site := NewSite(cfg, nil, s.log.With(errorlog.Module("proxy")))
	site.lookupEnv = s.lookupEnv
	if s.store != nil {
		site.SetSessionStore(s.store)
	}
	return site
}

// Reload replaces the configuration for new requests.
func (s *Server) Reload(cfg *apacheconf.Config) {
	s.setStore(cfg)
	old := s.site.Swap(s.newSite(cfg))
	// Requests still running on the old site may write a last line; its
	// files are closed after a grace period.
	time.AfterFunc(time.Minute, old.Close)
}

// ServeHTTP serves with the current site.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	site := s.site.Load()
	if !s.sharedStore.Load() {
		site.ServeHTTP(w, r)
		return
	}
	// A shared store can fail: such a request ends in 500 (storeFaultWriter).
	f := &storeFault{}
	r = r.WithContext(context.WithValue(r.Context(), storeFaultKey{}, f))
	site.ServeHTTP(&storeFaultWriter{ResponseWriter: w, f: f, r: r}, r)
}

// Listen opens one listener per Listen directive.
func (s *Server) Listen(cfg *apacheconf.Config) error {
	if len(cfg.Listens) == 0 {
		return errors.New("the configuration has no Listen directive")
	}
	site := s.site.Load()
	for _, l := range cfg.Listens {
		addr := net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			s.Close()
			return fmt.Errorf("%s: Listen %s: %w", l.Pos, addr, err)
		}
		// Apache's pages where net/http answers by itself (connerrors.go).
		ln = apacheErrorListener{Listener: ln, pages: func(local net.Addr, status int, note string) earlyPage {
			return s.site.Load().connPage(local, status, note)
		}}
		if tc := site.tlsConfig(l, s.site.Load); tc != nil {
			ln = tls.NewListener(ln, tc)
		}
		s.mu.Lock()
		s.listeners = append(s.listeners, ln)
		s.mu.Unlock()
	}
	return nil
}

// Addrs returns the listening addresses (after Listen).
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, len(s.listeners))
	for i, ln := range s.listeners {
		out[i] = ln.Addr()
	}
	return out
}

// Serve serves on the opened listeners until Shutdown or Close.
func (s *Server) Serve() error {
	s.mu.Lock()
	lns := append([]net.Listener(nil), s.listeners...)
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		hs := &http.Server{Handler: s, ReadHeaderTimeout: 60 * time.Second, ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
			ConnContext: connContext}
		// KeepAliveTimeout of the configuration served first (a reload
		// does not change it).
		if site := s.site.Load(); site != nil {
			hs.IdleTimeout = idleTimeout(site.cfg)
			hs.MaxHeaderBytes = site.maxHeaderBytes()
		}
		// HTTP/2 only where Protocols asks for it (over TLS, negotiated by
		// ALPN in tlsConfig); Apache's default is HTTP/1.1.
		var protos http.Protocols
		protos.SetHTTP1(true)
		protos.SetHTTP2(true)
		hs.Protocols = &protos
		s.servers = append(s.servers, hs)
		go func() { errc <- hs.Serve(ln) }()
	}
	s.mu.Unlock()
	for range lns {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// Shutdown stops accepting and waits for in-flight requests (graceful
// stop), bounded by ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, hs := range s.servers {
		if err := hs.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Close stops at once.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hs := range s.servers {
		_ = hs.Close()
	}
	for _, ln := range s.listeners {
		_ = ln.Close()
	}
}

// CloseStore releases the session store (its connections); call it once
// the server has stopped.
func (s *Server) CloseStore() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store != nil {
		_ = s.store.Close()
	}
}
