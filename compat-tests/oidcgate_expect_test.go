package compattests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExpectForOIDCGateRules pins each rule of expectForOIDCGate on a
// hand-written Apache transcript, so a rule cannot silently start rewriting
// more (or less) than its DESIGN.md difference.
func TestExpectForOIDCGateRules(t *testing.T) {
	apache := `# note
> GET [default] /x
< 302
<   Location: http://${OP}/auth
    ?response_type=code
    &state=<27 b64url>
    &nonce=<43 b64url>
<   Content-Type: text/html; charset=iso-8859-1
  body (100 bytes):
  | <p>The document has moved <a href="http://${OP}/auth?response_type=code&amp;state=<27 b64url>&amp;nonce=<43 b64url>">here</a>.</p>

> GET [default] /redirect_uri
    ?code=<43 b64url>
< 302
<   Location: http://${RP}/x
  (OP backchannel) POST /token -> 200
    grant_type=authorization_code
    code=<43 b64url>
    redirect_uri=http://${RP}/redirect_uri
    client_id=oidcgate-post
  (OP backchannel) POST /token -> 200
    grant_type=refresh_token
    refresh_token=<43 b64url>
    redirect_uri=http://${RP}/redirect_uri

> GET [default] /redirect_uri?logout=https%3A%2F%2Fevil.example%2F
< 200
<   Content-Type: text/html
  body (10 bytes):
  |     <title>Error</title>

  then, on the same connection, 266 more bytes:
  ! <title>400 Bad Request</title>

> GET [default] /redirect_uri
< 200
<   Content-Type: text/html
  backend: GET /redirect_uri
  Host: "${RP}"
  Connection: "Keep-Alive"
  body (20 bytes):
  | Submitting...

  then, on the same connection, 264 more bytes:
  ! backend saw GET /redirect_uri

> GET [default] /redirect_uri?info=json
< 200
<   Content-Type: text/plain; charset=utf-8
  backend: GET /redirect_uri?info=json
  Host: "${RP}"

> GET [default] /redirect_uri?logout=%2Flocal
< 200
  body (5 bytes):
  | <title>Error</title>

> GET [default] /app
< 200
  backend: GET /app
  Host: "${RP}"

`
	want := `# note
> GET [default] /x
< 302
<   Location: http://${OP}/auth
    ?response_type=code
    &state=<27 b64url>
    &nonce=<43 b64url>
    &code_challenge=<43 b64url>
    &code_challenge_method=S256
<   Content-Type: text/html; charset=iso-8859-1
  body (194 bytes):
  | <p>The document has moved <a href="http://${OP}/auth?response_type=code&amp;state=<27 b64url>&amp;nonce=<43 b64url>&amp;code_challenge=<43 b64url>&amp;code_challenge_method=S256">here</a>.</p>

> GET [default] /redirect_uri
    ?code=<43 b64url>
< 302
<   Location: http://${RP}/x
  (OP backchannel) POST /token -> 200
    grant_type=authorization_code
    code=<43 b64url>
    redirect_uri=http://${RP}/redirect_uri
    code_verifier=<43 b64url>
    client_id=oidcgate-post
  (OP backchannel) POST /token -> 200
    grant_type=refresh_token
    refresh_token=<43 b64url>
    redirect_uri=http://${RP}/redirect_uri

> GET [default] /redirect_uri?logout=https%3A%2F%2Fevil.example%2F
< 400
<   Content-Type: text/html
  body (10 bytes):
  |     <title>Error</title>

> GET [default] /redirect_uri
< 200
<   Content-Type: text/html
  body (20 bytes):
  | Submitting...

> GET [default] /redirect_uri?info=json
< 200
<   Content-Type: text/plain; charset=utf-8
  backend: GET /redirect_uri?info=json
  Host: "${RP}"

> GET [default] /redirect_uri?logout=%2Flocal
< 200
  body (5 bytes):
  | <title>Error</title>

> GET [default] /app
< 200
  backend: GET /app
  Host: "${RP}"

`
	// (the "?logout=%2Flocal" block is a 200 error page without the trailing
	// 400 document only in this synthetic input: rule 2 keys on the module's
	// error page for a logout request, so it is rewritten too)
	want = strings.Replace(want, "> GET [default] /redirect_uri?logout=%2Flocal\n< 200", "> GET [default] /redirect_uri?logout=%2Flocal\n< 400", 1)
	if got := expectForOIDCGate(apache); got != want {
		t.Errorf("expectForOIDCGate:\n%s", lineDiff(want, got))
	}
	if got := strings.Join(splitRequests(apache), ""); got != apache {
		t.Errorf("splitRequests does not give the transcript back")
	}
}

// TestExpectForOIDCGateGoldens: on the real goldens the rules only ever
// add the PKCE lines, change "< 200" to "< 400" for refused logouts and a
// replayed revocation assertion's 401 to 200 (rule 5), and drop lines (trailing bytes, the proxied redirect-URI request) — a rule
// that rewrote anything else would show here.
func TestExpectForOIDCGateGoldens(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "oidc", "*.golden"))
	if len(files) == 0 {
		t.Fatal("no goldens")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in := string(b)
		out := expectForOIDCGate(in)
		// Undo the additive rules, then every remaining line of out must be
		// a line of in, in order.
		undo := strings.NewReplacer("    &code_challenge=<43 b64url>\n    &code_challenge_method=S256\n", "",
			"    code_verifier=<43 b64url>\n", "",
			"&amp;code_challenge=<43 b64url>&amp;code_challenge_method=S256", "",
			"&code_challenge=<43 b64url>&code_challenge_method=S256", "").Replace(out)
		inLines := strings.Split(in, "\n")
		j := 0
		for _, l := range strings.Split(undo, "\n") {
			for j < len(inLines) && inLines[j] != l && !(l == "< 400" && inLines[j] == "< 200") &&
				!(l == revocation+"200" && inLines[j] == revocation+"401") &&
				!(l == backendContentType && inLines[j] == "<   Content-Type: text/html") &&
				!(strings.HasPrefix(l, "  body (") && strings.HasPrefix(inLines[j], "  body (")) {
				j++
			}
			if j == len(inLines) {
				t.Errorf("%s: expectForOIDCGate produced a line that is not Apache's: %q", f, l)
				break
			}
			j++
		}
	}
}

