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

// BenchmarkPipelineOIDC is BenchmarkPipeline behind AuthType
// openid-connect with a valid session cookie (the development provider's
// user zoe: 20 claims to the backend).
func BenchmarkPipelineOIDC(b *testing.B) {
	s := newOIDCSite(b, "zoe", "  Require valid-user")
	c := browser(b)
	if resp, _ := get(b, c, s.front.URL+"/", nil); resp.StatusCode != 200 {
		b.Fatalf("login: %d", resp.StatusCode)
	}
	u, _ := url.Parse(s.front.URL)
	cookie := ""
	for _, ck := range c.Jar.Cookies(u) {
		cookie = ck.Name + "=" + ck.Value
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", s.front.URL+"/x", nil)
			req.Header.Set("Cookie", cookie)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
}
