package oidc

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// TestMetadataDirProvidersDoNotInheritStaticProviderKeys: a provider of
// OIDCMetadataDir is built from its own files, as in 2.4.12.3 and
// upstream (oidc_metadata_get starts from an empty provider): the server's
// OIDCProviderVerifyCertFiles keys do not verify its tokens (a logout token
// naming provider 2, signed by such a key, ends nothing), and the server's
// OIDCProviderCheckSessionIFrame is not its check_session_iframe.
func TestMetadataDirProvidersDoNotInheritStaticProviderKeys(t *testing.T) {
	static, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	m := newMultiHarness(t, func(s *Settings) {
		s.VerifyKeys = []crypto.PublicKey{&static.PublicKey}
		s.CheckSessionIFrame = "https://static-op.example.com/check_session"
	})
	m.op2.claims["sid"] = "sid-2"
	s2 := m.loginVia(m.op2)
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + s2}

	c := map[string]any{"iss": m.op2.issuer, "aud": "client1", "iat": m.clock().Unix(), "jti": "j-static",
		"sid": "sid-2", "events": map[string]any{backChannelEvent: map[string]any{}}}
	b, _ := json.Marshal(c)
	tok := oidctest.SignIDToken(static, "static", "RS256", string(b))
	r := httptest.NewRequest("POST", "http://www.example.com/redirect_uri?logout=backchannel", strings.NewReader("logout_token="+tok))
	r.RequestURI = "/redirect_uri?logout=backchannel"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	res := m.rp.Authenticate(rec, &Request{HTTP: r, Path: "/redirect_uri", Dir: m.harness.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("logout token signed by a static key of the server: status %d, want 400", res.Status)
	}
	if !m.do("GET", "/p", ck).res.Authenticated {
		t.Errorf("provider 2's session ended by a logout token signed with the server's OIDCProviderVerifyCertFiles key")
	}
	if r := m.do("GET", "/redirect_uri?session=iframe_op", ck); r.res.Location == "https://static-op.example.com/check_session" {
		t.Errorf("provider 2's session is sent to the server's OIDCProviderCheckSessionIFrame")
	}
}

// TestMetadataDirProvidersStartWithoutUpstreamProviderSettings: current
// upstream's provider-level OIDCLogoutRequestParams and
// OIDCIDTokenAudValues of the server do not carry over to a provider of
// OIDCMetadataDir (its metadata providers start empty).
func TestMetadataDirProvidersStartWithoutUpstreamProviderSettings(t *testing.T) {
	m := newMultiHarness(t, func(s *Settings) {
		s.LogoutRequestParams = "foo=bar"
		s.IDTokenAudValues = []string{"someone-else"}
	})
	child, err := m.rp.buildProvider(context.Background(), m.op2.issuer)
	if err != nil {
		t.Fatal(err)
	}
	if child.s.LogoutRequestParams != "" || child.s.IDTokenAudValues != nil {
		t.Errorf("metadata-dir provider inherited LogoutRequestParams %q, IDTokenAudValues %q", child.s.LogoutRequestParams, child.s.IDTokenAudValues)
	}
	// With the server's aud values (which exclude client1) inherited, the
	// login through provider 2 would fail.
	if s := m.loginVia(m.op2); s == "" {
		t.Errorf("login through provider 2 failed")
	}
}
