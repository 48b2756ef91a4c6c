package apacheconf

import (
	"net/netip"
	"strings"
	"testing"
)

// dumpAuthz renders a Require tree compactly: any(…), all(…), none(…),
// provider lines as "[not ]name args".
func dumpAuthz(n *AuthzNode) string {
	if n == nil {
		return "<nil>"
	}
	if n.Kind == AuthzProvider {
		s := n.Provider
		if len(n.Args) > 0 {
			s += " " + strings.Join(n.Args, " ")
		}
		if n.Negated {
			s = "not " + s
		}
		if len(n.Methods) > 0 {
			if n.Except {
				s += " except"
			}
			s += " [" + strings.Join(n.Methods, ",") + "]"
		}
		return s
	}
	parts := make([]string, len(n.Children))
	for i, c := range n.Children {
		parts[i] = dumpAuthz(c)
	}
	return [...]string{"any", "all", "none"}[n.Kind] + "(" + strings.Join(parts, "; ") + ")"
}

func TestRequireTrees(t *testing.T) {
	tests := []struct{ body, want string }{
		{"Require valid-user\nRequire claim email_verified:true", "any(valid-user; claim email_verified:true)"},
		{"<RequireAll>\nRequire claim a:b\nRequire not ip 10.0.0.0/8\n</RequireAll>", "any(all(claim a:b; not ip 10.0.0.0/8))"},
		{"<RequireAll>\n<RequireAll>\nRequire valid-user\n</RequireAll>\nRequire ip 10.1\n</RequireAll>", "any(all(valid-user; ip 10.1))"}, // same-kind nesting flattened
		{"<RequireAny>\nRequire user a\n</RequireAny>", "any(user a)"},
		{"<RequireAll>\nRequire valid-user\n<RequireNone>\nRequire claim banned:true\n</RequireNone>\n</RequireAll>", "any(all(valid-user; none(claim banned:true)))"},
		{"<Limit POST>\nRequire valid-user\n</Limit>\n<LimitExcept GET>\nRequire all denied\n</LimitExcept>", "any(valid-user [POST]; all denied except [GET])"},
	}
	for _, tt := range tests {
		cfg, diags := compileForTest(t, "ServerName a\n<Location /x>\n"+tt.body+"\n</Location>\n")
		if diags.HasErrors() {
			t.Errorf("%q: %v", tt.body, diags.Errors())
			continue
		}
		if got := dumpAuthz(cfg.Main.Sections[0].Dir.Authz.Require); got != tt.want {
			t.Errorf("%q:\n got %s\nwant %s", tt.body, got, tt.want)
		}
	}
}

// TestAuthzMerge follows apache_semantics §e example 2: replace by
// default, inherit when the later section has no Require, combine with
// AuthMerging And/Or.
func TestAuthzMerge(t *testing.T) {
	cfg, diags := compileForTest(t, `ServerName a
<Location /z>
AuthType openid-connect
Require all denied
</Location>
<Location /z/open>
Require all granted
</Location>
<Location /z/empty>
</Location>
<Location /z/and>
AuthMerging And
Require all granted
</Location>
<Location /z/or>
AuthMerging Or
Require env IS_ADMIN
</Location>
`)
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	s := cfg.Main.Sections
	base := s[0].Dir
	for i, want := range []string{
		"any(all granted)",
		"any(all denied)",
		"all(any(all denied); any(all granted))",
		"any(any(all denied); any(env IS_ADMIN))",
	} {
		m := base.Merge(s[i+1].Dir)
		if got := dumpAuthz(m.Authz.Require); got != want {
			t.Errorf("%s: got %s, want %s", s[i+1].Arg, got, want)
		}
		if m.Authz.AuthType != "openid-connect" {
			t.Errorf("%s: AuthType %q not inherited", s[i+1].Arg, m.Authz.AuthType)
		}
	}
}

