package proxy

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oidcgate/oidcgate/internal/devop"
)

// oidcSite runs a config protected with AuthType openid-connect against
// the embedded development provider, which logs user in without asking.
type oidcSite struct {
	site  *Site
	front *httptest.Server
	be    *recorder
	op    *devop.Provider
}

func newOIDCSite(t testing.TB, user, location string, extra ...string) *oidcSite {
	t.Helper()
	be := newRecorder(t)
	opLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	frontLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + opLn.Addr().String()
	front := "http://" + frontLn.Addr().String()
	op, err := devop.New(devop.Options{Issuer: issuer, Users: devop.DemoUsers(), AutoLogin: user,
		Logger: slog.New(slog.DiscardHandler),
		Clients: []devop.Client{{ID: "client1", Secret: "s3cret", RedirectURIs: []string{front + "/redirect_uri"},
			PostLogoutRedirectURIs: []string{front + "/bye"}}}})
	if err != nil {
		t.Fatal(err)
	}
	opSrv := &httptest.Server{Listener: opLn, Config: &http.Server{Handler: op}}
	opSrv.Start()
	t.Cleanup(opSrv.Close)
	cfg := loadConfig(t, `ServerName 127.0.0.1
OIDCProviderMetadataURL `+issuer+`/.well-known/openid-configuration
OIDCClientID client1
OIDCClientSecret s3cret
OIDCRedirectURI /redirect_uri
OIDCCryptoPassphrase secret
OIDCInfoHook remote_user
<Location />
  AuthType openid-connect
  ProxyPass http://`+be.srv.Listener.Addr().String()+`/
`+location+`
</Location>
<Location /redirect_uri>
  ProxyPass !
</Location>
`+strings.Join(extra, "\n"))
	site := NewSite(cfg, nil, slog.New(slog.DiscardHandler))
	t.Cleanup(site.Close)
	fs := &httptest.Server{Listener: frontLn, Config: &http.Server{Handler: site}}
	fs.Start()
	t.Cleanup(fs.Close)
	return &oidcSite{site: site, front: fs, be: be, op: op}
}

func browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func get(t testing.TB, c *http.Client, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/html")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestOIDCLoginThroughProxy(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require claim email_verified:true\n  RequestHeader set X-Remote-User \"%{REMOTE_USER}s\"")
	c := browser(t)
	resp, body := get(t, c, s.front.URL+"/app/page?x=1&y=%20z", map[string]string{"OIDC_CLAIM_email": "mallory@evil", "oidc-claim-name": "evil"})
	if resp.StatusCode != 200 || body != "backend:/app/page?x=1&y=%20z" {
		t.Fatalf("after login: %d %q", resp.StatusCode, body)
	}
	r, _ := s.be.got()
	if got := r.Header.Values("OIDC_CLAIM_email"); len(got) != 1 || got[0] != "zoe@example.com" {
		t.Errorf("backend OIDC_CLAIM_email %q", got)
	}
	if got := r.Header.Get("OIDC_CLAIM_name"); got != "Zoë Ångström" {
		t.Errorf("backend OIDC_CLAIM_name %q", got)
	}
	if got := r.Header.Get("OIDC_CLAIM_groups"); got != "developers,ops, on-call,admins" {
		t.Errorf("backend OIDC_CLAIM_groups %q", got)
	}
	if r.Header.Get("OIDC_access_token") == "" {
		t.Errorf("no OIDC_access_token")
	}
	// %{REMOTE_USER}s through mod_ssl's lookup (a fragment config loads
	// every module); the default OIDCRemoteUserClaim sub@ appends the
	// issuer, an http:// one verbatim.
	if got, want := r.Header.Get("X-Remote-User"), "zoe@"+s.op.Issuer(); got != want {
		t.Errorf("X-Remote-User %q, want %q", got, want)
	}
	// The redirect URI is answered, never proxied.
	resp, body = get(t, c, s.front.URL+"/redirect_uri?info=json", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"remote_user": "zoe@`) {
		t.Errorf("info: %d %q", resp.StatusCode, body)
	}
	// XHR without a session: 401, nothing proxied.
	resp, _ = get(t, browser(t), s.front.URL+"/x", map[string]string{"X-Requested-With": "XMLHttpRequest"})
	if resp.StatusCode != 401 {
		t.Errorf("XHR: %d", resp.StatusCode)
	}
	if r, _ := s.be.got(); r != nil {
		t.Errorf("an unauthenticated request reached the backend")
	}
	// Logout to a foreign URL: 400 and the session is kept.
	resp, _ = get(t, c, s.front.URL+"/redirect_uri?logout=https%3A%2F%2Fevil.example%2F", nil)
	if resp.StatusCode != 400 {
		t.Errorf("foreign logout: %d", resp.StatusCode)
	}
	if resp, body = get(t, c, s.front.URL+"/still", nil); resp.StatusCode != 200 || body != "backend:/still" {
		t.Errorf("session lost after a refused logout: %d %q", resp.StatusCode, body)
	}
}

