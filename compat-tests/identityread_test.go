package compattests

import (
	"sort"
	"strings"
	"testing"
)

// identityReadExtra reads the identity headers mod_auth_openidc sets
// after authentication: Require expr and Header expr= through
// %{HTTP:…}, the access log through %{…}i — in the header's own spelling
// and in lower case (Apache's header table is case-insensitive).
func identityReadExtra(logFile string) string {
	return `  CustomLog ` + logFile + ` "%U %>s [%{OIDC_CLAIM_email}i] [%{oidc_claim_email}i] [%{OIDC_CLAIM_sub}i] [%{OIDC_CLAIM_email}e]"
  <Location /idr/>
    <RequireAll>
      Require valid-user
      Require expr "-n %{REMOTE_USER} && %{HTTP:oidc_claim_email} =~ /^alice@/"
    </RequireAll>
    Header always set X-Email "expr=%{HTTP:OIDC_CLAIM_email}"
    Header always set X-Email-Lc "expr=%{HTTP:oidc_claim_email}"
  </Location>
`
}

var identityReadScenario = oidcScenario{"identity-read", func(s *scen) {
	s.note("alice: Require expr grants on her OIDC_CLAIM_email; Header expr= copies it")
	c := newBrowser(s.t)
	s.loginAs(c, "default", "/idr/x", "alice")
	s.send(c, "default", "GET", "/idr/y", browserHdr)
	s.send(c, "default", "GET", "/idr/z", browserHdr)
	s.send(c, "default", "GET", "/idr/spoof", copyHdr(browserHdr, "oidc_claim_email", "alice@evil.example"))
	s.note("bob: the expression is false")
	c = newBrowser(s.t)
	s.loginAs(c, "default", "/idr/x", "bob")
	s.send(c, "default", "GET", "/idr/y", browserHdr)
}}

// TestIdentityHeadersRead: what reads the identity headers after
// authentication sees them as in Apache + mod_auth_openidc — oidcgate
// keeps them out of the request's header map from a session's second
// request on (proxy/identityhdr.go).
func TestIdentityHeadersRead(t *testing.T) {
	requireApache(t)
	requireOP(t)
	a, o, aLog, oLog := oidcPairWithLogs(t, identityReadExtra)
	startApacheOIDC(t, a)
	startOIDCGateOIDC(t, o)
	want := runScenario(t, a, identityReadScenario)
	t.Logf("apache2 transcript:\n%s", want)
	got := orderBlind(runScenario(t, o, identityReadScenario))
	if w := orderBlind(expectForOIDCGate(want)); w != got {
		t.Errorf("oidcgate differs from Apache:\n%s", requestDiff(w, got))
	}
	read := func(f string) string {
		var lines []string
		for _, l := range logLines(t, f) {
			if strings.HasPrefix(l, "/idr/") {
				lines = append(lines, l)
			}
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	al, ol := read(aLog), read(oLog)
	t.Logf("apache2 access log:\n%s", al)
	if !strings.Contains(al, "[alice@example.com] [alice@example.com] [alice]") {
		t.Errorf("the Apache log does not show the identity headers; the comparison is void:\n%s", al)
	}
	if al != ol {
		t.Errorf("access logs differ:\n%s", lineDiff(al, ol))
	}
}
