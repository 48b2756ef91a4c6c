package devop

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// grant is what an access or refresh token stands for.
type grant struct {
	family   string // shared by every token descending from one code
	clientID string
	sub      string
	scope    string
	nonce    string
	authTime time.Time
	issued   time.Time
	expires  time.Time
	used     bool // a rotated refresh token, kept to detect its reuse
}

// tokenError is an OAuth 2.0 error response (RFC 6749 §5.2).
type tokenError struct {
	status      int
	code        string
	description string
	basic       bool // client authentication was attempted with Basic
}

func (e *tokenError) write(w http.ResponseWriter) {
	if e.status == http.StatusUnauthorized && e.basic {
		w.Header().Set("WWW-Authenticate", `Basic realm="devop"`)
	}
	writeJSON(w, e.status, map[string]string{"error": e.code, "error_description": e.description})
}

func badRequest(code, desc string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, code: code, description: desc}
}

// errBasicAuth is returned by parseBasicAuth for a malformed header.
var errBasicAuth = errors.New("malformed Basic authorization")

// parseBasicAuth decodes an Authorization header of the Basic scheme as
// RFC 6749 §2.3.1 requires for client_secret_basic: the base64 of
// form-urlencoded client ID, a colon, and the form-urlencoded secret. ok is
// false when the header is not Basic at all; err is set when it is Basic
// but malformed.
func parseBasicAuth(h string) (id, secret string, ok bool, err error) {
	scheme, rest, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false, nil
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return "", "", true, errBasicAuth
	}
	encID, encSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", true, errBasicAuth
	}
	if id, err = url.QueryUnescape(encID); err != nil {
		return "", "", true, errBasicAuth
	}
	if secret, err = url.QueryUnescape(encSecret); err != nil {
		return "", "", true, errBasicAuth
	}
	return id, secret, true, nil
}

// authenticateClient checks client_secret_basic or client_secret_post
// (exactly one of them, RFC 6749 §2.3) on a request whose form is parsed.
func (p *Provider) authenticateClient(r *http.Request) (*Client, *tokenError) {
	id, secret, basic, err := parseBasicAuth(r.Header.Get("Authorization"))
	unauthorized := func(desc string) *tokenError {
		return &tokenError{status: http.StatusUnauthorized, code: "invalid_client", description: desc, basic: basic}
	}
	if err != nil {
		return nil, unauthorized("the Basic credentials are not base64 of form-urlencoded id:secret (RFC 6749 §2.3.1)")
	}
	if len(r.PostForm["client_id"]) > 1 || len(r.PostForm["client_secret"]) > 1 {
		return nil, badRequest("invalid_request", "client_id or client_secret is repeated")
	}
	switch {
	case basic && r.PostForm.Has("client_secret"):
		return nil, badRequest("invalid_request", "more than one client authentication method")
	case basic && r.PostForm.Has("client_id") && r.PostForm.Get("client_id") != id:
		return nil, badRequest("invalid_request", "client_id differs from the Basic credentials")
	case !basic:
		if !r.PostForm.Has("client_secret") {
			return nil, unauthorized("client authentication required (client_secret_basic or client_secret_post)")
		}
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c := p.clients[id]
	if c == nil || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		return nil, unauthorized("unknown client or wrong secret")
	}
	return c, nil
}

// parseTokenForm reads a POSTed form and refuses repeated parameters
// (RFC 6749 §3.2).
func parseTokenForm(w http.ResponseWriter, r *http.Request) *tokenError {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		return badRequest("invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	for k, vs := range r.PostForm {
		if len(vs) > 1 {
			return badRequest("invalid_request", k+" is repeated")
		}
	}
	return nil
}

// token handles the token endpoint.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodPost) {
		return
	}
	if e := parseTokenForm(w, r); e != nil {
		e.write(w)
		return
	}
	c, e := p.authenticateClient(r)
	if e != nil {
		e.write(w)
		return
	}
	var g *grant
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		g, e = p.redeemCode(c, r.PostForm)
	case "refresh_token":
		g, e = p.redeemRefresh(c, r.PostForm)
	case "":
		e = badRequest("invalid_request", "grant_type is missing")
	default:
		e = badRequest("unsupported_grant_type", "only authorization_code and refresh_token are supported")
	}
	if e != nil {
		e.write(w)
		return
	}
	resp, err := p.issueTokens(g)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error", "error_description": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// redeemCode exchanges an authorization code (single use, short-lived,
