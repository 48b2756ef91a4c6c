package apacheconf

import (
	"strings"
	"testing"
)

// TestLintJWE: A128KW/A192KW (client-secret keys) get the note about
// 2.4.12.3's debug-only key derivation; other algs none.
func TestLintJWE(t *testing.T) {
	for conf, want := range map[string]int{
		"OIDCIDTokenEncryptedResponseAlg A128KW\nOIDCUserInfoEncryptedResponseAlg A192KW\n":   2,
		"OIDCIDTokenEncryptedResponseAlg RSA-OAEP\nOIDCUserInfoEncryptedResponseAlg A256KW\n": 0,
		"OIDCClientSecret x\n": 0,
	} {
		cfg, _ := compileForTest(t, conf)
		d := LintJWE(cfg)
		if len(d) != want {
			t.Errorf("%q: %v", conf, d)
			continue
		}
		for _, x := range d {
			if x.Severity != SevWarning || x.Pos.Line == 0 || !strings.Contains(x.Msg, "LogLevel debug") {
				t.Errorf("%q: %+v", conf, x)
			}
		}
	}
}
