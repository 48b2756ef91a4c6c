package oidc

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"github.com/oidcgate/oidcgate/cache"
)

// harness drives one relying party against the fake provider with a
// controllable clock.
type harness struct {
	t   testing.TB
	op  *fakeOP
	rp  *RelyingParty
	dir *DirSettings

	mu  sync.Mutex
	now time.Time
	// ctx, when set, is the context of the requests do sends.
	ctx context.Context
}

const testUA = "Mozilla/5.0 test"

func newHarness(t testing.TB, edit func(*Settings)) *harness {
	t.Helper()
	h := &harness{t: t, now: time.Unix(1_800_000_000, 0)}
	h.op = newFakeOP(t, h.clock)
	s := Settings{MetadataURL: h.op.issuer + "/.well-known/openid-configuration", ClientID: "client1", ClientSecret: "s3cret",
		RedirectURI: "/redirect_uri", Scope: "openid", PKCEMethod: "S256", TokenEndpointAuth: "client_secret_basic",
		ValidateIssuer: true, IATSlack: 600 * time.Second, CryptoPassphrase: "pass", StateTimeout: 300 * time.Second,
		StateMaxCookies: 7, StateInputXFF: true, StateInputUA: true, SessionInactivityTimeout: 300 * time.Second,
		SessionMaxDuration: 8 * time.Hour, CookieHTTPOnly: true, RemoteUserClaim: "sub@", ClaimPrefix: "OIDC_CLAIM_",
		ClaimDelimiter: ",", PassIDTokenAs: []string{"claims"}, PassUserInfoAs: []string{"claims"}, SSLValidateServer: true,
		InfoHook: []string{"iat", "access_token", "access_token_expires", "id_token", "userinfo", "exp", "timeout", "remote_user"}}
	if edit != nil {
		edit(&s)
	}
	store, err := cache.NewMemory(cache.MemoryOptions{Now: h.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	rp, err := New(s, store, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	h.rp = rp
	h.dir = &DirSettings{CookieName: "mod_auth_openidc_session", StateCookiePrefix: "mod_auth_openidc_state_",
		PassHeaders: true, PassEnv: true, UnAuthAction: "auth", UnAutzAction: "403"}
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// response is one exchange's outcome.
type response struct {
	res  Result
	rec  *httptest.ResponseRecorder
	req  *http.Request
	env  map[string]string
	sets []string
}

// do sends target (path?query) with a browser's headers plus hdr.
func (h *harness) do(method, target string, hdr map[string]string) response {
	h.t.Helper()
	r := httptest.NewRequest(method, "http://www.example.com"+target, nil)
	r.RequestURI = target
	if h.ctx != nil {
		r = r.WithContext(h.ctx)
	}
	r.Header.Set("User-Agent", testUA)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	for k, v := range hdr {
		if v == "" {
			r.Header.Del(k)
			continue
		}
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	env := map[string]string{}
	path, _, _ := strings.Cut(target, "?")
	q := &Request{HTTP: r, Path: path, Dir: h.dir, Env: env, Scheme: "http", Host: "www.example.com"}
	res := h.rp.Authenticate(rec, q)
	var sets []string
	if res.Content != "" {
		// As the pipeline does after Require: the content handler.
		sets = res.Header.Values("Set-Cookie")
		res = h.rp.Content(rec, q, res)
	}
	out := response{res: res, rec: rec, req: r, env: env}
	out.sets = append(sets, res.Header.Values("Set-Cookie")...)
	if res.Done {
		out.sets = rec.Header().Values("Set-Cookie")
	}
	return out
}

// cookieValue finds name's value among Set-Cookie lines.
func cookieValue(sets []string, name string) (string, string, bool) {
	for _, s := range sets {
		if strings.HasPrefix(s, name+"=") {
			v, _, _ := strings.Cut(strings.TrimPrefix(s, name+"="), ";")
			return v, s, true
		}
	}
	return "", "", false
}

// login runs the whole flow for target and returns the session cookie.
func (h *harness) login(target string) (string, response) {
	h.t.Helper()
	first := h.do("GET", target, nil)
	if first.res.Status != http.StatusFound {
		h.t.Fatalf("login start: status %d, want 302", first.res.Status)
	}
	state := mustQuery(h.t, first.res.Location).Get("state")
	stateCookie, _, ok := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	if !ok {
		h.t.Fatalf("no state cookie in %q", first.sets)
	}
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + stateCookie})
	sess, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session")
	if !ok || sess == "" {
		h.t.Fatalf("callback: status %d location %q, no session cookie in %q (env %v)", cb.res.Status, cb.res.Location, cb.sets, cb.env)
	}
	return sess, cb
}

func mustQuery(t testing.TB, loc string) url.Values {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

var b64u = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func TestLoginRedirect(t *testing.T) {
	h := newHarness(t, nil)
	r := h.do("GET", "/app/page?x=1&y=%20z", nil)
	if r.res.Status != http.StatusFound {
		t.Fatalf("status %d, want 302", r.res.Status)
	}
	loc := r.res.Location
	if !strings.HasPrefix(loc, h.op.issuer+"/authorize?") {
		t.Fatalf("Location %q does not go to the authorization endpoint", loc)
	}
	// Parameter order is the module's.
	var names []string
	for _, kv := range strings.Split(loc[strings.IndexByte(loc, '?')+1:], "&") {
		n, _, _ := strings.Cut(kv, "=")
		names = append(names, n)
	}
	want := "response_type,scope,client_id,state,redirect_uri,nonce,code_challenge,code_challenge_method"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("parameters %s, want %s", got, want)
	}
	q := mustQuery(t, loc)
	if q.Get("redirect_uri") != "http://www.example.com/redirect_uri" || !strings.Contains(loc, "redirect_uri=http%3A%2F%2Fwww.example.com%2Fredirect_uri") {
		t.Errorf("redirect_uri not absolute or not encoded as the module does: %s", loc)
	}
	if s := q.Get("state"); len(s) != 27 || !b64u.MatchString(s) {
		t.Errorf("state %q: want 27 base64url characters (SHA-1, as 2.4.12.3)", s)
	}
	if n := q.Get("nonce"); len(n) != 43 || !b64u.MatchString(n) {
		t.Errorf("nonce %q: want 43 base64url characters", n)
	}
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("PKCE S256 expected: %v", q)
	}
	if got := r.res.Header.Get("Cache-Control"); got != "no-cache, no-store, max-age=0" {
		t.Errorf("Cache-Control %q", got)
	}
	_, line, ok := cookieValue(r.sets, "mod_auth_openidc_state_"+q.Get("state"))
	if !ok {
		t.Fatalf("no state cookie: %q", r.sets)
	}
	// Path is OIDCCookiePath's default "/"; no SameSite over http with
	// the 2.4.12.3 default (Off → None only on https).
	if !strings.HasSuffix(line, "; Path=/; HttpOnly") {
		t.Errorf("state cookie attributes: %q", line)
	}
}

func TestLoginRedirectSameSiteAndPKCE(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.CookieSameSite = true
		s.PKCEMethod = "none"
		s.AuthRequestParams = "prompt=login&foo=#"
	})
	r := h.do("GET", "/?foo=bar%20baz", nil)
	q := mustQuery(t, r.res.Location)
	if q.Get("code_challenge") != "" {
		t.Errorf("PKCE sent with OIDCPKCEMethod none")
	}
	if !strings.HasSuffix(r.res.Location, "&prompt=login&foo=bar%20baz") {
		t.Errorf("extra params: %s", r.res.Location)
	}
	if _, line, _ := cookieValue(r.sets, "mod_auth_openidc_state_"+q.Get("state")); !strings.HasSuffix(line, "; HttpOnly; SameSite=Lax") {
		t.Errorf("state cookie %q: want SameSite=Lax with OIDCCookieSameSite On", line)
	}
}

