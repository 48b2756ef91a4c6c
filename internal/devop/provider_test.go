package devop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// secret has characters that RFC 6749 §2.3.1's form-encoding changes, so
// a client_secret_basic implementation that skips it fails.
const (
	testClientID = "demo client"
	testSecret   = "s3cr:t+/ %é&="
	testRedirect = "http://rp.example/redirect_uri?x=1"
	testLogout   = "http://rp.example/logged-out"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testOP starts a provider on an httptest server; mod adjusts the options.
func testOP(t testing.TB, mod func(*Options)) (*Provider, *httptest.Server) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	opts := Options{
		Issuer: "http://" + srv.Listener.Addr().String(),
		Clients: []Client{{ID: testClientID, Secret: testSecret, RedirectURIs: []string{testRedirect},
			PostLogoutRedirectURIs: []string{testLogout}}},
		Users:     DemoUsers(),
		AutoLogin: "zoe",
		Logger:    slog.New(slog.DiscardHandler),
	}
	if mod != nil {
		mod(&opts)
	}
	p, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = p
	srv.Start()
	t.Cleanup(srv.Close)
	return p, srv
}

// noRedirect is an HTTP client that returns redirects instead of
// following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func oauthConfig(srv *httptest.Server, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID: testClientID, ClientSecret: testSecret, RedirectURL: testRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: srv.URL + "/authorize", TokenURL: srv.URL + "/token", AuthStyle: style},
		Scopes:   []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

// authorize follows the authorization request to the redirect back to
// the client and returns that redirect's query.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != "http://rp.example/redirect_uri" {
		t.Fatalf("redirected to %s", loc)
	}
	if loc.Query().Get("x") != "1" {
		t.Errorf("the redirect URI's own query was lost: %s", loc)
	}
	return loc.Query()
}

// login runs the authorization request with PKCE S256 and returns the code.
func login(t *testing.T, conf *oauth2.Config, verifier string, extra ...oauth2.AuthCodeOption) string {
	t.Helper()
	opts := append([]oauth2.AuthCodeOption{oidc.Nonce("n-0S6_WzA2Mj"), oauth2.S256ChallengeOption(verifier)}, extra...)
	q := authorize(t, conf.AuthCodeURL("st/ate=1", opts...))
	if q.Get("state") != "st/ate=1" || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	return q.Get("code")
}

