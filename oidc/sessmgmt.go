package oidc

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/oidcgate/oidcgate/oidc/urlcheck"
)

// OpenID Connect Session Management 1.0 as 2.4.12.3 implements it
// (oidc_handle_session_management): "<redirect_uri>?session=<command>".
// The page that embeds the two iframes is the application's: it loads
// "?session=iframe_op" into an iframe with id "openidc-op" and
// "?session=iframe_rp" into another; the RP iframe posts
// "<client_id> <session_state>" to the OP iframe every poll interval and,
// when the provider answers "changed" (or "error"), sends the top window to
// the logout URL — or, with no session, to login_uri.

// sessionManagement answers ?session=logout|iframe_op|iframe_rp|check.
func (rp *RelyingParty) sessionManagement(ctx context.Context, x *exchange, sess *session) Result {
	cmd, ok := requestParam(x.r.URL.RawQuery, "session")
	if !ok {
		rp.log.Error("session management handler called with no command")
		return x.status(http.StatusInternalServerError)
	}
	switch cmd {
	case "logout":
		// A local logout, then OIDCDefaultLoggedOutURL as configured (not
		// made absolute in 2.4.12.3) or the "Logged Out" page.
		return rp.endLocally(ctx, x, sess, rp.s.DefaultLoggedOutURL)
	case "iframe_op", "iframe_rp", "check":
	default:
		rp.log.Error("unknown command: " + cmd)
		return x.status(http.StatusInternalServerError)
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil {
		return x.status(http.StatusNotFound)
	}
	switch cmd {
	case "iframe_op":
		if md.CheckSessionIFrame == "" {
			return x.status(http.StatusNotFound)
		}
		return x.redirect(md.CheckSessionIFrame)
	case "iframe_rp":
		if rp.s.ClientID == "" || md.CheckSessionIFrame == "" {
			return x.status(http.StatusNotFound)
		}
		return rp.sessionIFrameRP(x, sess, md.CheckSessionIFrame)
	}
	// check: a silent authorization request (prompt=none, the id_token as
	// hint) that comes back to the RP iframe.
	hint := ""
	if sess != nil {
		hint = sess.IDToken
	}
	return rp.authenticate(ctx, x, x.redirectURI()+"?session=iframe_rp", hint, "none")
}

// endLocally ends the session here — its tokens revoked, the session
// deleted, the cookie cleared — and goes to target (which may be the
// provider's end_session_endpoint), or shows "Logged Out"
// (oidc_handle_logout_request).
func (rp *RelyingParty) endLocally(ctx context.Context, x *exchange, sess *session, target string) Result {
	if sess != nil {
		rp.revoke(ctx, sess)
		rp.deleteSession(ctx, sess)
	}
	x.deleteSessionCookie()
	h := x.header()
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Pragma", "no-cache")
	if target != "" {
		return x.redirect(target)
	}
	return rp.sendHTML(x, "Logged Out", "", "<p>Logged Out</p>", http.StatusOK)
}

// sessionIFrameRP is the RP iframe: the module's page byte for byte. The
// values are JavaScript-escaped (current upstream; 2.4.12.3 put them in
// as they are, which changes nothing for well-formed values), and
// login_uri must be on this host (upstream; 2.4.12.3 took any URL).
func (rp *RelyingParty) sessionIFrameRP(x *exchange, sess *session, checkSessionIFrame string) Result {
	state := ""
	if sess != nil {
		state = sess.SessionState
	}
	if state == "" {
		rp.log.Warn("no session_state found in the session; the OP does probably not support session management!?")
	}
	poll := 0
	if v, ok := requestParam(x.r.URL.RawQuery, "poll"); ok {
		poll = strtol(v)
	}
	if poll <= 0 || poll > 3600*24 {
		poll = 3000
	}
	loginURI := ""
	if v, ok := requestParam(x.r.URL.RawQuery, "login_uri"); ok {
		allowed := x.dir.RedirectURLsAllowed
		if x.dir.RedirectURLsBad {
			allowed = neverMatch
		}
		if err := urlcheck.ValidateRedirect(v, x.hostOnly(), allowed); err != nil {
			rp.log.Error(err.Error())
			return x.status(http.StatusBadRequest)
		}
		loginURI = v
	}
	script := "    <script type=\"text/javascript\">\n" +
		"      var targetOrigin  = '" + jsQuote(iframeOrigin(checkSessionIFrame)) + "';\n" +
		"      var clientId  = '" + jsQuote(rp.s.ClientID) + "';\n" +
		"      var sessionId  = '" + jsQuote(state) + "';\n" +
		"      var loginUrl  = '" + jsQuote(loginURI) + "';\n" +
		"      var message = clientId + ' ' + sessionId;\n" +
		"\t   var timerID;\n" +
		"\n" +
		"      function checkSession() {\n" +
		"        console.debug('checkSession: posting ' + message + ' to ' + targetOrigin);\n" +
		"        var win = window.parent.document.getElementById('openidc-op').contentWindow;\n" +
		"        win.postMessage( message, targetOrigin);\n" +
		"      }\n" +
		"\n" +
		"      function setTimer() {\n" +
		"        checkSession();\n" +
		"        timerID = setInterval('checkSession()', " + strconv.Itoa(poll) + ");\n" +
		"      }\n" +
		"\n" +
		"      function receiveMessage(e) {\n" +
		"        console.debug('receiveMessage: ' + e.data + ' from ' + e.origin);\n" +
		"        if (e.origin !== targetOrigin ) {\n" +
		"          console.debug('receiveMessage: cross-site scripting attack?');\n" +
		"          return;\n" +
		"        }\n" +
		"        if (e.data != 'unchanged') {\n" +
		"          clearInterval(timerID);\n" +
		"          if (e.data == 'changed' && sessionId == '' ) {\n" +
		"\t\t\t // 'changed' + no session: enforce a login (if we have a login url...)\n" +
		"            if (loginUrl != '') {\n" +
		"              window.top.location.replace(loginUrl);\n" +
		"            }\n" +
		"\t\t   } else {\n" +
		"              // either 'changed' + active session, or 'error': enforce a logout\n" +
		"              window.top.location.replace('" + jsQuote(x.redirectURI()) + "?logout=' + encodeURIComponent(window.top.location.href));\n" +
		"          }\n" +
		"        }\n" +
		"      }\n" +
		"\n" +
		"      window.addEventListener('message', receiveMessage, false);\n" +
		"\n" +
		"    </script>\n"
	return rp.sendHTMLOnLoad(x, "", script, "setTimer", "", http.StatusOK)
}

// iframeOrigin is the check_session_iframe URL cut where its path starts
// (scheme://host[:port]); a URL without a path is its own origin.
func iframeOrigin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return u
	}
	if i := strings.Index(u, p.EscapedPath()); i >= 0 {
		return u[:i]
	}
	return u
}