// bound to client, redirect URI and PKCE challenge).
func (p *Provider) redeemCode(c *Client, f url.Values) (*grant, *tokenError) {
	now := p.now()
	code := f.Get("code")
	p.mu.Lock()
	ac := p.codes[code]
	if ac == nil || code == "" {
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "unknown or expired code")
	}
	if ac.expires.IsZero() {
		// Already redeemed: revoke what it gave (RFC 6749 §4.1.2).
		p.revokeFamilyLocked(code)
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "the code was already used; its tokens are revoked")
	}
	expired := !now.Before(ac.expires)
	ac.expires = time.Time{} // used; kept until the sweep to detect reuse
	p.mu.Unlock()
	switch {
	case expired:
		return nil, badRequest("invalid_grant", "the code has expired")
	case ac.clientID != c.ID:
		return nil, badRequest("invalid_grant", "the code was issued to another client")
	case f.Get("redirect_uri") != ac.redirectURI:
		return nil, badRequest("invalid_grant", "redirect_uri differs from the authorization request's")
	}
	verifier := f.Get("code_verifier")
	if ac.challenge == "" {
		if verifier != "" {
			return nil, badRequest("invalid_grant", "code_verifier sent but the authorization request had no code_challenge")
		}
	} else {
		if !validVerifier(verifier) {
			return nil, badRequest("invalid_grant", "code_verifier is missing or malformed")
		}
		want := verifier
		if ac.method == "S256" {
			sum := sha256.Sum256([]byte(verifier))
			want = base64.RawURLEncoding.EncodeToString(sum[:])
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(ac.challenge)) != 1 {
			return nil, badRequest("invalid_grant", "code_verifier does not match the code_challenge")
		}
	}
	return &grant{family: code, clientID: c.ID, sub: ac.sub, scope: ac.scope, nonce: ac.nonce, authTime: ac.authTime}, nil
}

// redeemRefresh exchanges a refresh token, which is then rotated: a new
// one is issued and the old one stops working (its reuse revokes the
// whole family, RFC 9700 §4.14.2).
func (p *Provider) redeemRefresh(c *Client, f url.Values) (*grant, *tokenError) {
	now := p.now()
	rt := f.Get("refresh_token")
	p.mu.Lock()
	old := p.refresh[rt]
	switch {
	case old == nil || rt == "":
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "unknown or expired refresh token")
	case old.used:
		p.revokeFamilyLocked(old.family)
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "the refresh token was already used; its family is revoked")
	case !now.Before(old.expires):
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "the refresh token has expired")
	case old.clientID != c.ID:
		p.mu.Unlock()
		return nil, badRequest("invalid_grant", "the refresh token was issued to another client")
	}
	g := *old
	if s := f.Get("scope"); s != "" {
		granted := strings.Fields(old.scope)
		for _, want := range strings.Fields(s) {
			if !slices.Contains(granted, want) {
				p.mu.Unlock()
				return nil, badRequest("invalid_scope", "scope "+want+" was not granted")
			}
		}
		g.scope = s
	}
	old.used = true
	p.mu.Unlock()
	return &g, nil
}

