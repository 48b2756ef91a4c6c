package compattests

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// http10Conf proxies /be to backend, redirects /moved and serves an
// empty DocumentRoot (404s), with Debian's BrowserMatch lines for old
// user agents.
func http10Conf(listen, backend, dir string) string {
	return loadModules("mpm_event", "authz_core", "proxy", "proxy_http", "alias", "setenvif") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
DocumentRoot %[3]s/www
KeepAliveTimeout 5
MaxKeepAliveRequests 100
BrowserMatch "Mozilla/2" nokeepalive
BrowserMatch "MSIE 4\.0b2;" nokeepalive downgrade-1.0 force-response-1.0
BrowserMatch "Java/1\.0" force-response-1.0
ProxyPass /be http://%[2]s
Redirect /moved http://elsewhere.example/there
`, listen, backend, dir)
}

// http10Backend answers /fixed with a Content-Length body, /stream with
// a chunked one, /echo with the request body it read (or 500 when it
// could not read it).
func http10Backend() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		switch r.URL.Path {
		case "/fixed":
			io.WriteString(w, "fixed\n")
		case "/stream":
			io.WriteString(w, "part one\n")
			w.(http.Flusher).Flush()
			io.WriteString(w, "part two\n")
		case "/echo":
			b, err := io.ReadAll(r.Body)
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			// What the backend was sent: chunked or a length.
			w.Header().Set("X-Got-Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
			w.Header().Set("X-Got-Content-Length", fmt.Sprint(r.ContentLength))
			w.Header().Set("Content-Length", fmt.Sprint(len(b)))
			w.Write(b)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
}

// exchangeAll sends req on a new connection and returns everything the
// server sent until it closed the connection (a reset after a complete
// answer counts as a close), without Date and Server lines in any
// response head and with the ServerSignature banner normalised.
func exchangeAll(t *testing.T, addr, req string) string {
	t.Helper()
	raw, err := sendUntilClose(t, addr, req)
	if err != nil && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("%s: %v (read %q)", addr, err, raw)
	}
	return normaliseHeads(string(raw))
}

var (
	volatileHeader = regexp.MustCompile(`(?mi)^(date|server): [^\r\n]*\r\n`)
	backendAddr    = regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
)

// normaliseHeads drops Date and Server lines, sorts the header lines of
// every response head (the order of header fields is not what these
// tests compare), and replaces loopback addresses (the listeners differ)
// and Apache's banner.
func normaliseHeads(s string) string {
	s = volatileHeader.ReplaceAllString(s, "")
	s = anyApacheBanner.ReplaceAllString(s, "<address>oidcgate Server at ")
	s = backendAddr.ReplaceAllString(s, "ADDR")
	var out strings.Builder
	for i := 0; i < 8 && strings.HasPrefix(s, "HTTP/"); i++ {
		head, rest, ok := strings.Cut(s, "\r\n\r\n")
		if !ok {
			break
		}
		lines := strings.Split(head, "\r\n")
		sort.Strings(lines[1:])
		out.WriteString(strings.Join(lines, "\r\n") + "\r\n\r\n")
		if strings.Contains(head, "\r\nTransfer-Encoding: chunked") {
			// How the backend's flushes split the body is not compared.
			data, after := dechunk(rest)
			out.WriteString("<dechunked>" + data)
			s = after
			continue
		}
		// The body: up to the next response head.
		n := strings.Index(rest, "HTTP/1.")
		if n < 0 {
			n = len(rest)
		}
		out.WriteString(rest[:n])
		s = rest[n:]
	}
	out.WriteString(s)
	return out.String()
}

// TestHTTP10Differential compares, on raw TCP, the whole answer (every
// response on the connection, heads but Date/Server, and whether the
// server closed the connection before answering the second, pipelined,
// request) with the real Apache for HTTP/1.0 clients and request lines
// Apache treats specially.
func TestHTTP10Differential(t *testing.T) {
	requireApache(t)
	be := http10Backend()
	defer be.Close()
	fp := startFrontPair(t, func(listen, dir string) string {
		return http10Conf(listen, be.Listener.Addr().String(), dir)
	}, func(dir string) { os.MkdirAll(filepath.Join(dir, "www"), 0o755) })
	const (
		host = "Host: front.example\r\n"
		ka   = "Connection: keep-alive\r\n"
		// next is a second request: answered only when the connection
		// stayed open after the first; it closes the connection.
		next = "GET /be/fixed HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n"
	)
	get10 := func(path, extra string) string { return "GET " + path + " HTTP/1.0\r\n" + host + extra + "\r\n" + next }
	// A case with differs set is one net/http makes impossible to match
	// (the reason); oidcgate's answer is then checked for its first status
	// line and its number of responses: it stays safe (no second request
	// read from the first one's body).
	cases := []struct {
		name, req string
		differs   string
		ogFirst   string
		ogAnswers int
	}{
		// HTTP/1.0 clients.
		{name: "1.0-proxied", req: get10("/be/fixed", "")},
		{name: "1.0-proxied-keepalive", req: get10("/be/fixed", ka)},
		{name: "1.0-404", req: get10("/nothing", "")},
		{name: "1.0-404-keepalive", req: get10("/nothing", ka)},
		{name: "1.0-redirect", req: get10("/moved", "")},
		{name: "1.0-redirect-keepalive", req: get10("/moved", ka)},
		{name: "1.0-stream", req: get10("/be/stream", "")},
		{name: "1.0-stream-keepalive", req: get10("/be/stream", ka)},
		{name: "1.0-head-keepalive", req: "HEAD /be/fixed HTTP/1.0\r\n" + host + ka + "\r\n" + next},
		{name: "1.0-keepalive-twice", req: "GET /be/fixed HTTP/1.0\r\n" + host + ka + "\r\n" + get10("/nothing", ka)},
		{name: "1.0-no-host", req: "GET /be/fixed HTTP/1.0\r\n\r\n"},
		{name: "1.0-force-response-1.0", req: get10("/be/fixed", ka+"User-Agent: Java/1.0\r\n")},
		{name: "1.0-force-response-1.0-404", req: get10("/nothing", ka+"User-Agent: Java/1.0\r\n")},
		{name: "1.0-downgrade-nokeepalive", req: get10("/be/fixed", ka+"User-Agent: Mozilla/4.0 (compatible; MSIE 4.0b2; Windows 95)\r\n")},
		{name: "1.1-force-response-1.0", req: "GET /be/fixed HTTP/1.1\r\n" + host + "User-Agent: Java/1.0\r\n\r\n" + next},
		{name: "1.1-downgrade-stream", req: "GET /be/stream HTTP/1.1\r\n" + host + "User-Agent: Mozilla/4.0 (compatible; MSIE 4.0b2; Windows 95)\r\n\r\n" + next},
		{name: "1.1-nokeepalive", req: "GET /be/fixed HTTP/1.1\r\n" + host + "User-Agent: Mozilla/2.0\r\n\r\n" + next},
		{name: "1.1-keepalive", req: "GET /be/fixed HTTP/1.1\r\n" + host + "\r\n" + next},
		{name: "1.1-keepalive-explicit", req: "GET /be/fixed HTTP/1.1\r\n" + host + ka + "\r\n" + next},
		{name: "1.1-stream", req: "GET /be/stream HTTP/1.1\r\n" + host + "\r\n" + next},
		// Request lines.
		{name: "bare-lf", req: "GET /be/fixed HTTP/1.1\n" + "Host: front.example\n\n" + next,
			differs: "net/http accepts a bare LF line ending (Apache's HttpProtocolOptions Strict refuses it)",
			ogFirst: "HTTP/1.1 200 OK", ogAnswers: 2},
		{name: "bare-lf-1.0", req: "GET /be/fixed HTTP/1.0\nHost: front.example\n\n" + next,
			differs: "net/http accepts a bare LF line ending (Apache's HttpProtocolOptions Strict refuses it)",
			ogFirst: "HTTP/1.1 200 OK", ogAnswers: 1},
		{name: "http-0.9", req: "GET /be/fixed\r\n",
			differs: "net/http refuses HTTP/0.9 request lines; Apache answers them with a bare body",
			ogFirst: "HTTP/1.1 400 Bad Request", ogAnswers: 1},
		{name: "http-0.9-root", req: "GET /\r\n",
			differs: "net/http refuses HTTP/0.9 request lines; Apache answers them with a bare body",
			ogFirst: "HTTP/1.1 400 Bad Request", ogAnswers: 1},
		{name: "http-2.0", req: "GET /be/fixed HTTP/2.0\r\n" + host + "\r\n" + next,
			differs: "net/http answers a major version other than 1 with its own 505 before any handler; Apache serves it as HTTP/1.1",
			ogFirst: "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version", ogAnswers: 1},
		{name: "http-1.2", req: "GET /be/fixed HTTP/1.2\r\n" + host + "\r\n" + next},
		{name: "http-1.10", req: "GET /be/fixed HTTP/1.10\r\n" + host + "\r\n" + next},
		{name: "http-3.0", req: "GET /be/fixed HTTP/3.0\r\n" + host + "\r\n" + next,
			differs: "net/http answers a major version other than 1 with its own 505 before any handler; Apache serves it as HTTP/1.1",
			ogFirst: "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version", ogAnswers: 1},
		{name: "lower-case-version", req: "GET /be/fixed http/1.1\r\n" + host + "\r\n" + next},
		{name: "space-before-version", req: "GET /be/fixed  HTTP/1.1\r\n" + host + "\r\n" + next},
		{name: "trailing-space", req: "GET /be/fixed HTTP/1.1 \r\n" + host + "\r\n" + next},
		{name: "tab-separator", req: "GET\t/be/fixed HTTP/1.1\r\n" + host + "\r\n" + next},
		{name: "leading-empty-line", req: "\r\nGET /be/fixed HTTP/1.1\r\n" + host + "\r\n" + next,
			differs: "net/http refuses an empty line before the request line; Apache skips it",
			ogFirst: "HTTP/1.1 400 Bad Request", ogAnswers: 1},
		// Request bodies.
		{name: "chunked-ok", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next},
		{name: "chunked-extension", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\n" + next},
		{name: "chunked-bad-size", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + next},
		{name: "chunked-no-crlf-after-data", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n" + next},
		{name: "chunked-size-overflow", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n" + next},
		{name: "chunked-bad-later-chunk", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nq\r\n\r\n" + next},
		{name: "chunked-expect-continue", req: "POST /be/echo HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next},
		{name: "length-expect-continue", req: "POST /be/echo HTTP/1.1\r\n" + host + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello" + next},
		{name: "chunked-1.0-keepalive", req: "POST /be/echo HTTP/1.0\r\n" + host + ka + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next,
			differs: "net/http ignores Transfer-Encoding on HTTP/1.0 (the backend gets an empty body); the connection is closed so the chunks are never read as a request",
			ogFirst: "HTTP/1.1 200 OK", ogAnswers: 1},
		{name: "chunked-long", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1000\r\n"+strings.Repeat("x", 4096)+"\r\n", 5) + "0\r\n\r\n" + next},
		{name: "chunked-long-bad-late", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n" + strings.Repeat("1000\r\n"+strings.Repeat("x", 4096)+"\r\n", 5) + "zz\r\n\r\n" + next},
		{name: "chunked-1.0", req: "POST /be/echo HTTP/1.0\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next,
			differs: "net/http ignores Transfer-Encoding on HTTP/1.0 (the backend gets an empty body)",
			ogFirst: "HTTP/1.1 200 OK", ogAnswers: 1},
		{name: "gzip-chunked", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next,
			differs: "net/http refuses any Transfer-Encoding but chunked before any handler with one answer (400 here); Apache gives 500",
			ogFirst: "HTTP/1.1 400 Bad Request", ogAnswers: 1},
		{name: "chunked-chunked", req: "POST /be/echo HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next,
			differs: "net/http refuses any Transfer-Encoding but chunked before any handler with one answer (400 here); Apache gives 500",
			ogFirst: "HTTP/1.1 400 Bad Request", ogAnswers: 1},
		{name: "chunked-and-length", req: "POST /be/echo HTTP/1.1\r\n" + host + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" + next},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := exchangeAll(t, fp.Apache, c.req)
			o := exchangeAll(t, fp.OIDCGate, c.req)
			t.Logf("apache2: %q", a)
			if a == "" {
				t.Fatalf("apache2 sent nothing")
			}
			if c.differs == "" {
				if a != o {
					t.Errorf("\n apache2:  %q\n oidcgate: %q", a, o)
				}
				return
			}
			// A known difference: still there, and answered as expected.
			if a == o {
				t.Errorf("oidcgate now answers as apache2 (%s): make it a plain case", c.differs)
			}
			if firstLine(o) != c.ogFirst || strings.Count(o, "HTTP/1.1 ") != c.ogAnswers {
				t.Errorf("oidcgate: %q\nwant first line %q and %d answers (%s)", o, c.ogFirst, c.ogAnswers, c.differs)
			}
		})
	}
	if t.Failed() {
		t.Logf("oidcgate log:\n%s", fp.OIDCGateLog.String())
	}
}

// dechunk decodes a chunked body at the start of s, returning the data
// and what follows the body (all of s as data when it is not chunked
// as expected).
func dechunk(s string) (data, rest string) {
	var b strings.Builder
	r := s
	for i := 0; i < 1000; i++ {
		line, after, ok := strings.Cut(r, "\r\n")
		if !ok {
			return s, ""
		}
		n, err := strconv.ParseInt(line, 16, 32)
		if err != nil || n < 0 || int(n)+2 > len(after) {
			return s, ""
		}
		if n == 0 {
			_, after, ok = strings.Cut(after, "\r\n") // no trailer fields
			if !ok {
				return s, ""
			}
			return b.String(), after
		}
		b.WriteString(after[:n])
		r = after[n+2:]
	}
	return s, ""
}