func TestRequireIP(t *testing.T) {
	tests := []struct {
		arg, in, out string
	}{
		{"10.1", "10.1.200.3", "10.2.0.1"},
		{"192.168.1.0/24", "192.168.1.77", "192.168.2.1"},
		{"10.2.0.0/255.0.255.0", "10.99.0.5", "10.2.1.0"},
		{"::1", "::1", "::2"},
		{"fe80::/10", "fe80::1", "fec0::1"},
		{"127.0.0.1", "::ffff:127.0.0.1", "127.0.0.2"},
	}
	for _, tt := range tests {
		n, msg := parseRequireIP(tt.arg)
		if msg != "" {
			t.Fatalf("%s: %s", tt.arg, msg)
		}
		if !n.Contains(netip.MustParseAddr(tt.in)) || n.Contains(netip.MustParseAddr(tt.out)) {
			t.Errorf("%s: in %s → %v, out %s → %v", tt.arg, tt.in, n.Contains(netip.MustParseAddr(tt.in)), tt.out, n.Contains(netip.MustParseAddr(tt.out)))
		}
	}
	for _, bad := range []string{"10.0.0.999", "1.2.3.4.5", "10.0.0.0/33", "::1/129", "x", "10.0.0.0/255.0.0.256"} {
		if _, msg := parseRequireIP(bad); msg == "" {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestClaimsExprStrict(t *testing.T) {
	conf := "LoadModule mpm_event_module x.so\nLoadModule authz_core_module x.so\nLoadModule auth_openidc_module x.so\nServerName a\n<Location /x>\nRequire claims_expr '.groups | index(\"ops\")'\n</Location>\n"
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.conf": conf})
	for _, strict := range []bool{false, true} {
		_, diags := Load(Options{File: "main.conf", ServerRoot: root, Envvars: EnvvarsOff, Strict: strict})
		if diags.HasErrors() != strict {
			t.Errorf("strict=%v: errors %v", strict, diags.Errors())
		}
	}
}

func FuzzRequireIP(f *testing.F) {
	for _, s := range []string{"10.1", "10.0.0.0/8", "::1/64", "1.2.3.4/255.255.0.0", "1.2.3.", "/", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, msg := parseRequireIP(s)
		if msg != "" {
			return
		}
		if len(n.Mask) != n.IP.BitLen()/8 {
			t.Fatalf("%q: mask of %d bytes for %v", s, len(n.Mask), n.IP)
		}
		if !n.Contains(n.IP) {
			t.Fatalf("%q: network does not contain its own address", s)
		}
	})
}

// TestRequireClaimExpression: a Require claim line is an ap_expr string
// that mod_auth_openidc parses at start-up; Apache's messages measured with
// Apache + mod_auth_openidc 2.4.12.3 (oidc/claims/testdata).
func TestRequireClaimExpression(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"method:%{REQUEST_METHOD", "Cannot parse expression in require line: "},
		{"pct:%{X}", "Cannot parse expression in require line: Variable 'X' does not exist"},
		{`email~^a@b\.com$ method:%{REQUEST_METHOD}`, ""},
	} {
		_, diags := compileForTest(t, "<Location />\nAuthType openid-connect\nRequire claim "+tc.line+"\n</Location>\n")
		got := ""
		for _, d := range diags {
			if d.Severity == SevError && !d.ApacheOnly {
				got = d.Msg
			}
		}
		if tc.want == "" && got != "" || tc.want != "" && !strings.HasPrefix(got, tc.want) {
			t.Errorf("Require claim %s: error %q, want %q", tc.line, got, tc.want)
		}
	}
}

// TestReadingHints: a misspelt Require provider and an AuthType no module
// provides get a did-you-mean.
func TestReadingHints(t *testing.T) {
	for _, tc := range []struct{ conf, want string }{
		{"<Location />\nAuthType openid-connect\nRequire claims groups:admins\n</Location>\n", "did you mean claim?"},
		{"<Location />\nAuthType openidconnect\nRequire valid-user\n</Location>\n", "did you mean openid-connect?"},
	} {
		_, diags := compileForTest(t, tc.conf)
		found := false
		for _, d := range diags {
			if d.Hint == tc.want {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no hint %q in %v", tc.conf, tc.want, diags)
		}
	}
}