func TestUnauthenticatedActions(t *testing.T) {
	tests := []struct {
		name   string
		action string
		hdr    map[string]string
		status int
		pass   bool
	}{
		{"xhr", "auth", map[string]string{"X-Requested-With": "XMLHttpRequest"}, 401, false},
		{"json accept", "auth", map[string]string{"Accept": "application/json"}, 401, false},
		{"no accept", "auth", map[string]string{"Accept": ""}, 401, false},
		{"browser", "auth", nil, 302, false},
		{"401", "401", nil, 401, false},
		{"407", "407", nil, 407, false},
		{"410", "410", nil, 410, false},
		{"pass", "pass", map[string]string{"OIDC_CLAIM_email": "mallory@evil", "Oidc-Access-Token": "x"}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.dir.UnAuthAction = tc.action
			r := h.do("GET", "/x", tc.hdr)
			if r.res.Status != tc.status {
				t.Fatalf("status %d, want %d", r.res.Status, tc.status)
			}
			if tc.status == 401 && len(r.sets) != 0 {
				t.Errorf("a 401 must not set a state cookie: %q", r.sets)
			}
			if r.res.Pass != tc.pass || (tc.pass && (!r.res.HasUser || r.res.User != "")) {
				t.Errorf("pass=%v hasUser=%v user=%q", r.res.Pass, r.res.HasUser, r.res.User)
			}
			if tc.pass {
				for k := range r.req.Header {
					if strings.HasPrefix(strings.ToUpper(k), "OIDC") {
						t.Errorf("spoofed header %s reached the backend with pass", k)
					}
				}
			}
		})
	}
}

func TestLoginCallbackAndSession(t *testing.T) {
	h := newHarness(t, nil)
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","email":"userinfo@example.com","groups":["a","b"]}`)
	sess, cb := h.login("/app/page?x=1&y=%20z&flag&plus=a+b")
	// Byte for byte, bare parameters included (measured).
	if cb.res.Status != http.StatusFound || cb.res.Location != "http://www.example.com/app/page?x=1&y=%20z&flag&plus=a+b" {
		t.Fatalf("callback: %d %q, want 302 to the original URL", cb.res.Status, cb.res.Location)
	}
	if len(sess) != 27 || !b64u.MatchString(sess) {
		t.Errorf("session id %q: want 27 base64url characters", sess)
	}
	_, line, _ := cookieValue(cb.sets, "mod_auth_openidc_session")
	if line != "mod_auth_openidc_session="+sess+"; Path=/; HttpOnly" {
		t.Errorf("session cookie %q", line)
	}
	var deleted bool
	for _, s := range cb.sets {
		if strings.HasPrefix(s, "mod_auth_openidc_state_") && strings.Contains(s, "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("state cookie not deleted: %q", cb.sets)
	}
	// The token request: client_secret_basic, the PKCE verifier.
	if len(h.op.tokenForms) != 1 || h.op.tokenForms[0].Get("code_verifier") == "" || !strings.HasPrefix(h.op.tokenAuth[0], "Basic ") {
		t.Errorf("token request %v auth %v", h.op.tokenForms, h.op.tokenAuth)
	}
	// An authenticated request: user, claims, tokens; spoofed headers gone.
	r := h.do("GET", "/app/other", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess, "OIDC_CLAIM_email": "spoof", "oidc-claim-evil": "x"})
	if r.res.Status != 0 || !r.res.Authenticated {
		t.Fatalf("authenticated request: status %d", r.res.Status)
	}
	if want := "248289761001@" + strings.TrimPrefix(h.op.issuer, "https://"); r.res.User != want {
		t.Errorf("REMOTE_USER %q, want %q", r.res.User, want)
	}
	// 2.4.12.3: id_token claims are set after userinfo's, so they win.
	if got := r.req.Header["OIDC_CLAIM_email"]; len(got) != 1 || got[0] != "alice@example.com" {
		t.Errorf("OIDC_CLAIM_email %q (headers %v)", got, r.req.Header)
	}
	if got := r.req.Header["OIDC_access_token"]; len(got) != 1 || got[0] != "AT-1" {
		t.Errorf("OIDC_access_token %q", got)
	}
	if got := r.req.Header["OIDC_access_token_expires"]; len(got) != 1 || got[0] != "1800003600" {
		t.Errorf("OIDC_access_token_expires %q", got)
	}
	if _, ok := r.req.Header["OIDC_refresh_token"]; ok {
		t.Errorf("refresh token passed without OIDCPassRefreshToken")
	}
	for k := range r.req.Header {
		if strings.EqualFold(k, "oidc-claim-evil") {
			t.Errorf("spoofed %s reached the backend", k)
		}
	}
	if r.env["OIDC_CLAIM_email"] != "alice@example.com" {
		t.Errorf("claims not in the environment: %v", r.env)
	}
	if len(r.sets) != 0 {
		t.Errorf("no cookie expected right after login: %q", r.sets)
	}
	// Sliding expiry: after more than 10% (max 60 s) of the timeout the
	// cookie is re-sent.
	h.advance(61 * time.Second)
	r = h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
	if _, line, ok := cookieValue(r.sets, "mod_auth_openidc_session"); !ok || line != "mod_auth_openidc_session="+sess+"; Path=/; HttpOnly" {
		t.Errorf("sliding renewal cookie %q (%q)", line, r.sets)
	}
	// Idle timeout.
	h.advance(301 * time.Second)
	r = h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
	if r.res.Status != http.StatusFound {
		t.Errorf("expired session: status %d, want a new login", r.res.Status)
	}
}

func TestSessionBoundToHost(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	r := httptest.NewRequest("GET", "http://other.example.com/", nil)
	r.Header.Set("Cookie", "mod_auth_openidc_session="+sess)
	res := h.rp.Authenticate(httptest.NewRecorder(), &Request{HTTP: r, Path: "/", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "other.example.com"})
	if res.Status != http.StatusUnauthorized || res.Authenticated {
		t.Errorf("session replayed on another host: status %d", res.Status)
	}
}

func TestCallbackRejectsBadTokens(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string]any)
		alg    string
	}{
		{"wrong issuer", func(c map[string]any) { c["iss"] = "https://evil.example" }, ""},
		{"wrong audience", func(c map[string]any) { c["aud"] = "other" }, ""},
		{"azp not client", func(c map[string]any) { c["aud"] = []string{"client1", "x"}; c["azp"] = "x" }, ""},
		{"expired", func(c map[string]any) { c["exp"] = c["iat"].(int64) - 1 }, ""},
		{"iat too old", func(c map[string]any) { c["iat"] = c["iat"].(int64) - 601 }, ""},
		{"iat in future", func(c map[string]any) { c["iat"] = c["iat"].(int64) + 601 }, ""},
		{"no sub", func(c map[string]any) { delete(c, "sub") }, ""},
		{"no iat", func(c map[string]any) { delete(c, "iat") }, ""},
		{"nonce mismatch", func(c map[string]any) { c["nonce"] = "other" }, ""},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, ""},
		{"HS256 with no shared key", nil, "HS256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.op.mutate = tc.mutate
			if tc.alg != "" {
				h.op.alg = tc.alg
			}
			first := h.do("GET", "/", nil)
			state := mustQuery(t, first.res.Location).Get("state")
			sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
			code := h.op.grant(first.res.Location)
			cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
			if !cb.res.Done || cb.rec.Code != 200 || !strings.Contains(cb.rec.Body.String(), "Error in handling response type.") {
				t.Fatalf("bad id_token accepted or wrong error: done=%v %d %q", cb.res.Done, cb.rec.Code, cb.rec.Body.String())
			}
			if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); ok {
				t.Errorf("a session cookie was set")
			}
			if cb.env["OIDC_ERROR"] != "OpenID Connect Provider error: Error in handling response type." {
				t.Errorf("OIDC_ERROR %q", cb.env["OIDC_ERROR"])
			}
		})
	}
}

