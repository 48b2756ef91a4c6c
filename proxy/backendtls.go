package proxy

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TLS towards https:// (and wss://) backends, as mod_ssl's proxy side does
// it (observed on Debian's 2.4.71, compat-tests/https_backend_test.go):
//   - without SSLProxyEngine On the request fails with a plain 500 before
//     any connection (AH00961 "failed to enable ssl support");
//   - SNI is the backend URL's host name (none for an IP literal), or with
//     ProxyPreserveHost On the client's Host name;
//   - SSLProxyVerify none (default) accepts any chain; require verifies it
//     against SSLProxyCACertificateFile/Path only (no system roots);
//   - SSLProxyCheckPeerExpire (default On) refuses a certificate outside
//     its validity period even with verify none;
//   - SSLProxyCheckPeerName (default On) matches that same host name
//     against the certificate's DNS names and common name — an IP literal
//     never matches an IP address SAN (AH02411); with CheckPeerName Off the
//     name is checked only when SSLProxyCheckPeerCN is On explicitly;
//   - any failure answers 500 with mod_proxy's "Proxy Error" page, reason
//     "Error during SSL Handshake with remote server".

// maxHostPools bounds the connection pools kept per client Host name
// (ProxyPreserveHost On towards https backends: SNI and the checked name
// follow the Host header, so connections cannot be shared across names).
const maxHostPools = 256

// errTLSNotEnabled: an https balancer member without SSLProxyEngine On.
var errTLSNotEnabled = errors.New("https: failed to enable ssl support (SSLProxyEngine is not on)")

// backendTLSError is a refusal of the backend's certificate by one of
// mod_ssl's proxy checks; msg is the log line Apache writes.
type backendTLSError struct{ msg string }

func (e *backendTLSError) Error() string { return e.msg }

// backendTLS is the compiled SSLProxy* configuration of a server.
type backendTLS struct {
	verify      bool // SSLProxyVerify require (or optional)
	roots       *x509.CertPool
	checkExpire bool
	checkName   bool
	now         func() time.Time
	// certs are the client certificates (SSLProxyMachineCertificate*);
	// minVer/maxVer SSLProxyProtocol (0: Go's default); crls and crlCheck
	// SSLProxyCARevocation* (crlCheck nil or "none": not checked).
	certs          []machineCert
	minVer, maxVer uint16
	suites         []uint16 // SSLProxyCipherSuite (nil: Go's default)
	crls           []*x509.RevocationList
	crlCheck       *apacheconf.SSLCRLCheck
	// loadErr: an SSLProxy* file did not load; no handshake succeeds.
	loadErr error
}

// newBackendTLS compiles a server's SSLProxy* settings. When a file does
// not load (Apache would not start) the error is returned and every
// handshake with the backend fails: never a check weaker than configured
// (no CA pool would mean the system's roots). AH02206 (no client
// certificate with its key) is returned too but only means no client
// certificate, as in Apache.
func newBackendTLS(ssl *apacheconf.SSLServer, now func() time.Time) (*backendTLS, error) {
	b, err := compileBackendTLS(ssl, now)
	if err != nil && !errors.Is(err, errNoClientCerts) {
		b.loadErr = err
	}
	return b, err
}

func compileBackendTLS(ssl *apacheconf.SSLServer, now func() time.Time) (*backendTLS, error) {
	b := &backendTLS{checkExpire: true, checkName: true, now: now, roots: x509.NewCertPool()}
	if ssl == nil {
		return b, nil
	}
	if ssl.ProxyVerify != nil && (*ssl.ProxyVerify == apacheconf.VerifyRequire || *ssl.ProxyVerify == apacheconf.VerifyOptional) {
		b.verify = true
	}
	if ssl.ProxyCheckPeerExpire != nil {
		b.checkExpire = *ssl.ProxyCheckPeerExpire
	}
	nameOff := ssl.ProxyCheckPeerName != nil && !*ssl.ProxyCheckPeerName
	cnOn := ssl.ProxyCheckPeerCN != nil && *ssl.ProxyCheckPeerCN
	b.checkName = !nameOff || cnOn
	if p := ssl.ProxyProtocols; p != nil {
		b.minVer, b.maxVer, _ = p.Versions()
	}
	b.suites, b.minVer = proxyCipherSuites(ssl.ProxyCipherSuite, b.minVer)
	// AH02206 (no certificate with its key): Apache goes on without a
	// client certificate, and so does this, with every other check intact.
	certs, warn := loadMachineCerts(ssl)
	if warn != nil && !errors.Is(warn, errNoClientCerts) {
		return b, warn
	}
	b.certs = certs
	var err error
	if c := ssl.ProxyCARevocationCheck; c != nil && c.Mode != "none" {
		b.crlCheck = c
		if b.crls, err = loadCRLs(ssl); err != nil {
			return b, err
		}
	}
	var files []string
	if ssl.ProxyCACertificateFile != nil {
		files = append(files, ssl.ProxyCACertificateFile.Path)
	}
	if ssl.ProxyCACertificatePath != nil {
		ents, err := os.ReadDir(ssl.ProxyCACertificatePath.Path)
		if err != nil {
			return b, err
		}
		for _, e := range ents {
			if !e.IsDir() {
				files = append(files, filepath.Join(ssl.ProxyCACertificatePath.Path, e.Name()))
			}
		}
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return b, err
		}
		if !b.roots.AppendCertsFromPEM(pem) && ssl.ProxyCACertificateFile != nil && f == ssl.ProxyCACertificateFile.Path {
			return b, fmt.Errorf("%s: no PEM certificate", f)
		}
	}
	return b, warn
}

