package devop

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Options configure a Provider.
type Options struct {
	// Issuer is the provider's issuer identifier, an absolute http(s) URL
	// without query or fragment, e.g. "http://127.0.0.1:9999". The
	// endpoints live under its path.
	Issuer string
	// Clients are the registered relying parties.
	Clients []Client
	// Users are the accounts one can log in as, in the chooser's order.
	Users []User
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AccessTokenTTL is the access token's lifetime (default one hour).
	AccessTokenTTL time.Duration
	// IDTokenTTL is the ID token's lifetime (default one hour).
	IDTokenTTL time.Duration
	// AutoLogin, when it names a user's Subject, makes /authorize log that
	// user in at once instead of showing the chooser (for tests).
	AutoLogin string
	// Logger receives the start-up warning and one line per login; nil
	// means slog.Default().
	Logger *slog.Logger
}

// Client is a registered relying party (a confidential client).
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client secret for client_secret_basic/post.
	Secret string
	// RedirectURIs are the exact redirect URIs /authorize accepts.
	RedirectURIs []string
	// PostLogoutRedirectURIs are the exact URIs /end_session redirects to.
	PostLogoutRedirectURIs []string
}

// User is an account of the provider.
type User struct {
	// Subject is the "sub" claim, unique among the users.
	Subject string
	// Password, when set, must be typed on the chooser page; automatic
	// logins (AutoLogin, login_hint) do not ask for it.
	Password string
	// Claims are the user's claims besides "sub", as they appear in
	// userinfo's JSON (any JSON value: strings, numbers, booleans, nil,
	// arrays, nested objects).
	Claims map[string]any
	// IDTokenClaims name the claims that also go into the ID token; the
	// others are only returned by userinfo.
	IDTokenClaims []string
}

// Name is the user's display name: the "name" claim, else the subject.
func (u *User) Name() string {
	if s, ok := u.Claims["name"].(string); ok && s != "" {
		return s
	}
	return u.Subject
}

// Provider is a development OpenID Provider; it is an http.Handler that
// serves every endpoint under the issuer's path. It is safe for concurrent
// use.
type Provider struct {
	issuer     string
	prefix     string // issuer's path without trailing slash
	clients    map[string]*Client
	users      []*User
	now        func() time.Time
	accessTTL  time.Duration
	idTTL      time.Duration
	codeTTL    time.Duration
	refreshTTL time.Duration
	autoLogin  string
	log        *slog.Logger

	mu        sync.Mutex
	keys      []*signingKey // keys[0] signs; the rest are still published
	codes     map[string]*authCode
	access    map[string]*grant
	refresh   map[string]*grant
	lastSweep time.Time
}

// signingKey is an RSA key and its key ID.
type signingKey struct {
	priv *rsa.PrivateKey
	kid  string
}

// reserved are the ID token claims the provider sets itself; a user's
// IDTokenClaims cannot override them.
var reserved = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "iat": true,
	"nbf": true, "nonce": true, "at_hash": true, "c_hash": true, "azp": true, "auth_time": true, "jti": true}

// New validates the options and creates a provider with a fresh RSA key.
func New(opts Options) (*Provider, error) {
	iss, err := url.Parse(opts.Issuer)
	if err != nil || (iss.Scheme != "http" && iss.Scheme != "https") || iss.Host == "" || iss.RawQuery != "" || iss.Fragment != "" {
		return nil, fmt.Errorf("devop: issuer %q must be an absolute http(s) URL without query or fragment", opts.Issuer)
	}
	p := &Provider{
		issuer:     strings.TrimSuffix(opts.Issuer, "/"),
		prefix:     strings.TrimSuffix(iss.Path, "/"),
		clients:    map[string]*Client{},
		now:        opts.Now,
		accessTTL:  opts.AccessTokenTTL,
		idTTL:      opts.IDTokenTTL,
		codeTTL:    time.Minute,
		refreshTTL: 24 * time.Hour,
		autoLogin:  opts.AutoLogin,
		log:        opts.Logger,
		codes:      map[string]*authCode{},
		access:     map[string]*grant{},
		refresh:    map[string]*grant{},
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.accessTTL <= 0 {
		p.accessTTL = time.Hour
	}
	if p.idTTL <= 0 {
		p.idTTL = time.Hour
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	for i := range opts.Clients {
		c := opts.Clients[i]
		if c.ID == "" || c.Secret == "" {
			return nil, errors.New("devop: a client needs an ID and a secret")
		}
		if _, dup := p.clients[c.ID]; dup {
			return nil, fmt.Errorf("devop: client %q registered twice", c.ID)
		}
		c.RedirectURIs = slices.Clone(c.RedirectURIs)
		c.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
		p.clients[c.ID] = &c
	}
	seen := map[string]bool{}
	for i := range opts.Users {
		u := opts.Users[i]
		if u.Subject == "" || seen[u.Subject] {
			return nil, fmt.Errorf("devop: user subject %q is empty or repeated", u.Subject)
		}
		seen[u.Subject] = true
		u.Claims = cloneJSON(u.Claims)
		u.IDTokenClaims = slices.Clone(u.IDTokenClaims)
		p.users = append(p.users, &u)
	}
	if p.autoLogin != "" && !seen[p.autoLogin] {
		return nil, fmt.Errorf("devop: AutoLogin %q is not a user", p.autoLogin)
	}
	if err := p.RotateKey(); err != nil {
		return nil, err
	}
	p.log.Warn("development OpenID Provider started: NOT FOR PRODUCTION (fixed users, no real authentication)", "issuer", p.issuer)
	return p, nil
}

// cloneJSON deep-copies a claims map through JSON so that later changes to
// the caller's map do not reach the provider. Numbers become json.Number,
// so integers and floats are written back exactly as given.
func cloneJSON(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return m
	}
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if dec.Decode(&out) != nil {
		return m
	}
	return out
}

// Issuer returns the issuer identifier.
func (p *Provider) Issuer() string { return p.issuer }

// Users returns the provider's users (copies of the configured values).
func (p *Provider) Users() []User {
	out := make([]User, len(p.users))
	for i, u := range p.users {
		out[i] = *u
	}
	return out
}

// RotateKey generates a new RSA 2048 signing key with a new key ID. The
// JWKS then publishes the new key first and keeps the previous one, so
// tokens already issued still verify while relying parties that cached the
// old set must fetch it again to verify new tokens.
func (p *Provider) RotateKey() error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("devop: generating the signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return fmt.Errorf("devop: key thumbprint: %w", err)
	}
	k := &signingKey{priv: priv, kid: base64.RawURLEncoding.EncodeToString(tp)}
	p.mu.Lock()
	p.keys = append([]*signingKey{k}, p.keys...)
	if len(p.keys) > 2 {
		p.keys = p.keys[:2]
	}
	p.mu.Unlock()
	return nil
}