func TestCallbackStateFailures(t *testing.T) {
	h := newHarness(t, nil)
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	cookieHdr := "mod_auth_openidc_state_" + state + "=" + sc
	tests := []struct {
		name   string
		target string
		hdr    map[string]string
		status int
	}{
		{"no state cookie", "/redirect_uri?code=" + code + "&state=" + state, nil, 400},
		{"other browser", "/redirect_uri?code=" + code + "&state=" + state, map[string]string{"Cookie": cookieHdr, "User-Agent": "curl"}, 400},
		{"tampered cookie", "/redirect_uri?code=" + code + "&state=" + state, map[string]string{"Cookie": cookieHdr + "x"}, 400},
		{"duplicated state", "/redirect_uri?code=" + code + "&state=" + state + "&state=" + state, map[string]string{"Cookie": cookieHdr}, 400},
		{"no state", "/redirect_uri?code=" + code, map[string]string{"Cookie": cookieHdr}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do("GET", tc.target, tc.hdr)
			if r.res.Status != tc.status {
				t.Errorf("status %d, want %d", r.res.Status, tc.status)
			}
		})
	}
	// Expired state: the module's timeout page, 200.
	h.advance(301 * time.Second)
	r := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": cookieHdr})
	if !r.res.Done || r.rec.Code != 200 || !strings.Contains(r.rec.Body.String(), "Invalid Authentication Response") {
		t.Errorf("expired state: %d %q", r.rec.Code, r.rec.Body.String())
	}
}

func TestCallbackDefaultURL(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.DefaultURL = "/home" })
	r := h.do("GET", "/redirect_uri?code=x&state=y", nil)
	if r.res.Status != 302 || r.res.Location != "http://www.example.com/home" {
		t.Errorf("bad state with OIDCDefaultURL: %d %q", r.res.Status, r.res.Location)
	}
}

func TestNonceReplay(t *testing.T) {
	h := newHarness(t, nil)
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	cookieHdr := map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc}
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, cookieHdr)
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); !ok {
		t.Fatalf("first callback failed: %d %v", cb.res.Status, cb.env)
	}
	// An attacker replays the (deleted but captured) state cookie with a
	// new code for the same authorization request: the id_token's nonce
	// matches the state, but it was used already.
	code2 := h.op.grant(first.res.Location + "&x=2")
	replay := h.do("GET", "/redirect_uri?code="+code2+"&state="+state, cookieHdr)
	if _, _, ok := cookieValue(replay.sets, "mod_auth_openidc_session"); ok {
		t.Errorf("a replayed nonce logged in")
	}
	if replay.env["OIDC_ERROR"] != "OpenID Connect Provider error: Error in handling response type." {
		t.Errorf("replay: OIDC_ERROR %q", replay.env["OIDC_ERROR"])
	}
}

func TestTooManyStateCookies(t *testing.T) {
	h := newHarness(t, nil)
	var cookies []string
	for i := 0; i < 7; i++ {
		r := h.do("GET", "/", map[string]string{"User-Agent": testUA + string(rune('a'+i))})
		state := mustQuery(t, r.res.Location).Get("state")
		v, _, _ := cookieValue(r.sets, "mod_auth_openidc_state_"+state)
		cookies = append(cookies, "mod_auth_openidc_state_"+state+"="+v)
	}
	cookies = append(cookies, "mod_auth_openidc_state_garbage=xyz")
	r := h.do("GET", "/", map[string]string{"Cookie": strings.Join(cookies, "; ")})
	if r.res.Status != http.StatusServiceUnavailable {
		t.Fatalf("8th login: status %d, want 503", r.res.Status)
	}
	if _, line, ok := cookieValue(r.sets, "mod_auth_openidc_state_garbage"); !ok || !strings.Contains(line, "Expires=Thu, 01 Jan 1970") {
		t.Errorf("undecryptable state cookie not deleted: %q", r.sets)
	}
	h.advance(301 * time.Second)
	r = h.do("GET", "/", map[string]string{"Cookie": strings.Join(cookies, "; ")})
	if r.res.Status != http.StatusFound {
		t.Errorf("after the state timeout: status %d, want 302", r.res.Status)
	}
}

func TestLogout(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	// A foreign URL: 400, session kept.
	r := h.do("GET", "/redirect_uri?logout=https%3A%2F%2Fevil.example%2F", ck)
	if r.rec.Code != http.StatusBadRequest || !r.res.Done {
		t.Fatalf("foreign logout: %d", r.rec.Code)
	}
	if again := h.do("GET", "/", ck); !again.res.Authenticated {
		t.Fatalf("session lost after a refused logout")
	}
	r = h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
	if r.res.Status != 302 {
		t.Fatalf("logout: status %d", r.res.Status)
	}
	q := mustQuery(t, r.res.Location)
	if !strings.HasPrefix(r.res.Location, h.op.issuer+"/logout?id_token_hint=") || q.Get("post_logout_redirect_uri") != "/bye" {
		t.Errorf("logout Location %q", r.res.Location)
	}
	if _, line, ok := cookieValue(r.sets, "mod_auth_openidc_session"); !ok || !strings.Contains(line, "=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Errorf("session cookie not deleted: %q", r.sets)
	}
	if strings.Join(h.op.revoked, ",") != "RT-1,AT-1" {
		t.Errorf("revoked %v, want refresh then access token", h.op.revoked)
	}
	if after := h.do("GET", "/", ck); after.res.Authenticated {
		t.Errorf("session still valid after logout")
	}
}