const revocation = "  (OP backchannel) POST /token/revocation -> "

// TestRuleFreshRevocationAssertion: only a refused revocation call with a
// client assertion after an earlier one with an assertion becomes 200.
func TestRuleFreshRevocationAssertion(t *testing.T) {
	call := func(status string, assertion bool) string {
		s := revocation + status + "\n    Content-Type: application/x-www-form-urlencoded\n"
		if assertion {
			s += "    client_assertion=<JWS alg=RS256 typ= claims=iss>\n"
		}
		return s + "    token=<43 b64url>\n"
	}
	for _, tc := range []struct{ in, want string }{
		{call("200", true) + call("401", true), call("200", true) + call("200", true)},
		{call("401", true), call("401", true)},
		{call("200", false) + call("401", true), call("200", false) + call("401", true)},
		{call("200", true) + call("401", false), call("200", true) + call("401", false)},
		{call("200", true) + call("400", true), call("200", true) + call("400", true)},
	} {
		if got := ruleFreshRevocationAssertion(tc.in); got != tc.want {
			t.Errorf("ruleFreshRevocationAssertion:\n%s", lineDiff(tc.want, got))
		}
	}
}

// TestKnownDiffCheck: a knownDiff entry holds only while exactly its
// requests differ.
func TestKnownDiffCheck(t *testing.T) {
	want := "# n\n> GET [default] /a\n< 200\n\n> GET [default] /b\n< 200\n\n"
	bOnly := strings.Replace(want, "/b\n< 200", "/b\n< 401", 1)
	both := strings.Replace(bOnly, "/a\n< 200", "/a\n< 500", 1)
	kb := knownBug{requests: []string{"#2 > GET [default] /b"}, why: "test"}
	if err := kb.check(want, bOnly); err != nil {
		t.Errorf("the known difference alone: %v", err)
	}
	if kb.check(want, want) == nil {
		t.Errorf("a fixed bug must fail the entry")
	}
	if kb.check(want, both) == nil {
		t.Errorf("another differing request must fail the entry")
	}
}

// TestRuleSessionChunks pins ruleSessionChunks (cookiechunks_test.go):
// chunk values, indexes and runs collapse; the chunk-count cookie, the
// attributes and everything else stay.
func TestRuleSessionChunks(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<   Set-Cookie: mod_auth_openidc_session_0=<500 chars>; Path=/; HttpOnly\n" +
			"<   Set-Cookie: mod_auth_openidc_session_1=<500 b64url>; Path=/; HttpOnly\n" +
			"<   Set-Cookie: mod_auth_openidc_session_2=<195 chars>; Path=/; HttpOnly\n" +
			"<   Set-Cookie: mod_auth_openidc_session_chunks=<1 b64url>; Path=/; HttpOnly\n",
			"<   Set-Cookie: mod_auth_openidc_session_<i>=<session chunk>; Path=/; HttpOnly\n" +
				"<   Set-Cookie: mod_auth_openidc_session_chunks=<1 b64url>; Path=/; HttpOnly\n"},
		// a chunk with other attributes is another line
		{"<   Set-Cookie: mod_auth_openidc_session_0=<500 chars>; Path=/; HttpOnly\n" +
			"<   Set-Cookie: mod_auth_openidc_session_1=<9 chars>; Path=/\n",
			"<   Set-Cookie: mod_auth_openidc_session_<i>=<session chunk>; Path=/; HttpOnly\n" +
				"<   Set-Cookie: mod_auth_openidc_session_<i>=<session chunk>; Path=/\n"},
		{"<   Set-Cookie: mod_auth_openidc_session_0=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT\n" +
			"<   Set-Cookie: mod_auth_openidc_session_1=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT\n",
			"<   Set-Cookie: mod_auth_openidc_session_<i>=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT\n"},
		{`  Cookie: "a=<1 b64url>; mod_auth_openidc_session_0=<500 chars>; mod_auth_openidc_session_1=<12 b64url>; mod_auth_openidc_session_chunks=<1 b64url>"` + "\n",
			`  Cookie: "a=<1 b64url>; mod_auth_openidc_session_<i>=<session chunk>; mod_auth_openidc_session_chunks=<1 b64url>"` + "\n"},
		{"# the browser holds: mod_auth_openidc_session_0 mod_auth_openidc_session_2 mod_auth_openidc_session_chunks\n",
			"# the browser holds: mod_auth_openidc_session_<i> mod_auth_openidc_session_chunks\n"},
		{"<   Set-Cookie: mod_auth_openidc_session=<12 b64url>; Path=/\n<   Set-Cookie: mod_auth_openidc_state_<27 b64url>=<JWE alg=dir enc=A256GCM>; Path=/\n",
			"<   Set-Cookie: mod_auth_openidc_session=<session chunk>; Path=/\n<   Set-Cookie: mod_auth_openidc_state_<27 b64url>=<JWE alg=dir enc=A256GCM>; Path=/\n"},
	} {
		if got := ruleSessionChunks(tc.in); got != tc.want {
			t.Errorf("ruleSessionChunks:\n%s", lineDiff(tc.want, got))
		}
	}
}
