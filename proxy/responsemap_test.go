package proxy

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestReverseCookie: ProxyPassReverseCookiePath/Domain on one Set-Cookie
// value; the expectations are Apache 2.4.71's answers
// (compat-tests TestHTTPSBackendDifferential/cookie-rewrite*).
func TestReverseCookie(t *testing.T) {
	paths := []apacheconf.ReverseRule{{Path: "/app", URL: "/pub"}, {Path: "/", URL: "/root/"}}
	domains := []apacheconf.ReverseRule{{Path: "backend.internal", URL: "public.example"}}
	for _, c := range []struct{ in, want string }{
		{"a=1; Path=/app/x; Domain=backend.internal", "a=1; Path=/pub; Domain=public.example"},
		{"b=2; path=/app; domain=BACKEND.INTERNAL", "b=2; path=/pub; domain=public.example"},
		{"c=3; Path=/other; Domain=elsewhere.example", "c=3; Path=/root/; Domain=elsewhere.example"},
		{"d=4; Domain=.backend.internal; Path=/appx", "d=4; Domain=.backend.internal; Path=/pub"},
		{"e=5", "e=5"},
		{"f=6; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/app; HttpOnly", "f=6; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/pub; HttpOnly"},
		{"g=path=/app; Path=/app", "g=path=/app; Path=/pub"},
		{"h=8;Path=/app;Domain=backend.internal", "h=8;Path=/pub;Domain=public.example"},
		{"i=9; Path = /app; Domain = backend.internal", "i=9; Path = /app; Domain = backend.internal"},
		{"j=10; Domain=sub.backend.internal; Secure; Path=/", "j=10; Domain=sub.backend.internal; Secure; Path=/root/"},
		{"k=11; Domain=xbackend.internal; Path=/App", "k=11; Domain=xbackend.internal; Path=/root/"},
		{"l=12; Domain=backend.internal.x; Path=/ap", "l=12; Domain=public.example; Path=/root/"},
		{"path=/app/z; Path=/other", "path=/app/z; Path=/root/"},
		{"m=13; Domain=backend.internal ; Path=/app ", "m=13; Domain=public.example; Path=/pub"},
		{"n=14; Path=/app; Path=/other", "n=14; Path=/app; Path=/root/"},
		{"o=15; Domain=Backend.Internal", "o=15; Domain=public.example"},
	} {
		if got := reverseCookie(c.in, paths, domains); got != c.want {
			t.Errorf("%q:\n got  %q\n want %q", c.in, got, c.want)
		}
	}
	// No rule matches: unchanged.
	if got := reverseCookie("a=1; Path=/x", []apacheconf.ReverseRule{{Path: "/app", URL: "/p"}}, nil); got != "a=1; Path=/x" {
		t.Errorf("unmatched path rewritten: %q", got)
	}
}

// TestVia: the Via values ProxyVia writes (observed on Apache 2.4.71).
func TestVia(t *testing.T) {
	srv := &apacheconf.Server{Name: "front.example"}
	for _, c := range []struct {
		mode, host, clientVia string
		tls                   bool
		wantReq, wantResp     []string
	}{
		{"off", "v.local", "1.0 client", false, []string{"1.0 client"}, []string{"1.1 upstream"}},
		{"on", "v.local", "", false, []string{"1.1 v.local"}, []string{"1.1 upstream", "1.1 v.local"}},
		{"on", "V.Local.:8080", "1.0 client", false, []string{"1.0 client, 1.1 v.local:8080"}, []string{"1.1 upstream", "1.1 v.local:8080"}},
		{"on", "v.local:80", "", false, []string{"1.1 v.local"}, []string{"1.1 upstream", "1.1 v.local"}},
		{"on", "v.local:443", "", true, []string{"1.1 v.local"}, []string{"1.1 upstream", "1.1 v.local"}},
		{"full", "v.local", "", false, []string{"1.1 v.local (Apache/" + apacheconf.HTTPDVersion + ")"}, []string{"1.1 upstream", "1.1 v.local (Apache/" + apacheconf.HTTPDVersion + ")"}},
		{"block", "v.local", "1.0 client", false, nil, []string{"1.1 upstream"}},
	} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.Host = c.host
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		h := http.Header{}
		if c.clientVia != "" {
			h.Set("Via", c.clientVia)
		}
		viaRequest(h, c.mode, r, srv)
		if got := h.Values("Via"); !equalStrings(got, c.wantReq) {
			t.Errorf("%s %s request Via %q, want %q", c.mode, c.host, got, c.wantReq)
		}
		resp := &http.Response{ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{"Via": {"1.1 upstream"}}}
		viaResponse(resp, c.mode, r, srv)
		if got := resp.Header.Values("Via"); !equalStrings(got, c.wantResp) {
			t.Errorf("%s %s response Via %q, want %q", c.mode, c.host, got, c.wantResp)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
