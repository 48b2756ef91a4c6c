package oidc

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/oidcgate/oidcgate/oidc/urlcheck"
)

// csrfCookie is the cookie that ties a choice-page answer to the page
// (OIDC_CSRF_NAME).
const csrfCookie = "x_csrf"

// loginOptions are what a discovery answer or third-party-initiated login
// adds to the authorization request.
type loginOptions struct {
	loginHint, authRequestParams, scopes, method string
}

// authenticateMulti is Authenticate with OIDCMetadataDir: the request is
// handed to the relying party of the provider it belongs to — the
// session's, the state cookie's or the logout token's issuer — and
// otherwise answered here (choice page, discovery answer).
func (rp *RelyingParty) authenticateMulti(w http.ResponseWriter, q *Request) Result {
	x := rp.newExchange(w, q)
	ctx := context.WithValue(q.HTTP.Context(), requestBaseKey{}, x.q.Scheme+"://"+x.q.Host)
	sess := rp.sessionFromCookie(ctx, x)
	issuer := ""
	if sess != nil {
		issuer = sess.Issuer
	}
	if q.Path == rp.redirectPath {
		issuer = rp.redirectURIIssuer(x, issuer)
	}
	if issuer != "" {
		child, err := rp.providerFor(ctx, issuer, false)
		if err != nil {
			rp.log.Error("no provider metadata found for issuer \""+issuer+"\"", "err", err)
			return x.status(http.StatusInternalServerError)
		}
		// The cookies this exchange decided on (a stale session cookie
		// deleted) are decided again by the provider's relying party.
		return child.Authenticate(w, q)
	}
	if q.Path == rp.redirectPath {
		return rp.redirectURIRequest(ctx, x, sess)
	}
	return rp.unauthenticated(ctx, x)
}

// redirectURIIssuer finds the provider a redirect-URI request is for, in
// the module's dispatch order: an authorization response by its state
// cookie, a back-channel logout by its token's (as yet unverified) iss,
// a discovery answer by nobody (answered here), anything else by the
// session.
func (rp *RelyingParty) redirectURIIssuer(x *exchange, sessionIssuer string) string {
	rq := x.r.URL.RawQuery
	switch {
	case x.r.Method == http.MethodGet && (hasParam(rq, "code") || hasParam(rq, "id_token")):
		q := parseParams(rq)
		return rp.stateIssuer(x, q.Get("state"))
	case hasParam(rq, "logout"):
		q := parseParams(rq)
		if q.Get("logout") == "backchannel" {
			body := peekBody(x.r)
			f := parseParams(string(body))
			return unverifiedIssuer(f.Get("logout_token"))
		}
	case x.r.Method == http.MethodPost:
		body := peekBody(x.r)
		f := parseParams(string(body))
		return rp.stateIssuer(x, f.Get("state"))
	case hasParam(rq, "iss") || hasParam(rq, "disc_user"):
		return ""
	case hasParam(rq, "error"):
		q := parseParams(rq)
		if is := rp.stateIssuer(x, q.Get("state")); is != "" {
			return is
		}
	}
	return sessionIssuer
}

// peekBody reads a form body (bounded) and puts it back for the handler.
func peekBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// stateIssuer is the issuer stored in the state cookie of state ("" when
// there is none or it does not decrypt).
func (rp *RelyingParty) stateIssuer(x *exchange, state string) string {
	if state == "" {
		return ""
	}
	v, ok := getCookie(x.r.Header, x.dir.StateCookiePrefix+state)
	if !ok {
		return ""
	}
	st, ok := rp.openState(v)
	if !ok {
		return ""
	}
	return st.Issuer
}

// unverifiedIssuer is the iss claim of a JWT, unverified: it only picks
// the provider whose keys then verify the token.
func unverifiedIssuer(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > 64<<10 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Iss
}

