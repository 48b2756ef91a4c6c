package oidc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/oidc/claims"
	"github.com/oidcgate/oidcgate/oidc/urlcheck"
)

// RelyingParty logs users in for one virtual host's settings. It is safe
// for concurrent use; build one per virtual host and share the Store.
type RelyingParty struct {
	s *Settings
	// redirectPath is the path of s.RedirectURI (redirectURIPath), which
	// every request is compared with.
	redirectPath string
	store        Store
	prov         *provider
	seal         *sealer
	now          func() time.Time
	log          *slog.Logger
	// tokenClient calls the token endpoint (with the TLS client
	// certificate, if any); assertKey signs private_key_jwt assertions.
	tokenClient *http.Client
	assertKey   assertionKey

	// views caches decoded sessions by id (see loadView).
	viewMu sync.RWMutex
	views  map[string]*sessionView
	// cookieViews caches decoded client-cookie sessions (openSession).
	cookieViews cookieViewCache
	// refreshing holds a lock per session being refreshed.
	refreshMu  sync.Mutex
	refreshing map[string]*sync.Mutex
	// refreshed holds recent refresh grants' outcomes by the SHA-256 of
	// the refresh token sent (refreshTokens).
	refreshed map[string]refreshOutcome
	// refreshSleep waits between reads of another instance's refresh
	// lock (nil: time.Sleep; tests replace it).
	refreshSleep func(time.Duration)
	// filter is OIDCWhiteListedClaims/OIDCBlackListedClaims (nil: none).
	filter *claims.Filter
	// removeAT answers ?remove_at_cache= (drops a cached bearer-token
	// result, returns the status).
	removeAT func(ctx context.Context, token string) int
	// multi holds the providers of OIDCMetadataDir (nil: one provider);
	// clientExpires is a registered client's client_secret_expires_at.
	multi         *multiProvider
	clientExpires int64
	// fromMetadataDir: this is one provider of an OIDCMetadataDir.
	fromMetadataDir bool
	// indexes recycles the identity headers' name index.
	indexes headerIndexes
}

// Option configures a RelyingParty.
type Option func(*RelyingParty)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(rp *RelyingParty) { rp.now = now } }

// WithLogger sets the logger for the module's error-log lines.
func WithLogger(l *slog.Logger) Option { return func(rp *RelyingParty) { rp.log = l } }

// WithAccessTokenCache lets ?remove_at_cache= on the redirect URI drop a
// bearer token's cached validation result: remove answers it and returns
// the status (ResourceServer.RemoveATCache).
func WithAccessTokenCache(remove func(ctx context.Context, token string) int) Option {
	return func(rp *RelyingParty) { rp.removeAT = remove }
}

// New returns the relying party for s, keeping sessions and nonces in
// store. It contacts no provider: metadata is fetched on first use.
func New(s Settings, store Store, opts ...Option) (*RelyingParty, error) {
	if store == nil {
		return nil, errors.New("oidc: no session store")
	}
	client, err := newHTTPClient(&s)
	if err != nil {
		return nil, err
	}
	rp := &RelyingParty{s: &s, redirectPath: redirectURIPath(s.RedirectURI), store: store, seal: newSealer(s.CryptoPassphrase), now: time.Now, log: slog.Default()}
	for _, o := range opts {
		o(rp)
	}
	rp.assertKey = newAssertionKey(s.PrivateKeys, s.PublicKeys)
	// The client certificate goes on the bare transport; both clients
	// then carry OIDCPassCookies' cookies.
	rp.tokenClient = passCookiesClient(withClientCert(client, "OIDCClientTokenEndpointCert/Key", s.TokenEndpointCertFile, s.TokenEndpointKeyFile, s.TokenEndpointKeyPassword, rp.log))
	rp.prov = &provider{settings: rp.s, client: passCookiesClient(client), now: rp.now}
	rp.filter = claims.NewFilter(rp.s.WhiteListedClaims, rp.s.BlackListedClaims)
	if s.MetadataDir != "" {
		rp.multi = &multiProvider{dir: s.MetadataDir}
	}
	return rp, nil
}