func TestInfoHook(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.InfoHook = []string{"remote_user", "access_token", "timeout"} })
	if r := h.do("GET", "/redirect_uri?info=json", nil); r.res.Status != 401 {
		t.Errorf("info without session: %d", r.res.Status)
	}
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/redirect_uri?info=xml", ck); r.res.Status != 415 {
		t.Errorf("info=xml: %d", r.res.Status)
	}
	r := h.do("GET", "/redirect_uri?info=json", ck)
	if r.rec.Code != 200 || r.rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("info: %d %q", r.rec.Code, r.rec.Header().Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal(r.rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got["access_token"] != "AT-1" || !strings.HasPrefix(got["remote_user"].(string), "248289761001@") {
		t.Errorf("info %v", got)
	}
	// The module's fixed order whatever the configured one, jansson's
	// one-line layout.
	want := fmt.Sprintf(`{"access_token": "AT-1", "timeout": %d, "remote_user": "248289761001@%s"}`, h.clock().Unix()+300, h.op.issuer)
	if body := r.rec.Body.String(); body != want {
		t.Errorf("info body\n%s\nwant\n%s", body, want)
	}
}

// TestInfoHookRefreshInterval: ?info=json&access_token_refresh_interval=N
// refreshes the tokens (2.4.12.3) when N seconds have passed since the
// last refresh, and the answer shows the new access token; before that,
// or with a value sscanf reads no number from, it does not.
func TestInfoHookRefreshInterval(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.InfoHook = []string{"access_token"} })
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	h.advance(10 * time.Second)
	for _, q := range []string{"60", "abc", ""} {
		if r := h.do("GET", "/redirect_uri?info=json&access_token_refresh_interval="+q, ck); r.rec.Body.String() != `{"access_token": "AT-1"}` {
			t.Errorf("interval %q: %s", q, r.rec.Body.String())
		}
	}
	if n := len(h.op.refreshForms); n != 0 {
		t.Fatalf("%d refresh grants before the interval passed", n)
	}
	r := h.do("GET", "/redirect_uri?info=json&access_token_refresh_interval=+5s", ck)
	if r.rec.Body.String() != `{"access_token": "AT-2"}` || len(h.op.refreshForms) != 1 {
		t.Fatalf("after the interval: %s, %d grants", r.rec.Body.String(), len(h.op.refreshForms))
	}
	if v, _, ok := cookieValue(r.sets, "mod_auth_openidc_session"); !ok || v == "" {
		t.Errorf("refreshed session not re-sent: %q", r.sets)
	}
	// The stored session has the new token: the next plain request sees it.
	if r := h.do("GET", "/", ck); first(r.req.Header["OIDC_access_token"]) != "AT-2" {
		t.Errorf("next request's access token %q", first(r.req.Header["OIDC_access_token"]))
	}
}

func TestScanLeadingInt(t *testing.T) {
	for _, tc := range []struct {
		in string
		n  int64
		ok bool
	}{{"10", 10, true}, {" +7x", 7, true}, {"-3", -3, true}, {"x1", 0, false}, {"", 0, false}, {"+", 0, false}, {"99999999999999999999", 0, false}} {
		if n, ok := scanLeadingInt(tc.in); n != tc.n || ok != tc.ok {
			t.Errorf("scanLeadingInt(%q) = %d, %v; want %d, %v", tc.in, n, ok, tc.n, tc.ok)
		}
	}
}

func TestRedirectURIOtherRequests(t *testing.T) {
	h := newHarness(t, nil)
	if r := h.do("GET", "/redirect_uri", nil); r.rec.Code != 200 || !strings.Contains(r.rec.Body.String(), "Submitting...") {
		t.Errorf("bare redirect URI: %d", r.rec.Code)
	}
	if r := h.do("GET", "/redirect_uri?jwks=rsa", nil); r.rec.Code != 200 || r.rec.Body.String() != `{ "keys" : [ ] }` || r.rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("jwks: %d %q", r.rec.Code, r.rec.Body.String())
	}
	// The module writes its error page before Apache sets a status: 200.
	if r := h.do("GET", "/redirect_uri?foo=bar", nil); r.rec.Code != 200 || r.env["OIDC_ERROR"] != "Invalid Request" || !strings.Contains(r.rec.Body.String(), "<pre>Invalid Request</pre>") {
		t.Errorf("unknown redirect-URI request: %d %v", r.rec.Code, r.env)
	}
}

func TestUnauthorizedActions(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	mk := func(action, arg string, hdr map[string]string) (*httptest.ResponseRecorder, bool) {
		r := httptest.NewRequest("GET", "http://www.example.com/x", nil)
		r.RequestURI = "/x"
		r.Header.Set("Cookie", "mod_auth_openidc_session="+sess)
		r.Header.Set("Accept", "text/html")
		r.Header.Set("User-Agent", testUA)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		d := *h.dir
		d.UnAutzAction, d.UnAutzArg = action, arg
		rec := httptest.NewRecorder()
		_, done := h.rp.Unauthorized(rec, &Request{HTTP: r, Path: "/x", Dir: &d, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
		return rec, done
	}
	if _, done := mk("403", "", nil); done {
		t.Errorf("403 without text must leave the response to Apache")
	}
	rec, done := mk("302", "https://www.example.com/denied", nil)
	if !done || rec.Code != 200 || rec.Header().Get("Location") != "" || !strings.Contains(rec.Body.String(), `content="0; url=https://www.example.com/denied"`) {
		t.Errorf("302 action: %v %d %q", done, rec.Code, rec.Body.String())
	}
	rec, done = mk("auth", "", nil)
	if !done || !strings.Contains(rec.Body.String(), "Stepup Authentication") || !strings.HasPrefix(rec.Header().Get("Location"), h.op.issuer+"/") {
		t.Errorf("auth action: %v %d %q", done, rec.Code, rec.Body.String())
	}
	if _, done = mk("auth", "", map[string]string{"X-Requested-With": "XMLHttpRequest"}); done {
		t.Errorf("auth action for XHR must deny plainly")
	}
}

func TestProviderDownAtStart(t *testing.T) {
	h := newHarness(t, nil)
	// The metadata URL answers 503 until the provider is "up", then
	// serves the provider's document: requests that need it fail with 500
	// meanwhile, and the relying party recovers without a restart.
	var up atomic.Bool
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		resp, err := http.Get(h.op.issuer + "/.well-known/openid-configuration")
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(meta.Close)
	store, _ := cache.NewMemory(cache.MemoryOptions{})
	s := *h.rp.s
	s.MetadataURL = meta.URL
	rp, err := New(s, store, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("New with a provider that is down: %v", err)
	}
	h.rp = rp
	if r := h.do("GET", "/", nil); r.res.Status != http.StatusInternalServerError {
		t.Errorf("provider down: status %d, want 500", r.res.Status)
	}
	up.Store(true)
	// The failure is remembered briefly: no request waits on a provider
	// that just failed; after that the relying party tries again.
	if r := h.do("GET", "/", nil); r.res.Status != http.StatusInternalServerError {
		t.Errorf("right after the failure: status %d, want 500 without a new fetch", r.res.Status)
	}
	h.advance(metadataRetry + time.Second)
	if r := h.do("GET", "/", nil); r.res.Status != http.StatusFound {
		t.Errorf("provider back: status %d, want 302", r.res.Status)
	}
}

func TestClientSecretPost(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.TokenEndpointAuth = "client_secret_post" })
	h.login("/")
	if len(h.op.tokenForms) != 1 || h.op.tokenForms[0].Get("client_secret") != "s3cret" || h.op.tokenAuth[0] != "" {
		t.Errorf("client_secret_post: form %v auth %q", h.op.tokenForms, h.op.tokenAuth)
	}
}

func TestLogoutWithoutSessionAndFrontChannel(t *testing.T) {
	h := newHarness(t, nil)
	// No session: straight to the target, the provider is not involved.
	r := h.do("GET", "/redirect_uri?logout=%2Flocal", nil)
	if r.res.Status != 302 || r.res.Location != "/local" {
		t.Errorf("logout without session: %d %q", r.res.Status, r.res.Location)
	}
	if r = h.do("GET", "/redirect_uri?logout=", nil); r.rec.Code != 200 || !strings.Contains(r.rec.Body.String(), "<p>Logged Out</p>") {
		t.Errorf("logout without target: %d %q", r.rec.Code, r.rec.Body.String())
	}
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	r = h.do("GET", "/redirect_uri?logout=img", ck)
	if r.rec.Code != 200 || r.rec.Header().Get("Content-Type") != "image/png" || r.rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Fatalf("front-channel img: %d %v", r.rec.Code, r.rec.Header())
	}
	if _, err := png.Decode(bytes.NewReader(r.rec.Body.Bytes())); err != nil || r.rec.Body.Len() != 68 {
		t.Errorf("pixel: %d bytes, %v", r.rec.Body.Len(), err)
	}
	if after := h.do("GET", "/", ck); after.res.Authenticated {
		t.Errorf("session survived a front-channel logout")
	}
	if r = h.do("GET", "/redirect_uri?logout=get", nil); !strings.Contains(r.rec.Body.String(), "<title>Logged Out</title>") {
		t.Errorf("front-channel get: %q", r.rec.Body.String())
	}
}

