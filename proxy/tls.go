package proxy

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"os"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// sslOn reports whether SSLEngine is on for a server.
func sslOn(s *apacheconf.Server) bool {
	return s.SSL != nil && s.SSL.Engine != nil && *s.SSL.Engine
}

// loadCertificates loads each TLS server's certificate and key (the key
// may sit in the certificate file, as mod_ssl allows).
func (s *Site) loadCertificates() {
	s.certs = map[*apacheconf.Server]*tls.Certificate{}
	for _, srv := range append([]*apacheconf.Server{s.cfg.Main}, s.cfg.VHosts...) {
		if !sslOn(srv) || len(srv.SSL.CertFiles) == 0 {
			continue
		}
		certFile := srv.SSL.CertFiles[0].Path
		keyFile := certFile
		if len(srv.SSL.KeyFiles) > 0 {
			keyFile = srv.SSL.KeyFiles[0].Path
		}
		certPEM, err := os.ReadFile(certFile)
		if err == nil && srv.SSL.ChainFile != nil {
			var chain []byte
			if chain, err = os.ReadFile(srv.SSL.ChainFile.Path); err == nil {
				certPEM = append(append(certPEM, '\n'), chain...)
			}
		}
		var keyPEM []byte
		if err == nil {
			keyPEM, err = os.ReadFile(keyFile)
		}
		if err == nil {
			var c tls.Certificate
			if c, err = tls.X509KeyPair(certPEM, keyPEM); err == nil {
				s.certs[srv] = &c
				continue
			}
		}
		s.log.Error("TLS certificate not loaded", "server", srv.Name, "at", srv.SSL.CertFiles[0].Pos.String(), "err", err)
	}
}

// tlsConfig returns the TLS settings of a listener, or nil when it serves
// plain HTTP: TLS when the Listen line says https or a server that may
// answer on its port has SSLEngine on.
func (s *Site) tlsConfig(l apacheconf.Listen, get func() *Site) *tls.Config {
	on := l.Proto == "https" || sslOn(s.cfg.Main)
	for _, vh := range s.cfg.VHosts {
		for _, a := range vh.Addrs {
			if (a.Port == l.Port || a.Port <= 0) && sslOn(vh) {
				on = true
			}
		}
	}
	if !on {
		return nil
	}
	return &tls.Config{
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			site := get()
			local := netip.AddrPort{}
			if ap, err := netip.ParseAddrPort(hello.Conn.LocalAddr().String()); err == nil {
				local = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
			}
			srv, err := site.vhosts.Select(local, hello.ServerName)
			if err != nil || site.certs[srv] == nil {
				// Without SNI (or an unknown name) the address's default
				// vhost answers, as Apache's.
				srv, _ = site.vhosts.Select(local, "")
			}
			cert := site.certs[srv]
			if cert == nil {
				return nil, errors.New("no certificate for this virtual host")
			}
			c := &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{"http/1.1"}}
			if hasProtocol(srv, "h2") {
				c.NextProtos = []string{"h2", "http/1.1"}
			}
			if srv.SSL.Protocols != nil {
				if min, max, ok := srv.SSL.Protocols.Versions(); ok {
					c.MinVersion, c.MaxVersion = min, max
				}
			} else {
				c.MinVersion = tls.VersionTLS12 // Debian's default: TLSv1.2 and up
			}
			// SSLSessionTickets off (Debian's ssl.conf) issues no tickets.
			c.SessionTicketsDisabled = srv.SSL.SessionTickets != nil && !*srv.SSL.SessionTickets
			return c, nil
		},
	}
}

// hasProtocol reports whether Protocols lists p for the server.
func hasProtocol(srv *apacheconf.Server, p string) bool {
	if srv.Core == nil {
		return false
	}
	for _, x := range srv.Core.Protocols {
		if x == p {
			return true
		}
	}
	return false
}
