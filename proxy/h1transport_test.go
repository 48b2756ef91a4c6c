package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawBackend is a backend whose answers are written byte for byte: answer
// gets the connection's number (from 0), the request's number on it and
// the request, and writes the response; returning false closes the
// connection.
type rawBackend struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
	reqs  []string // "conn/req METHOD path"
	wg    sync.WaitGroup
}

func newRawBackend(t *testing.T, answer func(conn, n int, r *http.Request, w io.Writer) bool) *rawBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &rawBackend{ln: ln}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			ci := b.conns
			b.conns++
			b.mu.Unlock()
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for n := 0; n < 100; n++ {
					r, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					io.Copy(io.Discard, r.Body)
					b.mu.Lock()
					b.reqs = append(b.reqs, fmt.Sprintf("%d/%d %s %s", ci, n, r.Method, r.URL.Path))
					b.mu.Unlock()
					if !answer(ci, n, r, c) {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); b.wg.Wait() })
	return b
}

func (b *rawBackend) connCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.conns
}

func (b *rawBackend) url(path string) string { return "http://" + b.ln.Addr().String() + path }

func newTestH1(timeout time.Duration) *h1Transport {
	fb := &http.Transport{DisableCompression: true, ResponseHeaderTimeout: timeout}
	return newH1Transport(fb, time.Second, timeout, 0, 8)
}

func doH1(t *testing.T, tr http.RoundTripper, method, url string) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body), err
}

const okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

func TestH1KeepAliveReuse(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		io.WriteString(w, okResponse)
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	for i := range 10 {
		resp, body, err := doH1(t, tr, "GET", be.url("/x"))
		if err != nil || resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("request %d: %v %v %q", i, err, resp, body)
		}
	}
	if n := be.connCount(); n != 1 {
		t.Errorf("10 sequential requests used %d connections, want 1", n)
	}
	tr.mu.Lock()
	idle := len(tr.idle[be.ln.Addr().String()])
	tr.mu.Unlock()
	if idle != 1 {
		t.Errorf("%d idle connections in the synchronous pool, want 1 (the request went elsewhere?)", idle)
	}
}

// TestH1BackendClosesReused: a backend that closes a kept-alive connection
// (after its response, or on reading the next request without answering)
// costs no error: the request is sent again on a new connection.
func TestH1BackendClosesReused(t *testing.T) {
	for name, closeAfterRead := range map[string]bool{"closed while idle": false, "closed on the next request": true} {
		t.Run(name, func(t *testing.T) {
			be := newRawBackend(t, func(_, n int, r *http.Request, w io.Writer) bool {
				if n == 1 {
					return false // read the second request, no answer, close
				}
				io.WriteString(w, okResponse)
				return closeAfterRead
			})
			tr := newTestH1(time.Second)
			defer tr.CloseIdleConnections()
			for i := range 3 {
				if !closeAfterRead {
					time.Sleep(20 * time.Millisecond) // let the FIN arrive
				}
				resp, body, err := doH1(t, tr, "GET", be.url("/x"))
				if err != nil || resp.StatusCode != 200 || body != "ok" {
					t.Fatalf("request %d: %v %q", i, err, body)
				}
			}
			if n := be.connCount(); n < 2 {
				t.Errorf("%d connections, want a new one after the backend closed", n)
			}
		})
	}
}

// TestH1FreshConnectionClosedNotRetried: a new connection that the backend
// closes without answering is an error (http.Transport does not retry
// either: the backend may refuse the request itself).
func TestH1FreshConnectionClosedNotRetried(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool { return false })
	tr := newTestH1(time.Second)
	if _, _, err := doH1(t, tr, "GET", be.url("/x")); err == nil {
		t.Fatal("no error from a backend that closed without answering")
	}
	if n := be.connCount(); n != 1 {
		t.Errorf("%d connections, want 1 (no retry on a fresh connection)", n)
	}
}

