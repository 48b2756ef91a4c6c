package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
	"github.com/oidcgate/oidcgate/cache"
	"github.com/oidcgate/oidcgate/internal/errorlog"
	"github.com/oidcgate/oidcgate/oidc"
	"github.com/oidcgate/oidcgate/oidc/claims"
)

// oidcSettings translates a server's OIDC* directives into the relying
// party's settings, with mod_auth_openidc 2.4.12.3's defaults.
func oidcSettings(srv *apacheconf.Server) oidc.Settings {
	o := srv.OIDC
	str := func(name, def string) string {
		if v, ok := o.Value(name); ok {
			return v.String()
		}
		return def
	}
	secs := func(name string, def int) time.Duration {
		if v, ok := o.Value(name); ok {
			return time.Duration(v.Int) * time.Second
		}
		return time.Duration(def) * time.Second
	}
	flag := func(name string, def bool) bool {
		if v, ok := o.Value(name); ok {
			return v.Bool
		}
		return def
	}
	s := oidc.Settings{
		MetadataURL:              str("OIDCProviderMetadataURL", ""),
		Issuer:                   str("OIDCProviderIssuer", ""),
		AuthorizationEndpoint:    str("OIDCProviderAuthorizationEndpoint", ""),
		TokenEndpoint:            str("OIDCProviderTokenEndpoint", ""),
		UserInfoEndpoint:         str("OIDCProviderUserInfoEndpoint", ""),
		JWKSURI:                  str("OIDCProviderJwksUri", ""),
		EndSessionEndpoint:       str("OIDCProviderEndSessionEndpoint", ""),
		RevocationEndpoint:       str("OIDCProviderRevocationEndpoint", ""),
		CheckSessionIFrame:       str("OIDCProviderCheckSessionIFrame", ""),
		LogoutRequestParams:      str("OIDCLogoutRequestParams", ""),
		MetadataRefresh:          secs("OIDCProviderMetadataRefreshInterval", 0),
		ClientID:                 str("OIDCClientID", ""),
		ClientSecret:             str("OIDCClientSecret", ""),
		RedirectURI:              str("OIDCRedirectURI", ""),
		Scope:                    str("OIDCScope", "openid"),
		AuthRequestParams:        str("OIDCAuthRequestParams", ""),
		ResponseMode:             str("OIDCResponseMode", ""),
		PKCEMethod:               str("OIDCPKCEMethod", "S256"),
		TokenEndpointAuth:        str("OIDCProviderTokenEndpointAuth", "client_secret_basic"),
		IDTokenSignedAlg:         str("OIDCIDTokenSignedResponseAlg", ""),
		UserInfoSignedAlg:        str("OIDCUserInfoSignedResponseAlg", ""),
		UserInfoEncryptedAlg:     str("OIDCUserInfoEncryptedResponseAlg", ""),
		UserInfoEncryptedEnc:     str("OIDCUserInfoEncryptedResponseEnc", ""),
		ValidateIssuer:           flag("OIDCValidateIssuer", true),
		IATSlack:                 secs("OIDCIDTokenIatSlack", 600),
		JWKSRefresh:              secs("OIDCJWKSRefreshInterval", 3600),
		CryptoPassphrase:         str("OIDCCryptoPassphrase", ""),
		StateTimeout:             secs("OIDCStateTimeout", 300),
		StateMaxCookies:          7,
		StateInputXFF:            true,
		StateInputUA:             true,
		SessionInactivityTimeout: secs("OIDCSessionInactivityTimeout", 300),
		SessionMaxDuration:       secs("OIDCSessionMaxDuration", 28800),
		PersistentCookie:         flag("OIDCSessionCookiePersistent", false),
		CookieDomain:             str("OIDCCookieDomain", ""),
		CookieHTTPOnly:           flag("OIDCCookieHTTPOnly", true),
		CookieSameSite:           flag("OIDCCookieSameSite", false),
		RemoteUserClaim:          "sub@",
		ClaimPrefix:              str("OIDCClaimPrefix", "OIDC_CLAIM_"),
		ClaimDelimiter:           str("OIDCClaimDelimiter", ","),
		PassIDTokenAs:            []string{"claims"},
		PassUserInfoAs:           []string{"claims"},
		DefaultURL:               str("OIDCDefaultURL", ""),
		DefaultLoggedOutURL:      str("OIDCDefaultLoggedOutURL", ""),
		HTTPTimeoutLong:          secs("OIDCHTTPTimeoutLong", 60),
		HTTPTimeoutShort:         secs("OIDCHTTPTimeoutShort", 5),
		SSLValidateServer:        flag("OIDCSSLValidateServer", true),
		CABundlePath:             str("OIDCCABundlePath", ""),
		OutgoingProxy:            str("OIDCOutgoingProxy", ""),
	}
	// OIDCSessionType: 2.4.12.3's six spellings (oidc_parse_session_type);
	// client-cookie:persistent:store_id_token is read as meant (2.4.12.3
	// compared the suffix with a leading ":" and so set neither flag).
	if v, ok := o.Value("OIDCSessionType"); ok {
		typ, suffix, _ := strings.Cut(v.String(), ":")
		s.ClientCookieSession = typ == "client-cookie"
		for _, w := range strings.Split(suffix, ":") {
			switch w {
			case "persistent":
				s.PersistentCookie = true
			case "store_id_token":
				s.CookieStoreIDToken = s.ClientCookieSession
			}
		}
	}
	s.SessionCookieChunkSize = 4000
	if v, ok := o.Value("OIDCSessionCookieChunkSize"); ok {
		s.SessionCookieChunkSize = v.Int
	}
	s.CacheFallbackToCookie = flag("OIDCSessionCacheFallbackToCookie", false)
	if v, ok := o.Value("OIDCStateMaxNumberOfCookies"); ok {
		s.StateMaxCookies = v.Int
		if len(v.Words) > 1 {
			s.StateDeleteOldest = isTrue(v.Words[1])
		}
	}
	if v, ok := o.Value("OIDCStateInputHeaders"); ok {
		w := strings.ToLower(v.String())
		s.StateInputXFF = w == "both" || w == "x-forwarded-for"
		s.StateInputUA = w == "both" || w == "user-agent"
	}
	if v, ok := o.Value("OIDCRemoteUserClaim"); ok {
		s.RemoteUserClaim = v.String()
		if len(v.Words) > 1 {
			if len(v.Regexps) > 0 {
				s.RemoteUserRegexp = v.Regexps[0]
			} else {
				s.RemoteUserBadPattern = true
			}
		}
		if len(v.Words) > 2 {
			s.RemoteUserReplace = v.Words[2]
		}
	}
	if v, ok := o.Value("OIDCPassIDTokenAs"); ok {
		s.PassIDTokenAs = v.Words
	}
	if v, ok := o.Value("OIDCPassUserInfoAs"); ok {
		s.PassUserInfoAs = v.Words
	}
	s.LogoutXFrameOptions = str("OIDCLogoutXFrameOptions", "")
	s.TokenEndpointParams = str("OIDCProviderTokenEndpointParams", "")
	s.UserInfoPostParam = str("OIDCUserInfoTokenMethod", "authz_header") == "post_param"
	s.UserInfoRefresh = secs("OIDCUserInfoRefreshInterval", 0)
	s.AuthRequestPOST = strings.EqualFold(str("OIDCProviderAuthRequestMethod", "GET"), "POST")
	if v, ok := o.Value("OIDCXForwardedHeaders"); ok {
		for _, w := range v.Words {
			switch strings.ToLower(w) {
			case "x-forwarded-host":
				s.XForwarded.XForwardedHost = true
			case "x-forwarded-port":
				s.XForwarded.XForwardedPort = true
			case "x-forwarded-proto":
				s.XForwarded.XForwardedProto = true
			case "forwarded":
				s.XForwarded.Forwarded = true
			}
		}
	}
	if v, ok := o.Value("OIDCInfoHook"); ok {
		s.InfoHook = v.Words
	}
	// Server-wide even when written in a section (apacheconf keeps them on
	// the server, lines accumulating); a virtual host's list replaces the
	// main server's whole.
	if v, ok := o.Value("OIDCWhiteListedClaims"); ok {
		s.WhiteListedClaims = append([]string{}, v.Words...)
	}
	if v, ok := o.Value("OIDCIDTokenAudValues"); ok { // upstream only
		s.IDTokenAudValues = append([]string{}, v.Words...)
	}
	if v, ok := o.Value("OIDCBlackListedClaims"); ok {
		s.BlackListedClaims = append([]string{}, v.Words...)
	}
	if v, ok := o.Value("OIDCPreservePostTemplates"); ok { // upstream only; checked at load
		for i, f := range v.Words {
			if b, err := os.ReadFile(f); err == nil && i == 0 {
				s.PreserveTemplate = string(b)
			} else if err == nil && i == 1 {
				s.RestoreTemplate = string(b)
			}
		}
	}
	if v, ok := o.Value("OIDCFilterClaimsExpr"); ok { // upstream only
		s.FilterClaimsExpr = filterClaimsExpr(v)
	}
	oidcProviderSettings(o, &s, str)
	if v, ok := o.Value("OIDCHTMLErrorTemplate"); ok {
		if b, err := os.ReadFile(v.String()); err == nil {
			s.ErrorTemplate = string(b)
		}
	}
	return s
}

