package compattests

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPassCookiesOIDC: OIDCPassCookies sends the named browser cookies
// (in the configured order) along on the relying party's calls to the
// provider — measured on the real provider's token, userinfo and
// revocation endpoints for Apache + mod_auth_openidc and for oidcgate.
func TestPassCookiesOIDC(t *testing.T) {
	requireApache(t)
	requireOP(t)
	env := newOIDCEnv(t, "apache", "oidcgate")
	a, o := env.Targets["apache"], env.Targets["oidcgate"]
	a.Extra, o.Extra = "  OIDCPassCookies c a missing\n", "  OIDCPassCookies c a missing\n"
	startApacheOIDC(t, a)
	startOIDCGateOIDC(t, o)
	calls := map[string][]string{}
	for _, tg := range []*oidcTarget{a, o} {
		base := tg.Base["post"]
		c := newBrowser(t)
		u, _ := url.Parse(base)
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}, {Name: "c", Value: "3"}})
		from := len(env.OP.log.String())
		hops := login(t, c, base+"/x", "alice", env.OP.Issuer)
		if last := hops[len(hops)-1]; last.Status != 200 {
			t.Fatalf("%s: login ends with %d", tg.Name, last.Status)
		}
		if h := do(t, c, "GET", base+"/redirect_uri?logout="+url.QueryEscape(base+"/"), nil, browserHdr); h.Status != 302 {
			t.Fatalf("%s: logout %d", tg.Name, h.Status)
		}
		env.OP.backchannel(t) // every call so far is logged
		for _, line := range strings.Split(env.OP.log.String()[from:], "\n") {
			js, ok := strings.CutPrefix(line, "op-request ")
			if !ok {
				continue
			}
			var r struct{ Method, Path, UserAgent, Cookie string }
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(r.UserAgent, "compat-tests") || r.Path == "/.well-known/openid-configuration" || r.Path == "/jwks" {
				continue
			}
			calls[tg.Name] = append(calls[tg.Name], r.Method+" "+r.Path+" Cookie: "+r.Cookie)
		}
	}
	t.Logf("apache: %q", calls["apache"])
	want := []string{"POST /token Cookie: c=3; a=1", "GET /me Cookie: c=3; a=1", "POST /token/revocation Cookie: c=3; a=1", "POST /token/revocation Cookie: c=3; a=1"}
	if strings.Join(calls["apache"], "\n") != strings.Join(want, "\n") {
		t.Errorf("Apache's calls: %q, want %q", calls["apache"], want)
	}
	if strings.Join(calls["oidcgate"], "\n") != strings.Join(calls["apache"], "\n") {
		t.Errorf("oidcgate's calls:\n%q\nApache's:\n%q", calls["oidcgate"], calls["apache"])
	}
}