// KeyID returns the key ID of the current signing key.
func (p *Provider) KeyID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[0].kid
}

// endpoint returns the absolute URL of an endpoint path.
func (p *Provider) endpoint(path string) string { return p.issuer + path }

// ServeHTTP routes a request to the endpoint its path names.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, p.prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path {
	case "/.well-known/openid-configuration":
		p.discovery(w, r)
	case "/jwks":
		p.jwks(w, r)
	case "/authorize":
		p.authorize(w, r)
	case "/authorize/login":
		p.login(w, r)
	case "/token":
		p.token(w, r)
	case "/userinfo":
		p.userinfo(w, r)
	case "/end_session":
		p.endSession(w, r)
	case "/revoke":
		p.revoke(w, r)
	case "/introspect":
		p.introspect(w, r)
	case "", "/":
		p.index(w, r)
	default:
		http.NotFound(w, r)
	}
}

// onlyMethods answers 405 unless the request uses one of methods.
func onlyMethods(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// writeJSON writes v as a JSON response that caches must not store.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// discovery serves the OpenID Provider metadata.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	claims := map[string]bool{"sub": true, "iss": true, "aud": true, "exp": true, "iat": true,
		"auth_time": true, "nonce": true, "at_hash": true, "azp": true}
	for _, u := range p.users {
		for k := range u.Claims {
			claims[k] = true
		}
	}
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                        p.issuer,
		"authorization_endpoint":                        p.endpoint("/authorize"),
		"token_endpoint":                                p.endpoint("/token"),
		"userinfo_endpoint":                             p.endpoint("/userinfo"),
		"jwks_uri":                                      p.endpoint("/jwks"),
		"end_session_endpoint":                          p.endpoint("/end_session"),
		"revocation_endpoint":                           p.endpoint("/revoke"),
		"introspection_endpoint":                        p.endpoint("/introspect"),
		"response_types_supported":                      []string{"code"},
		"response_modes_supported":                      []string{"query"},
		"grant_types_supported":                         []string{"authorization_code", "refresh_token"},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         []string{"RS256"},
		"token_endpoint_auth_methods_supported":         []string{"client_secret_basic", "client_secret_post"},
		"revocation_endpoint_auth_methods_supported":    []string{"client_secret_basic", "client_secret_post"},
		"introspection_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":              []string{"S256", "plain"},
		"claims_supported":                              names,
		"scopes_supported":                              []string{"openid", "profile", "email", "address", "phone", "offline_access"},
		"claims_parameter_supported":                    false,
		"request_parameter_supported":                   false,
		"request_uri_parameter_supported":               false,
	})
}

// jwks serves the public keys.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	p.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range p.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.RS256), Use: "sig"})
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(set)
}

// LogoutToken returns a back-channel logout token (OpenID Connect
// Back-Channel Logout 1.0) for the user sub at clientID, as the provider
// would POST it to the client's back-channel logout URI; sid is added when
// not empty.
func (p *Provider) LogoutToken(clientID, sub, sid string) (string, error) {
	c := map[string]any{"iss": p.issuer, "aud": clientID, "iat": p.now().Unix(), "jti": randomToken(),
		"sub": sub, "events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}
	if sid != "" {
		c["sid"] = sid
	}
	return p.sign(c)
}

// sign signs claims as a compact JWS with the current key.
func (p *Provider) sign(claims map[string]any) (string, error) {
	p.mu.Lock()
	k := p.keys[0]
	p.mu.Unlock()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// verifyOwnToken checks that a compact JWS was signed by one of the
// published keys and returns its claims; expiry is not checked (an
// id_token_hint may have expired).
func (p *Provider) verifyOwnToken(token string) (map[string]any, error) {
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, err
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("one signature expected")
	}
	kid := jws.Signatures[0].Header.KeyID
	p.mu.Lock()
	var key *rsa.PublicKey
	for _, k := range p.keys {
		if k.kid == kid {
			key = &k.priv.PublicKey
		}
	}
	p.mu.Unlock()
	if key == nil {
		return nil, errors.New("unknown key ID")
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	if claims["iss"] != p.issuer {
		return nil, errors.New("issued by another provider")
	}
	return claims, nil
}

// user returns the user with the subject, or nil.
func (p *Provider) user(sub string) *User {
	for _, u := range p.users {
		if u.Subject == sub {
			return u
		}
	}
	return nil
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