func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "on", "yes", "1":
		return true
	}
	return false
}

// oidcDirSettings translates a request's merged per-directory OIDC*
// directives.
func oidcDirSettings(d *apacheconf.OIDCDir) *oidc.DirSettings {
	str := func(name, def string) string {
		if v, ok := d.Value(name); ok {
			return v.String()
		}
		return def
	}
	ds := &oidc.DirSettings{
		CookieName:            str("OIDCCookie", "mod_auth_openidc_session"),
		CookiePath:            str("OIDCCookiePath", ""),
		StateCookiePrefix:     str("OIDCStateCookiePrefix", "mod_auth_openidc_state_"),
		PassHeaders:           true,
		PassEnv:               true,
		AuthNHeader:           str("OIDCAuthNHeader", ""),
		UnAuthAction:          "auth",
		UnAutzAction:          "403",
		PathScope:             str("OIDCPathScope", ""),
		PathAuthRequestParams: str("OIDCPathAuthRequestParams", ""),
	}
	if v, ok := d.Value("OIDCPassClaimsAs"); ok && len(v.Words) > 1 {
		ds.PassEncoding, _ = claims.CheckEncoding(v.Words[1])
	}
	switch str("OIDCPassClaimsAs", "both") {
	case "none":
		ds.PassHeaders, ds.PassEnv = false, false
	case "headers":
		ds.PassEnv = false
	case "environment":
		ds.PassHeaders = false
	}
	if v, ok := d.Value("OIDCPassRefreshToken"); ok {
		ds.PassRefreshToken = v.Bool
	}
	if v, ok := d.Value("OIDCPassAccessToken"); ok { // upstream only
		ds.HideAccessToken = !v.Bool
	}
	if v, ok := d.Value("OIDCUnAuthAction"); ok {
		ds.UnAuthAction = v.String()
		// The expression form is decided per request (unAuthExpr).
	}
	if v, ok := d.Value("OIDCUnAutzAction"); ok {
		ds.UnAutzAction = v.String()
		if len(v.Words) > 1 {
			ds.UnAutzArg = v.Words[1]
		}
	}
	if v, ok := d.Value("OIDCRedirectURLsAllowed"); ok {
		ds.RedirectURLsAllowed = v.Regexps
		ds.RedirectURLsBad = len(v.Regexps) == 0 && len(v.Words) > 0
	}
	ds.DiscoverURL = str("OIDCDiscoverURL", "")
	if v, ok := d.Value("OIDCPreservePost"); ok {
		ds.PreservePost = isTrue(v.String())
	}
	if v, ok := d.Value("OIDCRefreshAccessTokenBeforeExpiry"); ok {
		ds.Refresh, ds.RefreshBeforeExpiry = true, v.Int
		ds.RefreshLogoutOnError = len(v.Words) > 1 && v.Words[1] == "logout_on_error"
	}
	if v, ok := d.Value("OIDCStripCookies"); ok {
		ds.StripCookies = v.Words
	}
	if v, ok := d.Value("OIDCPassCookies"); ok {
		ds.PassCookies = v.Words
	}
	return ds
}