// TestProviderTLSAndOutgoingProxy: OIDCSSLValidateServer, OIDCCABundlePath
// and OIDCOutgoingProxy decide how the provider is reached.
func TestProviderTLSAndOutgoingProxy(t *testing.T) {
	now := func() time.Time { return time.Unix(1_800_000_000, 0) }
	op := newFakeOPWith(t, now, true)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: op.srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	base := func(s *Settings) { s.MetadataURL = op.issuer + "/.well-known/openid-configuration" }
	tests := []struct {
		name string
		edit func(*Settings)
		want int
	}{
		{"untrusted certificate", func(s *Settings) { base(s) }, 500},
		{"OIDCCABundlePath", func(s *Settings) { base(s); s.CABundlePath = caFile }, 302},
		{"OIDCSSLValidateServer Off", func(s *Settings) { base(s); s.SSLValidateServer = false }, 302},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.edit)
			if r := h.do("GET", "/", nil); r.res.Status != tc.want {
				t.Errorf("status %d, want %d", r.res.Status, tc.want)
			}
		})
	}
	// An outgoing proxy sees the metadata request (plain http provider).
	var proxied atomic.Int32
	h := newHarness(t, nil)
	fwd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(fwd.Close)
	s := *h.rp.s
	s.OutgoingProxy = strings.TrimPrefix(fwd.URL, "http://")
	store, _ := cache.NewMemory(cache.MemoryOptions{})
	rp, err := New(s, store, WithClock(h.clock), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	h.rp = rp
	if r := h.do("GET", "/", nil); r.res.Status != 302 || proxied.Load() == 0 {
		t.Errorf("through OIDCOutgoingProxy: status %d, %d proxied requests", r.res.Status, proxied.Load())
	}
}

func TestStripCookiesAndWhiteListScrub(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.ClaimPrefix = "" })
	h.dir.StripCookies = []string{"mod_auth_openidc_session", "tracking"}
	h.dir.WhiteListedClaims = []string{"email", "groups"}
	sess, _ := h.login("/")
	r := h.do("GET", "/", map[string]string{"Cookie": "a=1; mod_auth_openidc_session=" + sess + ";  ; tracking=x; b=2", "Groups": "admins"})
	if !r.res.Authenticated {
		t.Fatalf("not authenticated")
	}
	if got := r.req.Header.Get("Cookie"); got != "a=1; b=2" {
		t.Errorf("Cookie to the backend %q, want %q", got, "a=1; b=2")
	}
	if got := r.req.Header.Values("Groups"); len(got) != 0 {
		t.Errorf("spoofed white-listed claim header with an empty prefix reached the backend: %q", got)
	}
}

// TestFormPostResponseMode: OIDCResponseMode form_post asks for it, and
// the provider's POST to the redirect URI logs the user in.
func TestFormPostResponseMode(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.ResponseMode = "form_post" })
	first := h.do("GET", "/p?q=1", nil)
	if !strings.HasSuffix(first.res.Location, "&response_mode=form_post") {
		t.Fatalf("authorization request %q lacks response_mode", first.res.Location)
	}
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	body := "code=" + code + "&state=" + state
	r := httptest.NewRequest("POST", "http://www.example.com/redirect_uri", strings.NewReader(body))
	r.RequestURI = "/redirect_uri"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", testUA)
	r.Header.Set("Cookie", "mod_auth_openidc_state_"+state+"="+sc)
	res := h.rp.Authenticate(httptest.NewRecorder(), &Request{HTTP: r, Path: "/redirect_uri", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
	if res.Status != 302 || res.Location != "http://www.example.com/p?q=1" {
		t.Errorf("form_post callback: %d %q", res.Status, res.Location)
	}
	// A query-mode answer to a form_post request is refused.
	first = h.do("GET", "/p", nil)
	state = mustQuery(t, first.res.Location).Get("state")
	sc, _, _ = cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code = h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); ok {
		t.Errorf("a query response to a form_post request logged in")
	}
}

func TestErrorTemplate(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.ErrorTemplate = "<h1>%s</h1><p>%s</p> 100%%" })
	r := h.do("GET", "/redirect_uri?foo=<b>", nil)
	if got := r.rec.Body.String(); got != "<h1>Invalid Request</h1><p>The OpenID Connect callback URL received an invalid request</p> 100%" {
		t.Errorf("template page %q", got)
	}
	h = newHarness(t, func(s *Settings) { s.ErrorTemplate = "%s|%s" })
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	r = h.do("GET", "/redirect_uri?error=<x>&error_description=a%22b&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	if got := r.rec.Body.String(); got != "OpenID Connect Provider error: &lt;x&gt;|a&quot;b" {
		t.Errorf("escaped provider error %q", got)
	}
}

func TestRemoteUserAndPassAs(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.RemoteUserClaim = "email"
		s.RemoteUserRegexp = regexp.MustCompile(`^(.*)@example.com$`)
		s.RemoteUserReplace = "$1"
		s.PassIDTokenAs = []string{"payload", "serialized"}
		s.PassUserInfoAs = []string{"json"}
	})
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","name":"Zoë"}`)
	sess, _ := h.login("/")
	r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
	if r.res.User != "alice" {
		t.Errorf("REMOTE_USER %q, want alice", r.res.User)
	}
	if _, ok := r.req.Header["OIDC_CLAIM_email"]; ok {
		t.Errorf("claims passed although neither id_token nor userinfo is passed as claims")
	}
	hv := func(name string) string {
		if v := r.req.Header[name]; len(v) == 1 {
			return v[0]
		}
		return ""
	}
	if got := hv("OIDC_userinfo_json"); got != `{"sub":"248289761001","name":"Zoë"}` {
		t.Errorf("OIDC_userinfo_json %q", got)
	}
	if got := hv("OIDC_id_token_payload"); !strings.Contains(got, `"email":"alice@example.com"`) {
		t.Errorf("OIDC_id_token_payload %q", got)
	}
	if got := hv("OIDC_id_token"); strings.Count(got, ".") != 2 {
		t.Errorf("OIDC_id_token %q is not a compact JWT", got)
	}
	// No match of the pattern: the login fails.
	h = newHarness(t, func(s *Settings) {
		s.RemoteUserClaim = "email"
		s.RemoteUserRegexp = regexp.MustCompile(`^(.*)@other.org$`)
	})
	first := h.do("GET", "/", nil)
	state := mustQuery(t, first.res.Location).Get("state")
	sc, _, _ := cookieValue(first.sets, "mod_auth_openidc_state_"+state)
	code := h.op.grant(first.res.Location)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	if !strings.Contains(cb.rec.Body.String(), "Remote user could not be set") {
		t.Errorf("unmatched OIDCRemoteUserClaim pattern: %d %q", cb.rec.Code, cb.rec.Body.String())
	}
}

