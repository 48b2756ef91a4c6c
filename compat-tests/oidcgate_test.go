package compattests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The oidcgate target of the OIDC differential: every scenario in
// oidcScenarios runs against `oidcgate serve` on the very configuration
// oidcConf renders for Apache (same OP, same backend, its own ports and
// redirect URIs registered with the OP), and its normalised transcript must
// equal expectForOIDCGate(the Apache golden). The golden is Apache's live
// transcript: TestOIDCApache checks that the real Apache still produces it.

// startOIDCGateOIDC starts `oidcgate serve` on oidcConf(tg) and stops it
// (SIGTERM, then SIGKILL of its process group) when the test ends.
func startOIDCGateOIDC(t *testing.T, tg *oidcTarget) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "oidc.conf")
	if err := os.WriteFile(file, []byte(oidcConf(tg, dir)), 0o644); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.Create(filepath.Join(dir, "oidcgate.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(oidcgateBin, "serve", "-d", dir, "-f", file)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); logFile.Close(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() || testing.Verbose() {
			b, _ := os.ReadFile(filepath.Join(dir, "oidcgate.stderr"))
			e, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("oidcgate stderr:\n%s\nerror.log:\n%s", b, e)
		}
	})
	for _, base := range tg.Base {
		select {
		case <-exited:
			b, _ := os.ReadFile(filepath.Join(dir, "oidcgate.stderr"))
			t.Fatalf("oidcgate serve exited at start:\n%s", b)
		default:
		}
		waitListening(t, strings.TrimPrefix(base, "http://"))
	}
}

// knownDiff lists scenarios where oidcgate is known to differ from
// expectForOIDCGate(golden) because of a bug in oidcgate that is reported
// and not yet fixed. Each entry is checked to STILL differ, and to differ
// only in the requests named (so a new difference in the same scenario is
// not hidden): the test fails once the bug is fixed — then delete the entry.
// Keep this table short; every entry names its bug.
var knownDiff = map[string]knownBug{}

type knownBug struct {
	// requests: "#N > METHOD [variant] path" (N: the request's index in the
	// transcript, as a failure prints it) for each request whose transcript
	// differs; exactly this set must differ.
	requests []string
	why      string
}

// check: exactly kb.requests differ between want and got (nil), else why
// not — fixed (nothing differs) or another request differs too.
func (kb knownBug) check(want, got string) error {
	differing := differingRequests(want, got)
	if strings.Join(differing, "\n") != strings.Join(kb.requests, "\n") {
		return fmt.Errorf("(%s) lists the differing requests\n  %s\nbut these differ now (none: fixed, delete the entry)\n  %s\n%s",
			kb.why, strings.Join(kb.requests, "\n  "), strings.Join(differing, "\n  "), requestDiff(want, got))
	}
	return nil
}

// TestOIDCOIDCGate runs every OIDC scenario against oidcgate and compares
// its transcript with expectForOIDCGate(Apache's golden).
func TestOIDCOIDCGate(t *testing.T) {
	requireOP(t)
	env := newOIDCEnv(t, "oidcgate")
	tg := env.Targets["oidcgate"]
	startOIDCGateOIDC(t, tg)
	for _, sc := range oidcScenarios {
		t.Run(sc.Name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("testdata", "oidc", sc.Name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			// Field order is compared order-blind on both sides (see
			// orderBlind): the order of differently named header fields
			// and form fields carries no meaning (RFC 9110 §5.3), and Go's
			// net/http writes them sorted.
			want := orderBlind(expectForOIDCGate(string(golden)))
			got := orderBlind(runScenario(t, tg, sc))
			if os.Getenv("OIDC_WRITE_GOT") != "" {
				os.WriteFile(filepath.Join(os.Getenv("OIDC_WRITE_GOT"), sc.Name+".oidcgate"), []byte(got), 0o644)
				os.WriteFile(filepath.Join(os.Getenv("OIDC_WRITE_GOT"), sc.Name+".want"), []byte(want), 0o644)
			}
			kb, known := knownDiff[sc.Name]
			if !known {
				if got != want {
					t.Errorf("oidcgate differs from expectForOIDCGate(%s.golden):\n%s", sc.Name, requestDiff(want, got))
					if wo, gotO := orderBlind(want), orderBlind(got); wo != gotO {
						t.Logf("diagnostic only (the test fails anyway): what still differs when the order of the backend's headers and of the back-channel form parameters is ignored:\n%s", requestDiff(wo, gotO))
					} else {
						t.Logf("diagnostic only (the test fails anyway): only the order of the backend's headers / back-channel form parameters differs")
					}
				}
				return
			}
			if err := kb.check(want, got); err != nil {
				t.Errorf("knownDiff[%q]: %v", sc.Name, err)
				return
			}
			t.Logf("KNOWN DIFFERENCE (knownDiff, %s):\n%s", kb.why, requestDiff(want, got))
		})
	}
}