// discovery sends a user without a provider to OIDCDiscoverURL or shows
// the built-in choice page (oidc_discovery).
func (rp *RelyingParty) discovery(ctx context.Context, x *exchange) Result {
	current := x.currentURL()
	method := "get"
	preserved, preserve := preservedForm(x.r, x.dir)
	if preserve {
		method = "form_post"
	}
	csrf := randomString(8)
	sameSite := x.cw.sameSiteNone()
	if rp.s.CookieSameSite {
		sameSite = "Strict"
	}
	if d := x.dir.DiscoverURL; d != "" {
		sep := "?"
		if strings.Contains(d, "?") {
			sep = "&"
		}
		u := d + sep + "target_link_uri=" + escape(current) + "&method=" + method +
			"&oidc_callback=" + escape(x.redirectURI()) + "&x_csrf=" + escape(csrf)
		if x.dir.PathScope != "" {
			u += "&scopes=" + escape(x.dir.PathScope)
		}
		if x.dir.PathAuthRequestParams != "" {
			u += "&auth_request_params=" + escape(x.dir.PathAuthRequestParams)
		}
		x.setCookie(cookie{name: csrfCookie, value: csrf, sameSite: sameSite})
		if preserve {
			return rp.preservePage(x, preserved, u)
		}
		return x.redirect(u)
	}
	providers, err := rp.listProviders(ctx)
	if err != nil {
		rp.log.Error(err.Error())
		return rp.sendError(x, "Configuration Error", "No configured providers found, contact your administrator", pageStatus)
	}
	var b strings.Builder
	b.WriteString("\t\t\t<h3>Select your OpenID Connect Identity Provider</h3>\n")
	ru := x.redirectURI()
	for _, p := range providers {
		issuer := p.s.Issuer
		href := ru + "?iss=" + escape(issuer) + "&amp;target_link_uri=" + escape(current) + "&amp;method=" + method + "&amp;x_csrf=" + csrf
		if x.dir.PathScope != "" {
			href += "&amp;scopes=" + escape(x.dir.PathScope)
		}
		if x.dir.PathAuthRequestParams != "" {
			href += "&amp;auth_request_params=" + escape(x.dir.PathAuthRequestParams)
		}
		display := issuer
		if i := strings.Index(issuer, "https://"); i >= 0 {
			display = issuer[i+len("https://"):]
		}
		b.WriteString("<p><a href=\"" + href + "\">" + attrEscape(display) + "</a></p>\n")
	}
	b.WriteString("<form method=\"get\" action=\"" + attrEscape(ru) + "\">\n")
	hidden := func(name, value string) {
		b.WriteString("<p><input type=\"hidden\" name=\"" + name + "\" value=\"" + attrEscape(value) + "\"><p>\n")
	}
	hidden("target_link_uri", current)
	hidden("method", method)
	hidden("x_csrf", csrf)
	if x.dir.PathScope != "" {
		hidden("scopes", x.dir.PathScope)
	}
	if x.dir.PathAuthRequestParams != "" {
		hidden("auth_request_params", x.dir.PathAuthRequestParams)
	}
	b.WriteString("<p>Or enter your account name (eg. &quot;mike@seed.gluu.org&quot;, or an IDP identifier (eg. &quot;mitreid.org&quot;):</p>\n")
	b.WriteString("<p><input type=\"text\" name=\"iss\" value=\"\"></p>\n")
	b.WriteString("<p><input type=\"submit\" value=\"Submit\"></p>\n")
	b.WriteString("</form>\n")
	x.setCookie(cookie{name: csrfCookie, value: csrf, sameSite: sameSite})
	// Let through with an empty user: the page is the answer.
	x.res.HasUser = true
	head, onLoad := "<style type=\"text/css\">body {text-align: center}</style>", ""
	if preserve {
		// The form is kept in sessionStorage while the user chooses
		// (oidc_post_preserve_javascript without a location).
		head += preserveScript(preserved)
		onLoad = "preserveOnLoad"
	}
	return rp.sendHTMLOnLoad(x, "OpenID Connect Provider Discovery", head, onLoad, b.String(), http.StatusOK)
}

