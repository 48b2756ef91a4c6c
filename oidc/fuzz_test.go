package oidc

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequestCookies: any Cookie header parses without panicking, and each
// name found is really in the header.
func FuzzRequestCookies(f *testing.F) {
	for _, s := range []string{"a=b; c=d", "mod_auth_openidc_session=x;;=;a", " ; =", "a==b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{"Cookie": {s}}
		for _, c := range requestCookies(h) {
			if !strings.Contains(s, c[0]+"=") {
				t.Fatalf("cookie %q not in %q", c[0], s)
			}
		}
	})
}

// FuzzOpenState: an attacker-chosen state cookie is refused or decrypts,
// never panics; only a value sealed with the passphrase opens.
func FuzzOpenState(f *testing.F) {
	rp := &RelyingParty{s: &Settings{}, seal: newSealer("pass")}
	good, _ := rp.sealState(&authState{Nonce: "n", OriginalURL: "/"})
	for _, s := range []string{good, good + "x", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0....", "a.b.c.d.e", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, ok := rp.openState(s)
		if ok && st.Nonce == "" {
			t.Fatalf("a state without nonce was accepted")
		}
		if ok && s != good {
			// Only possible for a different serialisation of a sealed
			// value; it must still carry what was sealed.
			if st.Nonce != "n" {
				t.Fatalf("forged state %q accepted", s)
			}
		}
	})
}

// FuzzRedirectURI: any query on the redirect URI, with any cookies, gets an
// answer without panicking and never a redirect off the current host
// unless it goes to the provider.
func FuzzRedirectURI(f *testing.F) {
	for _, s := range []string{"logout=https%3A%2F%2Fevil", "code=a&state=b", "info=json", "state=", "logout=%2F%2Fevil", "error=x&state=y", "jwks=1", "iss=x"} {
		f.Add(s, "mod_auth_openidc_session=abc")
	}
	h := newHarness(f, nil)
	f.Fuzz(func(t *testing.T, query, cookie string) {
		if _, err := url.Parse("http://www.example.com/redirect_uri?" + query); err != nil || strings.ContainsAny(query, " #") || strings.ContainsAny(cookie, "\r\n\x00") {
			return
		}
		h.t = t
		r := h.do("GET", "/redirect_uri?"+query, map[string]string{"Cookie": cookie})
		if loc := r.res.Location; loc != "" {
			u, err := url.Parse(loc)
			if err == nil && u.Host != "" && u.Host != "www.example.com" && !strings.HasPrefix(loc, h.op.issuer) {
				t.Fatalf("redirect off host: %q for %q", loc, query)
			}
		}
	})
}