// ---- the per-target expectation ----

// expectForOIDCGate rewrites an Apache + mod_auth_openidc 2.4.12.3
// transcript into what oidcgate must produce, applying exactly the
// deliberate differences of /work/shared/DESIGN.md ("Deliberate differences
// from 2.4.12.3"), one rule each. Nothing else is rewritten: any other
// difference is a bug in oidcgate.
func expectForOIDCGate(apache string) string {
	blocks := splitRequests(apache)
	for i, b := range blocks {
		b = rulePKCEAuthRequest(b)
		b = rulePKCETokenRequest(b)
		b = ruleRefusedLogout400(b)
		b = ruleNoTrailingBytes(b)
		b = ruleRedirectURINeverProxied(b)
		b = ruleNoKeepAliveHeader(b)
		b = ruleSpoofedIdentityScrubbed(b)
		b = ruleFreshRevocationAssertion(b)
		b = ruleGrantedAfterClaimDenial(b)
		blocks[i] = b
	}
	return strings.Join(blocks, "")
}

// splitRequests cuts a transcript before every "> METHOD [variant] ..."
// request line (not "> (OP)" and not ">   header" lines); the pieces
// joined give the transcript back.
func splitRequests(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '\n')
		end := len(s)
		if j >= 0 {
			end = i + j + 1
		}
		if isRequestLine(s[i:end]) && i > start {
			out = append(out, s[start:i])
			start = i
		}
		i = end
	}
	return append(out, s[start:])
}

var requestLineRE = regexp.MustCompile(`^> [A-Z]+ \[[a-z]+\] `)

func isRequestLine(l string) bool { return requestLineRE.MatchString(l) }

// requestOf is the request line of a block ("" for the text before the
// first request).
func requestOf(block string) string {
	l, _, _ := strings.Cut(block, "\n")
	if isRequestLine(l) {
		return l
	}
	return ""
}

// Rule 1a (DESIGN.md difference 1, PKCE): oidcgate sends
// code_challenge=<43 b64url> and code_challenge_method=S256 on every
// authorization request, right after nonce (the module's parameter order,
// as upstream >= 2.4.15 sends them). 2.4.12.3 sends no PKCE. Applied to the
// Location of a redirect to the OP's authorization endpoint and to the
// href in the body of that 302 (whose byte count grows by the raw length
// of the added text: the challenge is 43 characters).
func rulePKCEAuthRequest(b string) string {
	const locPKCE = "    &code_challenge=<43 b64url>\n    &code_challenge_method=S256\n"
	const hrefPKCE = "&amp;code_challenge=<43 b64url>&amp;code_challenge_method=S256"
	rawGrowth := len(hrefPKCE) - len("<43 b64url>") + 43
	lines := strings.SplitAfter(b, "\n")
	inAuthLoc := false
	var out strings.Builder
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "<   Location: http://${OP}/auth\n"):
			inAuthLoc = true
		case inAuthLoc && strings.HasPrefix(l, "    &nonce="):
			out.WriteString(l)
			out.WriteString(locPKCE)
			continue
		case !strings.HasPrefix(l, "    ?") && !strings.HasPrefix(l, "    &"):
			inAuthLoc = false
		}
		out.WriteString(l)
	}
	b = out.String()
	hrefRE := regexp.MustCompile(`(<a href="http://\$\{OP\}/auth\?[^"]*?&amp;nonce=<43 b64url>)("|&amp;)`)
	if hrefRE.MatchString(b) {
		b = hrefRE.ReplaceAllString(b, "${1}"+hrefPKCE+"${2}")
		b = growBody(b, rawGrowth)
	}
	// The step-up page of OIDCUnAutzAction auth: the authorization URL in
	// its meta refresh, raw.
	const metaPKCE = "&code_challenge=<43 b64url>&code_challenge_method=S256"
	metaRE := regexp.MustCompile(`(<meta http-equiv="refresh" content="0; url=http://\$\{OP\}/auth\?[^"]*?&nonce=<43 b64url>)("|&)`)
	if metaRE.MatchString(b) {
		b = metaRE.ReplaceAllString(b, "${1}"+metaPKCE+"${2}")
		b = growBody(b, len(metaPKCE)-len("<43 b64url>")+43)
	}
	return b
}

