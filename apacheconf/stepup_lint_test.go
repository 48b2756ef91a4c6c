package apacheconf

import (
	"strings"
	"testing"
)

// TestLintStepUpChoice: OIDCUnAutzAction auth with OIDCMetadataDir and a
// Require claim line warns at the action, unless OIDCDiscoverURL applies
// or there is no claim line or a single provider.
func TestLintStepUpChoice(t *testing.T) {
	mods := ""
	for _, m := range []string{"authn_core", "authz_core", "authz_user", "auth_openidc"} {
		mods += "LoadModule " + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n"
	}
	const multi = "ServerName a\nOIDCMetadataDir MD\n"
	const static = "ServerName a\nOIDCProviderMetadataURL https://op.example/.well-known/openid-configuration\n"
	for _, tt := range []struct {
		name, conf string
		line       int // of the warning, counted after mods; 0: none
	}{
		{"metadata dir", multi + "<Location />\nAuthType openid-connect\nOIDCUnAutzAction auth\nRequire claim a:b\n</Location>\n", 5},
		{"in a virtual host", "ServerName a\nOIDCMetadataDir MD\n<VirtualHost *:80>\n<Location />\nAuthType openid-connect\nOIDCUnAutzAction auth\nRequire claim a:b\n</Location>\n</VirtualHost>\n", 6},
		{"OIDCDiscoverURL", multi + "<Location />\nAuthType openid-connect\nOIDCUnAutzAction auth\nOIDCDiscoverURL https://d.example/\nRequire claim a:b\n</Location>\n", 0},
		{"one provider", static + "<Location />\nAuthType openid-connect\nOIDCUnAutzAction auth\nRequire claim a:b\n</Location>\n", 0},
		{"no claim line", multi + "<Location />\nAuthType openid-connect\nOIDCUnAutzAction auth\nRequire valid-user\n</Location>\n", 0},
		{"another action", multi + "<Location />\nAuthType openid-connect\nOIDCUnAutzAction 401\nRequire claim a:b\n</Location>\n", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := compileForTest(t, mods+"ErrorLog /dev/stderr\n"+strings.Replace(tt.conf, "MD", t.TempDir(), 1))
			if diags.HasErrors() {
				t.Fatalf("compile: %v", diags)
			}
			var d Diagnostics
			for _, x := range LintUnAutz(cfg) {
				if strings.Contains(x.Msg, "OIDCMetadataDir") {
					d = append(d, x)
				}
			}
			if tt.line == 0 {
				if len(d) != 0 {
					t.Errorf("want no warning, got %v", d)
				}
				return
			}
			if len(d) != 1 {
				t.Fatalf("want one warning, got %v", d)
			}
			if x := d[0]; x.Severity != SevWarning || x.Pos.Line != tt.line+5 || x.Directive != "OIDCUnAutzAction" || !strings.Contains(x.Msg, "2.4.12.3") || x.Hint == "" {
				t.Errorf("got %+v (line %d), want line %d", x, x.Pos.Line-5, tt.line)
			}
		})
	}
}