func TestOIDCRequireClaimDenied(t *testing.T) {
	s := newOIDCSite(t, "juergen", "  Require claim email_verified:true")
	resp, _ := get(t, browser(t), s.front.URL+"/", nil)
	if resp.StatusCode != 401 {
		t.Errorf("Require claim failing: %d, want 401", resp.StatusCode)
	}
	if r, _ := s.be.got(); r != nil {
		t.Errorf("a denied request reached the backend")
	}
	s = newOIDCSite(t, "juergen", "  Require claim email_verified:true\n  AuthzSendForbiddenOnFailure On")
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 403 {
		t.Errorf("with AuthzSendForbiddenOnFailure On: %d, want 403", resp.StatusCode)
	}
	s = newOIDCSite(t, "juergen", "  <RequireAny>\n    Require claim email_verified:true\n    Require claim realm_access.roles:offline_access\n  </RequireAny>")
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Errorf("RequireAny with a nested claim: %d, want 200", resp.StatusCode)
	}
}

// TestOIDCKeyRotation: after the provider rotates its signing key, a new
// login verifies with the new kid (the key set is re-fetched).
func TestOIDCKeyRotation(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user")
	if resp, _ := get(t, browser(t), s.front.URL+"/a", nil); resp.StatusCode != 200 {
		t.Fatalf("first login: %d", resp.StatusCode)
	}
	if err := s.op.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, browser(t), s.front.URL+"/b", nil); resp.StatusCode != 200 || body != "backend:/b" {
		t.Errorf("login after key rotation: %d %q", resp.StatusCode, body)
	}
}

// TestOIDCRequestHeaderOnIdentityHeaders: RequestHeader sees the identity
// headers the relying party set whatever their spelling, as Apache's
// case-insensitive tables do.
func TestOIDCRequestHeaderOnIdentityHeaders(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user\n  RequestHeader unset OIDC_access_token\n  RequestHeader set oidc_claim_email override@x")
	if resp, _ := get(t, browser(t), s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	r, _ := s.be.got()
	if v := r.Header.Values("Oidc_access_token"); len(v) != 0 {
		t.Errorf("RequestHeader unset missed OIDC_access_token: %q", v)
	}
	if v := r.Header.Values("Oidc_claim_email"); len(v) != 1 || v[0] != "override@x" {
		t.Errorf("RequestHeader set on OIDC_CLAIM_email: %q", v)
	}
}

// TestOIDCSessionNotSharedAcrossVHosts: a session of one virtual host is
// not valid on another one on the same host name (another port), as each
// virtual host has its own cache in mod_auth_openidc.
func TestOIDCSessionNotSharedAcrossVHosts(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user")
	c := browser(t)
	if resp, _ := get(t, c, s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	u, _ := url.Parse(s.front.URL)
	var sess string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "mod_auth_openidc_session" {
			sess = ck.Value
		}
	}
	other := newOIDCSite(t, "juergen", "  Require valid-user")
	// One store for both, as one oidcgate serving both virtual hosts.
	store, err := NewSessionStore(s.site.cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.site.SetSessionStore(store)
	other.site.SetSessionStore(store)
	c = browser(t)
	if resp, _ := get(t, c, s.front.URL+"/", nil); resp.StatusCode != 200 {
		t.Fatalf("login on the shared store: %d", resp.StatusCode)
	}
	sess = ""
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "mod_auth_openidc_session" {
			sess = ck.Value
		}
	}
	req, _ := http.NewRequest("GET", other.front.URL+"/", nil)
	req.Header.Set("Cookie", "mod_auth_openidc_session="+sess)
	req.Header.Set("Accept", "text/html")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("another site's session cookie: %d, want 302 to log in", resp.StatusCode)
	}
	if r, _ := other.be.got(); r != nil {
		t.Errorf("the other site's backend got a request with %q", r.Header.Get("OIDC_CLAIM_sub"))
	}
}