// growBody adds n to the byte count of b's body.
func growBody(b string, n int) string {
	return regexp.MustCompile(`(?m)^  body \((\d+) bytes\):$`).ReplaceAllStringFunc(b, func(m string) string {
		var c int
		fmt.Sscanf(m, "  body (%d bytes):", &c)
		return fmt.Sprintf("  body (%d bytes):", c+n)
	})
}

// Rule 1b (DESIGN.md difference 1, PKCE): the authorization-code token
// request carries code_verifier=<43 b64url> right after redirect_uri
// (before client_secret_post's client_id/client_secret), as upstream sends
// it. Refresh-token grants carry none.
func rulePKCETokenRequest(b string) string {
	lines := strings.SplitAfter(b, "\n")
	var out strings.Builder
	codeGrant := false
	for _, l := range lines {
		out.WriteString(l)
		switch {
		case strings.HasPrefix(l, "  (OP backchannel) "):
			codeGrant = false
		case l == "    grant_type=authorization_code\n":
			codeGrant = true
		case codeGrant && strings.HasPrefix(l, "    redirect_uri="):
			out.WriteString("    code_verifier=<43 b64url>\n")
			codeGrant = false
		}
	}
	return out.String()
}

// Rule 2 (DESIGN.md difference 2): a ?logout= value the module refuses
// (its URL validator: foreign host, protocol-relative, CR/LF, no host and
// not relative — the reference's "logout URL rejected | 400") is answered
// 400 with the same module error page (or OIDCHTMLErrorTemplate's page);
// 2.4.12.3 sends that page with 200 (and then Apache's own 400 document,
// removed by rule 3). The session is
// kept in both (the scenarios check with the next request).
func ruleRefusedLogout400(b string) string {
	req := requestOf(b)
	if !isRedirectURIRequest(req, "?logout=") || !strings.Contains(b, "\n< 200\n") ||
		!(moduleErrorPageRE.MatchString(b) || apacheTrailing400RE.MatchString(b)) {
		return b
	}
	return strings.Replace(b, "\n< 200\n", "\n< 400\n", 1)
}

// moduleErrorPageRE: the body is the module's error page
// (oidc_util_html_send_error: "<title>Error</title>").
var moduleErrorPageRE = regexp.MustCompile(`(?m)^  \| \s*<title>Error</title>$`)

// apacheTrailing400RE: Apache's own 400 document written after the page
// (the module refused the request with HTTP_BAD_REQUEST after sending its
// page). It identifies the refusal also when the page is not the module's
// default one but the config's OIDCHTMLErrorTemplate (seed 004's error
// template), whose text the transcript cannot know.
var apacheTrailing400RE = regexp.MustCompile(`(?m)^  then, on the same connection, \d+ more bytes:\n(  ! .*\n)*  ! <title>400 Bad Request</title>$`)