// config returns the client TLS configuration for connections whose
// checked host name is host (sni: whether to send it as SNI). The chain
// and name checks run in VerifyConnection, as Go's own would differ
// (expired certificates under verify none, IP SANs, CN fallback).
func (b *backendTLS) config(host string) *tls.Config {
	sni := host
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		sni = ""
	}
	return &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, // replaced by VerifyConnection
		VerifyConnection: func(cs tls.ConnectionState) error {
			return b.check(cs.PeerCertificates, host)
		},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return clientCertificate(b.certs, cri), nil
		},
		MinVersion:   b.minVer,
		MaxVersion:   b.maxVer,
		CipherSuites: b.suites,
	}
}

// check runs mod_ssl's proxy checks on the peer's chain for host.
func (b *backendTLS) check(chain []*x509.Certificate, host string) error {
	if b.loadErr != nil {
		return &backendTLSError{"SSL Proxy: SSLProxy* files not loaded: " + b.loadErr.Error()}
	}
	if len(chain) == 0 {
		return &backendTLSError{"SSL Proxy: peer sent no certificate"}
	}
	leaf := chain[0]
	now := time.Now()
	if b.now != nil {
		now = b.now()
	}
	if b.verify {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		chains, err := leaf.Verify(x509.VerifyOptions{Roots: b.roots, Intermediates: inter, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil {
			return &backendTLSError{"Certificate Verification: " + err.Error()}
		}
		if b.crlCheck != nil {
			if err := checkCRLs(chains[0], b.crls, b.crlCheck.Mode, b.crlCheck.NoCRLForCertOK, now); err != nil {
				return &backendTLSError{"Certificate Verification: " + err.Error()}
			}
		}
	}
	if b.checkExpire && (now.Before(leaf.NotBefore) || now.After(leaf.NotAfter)) {
		return &backendTLSError{"SSL Proxy: Peer certificate is expired"}
	}
	if b.checkName && !matchCertName(leaf, host) {
		return &backendTLSError{"SSL Proxy: Peer certificate does not match for hostname " + host}
	}
	return nil
}

// matchCertName is modssl_X509_match_name: the host against the DNS
// subjectAltNames and the subject's common names, case-insensitively, a
// leading "*." matching exactly one label. IP address SANs are not
// consulted.
func matchCertName(c *x509.Certificate, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	names := append(append([]string(nil), c.DNSNames...), c.Subject.CommonName)
	for _, n := range names {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n == "" {
			continue
		}
		if n == host {
			return true
		}
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			if _, after, ok := strings.Cut(host, "."); ok && after == rest && !strings.HasPrefix(host, ".") {
				return true
			}
		}
	}
	return false
}

// isBackendTLSError reports whether err is a failed TLS handshake with the
// backend (DialTLSContext wraps those in tlsHandshakeError).
func isBackendTLSError(err error) bool {
	var be *backendTLSError
	var he *tlsHandshakeError
	return errors.As(err, &be) || errors.As(err, &he)
}

// tlsBackend reports whether a backend scheme needs TLS.
func tlsBackend(scheme string) bool {
	return scheme == "https" || scheme == "wss" || scheme == "h2"
}

// requestHostName is Apache's r->hostname from a Host header value: the
// name without port, lower-case, without a trailing dot.
func requestHostName(host string) string {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	return strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
}

// sslProxyKey identifies the SSLProxy* settings that shape a backend
// connection, so that equal settings share one pool.
func sslProxyKey(ssl *apacheconf.SSLServer) string {
	if ssl == nil {
		return ""
	}
	b := func(p *bool) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	path := func(p *apacheconf.SSLPath) string {
		if p == nil {
			return ""
		}
		return p.Path
	}
	v := 0
	if ssl.ProxyVerify != nil {
		v = int(*ssl.ProxyVerify)
	}
	protos, crl := "-", "-"
	if ssl.ProxyProtocols != nil {
		protos = fmt.Sprint(*ssl.ProxyProtocols)
	}
	if c := ssl.ProxyCARevocationCheck; c != nil {
		crl = fmt.Sprint(c.Mode, c.NoCRLForCertOK)
	}
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s", v, b(ssl.ProxyCheckPeerName), b(ssl.ProxyCheckPeerCN), b(ssl.ProxyCheckPeerExpire),
		path(ssl.ProxyCACertificateFile), path(ssl.ProxyCACertificatePath), b(ssl.ProxyEngine),
		path(ssl.ProxyMachineCertificateFile), path(ssl.ProxyMachineCertificatePath), path(ssl.ProxyMachineCertificateChainFile),
		protos, path(ssl.ProxyCARevocationFile), path(ssl.ProxyCARevocationPath), crl) + "|" + ssl.ProxyCipherSuite
}
