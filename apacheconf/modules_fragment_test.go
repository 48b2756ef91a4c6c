package apacheconf

import (
	"strings"
	"testing"
)

// TestFragmentModeKnownModulesOnly: a configuration without LoadModule is
// read with every module Debian ships loaded — and only those: an unknown
// module (a typo, a third-party module oidcgate does not know) is not
// loaded, as Apache would find it missing; the MPMs are not either. With
// LoadModule lines only what they load counts.
func TestFragmentModeKnownModulesOnly(t *testing.T) {
	for _, tc := range []struct {
		preamble, cond string
		want           bool
	}{
		{"", "mod_ssl.c", true},
		{"", "ssl_module", true},
		{"", "mod_proxy_http.c", true},
		{"", "lbmethod_byrequests_module", true},
		{"", "mod_auth_openidc.c", true},
		{"", "util_ldap.c", true},
		{"", "oidcgate.c", true},
		{"", "mod_nothing.c", false},
		{"", "nothing_module", false},
		{"", "!mod_nothing.c", true},
		{"", "mod_SSL.c", false}, // case-sensitive, as in Apache
		{"", "prefork.c", false},
		{"", "mpm_event_module", false},
		{"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n", "mod_ssl.c", false},
		{"LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so\n", "mod_alias.c", true},
	} {
		conf := tc.preamble + "ServerName a\n<IfModule " + tc.cond + ">\nServerAdmin inside@example.org\n</IfModule>\n"
		cfg, diags := compileForTest(t, conf)
		if cfg == nil || cfg.Main == nil {
			t.Fatalf("%q: no config: %v", tc.cond, diags)
		}
		got := cfg.Main.Core != nil && cfg.Main.Core.Values["serveradmin"] == "inside@example.org"
		if got != tc.want {
			t.Errorf("%s<IfModule %s>: %v, want %v", tc.preamble, tc.cond, got, tc.want)
		}
		fragment := false
		for _, d := range diags {
			if strings.Contains(d.Msg, "reading it as a fragment") {
				fragment = true
			}
		}
		if fragment != (tc.preamble == "") {
			t.Errorf("%q: fragment-mode notice %v", tc.cond, fragment)
		}
	}
}
