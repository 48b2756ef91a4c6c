package proxy

import (
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestServerNamePort: ap_get_server_name/port and the URL form, Off (the
// Host header, then ServerName) and On (ServerName), as measured on
// Apache 2.4.71 (compat-tests TestUseCanonicalNameDifferential).
func TestServerNamePort(t *testing.T) {
	srv := &apacheconf.Server{Name: "front.example", NamePort: 8080}
	bare := &apacheconf.Server{Name: "bare.example"}
	on := &apacheconf.DirConfig{Core: &apacheconf.CoreDir{Values: map[string]string{"usecanonicalname": "on"}}}
	for _, tc := range []struct {
		host    string
		srv     *apacheconf.Server
		dir     *apacheconf.DirConfig
		tls     bool
		name    string
		port    int
		urlHost string
	}{
		{"Front.Example.:9090", srv, nil, false, "front.example", 9090, "front.example:9090"},
		{"other.example", srv, nil, false, "other.example", 8080, "other.example:8080"},
		{"other.example", bare, nil, false, "other.example", 80, "other.example"},
		{"other.example", bare, nil, true, "other.example", 443, "other.example"},
		{"other.example:80", bare, nil, true, "other.example", 80, "other.example:80"},
		{"[::1]:9090", srv, nil, false, "::1", 9090, "[::1]:9090"},
		{"", srv, nil, false, "front.example", 8080, "front.example:8080"},
		{"other.example:9090", srv, on, false, "front.example", 8080, "front.example:8080"},
		{"other.example:9090", bare, on, false, "bare.example", 80, "bare.example"},
		{"other.example:9090", bare, on, true, "bare.example", 443, "bare.example"},
		{"other.example:9090", nil, nil, false, "other.example", 9090, "other.example:9090"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = tc.host
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		name, port := serverNamePort(r, tc.srv, tc.dir)
		if name != tc.name || port != tc.port {
			t.Errorf("Host %q canonical=%v: %q %d, want %q %d", tc.host, tc.dir != nil, name, port, tc.name, tc.port)
		}
		if h := urlHost(r, tc.srv, tc.dir); h != tc.urlHost {
			t.Errorf("Host %q canonical=%v: urlHost %q, want %q", tc.host, tc.dir != nil, h, tc.urlHost)
		}
	}
}

// FuzzSelfURL: whatever Host header Go's server accepts, the URL built
// for a DirectorySlash or Redirect target keeps the path it was given
// and its authority holds no path, query, fragment or userinfo
// delimiter; nothing panics.
func FuzzSelfURL(f *testing.F) {
	for _, s := range []string{"a.example", "A.Example.:8080", "[::1]:9", "x:", ":80", "[", "a:b:c", "%2F", "a@b", "a.example:99999999999"} {
		f.Add(s, false)
	}
	srv := &apacheconf.Server{Name: "front.example", NamePort: 8080}
	f.Fuzz(func(t *testing.T, host string, canonical bool) {
		if !validHostHeader(host) {
			return // refused with 400 before any handler
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		var dir *apacheconf.DirConfig
		if canonical {
			dir = &apacheconf.DirConfig{Core: &apacheconf.CoreDir{Values: map[string]string{"usecanonicalname": "on"}}}
		}
		h := urlHost(r, srv, dir)
		if strings.ContainsAny(h, "/?#@\\ \t\r\n") {
			t.Fatalf("Host %q: URL host %q", host, h)
		}
		if u := selfURL(r, "/d/"); !strings.HasSuffix(u, "/d/") || !strings.HasPrefix(u, "http://") {
			t.Fatalf("Host %q: %q", host, u)
		}
	})
}

// validHostHeader mirrors net/http's check of the Host header (httpguts'
// validHostByte): other bytes are refused with 400 before any handler.
func validHostHeader(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || strings.IndexByte("!$%&'()*+,-.:;=[]_~", c) >= 0) {
			return false
		}
	}
	return true
}
