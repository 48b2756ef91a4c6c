package compattests

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testCA is a certificate authority generated for one test run.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// leaf issues a server certificate for the names (IP literals become IP
// SANs); expired makes its validity end an hour ago.
func (ca *testCA) leaf(t *testing.T, cn string, names []string, expired bool) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if expired {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)
	}
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
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// tlsSeen is what the recording backend saw for one request.
type tlsSeen struct {
	Method, URI, Host, SNI, TLS string
	Via                         []string
	Hellos                      []string

	// Client is the common name of the client certificate the front end
	// presented ("" for none).
	Client string
}

// tlsRecorder is a recording backend on several listeners (plain HTTP and
// HTTPS with different certificates), one handler.
type tlsRecorder struct {
	mu   sync.Mutex
	last *tlsSeen
	// hellos are the SNI values of the TLS handshakes since the last take
	// (failed handshakes included), "-" for none.
	hellos []string
	srvs   []*httptest.Server
}

// backendCookies are the Set-Cookie lines /cookies answers, for
// ProxyPassReverseCookieDomain/Path.
var backendCookies = []string{
	"a=1; Path=/app/x; Domain=backend.internal",
	"b=2; path=/app; domain=BACKEND.INTERNAL",
	"c=3; Path=/other; Domain=elsewhere.example",
	"d=4; Domain=.backend.internal; Path=/appx",
	"e=5",
	"f=6; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/app; HttpOnly",
	"g=path=/app; Path=/app",
	"h=8;Path=/app;Domain=backend.internal",
	"i=9; Path = /app; Domain = backend.internal",
	"j=10; Domain=sub.backend.internal; Secure; Path=/",
	"k=11; Domain=xbackend.internal; Path=/App",
	"l=12; Domain=backend.internal.x; Path=/ap",
	"path=/app/z; Path=/other",
	"m=13; Domain=backend.internal ; Path=/app ",
	"n=14; Path=/app; Path=/other",
	"o=15; Domain=Backend.Internal",
}

func (b *tlsRecorder) handler(w http.ResponseWriter, r *http.Request) {
	s := &tlsSeen{Method: r.Method, URI: r.RequestURI, Host: r.Host, Via: r.Header.Values("Via"), TLS: "plain"}
	if r.TLS != nil {
		s.TLS, s.SNI = tls.VersionName(r.TLS.Version), r.TLS.ServerName
		if len(r.TLS.PeerCertificates) > 0 {
			s.Client = r.TLS.PeerCertificates[0].Subject.CommonName
		}
	}
	b.mu.Lock()
	b.last = s
	b.mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/cookies"):
		for _, c := range backendCookies {
			w.Header().Add("Set-Cookie", c)
		}
	case strings.HasSuffix(r.URL.Path, "/via"):
		w.Header().Add("Via", "1.1 upstream.example")
	}
	io.WriteString(w, "ok")
}

func (b *tlsRecorder) take() *tlsSeen {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.last
	b.last = nil
	if len(b.hellos) > 0 {
		if s == nil {
			s = &tlsSeen{URI: "<no request>"}
		}
		s.Hellos = b.hellos
		b.hellos = nil
	}
	return s
}

func (b *tlsRecorder) start(t *testing.T, cert *tls.Certificate) string {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(b.handler))
	srv.Config.ErrorLog = nil
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{*cert}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
			sni := h.ServerName
			if sni == "" {
				sni = "-"
			}
			b.mu.Lock()
			b.hellos = append(b.hellos, sni)
			b.mu.Unlock()
			return nil, nil
		}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	b.srvs = append(b.srvs, srv)
	return srv.Listener.Addr().String()
}

