package compattests

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// seen is what the backend received for one request, reduced to what a
// backend can observe and Apache and oidcgate must agree on.
type seen struct {
	Method, URI, Host string
	Headers           []string // selected headers, "Name: value"
}

// backendRecorder records requests; it answers a redirect on /app/redirect
// so ProxyPassReverse can be compared.
type backendRecorder struct {
	mu   sync.Mutex
	last *seen
	srv  *httptest.Server
}

var comparedHeaders = []string{"X-Env", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Server", "X-Forwarded-Proto", "Forwarded", "X-Missing", "X-App", "X-Spoof", "Via", "Authorization"}

func newBackendRecorder(t *testing.T) *backendRecorder {
	b := &backendRecorder{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := &seen{Method: r.Method, URI: r.RequestURI, Host: r.Host}
		for _, h := range comparedHeaders {
			if v := r.Header.Values(h); len(v) > 0 {
				s.Headers = append(s.Headers, h+": "+strings.Join(v, ", "))
			}
		}
		b.mu.Lock()
		b.last = s
		b.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/slow") {
			time.Sleep(2500 * time.Millisecond)
		}
		if strings.HasSuffix(r.URL.Path, "/redirect") {
			w.Header().Set("Location", "http://"+r.Host+"/app/target?x=1")
			w.WriteHeader(http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backendRecorder) take() *seen {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.last
	b.last = nil
	return s
}

// serveConf renders the shared test configuration for one front end.
func serveConf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "authz_host", "proxy", "proxy_http", "headers", "env", "setenvif", "alias") + fmt.Sprintf(`ServerName front.example
SetEnvIf Request_URI "^/app/noproxy" no-proxy
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
LogFormat "%%h %%l %%u \"%%r\" %%>s %%b \"%%{X-App}i\" %%v %%U%%q %%m %%H \"%%{Content-Type}o\" %%{MATCH_X}e" cmp
CustomLog %[3]s/access.log cmp
ProxyPass /both http://%[2]s/both
Redirect /both http://x.example/both
Redirect /r http://x.example/new
Redirect permanent /perm https://x.example/p
RedirectMatch "^/rm/(.*)\.html$" http://x.example/m/$1
Redirect gone /old
ProxyPass /app/health !
ProxyPass /app http://%[2]s/app
ProxyPassReverse /app http://%[2]s/app
ProxyPass /slash/ http://%[2]s/noslash
ProxyPassMatch "^/img/(.*)\.png$" http://%[2]s/png/$1
ProxyPassMatch \.gif$ http://%[2]s
ProxyPass /down http://127.0.0.1:1/
ProxyPass /timeout http://%[2]s/timeout timeout=1
<VirtualHost %[1]s>
  ServerName v.local
  ServerAlias *.wild.example
  ProxyPass /vh http://%[2]s/vh
</VirtualHost>
<VirtualHost %[1]s>
  ServerName other.local
  ErrorDocument 404 "Nothing here, sorry
  ErrorDocument 503 http://status.example/down
  ProxyPass /down http://127.0.0.1:1/
  ProxyPass /vh http://%[2]s/other
  <Location /hdr>
    ProxyPass http://%[2]s/hdr
    RequestHeader set X-Missing "%%{NOPE}e"
    RequestHeader append X-App a1
  </Location>
  <Location /keep>
    ProxyPass http://%[2]s/keep
    ProxyPreserveHost On
  </Location>
  <Location /noxf>
    ProxyPass http://%[2]s/noxf
    ProxyAddHeaders Off
  </Location>
  <Location /env>
    ProxyPass http://%[2]s/env
    SetEnv APPENV hello
    SetEnvIf User-Agent "^curlish/(\d+)" UA_MATCH=v$1
    RequestHeader set X-Env "%%{APPENV}e %%{UA_MATCH}e"
  </Location>
  <Location /envonly>
    ProxyPass http://%[2]s/envonly
    SetEnvIf X-Let-In "^yes$" LETIN
    Require env LETIN
  </Location>
  <Location /envexpr>
    ProxyPass http://%[2]s/envexpr
    SetEnvIfExpr "%%{HTTP:X-Let-In} == 'yes' && %%{REQUEST_URI} =~ m#/envexpr/x#" LETIN=expr
    SetEnvIfExpr "%%{HTTP:X-Let-In} == 'drop'" !LETIN
    RequestHeader set X-Letin "%%{LETIN}e"
    Require env LETIN
  </Location>
  <Location /deny>
    ProxyPass http://%[2]s/deny
    Require all denied
    ErrorDocument 403 "Forbidden \"here\" <b>
  </Location>
  <Location /loc>
    ProxyPass http://%[2]s/inloc
  </Location>
  <Location /xfp>
    ProxyPass http://%[2]s/xfp
    RequestHeader set X-Forwarded-Proto https
  </Location>
  <Location /loc/sub>
    ProxyPass !
  </Location>
</VirtualHost>
`, listen, backend, dir)
}

// handedOut remembers every address freePort returned: the kernel may give
// a port that was just closed to the next bind(":0"), so two targets of one
// test could otherwise be handed the same port before either listens.
var handedOut = struct {
	sync.Mutex
	addrs map[string]bool
}{addrs: map[string]bool{}}

// freePort returns a loopback address nobody listens on and that no other
// freePort call of this test binary has returned. It picks below Linux's
// ephemeral range (32768-60999): a port from bind(":0") lies inside it, and
// between our probe and Apache's or oidcgate's bind an outgoing connection
// of some other process may take it as its local port ("address already in
// use").
func freePort(t *testing.T) string {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // taken
		}
		addr := ln.Addr().String()
		ln.Close()
		handedOut.Lock()
		seen := handedOut.addrs[addr]
		handedOut.addrs[addr] = true
		handedOut.Unlock()
		if !seen {
			return addr
		}
	}
	t.Fatal("freePort: no unused loopback port in 200 tries")
	return ""
}

