package proxy

import (
	"strings"
	"testing"
)

// TestOIDCClaimFilters: OIDCWhiteListedClaims/OIDCBlackListedClaims, even
// written in a <Location>, filter the claims of the whole server: the
// backend and Require claim see only what passes (2.4.12.3 stores them in
// the server's configuration and filters the claims it stores in the
// session).
func TestOIDCClaimFilters(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  OIDCWhiteListedClaims sub email groups\n  OIDCBlackListedClaims groups\n  Require claim email:zoe@example.com")
	resp, body := get(t, browser(t), s.front.URL+"/a", nil)
	if resp.StatusCode != 200 || body != "backend:/a" {
		t.Fatalf("login: %d %q", resp.StatusCode, body)
	}
	r, _ := s.be.got()
	if got := r.Header.Get("OIDC_CLAIM_email"); got != "zoe@example.com" {
		t.Errorf("white-listed email: %q", got)
	}
	if got := r.Header.Get("OIDC_CLAIM_sub"); got != "zoe" {
		t.Errorf("white-listed sub: %q", got)
	}
	for _, n := range []string{"OIDC_CLAIM_groups", "OIDC_CLAIM_name", "OIDC_CLAIM_email_verified", "OIDC_CLAIM_iss"} {
		if v := r.Header.Values(n); len(v) != 0 {
			t.Errorf("filtered %s reached the backend: %q", n, v)
		}
	}
	// A Require claim on a filtered claim fails.
	s = newOIDCSite(t, "zoe", "  Require claim email_verified:true", "OIDCBlackListedClaims email_verified")
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 401 {
		t.Errorf("Require claim on a black-listed claim: %d, want 401", resp.StatusCode)
	}
}

// TestOIDCWhiteListScrubEmptyPrefix: with an empty OIDCClaimPrefix a
// client's header named like a white-listed claim is removed (the white list
// is the server's, wherever it is written).
func TestOIDCWhiteListScrubEmptyPrefix(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user\n  OIDCWhiteListedClaims email groups role", `OIDCClaimPrefix ""`)
	resp, _ := get(t, browser(t), s.front.URL+"/", map[string]string{"Groups": "admins", "Role": "admin", "Other": "kept"})
	if resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	r, _ := s.be.got()
	if v := r.Header.Values("Groups"); len(v) != 1 || v[0] != "developers,ops, on-call,admins" {
		t.Errorf("groups to the backend: %q, want the claim only", v)
	}
	if v := r.Header.Values("Role"); len(v) != 0 {
		t.Errorf("a client's header named like a white-listed claim reached the backend: %q", v)
	}
	if v := r.Header.Values("Other"); len(v) != 1 {
		t.Errorf("an unrelated header was removed: %q", v)
	}
	if v := r.Header.Values("Email"); len(v) != 1 || v[0] != "zoe@example.com" {
		t.Errorf("email to the backend: %q", v)
	}
}

// TestOIDCIDTokenAudValues: upstream's OIDCIDTokenAudValues reaches the
// relying party: the development provider's aud is the client_id, so "@"
// lets the login through and a list without it refuses the id_token.
func TestOIDCIDTokenAudValues(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user", "OIDCIDTokenAudValues @")
	if resp, body := get(t, browser(t), s.front.URL+"/a", nil); resp.StatusCode != 200 || body != "backend:/a" {
		t.Errorf("aud = client_id with OIDCIDTokenAudValues @: %d %q", resp.StatusCode, body)
	}
	s = newOIDCSite(t, "zoe", "  Require valid-user", "OIDCIDTokenAudValues other")
	resp, body := get(t, browser(t), s.front.URL+"/a", nil)
	if body == "backend:/a" || !strings.Contains(body, "Error in handling response type.") {
		t.Errorf("aud not among OIDCIDTokenAudValues accepted: %d %.200q", resp.StatusCode, body)
	}
}