// issueTokens creates an access token, a refresh token and an ID token
// for a grant and returns the token response.
func (p *Provider) issueTokens(g *grant) (map[string]any, error) {
	u := p.user(g.sub)
	if u == nil {
		return nil, errors.New("the user no longer exists")
	}
	now := p.now()
	at, rt := randomToken(), randomToken()
	ag, rg := *g, *g
	ag.issued, ag.expires = now, now.Add(p.accessTTL)
	rg.issued, rg.expires = now, now.Add(p.refreshTTL)
	claims := map[string]any{}
	for _, k := range u.IDTokenClaims {
		if v, ok := u.Claims[k]; ok && !reserved[k] {
			claims[k] = v
		}
	}
	sum := sha256.Sum256([]byte(at))
	claims["iss"] = p.issuer
	claims["sub"] = u.Subject
	claims["aud"] = g.clientID
	claims["azp"] = g.clientID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(p.idTTL).Unix()
	claims["auth_time"] = g.authTime.Unix()
	claims["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	idt, err := p.sign(claims)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.sweepLocked(now)
	p.access[at] = &ag
	p.refresh[rt] = &rg
	p.mu.Unlock()
	return map[string]any{
		"access_token":  at,
		"token_type":    "Bearer",
		"expires_in":    int64(p.accessTTL / time.Second),
		"id_token":      idt,
		"refresh_token": rt,
		"scope":         g.scope,
	}, nil
}

// revokeFamilyLocked removes every token descending from one code.
func (p *Provider) revokeFamilyLocked(family string) {
	for k, g := range p.access {
		if g.family == family {
			delete(p.access, k)
		}
	}
	for k, g := range p.refresh {
		if g.family == family {
			delete(p.refresh, k)
		}
	}
}

// sweepLocked drops expired codes and tokens, at most once a minute.
func (p *Provider) sweepLocked(now time.Time) {
	if now.Sub(p.lastSweep) < time.Minute {
		return
	}
	p.lastSweep = now
	for k, c := range p.codes {
		// A used code (zero expiry) is kept for a code lifetime to detect
		// its reuse; authTime bounds it.
		if (!c.expires.IsZero() && !now.Before(c.expires)) || (c.expires.IsZero() && now.Sub(c.authTime) > 10*p.codeTTL) {
			delete(p.codes, k)
		}
	}
	for k, g := range p.access {
		if !now.Before(g.expires) {
			delete(p.access, k)
		}
	}
	for k, g := range p.refresh {
		if !now.Before(g.expires) {
			delete(p.refresh, k)
		}
	}
}

// activeAccess returns the grant of a valid access token.
func (p *Provider) activeAccess(token string) *grant {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.access[token]
	if g == nil || !p.now().Before(g.expires) {
		return nil
	}
	c := *g
	return &c
}

// userinfo returns every claim of the access token's user.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	token := ""
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest)
	} else if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if r.ParseForm() == nil && len(r.PostForm["access_token"]) == 1 {
			token = r.PostForm.Get("access_token")
		}
	}
	if token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devop"`)
		http.Error(w, "a Bearer access token is required", http.StatusUnauthorized)
		return
	}
	g := p.activeAccess(token)
	var u *User
	if g != nil {
		u = p.user(g.sub)
	}
	if u == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="devop", error="invalid_token", error_description="unknown or expired access token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	out := make(map[string]any, len(u.Claims)+1)
	for k, v := range u.Claims {
		out[k] = v
	}
	out["sub"] = u.Subject
	writeJSON(w, http.StatusOK, out)
}

// revoke implements RFC 7009: the client's own access or refresh token
// stops working; revoking a refresh token revokes its whole family. It
// answers 200 for unknown tokens, as the RFC requires.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodPost) {
		return
	}
	if e := parseTokenForm(w, r); e != nil {
		e.write(w)
		return
	}
	c, e := p.authenticateClient(r)
	if e != nil {
		e.write(w)
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		badRequest("invalid_request", "token is missing").write(w)
		return
	}
	p.mu.Lock()
	if g := p.refresh[tok]; g != nil && g.clientID == c.ID {
		p.revokeFamilyLocked(g.family)
	}
	if g := p.access[tok]; g != nil && g.clientID == c.ID {
		delete(p.access, tok)
	}
	p.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// introspect implements RFC 7662 for access and refresh tokens; any
// registered client may ask (a resource server has its own credentials).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodPost) {
		return
	}
	if e := parseTokenForm(w, r); e != nil {
		e.write(w)
		return
	}
	if _, e := p.authenticateClient(r); e != nil {
		e.write(w)
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		badRequest("invalid_request", "token is missing").write(w)
		return
	}
	now := p.now()
	p.mu.Lock()
	g, kind := p.access[tok], "access_token"
	if g == nil {
		g, kind = p.refresh[tok], "refresh_token"
	}
	var gc grant
	active := g != nil && !g.used && now.Before(g.expires)
	if active {
		gc = *g
	}
	p.mu.Unlock()
	if !active {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	out := map[string]any{
		"active": true, "scope": gc.scope, "client_id": gc.clientID, "sub": gc.sub, "aud": gc.clientID,
		"iss": p.issuer, "exp": gc.expires.Unix(), "iat": gc.issued.Unix(), "token_type": "Bearer",
		"token_use": kind,
	}
	if u := p.user(gc.sub); u != nil {
		if s, ok := u.Claims["preferred_username"].(string); ok {
			out["username"] = s
		}
	}
	writeJSON(w, http.StatusOK, out)
}
