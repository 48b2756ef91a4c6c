package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The OIDCUnAutzAction matrix: every action with every Require shape that
// mixes a failing Require claim with other lines. User bob (sub "bob")
// is logged in; "sub:alice" and "sub:carol" fail for him, "sub:bob"
// grants. Each pair is its own <Location /ua/SHAPE/ACTION/>, so one
// Apache and one oidcgate serve the whole matrix.
//
// mod_auth_openidc runs the unauthorized action inside its Require claim
// provider, at every claim line that denies an authenticated user,
// whatever the other lines then decide: the transcripts show what that
// does to the browser and the backend.
var unautzShapes = []struct{ name, require string }{
	{"single-fail", "Require claim sub:alice"},
	{"bare-fail-grant", "Require claim sub:alice\nRequire claim sub:bob"},
	{"bare-grant-fail", "Require claim sub:bob\nRequire claim sub:alice"},
	{"bare-fail-fail", "Require claim sub:alice\nRequire claim sub:carol"},
	{"bare-fail-valid-user", "Require claim sub:alice\nRequire valid-user"},
	{"bare-valid-user-fail", "Require valid-user\nRequire claim sub:alice"},
	{"any-fail-grant", "<RequireAny>\nRequire claim sub:alice\nRequire claim sub:bob\n</RequireAny>"},
	{"all-grant-fail", "<RequireAll>\nRequire claim sub:bob\nRequire claim sub:alice\n</RequireAll>"},
	{"all-fail-grant", "<RequireAll>\nRequire claim sub:alice\nRequire claim sub:bob\n</RequireAll>"},
	{"all-not-claim-lacked", "<RequireAll>\nRequire valid-user\nRequire not claim sub:alice\n</RequireAll>"},
	{"all-not-claim-held", "<RequireAll>\nRequire valid-user\nRequire not claim sub:bob\n</RequireAll>"},
	{"bare-fail-ip", "Require claim sub:alice\nRequire ip 192.0.2.1"},
	{"bare-ip-fail", "Require ip 192.0.2.1\nRequire claim sub:alice"},
	{"bare-fail-all-granted", "Require claim sub:alice\nRequire all granted"},
	{"all-ip-fail", "<RequireAll>\nRequire ip 127.0.0.1\nRequire claim sub:alice\n</RequireAll>"},
	{"any-all-fail-claim-grant", "<RequireAny>\n<RequireAll>\nRequire valid-user\nRequire claim sub:alice\n</RequireAll>\nRequire claim sub:bob\n</RequireAny>"},
}

var unautzActions = []struct{ name, conf string }{
	{"default", ""},
	{"401", "OIDCUnAutzAction 401"},
	{"401-text", `OIDCUnAutzAction 401 "<p>not for you</p>"`},
	{"403-forbidden", "OIDCUnAutzAction 403\nAuthzSendForbiddenOnFailure On"},
	{"403-text-forbidden", "OIDCUnAutzAction 403 \"<p>not for you</p>\"\nAuthzSendForbiddenOnFailure On"},
	{"302", "OIDCUnAutzAction 302 https://denied.example/page?x=1&y=2"},
	{"auth", "OIDCUnAutzAction auth"},
}

// unautzExtra is the <Location> matrix added to every virtual host.
func unautzExtra() string {
	var b strings.Builder
	for _, sh := range unautzShapes {
		for _, a := range unautzActions {
			fmt.Fprintf(&b, "  <Location /ua/%s/%s/>\n", sh.name, a.name)
			for _, l := range strings.Split(sh.require, "\n") {
				fmt.Fprintf(&b, "    %s\n", l)
			}
			if a.conf != "" {
				for _, l := range strings.Split(a.conf, "\n") {
					fmt.Fprintf(&b, "    %s\n", l)
				}
			}
			b.WriteString("  </Location>\n")
		}
	}
	return b.String()
}

// readOnlyJar sends the browser's cookies and keeps none it receives:
// each request of the matrix starts from the same logged-in session,
// without the state cookies earlier step-up pages set.
type readOnlyJar struct{ http.CookieJar }

func (readOnlyJar) SetCookies(*url.URL, []*http.Cookie) {}

var unautzScenario = oidcScenario{"unautz", func(s *scen) {
	s.note("bob logs in; every request below carries his session and nothing else")
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/x", "bob")
	ro := &http.Client{Jar: readOnlyJar{c.Jar}}
	xhr := copyHdr(browserHdr, "X-Requested-With", "XMLHttpRequest")
	for _, sh := range unautzShapes {
		s.note("shape %s: %s", sh.name, strings.ReplaceAll(sh.require, "\n", " | "))
		for _, a := range unautzActions {
			path := "/ua/" + sh.name + "/" + a.name + "/x"
			s.sendRaw(ro, "default", "GET", path, browserHdr)
			if a.name == "auth" {
				s.sendRaw(ro, "default", "GET", path, xhr)
			}
		}
	}
}}

