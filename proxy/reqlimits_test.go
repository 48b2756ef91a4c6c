package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestLimitsCheck: a line (request line or header field, without
// its CRLF) of up to limit+1 bytes passes, as on Apache 2.4.71.
func TestRequestLimitsCheck(t *testing.T) {
	l := requestLimits{line: 30, fieldSize: 20, fields: 3}
	mk := func(target string, hdr ...string) *http.Request {
		r := &http.Request{Method: "GET", RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Host: "h", Header: http.Header{}}
		for _, h := range hdr {
			k, v, _ := strings.Cut(h, ": ")
			r.Header.Add(k, v)
		}
		return r
	}
	p := func(n int) string { return "/" + strings.Repeat("a", n-1) }
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
		note   string
	}{
		{"line at limit+1", mk(p(31 - 13)), 0, ""}, // "GET " + target + " HTTP/1.1" = 31
		{"line over", mk(p(32 - 13)), 414, ""},
		{"field at limit+1", mk("/", "X-A: "+strings.Repeat("b", 16)), 0, ""}, // 21
		{"field over", mk("/", "X-A: "+strings.Repeat("b", 17)), 400, "Size of a request header field exceeds server limit."},
		{"second value over", mk("/", "X-A: b", "X-A: "+strings.Repeat("b", 17)), 400, "Size of a request header field exceeds server limit."},
		{"fields at limit (Host counts)", mk("/", "X-A: 1", "X-B: 1"), 0, ""},
		{"too many fields", mk("/", "X-A: 1", "X-B: 1", "X-C: 1"), 400, "The number of request header fields exceeds this server's limit."},
		{"repeated field counts each time", mk("/", "X-A: 1", "X-A: 1", "X-A: 1"), 400, "The number of request header fields exceeds this server's limit."},
	} {
		st, note := l.check(tc.r)
		if st != tc.status || note != tc.note {
			t.Errorf("%s: got %d %q, want %d %q", tc.name, st, note, tc.status, tc.note)
		}
	}
	long := &http.Request{Method: "GET", RequestURI: p(100), Proto: "HTTP/2.0", ProtoMajor: 2, Header: http.Header{}}
	if st, _ := l.check(long); st != 0 {
		t.Errorf("HTTP/2 request limited: %d", st)
	}
	unl := requestLimits{line: 30, fieldSize: 20, fields: 0}
	if st, _ := unl.check(mk("/", "X-A: 1", "X-B: 1", "X-C: 1", "X-D: 1")); st != 0 {
		t.Errorf("LimitRequestFields 0 limited: %d", st)
	}
	zero := requestLimits{line: 0, fieldSize: 0, fields: 0}
	if st, _ := zero.check(mk("/")); st != 414 {
		t.Errorf("LimitRequestLine 0: %d, want 414", st)
	}
}

// TestRequestLimitsOf: defaults, the main server's values (0 included),
// and a virtual host's 0 inheriting the main server's value.
func TestRequestLimitsOf(t *testing.T) {
	for _, tc := range []struct {
		conf string
		want requestLimits
	}{
		{"", requestLimits{8190, 8190, 100}},
		{"LimitRequestLine 100\nLimitRequestFieldSize 50\nLimitRequestFields 0\n", requestLimits{100, 50, 0}},
		{"LimitRequestLine 0\n", requestLimits{0, 8190, 100}},
		{"LimitRequestLine 100\n<VirtualHost *:80>\nLimitRequestLine 0\nLimitRequestFields 7\n</VirtualHost>\n", requestLimits{100, 8190, 7}},
	} {
		cfg := loadConfig(t, "ServerName a\n"+tc.conf)
		srv := cfg.Main
		if len(cfg.VHosts) > 0 {
			srv = cfg.VHosts[0]
		}
		if got := requestLimitsOf(srv, cfg.Main); got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.conf, got, tc.want)
		}
	}
	if got := (requestLimits{8190, 8190, 100}).maxHeaderBytes(); got != http.DefaultMaxHeaderBytes {
		t.Errorf("default MaxHeaderBytes %d", got)
	}
	if got := (requestLimits{8190, 65536, 1000}).maxHeaderBytes(); got != maxHeaderBytesCap {
		t.Errorf("capped MaxHeaderBytes %d", got)
	}
}