// TestOIDCAccessControlOrder: Require is evaluated first without a user,
// as mod_authz_core does: a path granted to everyone needs no login (and
// gets no claims), spoofed identity headers are still removed there
// (deliberate difference); a user the Require denies cannot read the info
// hook either; an AuthType without Require is a 500.
func TestOIDCAccessControlOrder(t *testing.T) {
	s := newOIDCSite(t, "juergen", "  Require claim email_verified:true", "<Location /public>\n  Require all granted\n</Location>")
	resp, body := get(t, browser(t), s.front.URL+"/public/x", map[string]string{"OIDC_CLAIM_email": "evil@example.com", "X-Remote-User": "evil"})
	if resp.StatusCode != 200 || body != "backend:/public/x" {
		t.Fatalf("public path: %d %q", resp.StatusCode, body)
	}
	r, _ := s.be.got()
	if v := r.Header.Get("OIDC_CLAIM_email"); v != "" {
		t.Errorf("spoofed OIDC_CLAIM_email reached the backend: %q", v)
	}
	if r.Header.Get("X-Remote-User") != "evil" {
		t.Errorf("a header that is not an identity header was removed")
	}
	c := browser(t)
	if resp, _ := get(t, c, s.front.URL+"/denied", nil); resp.StatusCode != 401 {
		t.Fatalf("Require claim failing: %d", resp.StatusCode)
	}
	if resp, body := get(t, c, s.front.URL+"/redirect_uri?info=json", nil); resp.StatusCode != 401 {
		t.Errorf("info hook for a user Require denies: %d %q", resp.StatusCode, body)
	}
	s = newOIDCSite(t, "zoe", "", "<Location /noauthz>\n  Require all granted\n</Location>")
	if resp, _ := get(t, browser(t), s.front.URL+"/x", nil); resp.StatusCode != 500 {
		t.Errorf("AuthType without Require: %d, want 500 (AH01627)", resp.StatusCode)
	}
}

// TestOIDCUnAuthActionExpression: OIDCUnAuthAction <action> <expr> takes
// the action when the expression holds, else logs in — without the XHR
// detection.
func TestOIDCUnAuthActionExpression(t *testing.T) {
	s := newOIDCSite(t, "zoe", "  Require valid-user\n  OIDCUnAuthAction 401 \"%{HTTP:X-API} == 'yes'\"")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		hdr  map[string]string
		want int
	}{
		{map[string]string{"X-API": "yes"}, 401},
		{nil, 302},
		{map[string]string{"X-Requested-With": "XMLHttpRequest"}, 302}, // no XHR detection with an expression
	} {
		req, _ := http.NewRequest("GET", s.front.URL+"/x", nil)
		req.Header.Set("Accept", "text/html")
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%v: %d, want %d", tc.hdr, resp.StatusCode, tc.want)
		}
	}
}
