package apacheconf

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestOIDCAgainstApache replays testdata/oidc/apache_t.tsv: each line is a
// directive written at server level and what Debian's apache2 -t (with
// mod_auth_openidc 2.4.12.3) said about it, "Syntax OK" or its message.
func TestOIDCAgainstApache(t *testing.T) {
	f, err := os.Open("testdata/oidc/apache_t.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line, want, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		n++
		t.Run(line, func(t *testing.T) {
			_, diags := compileForTest(t, "ServerName a\n"+line+"\n")
			d, bad := diags.First()
			if want == "Syntax OK" {
				if bad {
					t.Fatalf("apache accepts it; we say %q", d.Msg)
				}
				return
			}
			if !bad {
				t.Fatalf("apache refuses it with %q; we accept it", want)
			}
			if d.Msg != want {
				t.Fatalf("message\n got %q\nwant %q", d.Msg, want)
			}
		})
	}
	if n < 50 {
		t.Fatalf("only %d cases read", n)
	}
}

// TestOIDCBadPattern: 2.4.12.3 starts with a pattern it cannot compile (it
// compiles per request and a broken pattern never matches), so oidcgate
// starts too, warns at the directive, and keeps no pattern that could match.
func TestOIDCBadPattern(t *testing.T) {
	cases := []struct {
		line, directive string
		keep            []string // patterns that still compile
	}{
		{`OIDCRedirectURLsAllowed "(" ^https://ok/`, "OIDCRedirectURLsAllowed", []string{"^https://ok/"}},
		{`OIDCRedirectURLsAllowed "^https://(?=a)"`, "OIDCRedirectURLsAllowed", nil},
		{`OIDCRemoteUserClaim sub "("`, "OIDCRemoteUserClaim", nil},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			cfg, diags := compileForTest(t, "ServerName a\n"+tc.line+"\n")
			if diags.HasErrors() {
				t.Fatal(diags.Errors())
			}
			var warned bool
			for _, d := range diags {
				if d.Severity == SevWarning && strings.Contains(d.Msg, "cannot compile regular expression") &&
					strings.Contains(d.Msg, "never match") && d.Pos.Line == 2 {
					warned = true
				}
			}
			if !warned {
				t.Errorf("no warning at line 2: %v", diags)
			}
			v, ok := cfg.Main.OIDC.Value(tc.directive)
			if !ok {
				t.Fatalf("%s not stored", tc.directive)
			}
			var got []string
			for _, re := range v.Regexps {
				got = append(got, re.String())
			}
			if strings.Join(got, " ") != strings.Join(tc.keep, " ") {
				t.Errorf("compiled patterns %q, want %q", got, tc.keep)
			}
		})
	}
}
