package compattests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// claimsExprExtra uses current upstream's OIDCFilterClaimsExpr (virtual
// host) and OIDCUserInfoClaimsExpr (per directory), which Debian's
// 2.4.12.3 does not know; inside <IfModule oidcgate.c> Apache skips them.
const claimsExprExtra = `  <IfModule oidcgate.c>
    OIDCFilterClaimsExpr '. + { iss: "https://filtered.example", n_groups: (.groups | length) } | del(.email_verified, .phone_number)'
    <Location /ui/>
      OIDCUserInfoClaimsExpr '{ sub: .sub, iss: .iss, path: "%{REQUEST_URI}" }'
    </Location>
    <Location /fc/>
      Require claim iss:https://filtered.example
    </Location>
  </IfModule>
`

// TestClaimsExprApacheRefuses: Apache with 2.4.12.3 refuses both
// directives at `apache2 -t` ("Invalid command"), and accepts the
// configuration once they are inside <IfModule oidcgate.c>.
func TestClaimsExprApacheRefuses(t *testing.T) {
	requireApache(t)
	requireOP(t)
	env := newOIDCEnv(t, "apache")
	a := env.Targets["apache"]
	for _, tt := range []struct{ extra, want string }{
		{"  OIDCFilterClaimsExpr '{sub}'\n", "Invalid command 'OIDCFilterClaimsExpr'"},
		{"  <Location /ui/>\n    OIDCUserInfoClaimsExpr '{sub}'\n  </Location>\n", "Invalid command 'OIDCUserInfoClaimsExpr'"},
		{claimsExprExtra, ""},
	} {
		a.Extra = tt.extra
		dir := t.TempDir()
		file := filepath.Join(dir, "oidc.conf")
		if err := os.WriteFile(file, []byte(oidcConf(a, dir)), 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, nil, apacheBin, "-d", dir, "-f", file, "-t")
		if tt.want == "" {
			if r.code != 0 {
				t.Errorf("apache2 -t with the directives in <IfModule oidcgate.c>: %d %s", r.code, r.stderr)
			}
			continue
		}
		if r.code == 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("apache2 -t: %d %q, want a refusal %q", r.code, r.stderr, tt.want)
		}
	}
}

// TestClaimsExprOIDCGate runs both directives end to end through oidcgate
// and the real OpenID Provider: alice's id_token and userinfo claims pass
// the filter (an added iss and n_groups, email_verified and phone_number
// removed) on their way to the headers, Require claim and the info hook;
// on /ui/ the backend gets only what OIDCUserInfoClaimsExpr builds from the
// (filtered) userinfo, per request.
func TestClaimsExprOIDCGate(t *testing.T) {
	requireOP(t)
	env := newOIDCEnv(t, "oidcgate")
	o := env.Targets["oidcgate"]
	o.Extra = claimsExprExtra
	startOIDCGateOIDC(t, o)
	runScenario(t, o, oidcScenario{"claimsexpr", func(s *scen) {
		c := newBrowser(t)
		s.loginAs(c, "post", "/both/x", "alice")
		get := func(path string) (int, *rawRequest) {
			o.Backend.take()
			h := do(t, c, "GET", o.Base["post"]+path, nil, browserHdr)
			return h.Status, o.Backend.take()
		}
		st, r := get("/both/x")
		if st != 200 || r == nil {
			t.Fatalf("/both/x: %d", st)
		}
		for name, want := range map[string]string{
			"OIDC_CLAIM_iss":      "https://filtered.example",
			"OIDC_CLAIM_n_groups": "3",
			"OIDC_CLAIM_email":    "alice@example.com",
			"X-Env-Claim-Email":   "alice@example.com",
		} {
			if got := r.get(name); got != want {
				t.Errorf("/both/x %s = %q, want %q", name, got, want)
			}
		}
		for _, n := range []string{"OIDC_CLAIM_email_verified", "OIDC_CLAIM_phone_number"} {
			if got := r.get(n); got != "" {
				t.Errorf("/both/x: filtered %s reached the backend: %q", n, got)
			}
		}
		var ui, idp map[string]any
		if err := json.Unmarshal([]byte(r.get("OIDC_userinfo_json")), &ui); err != nil {
			t.Fatalf("OIDC_userinfo_json %q: %v", r.get("OIDC_userinfo_json"), err)
		}
		if err := json.Unmarshal([]byte(r.get("OIDC_id_token_payload")), &idp); err != nil {
			t.Fatalf("OIDC_id_token_payload %q: %v", r.get("OIDC_id_token_payload"), err)
		}
		for what, m := range map[string]map[string]any{"userinfo": ui, "id_token": idp} {
			if m["iss"] != "https://filtered.example" || m["email_verified"] != nil || m["phone_number"] != nil || m["n_groups"] != float64(3) {
				t.Errorf("%s as passed: %v", what, m)
			}
		}
		if _, ok := ui["realm_access"]; !ok {
			t.Errorf("a userinfo-only claim the filter keeps is missing: %v", ui)
		}

		st, r = get("/ui/x?q=1")
		if st != 200 || r == nil {
			t.Fatalf("/ui/x: %d", st)
		}
		if got, want := r.get("OIDC_userinfo_json"), `{"sub":"alice","iss":"https://filtered.example","path":"/ui/x"}`; got != want {
			t.Errorf("/ui/x OIDC_userinfo_json = %s, want %s", got, want)
		}
		if got := r.get("OIDC_CLAIM_path"); got != "/ui/x" {
			t.Errorf("/ui/x OIDC_CLAIM_path = %q", got)
		}
		if got := r.get("OIDC_CLAIM_realm_access.roles"); got != "" {
			t.Errorf("/ui/x: a userinfo claim the program drops reached the backend: %q", got)
		}
		if got := r.get("OIDC_CLAIM_n_groups"); got != "3" { // from the id_token
			t.Errorf("/ui/x OIDC_CLAIM_n_groups = %q", got)
		}

		if st, _ := get("/fc/x"); st != 200 {
			t.Errorf("Require claim on the filter's iss: %d, want 200", st)
		}
		if st, _ := get("/verified/x"); st != 401 {
			t.Errorf("Require claim on a claim the filter deletes: %d, want 401", st)
		}
	}})

	// The info hook shows the filtered claims (variant exclude: the redirect
	// URI is not proxied there).
	c := newBrowser(t)
	s := &scen{t: t, tg: o, n: newNormaliser(o)}
	s.loginAs(c, "exclude", "/x", "alice")
	h := do(t, c, "GET", o.Base["exclude"]+"/redirect_uri?info=json", nil, nil)
	var info struct{ IDToken, UserInfo map[string]any }
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(h.Body), &raw); err != nil {
		t.Fatalf("info hook: %d %q", h.Status, h.Body)
	}
	json.Unmarshal(raw["id_token"], &info.IDToken)
	json.Unmarshal(raw["userinfo"], &info.UserInfo)
	for what, m := range map[string]map[string]any{"id_token": info.IDToken, "userinfo": info.UserInfo} {
		if m["iss"] != "https://filtered.example" || m["email_verified"] != nil || m["n_groups"] != float64(3) {
			t.Errorf("info hook %s: %v", what, m)
		}
	}
}