// TestRefreshRequest: ?refresh=<return_to>&access_token=<the session's>
// runs the refresh grant (rotated refresh token, new access token in the
// headers) and returns; a wrong access token only adds an error code.
func TestRefreshRequest(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	r := h.do("GET", "/redirect_uri?refresh=%2Fback%3Fa%3D1&access_token=wrong", ck)
	if r.res.Status != 302 || r.res.Location != "/back?a=1&error_code=no_access_token_match" {
		t.Errorf("wrong access token: %d %q", r.res.Status, r.res.Location)
	}
	if len(h.op.refreshForms) != 0 {
		t.Fatalf("a refresh grant ran for a wrong access token")
	}
	if r := h.do("GET", "/redirect_uri?refresh=https%3A%2F%2Fevil.example%2F&access_token=AT-1", ck); r.res.Status != 500 {
		t.Errorf("foreign return_to: %d, want 500", r.res.Status)
	}
	r = h.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck)
	if r.res.Status != 302 || r.res.Location != "/back" {
		t.Fatalf("refresh: %d %q", r.res.Status, r.res.Location)
	}
	if len(h.op.refreshForms) != 1 || h.op.refreshForms[0].Get("scope") != "openid" {
		t.Errorf("refresh grant form %v", h.op.refreshForms)
	}
	if _, line, ok := cookieValue(r.sets, "mod_auth_openidc_session"); !ok || line != "mod_auth_openidc_session="+sess+"; Path=/; HttpOnly" {
		t.Errorf("session cookie after refresh: %q", r.sets)
	}
	after := h.do("GET", "/", ck)
	if got := after.req.Header["OIDC_access_token"]; len(got) != 1 || got[0] != "AT-2" {
		t.Errorf("access token after refresh %q", got)
	}
	if got := after.req.Header["OIDC_access_token_expires"]; len(got) != 1 || got[0] != "1800003600" {
		t.Errorf("expiry after refresh %q", got)
	}
}

// TestRefreshBeforeExpiry: OIDCRefreshAccessTokenBeforeExpiry refreshes
// once per session however many requests arrive together; a failure is
// ignored (2.4.12.3) or logs out with logout_on_error.
func TestRefreshBeforeExpiry(t *testing.T) {
	h := newHarness(t, nil)
	sess, _ := h.login("/")
	h.dir.Refresh, h.dir.RefreshBeforeExpiry = true, 3599
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/", ck); r.req.Header["OIDC_access_token"][0] != "AT-1" || len(h.op.refreshForms) != 0 {
		t.Fatalf("refreshed too early")
	}
	h.advance(2 * time.Second)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := h.do("GET", "/", ck)
			if v := r.req.Header["OIDC_access_token"]; len(v) == 1 {
				tokens[i] = v[0]
			}
		}(i)
	}
	wg.Wait()
	if n := len(h.op.refreshForms); n != 1 {
		t.Errorf("%d refresh grants for 8 parallel requests, want 1", n)
	}
	for i, tok := range tokens {
		if tok != "AT-2" {
			t.Errorf("request %d passed access token %q, want AT-2", i, tok)
		}
	}
	// The rotated RT-2 is refused by the provider: ignored by default...
	h.advance(61 * time.Second)
	if r := h.do("GET", "/", ck); !r.res.Authenticated {
		t.Errorf("a failed refresh without logout_on_error ended the session")
	}
	// ...and the end of the session with logout_on_error.
	h.dir.RefreshLogoutOnError = true
	h.advance(61 * time.Second)
	r := h.do("GET", "/", ck)
	if r.res.Authenticated || !strings.Contains(r.rec.Body.String(), "Logged Out") {
		t.Errorf("logout_on_error: authenticated=%v %q", r.res.Authenticated, r.rec.Body.String())
	}
}

// TestBackChannelLogout: a logout_token from the provider ends the session
// it names (by sid or sub); bad tokens are refused with 400.
func TestBackChannelLogout(t *testing.T) {
	h := newHarness(t, nil)
	h.op.claims["sid"] = "session-7"
	post := func(tok string) response {
		r := httptest.NewRequest("POST", "http://www.example.com/redirect_uri?logout=backchannel", strings.NewReader("logout_token="+tok))
		r.RequestURI = "/redirect_uri?logout=backchannel"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		res := h.rp.Authenticate(rec, &Request{HTTP: r, Path: "/redirect_uri", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
		return response{res: res, rec: rec}
	}
	status := func(r response) int {
		if r.res.Done {
			return r.rec.Code
		}
		return r.res.Status
	}
	sign := func(edit func(map[string]any)) string {
		c := map[string]any{"iss": h.op.issuer, "aud": "client1", "iat": h.clock().Unix(), "jti": fmt.Sprint(time.Now().UnixNano()),
			"sid": "session-7", "events": map[string]any{backChannelEvent: map[string]any{}}}
		if edit != nil {
			edit(c)
		}
		b, _ := json.Marshal(c)
		return oidctest.SignIDToken(h.op.key, "k1", "RS256", string(b))
	}
	bad := []struct {
		name string
		edit func(map[string]any)
	}{
		{"no event", func(c map[string]any) { delete(c, "events") }},
		{"nonce", func(c map[string]any) { c["nonce"] = "n" }},
		{"wrong aud", func(c map[string]any) { c["aud"] = "other" }},
		{"wrong iss", func(c map[string]any) { c["iss"] = "https://evil.example" }},
		{"no jti", func(c map[string]any) { delete(c, "jti") }},
		{"no iat", func(c map[string]any) { delete(c, "iat") }},
		{"old iat", func(c map[string]any) { c["iat"] = h.clock().Unix() - 3600 }},
		{"neither sid nor sub", func(c map[string]any) { delete(c, "sid") }},
	}
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	for _, tc := range bad {
		if r := post(sign(tc.edit)); status(r) != 400 {
			t.Errorf("%s: status %d, want 400", tc.name, status(r))
		}
	}
	if r := post("not-a-jwt"); status(r) != 400 {
		t.Errorf("garbage token: %d", status(r))
	}
	if !h.do("GET", "/", ck).res.Authenticated {
		t.Fatalf("a refused logout token ended the session")
	}
	tok := sign(nil)
	if r := post(tok); status(r) != 200 || r.rec.Body.Len() != 0 || r.rec.Header().Get("Cache-Control") != "no-cache, no-store" {
		t.Fatalf("valid logout token: %d %q %v", status(r), r.rec.Body.String(), r.rec.Header())
	}
	if h.do("GET", "/", ck).res.Authenticated {
		t.Errorf("the session survived a back-channel logout")
	}
	if got := strings.Join(h.op.revoked, ","); got != "RT-1,AT-1" {
		t.Errorf("back-channel logout revoked %q, want the refresh then the access token (2.4.12.3)", got)
	}
	if r := post(tok); status(r) != 400 {
		t.Errorf("replayed jti: %d, want 400", status(r))
	}
	// By sub: a token naming only the subject ends that user's session.
	sess, _ = h.login("/")
	ck = map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := post(sign(func(c map[string]any) { delete(c, "sid"); c["sub"] = "248289761001" })); status(r) != 200 {
		t.Fatalf("logout by sub: %d", status(r))
	}
	if h.do("GET", "/", ck).res.Authenticated {
		t.Errorf("the session survived a back-channel logout by sub")
	}
}

// TestProviderCallOptions: OIDCProviderTokenEndpointParams,
// OIDCUserInfoTokenMethod post_param, OIDCUserInfoRefreshInterval,
// OIDCProviderAuthRequestMethod POST and OIDCLogoutXFrameOptions.
func TestProviderCallOptions(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.TokenEndpointParams = "resource=https%3A%2F%2Fapi.example&x=1"
		s.UserInfoPostParam = true
		s.UserInfoRefresh = 60 * time.Second
		s.LogoutXFrameOptions = "SAMEORIGIN"
	})
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","v":"one"}`)
	sess, _ := h.login("/")
	if f := h.op.tokenForms[0]; f.Get("resource") != "https://api.example" || f.Get("x") != "1" {
		t.Errorf("token request form %v", f)
	}
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if got := h.do("GET", "/", ck).req.Header["OIDC_CLAIM_v"]; len(got) != 1 || got[0] != "one" {
		t.Fatalf("userinfo over post_param: %q", got)
	}
	calls := h.op.userinfoCalls
	h.op.userinfo = json.RawMessage(`{"sub":"248289761001","v":"two"}`)
	if got := h.do("GET", "/", ck).req.Header["OIDC_CLAIM_v"]; got[0] != "one" || h.op.userinfoCalls != calls {
		t.Errorf("userinfo refreshed before the interval: %q", got)
	}
	h.advance(61 * time.Second)
	if got := h.do("GET", "/", ck).req.Header["OIDC_CLAIM_v"]; len(got) != 1 || got[0] != "two" {
		t.Errorf("userinfo after the interval: %q", got)
	}
	if r := h.do("GET", "/redirect_uri?logout=get", ck); r.rec.Header().Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("X-Frame-Options %q", r.rec.Header().Get("X-Frame-Options"))
	}
	h = newHarness(t, func(s *Settings) { s.AuthRequestPOST = true })
	r := h.do("GET", "/", nil)
	body := r.rec.Body.String()
	if r.rec.Code != 200 || !strings.Contains(body, `<form method="post" action="`+h.op.issuer+`/authorize">`) ||
		!strings.Contains(body, `<input type="hidden" name="response_type" value="code">`) || !strings.Contains(body, `onload="document.forms[0].submit()"`) {
		t.Errorf("POST authorization request: %d %q", r.rec.Code, body)
	}
	if _, _, ok := cookieValue(r.sets, "mod_auth_openidc_state_"); !ok {
		found := false
		for _, c := range r.sets {
			found = found || strings.HasPrefix(c, "mod_auth_openidc_state_")
		}
		if !found {
			t.Errorf("no state cookie with the POST form: %q", r.sets)
		}
	}
}

