package proxy

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/oidc"
)

// Site is a compiled configuration ready to serve: the vhost table and,
// per server, its section walker. It is immutable; a reload builds a new
// one.
type Site struct {
	cfg     *apacheconf.Config
	vhosts  *VHostTable
	walkers map[*apacheconf.Server]*SectionWalker
	log     *slog.Logger
	now     func() time.Time
	access  *accessLogs
	// lookupEnv gives PassEnv its values (oidcgate's own environment).
	lookupEnv func(string) (string, bool)
	certs     map[*apacheconf.Server]*tls.Certificate
	// balancers by name ("balancer://pool", lower-case), per server.
	balancers map[*apacheconf.Server]map[string]*lbState
	// transports are the connection pools, one per ProxyPass rule (Apache's
	// worker), built on first use and kept for the site's lifetime.
	transportsMu sync.Mutex
	transports   map[transportKey]http.RoundTripper
	// hostPools counts the pools keyed by a client's Host name.
	hostPools int
	// rps are the relying parties, one per server configuring one.
	rps map[*apacheconf.Server]*oidc.RelyingParty
	// rss are the resource servers (AuthType oauth20), one per server
	// configuring one.
	rss map[*apacheconf.Server]*oidc.ResourceServer
	// claimRules are the compiled Require claim lines.
	claimRules claimRules
	// sslLoaded: mod_ssl is loaded, so %{VAR}s resolves.
	sslLoaded bool
	// ownStore is the private in-memory store a site starts with; closed
	// when a shared store replaces it or the site closes.
	ownStore *cache.Memory
	// exprs are the parsed ap_expr sources.
	exprs exprCache
	// jqs are OIDCUserInfoClaimsExpr programs compiled per evaluated text.
	jqs jqCache
	// whiteLists are the servers' OIDCWhiteListedClaims (serverWhiteList).
	whiteLists map[*apacheconf.Server][]string
	// modDir: mod_dir is loaded (DirectoryIndex, trailing-slash redirects).
	modDir bool
	// bufs are the body-copy buffers of the reverse proxy.
	bufs bodyBuffers
	// dirs are the merged sections' OIDC* settings, translated once.
	dirs dirSettingsCache
	// envSizes are the sizes of each server's last request environment
	// (newEnv, envSize); the map is filled by NewSite and only read.
	envSizes map[*apacheconf.Server]*atomic.Int32
	// userInfoHeaders are the servers' OIDCPassUserInfoAs json:NAME
	// names (scrubUserInfoHeader).
	userInfoHeaders map[*apacheconf.Server][]string
}

// transportKey names a connection pool: the rule (Apache's worker), the
// SSLProxy* settings that apply (the server's with the matching <Proxy>
// sections' on top), and the TLS host name when it is not the backend
// URL's (ProxyPreserveHost: the client's Host).
type transportKey struct {
	rule    *apacheconf.ProxyRule
	tls     string // sslProxyKey of the settings
	tlsHost string
}

