package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dropConnConf produces the error statuses Apache generates itself (access
// control, missing files, TRACE, LimitRequestBody, an AuthType no module
// provides, with and without ErrorDocument, an https backend without
// SSLProxyEngine, an unreachable backend) and proxies a backend that
// answers with any status.
func dropConnConf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "authz_user", "authn_core", "proxy", "proxy_http", "alias") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
TraceEnable off
<Directory %[3]s>
  Require all granted
</Directory>
ProxyPass /be http://%[2]s
ProxyPass /down http://127.0.0.1:1/
ProxyPass /tls https://%[2]s/
<Location /deny>
  Require all denied
</Location>
<Location /lim>
  LimitRequestBody 3
</Location>
<Location /noauthn>
  AuthType Basic
  Require valid-user
</Location>
<Location /edurl>
  AuthType Basic
  Require valid-user
  ErrorDocument 500 http://elsewhere.example/x
</Location>
<Location /edtext>
  AuthType Basic
  Require valid-user
  ErrorDocument 500 "oops"
</Location>
<Location /ed403>
  Require all denied
  ErrorDocument 403 "no"
</Location>
`, listen, backend, dir)
}

// TestDropConnectionDifferential compares, for each error status, whether
// Apache and oidcgate say Connection: close and close the connection
// (ap_status_drops_connection: 400, 408, 411, 413, 414, 500, 501 and 503,
// also when a backend sent the status or an ErrorDocument redirect
// answers).
func TestDropConnectionDifferential(t *testing.T) {
	requireApache(t)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/s/"))
		if err != nil {
			st = 200
		}
		w.Header().Set("Content-Length", "1")
		w.WriteHeader(st)
		io.WriteString(w, "x")
	}))
	defer be.Close()
	backend := be.Listener.Addr().String()
	fp := startFrontPair(t, func(listen, dir string) string { return dropConnConf(listen, backend, dir) }, func(dir string) {
		os.MkdirAll(filepath.Join(dir, "www"), 0o755)
		os.WriteFile(filepath.Join(dir, "www/f.html"), []byte("hi\n"), 0o644)
	})
	const h = "Host: front.example\r\n"
	cases := []struct{ name, req string }{
		{"403", "GET /deny/x HTTP/1.1\r\n" + h + "\r\n"},
		{"403-errordocument", "GET /ed403/x HTTP/1.1\r\n" + h + "\r\n"},
		{"404", "GET /nope HTTP/1.1\r\n" + h + "\r\n"},
		{"405-trace", "TRACE /f.html HTTP/1.1\r\n" + h + "\r\n"},
		{"413", "POST /lim/x HTTP/1.1\r\n" + h + "Content-Length: 10\r\n\r\n0123456789"},
		{"500-no-authn-module", "GET /noauthn/x HTTP/1.1\r\n" + h + "\r\n"},
		{"500-head", "HEAD /noauthn/x HTTP/1.1\r\n" + h + "\r\n"},
		{"500-errordocument-url", "GET /edurl/x HTTP/1.1\r\n" + h + "\r\n"},
		{"500-errordocument-text", "GET /edtext/x HTTP/1.1\r\n" + h + "\r\n"},
		{"500-https-backend", "GET /tls/x HTTP/1.1\r\n" + h + "\r\n"},
		{"503-unreachable", "GET /down/x HTTP/1.1\r\n" + h + "\r\n"},
		{"200", "GET /f.html HTTP/1.1\r\n" + h + "\r\n"},
	}
	for _, st := range []int{400, 403, 404, 408, 411, 413, 414, 429, 500, 501, 502, 503, 504} {
		cases = append(cases, struct{ name, req string }{fmt.Sprintf("backend-%d", st), fmt.Sprintf("GET /be/s/%d HTTP/1.1\r\n%s\r\n", st, h)})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := dropConnProbe(t, fp.Apache, c.req)
			o := dropConnProbe(t, fp.OIDCGate, c.req)
			t.Logf("apache2: %s", a)
			if a != o {
				t.Errorf("\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// dropConnProbe sends req, then a second request on the same connection:
// the first response's status and Connection: close, and whether the
// second was answered ("kept") or the connection ended ("closed").
func dropConnProbe(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	io.WriteString(c, req)
	var resp *http.Response
	if strings.HasPrefix(req, "HEAD ") {
		resp, err = http.ReadResponse(br, &http.Request{Method: http.MethodHead})
	} else {
		resp, err = http.ReadResponse(br, nil)
	}
	if err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	out := fmt.Sprintf("%d close=%v", resp.StatusCode, resp.Close)
	if _, err := io.WriteString(c, "GET /f.html HTTP/1.1\r\nHost: front.example\r\n\r\n"); err != nil {
		return out + " closed"
	}
	if _, err := http.ReadResponse(br, nil); err != nil {
		return out + " closed"
	}
	return out + " kept"
}
