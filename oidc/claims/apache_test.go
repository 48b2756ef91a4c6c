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