// Request is one request as the relying party sees it.
type Request struct {
	// HTTP is the request; its headers are edited in place (scrubbing,
	// claims as headers).
	HTTP *http.Request
	// Path is the request's path as Apache parsed it (the redirect URI is
	// matched on it).
	Path string
	// Dir are the request's per-directory settings.
	Dir *DirSettings
	// Env is the request environment (subprocess_env): claims passed as
	// environment and OIDC_ERROR land here.
	Env map[string]string
	// Scheme is the effective scheme ("http" or "https"); Host the
	// current host with its port as the client sent it (Host header).
	// Leave both empty to have them derived as the module does (with
	// OIDCXForwardedHeaders), from TLS and LocalPort.
	Scheme, Host string
	// TLS and LocalPort describe the connection, for deriving the current
	// URL.
	TLS       bool
	LocalPort int
	// DeferHeaders lets the relying party hand the identity headers over
	// whole in Result.Headers instead of adding them to HTTP's header map,
	// when it has them ready (a session or token seen before under the
	// same settings); incoming headers of those names (in any spelling)
	// are removed from HTTP either way. The caller then forwards them, or
	// adds them with [IdentityHeaders.AddTo] before anything else reads
	// the request's headers.
	DeferHeaders bool
}

// Result says how the request goes on after authentication.
type Result struct {
	// Done: the relying party has written the whole response.
	Done bool
	// Status, when non-zero, is a status the caller answers with its own
	// (Apache's) error document; Location is set for redirects. Header
	// holds headers that go on whatever response is sent (Set-Cookie,
	// Cache-Control) — Apache's err_headers_out.
	Status   int
	Location string
	Header   http.Header
	// HasUser says r->user is set; User is REMOTE_USER (empty for a request
	// let through unauthenticated, which Require valid-user grants).
	HasUser bool
	User    string
	// Authenticated is true for a logged-in user (claims available).
	Authenticated bool
	// Claims are the claims Require claim evaluates: userinfo overlaid by
	// the id_token.
	Claims claims.Claims
	// Pass is true when OIDCUnAuthAction pass let the request through.
	Pass bool
	// Content names a redirect-URI answer the module produces in its
	// content handler, after authorization ("info", "jwks"): the caller
	// runs Require, then calls [RelyingParty.Content] — unless the path is
	// proxied, where 2.4.12.3's mod_proxy answers instead.
	Content string
	// Headers, when not nil, are identity headers left out of the
	// request's header map (Request.DeferHeaders).
	Headers *IdentityHeaders
	session *session
}

// exchange is one request in flight.
type exchange struct {
	rp  *RelyingParty
	w   http.ResponseWriter
	r   *http.Request
	q   *Request
	dir *DirSettings
	cw  cookieWriter
	res Result
	// login is set for a discovery answer or third-party-initiated login.
	login *loginOptions
	// hdrIdx maps lower-cased request header names to their spelling in
	// the header map, built on the first identity header set.
	hdrIdx map[string]string
	// lower has the lower-cased identity header names of the session's
	// view (read-only, shared), so that setHeader need not allocate them.
	lower map[string]string
	// indexes is where hdrIdx comes from and goes back to (nil: none).
	indexes *headerIndexes
	// vals is room for identity header values (reserveHeaders), so that
	// setHeader need not allocate a one-element slice per header.
	vals []string
}

func (x *exchange) setCookie(c cookie) {
	if x.res.Header == nil {
		x.res.Header = http.Header{}
	}
	v := x.cw.format(c)
	if len(v) > maxCookieSize && x.rp != nil {
		x.rp.log.Warn(cookieSizeWarning(len(v)))
	}
	x.res.Header.Add("Set-Cookie", v)
}

func (x *exchange) header() http.Header {
	if x.res.Header == nil {
		x.res.Header = http.Header{}
	}
	return x.res.Header
}

// currentURL is scheme://host + the raw request target, the URL the user
// returns to after login.
func (x *exchange) currentURL() string {
	target := x.r.RequestURI
	if !strings.HasPrefix(target, "/") {
		// Absolute form: keep the path and query only.
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			target = u.EscapedPath()
			if u.RawQuery != "" || u.ForceQuery {
				target += "?" + u.RawQuery
			}
		}
	}
	return x.q.Scheme + "://" + x.q.Host + target
}

// hostOnly is the current host without port.
func (x *exchange) hostOnly() string {
	h := x.q.Host
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		return h[:i]
	}
	return h
}

// redirectURI is OIDCRedirectURI made absolute against the current
// request.
func (x *exchange) redirectURI() string {
	ru := x.rp.s.RedirectURI
	if strings.HasPrefix(ru, "/") {
		return x.q.Scheme + "://" + x.q.Host + ru
	}
	return ru
}

func (x *exchange) status(code int) Result {
	x.res.Status = code
	return x.res
}

func (x *exchange) redirect(to string) Result {
	x.res.Status, x.res.Location = http.StatusFound, to
	return x.res
}