// pageStatus is the status of the module's refusal pages here: 2.4.12.3
// sends the page (status 200) and only then returns its error status,
// which Apache can no longer send (it appends a second error document,
// DESIGN.md's deliberate difference 3: not reproduced).
const pageStatus = http.StatusOK

// refuseUpstream answers as current upstream does for its own features
// (OIDCDiscoverIssuersAllowed): the status, with Apache's error document,
// and OIDC_ERROR / OIDC_ERROR_DESC for ErrorDocument.
func (rp *RelyingParty) refuseUpstream(x *exchange, title, desc string, status int) Result {
	if x.q.Env != nil {
		x.q.Env["OIDC_ERROR"] = headerSafe(title)
		x.q.Env["OIDC_ERROR_DESC"] = headerSafe(desc)
	}
	return x.status(status)
}

// preserveScript is the module's script that stores a preserved form
// without going anywhere.
func preserveScript(params []param) string {
	var js strings.Builder
	js.WriteString("{ ")
	for i, p := range params {
		js.WriteString("'" + escape(p.name) + "': '" + escape(p.value) + "'")
		if i < len(params)-1 {
			js.WriteString(",")
		}
	}
	js.WriteString(" }")
	return "    <script type=\"text/javascript\">\n" +
		"      function preserveOnLoad() {\n" +
		"        sessionStorage.setItem('" + preserveKey + "', JSON.stringify(" + js.String() + "));\n" +
		"              }\n" +
		"    </script>\n"
}

// attrEscape escapes what could end an attribute value or start markup;
// 2.4.12.3 wrote these values raw (upstream escapes them), so for the
// URLs browsers send the bytes are the module's.
func attrEscape(s string) string { return attrEscaper.Replace(s) }

var attrEscaper = strings.NewReplacer("'", "&apos;", `"`, "&quot;", ">", "&gt;", "<", "&lt;")

