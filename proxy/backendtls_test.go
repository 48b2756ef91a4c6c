package proxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// leafCert issues a certificate of ca with a common name, DNS and IP
// SANs, valid from nb to na.
func leafCert(t *testing.T, ca *testCA, cn string, names []string, nb, na time.Time) *x509.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: nb, NotAfter: na, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

// TestBackendTLSCheck: mod_ssl's proxy checks as observed on Apache
// 2.4.71 (compat-tests TestHTTPSBackendDifferential).
func TestBackendTLSCheck(t *testing.T) {
	ca, other := newTestCA(t), newTestCA(t)
	now := time.Now()
	good := leafCert(t, ca, "localhost", []string{"127.0.0.1", "localhost"}, now.Add(-time.Hour), now.Add(time.Hour))
	wrong := leafCert(t, ca, "other.test", []string{"other.test"}, now.Add(-time.Hour), now.Add(time.Hour))
	expired := leafCert(t, ca, "localhost", []string{"localhost"}, now.Add(-2*time.Hour), now.Add(-time.Hour))
	wild := leafCert(t, ca, "x", []string{"*.example.org"}, now.Add(-time.Hour), now.Add(time.Hour))
	cnOnly := leafCert(t, ca, "cn.example", nil, now.Add(-time.Hour), now.Add(time.Hour))
	on, off := true, false
	req, none := apacheconf.VerifyRequire, apacheconf.VerifyNone
	for _, c := range []struct {
		name    string
		verify  *apacheconf.SSLVerifyMode
		roots   *x509.CertPool
		peerN   *bool
		peerCN  *bool
		expire  *bool
		cert    *x509.Certificate
		host    string
		wantErr bool
	}{
		{"none-untrusted-by-name", nil, nil, nil, nil, nil, good, "localhost", false},
		{"none-explicit", &none, nil, nil, nil, nil, good, "localhost", false},
		{"ip-literal-never-matches-ip-san", nil, nil, nil, nil, nil, good, "127.0.0.1", true},
		{"ip-literal-name-off", nil, nil, &off, nil, nil, good, "127.0.0.1", false},
		{"wrong-name", nil, nil, nil, nil, nil, wrong, "localhost", true},
		{"wrong-name-check-off", nil, nil, &off, nil, nil, wrong, "localhost", false},
		{"wrong-name-name-off-cn-on", nil, nil, &off, &on, nil, wrong, "localhost", true},
		{"expired", nil, nil, nil, nil, nil, expired, "localhost", true},
		{"expired-check-off", nil, nil, nil, nil, &off, expired, "localhost", false},
		{"require-trusted", &req, ca.pool, nil, nil, nil, good, "localhost", false},
		{"require-untrusted", &req, other.pool, nil, nil, nil, good, "localhost", true},
		{"require-no-ca", &req, nil, nil, nil, nil, good, "localhost", true},
		{"require-expired-check-off", &req, ca.pool, nil, nil, &off, expired, "localhost", true},
		{"wildcard-one-label", nil, nil, nil, nil, nil, wild, "a.example.org", false},
		{"wildcard-two-labels", nil, nil, nil, nil, nil, wild, "a.b.example.org", true},
		{"wildcard-bare", nil, nil, nil, nil, nil, wild, "example.org", true},
		{"common-name", nil, nil, nil, nil, nil, cnOnly, "CN.example.", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ssl := &apacheconf.SSLServer{ProxyVerify: c.verify, ProxyCheckPeerName: c.peerN, ProxyCheckPeerCN: c.peerCN, ProxyCheckPeerExpire: c.expire}
			b, err := newBackendTLS(ssl, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.roots != nil {
				b.roots = c.roots
			}
			err = b.check([]*x509.Certificate{c.cert}, c.host)
			if (err != nil) != c.wantErr {
				t.Errorf("check: %v, want error %v", err, c.wantErr)
			}
		})
	}
}

