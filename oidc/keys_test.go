package oidc

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"testing"
	"time"
)

// TestProviderVerifyCertFiles: with OIDCProviderVerifyCertFiles' keys and
// no jwks_uri (a static provider), id_tokens signed with one of the keys
// log the user in; signed with another key they do not.
func TestProviderVerifyCertFiles(t *testing.T) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		keys func(h *harness) []crypto.PublicKey
		ok   bool
	}{
		{"provider's key", func(h *harness) []crypto.PublicKey { return []crypto.PublicKey{other.Public(), h.op.key.Public()} }, true},
		{"other key", func(h *harness) []crypto.PublicKey { return []crypto.PublicKey{other.Public()} }, false},
		{"no keys", func(h *harness) []crypto.PublicKey { return nil }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h *harness
			h = newHarness(t, func(s *Settings) {
				s.MetadataURL = ""
			})
			// A static provider: the endpoints, no jwks_uri.
			s := h.rp.s
			s.Issuer, s.AuthorizationEndpoint, s.TokenEndpoint = h.op.issuer, h.op.issuer+"/authorize", h.op.issuer+"/token"
			s.VerifyKeys = tc.keys(h)
			first := h.do("GET", "/", nil)
			if first.res.Status != http.StatusFound {
				t.Fatalf("login start: %d", status(first))
			}
			state := mustQuery(t, first.res.Location).Get("state")
			sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
			code := h.op.grant(first.res.Location)
			cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
			_, _, got := cookieValue(cb.sets, "mod_auth_openidc_session")
			if got != tc.ok {
				t.Errorf("session made: %v, want %v (%d)", got, tc.ok, status(cb))
			}
			if h.op.keyFetches != 0 {
				t.Errorf("JWKS fetched %d times without a jwks_uri", h.op.keyFetches)
			}
		})
	}
}

// TestJWKSRefreshInterval: the provider's key set is fetched afresh once
// OIDCJWKSRefreshInterval has passed, not before.
func TestJWKSRefreshInterval(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.JWKSRefresh = 600 * time.Second })
	h.login("/")
	if h.op.keyFetches != 1 {
		t.Fatalf("first login: %d JWKS fetches", h.op.keyFetches)
	}
	h.advance(500 * time.Second)
	h.login("/")
	if h.op.keyFetches != 1 {
		t.Errorf("within the interval: %d JWKS fetches, want 1", h.op.keyFetches)
	}
	h.advance(200 * time.Second)
	h.login("/")
	if h.op.keyFetches != 2 {
		t.Errorf("after the interval: %d JWKS fetches, want 2", h.op.keyFetches)
	}
}
