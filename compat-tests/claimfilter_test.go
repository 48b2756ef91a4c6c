package compattests

import "testing"

// claimFilterCases put OIDCWhiteListedClaims / OIDCBlackListedClaims in a
// <Location> (2.4.12.3 applies them to the whole virtual host) next to
// Require claim locations. Variant post passes the id_token as claims,
// payload and serialized and userinfo as claims and json; /both/ also
// passes the claims as environment variables (X-Env-Claim-*).
var claimFilterCases = []struct{ name, extra string }{
	{"white", `  <Location /rc/>
    OIDCWhiteListedClaims email groups locale realm_access.roles Name
    Require claim realm_access.roles:admin
  </Location>
  <Location /rc2/>
    Require claim email:alice@example.com
    RequestHeader set X-Remote-User "expr=%{REMOTE_USER}"
  </Location>
`},
	{"black", `  <Location /rc/>
    OIDCBlackListedClaims email_verified groups Name
    Require claim realm_access.roles:admin
  </Location>
  <Location /rc2/>
    Require claim email:alice@example.com
    RequestHeader set X-Remote-User "expr=%{REMOTE_USER}"
  </Location>
`},
	{"both", `  OIDCWhiteListedClaims sub email groups locale
  OIDCBlackListedClaims groups
  <Location /rc/>
    Require claim groups:admins
  </Location>
  <Location /rc2/>
    Require claim email:alice@example.com
    RequestHeader set X-Remote-User "expr=%{REMOTE_USER}"
  </Location>
`},
}

var claimFilterScenario = oidcScenario{"claimfilter", func(s *scen) {
	s.note("alice logs in (variant post: id_token as claims, payload, serialized; userinfo as claims, json)")
	c := newBrowser(s.t)
	s.loginAs(c, "post", "/both/x", "alice")
	s.send(c, "post", "GET", "/both/y", browserHdr)
	s.note("Require claim on a claim the filter removes or keeps")
	s.send(c, "post", "GET", "/verified/x", browserHdr)
	s.send(c, "post", "GET", "/rc/x", browserHdr)
	s.send(c, "post", "GET", "/rc2/x", browserHdr)
}}

// TestClaimFilterOIDC runs the claim-filter scenario through Apache +
// mod_auth_openidc and through oidcgate, live, and compares the
// transcripts after the deliberate differences (expectForOIDCGate).
func TestClaimFilterOIDC(t *testing.T) {
	requireApache(t)
	requireOP(t)
	for _, tc := range claimFilterCases {
		t.Run(tc.name, func(t *testing.T) {
			env := newOIDCEnv(t, "apache", "oidcgate")
			a, o := env.Targets["apache"], env.Targets["oidcgate"]
			a.Extra, o.Extra = tc.extra, tc.extra
			startApacheOIDC(t, a)
			startOIDCGateOIDC(t, o)
			want := runScenario(t, a, claimFilterScenario)
			t.Logf("apache2 transcript:\n%s", want)
			got := orderBlind(runScenario(t, o, claimFilterScenario))
			if w := orderBlind(expectForOIDCGate(want)); w != got {
				t.Errorf("oidcgate differs from Apache:\n%s", requestDiff(w, got))
			}
		})
	}
}
