package compattests

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestStatusLineDifferential compares the status line (reason phrase
// included) with the real Apache: a backend's own reason phrase is passed
// through, mod_proxy's errors say "Proxy Error".
func TestStatusLineDifferential(t *testing.T) {
	requireApache(t)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, bw, _ := w.(http.Hijacker).Hijack()
		defer c.Close()
		switch r.URL.Path {
		case "/custom":
			bw.WriteString("HTTP/1.1 404 File not found\r\nContent-Length: 2\r\n\r\nno")
		case "/okay":
			bw.WriteString("HTTP/1.1 200 Okay then\r\nContent-Length: 2\r\n\r\nok")
		case "/teapot":
			bw.WriteString("HTTP/1.1 599 Whatever\r\nContent-Length: 2\r\n\r\nok")
		default:
			bw.WriteString("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
		}
		bw.Flush()
	}))
	defer be.Close()
	tlsBE := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer tlsBE.Close()
	ca := newTestCA(t, "not the backend's CA")
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "ssl") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[4]s/error.log
PidFile %[4]s/httpd.pid
DocumentRoot %[4]s/www
SSLProxyEngine on
SSLProxyVerify require
SSLProxyCACertificateFile %[4]s/ca.pem
ProxyPass /be http://%[2]s
ProxyPass /tls https://%[3]s/
`, listen, be.Listener.Addr(), tlsBE.Listener.Addr(), dir)
	}
	fp := startFrontPair(t, conf, func(dir string) {
		os.MkdirAll(filepath.Join(dir, "www"), 0o755)
		os.WriteFile(filepath.Join(dir, "ca.pem"), ca.pem, 0o644)
	})
	for _, c := range []struct{ name, req string }{
		{"backend-reason", "GET /be/custom HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"},
		{"backend-reason-200", "GET /be/okay HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"},
		{"backend-unknown-status", "GET /be/teapot HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"},
		{"backend-standard", "GET /be/std HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"},
		{"proxy-error", "GET /tls/x HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := firstLine(rawExchange(t, fp.Apache, c.req))
			o := firstLine(rawExchange(t, fp.OIDCGate, c.req))
			t.Logf("apache2: %q", a)
			if a != o {
				t.Errorf("\n apache2:  %q\n oidcgate: %q", a, o)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// TestBackendClosesDifferential: a backend that accepts the request and
// closes the connection without a status line gets mod_proxy's "502 Proxy
// Error" page ("Error reading from remote server") from Apache, compared
// here whole (status line, headers but Date/Server, page); a backend
// that answers normally on the same configuration is the control.
func TestBackendClosesDifferential(t *testing.T) {
	requireApache(t)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			io.WriteString(w, "ok\n")
			return
		}
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
	}))
	defer be.Close()
	conf := func(listen, dir string) string {
		return loadModules("mpm_event", "authz_core", "proxy", "proxy_http") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
ProxyPass /be http://%[2]s
`, listen, be.Listener.Addr(), dir)
	}
	fp := startFrontPair(t, conf, func(dir string) { os.MkdirAll(filepath.Join(dir, "www"), 0o755) })
	for _, path := range []string{"/be/ok", "/be/closes", "/be/closes"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n"
		a, o := sortedHead(rawExchange(t, fp.Apache, req)), sortedHead(rawExchange(t, fp.OIDCGate, req))
		if a != o {
			t.Errorf("GET %s:\n apache2:  %q\n oidcgate: %q", path, a, o)
		}
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// sortedHead puts a raw response's header fields in order (status line
// first, body after): their order carries no meaning.
func sortedHead(raw string) string {
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	sort.Strings(lines[1:])
	return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
}
