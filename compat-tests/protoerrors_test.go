package compattests

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestProtocolErrorsDifferential compares the answers to malformed
// requests that net/http refuses before any handler runs (oidcgate
// replaces its plain text by Apache's page) with the real Apache: the
// whole response but Date/Server, and that nothing reached the backend.
func TestProtocolErrorsDifferential(t *testing.T) {
	requireApache(t)
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer be.Close()
	fp := startFrontPair(t, func(listen, dir string) string {
		return reqLimitsConf(listen, be.Listener.Addr().String(), dir, "ServerSignature On")
	}, func(dir string) {
		os.MkdirAll(filepath.Join(dir, "www"), 0o755)
	})
	const h, end = "Host: d.example\r\n", "Connection: close\r\n\r\n"
	for _, c := range []struct{ name, req string }{
		{"host-with-space", "GET / HTTP/1.1\r\nHost: a b\r\n" + end},
		{"host-with-slash", "GET / HTTP/1.1\r\nHost: a/b\r\n" + end},
		{"two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + end},
		{"no-host", "GET / HTTP/1.1\r\n" + end},
		{"header-name-with-space", "GET / HTTP/1.1\r\n" + h + "Bad Name: x\r\n" + end},
		{"header-without-colon", "GET / HTTP/1.1\r\n" + h + "NoColon\r\n" + end},
		{"space-before-colon", "GET / HTTP/1.1\r\n" + h + "X-A : x\r\n" + end},
		{"control-in-value", "GET / HTTP/1.1\r\n" + h + "X-A: a\x01b\r\n" + end},
		{"junk-version", "GET / FOO\r\n" + h + end},
		{"two-spaces", "GET  / HTTP/1.1\r\n" + h + end},
		{"bad-method", "G(T / HTTP/1.1\r\n" + h + end},
		{"target-without-slash", "GET be HTTP/1.1\r\n" + h + end},
		{"control-in-target", "GET /\x01 HTTP/1.1\r\n" + h + end},
		{"unknown-transfer-encoding", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n" + end},
		{"bad-content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: abc\r\n" + end},
		{"two-content-lengths", "POST / HTTP/1.1\r\n" + h + "Content-Length: 1\r\nContent-Length: 2\r\n" + end + "ab"},
		{"negative-content-length", "POST / HTTP/1.1\r\n" + h + "Content-Length: -1\r\n" + end},
	} {
		t.Run(c.name, func(t *testing.T) {
			h0 := hits.Load()
			a := rawExchange(t, fp.Apache, c.req)
			o := rawExchange(t, fp.OIDCGate, c.req)
			t.Logf("apache2: %q", a)
			if a != o {
				t.Errorf("\n apache2:  %q\n oidcgate: %q", a, o)
			}
			if hits.Load() != h0 {
				t.Errorf("the backend was reached")
			}
		})
	}
}

// TestProtocolErrorsErrorDocumentDifferential: the server's ErrorDocument
// 400 answers the requests net/http refuses itself, as in Apache.
func TestProtocolErrorsErrorDocumentDifferential(t *testing.T) {
	requireApache(t)
	for _, ed := range []string{`"bad request"`, "http://elsewhere.example/bad"} {
		t.Run(ed, func(t *testing.T) {
			fp := startFrontPair(t, func(listen, dir string) string {
				return reqLimitsConf(listen, "127.0.0.1:1", dir, "ServerSignature On\nErrorDocument 400 "+ed)
			}, func(dir string) { os.MkdirAll(filepath.Join(dir, "www"), 0o755) })
			for _, req := range []string{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "GET / HTTP/1.1\r\nBad Name: x\r\nHost: d.example\r\n\r\n"} {
				a, o := rawExchange(t, fp.Apache, req), rawExchange(t, fp.OIDCGate, req)
				t.Logf("apache2: %q", a)
				if a != o {
					t.Errorf("%q:\n apache2:  %q\n oidcgate: %q", req, a, o)
				}
			}
		})
	}
}

// TestPlainHTTPToTLSDifferential compares the answer to plain HTTP sent
// to an SSL port (mod_ssl's 400 page) with the real Apache.
func TestPlainHTTPToTLSDifferential(t *testing.T) {
	requireApache(t)
	ca := newTestCA(t, "limits CA")
	leaf := ca.leaf(t, "front.example", []string{"front.example", "127.0.0.1"}, false)
	keyDER, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "ssl") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[2]s/error.log
PidFile %[2]s/httpd.pid
DocumentRoot %[2]s/www
ServerSignature On
SSLEngine on
SSLCertificateFile %[2]s/cert.pem
SSLCertificateKeyFile %[2]s/key.pem
`, listen, dir)
	}
	fp := startFrontPair(t, conf, func(dir string) {
		os.MkdirAll(filepath.Join(dir, "www"), 0o755)
		os.WriteFile(filepath.Join(dir, "www/index.html"), []byte("hi\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}), 0o644)
		os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o644)
	})
	for _, c := range []struct{ name, req string }{
		{"get", "GET / HTTP/1.1\r\nHost: front.example\r\n\r\n"},
		{"head", "HEAD / HTTP/1.1\r\nHost: front.example\r\n\r\n"},
		{"post", "POST /x HTTP/1.1\r\nHost: front.example\r\nContent-Length: 2\r\n\r\nab"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := rawExchange(t, fp.Apache, c.req)
			o := rawExchange(t, fp.OIDCGate, c.req)
			t.Logf("apache2: %q", a)
			if !strings.Contains(a, "You're speaking plain HTTP") {
				t.Fatalf("apache2 did not answer with mod_ssl's page: %q", a)
			}
			if a != o {
				t.Errorf("\n apache2:  %q\n oidcgate: %q", a, o)
			}
		})
	}
}
