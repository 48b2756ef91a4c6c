package proxy

import (
	"crypto/tls"
	"net/http/httptest"
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
