package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
)

// benchThrough measures requests through a front handler to a small
// backend, all on loopback in this process.
func benchThrough(b *testing.B, front func(backend string) http.Handler) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello from the backend\n") }))
	defer be.Close()
	srv := httptest.NewServer(front(be.Listener.Addr().String()))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(srv.URL + "/x")
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}

// BenchmarkPipeline is oidcgate's whole request pipeline with one
// ProxyPass rule; compare with BenchmarkBareProxy.
func BenchmarkPipeline(b *testing.B) {
	benchThrough(b, func(backend string) http.Handler {
		return NewSite(loadConfig(b, "ServerName a\nProxyPass / http://"+backend+"/\n"), nil, nil)
	})
}

// BenchmarkBareProxy is the baseline: httputil.ReverseProxy alone.
func BenchmarkBareProxy(b *testing.B) {
	benchThrough(b, func(backend string) http.Handler {
		u, _ := url.Parse("http://" + backend)
		rp := httputil.NewSingleHostReverseProxy(u)
		rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64}
		return rp
	})
}
