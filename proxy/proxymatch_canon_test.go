package proxy

import (
	"regexp"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestProxyPassMatchCanon: what a ProxyPassMatch substitution takes from
// the decoded request path is re-encoded as mod_proxy's canon handler
// does, so a decoded "?" or "#" stays in the backend's path (measured
// with apache2 2.4.71: /ppm/a%20b%3F reaches the backend as
// /ppm/a%20b%3F, /ppm/a%0Ab as /ppm/a%0Ab — oidcgate sent /ppm/a%20b,
// cutting the path at the "?", and answered 404 for the newline).
func TestProxyPassMatchCanon(t *testing.T) {
	rule := &apacheconf.ProxyRule{Regex: regexp.MustCompile(`(?s)^/ppm/(.*)$`), Target: "http://be.example/ppm/$1"}
	for uri, want := range map[string]string{
		"/ppm/a b?":    "/ppm/a%20b%3F",
		"/ppm/a\nb":    "/ppm/a%0Ab",
		"/ppm/x#y/z":   "/ppm/x%23y/z",
		"/ppm/100%":    "/ppm/100%25",
		"/ppm/plain/p": "/ppm/plain/p",
	} {
		tg := matchRule(rule, uri, false)
		if tg == nil || tg.URL == nil {
			t.Errorf("%q: no target", uri)
			continue
		}
		if got := tg.URL.EscapedPath(); got != want || tg.URL.RawQuery != "" || tg.URL.Fragment != "" {
			t.Errorf("%q: backend path %q query %q fragment %q, want %q", uri, got, tg.URL.RawQuery, tg.URL.Fragment, want)
		}
	}
}