// discoveryResponse answers a choice-page selection or a third-party-
// initiated login on the redirect URI: ?iss= or ?disc_user=, with
// target_link_uri, login_hint, method, x_csrf and (only when the CSRF
// check passes, as upstream) scopes and auth_request_params
// (oidc_handle_discovery_response).
func (rp *RelyingParty) discoveryResponse(ctx context.Context, x *exchange) Result {
	rq := x.r.URL.RawQuery
	issuer, hasIss := requestParam(rq, "iss")
	user, hasUser := requestParam(rq, "disc_user")
	target, hasTarget := requestParam(rq, "target_link_uri")
	opts := loginOptions{}
	opts.loginHint, _ = requestParam(rq, "login_hint")
	opts.scopes, _ = requestParam(rq, "scopes")
	opts.authRequestParams, _ = requestParam(rq, "auth_request_params")
	opts.method, _ = requestParam(rq, "method")

	csrfValid := false
	if c, ok := getCookie(x.r.Header, csrfCookie); ok {
		x.setCookie(cookie{name: csrfCookie, sameSite: x.cw.sameSiteNone()})
		qv, qok := requestParam(rq, "x_csrf")
		// Stricter than the module: an empty value proves nothing.
		if qok && c != "" && constantEqual(qv, c) {
			csrfValid = true
		} else {
			rp.log.Warn("CSRF protection failed, no Discovery and dynamic client registration will be allowed")
		}
	}
	if !csrfValid && (opts.scopes != "" || opts.authRequestParams != "") {
		// Upstream: a link from elsewhere must not choose scopes or
		// authorization parameters (2.4.12.3 took them).
		rp.log.Warn("ignoring the \"scopes\" and/or \"auth_request_params\" parameter(s): they are only honoured on a Discovery response that passes CSRF validation, not on 3rd-party initiated SSO")
		opts.scopes, opts.authRequestParams = "", ""
	}
	issuer, user = strings.TrimSpace(issuer), strings.TrimSpace(user)

	if !hasTarget {
		if rp.s.DefaultURL == "" {
			return rp.sendError(x, "Invalid Request", "SSO to this module without specifying a \"target_link_uri\" parameter is not possible because OIDCDefaultURL is not set.", pageStatus)
		}
		target = rp.absURL(x, rp.s.DefaultURL)
	}
	if err := rp.targetLinkMatches(x, target); err != nil {
		rp.log.Error(err.Error())
		return rp.sendError(x, "Invalid Request", "\"target_link_uri\" parameter does not match configuration settings, aborting to prevent an open redirect.", pageStatus)
	}
	allowed := x.dir.RedirectURLsAllowed
	if x.dir.RedirectURLsBad {
		allowed = neverMatch
	}
	if err := urlcheck.ValidateRedirect(target, x.hostOnly(), allowed); err != nil {
		title, desc := "Invalid Request", err.Error()
		if e, ok := err.(*urlcheck.Error); ok {
			title, desc = e.Title, e.Description
		}
		rp.log.Error(desc)
		return rp.sendError(x, title, desc, pageStatus)
	}

	if rp.multi == nil {
		// One provider: an iss must be its issuer.
		if hasIss {
			md, err := rp.prov.metadata(ctx)
			if err != nil {
				rp.log.Error("could not obtain the provider metadata", "err", err)
				return x.status(http.StatusInternalServerError)
			}
			if md.Issuer != issuer {
				// The module names OIDCProviderIssuer here, "(null)" when
				// only a metadata URL is configured.
				configured := rp.s.Issuer
				if configured == "" {
					configured = "(null)"
				}
				return rp.sendError(x, "Invalid Request", "The \"iss\" value must match the configured providers' one ("+issuer+" != "+configured+").", pageStatus)
			}
		}
		x.login = &opts
		return rp.authenticateUser(ctx, x, target)
	}

	if hasUser && user != "" {
		if opts.loginHint == "" {
			opts.loginHint = user
		}
		if !strings.HasPrefix(user, "https://") {
			user = "https://" + user
		}
		if !rp.discoverAllowed(user) {
			return rp.refuseUpstream(x, "Invalid Request", "The provided user identifier is not in the list of allowed issuers; contact the administrator", http.StatusUnauthorized)
		}
		is, err := rp.webFinger(ctx, user, urlDomain(user))
		if err != nil {
			rp.log.Error("URL-based discovery failed", "err", err)
			return rp.sendError(x, "Invalid Request", "Could not resolve the provided user identifier to an OpenID Connect provider; check your syntax.", pageStatus)
		}
		issuer = is
	} else if strings.Contains(issuer, "@") {
		if opts.loginHint == "" {
			opts.loginHint = issuer
		}
		domain := issuer[strings.LastIndexByte(issuer, '@')+1:]
		if !rp.discoverAllowed("https://" + domain) {
			return rp.refuseUpstream(x, "Invalid Request", "The provided account name is not in the list of allowed issuers; contact the administrator", http.StatusUnauthorized)
		}
		is, err := rp.webFinger(ctx, "acct:"+issuer, domain)
		if err != nil {
			rp.log.Error("account-based discovery failed", "err", err)
			return rp.sendError(x, "Invalid Request", "Could not resolve the provided account name to an OpenID Connect provider; check your syntax.", pageStatus)
		}
		issuer = is
	}
	issuer = strings.TrimSuffix(issuer, "/")
	if !rp.discoverAllowed(issuer) {
		return rp.refuseUpstream(x, "Invalid Request", "The selected OpenID Connect provider issuer is not in the list of allowed issuers; contact the administrator", http.StatusUnauthorized)
	}
	child, err := rp.providerFor(ctx, issuer, csrfValid)
	if err != nil {
		rp.log.Error(err.Error())
		return rp.sendError(x, "Invalid Request", "Could not find valid provider metadata for the selected OpenID Connect provider; contact the administrator", pageStatus)
	}
	cx := *x
	cx.rp = child
	cx.login = &opts
	return child.authenticateUser(ctx, &cx, target)
}

