package oidc

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/internal/devop"
)

// BenchmarkAuthenticateExistingSession is the authenticated request's
// relying-party work, as compat-tests/bench/oidc.sh drives it through
// oidcgate: a valid session cookie, the session in the in-memory store,
// the defaults of OIDCPassClaimsAs (both), OIDCPassIDTokenAs and
// OIDCPassUserInfoAs (claims), and the development provider's user "zoe"
// (the benchmark's login) as the session's claims. For the hot spots:
//
//	go test ./oidc -run '^$' -bench AuthenticateExistingSession -benchmem -cpuprofile /tmp/auth.prof
//	go tool pprof -top -lines oidc.test /tmp/auth.prof
func BenchmarkAuthenticateExistingSession(b *testing.B) {
	now := time.Now()
	store, err := cache.NewMemory(cache.MemoryOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	s := Settings{MetadataURL: "http://127.0.0.1:1/.well-known/openid-configuration", ClientID: "bench", ClientSecret: "bench-secret",
		RedirectURI: "http://127.0.0.1:18422/redirect_uri", Scope: "openid", PKCEMethod: "S256", TokenEndpointAuth: "client_secret_basic",
		ValidateIssuer: true, IATSlack: 600 * time.Second, CryptoPassphrase: "pass", StateTimeout: 300 * time.Second,
		StateMaxCookies: 7, StateInputXFF: true, StateInputUA: true, SessionInactivityTimeout: 300 * time.Second,
		SessionMaxDuration: 8 * time.Hour, CookieHTTPOnly: true, RemoteUserClaim: "sub@", ClaimPrefix: "OIDC_CLAIM_",
		ClaimDelimiter: ",", PassIDTokenAs: []string{"claims"}, PassUserInfoAs: []string{"claims"}, SSLValidateServer: true}
	rp, err := New(s, store, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	dir := &DirSettings{CookieName: "mod_auth_openidc_session", StateCookiePrefix: "mod_auth_openidc_state_",
		PassHeaders: true, PassEnv: true, UnAuthAction: "auth", UnAutzAction: "403"}

	// Zoe's claims as the development provider returns them.
	zoe := devop.DemoUsers()[0]
	const iss = "http://127.0.0.1:18430"
	uic := map[string]any{"sub": zoe.Subject}
	for k, v := range zoe.Claims {
		uic[k] = v
	}
	idc := map[string]any{"iss": iss, "sub": zoe.Subject, "aud": "bench", "azp": "bench", "exp": now.Add(time.Hour).Unix(),
		"iat": now.Unix(), "auth_time": now.Unix(), "nonce": "7pXr0n4Jm1GZ3cX9sQ2wH8kLqV5yT6uB", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}
	for _, k := range zoe.IDTokenClaims {
		idc[k] = zoe.Claims[k]
	}
	idcJSON, _ := json.Marshal(idc)
	uicJSON, _ := json.Marshal(uic)
	sess := &session{ID: randomString(20), RemoteUser: zoe.Subject + "@" + iss,
		Expiry: now.Add(s.SessionInactivityTimeout).Unix(), MaxExpiry: now.Add(s.SessionMaxDuration).Unix(),
		Issuer: iss, ClientID: "bench", CookieDomain: "127.0.0.1", IDTokenClaims: idcJSON, UserInfoClaims: uicJSON,
		IDToken:     "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0." + strings.Repeat("x", 900-37),
		AccessToken: randomString(32), AccessTokenExpires: now.Add(time.Hour).Unix(), RefreshToken: randomString(32),
		OriginalURL: "http://127.0.0.1:18422/", Created: now.Unix()}
	if err := rp.saveSession(context.Background(), sess); err != nil {
		b.Fatal(err)
	}

	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("GET", "http://127.0.0.1:18422/", nil)
		r.Header.Set("User-Agent", "wrk")
		r.Header.Set("Cookie", "mod_auth_openidc_session="+sess.ID)
		// The environment as the proxy makes it on a server with a relying
		// party (proxy.Site.newEnv).
		// The proxy takes the identity headers whole unless RequestHeader
		// edits the request (proxy.deferIdentity).
		q := &Request{HTTP: r, Path: "/", Dir: dir, Env: make(map[string]string, 64), Scheme: "http", Host: "127.0.0.1:18422", DeferHeaders: true}
		res := rp.Authenticate(nil, q)
		if !res.Authenticated || res.Status != 0 {
			b.Fatalf("not authenticated: %+v", res)
		}
	}
}