func TestDiscovery(t *testing.T) {
	_, srv := testOP(t, nil)
	resp, err := http.Get(srv.URL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	wantStr := map[string]string{
		"issuer":                 srv.URL,
		"authorization_endpoint": srv.URL + "/authorize",
		"token_endpoint":         srv.URL + "/token",
		"userinfo_endpoint":      srv.URL + "/userinfo",
		"jwks_uri":               srv.URL + "/jwks",
		"end_session_endpoint":   srv.URL + "/end_session",
		"revocation_endpoint":    srv.URL + "/revoke",
		"introspection_endpoint": srv.URL + "/introspect",
	}
	for k, v := range wantStr {
		if d[k] != v {
			t.Errorf("%s = %v, want %s", k, d[k], v)
		}
	}
	wantList := map[string][]string{
		"response_types_supported":              {"code"},
		"subject_types_supported":               {"public"},
		"id_token_signing_alg_values_supported": {"RS256"},
		"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      {"S256", "plain"},
	}
	for k, want := range wantList {
		got, _ := json.Marshal(d[k])
		w, _ := json.Marshal(want)
		if string(got) != string(w) {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	for _, k := range []string{"claims_supported", "scopes_supported"} {
		list, _ := d[k].([]any)
		s, _ := json.Marshal(list)
		if !strings.Contains(string(s), `"email"`) {
			t.Errorf("%s = %s, lacks email", k, s)
		}
	}
	if s, _ := json.Marshal(d["claims_supported"]); !strings.Contains(string(s), `"https://example.com/roles"`) {
		t.Errorf("claims_supported lacks the URL-named claim: %s", s)
	}
}

func TestIssuerWithPath(t *testing.T) {
	p, err := New(Options{Issuer: "http://op.example/realms/dev", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/realms/dev/.well-known/openid-configuration", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"token_endpoint":"http://op.example/realms/dev/token"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/.well-known/openid-configuration", nil))
	if rec.Code != 404 {
		t.Errorf("outside the issuer path: %d", rec.Code)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"relative issuer": {Issuer: "/op"},
		"issuer query":    {Issuer: "http://op.example/?x=1"},
		"no secret":       {Issuer: "http://op.example", Clients: []Client{{ID: "a"}}},
		"dup client":      {Issuer: "http://op.example", Clients: []Client{{ID: "a", Secret: "s"}, {ID: "a", Secret: "t"}}},
		"dup user":        {Issuer: "http://op.example", Users: []User{{Subject: "u"}, {Subject: "u"}}},
		"unknown auto":    {Issuer: "http://op.example", AutoLogin: "nobody"},
	} {
		o.Logger = slog.New(slog.DiscardHandler)
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestCodeFlow is the whole flow as a relying party built on go-oidc and
// x/oauth2 runs it, with both client authentication methods.
func TestCodeFlow(t *testing.T) {
	for name, style := range map[string]oauth2.AuthStyle{"client_secret_basic": oauth2.AuthStyleInHeader, "client_secret_post": oauth2.AuthStyleInParams} {
		t.Run(name, func(t *testing.T) {
			p, srv := testOP(t, nil)
			ctx := context.Background()
			provider, err := oidc.NewProvider(ctx, srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			conf := oauthConfig(srv, style)
			conf.Endpoint = provider.Endpoint()
			conf.Endpoint.AuthStyle = style
			verifier := oauth2.GenerateVerifier()
			code := login(t, conf, verifier)
			tok, err := conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			if tok.TokenType != "Bearer" || tok.RefreshToken == "" || tok.Expiry.IsZero() {
				t.Errorf("token %+v", tok)
			}
			if s, _ := tok.Extra("scope").(string); s != "openid profile email" {
				t.Errorf("scope %q", s)
			}
			raw, _ := tok.Extra("id_token").(string)
			idt, err := provider.Verifier(&oidc.Config{ClientID: testClientID}).Verify(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			if idt.Nonce != "n-0S6_WzA2Mj" || idt.Subject != "zoe" || idt.Issuer != srv.URL {
				t.Errorf("id_token %+v", idt)
			}
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Errorf("at_hash: %v", err)
			}
			var c map[string]any
			if err := idt.Claims(&c); err != nil {
				t.Fatal(err)
			}
			if c["name"] != "Zoë Ångström" || c["email_verified"] != true || c["azp"] != testClientID || c["auth_time"] == nil {
				t.Errorf("id_token claims %v", c)
			}
			if g, _ := json.Marshal(c["groups"]); string(g) != `["developers","ops, on-call","admins"]` {
				t.Errorf("groups %s", g)
			}
			if _, ok := c["address"]; ok {
				t.Errorf("address is a userinfo-only claim but is in the id_token")
			}
			jws := strings.Split(raw, ".")[0]
			hdr, _ := base64.RawURLEncoding.DecodeString(jws)
			if !strings.Contains(string(hdr), `"kid":"`+p.KeyID()+`"`) || !strings.Contains(string(hdr), `"alg":"RS256"`) {
				t.Errorf("header %s", hdr)
			}
			ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			var uc map[string]any
			if err := ui.Claims(&uc); err != nil {
				t.Fatal(err)
			}
			if ui.Subject != "zoe" || ui.Email != "zoe@example.com" || !ui.EmailVerified {
				t.Errorf("userinfo %+v", ui)
			}
			b, _ := json.Marshal(uc)
			for _, want := range []string{`"locality":"Malmö"`, `"realm_access":{"roles":["offline_access","uma_authorization","admin"]}`,
				`"middle_name":null`, `"nickname":""`, `"age":34`, `"score":4.75`, `"https://example.com/roles":["admin","billing"]`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("userinfo lacks %s: %s", want, b)
				}
			}
		})
	}
}

// tokenPost posts a form to the token endpoint (client_secret_post unless
// the form says otherwise) and decodes the JSON answer.
func tokenPost(t *testing.T, srv *httptest.Server, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatalf("%s: %v: %s", path, err, body)
		}
	}
	return resp.StatusCode, out
}

func codeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"code_verifier": {verifier}, "client_id": {testClientID}, "client_secret": {testSecret}}
}

func TestTokenRefusals(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	_, srv := testOP(t, func(o *Options) { o.Now = clock.Now })
	conf := oauthConfig(srv, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	cases := []struct {
		name   string
		edit   func(url.Values)
		status int
		err    string
	}{
		{"bad verifier", func(f url.Values) { f.Set("code_verifier", oauth2.GenerateVerifier()) }, 400, "invalid_grant"},
		{"no verifier", func(f url.Values) { f.Del("code_verifier") }, 400, "invalid_grant"},
		{"wrong secret", func(f url.Values) { f.Set("client_secret", "nope") }, 401, "invalid_client"},
		{"no secret", func(f url.Values) { f.Del("client_secret") }, 401, "invalid_client"},
		{"wrong redirect_uri", func(f url.Values) { f.Set("redirect_uri", "http://rp.example/redirect_uri") }, 400, "invalid_grant"},
		{"no redirect_uri", func(f url.Values) { f.Del("redirect_uri") }, 400, "invalid_grant"},
		{"unknown code", func(f url.Values) { f.Set("code", "x") }, 400, "invalid_grant"},
		{"bad grant_type", func(f url.Values) { f.Set("grant_type", "password") }, 400, "unsupported_grant_type"},
		{"repeated code", func(f url.Values) { f.Add("code", "x") }, 400, "invalid_request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := login(t, conf, verifier)
			f := codeForm(code, verifier)
			c.edit(f)
			status, out := tokenPost(t, srv, "/token", f)
			if status != c.status || out["error"] != c.err {
				t.Errorf("got %d %v, want %d %s", status, out, c.status, c.err)
			}
		})
	}
	t.Run("expired code", func(t *testing.T) {
		code := login(t, conf, verifier)
		clock.Add(61 * time.Second)
		status, out := tokenPost(t, srv, "/token", codeForm(code, verifier))
		if status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("got %d %v", status, out)
		}
	})
	t.Run("reused code revokes its tokens", func(t *testing.T) {
		code := login(t, conf, verifier)
		status, first := tokenPost(t, srv, "/token", codeForm(code, verifier))
		if status != 200 {
			t.Fatalf("first redemption: %d %v", status, first)
		}
		status, out := tokenPost(t, srv, "/token", codeForm(code, verifier))
		if status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("second redemption: %d %v", status, out)
		}
		if st := userinfoStatus(t, srv, first["access_token"].(string)); st != 401 {
			t.Errorf("access token of a reused code still works: %d", st)
		}
	})
	t.Run("verifier without challenge", func(t *testing.T) {
		q := authorize(t, conf.AuthCodeURL("s"))
		status, out := tokenPost(t, srv, "/token", codeForm(q.Get("code"), verifier))
		if status != 400 || out["error"] != "invalid_grant" {
			t.Errorf("got %d %v", status, out)
		}
	})
	t.Run("plain challenge", func(t *testing.T) {
		q := authorize(t, conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")))
		status, out := tokenPost(t, srv, "/token", codeForm(q.Get("code"), verifier))
		if status != 200 {
			t.Errorf("got %d %v", status, out)
		}
	})
	t.Run("two client authentication methods", func(t *testing.T) {
		code := login(t, conf, verifier)
		req, _ := http.NewRequest("POST", srv.URL+"/token", strings.NewReader(codeForm(code, verifier).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testSecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("basic without form-encoding", func(t *testing.T) {
		code := login(t, conf, verifier)
		f := codeForm(code, verifier)
		f.Del("client_secret")
		f.Del("client_id")
		req, _ := http.NewRequest("POST", srv.URL+"/token", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(testClientID, testSecret) // RFC 6749 §2.3.1 violated
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("status %d %v", resp.StatusCode, resp.Header)
		}
	})
}

func userinfoStatus(t *testing.T, srv *httptest.Server, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAuthorizeErrors(t *testing.T) {
	_, srv := testOP(t, nil)
	base := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"xyz"}}
	page := []struct {
		name string
		edit func(url.Values)
	}{
		{"unknown client", func(q url.Values) { q.Set("client_id", "other") }},
		{"no client", func(q url.Values) { q.Del("client_id") }},
		{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }},
		{"redirect_uri prefix", func(q url.Values) { q.Set("redirect_uri", testRedirect+"&y=2") }},
		{"no redirect_uri", func(q url.Values) { q.Del("redirect_uri") }},
		{"repeated redirect_uri", func(q url.Values) { q.Add("redirect_uri", testRedirect) }},
	}
	for _, c := range page {
		q := cloneValues(base)
		c.edit(q)
		resp, err := noRedirect.Get(srv.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || resp.Header.Get("Location") != "" || !strings.Contains(string(body), "NOT FOR PRODUCTION") {
			t.Errorf("%s: %d %q", c.name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	redirect := []struct {
		name, err string
		edit      func(url.Values)
	}{
		{"no openid scope", "invalid_scope", func(q url.Values) { q.Set("scope", "profile") }},
		{"implicit", "unsupported_response_type", func(q url.Values) { q.Set("response_type", "token") }},
		{"bad PKCE method", "invalid_request", func(q url.Values) {
			q.Set("code_challenge", strings.Repeat("a", 43))
			q.Set("code_challenge_method", "S512")
		}},
		{"short challenge", "invalid_request", func(q url.Values) { q.Set("code_challenge", "abc") }},
		{"repeated nonce", "invalid_request", func(q url.Values) { q["nonce"] = []string{"a", "b"} }},
		{"request object", "request_not_supported", func(q url.Values) { q.Set("request", "e30.e30.") }},
		{"form_post", "invalid_request", func(q url.Values) { q.Set("response_mode", "form_post") }},
	}
	for _, c := range redirect {
		q := cloneValues(base)
		c.edit(q)
		got := authorize(t, srv.URL+"/authorize?"+q.Encode())
		if got.Get("error") != c.err || got.Get("state") != "xyz" || got.Get("code") != "" {
			t.Errorf("%s: %v", c.name, got)
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestChooser logs in through the HTML user chooser, with login_hint, and
// declines.
func TestChooser(t *testing.T) {
	_, srv := testOP(t, func(o *Options) {
		o.AutoLogin = ""
		o.Users = append(o.Users, User{Subject: "pw", Password: "open sesame", Claims: map[string]any{"name": "With Password"}})
	})
	conf := oauthConfig(srv, oauth2.AuthStyleInHeader)
	authURL := conf.AuthCodeURL("st", oidc.Nonce("n"))
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, "NOT FOR PRODUCTION") || !strings.Contains(page, "Log in as Zoë Ångström") ||
		!strings.Contains(page, "Jürgen Weiß") || !strings.Contains(page, `action="`+srv.URL+`/authorize/login"`) {
		t.Fatalf("chooser page %d:\n%s", resp.StatusCode, page)
	}
	u, _ := url.Parse(authURL)
	post := func(f url.Values) *http.Response {
		t.Helper()
		resp, err := noRedirect.PostForm(srv.URL+"/authorize/login", f)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp = post(url.Values{"request": {u.RawQuery}, "sub": {"juergen"}})
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != 302 || loc.Query().Get("code") == "" || loc.Query().Get("state") != "st" {
		t.Errorf("login: %d %s", resp.StatusCode, loc)
	}
	if resp = post(url.Values{"request": {u.RawQuery}, "sub": {"pw"}, "password": {"wrong"}}); resp.StatusCode != 200 {
		t.Errorf("wrong password: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp = post(url.Values{"request": {u.RawQuery}, "sub": {"pw"}, "password": {"open sesame"}}); resp.StatusCode != 302 {
		t.Errorf("right password: %d", resp.StatusCode)
	}
	resp = post(url.Values{"request": {u.RawQuery}, "deny": {"1"}})
	loc, _ = url.Parse(resp.Header.Get("Location"))
	if loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "st" {
		t.Errorf("deny: %s", loc)
	}
	// A tampered request is validated again.
	bad := u.Query()
	bad.Set("redirect_uri", "http://evil.example/")
	if resp = post(url.Values{"request": {bad.Encode()}, "sub": {"zoe"}}); resp.StatusCode != 400 {
		t.Errorf("tampered request: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// login_hint logs in without the chooser, by subject or email.
	for _, hint := range []string{"li", "juergen@example.com"} {
		q := authorize(t, conf.AuthCodeURL("s", oauth2.SetAuthURLParam("login_hint", hint)))
		if q.Get("code") == "" {
			t.Errorf("login_hint %s: %v", hint, q)
		}
	}
	// prompt=none cannot succeed without automatic login.
	if q := authorize(t, conf.AuthCodeURL("s", oauth2.SetAuthURLParam("prompt", "none"))); q.Get("error") != "login_required" {
		t.Errorf("prompt=none: %v", q)
	}
}

func TestRefreshRotation(t *testing.T) {
	_, srv := testOP(t, nil)
	conf := oauthConfig(srv, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	status, first := tokenPost(t, srv, "/token", codeForm(login(t, conf, verifier), verifier))
	if status != 200 {
		t.Fatal(first)
	}
	refresh := func(rt string, extra url.Values) (int, map[string]any) {
		f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {testClientID}, "client_secret": {testSecret}}
		for k, v := range extra {
			f[k] = v
		}
		return tokenPost(t, srv, "/token", f)
	}
	rt1 := first["refresh_token"].(string)
	status, second := refresh(rt1, nil)
	if status != 200 {
		t.Fatal(second)
	}
	rt2 := second["refresh_token"].(string)
	if rt2 == rt1 || second["access_token"] == first["access_token"] || second["id_token"] == nil {
		t.Errorf("not rotated: %v", second)
	}
	if st := userinfoStatus(t, srv, second["access_token"].(string)); st != 200 {
		t.Errorf("refreshed access token: %d", st)
	}
	if status, out := refresh(rt2, url.Values{"scope": {"openid admin"}}); status != 400 || out["error"] != "invalid_scope" {
		t.Errorf("wider scope: %d %v", status, out)
	}
	// A refused request does not consume the token; narrowing is allowed.
	status, third := refresh(rt2, url.Values{"scope": {"openid"}})
	if status != 200 || third["scope"] != "openid" {
		t.Fatalf("narrowing: %d %v", status, third)
	}
	// Reusing the first refresh token is refused and revokes the family.
	if status, out := refresh(rt1, nil); status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("reused refresh token: %d %v", status, out)
	}
	for _, at := range []any{second["access_token"], third["access_token"]} {
		if st := userinfoStatus(t, srv, at.(string)); st != 401 {
			t.Errorf("family not revoked: %d", st)
		}
	}
	// Another client cannot use the token.
	_, srv2 := testOP(t, func(o *Options) {
		o.Clients = append(o.Clients, Client{ID: "other", Secret: "x", RedirectURIs: []string{"http://o/cb"}})
	})
	conf2 := oauthConfig(srv2, oauth2.AuthStyleInParams)
	status, tok := tokenPost(t, srv2, "/token", codeForm(login(t, conf2, verifier), verifier))
	if status != 200 {
		t.Fatal(tok)
	}
	status, out := tokenPost(t, srv2, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok["refresh_token"].(string)},
		"client_id": {"other"}, "client_secret": {"x"}})
	if status != 400 || out["error"] != "invalid_grant" {
		t.Errorf("foreign client: %d %v", status, out)
	}
}

func TestEndSession(t *testing.T) {
	_, srv := testOP(t, nil)
	conf := oauthConfig(srv, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	_, tok := tokenPost(t, srv, "/token", codeForm(login(t, conf, verifier), verifier))
	hint := tok["id_token"].(string)
	get := func(q url.Values) *http.Response {
		t.Helper()
		resp, err := noRedirect.Get(srv.URL + "/end_session?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := get(url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {testLogout}, "state": {"s1"}})
	if resp.StatusCode != 302 || resp.Header.Get("Location") != testLogout+"?state=s1" {
		t.Errorf("registered: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = get(url.Values{"client_id": {testClientID}, "post_logout_redirect_uri": {testLogout}})
	if resp.StatusCode != 302 || resp.Header.Get("Location") != testLogout {
		t.Errorf("client_id: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, q := range map[string]url.Values{
		"unregistered":   {"id_token_hint": {hint}, "post_logout_redirect_uri": {"http://evil.example/"}},
		"no client":      {"post_logout_redirect_uri": {testLogout}},
		"forged hint":    {"id_token_hint": {hint[:len(hint)-4] + "AAAA"}, "post_logout_redirect_uri": {testLogout}},
		"other audience": {"id_token_hint": {hint}, "client_id": {"x"}, "post_logout_redirect_uri": {testLogout}},
	} {
		if resp := get(q); resp.StatusCode != 400 {
			t.Errorf("%s: %d %s", name, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp := get(url.Values{}); resp.StatusCode != 200 {
		t.Errorf("plain logout page: %d", resp.StatusCode)
	}
}

// TestRotateKey checks that a relying party verifying with go-oidc's
// remote key set picks up a new key ID, and that old tokens still verify.
func TestRotateKey(t *testing.T) {
	p, srv := testOP(t, nil)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	v := provider.Verifier(&oidc.Config{ClientID: testClientID})
	conf := oauthConfig(srv, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	idToken := func() string {
		_, tok := tokenPost(t, srv, "/token", codeForm(login(t, conf, verifier), verifier))
		return tok["id_token"].(string)
	}
	old := idToken()
	if _, err := v.Verify(ctx, old); err != nil {
		t.Fatal(err)
	}
	oldKid := p.KeyID()
	if err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if p.KeyID() == oldKid {
		t.Fatal("key ID unchanged")
	}
	if _, err := v.Verify(ctx, idToken()); err != nil {
		t.Errorf("new key: %v", err)
	}
	if _, err := v.Verify(ctx, old); err != nil {
		t.Errorf("old key after rotation: %v", err)
	}
	resp, err := http.Get(srv.URL + "/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	_ = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 2 || set.Keys[0]["kid"] != p.KeyID() || set.Keys[0]["alg"] != "RS256" || set.Keys[0]["d"] != nil {
		t.Errorf("jwks %v", set.Keys)
	}
}

func TestRevokeIntrospect(t *testing.T) {
	_, srv := testOP(t, nil)
	conf := oauthConfig(srv, oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()
	_, tok := tokenPost(t, srv, "/token", codeForm(login(t, conf, verifier), verifier))
	at := tok["access_token"].(string)
	auth := url.Values{"client_id": {testClientID}, "client_secret": {testSecret}}
	with := func(k, v string) url.Values {
		f := cloneValues(auth)
		f.Set(k, v)
		return f
	}
	status, out := tokenPost(t, srv, "/introspect", with("token", at))
	if status != 200 || out["active"] != true || out["sub"] != "zoe" || out["client_id"] != testClientID || out["username"] != "zoe" {
		t.Errorf("introspect: %d %v", status, out)
	}
	if status, out := tokenPost(t, srv, "/introspect", url.Values{"token": {at}}); status != 401 {
		t.Errorf("introspect without client auth: %d %v", status, out)
	}
	if status, _ := tokenPost(t, srv, "/revoke", with("token", "unknown")); status != 200 {
		t.Errorf("revoke unknown: %d", status)
	}
	if status, _ := tokenPost(t, srv, "/revoke", with("token", tok["refresh_token"].(string))); status != 200 {
		t.Errorf("revoke: %d", status)
	}
	if _, out := tokenPost(t, srv, "/introspect", with("token", at)); out["active"] != false {
		t.Errorf("access token active after its refresh token was revoked: %v", out)
	}
	if st := userinfoStatus(t, srv, at); st != 401 {
		t.Errorf("userinfo after revoke: %d", st)
	}
}

func TestAtHash(t *testing.T) {
	// OpenID Connect Core §3.1.3.6: left half of SHA-256, base64url.
	sum := sha256.Sum256([]byte("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"))
	if got := base64.RawURLEncoding.EncodeToString(sum[:16]); got != "77QmUPtjPfzWtF2AnpK9RQ" {
		t.Errorf("at_hash %s", got)
	}
}

func TestParseBasicAuth(t *testing.T) {
	enc := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		h, id, secret string
		ok, err       bool
	}{
		{enc("a:b"), "a", "b", true, false},
		{enc("demo+client:s%3Acr%2Bt+x"), "demo client", "s:cr+t x", true, false},
		{enc("a:b:c"), "a", "b:c", true, false},
		{"basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), "a", "b", true, false},
		{enc("ab"), "", "", true, true},
		{enc("a:%zz"), "", "", true, true},
		{"Basic !!!", "", "", true, true},
		{"Bearer x", "", "", false, false},
		{"", "", "", false, false},
	} {
		id, secret, ok, err := parseBasicAuth(c.h)
		if id != c.id || secret != c.secret || ok != c.ok || (err != nil) != c.err {
			t.Errorf("%q: %q %q %v %v", c.h, id, secret, ok, err)
		}
	}
}

// FuzzParseBasicAuth checks that whatever decodes re-encodes to the same
// credentials (the form-encoding round trip RFC 6749 §2.3.1 relies on).
func FuzzParseBasicAuth(f *testing.F) {
	for _, s := range []string{"Basic ZGVtbzpkZW1vLXNlY3JldA==", "Basic JTp6", "basic Og==", "Basic", "Bearer x", "Basic ZGVtbyUyMDpzJTNB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		id, secret, ok, err := parseBasicAuth(h)
		if !ok || err != nil {
			if id != "" || secret != "" {
				t.Fatalf("credentials returned with ok=%v err=%v", ok, err)
			}
			return
		}
		again := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
		id2, secret2, ok2, err2 := parseBasicAuth(again)
		if !ok2 || err2 != nil || id2 != id || secret2 != secret {
			t.Fatalf("round trip of %q/%q gave %q/%q %v %v", id, secret, id2, secret2, ok2, err2)
		}
	})
}

// FuzzAuthorize sends arbitrary query strings to /authorize: it never
// panics, and a redirect only ever goes to the registered redirect URI.
func FuzzAuthorize(f *testing.F) {
	p, err := New(Options{Issuer: "http://op.example", Users: DemoUsers(), Logger: slog.New(slog.DiscardHandler),
		Clients: []Client{{ID: testClientID, Secret: testSecret, RedirectURIs: []string{testRedirect}}}})
	if err != nil {
		f.Fatal(err)
	}
	valid := url.Values{"client_id": {testClientID}, "redirect_uri": {testRedirect}, "response_type": {"code"}, "scope": {"openid"}}
	f.Add(valid.Encode())
	f.Add(valid.Encode() + "&login_hint=zoe&state=a&nonce=b&code_challenge=" + strings.Repeat("A", 43) + "&code_challenge_method=S256")
	f.Add(valid.Encode() + "&redirect_uri=http://evil.example/")
	f.Add("client_id=demo%20client&redirect_uri=http%3A%2F%2Frp.example%2Fredirect_uri%3Fx%3D1&prompt=none&response_type=code&scope=openid")
	f.Fuzz(func(t *testing.T, query string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/authorize", nil)
		req.URL.RawQuery = query
		p.ServeHTTP(rec, req)
		if loc := rec.Header().Get("Location"); loc != "" {
			if !strings.HasPrefix(loc, "http://rp.example/redirect_uri?") {
				t.Fatalf("redirect to %q", loc)
			}
			u, err := url.Parse(loc)
			if err != nil || u.Host != "rp.example" || u.Path != "/redirect_uri" {
				t.Fatalf("redirect to %q", loc)
			}
		}
	})
}
