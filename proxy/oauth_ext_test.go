package proxy

import (
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOAuthValidationFilter runs the seed's validation filter, written
// with mod_auth_openidc's directives and oidcgate's extensions, through
// the pipeline: opaque tokens validated at an httptest provider's
// userinfo endpoint, the chosen claims in one base64url JSON header,
// strip-and-pass on one path, 403 on another.
func TestOAuthValidationFilter(t *testing.T) {
	var uiCalls atomic.Int32
	var op *httptest.Server
	op = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			io.WriteString(w, `{"issuer":"`+op.URL+`","userinfo_endpoint":"`+op.URL+`/userinfo"}`)
		case "/userinfo":
			uiCalls.Add(1)
			if r.Header.Get("Authorization") != "Bearer good" {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			io.WriteString(w, `{"sub":"alice","name":"Alice","email":"a@example.com","locale":"en"}`)
		}
	}))
	t.Cleanup(op.Close)
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName api.example
<IfModule oidcgate.c>
  OIDCGateOAuthValidateWith userinfo
  OIDCGateOAuthProviderMetadataURL `+op.URL+`/.well-known/openid-configuration
  OIDCPassUserInfoAs json:Other json:Identity
  OIDCGateOAuthPassClaims sub name email
  OIDCGateOAuthPassClaimsEncoding base64url
</IfModule>
<Location /open>
  AuthType oauth20
  OIDCOAuthAcceptTokenAs header cookie:access_token query
  OIDCPassClaimsAs none
  Require valid-user
  ProxyPass http://`+addr+`/open
  <IfModule oidcgate.c>
    OIDCGateOAuthUnAuthAction pass
  </IfModule>
</Location>
OIDCProviderMetadataURL `+op.URL+`/.well-known/openid-configuration
OIDCClientID web
OIDCClientSecret s
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase p
<Location /web>
  AuthType auth-openidc
  OIDCUnAuthAction pass
  Require valid-user
  ProxyPass http://`+addr+`/web
</Location>
<Location /public>
  AuthType openid-connect
  Require all granted
  ProxyPass http://`+addr+`/public
</Location>
<Location /strict>
  AuthType oauth20
  Require valid-user
  ProxyPass http://`+addr+`/strict
  <IfModule oidcgate.c>
    OIDCGateOAuthTokenHeader X-Access-Token
    OIDCGateOAuthEnforceStatus 403
  </IfModule>
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	do := func(path string, hdr map[string]string) *httptest.ResponseRecorder {
		t.Helper()
		r := httptest.NewRequest("GET", "http://api.example"+path, nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		site.ServeHTTP(w, r)
		return w
	}
	identity := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"alice","name":"Alice","email":"a@example.com"}`))

	// A valid opaque token: the backend gets one Identity header (the
	// chosen claims, base64url) and nothing else of the identity.
	w := do("/open/x", map[string]string{"Authorization": "Bearer good", "Identity": "spoof"})
	if w.Code != 200 {
		t.Fatalf("good token: %d", w.Code)
	}
	r, _ := be.got()
	if r == nil || r.Header.Get("Identity") != identity || r.Header.Get("OIDC_CLAIM_sub") != "" || r.Header.Get("OIDC_access_token") != "" {
		t.Fatalf("backend: %v", r)
	}
	// Cached: a second request does not call the provider.
	do("/open/x", map[string]string{"Authorization": "Bearer good"})
	be.got()
	if n := uiCalls.Load(); n != 1 {
		t.Errorf("userinfo calls = %d", n)
	}

	// Not enforcing: an invalid token is stripped from wherever it was
	// and the request goes on without identity.
	for name, hdr := range map[string]map[string]string{
		"header": {"Authorization": "Bearer bad"},
		"cookie": {"Cookie": "a=1; access_token=bad"},
		"none":   {},
	} {
		hdr["Identity"] = "spoof"
		w := do("/open/x?q=1", hdr)
		if w.Code != 200 {
			t.Fatalf("%s: %d", name, w.Code)
		}
		r, uri := be.got()
		if r == nil || r.Header.Get("Authorization") != "" || strings.Contains(r.Header.Get("Cookie"), "access_token") || r.Header.Get("Identity") != "" || uri != "/open/x?q=1" {
			t.Fatalf("%s at the backend: %v %q", name, r, uri)
		}
	}
	w = do("/open/x?a=1&access_token=bad&b=2", nil)
	if _, uri := be.got(); w.Code != 200 || uri != "/open/x?a=1&b=2" {
		t.Fatalf("query: %d %q", w.Code, uri)
	}

	// The relying party's path (auth-openidc without a token) lets no
	// spoofed Identity through either.
	w = do("/web/x", map[string]string{"Identity": "spoof", "identity_": "x", "IDENTITY": "spoof", "Other": "spoof"})
	if r, _ := be.got(); w.Code != 200 || r == nil || r.Header.Get("Identity") != "" || r.Header.Get("Other") != "" {
		t.Fatalf("web: %d %v", w.Code, r)
	}
	// Nor a path that needs no login, for every json:NAME.
	w = do("/public/x", map[string]string{"Identity": "spoof", "Other": "spoof"})
	if r, _ := be.got(); w.Code != 200 || r == nil || r.Header.Get("Identity") != "" || r.Header.Get("Other") != "" {
		t.Fatalf("public: %d %v", w.Code, r)
	}

	// Enforcing with 403: no WWW-Authenticate, the backend is not asked;
	// the token header of its own works.
	w = do("/strict/x", map[string]string{"X-Access-Token": "bad"})
	if w.Code != 403 || w.Header().Get("WWW-Authenticate") != "" {
		t.Fatalf("strict bad: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if r, _ := be.got(); r != nil {
		t.Fatal("backend called for a refused token")
	}
	if w = do("/strict/x", nil); w.Code != 403 {
		t.Fatalf("strict none: %d", w.Code)
	}
	be.got()
	if w = do("/strict/x", map[string]string{"X-Access-Token": "good"}); w.Code != 200 {
		t.Fatalf("strict good: %d", w.Code)
	}
	if r, _ := be.got(); r == nil || r.Header.Get("Identity") != identity {
		t.Fatalf("strict backend: %v", r)
	}
}

// OIDCUnAuthAction pass does not apply to AuthType oauth20, as in Apache
// + mod_auth_openidc 2.4.12.3 (measured: 401 without a token and with a
// bad one); only OIDCGateOAuthUnAuthAction pass lets such requests on.
func TestOAuthIgnoresUnAuthActionPass(t *testing.T) {
	be := newRecorder(t)
	cfg := loadConfig(t, `ServerName api.example
OIDCOAuthVerifySharedKeys `+rsSecret+`
<Location /api>
  AuthType oauth20
  OIDCUnAuthAction pass
  Require valid-user
  ProxyPass http://`+be.srv.Listener.Addr().String()+`/api
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	for _, tok := range []string{"", "bad"} {
		r := httptest.NewRequest("GET", "http://api.example/api/x", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		site.ServeHTTP(w, r)
		if w.Code != 401 {
			t.Errorf("token %q: %d", tok, w.Code)
		}
	}
	if r, _ := be.got(); r != nil {
		t.Fatal("backend called")
	}
}
