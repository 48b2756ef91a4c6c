package claims

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// The testdata/apache_* files were measured end to end with Debian 12's
// Apache 2.4.71 and mod_auth_openidc 2.4.12.3 (see the header of
// apache_require_claim.tsv): what a Require claim line grants, and the
// request a ProxyPass backend receives.

// apExprString evaluates the string-mode ap_expr forms that the measured
// Require claim lines use (2.4.12.3 parses the line with
// AP_EXPR_FLAG_STRING_RESULT): backslash escapes, %{VAR} and the regex
// back-references $0-$9 (empty outside a regex). It is a test stand-in for
// the real evaluator, which belongs to the Apache layer.
func apExprString(t *testing.T, s string, vars map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				if e >= '0' && e <= '7' {
					t.Fatalf("octal escapes not emulated: %q", s)
				}
				b.WriteByte(e)
			}
		case c == '%' && strings.HasPrefix(s[i:], "%{"):
			end := strings.IndexByte(s[i:], '}')
			v, ok := vars[s[i+2:i+end]]
			if end < 0 || !ok {
				t.Fatalf("unknown variable in %q", s)
			}
			b.WriteString(v)
			i += end
		case c == '$' && i+1 < len(s) && isDigit(s[i+1]):
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// apGetwordConf splits as httpd's ap_getword_conf loop in
// oidc_authz_worker24 does: white space separated words, '…' or "…"
// quoting with \quote and \\ unescaped inside quotes, stopping at the first
// empty word.
func apGetwordConf(s string) []string {
	var words []string
	for {
		s = strings.TrimLeft(s, " \t\n\r\v\f")
		if s == "" {
			return words
		}
		var w strings.Builder
		if q := s[0]; q == '"' || q == '\'' {
			i := 1
			for ; i < len(s) && s[i] != q; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == q || s[i+1] == '\\') {
					i++
				}
				w.WriteByte(s[i])
			}
			if i < len(s) {
				i++
			}
			s = s[i:]
		} else {
			i := 0
			for ; i < len(s) && !strings.ContainsRune(" \t\n\r\v\f", rune(s[i])); i++ {
				if s[i] == '\\' && i+1 < len(s) && s[i+1] == '\\' {
					i++
				}
				w.WriteByte(s[i])
			}
			s = s[i:]
		}
		if w.Len() == 0 {
			return words
		}
		words = append(words, w.String())
	}
}

func TestApacheRequireClaim(t *testing.T) {
	data, err := os.ReadFile("testdata/apache_token_claims.json")
	if err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, string(data))
	f, err := os.Open("testdata/apache_require_claim.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		status, req, _ := strings.Cut(line, "\t")
		words := apGetwordConf(apExprString(t, req, map[string]string{"REQUEST_METHOD": "GET"}))
		r, err := CompileRequireClaim(words)
		if err != nil {
			t.Fatalf("%q: %v", req, err)
		}
		if got, want := r.Match(c), status == "200"; got != want {
			t.Errorf("Require claim %s (words %q) = %v; Apache answered %s", req, words, got, status)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d measured lines", n)
	}
}

func TestApacheBackendHeaders(t *testing.T) {
	data, err := os.ReadFile("testdata/apache_token_claims.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := os.ReadFile("testdata/apache_backend_request.golden")
	if err != nil {
		t.Fatal(err)
	}
	// the backend saw: the client's headers minus the spoofed OIDC_ ones,
	// then the claims in token order, header values with LF → space and
	// CR kept
	var got []string
	for _, l := range strings.Split(string(req), "\r\n") {
		if strings.HasPrefix(l, "OIDC_CLAIM_") {
			got = append(got, l)
		}
		if strings.Contains(strings.ToLower(l), "spoof") || strings.HasPrefix(l, "Oidc") || strings.HasPrefix(l, "oidc") {
			t.Errorf("spoofed header reached the backend: %q", l)
		}
	}
	var want []string
	for _, p := range Render(mustParse(t, string(data)), DefaultPrefix, DefaultDelimiter) {
		want = append(want, p.Name+": "+HeaderValue(p.Value))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("backend headers:\n got %q\nwant %q", got, want)
	}
	for _, h := range []string{"OIDC_CLAIM_x", "oidc-claim-sub", "Oidc.Claim.y"} {
		if !IsIdentityHeader(h, DefaultPrefix, "") {
			t.Errorf("%q was scrubbed by Apache but not by IsIdentityHeader", h)
		}
	}
}

// TestApacheScrubPrefix replays the measurement with OIDCClaimPrefix
// X-Claim- and OIDCAuthNHeader X-Remote-User
// (testdata/apache_backend_request_prefix.golden): every header Apache
// removed is an identity header here too; X_Remote_User, which Apache
// forwarded next to the real X-Remote-User, is removed here on purpose.
func TestApacheScrubPrefix(t *testing.T) {
	req, err := os.ReadFile("testdata/apache_backend_request_prefix.golden")
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]string{"x_claim_foo": "spoof1", "X.Claim.bar": "spoof2", "x-remote-user": "spoof3",
		"X_Remote_User": "spoof4", "OIDC-anything": "spoof5", "XClaim-baz": "kept"}
	for name, val := range sent {
		forwarded := strings.Contains(string(req), "\r\n"+name+": "+val+"\r\n")
		ours := IsIdentityHeader(name, "X-Claim-", "X-Remote-User")
		switch {
		case !forwarded && !ours && val != "spoof3":
			t.Errorf("Apache removed %q, IsIdentityHeader keeps it", name)
		case forwarded && ours && name != "X_Remote_User":
			t.Errorf("Apache forwarded %q, IsIdentityHeader removes it", name)
		}
	}
	// Apache did not remove x-remote-user (its lookup is case-sensitive) but
	// overwrote its value when it set X-Remote-User.
	if !strings.Contains(string(req), "\r\nx-remote-user: joe\r\n") || !strings.Contains(string(req), "\r\nX_Remote_User: spoof4\r\n") {
		t.Error("the measurement no longer shows what the comments say")
	}
	if !IsIdentityHeader("X_Remote_User", "X-Claim-", "X-Remote-User") {
		t.Error("X_Remote_User must be scrubbed")
	}
}

// TestApacheTokenEdgeCases replays bearer tokens measured against Apache
// with OIDCClaimPrefix X-Claim-: a duplicate key (last value, first
// position), reals through APR's %lf (1e300, -0.0), a white-space array
// element; and two payloads jansson refuses, so Apache answers 401.
func TestApacheTokenEdgeCases(t *testing.T) {
	data, err := os.ReadFile("testdata/apache_token_dup.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/apache_token_dup.golden")
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, p := range Render(mustParse(t, string(data)), "X-Claim-", DefaultDelimiter) {
		got.WriteString(p.Name + ": " + HeaderValue(p.Value) + "\r\n")
	}
	if got.String() != string(want) {
		t.Errorf("rendered\n%q\nApache sent\n%q", got.String(), want)
	}
	for _, f := range []string{"testdata/apache_token_refused_big.json", "testdata/apache_token_refused_nul.json"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(data); err == nil {
			t.Errorf("%s: Parse accepted a payload Apache refused", f)
		}
	}
}