// TestUnAutzOIDC runs the matrix through Apache + mod_auth_openidc
// 2.4.12.3 (live, compared with testdata/oidc/unautz.golden; -update
// rewrites it) and through oidcgate (compared with expectForOIDCGate of
// the golden, with or without Apache installed).
func TestUnAutzOIDC(t *testing.T) {
	requireOP(t)
	file := filepath.Join("testdata", "oidc", unautzScenario.Name+".golden")
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o := env.Targets["apache"], env.Targets["oidcgate"]
	a.Extra, o.Extra = unautzExtra(), unautzExtra()
	a.Modules, o.Modules = []string{"authz_host"}, []string{"authz_host"}
	t.Run("apache", func(t *testing.T) {
		requireApache(t)
		startApacheOIDC(t, a)
		got := runScenario(t, a, unautzScenario)
		if *updateGolden {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run with -update to record it)", err)
		}
		if got != string(want) {
			t.Errorf("transcript differs from %s (a volatile value not normalised, or Apache changed):\n%s", file, lineDiff(string(want), got))
		}
	})
	// Debian's build has no libjq: no Require claims_expr to measure
	// (oidcgate runs OIDCUnAutzAction for it as for claim, as upstream).
	t.Run("apache-no-claims-expr", func(t *testing.T) {
		requireApache(t)
		a.Extra = "  <Location /ce/>\n    Require claims_expr '.sub == \"bob\"'\n  </Location>\n"
		defer func() { a.Extra = unautzExtra() }()
		dir := t.TempDir()
		file := filepath.Join(dir, "oidc.conf")
		if err := os.WriteFile(file, []byte(oidcConf(a, dir)), 0o644); err != nil {
			t.Fatal(err)
		}
		if r := run(t, nil, apacheBin, "-d", dir, "-f", file, "-t"); r.code == 0 || !strings.Contains(r.stderr, "Unknown Authz provider: claims_expr") {
			t.Errorf("apache2 -t with Require claims_expr: %d %q, want a refusal", r.code, r.stderr)
		}
	})
	t.Run("oidcgate", func(t *testing.T) {
		golden, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		startOIDCGateOIDC(t, o)
		got := orderBlind(runScenario(t, o, unautzScenario))
		want := orderBlind(expectForOIDCGate(string(golden)))
		if dir := os.Getenv("OIDC_WRITE_GOT"); dir != "" {
			os.WriteFile(filepath.Join(dir, "unautz.oidcgate"), []byte(got), 0o644)
			os.WriteFile(filepath.Join(dir, "unautz.want"), []byte(want), 0o644)
		}
		if got != want {
			t.Errorf("oidcgate differs from expectForOIDCGate(%s):\n%s", file, requestDiff(want, got))
		}
	})
}

// Rule 6 (deliberate difference, proxy/unautz.go): a request that Require
// grants after a Require claim line denied it (two bare Require lines,
// <RequireAny>, "Require not claim" the user passes) is answered by the
// backend. 2.4.12.3 sends the OIDCUnAutzAction page the claim line wrote
// (302's redirect page, auth's step-up page with its Location, state
// cookie and Cache-Control, 401/403's text) and proxies the request
// anyway, discarding the backend's answer. The transcript shows the
// backend block either way; the page's headers and body give way to the
// backend's answer (claimBackend's: 200, text/plain, a body the
// transcript does not show).
func ruleGrantedAfterClaimDenial(b string) string {
	if !strings.Contains(b, "\n  backend: ") || !unautzPageRE.MatchString(b) {
		return b
	}
	lines := strings.SplitAfter(b, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "<   Location: "):
			for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], "    ?") || strings.HasPrefix(lines[i+1], "    &")) {
				i++
			}
			continue
		case strings.HasPrefix(l, "<   Set-Cookie: mod_auth_openidc_state_"), strings.HasPrefix(l, "<   Cache-Control: "):
			continue
		case l == "<   Content-Type: text/html\n":
			l = backendContentType + "\n"
		case strings.HasPrefix(l, "  body ("):
			for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  | ") {
				i++
			}
			continue
		}
		out.WriteString(l)
	}
	return out.String()
}

// unautzPageRE: the body is an OIDCUnAutzAction page.
var unautzPageRE = regexp.MustCompile(`(?m)^  \| \s*<title>(Authorization Error|Authorization Error Redirect|Stepup Authentication)</title>$`)

// backendContentType is claimBackend's Content-Type line in a transcript.
const backendContentType = "<   Content-Type: text/plain; charset=utf-8"