// Authenticate runs mod_auth_openidc's check_user_id hook for AuthType
// openid-connect: requests to the redirect URI are answered here; a valid
// session sets the user and passes the claims; anything else follows
// OIDCUnAuthAction.
func (rp *RelyingParty) Authenticate(w http.ResponseWriter, q *Request) Result {
	x := rp.newExchange(w, q)
	if rp.s.RedirectURI == "" {
		rp.log.Error("configuration error: the authentication type is set to \"openid-connect\" but OIDCRedirectURI has not been set")
		return x.status(http.StatusInternalServerError)
	}
	if rp.multi != nil {
		return rp.authenticateMulti(w, q)
	}
	defer x.releaseIndex()
	ctx := withPassCookies(q.HTTP.Context(), q.HTTP.Header, x.dir.PassCookies)
	sess := rp.sessionFromCookie(ctx, x)
	if q.Path == rp.redirectPath {
		return rp.redirectURIRequest(ctx, x, sess)
	}
	if sess != nil {
		return rp.existingSession(ctx, x, sess)
	}
	return rp.unauthenticated(ctx, x)
}

func (rp *RelyingParty) newExchange(w http.ResponseWriter, q *Request) *exchange {
	if q.Scheme == "" {
		scheme, host, port, _ := urlcheck.CurrentURL(q.HTTP, rp.s.XForwarded, q.TLS, q.LocalPort)
		q.Scheme, q.Host = scheme, host
		if port != "" {
			q.Host += ":" + port
		}
	}
	dir := q.Dir
	if dir == nil {
		dir = &DirSettings{}
	}
	x := &exchange{rp: rp, w: w, r: q.HTTP, q: q, dir: dir, indexes: &rp.indexes}
	// OIDCCookiePath ("/" by default) when it is a prefix of the request
	// path, else the request's directory (oidc_util_get_cookie_path).
	cp := dir.CookiePath
	if cp == "" {
		cp = "/"
	}
	path := cp
	if !strings.HasPrefix(q.Path, cp) {
		path = cookieDirPath(q.Path)
	}
	x.cw = cookieWriter{path: path, domain: rp.s.CookieDomain, secure: strings.EqualFold(q.Scheme, "https"),
		httpOnly: rp.s.CookieHTTPOnly, appendValue: q.Env["OIDC_SET_COOKIE_APPEND"]}
	return x
}

