package proxy

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStatusReason: on a plain HTTP/1 connection through the wrapped
// listener, the status line carries a backend's reason phrase and
// Apache's own ("Proxy Error", "Request-URI Too Long") as Apache writes
// them; a swap a response did not use does not leak into the next one.
func TestStatusReason(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, bw, _ := w.(http.Hijacker).Hijack()
		defer c.Close()
		switch r.URL.Path {
		case "/custom":
			bw.WriteString("HTTP/1.1 404 File not found\r\nContent-Length: 2\r\n\r\nno")
		case "/ctl":
			bw.WriteString("HTTP/1.1 404 Not\x01Found\r\nContent-Length: 2\r\n\r\nno")
		case "/plain":
			bw.WriteString("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno")
		}
		bw.Flush()
	}))
	defer be.Close()
	cfg := loadConfig(t, fmt.Sprintf("ServerName a\nProxyPass / http://%s/\n", be.Listener.Addr()))
	front := httptest.NewUnstartedServer(NewSite(cfg, nil, nil))
	front.Listener = apacheErrorListener{Listener: front.Listener}
	front.Config.ConnContext = connContext
	front.Start()
	defer front.Close()
	c, err := net.Dial("tcp", front.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for _, tc := range []struct{ req, want string }{
		{"GET /custom HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 404 File not found"},
		{"GET /plain HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 404 Not Found"},
		{"GET /ctl HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 404 Not Found"},
		// Apache answers HTTP/1.0 with HTTP/1.1 (http10.go).
		{"GET /custom HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", "HTTP/1.1 404 File not found"},
		{"GET /plain HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n", "HTTP/1.1 404 Not Found"},
	} {
		io.WriteString(c, tc.req)
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", tc.req, err)
		}
		if got := strings.TrimSuffix(line, "\r\n"); got != tc.want {
			t.Errorf("%q: status line %q, want %q", tc.req, got, tc.want)
		}
		resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(strings.NewReader("HTTP/1.1 200 OK\r\n"), br)), nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
	}
}

// TestSwapStatusLine: the swap applies once, to a write that starts with
// the expected status line, and never to another.
func TestSwapStatusLine(t *testing.T) {
	client, server := net.Pipe()
	defer client.Close()
	ac := &apacheErrorConn{Conn: server}
	ac.rewrite.Store(&statusLineRewrite{from: []byte("HTTP/1.1 502 Bad Gateway\r\n"), to: []byte("HTTP/1.1 502 Proxy Error\r\n")})
	got := make(chan string, 1)
	go func() { b, _ := io.ReadAll(client); got <- string(b) }()
	for _, w := range []string{"body HTTP/1.1 502 Bad Gateway\r\n", "HTTP/1.0 502 Bad Gateway\r\nX: 1\r\n\r\n", "HTTP/1.1 502 Bad Gateway\r\n"} {
		if n, err := ac.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("write %q: %d %v", w, n, err)
		}
	}
	server.Close()
	// The version written is kept (HTTP/1.0 under force-response-1.0).
	if want := "body HTTP/1.1 502 Bad Gateway\r\nHTTP/1.0 502 Proxy Error\r\nX: 1\r\n\r\nHTTP/1.1 502 Bad Gateway\r\n"; <-got != want {
		t.Errorf("wrote something else than %q", want)
	}
}

// TestSetStatusReason: which requests get a swap, and its bytes.
func TestSetStatusReason(t *testing.T) {
	for _, tc := range []struct {
		proto        string
		tls          bool
		status       int
		reason, want string
	}{
		{"HTTP/1.1", false, 502, "Proxy Error", "HTTP/1.1 502 Bad Gateway\r\n -> HTTP/1.1 502 Proxy Error\r\n"},
		{"HTTP/1.1", false, 414, "Request-URI Too Long", "HTTP/1.1 414 Request URI Too Long\r\n -> HTTP/1.1 414 Request-URI Too Long\r\n"},
		// The minor version is the one written (swapStatusLine keeps it).
		{"HTTP/1.0", false, 599, "Odd", "HTTP/1.1 599 status code 599\r\n -> HTTP/1.1 599 Odd\r\n"},
		{"HTTP/1.1", false, 404, "Not Found", ""},
		{"HTTP/1.1", false, 404, "", ""},
		{"HTTP/1.1", true, 502, "Proxy Error", ""},
		{"HTTP/2.0", false, 502, "Proxy Error", ""},
	} {
		ac := &apacheErrorConn{}
		r := httptest.NewRequest("GET", "/", nil)
		r.Proto = tc.proto
		r.ProtoMajor, r.ProtoMinor, _ = http.ParseHTTPVersion(tc.proto)
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		r = r.WithContext(connContext(context.Background(), ac))
		setStatusReason(r, tc.status, tc.reason)
		got := ""
		if rw := ac.rewrite.Load(); rw != nil {
			got = string(rw.from) + " -> " + string(rw.to)
		}
		if got != tc.want {
			t.Errorf("%+v: %q, want %q", tc, got, tc.want)
		}
		resetStatusReason(r)
		if ac.rewrite.Load() != nil {
			t.Errorf("%+v: not reset", tc)
		}
	}
}
