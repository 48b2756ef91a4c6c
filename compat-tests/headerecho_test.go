package compattests

import "testing"

// headerEchoExtra: Header echo of identity headers (set by the module
// after authentication) and of a client header; onsuccess and always.
func headerEchoExtra() string {
	return `  <Location /echo/>
    OIDCAuthNHeader X-Remote-User
    Header echo ^OIDC_CLAIM_(sub|email)$
    Header always echo ^X-Remote-User$
    Header echo ^X-Client
  </Location>
  <Location /echo/denied/>
    Require claim sub:nobody
  </Location>
`
}

var headerEchoScenario = oidcScenario{"header-echo", func(s *scen) {
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/echo/x", "alice")
	s.note("the identity headers and the client's X-Client-A are echoed")
	s.send(c, "default", "GET", "/echo/y", copyHdr(browserHdr, "X-Client-A", "1", "OIDC_CLAIM_sub", "evil"))
	s.note("denied by Require claim: only always applies")
	s.send(c, "default", "GET", "/echo/denied/z", copyHdr(browserHdr, "X-Client-A", "1"))
}}

// TestHeaderEchoDifferential: Header echo copies the request headers whose
// names match to the response — the identity headers mod_auth_openidc
// set included — as Apache's mod_headers does.
func TestHeaderEchoDifferential(t *testing.T) {
	diffOIDCScenario(t, headerEchoExtra(), headerEchoScenario)
}