// TestRequestLimitsServe: over-limit requests get Apache's page, status
// line and Connection: close, and never reach the backend; the limits
// are the address's default server's, not a name-based virtual host's.
func TestRequestLimitsServe(t *testing.T) {
	var hits atomic.Int64
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer be.Close()
	cfg := loadConfig(t, fmt.Sprintf("ServerName a\nLimitRequestLine 60\nLimitRequestFields 4\nProxyPass / http://%s/\n"+
		"<VirtualHost *>\nServerName a\nProxyPass / http://%[1]s/\n</VirtualHost>\n"+
		"<VirtualHost *>\nServerName small\nLimitRequestLine 20\nLimitRequestFieldSize 10\nProxyPass / http://%[1]s/\n</VirtualHost>\n", be.Listener.Addr()))
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	do := func(req string) string {
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, req)
		raw, _ := io.ReadAll(c)
		return string(raw)
	}
	p := "/" + strings.Repeat("a", 60-13) // "GET " + p + " HTTP/1.1" = 61
	for _, tc := range []struct {
		name, req, wantHead, wantNote string
		proxied                       bool
	}{
		{"line at limit+1", "GET " + p + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK\r\n", "", true},
		{"line over", "GET " + p + "b HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "HTTP/1.1 414 Request-URI Too Long\r\n", "requested URL's length exceeds", false},
		{"name-based vhost's limits do not apply", "GET /0123456789abcdef HTTP/1.1\r\nHost: small\r\nX-Long: 0123456789abcdef\r\nConnection: close\r\n\r\n", "HTTP/1.1 200 OK\r\n", "", true},
		{"too many fields", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nConnection: close\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "<br />\nThe number of request header fields exceeds this server's limit.</p>", false},
		{"head line over: the page all the same", "HEAD " + p + "b HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 414 Request-URI Too Long\r\n", "requested URL's length exceeds", false},
		{"head too many fields: no body", "HEAD / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "", false},
	} {
		before := hits.Load()
		got := do(tc.req)
		if !strings.HasPrefix(got, tc.wantHead) {
			t.Errorf("%s: got %q", tc.name, got)
			continue
		}
		if (hits.Load() > before) != tc.proxied {
			t.Errorf("%s: backend reached %v, want %v", tc.name, hits.Load() > before, tc.proxied)
		}
		if !tc.proxied {
			head, body, _ := strings.Cut(got, "\r\n\r\n")
			if !strings.Contains(head, "\r\nConnection: close\r\n") || !strings.Contains(head, "Content-Type: text/html; charset=iso-8859-1") {
				t.Errorf("%s: head %q", tc.name, head)
			}
			if (strings.HasPrefix(tc.req, "HEAD") && !strings.HasPrefix(got, "HTTP/1.1 414")) != (body == "") || !strings.Contains(body, tc.wantNote) {
				t.Errorf("%s: body %q", tc.name, body)
			}
		}
	}
}

// TestWriteRawTo pins the response head's bytes.
func TestWriteRawTo(t *testing.T) {
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeRawTo(bw, earlyPage{status: 414, reason: "Request-URI Too Long", body: "x\n"}, false, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	bw.Flush()
	want := "HTTP/1.1 414 Request-URI Too Long\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nContent-Length: 2\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\nx\n"
	if b.String() != want {
		t.Errorf("got %q", b.String())
	}
	b.Reset()
	writeRawTo(bw, earlyPage{status: 400, reason: "Bad Request", body: "x\n"}, true, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	bw.Flush()
	if want := "HTTP/1.1 400 Bad Request\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"; b.String() != want {
		t.Errorf("HEAD: got %q", b.String())
	}
}

// TestEarlyPageFor: the server's ErrorDocument (text, URL) answers an
// early error; a local path falls back to the canned page; the footer is
// the default server's.
func TestEarlyPageFor(t *testing.T) {
	for _, tc := range []struct {
		conf     string
		status   int
		want     earlyPage
		contains string
	}{
		{"ErrorDocument 414 \"too long\"\n", 414, earlyPage{status: 414, reason: "Request-URI Too Long", body: "too long"}, ""},
		{"ErrorDocument 400 http://e.example/x\n", 400, earlyPage{status: 302, reason: "Found", location: "http://e.example/x"}, `<a href="http://e.example/x">here</a>`},
		{"ErrorDocument 400 /local.html\n", 400, earlyPage{status: 400, reason: "Bad Request"}, "<h1>Bad Request</h1>"},
		{"ServerSignature On\n", 400, earlyPage{status: 400, reason: "Bad Request"}, "<address>oidcgate Server at a Port 80</address>"},
	} {
		cfg := loadConfig(t, "ServerName a\n"+tc.conf)
		got := earlyPageFor(cfg.Main, tc.status, "", "GET", nil)
		body := got.body
		if tc.contains != "" {
			if !strings.Contains(body, tc.contains) {
				t.Errorf("%q: body %q", tc.conf, body)
			}
			got.body = ""
		}
		if got != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.conf, got, tc.want)
		}
	}
}