// httpsConf renders the https-backend configuration: one name-based
// virtual host per case.
func httpsConf(listen, dir string, be map[string]string) string {
	var b strings.Builder
	b.WriteString(loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "ssl"))
	fmt.Fprintf(&b, `ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
LogLevel info
PidFile %[2]s/httpd.pid
<VirtualHost %[1]s>
  ServerName default.local
</VirtualHost>
`, listen, dir)
	port := func(k string) string { _, p, _ := net.SplitHostPort(be[k]); return p }
	vh := func(name, body string) {
		fmt.Fprintf(&b, "<VirtualHost %s>\n  ServerName %s\n%s</VirtualHost>\n", listen, name, body)
	}
	ca1, ca2 := dir+"/ca1.pem", dir+"/ca2.pem"
	vh("noengine.local", "  ProxyPass / https://127.0.0.1:"+port("good")+"/\n")
	lh := func(k string) string { return "  ProxyPass / https://localhost:" + port(k) + "/\n" }
	ip := func(k string) string { return "  ProxyPass / https://127.0.0.1:" + port(k) + "/\n" }
	on := "  SSLProxyEngine On\n"
	vh("none.local", on+lh("good"))
	vh("none-ip.local", on+ip("good"))
	vh("none-ip-name-off.local", on+"  SSLProxyCheckPeerName Off\n"+ip("good"))
	vh("none-name.local", on+lh("wrongname"))
	vh("none-name-off.local", on+"  SSLProxyCheckPeerName Off\n"+lh("wrongname"))
	vh("none-name-off-cn-on.local", on+"  SSLProxyCheckPeerName Off\n  SSLProxyCheckPeerCN On\n"+lh("wrongname"))
	vh("none-expired.local", on+lh("expired"))
	vh("none-expired-off.local", on+"  SSLProxyCheckPeerExpire Off\n"+lh("expired"))
	req := on + "  SSLProxyVerify require\n  SSLProxyCACertificateFile " + ca1 + "\n"
	vh("req-trusted.local", req+lh("good"))
	vh("req-trusted-ip.local", req+ip("good"))
	vh("req-untrusted.local", on+"  SSLProxyVerify require\n  SSLProxyCACertificateFile "+ca2+"\n"+lh("good"))
	vh("req-nocafile.local", on+"  SSLProxyVerify require\n"+lh("good"))
	vh("req-name.local", req+lh("wrongname"))
	vh("req-name-off.local", req+"  SSLProxyCheckPeerName Off\n"+lh("wrongname"))
	vh("req-expired.local", req+lh("expired"))
	vh("req-expired-off.local", req+"  SSLProxyCheckPeerExpire Off\n"+lh("expired"))
	// SSLProxy* inside <Proxy>: only for the backends the section matches.
	vh("proxysec.local", on+"  <Proxy https://localhost:"+port("wrongname")+"/>\n    SSLProxyCheckPeerName Off\n  </Proxy>\n"+lh("wrongname"))
	vh("proxysec-other.local", on+"  <Proxy https://localhost:"+port("good")+"/>\n    SSLProxyCheckPeerName Off\n  </Proxy>\n"+lh("wrongname"))
	vh("proxysec-ca.local", on+"  SSLProxyVerify require\n  <Proxy https://localhost:"+port("good")+"/>\n    SSLProxyCACertificateFile "+ca1+"\n  </Proxy>\n"+lh("good"))
	vh("sni-localhost.local", "  SSLProxyEngine On\n  ProxyPass / https://localhost:"+port("good")+"/\n")
	vh("sni-preserve.local", "  SSLProxyEngine On\n  ProxyPreserveHost On\n  ProxyPass / https://localhost:"+port("good")+"/\n")
	vh("sni-ip-preserve.local", "  SSLProxyEngine On\n  ProxyPreserveHost On\n  ProxyPass / https://127.0.0.1:"+port("good")+"/\n")
	vh("cookies.local", "  ProxyPass / http://"+be["plain"]+"/\n  ProxyPassReverseCookieDomain backend.internal public.example\n  ProxyPassReverseCookiePath /app /pub\n  ProxyPassReverseCookiePath / /root/\n")
	vh("cookies-loc.local", "  ProxyPassReverseCookiePath /other /srv-level\n  <Location /l>\n    ProxyPass http://"+be["plain"]+"/l\n    ProxyPassReverseCookiePath /app /loc\n    ProxyPassReverseCookieDomain .backend.internal .dot.example\n  </Location>\n")
	for _, via := range []string{"Off", "On", "Full", "Block"} {
		vh("via-"+strings.ToLower(via)+".local", "  ProxyVia "+via+"\n  ProxyPass / http://"+be["plain"]+"/\n")
	}
	return b.String()
}

// httpsResp is what a client saw.
type httpsResp struct {
	Status    int
	Location  string
	SetCookie []string
	Via       []string
	Body      string
}

func rawGetFull(t *testing.T, addr, target, host string, extra []string) httpsResp {
	resp, body := rawRoundTrip(t, addr, http.MethodGet, rawGetReq(target, host, extra))
	out := httpsResp{Status: resp.StatusCode, Location: resp.Header.Get("Location"), SetCookie: resp.Header.Values("Set-Cookie"), Via: resp.Header.Values("Via")}
	if resp.StatusCode >= 400 {
		out.Body = string(body)
	}
	return out
}