// TestPreservePost: with OIDCPreservePost a form POST that needs a login
// is kept in sessionStorage ("Preserving...") and re-POSTed after the
// callback ("Restoring..."), the module's pages.
func TestPreservePost(t *testing.T) {
	h := newHarness(t, nil)
	h.dir.PreservePost = true
	r := httptest.NewRequest("POST", "http://www.example.com/form?p=1", strings.NewReader("a=b+c&x=%2F%27"))
	r.RequestURI = "/form?p=1"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", testUA)
	r.Header.Set("Accept", "text/html")
	rec := httptest.NewRecorder()
	res := h.rp.Authenticate(rec, &Request{HTTP: r, Path: "/form", Dir: h.dir, Env: map[string]string{}, Scheme: "http", Host: "www.example.com"})
	body := rec.Body.String()
	if !res.Done || rec.Code != 200 || !strings.Contains(body, `sessionStorage.setItem('mod_auth_openidc_preserve_post_params', JSON.stringify({ 'a': 'b%20c','x': '%2F%27' }));`) ||
		!strings.Contains(body, `window.location='http:\/\/127.0.0.1:`) || !strings.Contains(body, `<title>Preserving...</title>`) {
		t.Fatalf("preserving page: %d %q", rec.Code, body)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "" {
		t.Errorf("the Preserving page carries Cache-Control %q (Apache's does not)", cc)
	}
	loc := body[strings.Index(body, "window.location='")+len("window.location='"):]
	loc = strings.ReplaceAll(loc[:strings.Index(loc, "';")], `\/`, "/")
	state := mustQuery(t, loc).Get("state")
	sc, _, _ := cookieValue(rec.Header().Values("Set-Cookie"), "mod_auth_openidc_state_"+state)
	code := h.op.grant(loc)
	cb := h.do("GET", "/redirect_uri?code="+code+"&state="+state, map[string]string{"Cookie": "mod_auth_openidc_state_" + state + "=" + sc})
	if !cb.res.Done || cb.rec.Code != 200 || !strings.Contains(cb.rec.Body.String(), `document.forms[0].action = "http:\/\/www.example.com\/form?p=1";`) {
		t.Errorf("restoring page: %d %q", cb.rec.Code, cb.rec.Body.String())
	}
	if _, _, ok := cookieValue(cb.sets, "mod_auth_openidc_session"); !ok {
		t.Errorf("no session cookie with the restoring page")
	}
	// Without OIDCPreservePost the POST is an ordinary redirect.
	h.dir.PreservePost = false
	if r := h.do("POST", "/form", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}); r.res.Status != 302 {
		t.Errorf("POST without OIDCPreservePost: %d", r.res.Status)
	}
}

// TestRevokeSessionAndRemoveATCache: ?revoke_session= deletes the named
// session from the store and lets the request on with an empty user
// (spoofed identity headers removed); ?remove_at_cache= answers 404 for
// a token it does not know and 500 after a removal, as 2.4.12.3.
func TestRevokeSessionAndRemoveATCache(t *testing.T) {
	h := newHarness(t, nil)
	removed := map[string]bool{"cached-token": true}
	h.rp.removeAT = func(_ context.Context, tok string) int {
		ok := removed[tok]
		delete(removed, tok)
		if ok {
			return 500
		}
		return 404
	}
	sess, _ := h.login("/app")
	cookie := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/app", cookie); r.res.Status != 0 || r.res.User == "" {
		t.Fatalf("session not usable before the revocation: %+v", r.res)
	}
	r := h.do("GET", "/redirect_uri?revoke_session="+url.QueryEscape(sess), map[string]string{"OIDC_CLAIM_sub": "mallory"})
	if r.res.Status != 200 || r.rec.Body.Len() != 0 || r.res.User != "" || r.req.Header.Get("OIDC_CLAIM_sub") != "" {
		t.Fatalf("revoke_session: %+v body %q, spoofed header %q", r.res, r.rec.Body.String(), r.req.Header.Get("OIDC_CLAIM_sub"))
	}
	if r := h.do("GET", "/app", cookie); r.res.Status != http.StatusFound {
		t.Fatalf("revoked session still accepted: %+v", r.res)
	}
	// An unknown id changes nothing and still lets the request on.
	if r := h.do("GET", "/redirect_uri?revoke_session=nope", nil); r.res.Status != 200 {
		t.Errorf("unknown session: %+v", r.res)
	}
	for _, c := range []struct {
		tok  string
		want int
	}{{"cached-token", 500}, {"cached-token", 404}, {"other", 404}, {"", 404}} {
		if r := h.do("GET", "/redirect_uri?remove_at_cache="+c.tok, nil); r.res.Status != c.want {
			t.Errorf("remove_at_cache=%q: %d, want %d", c.tok, r.res.Status, c.want)
		}
	}
	// Without a resource server: nothing to remove.
	h.rp.removeAT = nil
	if r := h.do("GET", "/redirect_uri?remove_at_cache=x", nil); r.res.Status != 404 {
		t.Errorf("no resource server: %d", r.res.Status)
	}
	// Client-cookie sessions cannot be revoked (2.4.12.3: a warning, 500).
	h = newHarness(t, func(s *Settings) { s.ClientCookieSession = true })
	if r := h.do("GET", "/redirect_uri?revoke_session=x", nil); r.res.Status != 500 {
		t.Errorf("revoke_session with client-cookie sessions: %+v", r.res)
	}
}

