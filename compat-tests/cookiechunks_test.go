package compattests

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Client-cookie sessions big enough to be chunked (issue 5, item 10):
// OIDCSessionType client-cookie (and client-cookie:persistent) with an
// OIDCSessionCookieChunkSize small enough that bob's session is split over
// mod_auth_openidc_session_0, _1, … with mod_auth_openidc_session_chunks.
// The same scenario runs through Apache + mod_auth_openidc 2.4.12.3 and
// through oidcgate; the cookie values differ by design (oidcgate seals the
// session in its own, deflated format, docs/directives.md OIDCSessionType)
// and so do their lengths and the number of chunks: the comparison goes
// through ruleSessionChunks.
var chunkCases = []struct{ name, extra string }{
	{"client-cookie", "  OIDCSessionType client-cookie\n  OIDCSessionCookieChunkSize 500\n"},
	{"client-cookie-persistent", "  OIDCSessionType client-cookie:persistent\n  OIDCSessionCookieChunkSize 500\n"},
}

// sessionCookieNames lists the session cookies browser c holds for the
// variant, sorted.
func sessionCookieNames(s *scen, c *http.Client, variant string) string {
	u, _ := url.Parse(s.tg.Base[variant] + "/")
	var names []string
	for _, ck := range c.Jar.Cookies(u) {
		if strings.HasPrefix(ck.Name, "mod_auth_openidc_session") {
			names = append(names, ck.Name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

var chunkScenario = oidcScenario{"chunks", func(s *scen) {
	s.note("bob logs in; the session cookie is chunked")
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/chunks/x", "bob")
	s.note("the browser holds: %s", sessionCookieNames(s, c, "default"))
	s.note("the chunked session serves the next request")
	s.send(c, "default", "GET", "/chunks/y", browserHdr)
	s.note("chunk _1 removed from the browser: no session, a new login")
	u, _ := url.Parse(s.tg.Base["default"] + "/")
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "mod_auth_openidc_session_1", Path: "/", MaxAge: -1}})
	s.send(c, "default", "GET", "/chunks/z", browserHdr)
	s.note("the browser holds: %s", sessionCookieNames(s, c, "default"))
	s.note("a fresh login, then logout clears every chunk")
	c = newBrowser(s.t)
	s.loginAs(c, "default", "/chunks/x", "bob")
	s.send(c, "default", "GET", "/redirect_uri?logout=%2Flocal", browserHdr)
	s.note("the browser holds: %s", sessionCookieNames(s, c, "default"))
	s.send(c, "default", "GET", "/chunks/after-logout", browserHdr)
}}

// sessionChunkValueRE is a session cookie's (or chunk's) normalised value
// in a transcript: a Set-Cookie or a Cookie header at the backend.
var (
	sessionChunkValueRE = regexp.MustCompile(`\b(mod_auth_openidc_session(?:_\d+)?)=<\d+ (?:b64url|chars)>`)
	sessionChunkIndexRE = regexp.MustCompile(`\bmod_auth_openidc_session_\d+\b`)
	sessionChunkRunRE   = regexp.MustCompile(`(mod_auth_openidc_session_<i>(?:=<session chunk>)?)(?:(?:; | )mod_auth_openidc_session_<i>(?:=<session chunk>)?)+`)
)

// ruleSessionChunks (docs/directives.md, OIDCSessionType: oidcgate's
// client-cookie session is its own sealed, zlib-deflated format, shorter
// than 2.4.12.3's, so it needs fewer chunks) makes the Apache and the
// oidcgate transcript comparable: each session cookie's value becomes
// <session chunk>, each chunk index <i>, and a run of chunks (consecutive
// Set-Cookie lines alike but for the index, a Cookie header's or a note's
// list) one entry. What stays compared: the names, the chunk-count cookie,
// the attributes, and where chunks are set, sent and cleared.
func ruleSessionChunks(tr string) string {
	tr = sessionChunkValueRE.ReplaceAllString(tr, "$1=<session chunk>")
	tr = sessionChunkIndexRE.ReplaceAllString(tr, "mod_auth_openidc_session_<i>")
	tr = sessionChunkRunRE.ReplaceAllString(tr, "$1")
	var out []string
	for _, l := range strings.Split(tr, "\n") {
		if n := len(out); n > 0 && l == out[n-1] && strings.HasPrefix(l, "<   Set-Cookie: mod_auth_openidc_session_<i>=") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestClientCookieChunksOIDC runs chunkScenario for each chunkCases entry
// through Apache + mod_auth_openidc 2.4.12.3 (its transcript must equal
// testdata/cookiechunks/<case>.golden, -update rewrites it) and through
// oidcgate, whose transcript must equal Apache's after the deliberate
// differences and ruleSessionChunks; both must have chunked.
func TestClientCookieChunksOIDC(t *testing.T) {
	requireApache(t)
	requireOP(t)
	for _, tc := range chunkCases {
		t.Run(tc.name, func(t *testing.T) {
			env := newOIDCEnv(t, "apache", "oidcgate")
			a, o := env.Targets["apache"], env.Targets["oidcgate"]
			a.Extra, o.Extra = tc.extra, tc.extra
			startApacheOIDC(t, a)
			startOIDCGateOIDC(t, o)
			want := runScenario(t, a, chunkScenario)
			for _, w := range []string{"mod_auth_openidc_session_chunks=", "mod_auth_openidc_session_0=", "mod_auth_openidc_session_1="} {
				if !strings.Contains(want, w) {
					t.Errorf("the Apache transcript has no %s: the session is not chunked", w)
				}
			}
			golden := filepath.Join("testdata", "cookiechunks", tc.name+".golden")
			if *updateGolden {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(want), 0o644); err != nil {
					t.Fatal(err)
				}
			} else if g, err := os.ReadFile(golden); err != nil {
				t.Errorf("%v (run with -update)", err)
			} else if string(g) != want {
				t.Errorf("Apache differs from %s:\n%s", golden, requestDiff(string(g), want))
			}
			got := runScenario(t, o, chunkScenario)
			if os.Getenv("OIDC_WRITE_GOT") != "" {
				os.WriteFile(filepath.Join(os.Getenv("OIDC_WRITE_GOT"), tc.name+".oidcgate"), []byte(got), 0o644)
				os.WriteFile(filepath.Join(os.Getenv("OIDC_WRITE_GOT"), tc.name+".apache"), []byte(want), 0o644)
			}
			for _, w := range []string{"mod_auth_openidc_session_chunks=", "mod_auth_openidc_session_0=", "mod_auth_openidc_session_1="} {
				if !strings.Contains(got, w) {
					t.Errorf("the oidcgate transcript has no %s: the session is not chunked", w)
				}
			}
			got = orderBlind(ruleSessionChunks(got))
			if w := orderBlind(ruleSessionChunks(expectForOIDCGate(want))); w != got {
				t.Errorf("oidcgate differs from Apache:\n%s", requestDiff(w, got))
			}
			if t.Failed() {
				t.Logf("apache2 transcript:\n%s", want)
			}
		})
	}
}
