package devop

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// maxForm bounds the body of every form the provider reads.
const maxForm = 64 << 10

// authRequest is a validated authorization request.
type authRequest struct {
	client      *Client
	redirectURI string
	state       string
	nonce       string
	scope       string
	challenge   string
	method      string // "S256" or "plain" when challenge is set
	loginHint   string
	prompt      string
	raw         string // the request's parameters, form-encoded, for the chooser
}

// authError is a failed authorization request. When redirect is false
// the client or redirect URI could not be trusted and the error is shown
// to the user instead of being sent to the client (RFC 6749 §4.1.2.1).
type authError struct {
	redirect    bool
	code        string
	description string
}

// authParams are the parameters that must not be repeated (RFC 6749 §3.1).
var authParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", "login_hint", "prompt", "response_mode", "request", "request_uri", "max_age"}

// parseAuthRequest validates the parameters of an authorization request.
// The request is nil exactly when the error is set; the error's redirect
// flag says whether req's client and redirect URI may receive it, in which
// case the partial request returned alongside carries them and the state.
func (p *Provider) parseAuthRequest(q url.Values) (*authRequest, *authRequest, *authError) {
	for _, k := range []string{"client_id", "redirect_uri"} {
		if len(q[k]) > 1 {
			return nil, nil, &authError{code: "invalid_request", description: k + " is repeated"}
		}
	}
	c := p.clients[q.Get("client_id")]
	if c == nil {
		return nil, nil, &authError{code: "invalid_client", description: "unknown or missing client_id"}
	}
	ru := q.Get("redirect_uri")
	if !slices.Contains(c.RedirectURIs, ru) {
		return nil, nil, &authError{code: "invalid_request", description: "redirect_uri is missing or not registered for this client (exact match required)"}
	}
	req := &authRequest{client: c, redirectURI: ru, raw: q.Encode()}
	if len(q["state"]) == 1 {
		req.state = q.Get("state")
	}
	fail := func(code, desc string) (*authRequest, *authRequest, *authError) {
		return nil, req, &authError{redirect: true, code: code, description: desc}
	}
	for _, k := range authParams {
		if len(q[k]) > 1 {
			return fail("invalid_request", k+" is repeated")
		}
	}
	if q.Has("request") {
		return fail("request_not_supported", "request objects are not supported")
	}
	if q.Has("request_uri") {
		return fail("request_uri_not_supported", "request_uri is not supported")
	}
	if rt := q.Get("response_type"); rt != "code" {
		return fail("unsupported_response_type", "only response_type=code is supported")
	}
	if rm := q.Get("response_mode"); rm != "" && rm != "query" {
		return fail("invalid_request", "only response_mode=query is supported")
	}
	req.scope = q.Get("scope")
	if !slices.Contains(strings.Fields(req.scope), "openid") {
		return fail("invalid_scope", "scope must contain openid")
	}
	req.nonce = q.Get("nonce")
	req.challenge = q.Get("code_challenge")
	req.method = q.Get("code_challenge_method")
	switch {
	case req.challenge == "" && req.method != "":
		return fail("invalid_request", "code_challenge_method without code_challenge")
	case req.challenge != "" && req.method == "":
		req.method = "plain" // RFC 7636 §4.3
	}
	if req.challenge != "" {
		if req.method != "S256" && req.method != "plain" {
			return fail("invalid_request", "code_challenge_method must be S256 or plain")
		}
		if !validVerifier(req.challenge) {
			return fail("invalid_request", "code_challenge must be 43 to 128 unreserved characters")
		}
	}
	req.loginHint = q.Get("login_hint")
	req.prompt = q.Get("prompt")
	return req, nil, nil
}