// Rule 3 (DESIGN.md difference 3): Apache's unsolicited bytes after a
// response the module generated itself (a second error document, or the
// backend's response when Apache proxies the request afterwards, see rule
// 4) are never reproduced: the "then, on the same connection, N more
// bytes" block goes.
func ruleNoTrailingBytes(b string) string {
	lines := strings.SplitAfter(b, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "  then, on the same connection, ") {
			i++
			for i < len(lines) && strings.HasPrefix(lines[i], "  ! ") {
				i++
			}
			// and the one blank line that ends the block
			if i < len(lines) && lines[i] != "\n" {
				i--
			}
			continue
		}
		out.WriteString(lines[i])
	}
	return out.String()
}

// Rule 4 (DESIGN.md difference 3 and the pipeline's "redirect-URI
// handler — never proxied"): when the module answered a request to the
// redirect URI itself (the transcript has the module's page as the body)
// and Apache then also proxied that request to the backend (the redirect
// URI under a ProxyPass), oidcgate does not proxy it: the "backend:" block
// goes. A redirect-URI request that Apache proxied *instead of* answering
// (no module page) is not rewritten.
func ruleRedirectURINeverProxied(b string) string {
	req := requestOf(b)
	if !isRedirectURIRequest(req, "") || !strings.Contains(b, "\n  body (") {
		return b
	}
	lines := strings.SplitAfter(b, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "  backend: ") {
			for i+1 < len(lines) && backendHeaderLineRE.MatchString(lines[i+1]) {
				i++
			}
			continue
		}
		out.WriteString(lines[i])
	}
	return out.String()
}

// Rule 5 (deliberate difference: a fresh client assertion per call):
// 2.4.12.3 builds the client authentication of a logout's revocation calls
// once, so with client_secret_jwt or private_key_jwt the access token's
// revocation replays the refresh token's assertion (same jti) and the OP
// refuses it (401). oidcgate signs one assertion per call: every
// revocation call after the first that carries a client_assertion and was
// refused is expected to succeed.
func ruleFreshRevocationAssertion(b string) string {
	const call = "  (OP backchannel) POST /token/revocation -> "
	parts := strings.SplitAfter(b, "\n")
	seen := false
	for i, l := range parts {
		if !strings.HasPrefix(l, call) {
			continue
		}
		withAssertion := false
		for j := i + 1; j < len(parts) && strings.HasPrefix(parts[j], "    "); j++ {
			if strings.HasPrefix(parts[j], "    client_assertion=") {
				withAssertion = true
			}
		}
		if withAssertion && seen && l == call+"401\n" {
			parts[i] = call + "200\n"
		}
		seen = seen || withAssertion
	}
	return strings.Join(parts, "")
}

// redirectURIPaths are the paths of the OIDCRedirectURI of every config
// the scenarios render: oidcConf's /redirect_uri, and the seed configs'
// /callback (seed 003) and /members/vanity.php (seed 004), see
// oidcseed_test.go. The rules that concern "the redirect URI" apply to each.
var redirectURIPaths = []string{"/redirect_uri", "/callback", "/members/vanity.php"}

// isRedirectURIRequest: the request line req is for a redirect URI path
// followed by rest ("" : anything).
func isRedirectURIRequest(req, rest string) bool {
	for _, p := range redirectURIPaths {
		if strings.Contains(req, " "+p+rest) {
			return true
		}
	}
	return false
}

var backendHeaderLineRE = regexp.MustCompile(`^  [A-Za-z0-9_.-]+: ".*"\n$`)

// differingRequests returns the request lines of the blocks that differ
// between want and got ("(before first request)" / "(request count)" for
// the structural cases).
func differingRequests(want, got string) []string {
	w, g := splitRequests(want), splitRequests(got)
	var out []string
	if len(w) != len(g) {
		out = append(out, fmt.Sprintf("(request count: want %d, got %d)", len(w)-1, len(g)-1))
	}
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] != g[i] {
			r := requestOf(w[i])
			if r == "" {
				r = "(before the first request)"
			}
			out = append(out, fmt.Sprintf("#%d %s", i, r))
		}
	}
	return out
}

