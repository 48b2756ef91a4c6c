package proxy

import (
	"net/http/httptest"
	"testing"
)

// TestRegexDotAll: Apache compiles configuration regexes with
// AP_REG_DOTALL, so '.' matches the newline a request path decodes %0A
// to. Without it "<LocationMatch ^/p/.*x$>" let "/p/%0Ax" through to the
// backend unprotected, and RedirectMatch, AliasMatch, ProxyPassMatch,
// SetEnvIf and Header edit missed such values (measured: compat-tests
// TestAliasDifferential/*newline*).
func TestRegexDotAll(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName front.example
ProxyPass /p http://`+addr+`/p
<LocationMatch "^/p/.*x$">
  Require all denied
</LocationMatch>
ProxyPassMatch ^/pm/.*z$ http://`+addr+`/m
RedirectMatch ^/rm/(.*)$ http://x.example/$1
SetEnvIf Request_URI "^/p/.*y$" NL=1
RequestHeader set X-NL %{NL}e env=NL
`)
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	tests := []struct {
		path     string
		status   int
		location string
		backend  string
	}{
		{"/p/%0Ax", 403, "", ""},
		{"/p/ax", 403, "", ""},
		{"/pm/a%0Az", 200, "", "/m/pm/a%0Az"},
		{"/rm/a%0Ab", 302, "http://x.example/a%0ab", ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", "http://front.example"+tt.path, nil)
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		r, _ := be.got()
		if rec.Code != tt.status || rec.Header().Get("Location") != tt.location {
			t.Errorf("%s: %d %q, want %d %q", tt.path, rec.Code, rec.Header().Get("Location"), tt.status, tt.location)
		}
		if tt.backend != "" && (r == nil || r.URL.EscapedPath() != tt.backend) {
			t.Errorf("%s: backend got %v, want %s", tt.path, r, tt.backend)
		}
	}
	req := httptest.NewRequest("GET", "http://front.example/p/%0Ay", nil)
	site.ServeHTTP(httptest.NewRecorder(), req)
	if r, _ := be.got(); r == nil || r.Header.Get("X-NL") != "1" {
		t.Errorf("SetEnvIf ^/p/.*y$ did not match /p/%%0Ay")
	}
}