// serverWhiteList is OIDCWhiteListedClaims, which 2.4.12.3 keeps per
// server even when written in a section: with an empty OIDCClaimPrefix the
// scrubbing of incoming headers uses it (oidc_scrub_headers). NewSite
// looks it up once per server (Site.whiteLists).
func serverWhiteList(srv *apacheconf.Server) []string {
	if srv == nil || srv.OIDC == nil {
		return nil
	}
	if v, ok := srv.OIDC.Value("OIDCWhiteListedClaims"); ok {
		return v.Words
	}
	return nil
}

// oidcNamespace keys a virtual host's sessions apart from the others' in
// the shared store: 2.4.12.3 gives every virtual host its own cache, so a
// session of one is never valid on another (even on the same host name and
// another port). It is stable across reloads.
func oidcNamespace(srv *apacheconf.Server, st oidc.Settings) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%v\x00", srv.Name, srv.IsVirtual)
	for _, a := range srv.Addrs {
		fmt.Fprintf(h, "%s:%d\x00", a.Host, a.Port)
	}
	fmt.Fprintf(h, "%s\x00%s\x00%s", st.ClientID, st.MetadataURL, st.Issuer)
	if st.MetadataDir != "" {
		fmt.Fprintf(h, "\x00%s", st.MetadataDir)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// oidcAuthTypes are the AuthType values mod_auth_openidc acts on.
func isOpenIDConnect(authType string) bool { return strings.EqualFold(authType, "openid-connect") }

// relyingParties builds one relying party per server that configures one,
// all sharing store.
func relyingParties(cfg *apacheconf.Config, store oidc.Store, rss map[*apacheconf.Server]*oidc.ResourceServer, log *slog.Logger) map[*apacheconf.Server]*oidc.RelyingParty {
	out := map[*apacheconf.Server]*oidc.RelyingParty{}
	if store == nil {
		return out
	}
	for _, srv := range append([]*apacheconf.Server{cfg.Main}, cfg.VHosts...) {
		if srv.OIDC == nil {
			continue
		}
		st := oidcSettings(srv)
		st.Namespace = oidcNamespace(srv, st)
		// mod_auth_openidc's lines, in this server's error log
		rlog := log.With(errorlog.Module("auth_openidc"), errorlog.Server(srv))
		var err error
		if st.PrivateKeys, st.PublicKeys, err = oidcKeys(srv, cfg.ServerRoot); err != nil {
			rlog.Error("relying party could not be set up", "server", srv.Name, "err", err)
			continue
		}
		tokenEndpointCert(srv, cfg.ServerRoot, &st)
		if st.VerifyKeys, err = providerVerifyKeys(srv, cfg.ServerRoot); err != nil {
			rlog.Error("relying party could not be set up", "server", srv.Name, "err", err)
			continue
		}
		opts := []oidc.Option{oidc.WithLogger(rlog)}
		if rs := rss[srv]; rs != nil {
			// ?remove_at_cache= reaches the resource server's cache.
			opts = append(opts, oidc.WithAccessTokenCache(rs.RemoveATCache))
		}
		rp, err := oidc.New(st, store, opts...)
		if err != nil {
			rlog.Error("relying party could not be set up", "server", srv.Name, "err", err)
			continue
		}
		out[srv] = rp
	}
	return out
}

// claimRules compiles Require claim / claims_expr lines once per node.
// A Require claim line is an ap_expr string (escapes, %{VAR}) split into
// words afterwards, as mod_auth_openidc 2.4.12.3 parses it; the words are
// compiled again only when the evaluated line changes.
type claimRules struct {
	mu    sync.Mutex
	rules map[*apacheconf.AuthzNode]*claimRule
}

type claimRule struct {
	mu sync.Mutex
	// line is the parsed ap_expr of a claim line; nil for claims_expr.
	line *expr.Expr
	// last is the evaluated line match was compiled from.
	last  string
	match func(claims.Claims) bool
}

func (c *claimRules) rule(n *apacheconf.AuthzNode, log *slog.Logger) *claimRule {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rules[n]; ok {
		return r
	}
	r := &claimRule{}
	switch n.Provider {
	case "claim":
		e, err := expr.Parse(n.Line, expr.String)
		if err != nil {
			log.Error("Cannot parse expression in require line: "+err.Error(), "pos", n.Pos.String())
		}
		r.line = e
	case "claims_expr":
		if cr, err := claims.CompileClaimsExpr(n.Args); err == nil {
			r.match = cr.Match
		} else {
			log.Error("Require claims_expr cannot be compiled", "pos", n.Pos.String(), "err", err)
		}
	}
	if c.rules == nil {
		c.rules = map[*apacheconf.AuthzNode]*claimRule{}
	}
	c.rules[n] = r
	return r
}

// compileClaimWords splits an evaluated line with Apache's word rules and
// compiles the words; nil (never matches) when they do not compile.
func compileClaimWords(line string, n *apacheconf.AuthzNode, log *slog.Logger) func(claims.Claims) bool {
	var words []string
	for _, w := range apacheconf.SplitWords(line) {
		words = append(words, w.Text)
	}
	cr, err := claims.CompileRequireClaim(words)
	if err != nil {
		log.Error("Require claim cannot be compiled", "pos", n.Pos.String(), "err", err)
		return nil
	}
	return cr.Match
}

func (c *claimRules) match(n *apacheconf.AuthzNode, cl claims.Claims, v expr.Vars, log *slog.Logger) bool {
	r := c.rule(n, log)
	if n.Provider == "claims_expr" {
		return r.match != nil && r.match(cl)
	}
	if r.line == nil {
		return false
	}
	line, err := r.line.String(v)
	if err != nil {
		log.Error("Require claim line could not be evaluated", "pos", n.Pos.String(), "err", err)
		return false
	}
	r.mu.Lock()
	if r.match == nil || line != r.last {
		r.match, r.last = compileClaimWords(line, n, log), line
	}
	f := r.match
	r.mu.Unlock()
	return f != nil && f(cl)
}

// authenticateOIDC runs the relying party for a request whose AuthType is
// openid-connect. It reports whether the request goes on.
func (s *Site) authenticateOIDC(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, uri string, env map[string]string) (oidc.Result, *oidc.Request, bool) {
	rp := s.rps[srv]
	if rp == nil {
		s.logFor(r).Error("AuthType openid-connect without a relying-party configuration", "server", srv.Name)
		s.writeError(w, r, dir, http.StatusInternalServerError, "")
		return oidc.Result{}, nil, false
	}
	ds := s.dirs.dirSettings(dir.OIDC)
	ds.WhiteListedClaims = s.whiteLists[srv]
	if v, ok := dir.OIDC.Value("OIDCUnAuthAction"); ok && len(v.Words) > 1 {
		// OIDCUnAuthAction <action> <expr>: the action when the expression
		// is true, else auth — and no XHR detection either way.
		ds.UnAuthExpr = true
		e, err := s.exprs.parse(v.Words[1], expr.Boolean)
		ok := false
		if err == nil {
			ok, err = e.Bool(reqVars{r: r, env: env, srv: srv, lookupEnv: s.lookupEnv})
		}
		if err != nil {
			s.logFor(r).Error("OIDCUnAuthAction expression", "pos", v.Pos.String(), "err", err)
		}
		if !ok {
			ds.UnAuthAction = "auth"
		}
	}
	if v, ok := dir.OIDC.Value("OIDCUserInfoClaimsExpr"); ok { // upstream only
		ds.UserInfoClaimsExpr, ds.UserInfoClaimsExprErr = s.userInfoClaimsExpr(v, reqVars{r: r, env: env, srv: srv, lookupEnv: s.lookupEnv})
	}
	q := &oidc.Request{HTTP: r, Path: uri, Dir: ds, Env: env, TLS: r.TLS != nil, LocalPort: int(localAddr(r).Port()), DeferHeaders: deferIdentity(dir)}
	res := rp.Authenticate(w, q)
	keepIdentity(r, res.Headers)
	if res.Done {
		return res, q, false
	}
	copyHeaders(w.Header(), res.Header)
	switch {
	case res.Status == http.StatusFound && res.Location != "":
		s.writeRedirect(w, r, http.StatusFound, res.Location)
		return res, q, false
	case res.Status != 0:
		s.writeError(w, r, dir, res.Status, "")
		return res, q, false
	}
	return res, q, true
}

func copyHeaders(dst, src http.Header) {
	for k, v := range src {
		dst[k] = append(dst[k], v...)
	}
}

// oidcAuthn is a request's authentication outcome.
type oidcAuthn struct {
	res oidc.Result
	q   *oidc.Request
	// oauth: the resource server authenticated the request (oauth20, or
	// auth-openidc with a token).
	oauth bool
	// claimDenied: a Require claim / claims_expr line denied the user
	// (AuthzRequest.ClaimDenied).
	claimDenied bool
}

// denyOIDC answers a request whose authenticated user Require denied:
// OIDCUnAutzAction when a Require claim line denied (the module runs it
// inside its provider; a denial by any other line, or by "Require not
// claim", is Apache's alone), else Apache's 401 (403 with
// AuthzSendForbiddenOnFailure On). A request that Require grants after a
// claim line denied is not answered here: see unautz.go.
func (s *Site) denyOIDC(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, a *oidcAuthn) {
	status := http.StatusUnauthorized
	if dir.Authz != nil && dir.Authz.ForbiddenOnFailure != nil && *dir.Authz.ForbiddenOnFailure {
		status = http.StatusForbidden
	}
	if rp := s.rps[srv]; rp != nil && a.claimDenied && !a.oauth && a.q != nil {
		if _, done := rp.Unauthorized(w, a.q); done {
			// The module's page goes out with its own status (200 for
			// the text, redirect and step-up pages) while the request's
			// status, the one Apache logs, is the denial.
			if st := stateOf(r); st != nil {
				st.logStatus = status
			}
			return
		}
	}
	s.writeError(w, r, dir, status, "")
}

// SetSessionStore sets the store the site's relying parties keep sessions
// in, shared across reloads; without it a site keeps them in a private
// in-memory store.
func (s *Site) SetSessionStore(store oidc.Store) {
	if s.ownStore != nil && oidc.Store(s.ownStore) != store {
		s.ownStore.Close()
		s.ownStore = nil
	}
	s.rss = resourceServers(s.cfg, store, s.log)
	s.rps = relyingParties(s.cfg, store, s.rss, s.log)
}

// NewSessionStore returns the in-memory session store for cfg, sized from
// the main server's OIDCCacheShmMax and OIDCCacheShmEntrySizeMax.
func NewSessionStore(cfg *apacheconf.Config) (*cache.Memory, error) {
	o := cache.MemoryOptions{}
	if v, ok := cfg.Main.OIDC.Value("OIDCCacheShmMax"); ok {
		o.MaxEntries = int64(v.Int)
	}
	if v, ok := cfg.Main.OIDC.Value("OIDCCacheShmEntrySizeMax"); ok {
		o.MaxEntrySize = v.Int
	}
	return cache.NewMemory(o)
}

// scrubIdentity removes spoofed identity headers from a request on an
// openid-connect path that needed no login.
func (s *Site) scrubIdentity(r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig) {
	scrubUserInfoHeader(r, s.userInfoHeaders[srv])
	prefix := "OIDC_CLAIM_"
	if srv.OIDC != nil {
		if v, ok := srv.OIDC.Value("OIDCClaimPrefix"); ok {
			prefix = v.String()
		}
	}
	ds := s.dirs.dirSettings(dir.OIDC)
	ds.WhiteListedClaims = s.whiteLists[srv]
	sc := claims.Scrubber{ClaimPrefix: prefix, AuthnHeader: ds.AuthNHeader, WhiteListedClaims: ds.WhiteListedClaims}
	for name := range r.Header {
		if sc.Match(name) {
			delete(r.Header, name)
		}
	}
}

// exprCache keeps parsed ap_expr sources (they are parsed once per site).
type exprCache struct{ m sync.Map }

type exprEntry struct {
	e   *expr.Expr
	err error
}

func (c *exprCache) parse(src string, mode expr.Mode) (*expr.Expr, error) {
	key := string(rune('0'+mode)) + src
	if v, ok := c.m.Load(key); ok {
		en := v.(exprEntry)
		return en.e, en.err
	}
	e, err := expr.Parse(src, mode)
	c.m.Store(key, exprEntry{e, err})
	return e, err
}