// requestDiff shows, for each differing request, the differing lines.
func requestDiff(want, got string) string {
	w, g := splitRequests(want), splitRequests(got)
	var b strings.Builder
	if len(w) != len(g) {
		fmt.Fprintf(&b, "request count: want %d, got %d\n", len(w)-1, len(g)-1)
	}
	shown := 0
	for i := 0; i < len(w) && i < len(g); i++ {
		if w[i] == g[i] {
			continue
		}
		if shown++; shown > 12 {
			b.WriteString("... (more requests differ)\n")
			break
		}
		fmt.Fprintf(&b, "--- request #%d %s\n%s", i, strings.TrimSuffix(requestOf(w[i]), "\n"), blockDiff(w[i], g[i]))
	}
	return b.String()
}

// orderBlind sorts each run of backend header lines ("  Name: \"value\"")
// and of back-channel form lines ("    name=value") — on both sides of a
// comparison: Go's net/http writes header and form fields sorted, Apache
// in the order they were set, and RFC 9110 §5.3 gives the order of
// differently named fields no meaning (a difference named in the issue
// note / DESIGN.md). Values and the order of same-named fields are kept.
func orderBlind(s string) string {
	lines := strings.SplitAfter(s, "\n")
	formLineRE := regexp.MustCompile(`^    [a-z_]+=`)
	var out, run []string
	kind := 0
	flush := func() {
		sort.Strings(run)
		out = append(out, run...)
		run = run[:0]
	}
	for _, l := range lines {
		k := 0
		switch {
		case backendHeaderLineRE.MatchString(l):
			k = 1
		case formLineRE.MatchString(l):
			k = 2
		}
		if k != kind {
			flush()
			kind = k
		}
		if k == 0 {
			out = append(out, l)
		} else {
			run = append(run, l)
		}
	}
	flush()
	return strings.Join(out, "")
}

// ruleSpoofedIdentityScrubbed: on an openid-connect path whose Require
// grants without a login, Apache runs no authentication and forwards
// spoofed identity headers; oidcgate removes them (a deliberate difference
// for security, named in the issue note / DESIGN.md). The scenarios mark
// every spoofed value with "evil" or "spoofed"; identity names are those
// mod_auth_openidc scrubs (upper-case alphanumerics, the rest "_", prefix
// OIDC_).
func ruleSpoofedIdentityScrubbed(b string) string {
	var out []string
	for _, l := range strings.SplitAfter(b, "\n") {
		if m := backendHeaderLineRE.FindString(l); m != "" {
			name, value, _ := strings.Cut(strings.TrimSpace(l), ":")
			spoofed := strings.Contains(strings.ToLower(value), "evil") || strings.Contains(value, "spoofed")
			if spoofed && strings.HasPrefix(envName(name), "OIDC_") {
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "")
}

// envName maps a header name as mod_auth_openidc compares it: upper-case
// letters and digits, everything else "_".
func envName(name string) string {
	b := []byte(strings.ToUpper(name))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// ruleNoKeepAliveHeader drops the "Connection: Keep-Alive" Apache's
// mod_proxy_http adds towards the backend: Go's transport speaks HTTP/1.1,
// where keep-alive is the default and the header says nothing.
func ruleNoKeepAliveHeader(b string) string {
	return strings.ReplaceAll(b, "  Connection: \"Keep-Alive\"\n", "")
}

// blockDiff is a line diff of one request's transcript (longest common
// subsequence): "-" Apache's expected line, "+" oidcgate's, " " the
// request line for orientation. Blocks are short (a few hundred lines).
func blockDiff(want, got string) string {
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(w)*len(g) > 4_000_000 {
		return lineDiff(want, got)
	}
	// lcs[i][j]: LCS length of w[i:] and g[j:]
	lcs := make([][]int, len(w)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(g)+1)
	}
	for i := len(w) - 1; i >= 0; i-- {
		for j := len(g) - 1; j >= 0; j-- {
			if w[i] == g[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var b strings.Builder
	i, j := 0, 0
	for i < len(w) || j < len(g) {
		switch {
		case i < len(w) && j < len(g) && w[i] == g[j]:
			i, j = i+1, j+1
		case j < len(g) && (i == len(w) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&b, "  + %s\n", g[j])
			j++
		default:
			fmt.Fprintf(&b, "  - %s\n", w[i])
			i++
		}
	}
	return b.String()
}
