package proxy

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
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
	for _, srv := range append([]*apacheconf.Server{cfg.Main}, cfg.VHosts...) {
		if srv.Proxy == nil {
			continue
		}
		m := map[string]*lbState{}
		for _, b := range srv.Proxy.Balancers {
			m[strings.ToLower(strings.TrimSuffix(b.Name, "/"))] = newLBState(b)
		}
		s.balancers[srv] = m
	}
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

// Close releases the site's open log files.
func (s *Site) Close() { s.access.close() }