// TestHTTPSBackendServing: SSLProxyEngine, SNI, the CA file and the 500
// "Proxy Error" page through a Site.
func TestHTTPSBackendServing(t *testing.T) {
	ca := newTestCA(t)
	dir := t.TempDir()
	crt, key := ca.issue(t, dir, "localhost")
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	var sni string
	be := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sni = r.TLS.ServerName
		io.WriteString(w, "ok "+r.Host)
	}))
	be.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	be.StartTLS()
	defer be.Close()
	_, port, _ := net.SplitHostPort(be.Listener.Addr().String())
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644)
	for _, c := range []struct {
		name, conf string
		status     int
		body       string
	}{
		{"no-engine", "ProxyPass / https://localhost:" + port + "/\n", 500, "<p>The server encountered an internal error"},
		{"engine", "SSLProxyEngine On\nProxyPass / https://localhost:" + port + "/\n", 200, "ok localhost:" + port},
		{"require-trusted", "SSLProxyEngine On\nSSLProxyVerify require\nSSLProxyCACertificateFile " + caFile + "\nProxyPass / https://localhost:" + port + "/\n", 200, "ok localhost:" + port},
		{"require-no-ca", "SSLProxyEngine On\nSSLProxyVerify require\nProxyPass / https://localhost:" + port + "/\n", 500,
			"<title>500 Proxy Error</title>\n</head><body>\n<h1>Proxy Error</h1>\nThe proxy server could not handle the request<p>Reason: <strong>Error during SSL Handshake with remote server</strong></p><p />\n</body></html>\n"},
		{"ip-literal", "SSLProxyEngine On\nProxyPass / https://127.0.0.1:" + port + "/\n", 500, "Error during SSL Handshake"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sni = ""
			cfg := loadConfig(t, "ServerName front.example\n"+c.conf)
			site := NewSite(cfg, nil, nil)
			defer site.Close()
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, httptest.NewRequest("GET", "http://front.example/x", nil))
			if rec.Code != c.status || !strings.Contains(rec.Body.String(), c.body) {
				t.Errorf("got %d %q, want %d with %q", rec.Code, rec.Body.String(), c.status, c.body)
			}
			if c.status == 200 && sni != "localhost" {
				t.Errorf("SNI %q, want localhost", sni)
			}
		})
	}
}

// TestHostPoolsBounded: pools keyed by the client's Host name (SNI with
// ProxyPreserveHost) stop being cached past maxHostPools.
func TestHostPoolsBounded(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\nSSLProxyEngine On\nProxyPreserveHost On\nProxyPass / https://127.0.0.1:1/\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	rule := cfg.Main.Proxy.Rules[0]
	for i := range maxHostPools + 50 {
		tr := site.transportFor(rule, cfg.Main.SSL, "h"+strconv.Itoa(i)+".example", time.Second)
		if ht, ok := tr.(*http.Transport); i >= maxHostPools && (!ok || !ht.DisableKeepAlives) {
			t.Fatalf("pool %d kept", i)
		}
	}
	if n := len(site.transports); n != maxHostPools {
		t.Errorf("%d pools cached, want %d", n, maxHostPools)
	}
	// Known names and the URL's own name still share their pools.
	if a, b := site.transportFor(rule, cfg.Main.SSL, "h1.example", time.Second), site.transportFor(rule, cfg.Main.SSL, "h1.example", time.Second); a != b {
		t.Error("h1.example got a new pool")
	}
}

// TestBalancerHTTPSMemberNeedsEngine: an https member without
// SSLProxyEngine On answers a plain 500, as a direct https target does.
func TestBalancerHTTPSMemberNeedsEngine(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\n<Proxy balancer://pool>\nBalancerMember https://127.0.0.1:1\n</Proxy>\nProxyPass / balancer://pool/\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("GET", "http://a/x", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "Internal Server Error") {
		t.Errorf("got %d %q", rec.Code, rec.Body.String())
	}
}