// validVerifier reports whether s is a syntactically valid PKCE code
// verifier or plain challenge (RFC 7636 §4.1).
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// authorize handles the authorization endpoint: it validates the request
// and logs a user in automatically or shows the chooser.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "the request could not be parsed")
		return
	}
	req, partial, aerr := p.parseAuthRequest(r.Form)
	if aerr != nil {
		p.authFailed(w, r, partial, aerr)
		return
	}
	if u := p.autoUser(req); u != nil {
		p.finishLogin(w, r, req, u)
		return
	}
	if req.prompt == "none" || slices.Contains(strings.Fields(req.prompt), "none") {
		p.authFailed(w, r, req, &authError{redirect: true, code: "login_required", description: "the development provider keeps no login session; choose a user"})
		return
	}
	p.chooserPage(w, req, "")
}

// autoUser is the user logged in without the chooser: Options.AutoLogin,
// else the user whose subject or email equals login_hint.
func (p *Provider) autoUser(req *authRequest) *User {
	if p.autoLogin != "" {
		return p.user(p.autoLogin)
	}
	if req.loginHint == "" {
		return nil
	}
	for _, u := range p.users {
		if u.Subject == req.loginHint {
			return u
		}
		if e, ok := u.Claims["email"].(string); ok && e == req.loginHint {
			return u
		}
	}
	return nil
}

// login handles the chooser's form: the original request's parameters are
// validated again, then the chosen user is logged in.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	if !onlyMethods(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "the form could not be parsed")
		return
	}
	q, err := url.ParseQuery(r.PostForm.Get("request"))
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "invalid_request", "the authorization request could not be parsed")
		return
	}
	req, partial, aerr := p.parseAuthRequest(q)
	if aerr != nil {
		p.authFailed(w, r, partial, aerr)
		return
	}
	if r.PostForm.Has("deny") {
		p.authFailed(w, r, req, &authError{redirect: true, code: "access_denied", description: "the user declined"})
		return
	}
	u := p.user(r.PostForm.Get("sub"))
	if u == nil {
		p.chooserPage(w, req, "Choose one of the users.")
		return
	}
	if u.Password != "" && subtle.ConstantTimeCompare([]byte(u.Password), []byte(r.PostForm.Get("password"))) != 1 {
		p.chooserPage(w, req, "Wrong password for "+u.Name()+".")
		return
	}
	p.finishLogin(w, r, req, u)
}

// finishLogin issues a code for the user and sends the browser back to
// the client.
func (p *Provider) finishLogin(w http.ResponseWriter, r *http.Request, req *authRequest, u *User) {
	now := p.now()
	code := randomToken()
	p.mu.Lock()
	p.sweepLocked(now)
	p.codes[code] = &authCode{
		clientID: req.client.ID, redirectURI: req.redirectURI, sub: u.Subject, scope: req.scope,
		nonce: req.nonce, challenge: req.challenge, method: req.method, authTime: now,
		expires: now.Add(p.codeTTL),
	}
	p.mu.Unlock()
	p.log.Info("devop: login", "sub", u.Subject, "client_id", req.client.ID)
	v := url.Values{"code": {code}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	redirectWith(w, r, req.redirectURI, v)
}

// authFailed reports an authorization error: to the client by redirect
// when it can be trusted, else on an error page.
func (p *Provider) authFailed(w http.ResponseWriter, r *http.Request, req *authRequest, e *authError) {
	if !e.redirect || req == nil {
		p.errorPage(w, http.StatusBadRequest, e.code, e.description)
		return
	}
	v := url.Values{"error": {e.code}, "error_description": {e.description}}
	if req.state != "" {
		v.Set("state", req.state)
	}
	redirectWith(w, r, req.redirectURI, v)
}

// redirectWith answers 302 to target with v added to its query.
func redirectWith(w http.ResponseWriter, r *http.Request, target string, v url.Values) {
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, "bad redirect target", http.StatusInternalServerError)
		return
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// authCode is an issued authorization code.
type authCode struct {
	clientID, redirectURI, sub, scope, nonce string
	challenge, method                        string
	authTime, expires                        time.Time
}