// redirectURIPath is the path of OIDCRedirectURI.
func redirectURIPath(ru string) string {
	if strings.HasPrefix(ru, "/") {
		p, _, _ := strings.Cut(ru, "?")
		return p
	}
	u, err := url.Parse(ru)
	if err != nil {
		return ru
	}
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// sessionFromCookie loads the session the session cookie names (or, for
// client-cookie sessions, holds). A cookie naming no stored session is
// deleted in the response.
func (rp *RelyingParty) sessionFromCookie(ctx context.Context, x *exchange) *session {
	var s *session
	if rp.s.ClientCookieSession {
		if s = rp.cookieSession(x); s == nil {
			return nil
		}
	} else {
		id, ok := getCookie(x.r.Header, x.dir.CookieName)
		err := errNoSession
		if ok && id != "" {
			s, err = rp.loadSession(ctx, id)
		}
		if err != nil && rp.s.CacheFallbackToCookie {
			// Upstream's reading of OIDCSessionCacheFallbackToCookie: a
			// value the store does not have may be a whole session
			// (2.4.12.3 only looked at it when the store failed, so a
			// fallback session was lost once the store answered again).
			if s = rp.cookieSession(x); s != nil {
				err = nil
			}
		}
		if err != nil {
			if ok && id != "" {
				x.deleteSessionCookie()
			}
			return nil
		}
	}
	if rp.now().Unix() > s.Expiry {
		rp.deleteSession(ctx, s)
		x.deleteSessionCookie()
		return nil
	}
	return s
}

// unauthenticated applies OIDCUnAuthAction (oidc_handle_unauthenticated_user).
func (rp *RelyingParty) unauthenticated(ctx context.Context, x *exchange) Result {
	switch x.dir.UnAuthAction {
	case "410":
		return x.status(http.StatusGone)
	case "407":
		return x.status(http.StatusProxyAuthRequired)
	case "401":
		return x.status(http.StatusUnauthorized)
	case "pass":
		x.res.HasUser, x.res.Pass = true, true
		rp.scrub(x)
		return x.res
	}
	if !x.dir.UnAuthExpr && !urlcheck.IsAuthCapable(x.r.Header) {
		return x.status(http.StatusUnauthorized)
	}
	return rp.authenticateUser(ctx, x, x.currentURL())
}

// scrub removes every incoming header that could pass for an identity
// header the relying party sets.
func (rp *RelyingParty) scrub(x *exchange) {
	sc := claims.Scrubber{ClaimPrefix: rp.s.ClaimPrefix, AuthnHeader: x.dir.AuthNHeader, WhiteListedClaims: x.dir.WhiteListedClaims}
	for name := range x.r.Header {
		if sc.Match(name) {
			delete(x.r.Header, name)
		}
	}
}

// stripCookies removes OIDCStripCookies' cookies from the Cookie header
// the backend gets (oidc_strip_cookies): exact "name=" matches, the rest
// joined with "; ", empty pieces dropped.
func (rp *RelyingParty) stripCookies(x *exchange) {
	if len(x.dir.StripCookies) == 0 {
		return
	}
	var keep []string
	for _, line := range x.r.Header.Values("Cookie") {
		for _, part := range strings.Split(line, ";") {
			part = strings.TrimLeft(part, " ")
			if strings.TrimSpace(part) == "" {
				continue
			}
			name, _, _ := strings.Cut(part, "=")
			if has(x.dir.StripCookies, name) {
				continue
			}
			keep = append(keep, part)
		}
	}
	x.r.Header.Del("Cookie")
	if len(keep) > 0 {
		x.r.Header.Set("Cookie", strings.Join(keep, "; "))
	}
}

// authenticateUser sends the browser to the provider
// (oidc_authenticate_user).
func (rp *RelyingParty) authenticateUser(ctx context.Context, x *exchange, originalURL string) Result {
	return rp.authenticate(ctx, x, originalURL, "", "")
}

// authenticate is authenticateUser with an id_token_hint and a prompt
// (session management's silent check), each sent when not empty.
func (rp *RelyingParty) authenticate(ctx context.Context, x *exchange, originalURL, idTokenHint, prompt string) Result {
	if rp.multi != nil {
		return rp.discovery(ctx, x)
	}
	login := x.login
	if login == nil {
		login = &loginOptions{}
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil {
		rp.log.Error("could not obtain the provider metadata", "err", err)
		return x.status(http.StatusInternalServerError)
	}
	if rp.s.ClientID == "" {
		rp.log.Error("no Client ID set for the provider")
		return x.status(http.StatusInternalServerError)
	}
	nonce := randomString(32)
	st := &authState{Issuer: md.Issuer, OriginalURL: originalURL, Method: "get", ResponseType: "code",
		ResponseMode: rp.s.ResponseMode, Nonce: nonce, Created: rp.now().UnixMicro(), Prompt: prompt}
	preserved, preserve := preservedForm(x.r, x.dir)
	if preserve {
		st.Method = "form_post"
	}
	if login.method == "form_post" {
		st.Method = login.method
	}
	method := rp.s.PKCEMethod
	challenge := ""
	if method != "" && method != "none" {
		st.Verifier = randomString(32)
		challenge = pkceChallenge(method, st.Verifier)
	}
	state := rp.stateHash(x.r.Header, nonce)
	value, err := rp.sealState(st)
	if err != nil {
		return x.status(http.StatusInternalServerError)
	}
	n := rp.cleanStateCookies(x, "", rp.s.StateDeleteOldest)
	if rp.s.StateMaxCookies > 0 && n >= rp.s.StateMaxCookies {
		rp.log.Warn(fmt.Sprintf("the number of existing, valid state cookies (%d) has exceeded the limit (%d), no additional authorization request + state cookie can be generated, aborting the request", n, rp.s.StateMaxCookies))
		return x.status(http.StatusServiceUnavailable)
	}
	sameSite := x.cw.sameSiteNone()
	if rp.s.CookieSameSite {
		sameSite = "Lax"
	}
	x.setCookie(cookie{name: x.dir.StateCookiePrefix + state, value: value, sameSite: sameSite})
	if err := rp.checkCookieHosts(x, originalURL); err != nil {
		rp.log.Error(err.Error())
		return x.status(http.StatusInternalServerError)
	}
	params := []param{{"response_type", "code"}}
	scope := rp.s.Scope
	pathScope := x.dir.PathScope
	if x.login != nil {
		pathScope = login.scopes
	}
	if pathScope != "" {
		if scope != "" {
			scope += " " + pathScope
		} else {
			scope = pathScope
		}
	}
	if scope != "" {
		params = append(params, param{"scope", scope})
	}
	params = append(params, param{"client_id", rp.s.ClientID}, param{"state", state},
		param{"redirect_uri", x.redirectURI()}, param{"nonce", nonce})
	if challenge != "" {
		params = append(params, param{"code_challenge", challenge}, param{"code_challenge_method", method})
	}
	if rp.s.ResponseMode != "" {
		params = append(params, param{"response_mode", rp.s.ResponseMode})
	}
	if login.loginHint != "" {
		params = append(params, param{"login_hint", login.loginHint})
	}
	if idTokenHint != "" {
		params = append(params, param{"id_token_hint", idTokenHint})
	}
	if prompt != "" {
		params = append(params, param{"prompt", prompt})
	}
	params = appendExtraParams(params, rp.s.AuthRequestParams, x.r.URL.Query())
	if x.login != nil {
		params = appendExtraParams(params, login.authRequestParams, x.r.URL.Query())
	} else {
		params = appendExtraParams(params, x.dir.PathAuthRequestParams, x.r.URL.Query())
	}
	if rp.s.AuthRequestPOST {
		// OIDCProviderAuthRequestMethod POST: an auto-submitted form
		// (oidc_proto_html_post).
		var b strings.Builder
		b.WriteString("    <p>Submitting Authentication Request...</p>\n    <form method=\"post\" action=\"" + md.AuthorizationEndpoint + "\">\n      <p>\n")
		for _, p := range params {
			b.WriteString("      <input type=\"hidden\" name=\"" + htmlEscape(p.name) + "\" value=\"" + htmlEscape(p.value) + "\">\n")
		}
		b.WriteString("      </p>\n    </form>\n")
		return rp.sendHTMLOnLoad(x, "Submitting...", "", "document.forms[0].submit", b.String(), http.StatusOK)
	}
	if preserve {
		return rp.preservePage(x, preserved, encodeURL(md.AuthorizationEndpoint, params))
	}
	// The module adds Cache-Control after sending a page, so only the
	// redirect carries it.
	x.header().Add("Cache-Control", "no-cache, no-store, max-age=0")
	return x.redirect(encodeURL(md.AuthorizationEndpoint, params))
}

// checkCookieHosts refuses a login whose cookies could not come back: an
// https redirect URI for an http URL, or a redirect URI on a host the
// cookies are not sent to.
func (rp *RelyingParty) checkCookieHosts(x *exchange, originalURL string) error {
	o, err1 := url.Parse(originalURL)
	r, err2 := url.Parse(x.redirectURI())
	if err1 != nil || err2 != nil {
		return errors.New("could not parse the current URL or OIDCRedirectURI")
	}
	if o.Scheme != r.Scheme && r.Scheme == "https" {
		return fmt.Errorf("the URL scheme (%s) of the configured OIDCRedirectURI does not match the URL scheme of the URL being accessed (%s): the \"state\" and \"session\" cookies will not be shared between the two!", r.Scheme, o.Scheme)
	}
	oh, rh := o.Hostname(), r.Hostname()
	if rp.s.CookieDomain == "" {
		if oh != rh && !strings.HasSuffix(oh, "."+rh) {
			return fmt.Errorf("the URL hostname (%s) of the configured OIDCRedirectURI does not match the URL hostname of the URL being accessed (%s): the \"state\" and \"session\" cookies will not be shared between the two!", rh, oh)
		}
	} else if !strings.HasSuffix(rh, strings.TrimPrefix(rp.s.CookieDomain, ".")) {
		return fmt.Errorf("the domain (%s) configured in OIDCCookieDomain does not match the URL hostname (%s) of the URL being accessed (%s): setting \"state\" and \"session\" cookies will not work!!", rp.s.CookieDomain, oh, originalURL)
	}
	return nil
}

// param is one query parameter, in order.
type param struct{ name, value string }

// appendExtraParams adds OIDCAuthRequestParams-style parameters: a query
// string whose "#" values copy the current request's parameter.
func appendExtraParams(params []param, extra string, query url.Values) []param {
	if extra == "" {
		return params
	}
	for _, kv := range strings.Split(extra, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		if v == "#" {
			qv, ok := query[k]
			if !ok || len(qv) == 0 {
				continue
			}
			v = qv[0]
		}
		params = append(params, param{k, v})
	}
	return params
}

// encodeURL appends params to base with "?" or "&", every byte outside
// RFC 3986's unreserved set percent-encoded in upper-case hex.
func encodeURL(base string, params []param) string {
	var b strings.Builder
	b.WriteString(base)
	sep := byte('?')
	if strings.Contains(base, "?") {
		sep = '&'
	}
	for _, p := range params {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(p.name))
		b.WriteByte('=')
		b.WriteString(escape(p.value))
	}
	return b.String()
}

func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
