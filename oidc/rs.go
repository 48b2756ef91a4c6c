package oidc

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/oidcgate/oidcgate/oidc/claims"
)

// RSSettings are a virtual host's resource-server settings
// (mod_auth_openidc's OIDCOAuth* server directives, AuthType oauth20),
// with 2.4.12.3's defaults applied by the caller.
type RSSettings struct {
	// Namespace separates this server's cached introspection results in a
	// shared store.
	Namespace string

	// MetadataURL is OIDCOAuthServerMetadataURL (RFC 8414): its
	// introspection_endpoint, jwks_uri and
	// introspection_endpoint_auth_methods_supported override the static
	// settings; fetched on first use and kept MetadataRefresh (24 h when
	// zero).
	MetadataURL     string
	MetadataRefresh time.Duration
	// IntrospectionEndpoint is OIDCOAuthIntrospectionEndpoint; when set,
	// tokens are introspected (RFC 7662) and never validated locally.
	IntrospectionEndpoint string
	// IntrospectionMethod is OIDCOAuthIntrospectionEndpointMethod (POST
	// or GET).
	IntrospectionMethod string
	// IntrospectionParams is OIDCOAuthIntrospectionEndpointParams (a
	// query-encoded string).
	IntrospectionParams string
	// IntrospectionTokenParam is OIDCOAuthIntrospectionTokenParamName
	// ("token").
	IntrospectionTokenParam string
	// IntrospectionAuth is OIDCOAuthIntrospectionEndpointAuth:
	// client_secret_basic, client_secret_post, bearer_access_token or none
	// ("" = client_secret_basic when a secret is set).
	IntrospectionAuth string
	// IntrospectionBearer is OIDCOAuthIntrospectionClientAuthBearerToken
	// for bearer_access_token: nil when not configured (the call then
	// fails, as in the module), "" for the introspected token itself.
	IntrospectionBearer *string
	// IntrospectionCertFile and IntrospectionKeyFile are
	// OIDCOAuthIntrospectionEndpointCert/Key: the TLS client certificate
	// (PEM) presented to the introspection endpoint only.
	IntrospectionCertFile, IntrospectionKeyFile string
	// IntrospectionKeyPassword is upstream's
	// OIDCOAuthIntrospectionEndpointKeyPassword: the key's password.
	IntrospectionKeyPassword string
	// ClientID and ClientSecret are OIDCOAuthClientID/Secret.
	ClientID, ClientSecret string
	// ClientKeys and ClientPublicKeys are OIDCPrivateKeyFiles and
	// OIDCPublicKeyFiles: private_key_jwt at the introspection endpoint.
	ClientKeys, ClientPublicKeys []jose.JSONWebKey
	// ExpiryClaim, ExpiryAbsolute and ExpiryMandatory are
	// OIDCOAuthTokenExpiryClaim (expires_in relative mandatory), used for
	// introspection results without "active".
	ExpiryClaim                     string
	ExpiryAbsolute, ExpiryMandatory bool

	// JWKSURI is OIDCOAuthVerifyJwksUri; its keys are fetched again after
	// JWKSRefresh (OIDCJWKSRefreshInterval, 3600 s when zero) and when a
	// token names an unknown kid.
	JWKSURI     string
	JWKSRefresh time.Duration
	// SharedKeys are OIDCOAuthVerifySharedKeys (HMAC secrets).
	SharedKeys [][]byte
	// PublicKeys come from OIDCOAuthVerifyCertFiles.
	PublicKeys []crypto.PublicKey
	// DecryptKeys (OIDCOAuthDecryptSharedKeys) and ClientKeys decrypt JWE
	// access tokens. DecryptSecret, used only without
	// OIDCOAuthDecryptSharedKeys, is OIDCClientSecret: its bytes as they
	// are are one more key (2.4.12.3 and current upstream).
	DecryptKeys   []JWEKey
	DecryptSecret string
	// Issuer and Audiences are OIDCOAuthVerifyIssuer and
	// OIDCOAuthVerifyAudience; empty = not checked (lint warns).
	Issuer    string
	Audiences []string

	// RemoteUserClaim is OIDCOAuthRemoteUserClaim ("sub") with its
	// optional pattern and replacement.
	RemoteUserClaim      string
	RemoteUserRegexp     *regexp.Regexp
	RemoteUserReplace    string
	RemoteUserBadPattern bool
	// ClaimPrefix and ClaimDelimiter as for the relying party.
	ClaimPrefix, ClaimDelimiter string

	// HTTP client for the introspection endpoint and the JWKS URI:
	// OIDCOAuthSSLValidateServer plus the provider-wide settings.
	HTTPTimeoutLong, HTTPTimeoutShort time.Duration
	SSLValidateServer                 bool
	CABundlePath                      string
	OutgoingProxy                     string

	// oidcgate extensions (rs_ext.go).

	// ValidateWith is OIDCGateOAuthValidateWith: ValidateUserInfo
	// validates every token at the provider's userinfo endpoint; ""
	// keeps the module's introspection or local JWT validation.
	ValidateWith string
	// ProviderMetadataURL is OIDCGateOAuthProviderMetadataURL: the
	// OpenID Connect discovery document whose userinfo_endpoint is
	// called. UserInfoEndpoint, when set, is used as is (tests).
	ProviderMetadataURL, UserInfoEndpoint string
	// RedirectURI is OIDCRedirectURI: on its path ?remove_at_cache= is
	// answered before any token is looked at ("" = never).
	RedirectURI string
	// PassJSONHeader is the NAME of OIDCPassUserInfoAs json:NAME: the
	// header that gets the claims as one compact JSON object ("" = none).
	PassJSONHeader string
	// PassClaims is OIDCGateOAuthPassClaims: only these claims, in this
	// order, go into PassJSONHeader (nil = all).
	PassClaims []string
	// PassClaimsEncoding is OIDCGateOAuthPassClaimsEncoding: "" (none)
	// or claims.EncodingBase64URL.
	PassClaimsEncoding string
}

