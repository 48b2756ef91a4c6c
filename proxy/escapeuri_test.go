package proxy

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestEscapeURI: ap_escape_uri's set and its lower-case hex, as Apache
// 2.4.71 sends them in Redirect, RedirectMatch and DirectorySlash targets
// (measured: compat-tests TestAliasDifferential/*escape*).
func TestEscapeURI(t *testing.T) {
	for in, want := range map[string]string{
		"/a b":               "/a%20b",
		`/x[y\z`:             "/x%5by%5cz",
		"/100%":              "/100%25",
		"/?#":                "/%3f%23",
		"/é":                 "/%c3%a9",
		"/\r\n":              "/%0d%0a",
		"/!$&'()*+,:;=@~-_.": "/!$&'()*+,:;=@~-_.",
		`/"<>^{|}` + "`":     "/%22%3c%3e%5e%7b%7c%7d%60",
	} {
		if got := escapeURI(in); got != want {
			t.Errorf("escapeURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMatchRedirectEscapes: the decoded request path reaches a Redirect
// or RedirectMatch target escaped (mod_alias escapes the result for
// redirects), the query and fragment a RedirectMatch target writes kept.
// Unescaped, "/rm/%5Cevil.example" under "RedirectMatch ^/rm/(.*)$ /$1"
// with RedirectRelative On sent "Location: /\evil.example", which
// browsers follow to evil.example.
func TestMatchRedirectEscapes(t *testing.T) {
	rules := []apacheconf.RedirectRule{
		{Status: 302, Regex: regexp.MustCompile(`^/rm/(.*)$`), URL: "/$1"},
		{Status: 302, Regex: regexp.MustCompile(`^/rq/(.*)$`), URL: "http://x.example/$1?k=v w#f g"},
		{Status: 302, Path: "/p", URL: "http://x.example/n"},
	}
	tests := []struct{ uri, query, want string }{
		{`/rm/\evil.example`, "", "/%5cevil.example"},
		{"/rm/a?b#c d", "", "/a?b#c d"}, // apr_uri_parse splits what the path decoded to
		{"/rm/100%", "q=1", "/100%25?q=1"},
		{"/rq/a b", "q=1", "http://x.example/a%20b?k=v w#f g"},
		{"/p/a?b\\c", "", "http://x.example/n/a%3fb%5cc"},
	}
	for _, tt := range tests {
		_, got, ok := matchRedirect(rules, tt.uri, tt.query)
		if !ok || got != tt.want {
			t.Errorf("matchRedirect(%q, %q) = %q, %v; want %q", tt.uri, tt.query, got, ok, tt.want)
		}
	}
}

// TestRedirectControlCharacters: a redirect target whose query or
// fragment (written by RedirectMatch from the decoded path, or by a
// <Location> Redirect expression) holds a control character is a 500, as
// Apache's header check answers (AH02430; measured with apache2 2.4.71:
// "RedirectMatch ^/rma/(.*)$ http://x.example/$1" and
// /rma/a%3Fb%0D%0AX-Injected:%201 is a 500); Go's server would have sent
// the Location with the CR LF turned into spaces. (Apache's %b for it
// also counts the abandoned 302 page, which oidcgate's does not.)
func TestRedirectControlCharacters(t *testing.T) {
	cfg := loadConfig(t, `ServerName front.example
RedirectMatch ^/rm/(.*)$ http://x.example/$1
<Location /lx>
  Redirect "http://x.example/l?%{HTTP:X-V}"
</Location>
`)
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	for _, tt := range []struct {
		path, header string
		status       int
	}{
		{"/rm/a%3Fb%0D%0AX-Injected:%201", "", 500},
		{"/rm/a%3Fb%09c", "", 302}, // HTAB is field content
		{"/rm/a%3Fb%7Fc", "", 500},
		{"/rm/a%3Fb", "", 302},
		{"/lx", "a\x01b", 500},
		{"/lx", "ab", 302},
	} {
		req := httptest.NewRequest("GET", "http://front.example"+tt.path, nil)
		if tt.header != "" {
			req.Header.Set("X-V", tt.header)
		}
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%s (X-V %q): %d, want %d (Location %q)", tt.path, tt.header, rec.Code, tt.status, rec.Header().Get("Location"))
		}
	}
}

// FuzzRedirectTarget: whatever the request path, the path part of a
// Redirect or RedirectMatch target built from it holds only ap_escape_uri's
// safe bytes and %xx escapes — no backslash, space or control character
// that a browser would read as another host or a header would carry.
func FuzzRedirectTarget(f *testing.F) {
	for _, s := range []string{"/rm/%5Cevil.example", "/p/a%3Fb", "/rm/a%0D%0Ab", "/rm/%2F%2Fevil", "/p//x"} {
		f.Add(s)
	}
	rules := []apacheconf.RedirectRule{
		{Status: 302, Regex: regexp.MustCompile(`(?s)^/rm/(.*)$`), URL: "/$1"},
		{Status: 302, Path: "/p", URL: "/n"},
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, opts := range []NormalizeOptions{{MergeSlashes: true}, {EncodedSlashes: SlashesOn}} {
			uri, err := NormalizePath(raw, opts)
			if err != nil {
				continue
			}
			_, target, ok := matchRedirect(rules, uri, "")
			if !ok {
				continue
			}
			path := target
			if i := strings.IndexAny(path, "?#"); i >= 0 {
				path = path[:i]
			}
			for i := 0; i < len(path); i++ {
				if c := path[i]; !isPathSafe(c) && c != '%' {
					t.Fatalf("%q → %q: byte %q in the path", raw, target, c)
				}
			}
		}
	})
}
