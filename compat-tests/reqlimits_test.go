package compattests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// reqLimitsConf proxies everything to backend; limits is put in the main
// server. Two name-based virtual hosts share the address: the first
// (d.example) is the address's default server, the second (n.example)
// sets its own limits, which Apache never applies.
func reqLimitsConf(listen, backend, dir, limits string) string {
	return loadModules("mpm_event", "authz_core", "proxy", "proxy_http") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
CustomLog %[3]s/access.log "%%h \"%%r\" %%>s %%b"
%[4]s
<VirtualHost %[1]s>
  ServerName d.example
  ProxyPass / http://%[2]s/
</VirtualHost>
<VirtualHost %[1]s>
  ServerName n.example
  LimitRequestLine 20
  LimitRequestFieldSize 10
  LimitRequestFields 1
  ProxyPass / http://%[2]s/
</VirtualHost>
`, listen, backend, dir, limits)
}

// anyApacheBanner is Apache's ServerSignature banner, with mod_ssl's part.
var anyApacheBanner = regexp.MustCompile(`<address>Apache/[0-9.]+ \(Debian\)( OpenSSL/[0-9.a-z]+)? Server at `)

// rawExchange sends req on a new connection and returns what came back
// until the server closed it, without Date and Server lines.
func rawExchange(t *testing.T, addr, req string) string {
	t.Helper()
	raw, err := sendUntilClose(t, addr, req)
	if err != nil {
		t.Fatalf("%s: %v (read %q)", addr, err, raw)
	}
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	// ServerSignature names oidcgate where Apache names itself; the
	// length follows the banner.
	nb := anyApacheBanner.ReplaceAllString(body, "<address>oidcgate Server at ")
	var keep []string
	for _, l := range strings.Split(head, "\r\n") {
		k, _, _ := strings.Cut(strings.ToLower(l), ":")
		if k == "date" || k == "server" {
			continue
		}
		if k == "content-length" && nb != body {
			l = fmt.Sprintf("Content-Length: %d", len(nb))
		}
		keep = append(keep, l)
	}
	body = nb
	return strings.Join(keep, "\r\n") + "\r\n\r\n" + body
}

// TestRequestLimitsDifferential compares LimitRequestLine,
// LimitRequestFieldSize and LimitRequestFields, at their defaults and
// configured, with the real Apache: the exact response (status line,
// headers but Date/Server, page) and whether the backend was reached.
func TestRequestLimitsDifferential(t *testing.T) {
	requireApache(t)
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "backend\n")
	}))
	defer be.Close()
	backend := be.Listener.Addr().String()
	line := func(n int) string { // a request line of n bytes
		return "GET /" + strings.Repeat("a", n-14) + " HTTP/1.1\r\n"
	}
	field := func(n int) string { // a header field line of n bytes
		return "X-Long: " + strings.Repeat("b", n-8) + "\r\n"
	}
	fields := func(n int) string { // n fields besides Host
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "X-F%d: %d\r\n", i, i)
		}
		return b.String()
	}
	const end = "Connection: close\r\n\r\n"
	type tcase struct{ name, req string }
	for _, set := range []struct {
		name, limits string
		cases        []tcase
	}{
		{"defaults", "", []tcase{
			{"line-8191", line(8191) + "Host: d.example\r\n" + end},
			{"line-8192", line(8192) + "Host: d.example\r\n" + end},
			{"field-8191", "GET / HTTP/1.1\r\nHost: d.example\r\n" + field(8191) + end},
			{"field-8192", "GET / HTTP/1.1\r\nHost: d.example\r\n" + field(8192) + end},
			{"fields-100", "GET / HTTP/1.1\r\nHost: d.example\r\n" + fields(98) + end},
			{"fields-101", "GET / HTTP/1.1\r\nHost: d.example\r\n" + fields(99) + end},
			{"head-line-8192", "HEAD" + line(8193)[3:] + "Host: d.example\r\n" + end},
		}},
		{"configured", "LimitRequestLine 100\nLimitRequestFieldSize 50\nLimitRequestFields 5\nServerAdmin admin@example.com\nServerSignature On", []tcase{
			{"line-101", line(101) + "Host: d.example\r\n" + end},
			{"line-102", line(102) + "Host: d.example\r\n" + end},
			{"field-51", "GET / HTTP/1.1\r\nHost: d.example\r\n" + field(51) + end},
			{"field-52", "GET / HTTP/1.1\r\nHost: d.example\r\n" + field(52) + end},
			{"head-field-52", "HEAD / HTTP/1.1\r\nHost: d.example\r\n" + field(52) + end},
			{"fields-5", "GET / HTTP/1.1\r\nHost: d.example\r\n" + fields(3) + end},
			{"fields-6", "GET / HTTP/1.1\r\nHost: d.example\r\n" + fields(4) + end},
			{"name-vhost-line", line(60) + "Host: n.example\r\n" + end},
			{"name-vhost-field", "GET / HTTP/1.1\r\nHost: n.example\r\n" + field(40) + end},
			{"name-vhost-fields", "GET / HTTP/1.1\r\nHost: n.example\r\n" + fields(2) + end},
			{"name-vhost-over-main", line(102) + "Host: n.example\r\n" + end},
		}},
		{"errordocument", "LimitRequestLine 100\nErrorDocument 414 \"too long\"\nErrorDocument 400 http://elsewhere.example/bad\nServerSignature On", []tcase{
			{"line-102-text", line(102) + "Host: d.example\r\n" + end},
			{"field-8192-url", "GET / HTTP/1.1\r\nHost: d.example\r\n" + field(8192) + end},
		}},
	} {
		t.Run(set.name, func(t *testing.T) {
			fp := startFrontPair(t, func(listen, dir string) string { return reqLimitsConf(listen, backend, dir, set.limits) }, func(dir string) {
				os.MkdirAll(filepath.Join(dir, "www"), 0o755)
			})
			for _, c := range set.cases {
				t.Run(c.name, func(t *testing.T) {
					h0 := hits.Load()
					a := rawExchange(t, fp.Apache, c.req)
					h1 := hits.Load()
					o := rawExchange(t, fp.OIDCGate, c.req)
					h2 := hits.Load()
					aHit, oHit := h1 > h0, h2 > h1
					if strings.Contains(a, "HTTP/1.1 200 ") {
						// The backend's answer: compare the status line only
						// (each front adds its own headers).
						a, o = firstLine(a), firstLine(o)
					}
					t.Logf("apache2 (backend reached %v): %q", aHit, a)
					if a != o || aHit != oHit {
						t.Errorf("\n apache2  (backend %v): %q\n oidcgate (backend %v): %q", aHit, a, oHit, o)
					}
				})
			}
			// The access log lines (the refused requests are logged, a
			// request line over the limit cut after limit+1 bytes).
			a, o := waitLogLines(t, filepath.Join(fp.ApacheDir, "access.log"), len(set.cases)), waitLogLines(t, filepath.Join(fp.OIDCGateDir, "access.log"), len(set.cases))
			// Compared as sets: Apache writes a line once the response is
			// out, so on a loaded machine a request's line can follow the
			// next one's (seen in the full suite).
			slices.Sort(a)
			slices.Sort(o)
			for i := range max(len(a), len(o)) {
				var al, ol string
				if i < len(a) {
					al = a[i]
				}
				if i < len(o) {
					ol = o[i]
				}
				if strings.Contains(set.limits, "ServerSignature On") {
					// %b counts the banner, which differs by design.
					al, ol = al[:max(0, strings.LastIndexByte(al, ' '))], ol[:max(0, strings.LastIndexByte(ol, ' '))]
				}
				if al != ol {
					t.Errorf("access log line %d:\n apache2:  %.300q\n oidcgate: %.300q", i+1, al, ol)
				}
			}
			if t.Failed() {
				t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
			}
		})
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	return l
}

// waitLogLines reads a log until it has n lines (Apache writes a line
// after the response), for at most 5 seconds.
func waitLogLines(t *testing.T, path string, n int) []string {
	t.Helper()
	var lines []string
	for i := 0; i < 50; i++ {
		b, _ := os.ReadFile(path)
		lines = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(b) > 0 && len(lines) >= n {
			return lines
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("%s: %d lines, want %d", path, len(lines), n)
	return lines
}

// sendUntilClose sends req as written on a new connection (while reading,
// so a server answering early cannot block the write) and returns what
// the server sent until it closed the connection, with the read's error.
func sendUntilClose(t *testing.T, addr, req string) ([]byte, error) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	go io.WriteString(c, req)
	return io.ReadAll(c)
}