// strtol is C's strtol(s, NULL, 10) clipped to int: leading spaces, an
// optional sign, then digits; anything else ends the number.
func strtol(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
		if n > 1<<31 {
			n = 1 << 31
			break
		}
	}
	if neg {
		return -n
	}
	return n
}

// parentLogoutPage is the answer to a failed silent (prompt=none)
// authorization: the top window goes to "?session=logout"
// (oidc_session_redirect_parent_window_to_logout).
func (rp *RelyingParty) parentLogoutPage(x *exchange) Result {
	script := "    <script type=\"text/javascript\">\n" +
		"      window.top.location.href = '" + jsEscape(x.redirectURI()) + "?session=logout';\n" +
		"    </script>\n"
	return rp.sendHTML(x, "Redirecting...", script, "", http.StatusOK)
}

// jsQuote makes s safe inside a single-quoted JavaScript string as
// upstream's oidc_util_html_javascript_escape does, except that "/" is
// left alone: 2.4.12.3 wrote these values unescaped, and a URL must come
// out byte for byte as it does there.
func jsQuote(s string) string { return jsQuoter.Replace(s) }

var jsQuoter = strings.NewReplacer(`'`, `\'`, `"`, `\"`, `\`, `\\`, "\r", `\r`, "\n", `\n`, "<", `\x3c`, ">", `\x3e`)

// sessionState is the session_state to keep from an authorization
// response: only when the provider has a check_session_iframe, as the
// module stores it.
func (rp *RelyingParty) sessionState(md *Metadata, params url.Values) string {
	ss := params.Get("session_state")
	if ss != "" && md.CheckSessionIFrame == "" {
		return ""
	}
	return ss
}

// appendQuery appends a raw query string to u with "?" or "&".
func appendQuery(u, query string) string {
	if strings.Contains(u, "?") {
		return u + "&" + query
	}
	return u + "?" + query
}

// frontChannelBySID ends the session a front-channel logout names with
// sid= (and iss=; without it the configured provider is assumed) when the
// browser presented no session cookie (OpenID Connect Front-Channel
// Logout; oidc_cleanup_by_sid): its tokens are revoked, it is deleted.
// The sid is the only credential, as in the module.
func (rp *RelyingParty) frontChannelBySID(ctx context.Context, x *exchange) {
	sid, ok := requestParam(x.r.URL.RawQuery, "sid")
	if !ok {
		return
	}
	md, err := rp.prov.metadata(ctx)
	if err != nil {
		return
	}
	// With the one configured provider, 2.4.12.3 takes it whatever iss=
	// says (oidc_get_provider_for_issuer without OIDCMetadataDir;
	// measured: a foreign iss ends the session too).
	if index := sid + "@" + md.Issuer; !rp.killByIndex(ctx, index) {
		rp.log.Warn("could not (or no longer) find a session based on sid/sub provided in logout token / parameter: " + index)
	}
}