// TestPassUserInfoAsJSONName: current upstream's json:NAME puts the
// userinfo JSON in header NAME, as is (no OIDC_ prefix), next to json's
// OIDC_userinfo_json.
func TestPassUserInfoAsJSONName(t *testing.T) {
	for _, c := range []struct {
		words []string
		want  map[string]bool // headers expected to carry the JSON
	}{
		{[]string{"json:X-Userinfo"}, map[string]bool{"X-Userinfo": true}},
		{[]string{"json", "json:X-Userinfo"}, map[string]bool{"X-Userinfo": true, "OIDC_userinfo_json": true}},
		{[]string{"claims"}, map[string]bool{}},
	} {
		h := newHarness(t, func(s *Settings) { s.PassUserInfoAs = c.words })
		h.op.userinfo = json.RawMessage(`{"sub":"248289761001","name":"Zoë"}`)
		sess, _ := h.login("/")
		r := h.do("GET", "/", map[string]string{"Cookie": "mod_auth_openidc_session=" + sess})
		for _, name := range []string{"X-Userinfo", "OIDC_userinfo_json"} {
			got := r.req.Header[name]
			if c.want[name] != (len(got) == 1 && got[0] == `{"sub":"248289761001","name":"Zoë"}`) {
				t.Errorf("%v: %s = %q", c.words, name, got)
			}
			if c.want[name] && r.env[name] == "" {
				t.Errorf("%v: no %s in the environment", c.words, name)
			}
		}
	}
}

// TestClientSecretJWT: OIDCProviderTokenEndpointAuth client_secret_jwt
// authenticates the code and refresh grants with an HS256 assertion keyed
// with the client secret (iss = sub = client id, aud = token endpoint,
// jti, 60 s), and sends neither Basic credentials nor client_id.
func TestClientSecretJWT(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.TokenEndpointAuth = "client_secret_jwt" })
	sess, _ := h.login("/")
	ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
	if r := h.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck); r.res.Status != 302 {
		t.Fatalf("refresh: %+v", r.res)
	}
	if len(h.op.tokenForms) != 2 {
		t.Fatalf("%d token requests, want 2", len(h.op.tokenForms))
	}
	jtis := map[string]bool{}
	for i, f := range h.op.tokenForms {
		if h.op.tokenAuth[i] != "" || f.Has("client_id") || f.Has("client_secret") {
			t.Errorf("request %d: Authorization %q, form %v", i, h.op.tokenAuth[i], f)
		}
		if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			t.Errorf("request %d: client_assertion_type %q", i, f.Get("client_assertion_type"))
		}
		// go-jose refuses HMAC keys shorter than 32 bytes: checked by hand.
		parts := strings.Split(f.Get("client_assertion"), ".")
		if len(parts) != 3 {
			t.Fatalf("request %d: assertion %q", i, f.Get("client_assertion"))
		}
		mac := hmac.New(sha256.New, []byte("s3cret"))
		mac.Write([]byte(parts[0] + "." + parts[1]))
		if got, _ := base64.RawURLEncoding.DecodeString(parts[2]); !hmac.Equal(got, mac.Sum(nil)) {
			t.Fatalf("request %d: the assertion does not verify with the client secret", i)
		}
		if hdr, _ := base64.RawURLEncoding.DecodeString(parts[0]); string(hdr) != `{"alg":"HS256"}` {
			t.Errorf("request %d: header %s", i, hdr)
		}
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var c struct {
			Iss, Sub, Aud, JTI string
			Exp, Iat           int64
		}
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		now := h.clock().Unix()
		if c.Iss != "client1" || c.Sub != "client1" || c.Aud != h.op.issuer+"/token" || c.Iat != now || c.Exp != now+60 || len(c.JTI) != 22 || jtis[c.JTI] {
			t.Errorf("request %d: assertion claims %+v", i, c)
		}
		jtis[c.JTI] = true
	}
	// Without a secret the client is public: client_id only.
	h = newHarness(t, func(s *Settings) { s.TokenEndpointAuth = "client_secret_jwt"; s.ClientSecret = "" })
	h.login("/")
	if f := h.op.tokenForms[0]; f.Get("client_id") != "client1" || f.Has("client_assertion") || h.op.tokenAuth[0] != "" {
		t.Errorf("public client: form %v, Authorization %q", f, h.op.tokenAuth[0])
	}
}

// TestEndpointAuthMethods: what the token endpoint (code and refresh
// grants) and the revocation endpoint get for each
// OIDCProviderTokenEndpointAuth, as oidc_proto_token_endpoint_auth sends
// it: Basic with form-encoded id and secret, the secret in the form, an
// assertion, or only the client id for a public client.
func TestEndpointAuthMethods(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("client1:s3cr%26t"))
	for _, c := range []struct {
		method, secret string
		auth           string // Authorization header expected
		form           string // client-auth form parameters expected
	}{
		{"client_secret_basic", "s3cr&t", basic, ""},
		{"", "s3cr&t", basic, ""},
		{"client_secret_post", "s3cr&t", "", "client_id=client1 client_secret=s3cr&t"},
		{"client_secret_jwt", "s3cr&t", "", "client_assertion client_assertion_type"},
		{"none", "s3cr&t", "", "client_id=client1"},
		{"client_secret_basic", "", "", "client_id=client1"},
		{"client_secret_post", "", "", "client_id=client1"},
	} {
		h := newHarness(t, func(s *Settings) { s.TokenEndpointAuth, s.ClientSecret = c.method, c.secret })
		sess, _ := h.login("/")
		ck := map[string]string{"Cookie": "mod_auth_openidc_session=" + sess}
		if r := h.do("GET", "/redirect_uri?refresh=%2Fback&access_token=AT-1", ck); r.res.Status != 302 {
			t.Fatalf("%s/%q: refresh %+v", c.method, c.secret, r.res)
		}
		h.do("GET", "/redirect_uri?logout=%2Fbye", ck)
		check := func(what string, forms []url.Values, auths []string, n int) {
			if len(forms) != n {
				t.Errorf("%s/%q: %d %s requests, want %d", c.method, c.secret, len(forms), what, n)
				return
			}
			for i, f := range forms {
				var got []string
				for _, k := range []string{"client_id", "client_secret", "client_assertion", "client_assertion_type"} {
					switch {
					case !f.Has(k):
					case strings.HasPrefix(k, "client_assertion"):
						got = append(got, k)
					default:
						got = append(got, k+"="+f.Get(k))
					}
				}
				if strings.Join(got, " ") != c.form || auths[i] != c.auth {
					t.Errorf("%s/%q: %s request %d: form %q, Authorization %q; want %q, %q", c.method, c.secret, what, i, got, auths[i], c.form, c.auth)
				}
			}
		}
		check("token", h.op.tokenForms, h.op.tokenAuth, 2)
		check("revocation", h.op.revokeForms, h.op.revokeAuth, 2)
	}
}
