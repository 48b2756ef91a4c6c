package compattests

import (
	"testing"
)

// identitySpoofExtra: a Location that adds OIDCAuthNHeader under a
// canonical name (X-Remote-User), and one with OIDCUnAuthAction pass.
func identitySpoofExtra() string {
	return `  <Location /authn/>
    OIDCAuthNHeader X-Remote-User
  </Location>
  <Location /pass/>
    OIDCUnAuthAction pass
  </Location>
`
}

// identitySpoofScenario sends a logged-in user's requests (from the
// session's second request on, when oidcgate keeps the identity headers
// out of the request's header map) with client headers that name, repeat
// or try to drop the identity headers.
var identitySpoofScenario = oidcScenario{"identity-spoof", func(s *scen) {
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/authn/x", "alice")
	s.send(c, "default", "GET", "/authn/y", browserHdr)
	s.note("spoofed in other spellings, and repeated")
	s.send(c, "default", "GET", "/authn/spoof", copyHdr(browserHdr, "oidc_claim_email", "evil@example", "OIDC-CLAIM-EMAIL", "evil2@example",
		"x-remote-user", "evil", "X-Remote-User", "evil"))
	s.note("a claim this identity lacks")
	s.send(c, "default", "GET", "/authn/lacks", copyHdr(browserHdr, "OIDC_CLAIM_nosuch", "evil", "OIDC_CLAIM_groups", "evil"))
	s.note("Connection names identity headers")
	s.send(c, "default", "GET", "/authn/conn1", copyHdr(browserHdr, "Connection", "X-Remote-User"))
	s.send(c, "default", "GET", "/authn/conn2", copyHdr(browserHdr, "Connection", "OIDC_CLAIM_email"))
	s.send(c, "default", "GET", "/authn/conn3", copyHdr(browserHdr, "Connection", "keep-alive, oidc_claim_sub, x-remote-user"))
	s.note("OIDCUnAuthAction pass, logged in and not")
	s.send(c, "default", "GET", "/pass/a", browserHdr)
	s.send(c, "default", "GET", "/pass/b", copyHdr(browserHdr, "OIDC_CLAIM_email", "evil@example", "Connection", "OIDC_CLAIM_sub"))
	s.send(nil, "default", "GET", "/pass/c", copyHdr(browserHdr, "OIDC_CLAIM_email", "evil@example"))
}}

// TestIdentityHeadersSpoofDifferential: a client's headers named like the
// identity headers, in any spelling, repeated, or listed in Connection,
// reach the backend as they do through Apache + mod_auth_openidc.
func TestIdentityHeadersSpoofDifferential(t *testing.T) {
	diffOIDCScenario(t, identitySpoofExtra(), identitySpoofScenario)
}
