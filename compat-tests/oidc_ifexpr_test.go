package compattests

import (
	"testing"
)

// ifexprOIDCExtra puts <If>, expr= and Require expr behind
// mod_auth_openidc's login, where %{REMOTE_USER} is the OIDC user.
const ifexprOIDCExtra = `  <Location /ifx/>
    <If "-n %{REMOTE_USER}">
      RequestHeader set X-If-User set
    </If>
    <Else>
      RequestHeader set X-If-User empty
    </Else>
    RequestHeader set X-RU "expr=%{REMOTE_USER}"
    RequestHeader set X-Is-Alice yes "expr=%{REMOTE_USER} =~ /^alice/"
    Header always set X-Al-RU "expr=%{REMOTE_USER}"
    Header set X-On-RU "expr=%{REMOTE_USER}"
  </Location>
  <Location /rx/>
    Require expr %{REMOTE_USER} =~ /^alice/ || %{HTTP:X-Ok} == 'yes'
    Header always set X-Al-RX rx
  </Location>
`

var ifexprOIDCScenario = oidcScenario{"ifexpr", func(s *scen) {
	s.note("Require expr reading REMOTE_USER: granted by the header without a login, else a login")
	s.send(nil, "default", "GET", "/rx/x", copyHdr(browserHdr, "X-Ok", "yes"))
	s.send(nil, "default", "GET", "/rx/x", browserHdr)
	s.note("bob logs in: the expression is false with a user")
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/rx/x", "bob")
	s.send(c, "default", "GET", "/rx/y", browserHdr)
	s.send(c, "default", "GET", "/ifx/x", browserHdr)
	s.note("alice logs in")
	c = newBrowser(s.t)
	s.loginAs(c, "default", "/rx/x", "alice")
	s.send(c, "default", "GET", "/ifx/x", browserHdr)
}}

// TestIfExprOIDC runs the scenario through Apache + mod_auth_openidc and
// through oidcgate, live, and compares the transcripts after the
// deliberate differences (expectForOIDCGate).
func TestIfExprOIDC(t *testing.T) {
	diffOIDCScenario(t, ifexprOIDCExtra, ifexprOIDCScenario)
}

// diffOIDCScenario runs sc through Apache + mod_auth_openidc and through
// oidcgate, both with extra as their Extra configuration, live against
// the provider, and reports where oidcgate's transcript differs from
// Apache's after the deliberate differences (expectForOIDCGate).
func diffOIDCScenario(t *testing.T, extra string, sc oidcScenario) {
	t.Helper()
	requireApache(t)
	requireOP(t)
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o := env.Targets["apache"], env.Targets["oidcgate"]
	a.Extra, o.Extra = extra, extra
	startApacheOIDC(t, a)
	startOIDCGateOIDC(t, o)
	want := runScenario(t, a, sc)
	t.Logf("apache2 transcript:\n%s", want)
	got := orderBlind(runScenario(t, o, sc))
	if w := orderBlind(expectForOIDCGate(want)); w != got {
		t.Errorf("oidcgate differs from Apache:\n%s", requestDiff(w, got))
	}
}
