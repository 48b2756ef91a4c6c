package proxy

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// TestClaimDenied: the decision and the Require claim lines that denied
// the user on the way, in evaluation order (where mod_auth_openidc runs
// OIDCUnAutzAction), for the shapes measured in compat-tests
// TestUnAutzOIDC and a few more. User bob holds sub:bob; "claim x"
// grants iff x is "sub:bob".
func TestClaimDenied(t *testing.T) {
	for _, tt := range []struct {
		name, require string
		method        string
		want          AuthzResult
		denied        string // the denying claim lines' arguments, " | "-joined
	}{
		{"single fail", "Require claim sub:alice", "", AuthzDenied, "sub:alice"},
		{"single grant", "Require claim sub:bob", "", AuthzGranted, ""},
		{"bare fail grant", "Require claim sub:alice\nRequire claim sub:bob", "", AuthzGranted, "sub:alice"},
		{"bare grant fail: short-circuit", "Require claim sub:bob\nRequire claim sub:alice", "", AuthzGranted, ""},
		{"bare fail fail", "Require claim sub:alice\nRequire claim sub:carol", "", AuthzDenied, "sub:alice | sub:carol"},
		{"fail then valid-user", "Require claim sub:alice\nRequire valid-user", "", AuthzGranted, "sub:alice"},
		{"valid-user then fail", "Require valid-user\nRequire claim sub:alice", "", AuthzGranted, ""},
		{"any fail grant", "<RequireAny>\nRequire claim sub:alice\nRequire claim sub:bob\n</RequireAny>", "", AuthzGranted, "sub:alice"},
		{"all grant fail", "<RequireAll>\nRequire claim sub:bob\nRequire claim sub:alice\n</RequireAll>", "", AuthzDenied, "sub:alice"},
		{"all fail: short-circuit", "<RequireAll>\nRequire claim sub:alice\nRequire claim sub:carol\n</RequireAll>", "", AuthzDenied, "sub:alice"},
		{"not claim lacked: a denial before the negation", "<RequireAll>\nRequire valid-user\nRequire not claim sub:alice\n</RequireAll>", "", AuthzGranted, "sub:alice"},
		{"not claim held: denied, no claim denial", "<RequireAll>\nRequire valid-user\nRequire not claim sub:bob\n</RequireAll>", "", AuthzDenied, ""},
		{"none", "<RequireAll>\nRequire valid-user\n<RequireNone>\nRequire claim sub:alice\n</RequireNone>\n</RequireAll>", "", AuthzGranted, "sub:alice"},
		{"fail then ip fails", "Require claim sub:alice\nRequire ip 192.0.2.1", "", AuthzDenied, "sub:alice"},
		{"ip fails then fail", "Require ip 192.0.2.1\nRequire claim sub:alice", "", AuthzDenied, "sub:alice"},
		{"all ip then fail", "<RequireAll>\nRequire ip 127.0.0.1\nRequire claim sub:alice\n</RequireAll>", "", AuthzDenied, "sub:alice"},
		{"all ip fails first: claim not asked", "<RequireAll>\nRequire ip 192.0.2.1\nRequire claim sub:alice\n</RequireAll>", "", AuthzDenied, ""},
		{"user denies, no claim denial", "<RequireAll>\nRequire claim sub:bob\nRequire user alice\n</RequireAll>", "", AuthzDenied, ""},
		{"nested all in any", "<RequireAny>\n<RequireAll>\nRequire valid-user\nRequire claim sub:alice\n</RequireAll>\nRequire claim sub:bob\n</RequireAny>", "", AuthzGranted, "sub:alice"},
		{"claims_expr", "Require claims_expr '.sub == \"alice\"'\nRequire claim sub:carol", "", AuthzDenied, "'.sub == \"alice\"' | sub:carol"},
		{"limited to POST: not asked on GET", "<Limit POST>\nRequire claim sub:alice\n</Limit>\nRequire valid-user", "GET", AuthzGranted, ""},
		{"limited to POST: asked on POST", "<Limit POST>\nRequire claim sub:alice\n</Limit>\nRequire claim sub:carol", "POST", AuthzDenied, "sub:alice | sub:carol"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadConfig(t, "ServerName a\n<Location /u>\n"+tt.require+"\n</Location>\n")
			tree := cfg.Main.Sections[0].Dir.Authz.Require
			var denied []string
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := AuthzRequest{Method: method, Client: netip.MustParseAddr("127.0.0.1"), HasUser: true, User: "bob",
				Claim:       func(n *apacheconf.AuthzNode) bool { return strings.TrimSpace(n.Line) == "sub:bob" },
				ClaimDenied: func(n *apacheconf.AuthzNode) { denied = append(denied, strings.TrimSpace(n.Line)) }}
			if got := EvalAuthz(tree, r); got != tt.want {
				t.Errorf("decision %v, want %v", got, tt.want)
			}
			if got := strings.Join(denied, " | "); got != tt.denied {
				t.Errorf("denying claim lines %q, want %q", got, tt.denied)
			}
			// Without a user (mod_authz_core's first pass) no claim line
			// denies: they ask for a user.
			denied = nil
			r.HasUser, r.User, r.Claim = false, "", nil
			EvalAuthz(tree, r)
			if len(denied) != 0 {
				t.Errorf("claim lines denied before authentication: %q", denied)
			}
		})
	}
}
