package proxy

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"testing"
)

// fixedBackend answers every request head it reads with one fixed response,
// allocating nothing per request, so that a benchmark's allocations are
// the proxy's own.
func fixedBackend(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nhello from the backend\n")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReaderSize(c, 64<<10)
				for {
					line, err := br.ReadSlice('\n')
					if err != nil {
						return
					}
					if len(bytes.TrimRight(line, "\r\n")) == 0 {
						if _, err := c.Write(resp); err != nil {
							return
						}
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// discardWriter is a ResponseWriter that keeps nothing but the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(s int)           { w.status = s }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// benchHandler calls the site's handler directly (no client, no server
// connection) for a GET with the given headers: allocs/op is the
// pipeline's own plus the few of building each request.
func benchHandler(b *testing.B, h http.Handler, front string, hdr http.Header) {
	u, _ := url.Parse("http://" + front + "/x")
	local, _ := net.ResolveTCPAddr("tcp", front)
	ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, local)
	do := func() int {
		r := &http.Request{Method: "GET", URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: hdr.Clone(), Host: front, RemoteAddr: "127.0.0.1:40000", RequestURI: "/x"}
		r = r.WithContext(ctx)
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, r)
		return w.status
	}
	if st := do(); st != 200 {
		b.Fatalf("status %d", st)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if st := do(); st != 200 {
			b.Fatalf("status %d", st)
		}
	}
}

// BenchmarkHandler is the plain pipeline (one ProxyPass rule) without a
// client or a server around it.
func BenchmarkHandler(b *testing.B) {
	be := fixedBackend(b)
	s := NewSite(loadConfig(b, "ServerName a\nProxyPass / http://"+be+"/\n"), nil, nil)
	defer s.Close()
	benchHandler(b, s, "127.0.0.1:8080", http.Header{"User-Agent": {"wrk"}, "Accept": {"*/*"}})
}

// BenchmarkHandlerOIDC is BenchmarkHandler behind AuthType openid-connect
// with a valid session cookie (user zoe: 20 claims to the backend).
func BenchmarkHandlerOIDC(b *testing.B) {
	be := fixedBackend(b)
	s := newOIDCSite(b, "zoe", "  Require valid-user", "<Location /x>\n  ProxyPass http://"+be+"/x\n</Location>")
	c := browser(b)
	if resp, _ := get(b, c, s.front.URL+"/", nil); resp.StatusCode != 200 {
		b.Fatalf("login: %d", resp.StatusCode)
	}
	fu, _ := url.Parse(s.front.URL)
	cookie := ""
	for _, ck := range c.Jar.Cookies(fu) {
		cookie = ck.Name + "=" + ck.Value
	}
	benchHandler(b, s.site, fu.Host, http.Header{"User-Agent": {"wrk"}, "Accept": {"*/*"}, "Cookie": {cookie}})
}