func waitListening(t *testing.T, addr string) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listening on %s", addr)
}

// rawRoundTrip sends req (a whole request, as written) on a new
// connection and returns the response to it, read as the answer to method
// (HEAD has no body), with its body read whole.
func rawRoundTrip(t *testing.T, addr, method, req string) (*http.Response, []byte) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, req)
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %q: %v", addr, req, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, b
}

// rawGetReq is a GET of target with Host host, Connection: close and the
// extra header lines as given.
func rawGetReq(target, host string, extra []string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + strings.Join(extra, "") + "\r\n"
}

// rawGet sends a request line and headers as given and returns the status
// and the Location header.
func rawGet(t *testing.T, addr, target, host string, extra []string) (int, string) {
	resp, _ := rawRoundTrip(t, addr, http.MethodGet, rawGetReq(target, host, extra))
	return resp.StatusCode, resp.Header.Get("Location")
}

// TestServeDifferential runs the real Apache and oidcgate on the same
// configuration in front of the same backend and compares, request by
// request, the status, the Location header and what the backend saw.
func TestServeDifferential(t *testing.T) {
	requireApache(t)
	be := newBackendRecorder(t)
	backend := be.srv.Listener.Addr().String()
	aAddr, oAddr := freePort(t), freePort(t)
	aDir, oDir := t.TempDir(), t.TempDir()
	for _, d := range []string{aDir, oDir} {
		os.Chmod(d, 0o755)
	}
	aConf, oConf := filepath.Join(aDir, "front.conf"), filepath.Join(oDir, "front.conf")
	os.WriteFile(aConf, []byte(serveConf(aAddr, backend, aDir)), 0o644)
	os.WriteFile(oConf, []byte(serveConf(oAddr, backend, oDir)), 0o644)

	apache := exec.Command(apacheBin, "-d", aDir, "-f", aConf, "-DFOREGROUND")
	apache.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if out, err := exec.Command(apacheBin, "-d", aDir, "-f", aConf, "-t").CombinedOutput(); err != nil {
		t.Fatalf("apache2 -t: %v\n%s", err, out)
	}
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { syscall.Kill(-apache.Process.Pid, syscall.SIGTERM); apache.Wait() }()
	og := exec.Command(oidcgateBin, "serve", "-d", oDir, "-f", oConf)
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the test binary
	var ogLog strings.Builder
	og.Stderr = &ogLog
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { og.Process.Signal(syscall.SIGTERM); og.Wait() }()
	waitListening(t, aAddr)
	waitListening(t, oAddr)

	cases := []struct {
		name, target, host string
		extra              []string
	}{
		{"prefix", "/app/x?q=%20a+b", "front.example", nil},
		{"normalise", "/app//x/../y/%41%2e%7e%20%3F?q=%20a+b", "front.example", nil},
		{"segment-boundary", "/appx", "front.example", nil},
		{"exclusion", "/app/health", "front.example", nil},
		{"trailing-slash-quirk", "/slash/abc", "front.example", nil},
		{"slash-unmatched", "/slash", "front.example", nil},
		{"regex-dollar", "/img/a/b.png", "front.example", nil},
		{"regex-no-dollar", "/pics/x.gif", "front.example", nil},
		{"encoded-slash", "/app/a%2Fb", "front.example", nil},
		{"dot-dot-above-root", "/x/../../etc", "front.example", nil},
		{"backend-down", "/down/x", "front.example", nil},
		{"backend-timeout", "/timeout/slow", "front.example", nil},
		{"xff-append", "/app/h", "front.example", []string{"X-Forwarded-For: 1.2.3.4\r\n"}},
		// Apache passes X-Forwarded-Proto and Forwarded through untouched,
		// and a RequestHeader set of X-Forwarded-Proto (the usual line
		// behind a TLS front end) reaches the backend.
		{"xfp-client", "/app/h", "front.example", []string{"X-Forwarded-Proto: https\r\n", "Forwarded: for=1.2.3.4;proto=https\r\n"}},
		{"xfp-requestheader", "/xfp/x", "other.local", nil},
		{"xfp-requestheader-overrides-client", "/xfp/x", "other.local", []string{"X-Forwarded-Proto: http\r\n"}},
		{"redirect-reverse", "/app/redirect", "front.example:8443", nil},
		{"vhost-name", "/vh/x", "v.local", nil},
		{"vhost-case-dot-port", "/vh/x", "V.LOCAL.:9999", nil},
		{"vhost-wildcard", "/vh/x", "a.b.wild.example", nil},
		{"vhost-other", "/vh/x", "other.local", nil},
		{"vhost-unknown-first", "/vh/x", "unknown.local", nil},
		{"absolute-uri", "http://other.local/vh/abs", "v.local", nil},
		{"request-headers", "/hdr/x", "other.local", []string{"X-App: a0\r\n"}},
		{"preserve-host", "/keep/x", "other.local:8080", nil},
		{"no-forwarded-headers", "/noxf/x", "other.local", nil},
		{"require-denied", "/deny/x", "other.local", nil},
		{"location-proxypass", "/loc/x", "other.local", nil},
		{"location-exclusion", "/loc/sub/y", "other.local", nil},
		{"authorization-passed", "/app/auth", "front.example", []string{"Authorization: Basic dTpw\r\n"}},
		{"not-found", "/nothing", "front.example", nil},
		{"setenvif-no-proxy", "/app/noproxy/x", "front.example", nil},
		{"proxypass-beats-redirect", "/both/x", "front.example", nil},
		{"redirect-prefix-query", "/r/a%20b/c?q=1", "front.example", nil},
		{"redirect-exact", "/r", "front.example", nil},
		{"redirect-boundary", "/rx", "front.example", nil},
		{"redirect-permanent", "/perm/z", "front.example", nil},
		{"redirectmatch", "/rm/a/b.html", "front.example", nil},
		{"redirect-gone", "/old/page", "front.example", nil},
		{"errordocument-text-404", "/nothing", "other.local", nil},
		{"errordocument-url-503", "/down/x", "other.local", nil},
		{"setenv-requestheader", "/env/x", "other.local", []string{"User-Agent: curlish/7\r\n"}},
		{"setenvif-no-match", "/env/y", "other.local", []string{"User-Agent: other\r\n"}},
		{"require-env-granted", "/envonly/x", "other.local", []string{"X-Let-In: yes\r\n"}},
		{"require-env-denied", "/envonly/x", "other.local", nil},
		{"setenvifexpr-granted", "/envexpr/x", "other.local", []string{"X-Let-In: yes\r\n"}},
		{"setenvifexpr-other-path", "/envexpr/y", "other.local", []string{"X-Let-In: yes\r\n"}},
		{"setenvifexpr-denied", "/envexpr/x", "other.local", nil},
		{"setenvifexpr-unset", "/envexpr/x", "other.local", []string{"X-Let-In: drop\r\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			aStatus, aLoc := rawGet(t, aAddr, c.target, c.host, c.extra)
			aSeen := be.take()
			oStatus, oLoc := rawGet(t, oAddr, c.target, c.host, c.extra)
			oSeen := be.take()
			t.Logf("apache2 %d %q %s", aStatus, aLoc, norm0(aSeen))
			if aStatus != oStatus {
				t.Errorf("status: apache2 %d, oidcgate %d", aStatus, oStatus)
			}
			if aLoc != oLoc {
				t.Errorf("Location: apache2 %q, oidcgate %q", aLoc, oLoc)
			}
			norm := func(s *seen) string {
				if s == nil {
					return "<not proxied>"
				}
				h := append([]string(nil), s.Headers...)
				sort.Strings(h)
				return fmt.Sprintf("%s %s Host=%s %v", s.Method, s.URI, s.Host, h)
			}
			if a, o := norm(aSeen), norm(oSeen); a != o {
				t.Errorf("backend saw:\n apache2:  %s\n oidcgate: %s", a, o)
			}
		})
	}
	// The access logs (CustomLog with a format free of timings) must be
	// line for line the same.
	time.Sleep(200 * time.Millisecond)
	aLog, _ := os.ReadFile(filepath.Join(aDir, "access.log"))
	oLog, _ := os.ReadFile(filepath.Join(oDir, "access.log"))
	// Lines are written once each response is finished, so two quick
	// requests may land in either order: compare them as sorted sets.
	aLines, oLines := strings.Split(string(aLog), "\n"), strings.Split(string(oLog), "\n")
	sort.Strings(aLines)
	sort.Strings(oLines)
	if len(aLines) < len(cases) {
		t.Errorf("apache2 wrote %d log lines for %d requests", len(aLines), len(cases))
	}
	for i := 0; i < len(aLines) || i < len(oLines); i++ {
		var a, o string
		if i < len(aLines) {
			a = aLines[i]
		}
		if i < len(oLines) {
			o = oLines[i]
		}
		if a != o {
			t.Errorf("access log line %d:\n apache2:  %s\n oidcgate: %s", i+1, a, o)
		}
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", ogLog.String())
	}
}

func norm0(s *seen) string {
	if s == nil {
		return "<not proxied>"
	}
	return s.URI + " Host=" + s.Host + " " + strings.Join(s.Headers, "; ")
}
