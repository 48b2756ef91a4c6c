package proxy

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestKeepAliveApply: the Connection and Keep-Alive headers Apache's
// ap_set_keepalive gives each kind of request and response.
func TestKeepAliveApply(t *testing.T) {
	for _, tc := range []struct {
		name          string
		proto, method string
		reqHdr        http.Header
		env           map[string]string
		status        int
		respHdr       http.Header
		requests      int64
		conf          string
		wantConn      string
		wantKA        string
		wantTE        string
		tls           bool
	}{
		{name: "1.0 keep-alive over TLS", proto: "HTTP/1.0", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			respHdr: http.Header{"Content-Length": {"1"}}, tls: true, wantConn: "close"},
		{name: "1.1 chunked over TLS", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			tls: true, wantConn: "Keep-Alive", wantKA: "timeout=5, max=100"},
		{name: "1.1 plain", proto: "HTTP/1.1", status: 200, respHdr: http.Header{"Content-Length": {"1"}}},
		{name: "1.1 unknown length chunks", proto: "HTTP/1.1", status: 200},
		{name: "1.1 keep-alive token", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			wantConn: "Keep-Alive", wantKA: "timeout=5, max=100"},
		{name: "1.1 third request", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"Keep-Alive"}}, status: 200, requests: 3,
			wantConn: "Keep-Alive", wantKA: "timeout=5, max=98"},
		{name: "1.1 configured", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			conf: "KeepAliveTimeout 7\nMaxKeepAliveRequests 0\n", wantConn: "Keep-Alive", wantKA: "timeout=7"},
		{name: "1.1 client closes", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"foo, close"}}, status: 200, wantConn: "close"},
		{name: "1.1 server closes", proto: "HTTP/1.1", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			respHdr: http.Header{"Connection": {"close"}}, wantConn: "close"},
		{name: "1.1 nokeepalive", proto: "HTTP/1.1", env: map[string]string{"nokeepalive": "1"}, status: 200, wantConn: "close"},
		{name: "1.1 nokeepalive via proxy", proto: "HTTP/1.1", reqHdr: http.Header{"Via": {"1.1 p"}}, env: map[string]string{"nokeepalive": "1"}, status: 200},
		{name: "1.1 force-response-1.0 ignored", proto: "HTTP/1.1", env: map[string]string{"force-response-1.0": "1"}, status: 200},
		{name: "1.1 downgraded, unknown length", proto: "HTTP/1.1", env: map[string]string{"downgrade-1.0": "1"}, status: 200,
			wantConn: "close", wantTE: "identity"},
		{name: "1.0 plain", proto: "HTTP/1.0", status: 200, respHdr: http.Header{"Content-Length": {"1"}}, wantConn: "close"},
		{name: "1.0 keep-alive", proto: "HTTP/1.0", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			respHdr: http.Header{"Content-Length": {"1"}}, wantConn: "Keep-Alive", wantKA: "timeout=5, max=100"},
		{name: "1.0 keep-alive HEAD", proto: "HTTP/1.0", method: "HEAD", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200,
			wantConn: "Keep-Alive", wantKA: "timeout=5, max=100"},
		{name: "1.0 keep-alive 304", proto: "HTTP/1.0", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 304,
			wantConn: "Keep-Alive", wantKA: "timeout=5, max=100"},
		{name: "1.0 keep-alive unknown length", proto: "HTTP/1.0", reqHdr: http.Header{"Connection": {"keep-alive"}}, status: 200, wantConn: "close"},
		{name: "1.0 force-response-1.0", proto: "HTTP/1.0", reqHdr: http.Header{"Connection": {"keep-alive"}}, env: map[string]string{"force-response-1.0": "1"},
			status: 200, respHdr: http.Header{"Content-Length": {"1"}}, wantConn: "close"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loadConfig(t, "ServerName a\n"+tc.conf)
			r := httptest.NewRequest(cmpOr(tc.method, "GET"), "/", nil)
			r.Proto = tc.proto
			r.ProtoMajor, r.ProtoMinor, _ = http.ParseHTTPVersion(tc.proto)
			if tc.reqHdr != nil {
				r.Header = tc.reqHdr
			}
			// A plain connection on which no Transfer-Encoding came.
			if !tc.tls {
				r = r.WithContext(connContext(context.Background(), &apacheErrorConn{}))
			} else {
				r.TransferEncoding = []string{"chunked"}
			}
			n := new(atomic.Int64)
			n.Store(max(tc.requests, 1))
			env := tc.env
			if env == nil {
				env = map[string]string{}
			}
			h := tc.respHdr
			if h == nil {
				h = http.Header{}
			}
			k := keepAlive{r: r, srv: cfg.Main, main: cfg.Main, env: env, requests: n}
			k.apply(h, tc.status)
			k.apply(h, 500) // once only
			if got := h.Get("Connection"); got != tc.wantConn {
				t.Errorf("Connection %q, want %q", got, tc.wantConn)
			}
			if got := h.Get("Keep-Alive"); got != tc.wantKA {
				t.Errorf("Keep-Alive %q, want %q", got, tc.wantKA)
			}
			if got := h.Get("Transfer-Encoding"); got != tc.wantTE {
				t.Errorf("Transfer-Encoding %q, want %q", got, tc.wantTE)
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestWireVersion: the pending version swap applies once, to a response
// head that is not interim, and keeps the rest of the write.
func TestWireVersion(t *testing.T) {
	for _, tc := range []struct {
		minor uint32
		write string
		want  string // "" for no swap
	}{
		{'1', "HTTP/1.0 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n"},
		{'0', "HTTP/1.1 404 Not Found\r\nX: y\r\n\r\nbody", "HTTP/1.0 404 Not Found\r\nX: y\r\n\r\nbody"},
		{'1', "HTTP/1.1 200 OK\r\n\r\n", ""},
		{'0', "HTTP/1.1 100 Continue\r\n\r\n", ""},
		{0, "HTTP/1.0 200 OK\r\n\r\n", ""},
		{'1', "body HTTP/1.0 200 OK\r\n", ""},
		{'1', "HTTP/1.0", ""},
	} {
		ac := &apacheErrorConn{}
		ac.wireMinor.Store(tc.minor)
		got := string(ac.withWireVersion([]byte(tc.write)))
		if got != tc.want {
			t.Errorf("%c %q: %q, want %q", tc.minor, tc.write, got, tc.want)
		}
		if tc.want != "" && ac.withWireVersion([]byte(tc.write)) != nil {
			t.Errorf("%q: swapped twice", tc.write)
		}
	}
}

// TestHTTP10Server: over a real connection, an HTTP/1.0 client gets an
// HTTP/1.1 status line, Apache's keep-alive headers, and a second
// request is answered only on a kept connection.
func TestHTTP10Server(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\nDocumentRoot /nonexistent\n")
	front := httptest.NewUnstartedServer(NewSite(cfg, nil, nil))
	front.Listener = apacheErrorListener{Listener: front.Listener}
	front.Config.ConnContext = connContext
	front.Start()
	defer front.Close()
	exchange := func(req string) string {
		c, err := net.Dial("tcp", front.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		go io.WriteString(c, req)
		b, _ := io.ReadAll(c)
		return string(b)
	}
	const next = "GET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		req       string
		heads     int
		wantFirst string
		wantHdr   string
	}{
		{"GET /x HTTP/1.0\r\nHost: a\r\n\r\n" + next, 1, "HTTP/1.1 404 Not Found", "Connection: close\r\n"},
		{"GET /x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n" + next, 2, "HTTP/1.1 404 Not Found", "Keep-Alive: timeout=5, max=100\r\n"},
		{"GET /x HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, 1, "HTTP/1.1 404 Not Found", "Connection: close\r\n"},
		{"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, 1, "HTTP/1.1 404 Not Found", "Connection: close\r\n"},
		{"POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next, 2, "HTTP/1.1 404 Not Found", "\r\n"},
	} {
		got := exchange(tc.req)
		if n := strings.Count(got, "HTTP/1.1 404"); n != tc.heads {
			t.Errorf("%q: %d responses, want %d:\n%s", tc.req, n, tc.heads, got)
		}
		if !strings.HasPrefix(got, tc.wantFirst+"\r\n") || !strings.Contains(got, tc.wantHdr) {
			t.Errorf("%q: got\n%s\nwant %q and %q", tc.req, got, tc.wantFirst, tc.wantHdr)
		}
	}
}

// TestFieldScan: a Transfer-Encoding line is found in any case and across
// reads; other text is not taken for it.
func TestFieldScan(t *testing.T) {
	for _, tc := range []struct {
		reads []string
		want  bool
	}{
		{[]string{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"}, true},
		{[]string{"POST / HTTP/1.0\r\ntRaNsFeR-eNcOdInG: chunked\r\n\r\n"}, true},
		{[]string{"POST / HTTP/1.0\r\nTransfer-", "Encoding: chunked\r\n\r\n"}, true},
		{[]string{"POST / HTTP/1.0\r", "\n", "T", "ransfer-Encodin", "g: x\r\n"}, true},
		{[]string{"POST / HTTP/1.0\r\nX-Transfer-Encoding: chunked\r\n\r\n"}, false},
		{[]string{"GET /transfer-encoding HTTP/1.0\r\n\r\n"}, false},
		{[]string{"GET / HTTP/1.0\r\nTransfer-Encodin\r\n\r\n"}, false},
		{nil, false},
	} {
		var s fieldScan
		for _, r := range tc.reads {
			s.scan([]byte(r), teField)
		}
		if got := s.seen.Load(); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.reads, got, tc.want)
		}
	}
}

// FuzzFieldScan: however the bytes are split into reads, fieldScan finds the
// field exactly when the whole stream holds it.
func FuzzFieldScan(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), uint8(20), uint8(3))
	f.Add([]byte("\ntransfer-encodinG"), uint8(1), uint8(1))
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), uint8(0), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, a, b uint8) {
		i, j := min(int(a), len(data)), min(int(a)+int(b), len(data))
		for _, field := range []string{teField, clField} {
			var s fieldScan
			for _, p := range [][]byte{data[:i], data[i:j], data[j:]} {
				s.scan(p, field)
			}
			want := bytes.Contains(asciiLower(data), []byte(field))
			if s.seen.Load() != want {
				t.Errorf("%q in %q split at %d,%d: %v, want %v", field, data, i, j, s.seen.Load(), want)
			}
		}
	})
}

// asciiLower lowers ASCII letters only, as the header match folds case.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// FuzzHasToken: hasToken agrees with splitting the values on commas,
// and never panics.
func FuzzHasToken(f *testing.F) {
	f.Add("keep-alive", "Keep-Alive")
	f.Add("foo, close ,bar", "close")
	f.Add(",,", "")
	f.Fuzz(func(t *testing.T, v, token string) {
		want := false
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" && strings.EqualFold(e, token) {
				want = true
			}
		}
		if got := hasToken([]string{v}, token); got != want {
			t.Errorf("hasToken(%q, %q) = %v, want %v", v, token, got, want)
		}
	})
}

// TestOwnContinue: only a 100 to a request that expects it is left to
// net/http.
func TestOwnContinue(t *testing.T) {
	r := httptest.NewRequest("POST", "/", nil)
	k := keepAlive{r: r}
	if k.ownContinue(http.StatusContinue) {
		t.Error("100 without Expect dropped")
	}
	r.Header.Set("Expect", "100-Continue")
	if !k.ownContinue(http.StatusContinue) || k.ownContinue(http.StatusEarlyHints) || k.ownContinue(http.StatusOK) {
		t.Error("with Expect: only 100 is net/http's")
	}
}
