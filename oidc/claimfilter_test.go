package oidc

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// TestClaimFilters: OIDCWhiteListedClaims/OIDCBlackListedClaims filter the
// id_token and the userinfo claims alike, for everything read from the
// session: the claim headers and variables, OIDC_id_token_payload,
// OIDC_userinfo_json and the claims Require claim sees (Result.Claims). The
// remote user comes from the unfiltered claims and the serialized id_token
// is passed as received (2.4.12.3 session.c
// oidc_session_set_filtered_claims, mod_auth_openidc.c oidc_save_in_session
// and oidc_set_request_user).
func TestClaimFilters(t *testing.T) {
	type want struct {
		present, absent []string // claim names (headers OIDC_CLAIM_<name>)
		requireOK       []string // Require claim words that match
		requireNo       []string // Require claim words that do not
	}
	tests := []struct {
		name         string
		white, black []string
		want         want
	}{
		{name: "none", want: want{
			present:   []string{"sub", "email", "email_verified", "name", "groups", "Role"},
			requireOK: []string{"email:alice@example.com", "groups:admins", "Role:x"},
		}},
		{name: "white list", white: []string{"sub", "groups", "role"}, want: want{
			present:   []string{"sub", "groups"},
			absent:    []string{"email", "email_verified", "name", "iss", "aud", "Role"},
			requireOK: []string{"groups:admins", "sub:248289761001"},
			requireNo: []string{"email:alice@example.com", "Role:x", "iss:" + "x"},
		}},
		{name: "black list", black: []string{"email", "groups", "Role "}, want: want{
			present:   []string{"sub", "email_verified", "name", "Role"},
			absent:    []string{"email", "groups"},
			requireOK: []string{"Role:x", "name:Alice"},
			requireNo: []string{"email:alice@example.com", "groups:admins"},
		}},
		{name: "both: black list wins", white: []string{"sub", "email", "groups"}, black: []string{"email"}, want: want{
			present:   []string{"sub", "groups"},
			absent:    []string{"email", "name", "email_verified", "Role"},
			requireOK: []string{"groups:admins"},
			requireNo: []string{"email:alice@example.com"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(s *Settings) {
				s.RemoteUserClaim = "email" // not on the white list: still used
				s.WhiteListedClaims, s.BlackListedClaims = tt.white, tt.black
				s.PassIDTokenAs = []string{"claims", "payload", "serialized"}
				s.PassUserInfoAs = []string{"claims", "json"}
			})
			// email and groups in the id_token; name, groups, Role in userinfo.
			h.op.claims["groups"] = []string{"admins", "users"}
			h.op.userinfo = json.RawMessage(`{"sub":"248289761001","name":"Alice","groups":["admins"],"Role":"x"}`)
			sess, _ := h.login("/")
			r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
			hv := func(name string) string { // exact spelling, as forwarded
				if v := r.req.Header[name]; len(v) == 1 {
					return v[0]
				}
				return ""
			}
			if !r.res.Authenticated || r.res.User != "alice@example.com" {
				t.Fatalf("authenticated %v user %q, want alice@example.com (remote user from unfiltered claims)", r.res.Authenticated, r.res.User)
			}
			for _, n := range tt.want.present {
				if _, ok := r.req.Header["OIDC_CLAIM_"+n]; !ok {
					t.Errorf("header OIDC_CLAIM_%s missing", n)
				}
				if _, ok := r.env["OIDC_CLAIM_"+n]; !ok {
					t.Errorf("env OIDC_CLAIM_%s missing", n)
				}
			}
			for _, n := range tt.want.absent {
				if v, ok := r.req.Header["OIDC_CLAIM_"+n]; ok {
					t.Errorf("filtered claim %s reached the backend header: %q", n, v)
				}
				if v, ok := r.env["OIDC_CLAIM_"+n]; ok {
					t.Errorf("filtered claim %s reached the backend env: %q", n, v)
				}
				for _, j := range []string{"OIDC_id_token_payload", "OIDC_userinfo_json"} {
					if strings.Contains(hv(j), `"`+n+`":`) {
						t.Errorf("filtered claim %s in %s: %s", n, j, hv(j))
					}
				}
			}
			if strings.Count(hv("OIDC_id_token"), ".") != 2 {
				t.Errorf("serialized id_token not passed: %q", hv("OIDC_id_token"))
			}
			if !strings.Contains(hv("OIDC_id_token_payload"), `"sub":"248289761001"`) || !strings.Contains(hv("OIDC_userinfo_json"), `"sub":"248289761001"`) {
				t.Errorf("payload %q / userinfo json %q lack sub", hv("OIDC_id_token_payload"), hv("OIDC_userinfo_json"))
			}
			for _, w := range tt.want.requireOK {
				rule, err := claims.CompileRequireClaim([]string{w})
				if err != nil {
					t.Fatal(err)
				}
				if !rule.Match(r.res.Claims) {
					t.Errorf("Require claim %s: no match on %s", w, r.res.Claims.JSON())
				}
			}
			for _, w := range tt.want.requireNo {
				rule, _ := claims.CompileRequireClaim([]string{w})
				if rule.Match(r.res.Claims) {
					t.Errorf("Require claim %s matched a filtered claim: %s", w, r.res.Claims.JSON())
				}
			}
		})
	}
}

// TestIDTokenAudValues: upstream's OIDCIDTokenAudValues at the callback
// (src/proto/id_token.c): a string aud must be one of the values ("@" is
// the client_id), an array must hold all of them and nothing else; without
// the directive the aud must contain the client_id (2.4.12.3).
func TestIDTokenAudValues(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		aud    any
		ok     bool
	}{
		{"default, client_id", nil, "client1", true},
		{"default, another string", nil, "other", false},
		{"default, array with client_id and more", nil, []string{"client1", "other"}, true},
		{"values, another listed string", []string{"@", "other"}, "other", true},
		{"values, client_id not listed", []string{"other"}, "client1", false},
		{"values, array of exactly them", []string{"@", "other"}, []string{"other", "client1"}, true},
		{"values, array missing one", []string{"@", "other"}, []string{"client1"}, false},
		{"values, array with an unlisted one", []string{"@"}, []string{"client1", "third"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, func(s *Settings) { s.IDTokenAudValues = tt.values })
			h.op.mutate = func(c map[string]any) { c["aud"] = tt.aud }
			first := h.do("GET", "/", nil)
			state := mustQuery(t, first.res.Location).Get("state")
			sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
			code := h.op.grant(first.res.Location)
			cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
			_, _, got := cookieValue(cb.sets, "mod_auth_openidc_session")
			if got != tt.ok {
				t.Errorf("session %v, want %v (status %d body %.80q)", got, tt.ok, cb.rec.Code, cb.rec.Body.String())
			}
			if !tt.ok && !strings.Contains(cb.rec.Body.String(), "Error in handling response type.") {
				t.Errorf("refused id_token: body %.120q", cb.rec.Body.String())
			}
		})
	}
}

// TestClaimFiltersInfoHook: the info hook shows the filtered claims, as
// 2.4.12.3 (which stores them filtered) does.
func TestClaimFiltersInfoHook(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.WhiteListedClaims = []string{"sub", "name"} })
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","name":"Zoë","email":"z@example.com"}`)
	sess, _ := h.login("/")
	r := h.do("GET", "/redirect_uri?info=json", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
	body := r.rec.Body.String()
	if r.rec.Code != 200 || !strings.Contains(body, `"name": "Zoë"`) || strings.Contains(body, "email") || strings.Contains(body, `"iss"`) {
		t.Errorf("info hook with a white list: %d %s", r.rec.Code, body)
	}
}