// RSDir are the per-directory settings of one resource-server request.
type RSDir struct {
	// Accept is OIDCOAuthAcceptTokenAs.
	Accept AcceptTokenAs
	// IntrospectionInterval is OIDCOAuthTokenIntrospectionInterval: 0
	// caches until expiry, N>0 revalidates entries older than N seconds,
	// -1 does not cache.
	IntrospectionInterval int
	// AuthName is AuthName, the realm of WWW-Authenticate ("" = none).
	AuthName string
	// UnAuthPass is OIDCGateOAuthUnAuthAction pass: a missing or invalid
	// token is stripped and the request goes on without a user.
	UnAuthPass bool
	// EnforceStatus is OIDCGateOAuthEnforceStatus: the status of a
	// refused request (0 or 401 = 401 with WWW-Authenticate, as the
	// module; any other without WWW-Authenticate).
	EnforceStatus int
}

// ResourceServer validates bearer tokens (AuthType oauth20). It is safe
// for concurrent use.
type ResourceServer struct {
	s      *RSSettings
	store  Store
	client *http.Client
	// introClient is client with the introspection TLS client
	// certificate, when one is configured.
	introClient *http.Client
	// assertKey signs private_key_jwt assertions at the introspection
	// endpoint.
	assertKey assertionKey
	now       func() time.Time
	log       *slog.Logger

	mu       sync.Mutex
	keys     map[string]keySetEntry
	md       *asMetadata
	mdAt     time.Time
	mdFailed time.Time

	// uiEndpoint is the userinfo endpoint read from
	// ProviderMetadataURL, fetched at uiAt (a failure at uiFailed).
	uiEndpoint     string
	uiAt, uiFailed time.Time

	// verified caches locally validated JWTs by the SHA-256 of the
	// token until their exp: a repeated token costs no signature check.
	verifiedMu sync.RWMutex
	verified   map[[32]byte]*verifiedJWT
	// indexes recycles the identity headers' name index.
	indexes headerIndexes
}

// verifiedJWT is a validated token's claims and its expiry, and the
// identity values they come to (tokenIdentity).
type verifiedJWT struct {
	claims   claims.Claims
	exp      int64
	identity atomic.Pointer[identity]
}

// maxVerified bounds the verified-token cache; when full it starts over.
const maxVerified = 10000

