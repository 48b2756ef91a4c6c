package apacheconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLintOAuthWarnsWithoutIssuerAudience(t *testing.T) {
	cfg, _ := compileForTest(t, "OIDCOAuthVerifySharedKeys secret\n")
	d := LintOAuth(cfg)
	if len(d) != 2 || !strings.Contains(d[0].Msg, "OIDCOAuthVerifyIssuer") || !strings.Contains(d[1].Msg, "OIDCOAuthVerifyAudience") || d[0].Pos.Line != 1 {
		t.Fatalf("%v", d)
	}
	cfg, _ = compileForTest(t, "OIDCOAuthVerifySharedKeys secret\nOIDCOAuthVerifyIssuer https://as\nOIDCOAuthVerifyAudience api\n")
	if d := LintOAuth(cfg); len(d) != 0 {
		t.Fatalf("%v", d)
	}
	cfg, _ = compileForTest(t, "OIDCOAuthIntrospectionEndpoint https://as/introspect\nOIDCOAuthClientID a\nOIDCOAuthClientSecret b\n")
	if d := LintOAuth(cfg); len(d) != 0 {
		t.Fatalf("introspection needs neither: %v", d)
	}
}

// In strict mode (configtest --apache) <IfModule oidcgate.c> is false, as
// in Apache: current-upstream directives kept there do not fail the check.
func TestStrictSkipsOidcgateBlock(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "main.conf")
	conf := "LoadModule auth_openidc_module /usr/lib/apache2/modules/mod_auth_openidc.so\nOIDCOAuthVerifySharedKeys k\n<IfModule oidcgate.c>\n  OIDCOAuthVerifyIssuer https://as\n</IfModule>\n<IfModule !oidcgate_module>\n  Define APACHE\n</IfModule>\n"
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, strict := range []bool{false, true} {
		cfg, diags := Load(Options{File: file, ServerRoot: root, Envvars: EnvvarsOff, Strict: strict})
		if cfg == nil || diags.HasErrors() {
			t.Fatalf("strict=%v: %v", strict, diags.Errors())
		}
		_, has := cfg.Main.OIDC.Value("OIDCOAuthVerifyIssuer")
		if has == strict {
			t.Errorf("strict=%v: OIDCOAuthVerifyIssuer read=%v", strict, has)
		}
	}
}

// TestLintOAuthUnAuthPass: OIDCUnAuthAction pass on an oauth20 path is
// pointed to the extension directive that does strip-and-pass.
func TestLintOAuthUnAuthPass(t *testing.T) {
	for _, tc := range []struct {
		authType string
		want     bool
	}{{"oauth20", true}, {"openid-connect", false}} {
		cfg, _ := compileForTest(t, "OIDCOAuthIntrospectionEndpoint https://as.example/i\nOIDCOAuthClientID x\nOIDCOAuthClientSecret y\n<Location /api>\nAuthType "+tc.authType+"\nOIDCUnAuthAction pass\nRequire valid-user\n</Location>\n")
		got := false
		for _, d := range LintOAuth(cfg) {
			if d.Directive == "OIDCUnAuthAction" && strings.Contains(d.Hint, "OIDCGateOAuthUnAuthAction") {
				got = true
			}
		}
		if got != tc.want {
			t.Errorf("AuthType %s: warning %v, want %v", tc.authType, got, tc.want)
		}
	}
}