// transportFor returns the rule's connection pool for the SSLProxy*
// settings ssl; tlsHost, when not empty, is the SNI and checked name
// towards https backends. A pool whose connections are reused sends the
// common plain-HTTP requests synchronously (h1Transport), the rest
// through an http.Transport.
func (s *Site) transportFor(r *apacheconf.ProxyRule, ssl *apacheconf.SSLServer, tlsHost string, timeout time.Duration) http.RoundTripper {
	s.transportsMu.Lock()
	defer s.transportsMu.Unlock()
	key := transportKey{r, sslProxyKey(ssl), tlsHost}
	if tr, ok := s.transports[key]; ok {
		return tr
	}
	if s.transports == nil {
		s.transports = map[transportKey]http.RoundTripper{}
	}
	// Pools per client Host (ProxyPreserveHost towards https) are bounded:
	// past the limit a request gets a connection of its own.
	cache := true
	if tlsHost != "" {
		if s.hostPools >= maxHostPools {
			cache = false
		} else {
			s.hostPools++
		}
	}
	maxIdle := 64
	if r.Worker.Max > 0 {
		maxIdle = r.Worker.Max
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: connectTimeout(r)}).DialContext,
		ResponseHeaderTimeout: timeout,
		DisableKeepAlives:     r.Worker.DisableReuse,
		// Forward Accept-Encoding as the client sent it (none: none); Go
		// would otherwise ask for gzip and decompress behind the client.
		DisableCompression:  true,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: maxIdle,
		IdleConnTimeout:     90 * time.Second,
	}
	if r.Worker.TTL > 0 {
		tr.IdleConnTimeout = r.Worker.TTL
	}
	// https backends: mod_ssl's proxy checks (backendtls.go). The host
	// checked is tlsHost or else the one dialled (a balancer's member).
	btls, err := newBackendTLS(ssl, s.now)
	if err != nil {
		s.log.Error("SSLProxy* files not loaded", "rule", r.Pos.String(), "err", err)
	}
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host := tlsHost
		if host == "" {
			host, _, _ = net.SplitHostPort(addr)
		}
		raw, err := (&net.Dialer{Timeout: connectTimeout(r)}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := tls.Client(raw, btls.config(host))
		if err := c.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, &tlsHandshakeError{err}
		}
		return c, nil
	}
	if !cache {
		tr.DisableKeepAlives = true
		return tr
	}
	if tr.DisableKeepAlives {
		s.transports[key] = tr
		return tr
	}
	rt := newH1Transport(tr, connectTimeout(r), timeout, tr.IdleConnTimeout, maxIdle)
	s.transports[key] = rt
	return rt
}

// NewSite compiles a configuration for serving. resolve resolves
// <VirtualHost> host names (nil: only IP literals and wildcards).
func NewSite(cfg *apacheconf.Config, resolve Resolver, log *slog.Logger) *Site {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Site{cfg: cfg, vhosts: NewVHostTable(cfg, resolve), walkers: map[*apacheconf.Server]*SectionWalker{}, log: log, now: time.Now, access: newAccessLogs()}
	s.walkers[cfg.Main] = NewSectionWalker(cfg.Main)
	for _, vh := range cfg.VHosts {
		s.walkers[vh] = NewSectionWalker(vh)
	}
	s.loadCertificates()
	s.balancers = map[*apacheconf.Server]map[string]*lbState{}
	s.whiteLists = map[*apacheconf.Server][]string{}
	s.envSizes = map[*apacheconf.Server]*atomic.Int32{}
	s.userInfoHeaders = map[*apacheconf.Server][]string{}
	for _, srv := range append([]*apacheconf.Server{cfg.Main}, cfg.VHosts...) {
		s.whiteLists[srv] = serverWhiteList(srv)
		s.envSizes[srv] = &atomic.Int32{}
		s.userInfoHeaders[srv] = srv.OIDC.PassUserInfoHeaders()
		if srv.Proxy == nil {
			continue
		}
		m := map[string]*lbState{}
		for _, b := range srv.Proxy.Balancers {
			m[strings.ToLower(strings.TrimSuffix(b.Name, "/"))] = newLBState(b)
		}
		s.balancers[srv] = m
	}
	if store, err := NewSessionStore(cfg); err == nil {
		s.SetSessionStore(store)
		s.ownStore = store
	}
	s.sslLoaded = cfg.Modules != nil && cfg.Modules.HasModule("mod_ssl")
	s.modDir = cfg.Modules == nil || cfg.Modules.HasModule("mod_dir")
	return s
}

// clientAddr parses a request's RemoteAddr.
func clientAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// Close releases the site's open log files and idle backend connections.
func (s *Site) Close() {
	s.access.close()
	if s.ownStore != nil {
		s.ownStore.Close()
	}
	s.transportsMu.Lock()
	defer s.transportsMu.Unlock()
	for _, tr := range s.transports {
		if c, ok := tr.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}