// asMetadata is what the resource server takes from RFC 8414 metadata.
type asMetadata struct {
	IntrospectionEndpoint string   `json:"introspection_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	AuthMethods           []string `json:"introspection_endpoint_auth_methods_supported"`
}

// rsEndpoints are the endpoints in force for one request: the static
// settings overridden by the server metadata.
type rsEndpoints struct {
	introspection, jwks, auth string
}

// endpoints returns the settings overridden by OIDCOAuthServerMetadataURL's
// document (oidc_oauth_provider_config; a failure to fetch it leaves the
// static settings, as in the module).
func (rs *ResourceServer) endpoints(ctx context.Context) rsEndpoints {
	e := rsEndpoints{introspection: rs.s.IntrospectionEndpoint, jwks: rs.s.JWKSURI, auth: rs.s.IntrospectionAuth}
	if rs.s.MetadataURL == "" {
		return e
	}
	md := rs.metadata(ctx)
	if md == nil {
		return e
	}
	if md.IntrospectionEndpoint != "" {
		e.introspection = md.IntrospectionEndpoint
	}
	if md.JWKSURI != "" {
		e.jwks = md.JWKSURI
	}
	if len(md.AuthMethods) > 0 {
		want := e.auth
		if want == "" {
			want = "client_secret_basic"
		}
		ok := false
		for _, m := range md.AuthMethods {
			ok = ok || m == want
		}
		if !ok {
			for _, m := range md.AuthMethods {
				if m == "client_secret_basic" || m == "client_secret_post" || m == "none" || m == "bearer_access_token" {
					e.auth = m
					break
				}
			}
		}
	}
	return e
}

// metadata fetches (or returns the kept) server metadata; a failure is
// remembered for 10 s.
func (rs *ResourceServer) metadata(ctx context.Context) *asMetadata {
	refresh := rs.s.MetadataRefresh
	if refresh <= 0 {
		refresh = 24 * time.Hour
	}
	now := rs.now()
	rs.mu.Lock()
	md, at, failed := rs.md, rs.mdAt, rs.mdFailed
	rs.mu.Unlock()
	if md != nil && now.Sub(at) < refresh {
		return md
	}
	if now.Sub(failed) < metadataRetry {
		return md
	}
	fetched, err := rs.fetchMetadata(ctx)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if err != nil {
		rs.log.Error("could not retrieve metadata from url: "+rs.s.MetadataURL, "err", err)
		rs.mdFailed = now
		return rs.md
	}
	rs.md, rs.mdAt = fetched, now
	return fetched
}

func (rs *ResourceServer) fetchMetadata(ctx context.Context) (*asMetadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rs.s.MetadataURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := rs.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return nil, errors.New("JSON parsing of retrieved Discovery document failed")
	}
	if e, ok := top["error"]; ok {
		return nil, fmt.Errorf("metadata answer is an error: %s", e)
	}
	md := &asMetadata{}
	_ = json.Unmarshal(body, md)
	return md, nil
}

// RSOption configures a ResourceServer.
type RSOption func(*ResourceServer)

// WithRSClock sets the clock (tests).
func WithRSClock(now func() time.Time) RSOption { return func(r *ResourceServer) { r.now = now } }

// WithRSLogger sets the logger for the module's error-log lines.
func WithRSLogger(l *slog.Logger) RSOption { return func(r *ResourceServer) { r.log = l } }

// NewResourceServer returns the resource server for s, caching
// introspection results in store (nil: no caching).
func NewResourceServer(s RSSettings, store Store, opts ...RSOption) (*ResourceServer, error) {
	client, err := newHTTPClient(&Settings{HTTPTimeoutLong: s.HTTPTimeoutLong, HTTPTimeoutShort: s.HTTPTimeoutShort,
		SSLValidateServer: s.SSLValidateServer, CABundlePath: s.CABundlePath, OutgoingProxy: s.OutgoingProxy})
	if err != nil {
		return nil, err
	}
	if s.RemoteUserClaim == "" {
		s.RemoteUserClaim = "sub"
	}
	if s.IntrospectionTokenParam == "" {
		s.IntrospectionTokenParam = "token"
	}
	if s.ExpiryClaim == "" {
		s.ExpiryClaim, s.ExpiryMandatory = "expires_in", true
	}
	rs := &ResourceServer{s: &s, store: store, client: client, introClient: client, now: time.Now, log: slog.Default(),
		assertKey: newAssertionKey(s.ClientKeys, s.ClientPublicKeys)}
	for _, o := range opts {
		o(rs)
	}
	// As curl does: the key may be in the certificate file; a key without
	// a certificate presents nothing (the password is upstream's
	// directive; 2.4.12.3 has none for this key).
	rs.introClient = withClientCert(client, "OIDCOAuthIntrospectionEndpointCert/Key", s.IntrospectionCertFile, s.IntrospectionKeyFile, s.IntrospectionKeyPassword, rs.log)
	rs.client = passCookiesClient(rs.client)
	rs.introClient = passCookiesClient(rs.introClient)
	return rs, nil
}

// The texts of WWW-Authenticate (oidc_oauth_check_userid).
const (
	rsNoToken        = "No bearer token found in the request"
	rsIntrospectFail = "Reference token could not be introspected"
	rsJWTFail        = "JWT token could not be validated"
	rsNoUser         = "Could not set remote user"
	// rsUserInfoFail is oidcgate's text for OIDCGateOAuthValidateWith
	// userinfo.
	rsUserInfoFail = "Token could not be validated at the userinfo endpoint"
)

// ScopeError is the value of OIDC_OAUTH_BEARER_SCOPE_ERROR, set when
// Require denies a token's claims.
const ScopeError = `Bearer error="insufficient_scope", error_description="Different scope(s) or other claims required"`

// Token is the outcome of ExtractToken.
type Token struct {
	Value string
	Found bool
	Err   error
}

// FindToken runs ExtractToken once (it may consume a form body): AuthType
// auth-openidc chooses between resource server and relying party on
// Found, then hands the Token to AuthenticateToken.
func FindToken(r *http.Request, a AcceptTokenAs) Token {
	v, found, err := ExtractToken(r, a)
	return Token{Value: v, Found: found, Err: err}
}

// Authenticate runs oidc_oauth_check_userid: the token is extracted,
// validated (introspection or local JWT), REMOTE_USER derived, spoofed
// identity headers removed and the claims passed on. A failure is a 401
// whose WWW-Authenticate is in Result.Header.
func (rs *ResourceServer) Authenticate(q *Request, d *RSDir) Result {
	return rs.AuthenticateToken(q, d, FindToken(q.HTTP, d.Accept))
}

// AuthenticateToken is Authenticate with the token already extracted.
func (rs *ResourceServer) AuthenticateToken(q *Request, d *RSDir, t Token) Result {
	x := &exchange{r: q.HTTP, q: q, dir: q.Dir, indexes: &rs.indexes}
	defer x.releaseIndex()
	if x.dir == nil {
		x.dir = &DirSettings{}
	}
	if rs.s.RedirectURI != "" && hasParam(q.HTTP.URL.RawQuery, "remove_at_cache") && q.Path == redirectURIPath(rs.s.RedirectURI) {
		return x.status(rs.RemoveATCache(q.HTTP.Context(), q.HTTP.URL.Query().Get("remove_at_cache")))
	}
	tok, found, err := t.Value, t.Found, t.Err
	if err != nil && !found {
		rs.log.Warn("bearer token refused: " + err.Error())
	}
	switch {
	case !found:
		if q.HTTP.Method == http.MethodOptions {
			// r->user = "": Require valid-user and Require claim grant.
			x.res.HasUser, x.res.Pass = true, true
			rs.scrub(x)
			return x.res
		}
		return rs.unauthorized(x, d, "invalid_request", rsNoToken)
	}
	ctx := withPassCookies(q.HTTP.Context(), q.HTTP.Header, x.dir.PassCookies)
	ep := rs.endpoints(ctx)
	if err != nil {
		rs.log.Warn("bearer token refused: " + err.Error())
		return rs.unauthorized(x, d, "invalid_token", rs.failText(ep))
	}
	c, ent, err := rs.validate(ctx, ep, tok, d)
	if err != nil {
		rs.log.Error("bearer token could not be validated: " + err.Error())
		return rs.unauthorized(x, d, "invalid_token", rs.failText(ep))
	}
	if rs.s.RemoteUserBadPattern {
		rs.log.Error("OIDCOAuthRemoteUserClaim is set to \"" + rs.s.RemoteUserClaim + "\", but could not set the remote user based the available claims for the user")
		return rs.unauthorized(x, d, "invalid_token", rsNoUser)
	}
	user, err := claims.OAuthRemoteUser(c, rs.s.RemoteUserClaim, rs.s.RemoteUserRegexp, rs.s.RemoteUserReplace)
	if err != nil {
		rs.log.Error("OIDCOAuthRemoteUserClaim is set to \""+rs.s.RemoteUserClaim+"\", but could not set the remote user based the available claims for the user", "err", err)
		return rs.unauthorized(x, d, "invalid_token", rsNoUser)
	}
	x.res.HasUser, x.res.User, x.res.Authenticated, x.res.Claims = true, user, true, c
	rs.scrub(x)
	if id := rs.tokenIdentity(x, ent, user, tok); id != nil {
		id.apply(x)
	} else {
		rs.setIdentity(x, user, c, tok)
	}
	(&RelyingParty{}).stripCookies(x)
	return x.res
}

// tokenIdentity is the identity values of a locally validated token
// (ent, from the verified-token cache; nil otherwise) under the request's
// settings, computed once per token and settings. The entry is keyed by
// the token's hash and used only until the token's exp, so what it keeps
// is neither another token's nor past its validity.
func (rs *ResourceServer) tokenIdentity(x *exchange, ent *verifiedJWT, user, tok string) *identity {
	if ent == nil {
		return nil
	}
	key := keyFor(rs, x.dir)
	if id := ent.identity.Load(); id != nil && id.key == key {
		return id
	}
	id := recordIdentity(key, x.dir, func(rx *exchange) { rs.setIdentity(rx, user, ent.claims, tok) })
	if id != nil {
		ent.identity.Store(id)
	}
	return id
}

// setIdentity sets the identity values one by one: OIDCAuthNHeader, the
// claims, the access token, OIDCPassUserInfoAs json:NAME.
func (rs *ResourceServer) setIdentity(x *exchange, user string, c claims.Claims, tok string) {
	if h := x.dir.AuthNHeader; h != "" {
		x.setHeader(h, user)
	}
	pairs := claims.Render(c, rs.s.ClaimPrefix, rs.s.ClaimDelimiter)
	if x.dir.PassHeaders {
		x.reserveHeaders(len(pairs) + 4)
	}
	for _, p := range pairs {
		rs.setAppInfo(x, p.Name, p.Value)
	}
	rs.setAppInfo(x, "OIDC_access_token", tok)
	if h := rs.s.PassJSONHeader; h != "" {
		x.setHeader(h, headerSafe(rs.userInfoJSON(c)))
	}
}

func (rs *ResourceServer) failText(e rsEndpoints) string {
	if rs.s.ValidateWith == ValidateUserInfo {
		return rsUserInfoFail
	}
	if e.introspection != "" {
		return rsIntrospectFail
	}
	return rsJWTFail
}

// unauthorized is oidc_oauth_return_www_authenticate: 401 with
// WWW-Authenticate: Bearer [realm="…",] error="…", error_description="…".
func (rs *ResourceServer) unauthorized(x *exchange, d *RSDir, code, desc string) Result {
	if d.UnAuthPass {
		return rs.passUnauthenticated(x, d)
	}
	if d.EnforceStatus != 0 && d.EnforceStatus != http.StatusUnauthorized {
		x.res.HasUser, x.res.User = false, ""
		return x.status(d.EnforceStatus)
	}
	scheme := "Bearer"
	if d.Accept.onlyBasic() {
		scheme = "Basic"
	}
	v := scheme
	sep := ""
	if d.AuthName != "" {
		v += ` realm="` + d.AuthName + `"`
		sep = ","
	}
	v += sep + ` error="` + code + `", error_description="` + desc + `"`
	x.header().Add("Www-Authenticate", v)
	x.res.HasUser, x.res.User = false, ""
	return x.status(http.StatusUnauthorized)
}

func (rs *ResourceServer) scrub(x *exchange) {
	sc := claims.Scrubber{ClaimPrefix: rs.s.ClaimPrefix, AuthnHeader: x.dir.AuthNHeader, WhiteListedClaims: x.dir.WhiteListedClaims}
	for name := range x.r.Header {
		if sc.Match(name) || rs.s.PassJSONHeader != "" && sameHeader(name, rs.s.PassJSONHeader) {
			delete(x.r.Header, name)
		}
	}
	x.hdrIdx = nil
}

// setAppInfo sets one value as a header and/or environment variable per
// OIDCPassClaimsAs (as the relying party's setAppInfo).
func (rs *ResourceServer) setAppInfo(x *exchange, name, value string) {
	value = claims.Encode(value, x.dir.PassEncoding)
	if x.dir.PassHeaders {
		x.setHeader(name, headerSafe(value))
	}
	if x.dir.PassEnv && x.q.Env != nil {
		x.q.Env[name] = value
	}
}

// validate returns the token's claims: from the cache, the introspection
// endpoint, or the JWT itself.
func (rs *ResourceServer) validate(ctx context.Context, ep rsEndpoints, tok string, d *RSDir) (claims.Claims, *verifiedJWT, error) {
	if tok == "" {
		return claims.Claims{}, nil, errors.New("empty token")
	}
	if rs.s.ValidateWith == ValidateUserInfo {
		c, err := rs.validateUserInfo(ctx, tok, d.IntrospectionInterval)
		return c, nil, err
	}
	if ep.introspection == "" {
		key := sha256.Sum256([]byte(tok))
		now := rs.now().Unix()
		rs.verifiedMu.RLock()
		v, ok := rs.verified[key]
		rs.verifiedMu.RUnlock()
		if ok && now < v.exp {
			return v.claims, v, nil
		}
		c, err := rs.validateJWT(ctx, ep, tok)
		if err != nil {
			return c, nil, err
		}
		var ent *verifiedJWT
		if raw, ok := c.Get("exp"); ok {
			var exp json.Number
			if json.Unmarshal(raw, &exp) == nil {
				if e, err := exp.Float64(); err == nil && int64(e) > now {
					rs.verifiedMu.Lock()
					if rs.verified == nil || len(rs.verified) >= maxVerified {
						rs.verified = map[[32]byte]*verifiedJWT{}
					}
					ent = &verifiedJWT{claims: c, exp: int64(e)}
					rs.verified[key] = ent
					rs.verifiedMu.Unlock()
				}
			}
		}
		return c, ent, nil
	}
	if c, ok := rs.cached(ctx, tok, d.IntrospectionInterval); ok {
		return c, nil, nil
	}
	c, err := rs.introspect(ctx, ep, tok, d.IntrospectionInterval)
	return c, nil, err
}

// RemoveATCache answers ?remove_at_cache=<tok> on the redirect URI
// (oidc_handle_remove_at_cache) and returns the status: tok's cached
// introspection (or userinfo) result is dropped from the shared store, so
// on every instance sharing it. As in 2.4.12.3 a token not cached gets
// 404 and a removal 500 (the module's handler returns OK without a user,
// which Apache's core refuses). Locally validated JWTs are not cached in
// the store, as in 2.4.12.3.
func (rs *ResourceServer) RemoveATCache(ctx context.Context, tok string) int {
	if rs.store != nil && tok != "" {
		key := rs.cacheKey(tok)
		if _, err := rs.store.Get(ctx, key); err == nil && rs.store.Delete(ctx, key) == nil {
			rs.log.Info("cached access token removed (remove_at_cache)")
			return http.StatusInternalServerError
		}
	}
	// The value is not logged: it may be a live token.
	rs.log.Error("no cached access token found for the remove_at_cache value")
	return http.StatusNotFound
}

// cacheEntry is a cached introspection result (the module's {"r","t"}).
type cacheEntry struct {
	R json.RawMessage `json:"r"`
	T int64           `json:"t"`
}

func (rs *ResourceServer) cacheKey(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return "a:" + rs.s.Namespace + ":" + hex.EncodeToString(h[:])
}

func (rs *ResourceServer) cached(ctx context.Context, tok string, interval int) (claims.Claims, bool) {
	if rs.store == nil || interval < 0 {
		return claims.Claims{}, false
	}
	b, err := rs.store.Get(ctx, rs.cacheKey(tok))
	if err != nil {
		return claims.Claims{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil {
		return claims.Claims{}, false
	}
	if interval > 0 && rs.now().Unix() > e.T+int64(interval) {
		return claims.Claims{}, false
	}
	c, err := claims.Parse(e.R)
	if err != nil {
		return claims.Claims{}, false
	}
	return c, true
}

// introspect calls the RFC 7662 endpoint (oidc_oauth_resolve_access_token).
func (rs *ResourceServer) introspect(ctx context.Context, ep rsEndpoints, tok string, interval int) (claims.Claims, error) {
	form := url.Values{}
	var order []string
	if p := rs.s.IntrospectionParams; p != "" {
		for _, kv := range strings.Split(p, "&") {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			form.Add(k, v)
			order = append(order, k)
		}
	}
	form.Set(rs.s.IntrospectionTokenParam, tok)
	// oidc_proto_token_endpoint_auth: no client id, no authentication;
	// client_secret_basic by default when a secret is set; without a
	// secret every method but private_key_jwt falls back to none.
	auth := ep.auth
	if auth == "" && rs.s.ClientSecret != "" {
		auth = "client_secret_basic"
	}
	if auth == "" || rs.s.ClientSecret == "" && auth != "private_key_jwt" {
		auth = "none"
	}
	var basicUser, basicPass, bearer string
	switch {
	case rs.s.ClientID == "":
	case auth == "bearer_access_token":
		if rs.s.IntrospectionBearer == nil {
			return claims.Claims{}, errors.New("endpoint auth method set to bearer access token but no token is provided")
		}
		bearer = *rs.s.IntrospectionBearer
		if bearer == "" {
			bearer = tok
		}
	default:
		a, err := endpointAuth(auth, rs.s.ClientID, rs.s.ClientSecret, rs.assertKey, ep.introspection, rs.now())
		if err != nil {
			return claims.Claims{}, fmt.Errorf("introspection endpoint: %w", err)
		}
		a.apply(form, nil)
		basicUser, basicPass = a.basicUser, a.basicPass
	}
	var req *http.Request
	var err error
	if strings.EqualFold(rs.s.IntrospectionMethod, "GET") {
		u := ep.introspection
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u+sep+form.Encode(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, ep.introspection, strings.NewReader(form.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return claims.Claims{}, err
	}
	if basicUser != "" || basicPass != "" {
		req.SetBasicAuth(basicUser, basicPass)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := rs.introClient.Do(req)
	if err != nil {
		return claims.Claims{}, fmt.Errorf("could not get a validation response from the Authorization server: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return claims.Claims{}, err
	}
	// Like the module (2.4.12.3 and current upstream), the HTTP status is
	// not looked at: the JSON answer decides.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil || top == nil {
		return claims.Claims{}, errors.New("introspection response is not a JSON object")
	}
	if e, ok := top["error"]; ok {
		return claims.Claims{}, fmt.Errorf("introspection response contains an error: %s", e)
	}
	now := rs.now()
	var until time.Time
	if active, ok := top["active"]; ok {
		var b bool
		var s string
		switch {
		case json.Unmarshal(active, &b) == nil:
			if !b {
				return claims.Claims{}, errors.New("token is not active")
			}
		case json.Unmarshal(active, &s) == nil:
			if !strings.EqualFold(s, "true") {
				return claims.Claims{}, errors.New("token is not active")
			}
		default:
			return claims.Claims{}, errors.New("\"active\" is neither a boolean nor a string")
		}
		if until, err = expiry(top, "exp", true, false, now); err != nil {
			return claims.Claims{}, err
		}
	} else if until, err = expiry(top, rs.s.ExpiryClaim, rs.s.ExpiryAbsolute, rs.s.ExpiryMandatory, now); err != nil {
		return claims.Claims{}, err
	}
	c, err := claims.Parse(body)
	if err != nil {
		return claims.Claims{}, err
	}
	if at, ok := top["access_token"]; ok && len(at) > 0 && at[0] == '{' {
		// PingFederate: the access_token object plus client_id and scope.
		inner, err := claims.Parse(at)
		if err != nil {
			return claims.Claims{}, err
		}
		extra := map[string]json.RawMessage{}
		for _, k := range []string{"client_id", "scope"} {
			if v, ok := top[k]; ok {
				extra[k] = v
			}
		}
		if len(extra) > 0 {
			eb, _ := json.Marshal(extra)
			ec, _ := claims.Parse(eb)
			inner = claims.Merge(inner, ec)
		}
		c = inner
	}
	rs.store_(ctx, tok, body, c, until, interval, now)
	return c, nil
}

// store_ caches an introspection result until the token expires (60 s
// when it says nothing), never past its exp.
func (rs *ResourceServer) store_(ctx context.Context, tok string, _ []byte, c claims.Claims, until time.Time, interval int, now time.Time) {
	if rs.store == nil || interval < 0 {
		return
	}
	ttl := time.Minute
	if !until.IsZero() {
		ttl = until.Sub(now)
	}
	if ttl <= 0 {
		return
	}
	b, err := json.Marshal(cacheEntry{R: c.JSON(), T: now.Unix()})
	if err != nil {
		return
	}
	if err := rs.store.Set(ctx, rs.cacheKey(tok), b, ttl); err != nil {
		rs.log.Warn("could not cache the introspection result", "err", err)
	}
}

// expiry reads the expiry claim of an introspection result
// (oidc_oauth_parse_and_cache_token_expiry): a zero time means "not
// known" (the result is cached for 60 s).
func expiry(top map[string]json.RawMessage, name string, absolute, mandatory bool, now time.Time) (time.Time, error) {
	raw, ok := top[name]
	if !ok {
		if mandatory {
			return time.Time{}, fmt.Errorf("introspection response JSON object did not contain an %q claim", name)
		}
		return time.Time{}, nil
	}
	var n json.Number
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) == nil {
		n, _ = v.(json.Number)
	}
	i, err := n.Int64()
	if err != nil {
		if mandatory {
			return time.Time{}, fmt.Errorf("introspection response JSON object contains a %q claim but it is not a JSON integer", name)
		}
		return time.Time{}, nil
	}
	if i <= 0 {
		return time.Time{}, nil
	}
	if absolute {
		return time.Unix(i, 0), nil
	}
	return now.Add(time.Duration(i) * time.Second), nil
}

// jwtAlgs are the signature algorithms accepted for JWT access tokens
// ("none" is never among them).
var jwtAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}

// validateJWT validates a JWT access token locally
// (oidc_oauth_validate_jwt_access_token), with current upstream's
// stricter checks: exp required and not past, nbf not in the future,
// iss and aud when configured.
func (rs *ResourceServer) validateJWT(ctx context.Context, ep rsEndpoints, tok string) (claims.Claims, error) {
	if isJWE(tok) { // a JWE whose payload is the signed token (jwe.go)
		d := &jweDecrypter{keys: append(privateJWEKeys(rs.s.ClientKeys), rs.s.DecryptKeys...), secret: rs.s.DecryptSecret}
		inner, err := d.decrypt(tok, MaxTokenSize)
		if err != nil {
			return claims.Claims{}, fmt.Errorf("could not decrypt the access_token: %w", err)
		}
		tok = string(inner)
	}
	jws, err := jose.ParseSigned(tok, jwtAlgs)
	if err != nil {
		return claims.Claims{}, fmt.Errorf("could not parse JWT from access_token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return claims.Claims{}, errors.New("JWT must have exactly one signature")
	}
	alg := jws.Signatures[0].Header.Algorithm
	var payload []byte
	if strings.HasPrefix(alg, "HS") {
		// HMAC: only the shared keys; never a public key as the secret.
		for _, k := range rs.s.SharedKeys {
			if hmacValid(tok, alg, k) {
				payload = jws.UnsafePayloadWithoutVerification()
				break
			}
		}
	} else {
		for _, k := range rs.s.PublicKeys {
			if p, err := jws.Verify(k); err == nil {
				payload = p
				break
			}
		}
		if payload == nil && ep.jwks != "" {
			ks := rs.keySet(ep.jwks)
			if p, err := ks.VerifySignature(gooidc.ClientContext(ctx, rs.client), tok); err == nil {
				payload = p
			} else {
				rs.log.Debug("JWKS verification failed", "err", err)
			}
		}
	}
	if payload == nil {
		return claims.Claims{}, errors.New("JWT access token signature could not be validated")
	}
	c, err := claims.Parse(payload)
	if err != nil {
		return claims.Claims{}, fmt.Errorf("JWT payload: %w", err)
	}
	var std struct {
		Exp *json.RawMessage `json:"exp"`
		Nbf *json.RawMessage `json:"nbf"`
		Iss *string          `json:"iss"`
		Aud *json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &std); err != nil {
		return claims.Claims{}, fmt.Errorf("JWT payload: %w", err)
	}
	now := float64(rs.now().Unix())
	exp, ok := jsonNumber(std.Exp)
	if !ok {
		return claims.Claims{}, errors.New("JWT has no numeric \"exp\" claim")
	}
	if now > exp {
		return claims.Claims{}, fmt.Errorf("JWT expired %.0f seconds ago", now-exp)
	}
	if std.Nbf != nil {
		// Stricter than the module (2.4.12.3 and upstream ignore nbf), with
		// nbfSkew for clocks that disagree a little.
		if nbf, ok := jsonNumber(std.Nbf); !ok || nbf > now+nbfSkew.Seconds() {
			return claims.Claims{}, errors.New("JWT is not valid yet (nbf)")
		}
	}
	if rs.s.Issuer != "" && (std.Iss == nil || !issuerMatch(rs.s.Issuer, *std.Iss)) {
		return claims.Claims{}, errors.New("JWT issuer does not match OIDCOAuthVerifyIssuer")
	}
	if len(rs.s.Audiences) > 0 && !audienceMatch(std.Aud, rs.s.Audiences) {
		return claims.Claims{}, errors.New("JWT audience does not match OIDCOAuthVerifyAudience")
	}
	return c, nil
}

// nbfSkew is how far in the future a JWT's nbf may be.
const nbfSkew = time.Minute

// jsonNumber is a JSON number (not a string holding one).
func jsonNumber(raw *json.RawMessage) (float64, bool) {
	if raw == nil || len(*raw) == 0 || (*raw)[0] == '"' {
		return 0, false
	}
	var f float64
	if json.Unmarshal(*raw, &f) != nil {
		return 0, false
	}
	return f, true
}

// hmacValid checks an HS256/384/512 compact JWS with key. go-jose refuses
// keys shorter than the hash; the module (cjose) takes any shared key, so
// the MAC is checked here. Tokens with "crit" headers are refused.
func hmacValid(tok, alg string, key []byte) bool {
	if len(key) == 0 {
		return false
	}
	var h func() hash.Hash
	switch alg {
	case "HS256":
		h = sha256.New
	case "HS384":
		h = sha512.New384
	case "HS512":
		h = sha512.New
	default:
		return false
	}
	i := strings.LastIndexByte(tok, '.')
	if i < 0 || strings.Count(tok, ".") != 2 {
		return false
	}
	hdr, err := base64.RawURLEncoding.DecodeString(tok[:strings.IndexByte(tok, '.')])
	if err != nil {
		return false
	}
	var head map[string]json.RawMessage
	if json.Unmarshal(hdr, &head) != nil {
		return false
	}
	if _, crit := head["crit"]; crit {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		return false
	}
	m := hmac.New(h, key)
	m.Write([]byte(tok[:i]))
	return hmac.Equal(m.Sum(nil), sig)
}

func audienceMatch(raw *json.RawMessage, want []string) bool {
	if raw == nil {
		return false
	}
	var list []string
	var one string
	if json.Unmarshal(*raw, &one) == nil {
		list = []string{one}
	} else if json.Unmarshal(*raw, &list) != nil {
		return false
	}
	for _, a := range list {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

type keySetEntry struct {
	ks      *gooidc.RemoteKeySet
	created time.Time
}

// keySet is the key set of a JWKS URI: go-oidc fetches it again when a
// token names an unknown kid; after JWKSRefresh a new set is started, so
// keys the server no longer publishes stop validating tokens.
func (rs *ResourceServer) keySet(uri string) *gooidc.RemoteKeySet {
	refresh := rs.s.JWKSRefresh
	if refresh <= 0 {
		refresh = time.Hour
	}
	now := rs.now()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if e, ok := rs.keys[uri]; ok && now.Sub(e.created) < refresh {
		return e.ks
	}
	if rs.keys == nil {
		rs.keys = map[string]keySetEntry{}
	}
	ks := gooidc.NewRemoteKeySet(gooidc.ClientContext(context.Background(), rs.client), uri)
	rs.keys[uri] = keySetEntry{ks: ks, created: now}
	return ks
}