// TestH1TruncatedBody: a body shorter than its Content-Length is an error
// to the reader, and its connection is not reused.
func TestH1TruncatedBody(t *testing.T) {
	be := newRawBackend(t, func(c, _ int, r *http.Request, w io.Writer) bool {
		if c == 0 {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
			return false
		}
		io.WriteString(w, okResponse)
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	_, body, err := doH1(t, tr, "GET", be.url("/x"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated body: err %v body %q, want unexpected EOF", err, body)
	}
	if _, body, err := doH1(t, tr, "GET", be.url("/y")); err != nil || body != "ok" {
		t.Fatalf("after a truncated body: %v %q", err, body)
	}
	if n := be.connCount(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// TestH1ChunkedTrailers: a chunked body with trailers arrives whole, the
// trailers with it, and the connection is reused.
func TestH1ChunkedTrailers(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		io.WriteString(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"+
			"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n")
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	for i := range 2 {
		resp, body, err := doH1(t, tr, "GET", be.url("/x"))
		if err != nil || body != "hello world" {
			t.Fatalf("request %d: %v %q", i, err, body)
		}
		if got := resp.Trailer.Get("X-Sum"); got != "42" {
			t.Errorf("trailer X-Sum %q, want 42", got)
		}
	}
	if n := be.connCount(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestH1Head: a HEAD response's Content-Length announces no body to read;
// the connection carries the next request.
func TestH1Head(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		if r.Method == "HEAD" {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
		} else {
			io.WriteString(w, okResponse)
		}
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	resp, body, err := doH1(t, tr, "HEAD", be.url("/x"))
	if err != nil || body != "" || resp.ContentLength != 1000 {
		t.Fatalf("HEAD: %v %q length %d", err, body, resp.ContentLength)
	}
	if _, body, err := doH1(t, tr, "GET", be.url("/x")); err != nil || body != "ok" {
		t.Fatalf("GET after HEAD: %v %q", err, body)
	}
	if n := be.connCount(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestH1Unsolicited: bytes a backend sends on an idle connection (here, a
// body after a HEAD response) are not read as the next response: the
// connection is dropped.
func TestH1Unsolicited(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		if r.Method == "HEAD" {
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
			time.Sleep(10 * time.Millisecond)
			io.WriteString(w, "ok") // a body that HEAD does not have
		} else {
			io.WriteString(w, okResponse)
		}
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	if _, _, err := doH1(t, tr, "HEAD", be.url("/x")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	resp, body, err := doH1(t, tr, "GET", be.url("/x"))
	if err != nil || resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("GET after an unsolicited body: %v %q", err, body)
	}
}

// TestH1Informational: 1xx responses go to the request's trace (which
// ReverseProxy forwards to the client), then the final response.
func TestH1Informational(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		io.WriteString(w, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"+okResponse)
		return true
	})
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	var got []string
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
		got = append(got, fmt.Sprint(code, " ", h.Get("Link")))
		return nil
	}}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", be.url("/x"), nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Errorf("final response %d %q", resp.StatusCode, body)
	}
	if want := "103 </a.css>; rel=preload"; len(got) != 1 || got[0] != want {
		t.Errorf("1xx seen %q, want [%q]", got, want)
	}
}

// TestH1HeaderTimeout: a backend that does not answer within the timeout
// gives a timeout error, as http.Transport's ResponseHeaderTimeout does.
func TestH1HeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		<-release
		return false
	})
	defer close(release)
	tr := newTestH1(100 * time.Millisecond)
	_, _, err := doH1(t, tr, "GET", be.url("/x"))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || isDialError(err) {
		t.Fatalf("err %v, want a read timeout", err)
	}
}

// TestH1ClientGone: a request whose context ends while it waits for the
// backend returns the context's error.
func TestH1ClientGone(t *testing.T) {
	release := make(chan struct{})
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		<-release
		return false
	})
	defer close(release)
	tr := newTestH1(10 * time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", be.url("/x"), nil)
	if _, err := tr.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// TestH1ConnectionClose: a response with Connection: close (or from an
// HTTP/1.0 backend without keep-alive) does not leave its connection in
// the pool.
func TestH1ConnectionClose(t *testing.T) {
	for name, resp := range map[string]string{
		"Connection: close": "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.0":          "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"body to EOF":       "HTTP/1.1 200 OK\r\n\r\nok",
	} {
		t.Run(name, func(t *testing.T) {
			be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
				io.WriteString(w, resp)
				return !strings.Contains(name, "EOF")
			})
			tr := newTestH1(time.Second)
			defer tr.CloseIdleConnections()
			for i := range 2 {
				if _, body, err := doH1(t, tr, "GET", be.url("/x")); err != nil || body != "ok" {
					t.Fatalf("request %d: %v %q", i, err, body)
				}
			}
			if n := be.connCount(); n != 2 {
				t.Errorf("%d connections, want 2 (none reused)", n)
			}
		})
	}
}

// TestH1Fallback: what the synchronous path does not take goes to the
// http.Transport, and still works.
func TestH1Fallback(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s", r.Method, b)
	}))
	defer be.Close()
	tr := newTestH1(time.Second)
	defer tr.CloseIdleConnections()
	for _, c := range []struct {
		method, body string
		header       string
	}{{"POST", "data", ""}, {"DELETE", "", ""}, {"GET", "", "Upgrade"}} {
		req, _ := http.NewRequest(c.method, be.URL+"/", strings.NewReader(c.body))
		if c.body == "" {
			req.Body, req.ContentLength = nil, 0
		}
		if c.header != "" {
			req.Header.Set(c.header, "x")
		}
		if tr.eligible(req) {
			t.Errorf("%s %q %s: taken by the synchronous path", c.method, c.body, c.header)
		}
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := c.method + " " + c.body; string(b) != want {
			t.Errorf("got %q, want %q", b, want)
		}
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.idle) != 0 {
		t.Errorf("the synchronous pool has connections: %v", tr.idle)
	}
}

