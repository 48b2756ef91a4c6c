package apacheconf

import (
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
