package proxy

import (
	"bufio"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestApachePageFor: net/http's own answers become Apache's pages (the
// bodies measured on Apache 2.4.71); anything else is left alone.
func TestApachePageFor(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	_, page400 := ErrorPage{Status: 400}.Render()
	_, plain := ErrorPage{Status: 400, Notes: plainHTTPNote}.Render()
	head := "HTTP/1.1 400 Bad Request\r\nDate: Fri, 02 Jan 2026 03:04:05 GMT\r\nContent-Length: "
	for _, tc := range []struct{ name, in, want string }{
		{"malformed Host", "HTTP/1.1 400 Bad Request: malformed Host header" + goErrorHeaders + "400 Bad Request: malformed Host header", page400},
		{"bare 400", "HTTP/1.1 400 Bad Request" + goErrorHeaders + "400 Bad Request", page400},
		{"431", "HTTP/1.1 431 Request Header Fields Too Large" + goErrorHeaders + "431 Request Header Fields Too Large", page400},
		{"unsupported Transfer-Encoding", "HTTP/1.1 501 Not Implemented" + goErrorHeaders + "Unsupported transfer encoding", page400},
		{"plain HTTP to TLS", goTLSPlainHTTP, plain},
		{"505 kept", "HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version" + goErrorHeaders + "505 HTTP Version Not Supported: unsupported protocol version", ""},
		{"handler response", "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\n\r\n400 Bad Request", ""},
		{"body differs", "HTTP/1.1 400 Bad Request" + goErrorHeaders + "something else", ""},
		{"501 from elsewhere", "HTTP/1.1 501 Not Implemented" + goErrorHeaders + "501 Not Implemented", ""},
		{"not a response", "hello", ""},
	} {
		got := string(apachePageFor([]byte(tc.in), nil, now))
		if tc.want == "" {
			if got != "" {
				t.Errorf("%s: rewritten to %q", tc.name, got)
			}
			continue
		}
		if !strings.HasPrefix(got, head) || !strings.HasSuffix(got, "\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n"+tc.want) {
			t.Errorf("%s: got %q", tc.name, got)
		}
	}
	if !strings.Contains(plain, "<br />\nReason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n</p>\n") {
		t.Errorf("plain HTTP page %q", plain)
	}
}

// FuzzApachePageFor: any write is either passed through or replaced by a
// complete 400 page, never a panic.
func FuzzApachePageFor(f *testing.F) {
	f.Add([]byte("HTTP/1.1 400 Bad Request" + goErrorHeaders + "400 Bad Request"))
	f.Add([]byte(goTLSPlainHTTP))
	f.Add([]byte("HTTP/1.1 200 OK\r\n\r\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		if out := apachePageFor(p, nil, time.Now()); out != nil && !strings.HasPrefix(string(out), "HTTP/1.1 400 Bad Request\r\n") {
			t.Fatalf("%q -> %q", p, out)
		}
	})
}

// TestApacheErrorListener: through the wrapped listener, a malformed
// request gets Apache's page, plain HTTP on a TLS port mod_ssl's page,
// and well-formed requests (over TLS too) are served as before.
func TestApacheErrorListener(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	raw := func(addr, req string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, req)
		b, _ := io.ReadAll(c)
		return string(b)
	}
	plainSrv := httptest.NewUnstartedServer(ok)
	plainSrv.Listener = apacheErrorListener{Listener: plainSrv.Listener}
	plainSrv.Start()
	defer plainSrv.Close()
	addr := plainSrv.Listener.Addr().String()
	if got := raw(addr, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(got, "<h1>Bad Request</h1>") {
		t.Errorf("malformed Host: %q", got)
	}
	if got := raw(addr, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(got, "ok") {
		t.Errorf("well-formed: %q", got)
	}
	tlsSrv := httptest.NewUnstartedServer(ok)
	tlsSrv.Listener = apacheErrorListener{Listener: tlsSrv.Listener}
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	if got := raw(tlsSrv.Listener.Addr().String(), "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(got, "You're speaking plain HTTP") {
		t.Errorf("plain HTTP to TLS: %q", got)
	}
	c, err := tls.Dial("tcp", tlsSrv.Listener.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("over TLS: %v %v", resp, err)
	}
}