// discoverAllowed applies upstream's OIDCDiscoverIssuersAllowed
// (unanchored regular expressions; none configured: any issuer).
func (rp *RelyingParty) discoverAllowed(issuer string) bool {
	if rp.s.DiscoverIssuersAllowed == nil {
		return true
	}
	for _, re := range rp.s.DiscoverIssuersAllowed {
		if re.MatchString(issuer) {
			return true
		}
	}
	rp.log.Warn("issuer (" + issuer + ") does not match the list of allowed Discovery issuers")
	return false
}

// targetLinkMatches is the first open-redirect check of a target_link_uri
// (oidc_target_link_uri_matches_configuration): its host must be the
// redirect URI's (or a subdomain of it), or inside OIDCCookieDomain, and
// its path must lie under OIDCCookiePath.
func (rp *RelyingParty) targetLinkMatches(x *exchange, target string) error {
	o, err := url.Parse(target)
	if err != nil || o.Hostname() == "" {
		return fmt.Errorf("could not parse the \"target_link_uri\" (%s) in to a valid URL: aborting.", target)
	}
	r, err := url.Parse(x.redirectURI())
	if err != nil {
		return fmt.Errorf("could not parse OIDCRedirectURI")
	}
	oh, rh := o.Hostname(), r.Hostname()
	if rp.s.CookieDomain == "" {
		if oh != rh && !strings.HasSuffix(oh, "."+rh) {
			return fmt.Errorf("the URL hostname (%s) of the configured OIDCRedirectURI does not match the URL hostname of the \"target_link_uri\" (%s): aborting to prevent an open redirect.", rh, oh)
		}
	} else if !strings.HasSuffix(oh, rp.s.CookieDomain) {
		return fmt.Errorf("the domain (%s) configured in OIDCCookieDomain does not match the URL hostname (%s) of the \"target_link_uri\" (%s): aborting to prevent an open redirect.", rp.s.CookieDomain, oh, target)
	}
	if cp := x.dir.CookiePath; cp != "" {
		p := o.EscapedPath()
		if !strings.HasPrefix(p, cp) {
			return fmt.Errorf("the path (%s) configured in OIDCCookiePath does not match the URL path (%s) of the \"target_link_uri\" (%s): aborting to prevent an open redirect.", cp, p, target)
		}
		if len(p) > len(cp) {
			n := len(cp)
			if strings.HasSuffix(cp, "/") {
				n--
			}
			if p[n] != '/' {
				return fmt.Errorf("the path (%s) configured in OIDCCookiePath does not match the URL path (%s) of the \"target_link_uri\" (%s): aborting to prevent an open redirect.", cp, p, target)
			}
		}
	}
	return nil
}

// urlDomain is host[:port] of an https URL (for WebFinger).
func urlDomain(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}

// webFinger resolves resource to its OpenID Connect issuer at
// https://domain/.well-known/webfinger (OpenID Connect Discovery 1.0 §2).
func (rp *RelyingParty) webFinger(ctx context.Context, resource, domain string) (string, error) {
	if domain == "" || strings.ContainsAny(domain, "/?#@") {
		return "", fmt.Errorf("no domain in %q", resource)
	}
	u := "https://" + domain + "/.well-known/webfinger?resource=" + escape(resource) + "&rel=" + escape("http://openid.net/specs/connect/1.0/issuer")
	b, err := rp.getJSON(ctx, u)
	if err != nil {
		return "", err
	}
	// The module takes the first link's href, which must be an https URL
	// (oidc_proto_webfinger_discovery).
	var doc struct {
		Links []json.RawMessage `json:"links"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Links) == 0 {
		return "", fmt.Errorf("the WebFinger answer from %s has no \"links\" array", domain)
	}
	var first struct {
		Href *string `json:"href"`
	}
	if err := json.Unmarshal(doc.Links[0], &first); err != nil || first.Href == nil {
		return "", fmt.Errorf("the first link of the WebFinger answer from %s has no \"href\"", domain)
	}
	if u, err := url.Parse(*first.Href); err != nil || u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("the WebFinger answer from %s names %q, not an https URL", domain, *first.Href)
	}
	return *first.Href, nil
}