// TestRuleGrantedAfterClaimDenial: a granted request (backend block) with
// an OIDCUnAutzAction page becomes the backend's answer; a denied one
// (no backend block) and a granted one without a page stay; the step-up
// page's authorization URL gains PKCE (rule 1).
func TestRuleGrantedAfterClaimDenial(t *testing.T) {
	stepUp := `> GET [default] /ua/x
< 200
<   Location: http://${OP}/auth
    ?response_type=code
    &nonce=<43 b64url>
<   Set-Cookie: mod_auth_openidc_state_<27 b64url>=<JWE alg=dir enc=A256GCM>; Path=/; HttpOnly
<   Cache-Control: no-cache, no-store, max-age=0
<   Content-Type: text/html
%s  body (100 bytes):
  |     <title>Stepup Authentication</title>
  |     <meta http-equiv="refresh" content="0; url=http://${OP}/auth?response_type=code&nonce=<43 b64url>">

`
	backend := "  backend: GET /ua/x\n  Host: \"${RP}\"\n"
	granted := fmt.Sprintf(stepUp, backend)
	if got, want := expectForOIDCGate(granted), "> GET [default] /ua/x\n< 200\n"+backendContentType+"\n"+backend+"\n"; got != want {
		t.Errorf("granted after a claim denial:\n%s", lineDiff(want, got))
	}
	denied := fmt.Sprintf(stepUp, "")
	want := strings.NewReplacer("    &nonce=<43 b64url>\n", "    &nonce=<43 b64url>\n    &code_challenge=<43 b64url>\n    &code_challenge_method=S256\n",
		"nonce=<43 b64url>\">", "nonce=<43 b64url>&code_challenge=<43 b64url>&code_challenge_method=S256\">",
		"body (100 bytes)", "body (186 bytes)").Replace(denied)
	if got := expectForOIDCGate(denied); got != want {
		t.Errorf("denied, step-up page:\n%s", lineDiff(want, got))
	}
	plain := "> GET [default] /ua/y\n< 200\n" + backendContentType + "\n" + backend + "\n"
	if got := expectForOIDCGate(plain); got != plain {
		t.Errorf("granted without a page:\n%s", lineDiff(plain, got))
	}
}

// unautzOAuthLocations are resource-server paths (AuthType oauth20) where
// a Require claim line denies the token's claims next to other lines: the
// module sets OIDC_OAUTH_BEARER_SCOPE_ERROR wherever a claim line denies,
// whatever the others decide.
const unautzOAuthLocations = `<Location /rs/>
  AuthType oauth20
  ProxyPass http://%[1]s/rs/
  Header always set WWW-Authenticate "%%{OIDC_OAUTH_BEARER_SCOPE_ERROR}e" env=OIDC_OAUTH_BEARER_SCOPE_ERROR
  OIDCUnAutzAction 302 https://denied.example/
</Location>
<Location /rs/fail-grant/>
  Require claim sub:other
  Require claim sub:svc-1
</Location>
<Location /rs/fail-fail/>
  Require claim sub:other
  Require claim sub:another
</Location>
<Location /rs/user-denies/>
  <RequireAll>
    Require claim sub:svc-1
    Require user nobody
  </RequireAll>
</Location>
<Location /rs/not-held/>
  <RequireAll>
    Require valid-user
    Require not claim sub:svc-1
  </RequireAll>
</Location>
<Location /rs/not-lacked/>
  <RequireAll>
    Require valid-user
    Require not claim sub:other
  </RequireAll>
</Location>
`

// TestUnAutzOAuthDifferential: with AuthType oauth20 OIDCUnAutzAction
// does nothing; the scope error for mod_headers is set where a claim line
// denied — also when another line then grants, and not when the denial
// is another line's or a held "Require not claim". Status,
// WWW-Authenticate and whether the backend was reached are compared.
func TestUnAutzOAuthDifferential(t *testing.T) {
	requireApache(t)
	be := newClaimBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string {
		return oauthConf(listen, be.Addr(), dir) + fmt.Sprintf(unautzOAuthLocations, be.Addr())
	}, nil)
	tok := oauthJWT(map[string]any{"sub": "svc-1", "iss": "https://as.example", "aud": "api", "exp": time.Now().Add(time.Hour).Unix(), "scope": "read"}, oauthSecret)
	get := func(addr, path string) string {
		t.Helper()
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: t.example\r\nConnection: close\r\nAuthorization: Bearer %s\r\n\r\n", path, tok)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s %s: %v", addr, path, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out := fmt.Sprintf("%d WWW-Authenticate=%q Location=%q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), resp.Header.Get("Location"))
		if r := be.take(); r != nil {
			out += " backend " + r.RequestURI
		}
		return out
	}
	for _, p := range []string{"/rs/fail-grant/x", "/rs/fail-fail/x", "/rs/user-denies/x", "/rs/not-held/x", "/rs/not-lacked/x"} {
		a, o := get(fp.Apache, p), get(fp.OIDCGate, p)
		t.Logf("%s: apache %s", p, a)
		if a != o {
			t.Errorf("%s:\n apache   %s\n oidcgate %s", p, a, o)
		}
	}
}
