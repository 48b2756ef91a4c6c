package compattests

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Session management (OpenID Connect Session Management 1.0) through
// Apache + mod_auth_openidc 2.4.12.3 and through oidcgate, live, with the
// real provider. oidc-provider 9 no longer implements session management
// (no check_session_iframe, no session_state), so the iframe URL is
// configured statically (OIDCProviderCheckSessionIFrame) and the RP iframe
// shows an empty session_state — as it does for any provider without it.

// sessMgmtIFrame is the (static) check_session_iframe: a path on the OP.
const sessMgmtIFramePath = "/session/check"

var sessMgmtScenario = oidcScenario{"sessmgmt", func(s *scen) {
	op := s.tg.Env.OP.Issuer
	c := newBrowser(s.t)
	s.note("no session: the OP iframe, the RP iframe, an unknown command")
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_op", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=nonsense", browserHdr)
	s.note("alice logs in")
	s.loginAs(c, "default", "/x", "alice")
	s.note("the RP iframe with a session, a poll interval, a script in poll, a login_uri on this host")
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp&poll=1500", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp&poll=1);alert(1)//", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp&poll=86401", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp&login_uri="+url.QueryEscape(s.tg.Base["default"]+"/login?a=b"), browserHdr)
	s.note("a silent check while the provider still knows alice: back to the RP iframe")
	s.loginAs(c, "default", "/redirect_uri?session=check", "alice")
	s.send(c, "default", "GET", "/x2", browserHdr)
	s.note("the provider's session ends (end_session at the OP, no RP involved)")
	endAtOP(s, c, op)
	s.note("a silent check now fails: the top window is sent to ?session=logout")
	s.loginAs(c, "default", "/redirect_uri?session=check", "alice")
	s.send(c, "default", "GET", "/redirect_uri?session=logout", browserHdr)
	s.backchannel() // the tokens revoked
	s.note("the session is gone")
	s.send(c, "default", "GET", "/x3", browserHdr)
}}

// endAtOP ends the browser's session at the provider: its end_session
// page, confirmed.
func endAtOP(s *scen, c *http.Client, op string) {
	s.t.Helper()
	h := do(s.t, c, "GET", op+"/session/end", nil, browserHdr)
	if h.Status != 200 {
		s.t.Fatalf("end_session at the OP: %d %s", h.Status, h.Body)
	}
	for _, hh := range logoutAtOP(s.t, c, h) {
		s.note("(OP) end_session confirmed -> %d", hh.Status)
	}
}

var sessMgmtNoIFrameScenario = oidcScenario{"sessmgmt-noiframe", func(s *scen) {
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/x", "alice")
	s.note("no check_session_iframe: both iframes are 404; the silent check still goes to the provider")
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_op", browserHdr)
	s.send(c, "default", "GET", "/redirect_uri?session=iframe_rp", browserHdr)
	h := s.send(c, "default", "GET", "/redirect_uri?session=check", browserHdr)
	if !strings.Contains(h.Location, "prompt=none") || !strings.Contains(h.Location, "id_token_hint=") {
		s.t.Errorf("session=check: %d %q", h.Status, h.Location)
	}
}}

// TestSessionManagementOIDC runs the session-management scenarios
// through Apache + mod_auth_openidc and through oidcgate and compares the
// transcripts after the deliberate differences (expectForOIDCGate).
func TestSessionManagementOIDC(t *testing.T) {
	requireApache(t)
	requireOP(t)
	for _, tc := range []struct {
		name   string
		iframe bool
		sc     oidcScenario
	}{
		{"iframe", true, sessMgmtScenario},
		{"noiframe", false, sessMgmtNoIFrameScenario},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newOIDCEnv(t, "apache", "oidcgate")
			a, o := env.Targets["apache"], env.Targets["oidcgate"]
			if tc.iframe {
				extra := "  OIDCProviderCheckSessionIFrame " + env.OP.Issuer + sessMgmtIFramePath + "\n"
				a.Extra, o.Extra = extra, extra
			}
			startApacheOIDC(t, a)
			startOIDCGateOIDC(t, o)
			want := runScenario(t, a, tc.sc)
			t.Logf("apache2 transcript:\n%s", want)
			got := orderBlind(runScenario(t, o, tc.sc))
			if w := orderBlind(expectForOIDCGate(want)); w != got {
				t.Errorf("oidcgate differs from Apache:\n%s", requestDiff(w, got))
			}
		})
	}
}