// TestHTTPSBackendDifferential runs the real Apache and oidcgate on the
// same configuration in front of the same recording backends (plain HTTP
// and HTTPS with certificates of a CA generated here) and compares the
// status, error page, Location, Set-Cookie and Via headers, and what the
// backend saw (URI, Host, SNI, Via).
func TestHTTPSBackendDifferential(t *testing.T) {
	requireApache(t)
	ca1, ca2 := newTestCA(t, "oidcgate test CA 1"), newTestCA(t, "oidcgate test CA 2")
	good := ca1.leaf(t, "localhost", []string{"127.0.0.1", "localhost"}, false)
	wrong := ca1.leaf(t, "other.test", []string{"other.test"}, false)
	expired := ca1.leaf(t, "localhost", []string{"127.0.0.1", "localhost"}, true)
	rec := &tlsRecorder{}
	be := map[string]string{
		"plain": rec.start(t, nil), "good": rec.start(t, &good),
		"wrongname": rec.start(t, &wrong), "expired": rec.start(t, &expired),
	}
	fp := startFrontPair(t, func(listen, dir string) string { return httpsConf(listen, dir, be) }, func(dir string) {
		os.WriteFile(filepath.Join(dir, "ca1.pem"), ca1.pem, 0o644)
		os.WriteFile(filepath.Join(dir, "ca2.pem"), ca2.pem, 0o644)
	})
	aAddr, oAddr, aDir := fp.Apache, fp.OIDCGate, fp.ApacheDir

	cases := []struct {
		name, target, host string
		extra              []string
	}{
		{"no-sslproxyengine", "/x", "noengine.local", nil},
		{"verify-none-untrusted-ca", "/x?q=1", "none.local", nil},
		{"verify-none-ip-literal", "/x", "none-ip.local", nil},
		{"verify-none-ip-literal-name-off", "/x", "none-ip-name-off.local", nil},
		{"verify-none-wrong-name", "/x", "none-name.local", nil},
		{"verify-none-wrong-name-check-off", "/x", "none-name-off.local", nil},
		{"verify-none-wrong-name-name-off-cn-on", "/x", "none-name-off-cn-on.local", nil},
		{"verify-none-expired", "/x", "none-expired.local", nil},
		{"verify-none-expired-check-off", "/x", "none-expired-off.local", nil},
		{"require-trusted", "/x", "req-trusted.local", nil},
		{"require-trusted-ip-literal", "/x", "req-trusted-ip.local", nil},
		{"require-untrusted", "/x", "req-untrusted.local", nil},
		{"require-no-ca-file", "/x", "req-nocafile.local", nil},
		{"require-wrong-name", "/x", "req-name.local", nil},
		{"require-wrong-name-check-off", "/x", "req-name-off.local", nil},
		{"require-expired", "/x", "req-expired.local", nil},
		{"require-expired-check-off", "/x", "req-expired-off.local", nil},
		{"proxy-section-name-off", "/x", "proxysec.local", nil},
		{"proxy-section-other-backend", "/x", "proxysec-other.local", nil},
		{"proxy-section-ca-file", "/x", "proxysec-ca.local", nil},
		{"sni-hostname", "/x", "sni-localhost.local", nil},
		{"sni-preserve-host", "/x", "sni-preserve.local", nil},
		{"sni-ip-preserve-host", "/x", "sni-ip-preserve.local", nil},
		{"cookie-rewrite", "/cookies", "cookies.local", nil},
		{"cookie-rewrite-location", "/l/cookies", "cookies-loc.local", nil},
	}
	for _, via := range []string{"off", "on", "full", "block"} {
		h := "via-" + via + ".local"
		cases = append(cases,
			struct {
				name, target, host string
				extra              []string
			}{"via-" + via, "/via", h, nil},
			struct {
				name, target, host string
				extra              []string
			}{"via-" + via + "-client-via", "/via", h + ":8080", []string{"Via: 1.0 client.example\r\n"}},
			struct {
				name, target, host string
				extra              []string
			}{"via-" + via + "-no-backend-via", "/x", h, nil},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := rawGetFull(t, aAddr, c.target, c.host, c.extra)
			aSeen := rec.take()
			o := rawGetFull(t, oAddr, c.target, c.host, c.extra)
			oSeen := rec.take()
			// The two front ends listen on different ports.
			_, ap, _ := net.SplitHostPort(aAddr)
			_, op, _ := net.SplitHostPort(oAddr)
			as := strings.ReplaceAll(fmt.Sprintf("%+v", a), ":"+ap, ":${PORT}")
			os := strings.ReplaceAll(fmt.Sprintf("%+v", o), ":"+op, ":${PORT}")
			t.Logf("apache2: %s\n backend: %+v", as, aSeen)
			if as != os {
				t.Errorf("response:\n apache2:  %s\n oidcgate: %s", as, os)
			}
			if a, o := strings.ReplaceAll(fmt.Sprintf("%+v", aSeen), ":"+ap, ":${PORT}"), strings.ReplaceAll(fmt.Sprintf("%+v", oSeen), ":"+op, ":${PORT}"); a != o {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
		el, _ := os.ReadFile(filepath.Join(aDir, "error.log"))
		t.Logf("apache error.log:\n%s", el)
	}
}
