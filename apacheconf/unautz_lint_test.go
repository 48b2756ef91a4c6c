package apacheconf

import (
	"strings"
	"testing"
)

// TestLintUnAutz: a warning where 2.4.12.3 would send the
// OIDCUnAutzAction page for a request Require grants (the action writes a
// page and a claim line's denial can be overruled), at the claim line;
// none otherwise.
func TestLintUnAutz(t *testing.T) {
	// mods are the modules' lines; the cases' line numbers count after them.
	mods := ""
	for _, m := range []string{"authn_core", "authz_core", "authz_user", "auth_openidc"} {
		mods += "LoadModule " + m + "_module /usr/lib/apache2/modules/mod_" + m + ".so\n"
	}
	const pre = "ServerName a\n<Location />\nAuthType openid-connect\n"
	for _, tt := range []struct {
		name, conf string
		line       int // of the warning; 0: none
		why        string
	}{
		{"two bare lines, 302", pre + "OIDCUnAutzAction 302 https://x.example/\nRequire claim a:b\nRequire claim c:d\n</Location>\n", 5, "later Require line"},
		{"last bare line alone can only deny", pre + "OIDCUnAutzAction auth\nRequire valid-user\nRequire claim a:b\n</Location>\n", 0, ""},
		{"claim then valid-user, auth", pre + "OIDCUnAutzAction auth\nRequire claim a:b\nRequire valid-user\n</Location>\n", 5, "later Require line"},
		{"401 with a text", pre + "OIDCUnAutzAction 401 \"<p>no</p>\"\n<RequireAny>\nRequire claim a:b\nRequire claim c:d\n</RequireAny>\n</Location>\n", 6, "later Require line"},
		{"401 without text: no page", pre + "OIDCUnAutzAction 401\nRequire claim a:b\nRequire claim c:d\n</Location>\n", 0, ""},
		{"no action: no page", pre + "Require claim a:b\nRequire claim c:d\n</Location>\n", 0, ""},
		{"single line", pre + "OIDCUnAutzAction 302 https://x.example/\nRequire claim a:b\n</Location>\n", 0, ""},
		{"RequireAll", pre + "OIDCUnAutzAction 302 https://x.example/\n<RequireAll>\nRequire claim a:b\nRequire claim c:d\n</RequireAll>\n</Location>\n", 0, ""},
		{"not claim", pre + "OIDCUnAutzAction auth\n<RequireAll>\nRequire valid-user\nRequire not claim a:b\n</RequireAll>\n</Location>\n", 7, "negated"},
		{"RequireNone", pre + "OIDCUnAutzAction auth\n<RequireAll>\nRequire valid-user\n<RequireNone>\nRequire claim a:b\n</RequireNone>\n</RequireAll>\n</Location>\n", 8, "RequireNone"},
		{"oauth20: no page", "ServerName a\n<Location />\nAuthType oauth20\nOIDCUnAutzAction 302 https://x.example/\nRequire claim a:b\nRequire claim c:d\n</Location>\n", 0, ""},
		{"action inherited from an enclosing Location", pre + "OIDCUnAutzAction 302 https://x.example/\nRequire valid-user\n</Location>\n<Location /sub>\nRequire claim a:b\nRequire valid-user\n</Location>\n", 8, "later Require line"},
		{"Require inherited, action in a sub-Location", pre + "Require claim a:b\nRequire claim c:d\n</Location>\n<Location /sub>\nOIDCUnAutzAction auth\n</Location>\n", 4, "later Require line"},
		{"a Location prefix encloses without a slash boundary", pre + "OIDCUnAutzAction auth\nRequire valid-user\n</Location>\n<Location /a>\nAuthType None\n</Location>\n<Location /ab>\nRequire claim a:b\nRequire claim c:d\nAuthType openid-connect\n</Location>\n", 11, "later Require line"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := compileForTest(t, mods+"ErrorLog /dev/stderr\n"+tt.conf)
			if diags.HasErrors() {
				t.Fatalf("compile: %v", diags)
			}
			d := LintUnAutz(cfg)
			if tt.line == 0 {
				if len(d) != 0 {
					t.Errorf("want no warning, got %v", d)
				}
				return
			}
			if len(d) != 1 {
				t.Fatalf("want one warning, got %v", d)
			}
			x := d[0]
			if x.Severity != SevWarning || x.Pos.Line != tt.line+5 || x.Directive != "OIDCUnAutzAction" || !strings.Contains(x.Msg, tt.why) || !strings.Contains(x.Msg, "2.4.12.3") || x.Hint == "" {
				t.Errorf("got %+v (line %d), want line %d, %q", x, x.Pos.Line-5, tt.line, tt.why)
			}
		})
	}
}
