package proxy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const rsSecret = "a-shared-secret"

func hs256(t testing.TB, cl map[string]any) string {
	t.Helper()
	b, _ := json.Marshal(cl)
	in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, []byte(rsSecret))
	m.Write([]byte(in))
	return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func apiToken(t testing.TB, scope string) string {
	return hs256(t, map[string]any{"sub": "svc-1", "iss": "https://as.example", "aud": "api",
		"exp": time.Now().Add(time.Hour).Unix(), "scope": scope, "groups": []string{"g1", "g2"}})
}

// TestOAuthThroughPipeline runs AuthType oauth20 + Require claim through
// the whole pipeline: extraction, validation, Require, identity headers,
// scrubbing, the 401 answers and OIDC_OAUTH_BEARER_SCOPE_ERROR.
func TestOAuthThroughPipeline(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName api.example
OIDCOAuthVerifySharedKeys `+rsSecret+`
OIDCOAuthVerifyIssuer https://as.example
OIDCOAuthVerifyAudience api
<Location /api>
  AuthType oauth20
  AuthName "My API"
  Require claim "scope~(^| )read( |$)"
  ProxyPass http://`+addr+`/api
  RequestHeader set X-User "%{REMOTE_USER}s"
  Header always set WWW-Authenticate "%{OIDC_OAUTH_BEARER_SCOPE_ERROR}e" env=OIDC_OAUTH_BEARER_SCOPE_ERROR
</Location>
<Location /form>
  AuthType oauth20
  OIDCOAuthAcceptTokenAs post header
  Require valid-user
  ProxyPass http://`+addr+`/form
</Location>
<Location /mixed>
  AuthType auth-openidc
  Require valid-user
  ProxyPass http://`+addr+`/mixed
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	front := httptest.NewServer(site)
	t.Cleanup(front.Close)

	do := func(method, path, tok string, hdr map[string]string, body string) (*http.Response, string) {
		t.Helper()
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, front.URL+path, rd)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		for k, v := range hdr {
			req.Header[k] = []string{v}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	// No token: 401 invalid_request with the realm; the backend is not asked.
	resp, _ := do("GET", "/api/x", "", nil, "")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="My API", error="invalid_request", error_description="No bearer token found in the request"` {
		t.Fatalf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if r, _ := be.got(); r != nil {
		t.Fatal("backend called without a token")
	}

	// A good token with the scope: the backend gets the identity, spoofed
	// headers are gone.
	tok := apiToken(t, "read write")
	resp, _ = do("GET", "/api/x", tok, map[string]string{"OIDC_CLAIM_admin": "1", "oidc-access-token": "spoof"}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("good token: %d", resp.StatusCode)
	}
	r, _ := be.got()
	if r == nil {
		t.Fatal("backend not called")
	}
	h := r.Header
	if h.Get("OIDC_CLAIM_sub") != "svc-1" || h.Get("OIDC_CLAIM_groups") != "g1,g2" || h.Get("OIDC_access_token") != tok ||
		h.Get("X-User") != "svc-1" || h.Get("OIDC_CLAIM_admin") != "" || h.Get("Oidc-Access-Token") != "" {
		t.Fatalf("backend headers: %v", h)
	}

	// A valid token without the scope: Require denies (401) and the scope
	// error is there for mod_headers.
	resp, _ = do("GET", "/api/x", apiToken(t, "write"), nil, "")
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer error="insufficient_scope", error_description="Different scope(s) or other claims required"` {
		t.Fatalf("scope: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if r, _ := be.got(); r != nil {
		t.Fatal("backend called for a denied token")
	}

	// Wrong audience, expired, alg none: invalid_token.
	for name, bad := range map[string]string{
		"aud":     hs256(t, map[string]any{"sub": "x", "iss": "https://as.example", "aud": "other", "exp": time.Now().Add(time.Hour).Unix(), "scope": "read"}),
		"expired": hs256(t, map[string]any{"sub": "x", "iss": "https://as.example", "aud": "api", "exp": time.Now().Add(-time.Minute).Unix(), "scope": "read"}),
		"none":    strings.SplitN(tok, ".", 2)[0][:0] + base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + strings.Split(tok, ".")[1] + ".",
	} {
		resp, _ = do("GET", "/api/x", bad, nil, "")
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="My API", error="invalid_token", error_description="JWT token could not be validated"` {
			t.Errorf("%s: %d %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}

	// OPTIONS without a token passes (Require claim grants it).
	resp, _ = do("OPTIONS", "/api/x", "", map[string]string{"OIDC_CLAIM_sub": "mallory"}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("OPTIONS: %d", resp.StatusCode)
	}
	if r, _ := be.got(); r == nil || r.Header.Get("OIDC_CLAIM_sub") != "" {
		t.Fatalf("OPTIONS at the backend: %v", r)
	}

	// The token in a form body is taken out of the body the backend gets.
	resp, _ = do("POST", "/form", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "a=1&access_token="+tok+"&b=2")
	if resp.StatusCode != 200 {
		t.Fatalf("post: %d", resp.StatusCode)
	}
	if r, _ := be.got(); r == nil || r.Header.Get("OIDC_CLAIM_sub") != "svc-1" {
		t.Fatalf("post at the backend: %v", r)
	}
	// Duplicated access_token: refused.
	resp, _ = do("POST", "/form", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "access_token="+tok+"&access_token="+tok)
	if resp.StatusCode != 401 {
		t.Fatalf("duplicate: %d", resp.StatusCode)
	}

	// auth-openidc: a token goes to the resource server; OPTIONS without
	// one passes.
	resp, _ = do("GET", "/mixed", tok, nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("mixed with token: %d", resp.StatusCode)
	}
	if r, _ := be.got(); r == nil || r.Header.Get("OIDC_CLAIM_sub") != "svc-1" {
		t.Fatalf("mixed at the backend: %v", r)
	}
	resp, _ = do("OPTIONS", "/mixed", "", nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("mixed OPTIONS: %d", resp.StatusCode)
	}
	be.got()
	resp, _ = do("GET", "/mixed", "bad", nil, "")
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Fatalf("mixed bad token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// A server without any OIDCOAuth* setting answers as the module does: no
// token → invalid_request, a token → invalid_token (nothing can verify it).
func TestOAuthUnconfigured(t *testing.T) {
	be := newRecorder(t)
	cfg := loadConfig(t, `ServerName api.example
<Location /api>
  AuthType oauth20
  Require valid-user
  ProxyPass http://`+be.srv.Listener.Addr().String()+`/api
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	for tok, want := range map[string]string{"": "invalid_request", "abc": "invalid_token"} {
		r := httptest.NewRequest("GET", "http://api.example/api/x", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		site.ServeHTTP(w, r)
		if w.Code != 401 || !strings.Contains(w.Header().Get("WWW-Authenticate"), `error="`+want+`"`) {
			t.Errorf("%q: %d %q", tok, w.Code, w.Header().Get("WWW-Authenticate"))
		}
	}
}

// TestOAuthWhiteListScrubEmptyPrefix: with an empty OIDCClaimPrefix the
// server's OIDCWhiteListedClaims names are scrubbed on an oauth20 path
// too, so a client cannot pass a claim the token does not carry.
func TestOAuthWhiteListScrubEmptyPrefix(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, `ServerName api.example
OIDCOAuthVerifySharedKeys `+rsSecret+`
OIDCClaimPrefix ""
OIDCWhiteListedClaims dept
<Location /api>
  AuthType oauth20
  Require valid-user
  ProxyPass http://`+addr+`/api
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	front := httptest.NewServer(site)
	t.Cleanup(front.Close)
	req, _ := http.NewRequest("GET", front.URL+"/api/x", nil)
	req.Header.Set("Authorization", "Bearer "+apiToken(t, "read"))
	req.Header.Set("Dept", "spoofed")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	r, _ := be.got()
	if resp.StatusCode != 200 || r == nil {
		t.Fatalf("status %d, backend reached %v", resp.StatusCode, r != nil)
	}
	if v := r.Header.Get("Dept"); v != "" {
		t.Errorf("spoofed white-listed claim header reached the backend: %q", v)
	}
}

// TestRemoveATCacheThroughRP: ?remove_at_cache= on the relying party's
// redirect URI (auth-openidc without a bearer token) reaches the resource
// server's introspection cache: 500 after the removal, then 404, and the
// token is introspected again.
func TestRemoveATCacheThroughRP(t *testing.T) {
	var calls atomic.Int32
	as := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"active":true,"sub":"bob","expires_in":600}`)
	}))
	t.Cleanup(as.Close)
	be := newRecorder(t)
	cfg := loadConfig(t, `ServerName api.example
OIDCOAuthIntrospectionEndpoint `+as.URL+`
OIDCOAuthClientID rs
OIDCOAuthClientSecret s
OIDCOAuthSSLValidateServer Off
OIDCProviderMetadataURL http://127.0.0.1:1/.well-known/openid-configuration
OIDCClientID web
OIDCClientSecret s
OIDCRedirectURI /api/redirect_uri
OIDCCryptoPassphrase p
<Location /api>
  AuthType auth-openidc
  Require valid-user
  ProxyPass http://`+be.srv.Listener.Addr().String()+`/api
</Location>
`)
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	front := httptest.NewServer(site)
	t.Cleanup(front.Close)
	get := func(path, tok string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", front.URL+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := get("/api/x", "opaque"); st != 200 || calls.Load() != 1 {
		t.Fatalf("bearer request: %d, %d introspections", st, calls.Load())
	}
	for i, want := range []int{500, 404} {
		if st := get("/api/redirect_uri?remove_at_cache=opaque", ""); st != want {
			t.Errorf("remove_at_cache #%d: %d, want %d", i+1, st, want)
		}
	}
	if st := get("/api/x", "opaque"); st != 200 || calls.Load() != 2 {
		t.Errorf("after the removal: %d, %d introspections, want 2", st, calls.Load())
	}
}