// TestH1InvalidHeader: a header value with a line break is refused before
// anything is sent, as http.Transport refuses it.
func TestH1InvalidHeader(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		io.WriteString(w, okResponse)
		return true
	})
	tr := newTestH1(time.Second)
	for _, h := range []http.Header{{"X-A": {"a\r\nX-Injected: 1"}}, {"X A": {"v"}}, {"X-A": {"a\x00"}}} {
		req, _ := http.NewRequest("GET", be.url("/x"), nil)
		req.Header = h
		if _, err := tr.RoundTrip(req); err == nil {
			t.Errorf("header %q sent", h)
		}
		if _, err := tr.fallback.RoundTrip(req); err == nil {
			t.Errorf("http.Transport sends header %q: the test's premise is wrong", h)
		}
	}
	if n := be.connCount(); n != 0 {
		t.Errorf("%d connections for refused requests", n)
	}
}

// TestH1ThroughSite: through the whole pipeline, HEAD, chunked bodies
// with trailers and a 103 reach the client, and sequential requests share
// one backend connection on the synchronous path.
func TestH1ThroughSite(t *testing.T) {
	be := newRawBackend(t, func(_, _ int, r *http.Request, w io.Writer) bool {
		switch {
		case r.Method == "HEAD":
			io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
		case r.URL.Path == "/chunked":
			io.WriteString(w, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"+
				"5\r\nhello\r\n0\r\nX-Sum: 42\r\n\r\n")
		case r.URL.Path == "/hints":
			io.WriteString(w, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"+okResponse)
		default:
			io.WriteString(w, okResponse)
		}
		return true
	})
	site := NewSite(loadConfig(t, "ServerName a\nProxyPass / http://"+be.ln.Addr().String()+"/\n"), nil, nil)
	defer site.Close()
	front := httptest.NewServer(site)
	defer front.Close()
	resp, err := http.Head(front.URL + "/x")
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != 1000 {
		t.Fatalf("HEAD: %v %+v", err, resp)
	}
	resp.Body.Close()
	resp, err = http.Get(front.URL + "/chunked")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" || resp.Trailer.Get("X-Sum") != "42" {
		t.Errorf("chunked: %q trailer %q", b, resp.Trailer.Get("X-Sum"))
	}
	var hints []int
	trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, _ textproto.MIMEHeader) error { hints = append(hints, code); return nil }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", front.URL+"/hints", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" || len(hints) != 1 || hints[0] != 103 {
		t.Errorf("hints: body %q 1xx %v", b, hints)
	}
	if n := be.connCount(); n != 1 {
		t.Errorf("%d backend connections, want 1", n)
	}
	site.transportsMu.Lock()
	defer site.transportsMu.Unlock()
	for _, rt := range site.transports {
		if _, ok := rt.(*h1Transport); !ok {
			t.Errorf("the rule's pool is a %T, not the synchronous path", rt)
		}
	}
}

// TestH1OnlyWhereReused: a worker with disablereuse=On keeps
// http.Transport (a new connection per request, Connection: close); a
// worker whose connections are reused gets the synchronous path, with its
// http.Transport for what the path does not take.
func TestH1OnlyWhereReused(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\nProxyPass /a http://127.0.0.1:1/ disablereuse=On\nProxyPass /b http://127.0.0.1:1/\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	rules := cfg.Main.Proxy.Rules
	if tr, ok := site.transportFor(rules[0], cfg.Main.SSL, "", time.Second).(*http.Transport); !ok || !tr.DisableKeepAlives {
		t.Errorf("disablereuse=On: %T, want an http.Transport without keep-alive", site.transportFor(rules[0], cfg.Main.SSL, "", time.Second))
	}
	h1, ok := site.transportFor(rules[1], cfg.Main.SSL, "", time.Second).(*h1Transport)
	if !ok {
		t.Fatalf("reused worker: %T, want *h1Transport", site.transportFor(rules[1], cfg.Main.SSL, "", time.Second))
	}
	if h1.fallback == nil || h1.fallback.DisableKeepAlives {
		t.Errorf("fallback %+v", h1.fallback)
	}
	for _, u := range []string{"https://127.0.0.1:1/", "ws://127.0.0.1:1/"} {
		req, _ := http.NewRequest("GET", u, nil)
		if h1.eligible(req) {
			t.Errorf("%s taken by the synchronous path", u)
		}
	}
}
