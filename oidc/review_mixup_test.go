package oidc

import (
	"net/http"
	"testing"
)

// TestAuthorizationResponseIssClientID: an authorization response's iss
// (RFC 9207) and client_id must be the provider's and the client's
// exactly, or the code is not redeemed (2.4.12.3's
// oidc_proto_validate_issuer_client_id, the mix-up defence); absent they
// are not required.
func TestAuthorizationResponseIssClientID(t *testing.T) {
	h := newHarness(t, nil)
	for _, c := range []struct {
		extra string
		ok    bool
	}{
		{"", true},
		{"&iss=" + escape(h.op.issuer), true},
		{"&client_id=" + escape(h.rp.s.ClientID), true},
		{"&iss=" + escape(h.op.issuer) + "&client_id=" + escape(h.rp.s.ClientID), true},
		{"&iss=https%3A%2F%2Fevil.example.com", false},
		{"&iss=", false},
		{"&iss=" + escape(h.op.issuer+"/"), false},
		{"&client_id=other", false},
		{"&iss=https%3A%2F%2Fevil.example.com&iss=" + escape(h.op.issuer), false},
	} {
		before := len(h.op.tokenForms)
		first := h.do("GET", "/", nil)
		state := mustQuery(t, first.res.Location).Get("state")
		sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
		code := h.op.grant(first.res.Location)
		cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state+c.extra, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
		_, _, got := cookieValue(cb.sets, "mod_auth_openidc_session")
		redeemed := len(h.op.tokenForms) > before
		if got != c.ok || redeemed != c.ok {
			t.Errorf("%q: session %v, code redeemed %v; want %v", c.extra, got, redeemed, c.ok)
		}
		if !c.ok && (cb.rec.Code != http.StatusOK || !cb.res.Done) {
			t.Errorf("%q: refusal %d done %v, want the error page", c.extra, cb.rec.Code, cb.res.Done)
		}
	}
}
