package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/apacheconf/expr"
)

// ServeHTTP runs Apache's request phases for one request: virtual host by
// address and Host, URI normalisation, the section walk, ProxyPass
// translation, authorization, RequestHeader, forwarding and the response
// phases.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	local := localAddr(r)
	if s.refuseOverLimits(w, r, local, start) {
		return
	}
	mergeFields(r.Header)
	srv, err := s.vhosts.Select(local, r.Host)
	if err != nil {
		s.writeError(w, r, s.cfg.Main.Dir, http.StatusBadRequest, "")
		return
	}
	if r.ProtoMajor == 1 {
		keepAliveOff(w, srv) // not an HTTP/2 stream: mod_http2 keeps the connection
	}
	maxKeepAliveRequests(w, r, srv)
	env := s.newEnv(srv)
	rawPath := requestPath(r)
	// One allocation for the request's state, status writer and user.
	f := &reqFrame{st: reqState{srv: srv, env: env, start: start}, sw: statusWriter{ResponseWriter: w, multiplexed: r.ProtoMajor > 1}}
	f.st.user = &f.user
	sw := &f.sw
	if r.ProtoMajor == 1 {
		f.ka = keepAlive{r: r, srv: srv, main: s.cfg.Main, env: env}
		f.ka.requests, _ = r.Context().Value(connRequestsKey{}).(*atomic.Int64)
		sw.ka = &f.ka
	}
	r = r.WithContext(context.WithValue(r.Context(), reqStateKey{}, &f.st))
	defer func() {
		s.envSize(srv, env)
		if srv.Log == nil {
			return // no access log: nothing to format
		}
		uri := f.st.logURI
		if uri == "" {
			uri = LenientPath(rawPath)
		}
		status := sw.status
		if f.st.logStatus != 0 {
			status = f.st.logStatus
		}
		s.access.log(&logRecord{r: r, srv: srv, status: status, bytes: sw.bytes, respHdr: sw.Header(),
			start: start, duration: s.now().Sub(start), env: env, uri: uri, user: f.user, conn: sw})
	}()
	s.serve(sw, r, srv, env, start, &f.user)
}

// reqFrame holds what ServeHTTP allocates for every request.
type reqFrame struct {
	st   reqState
	sw   statusWriter
	ka   keepAlive
	user string
}

// requestPath is the raw path of the request target (origin or absolute
// form), without the query.
func requestPath(r *http.Request) string {
	rawPath, _, _ := strings.Cut(r.RequestURI, "?")
	if strings.Contains(rawPath, "://") {
		if u, err := url.Parse(r.RequestURI); err == nil {
			rawPath = u.EscapedPath()
		}
	}
	return rawPath
}

// serve runs the phases after virtual host selection.
func (s *Site) serve(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, env map[string]string, start time.Time, user *string) {
	// Header (mod_headers' output filters) applies when the response
	// headers go out, once the walk has told which operations.
	hw := &headerWriter{ResponseWriter: w}
	w = hw
	rawPath := requestPath(r)
	opts := normalizeOptions(srv)
	uri, err := NormalizePath(rawPath, opts)
	if err != nil {
		s.writeError(w, r, srv.Dir, Status(err), "")
		return
	}
	if st := stateOf(r); opts.EncodedSlashes == SlashesOn && st != nil && !st.inErrorDoc {
		st.logURI = uri // normalised again after decoding %2F, as %U logs it
	}
	// SetEnvIf's input; the addresses are formatted only for rules.
	in, addrs := envInput{r: r, uri: uri, vars: reqVars{r: r, env: env, srv: srv, lookupEnv: s.lookupEnv}}, false
	envIn := func() envInput {
		if !addrs {
			addrs = true
			in.client = clientAddr(r.RemoteAddr).String()
			if a := localAddr(r); a.IsValid() {
				in.local = a.Addr().String()
			}
		}
		return in
	}
	// Post-read-request: server-level SetEnvIf (can set no-proxy).
	if srv.Dir != nil && srv.Dir.Env != nil {
		runSetEnvIf(srv.Dir.Env.Early, envIn(), env)
	}
	// mod_headers' post-read-request: the server's RequestHeader … early
	// (those in sections are accepted and never applied, as in Apache).
	if srv.Dir != nil && srv.Dir.Headers != nil {
		applyHeaderOps(r.Header, srv.Dir.Headers.Request, headerCtx{env: env, start: start, early: true,
			ssl: sslVars{loaded: s.sslLoaded}, vars: reqVars{r: r, env: env, srv: srv, lookupEnv: s.lookupEnv}})
	}
	// The post-read-request phase above saw the raw path as r->uri; the
	// later ones see it normalised and decoded.
	stateOf(r).setURI(uri)
	walker := s.walkers[srv]
	// <If> conditions see the environment as it is at the walk (early
	// SetEnvIf, MATCH_*) and no user: they run before authentication.
	ifv := func(menv map[string]string) expr.Vars {
		e := make(map[string]string, len(env)+len(menv))
		for k, v := range env {
			e[k] = v
		}
		for k, v := range menv {
			e[k] = v
		}
		return reqVars{r: r, env: e, srv: srv, lookupEnv: s.lookupEnv}
	}
	m := walker.WalkProxied(uri, "", ifv)
	var target *Target
	if _, noProxy := env["no-proxy"]; !noProxy {
		target = s.translate(srv, m.Dir, uri, opts.EncodedSlashes == SlashesNoDecode)
	}
	if target != nil && target.URL == nil {
		// ProxyPass ... ! : not proxied; the request goes on as any other
		// (mod_alias, static files), as in Apache.
		target = nil
	}
	if target != nil && target.URL != nil {
		stateOf(r).setProxyFilename(target.URL)
		m = walker.WalkProxied(uri, target.URL.String(), ifv)
	}
	// Not proxied: mod_alias's translate hook (server-level Redirect*, which
	// answer before any access check, then Alias/AliasMatch), else
	// DocumentRoot; the Directory and Files sections of the file join the
	// walk (Apache's map-to-storage).
	var fm fileMapping
	if target == nil {
		// A redirect answered here still discards the body first: one over
		// LimitRequestBody turns it into 413 (as Apache's ap_die does).
		// A redirect answered here gets the Location walk's settings: its
		// page (ServerSignature) and Header always.
		if st := stateOf(r); st != nil {
			st.dir = m.Dir
		}
		hw.ops = m.Dir.Headers
		hw.ctx = headerCtx{env: env, start: start, ssl: sslVars{loaded: s.sslLoaded}, vars: reqVars{r: r, env: env, srv: srv, lookupEnv: s.lookupEnv}, req: r}
		rw := w
		if bw := s.newBodyLimitWriter(w, r, m.Dir); bw != nil {
			rw = bw
		}
		if st, to, ok, failed := s.locationRedirect(r, m.Dir, ifv(m.Env)); ok {
			if failed {
				s.writeError(rw, r, m.Dir, http.StatusInternalServerError, "")
			} else {
				s.sendAliasRedirect(rw, r, m.Dir, st, to)
			}
			return
		}
		if srv.Alias != nil {
			if st, to, ok := matchRedirect(srv.Alias.Redirects, uri, r.URL.RawQuery); ok {
				s.sendAliasRedirect(rw, r, m.Dir, st, to)
				return
			}
		}
		fm = s.translateFile(srv, m, uri, ifv)
		if fm.Status != 0 {
			s.writeError(w, r, m.Dir, fm.Status, "")
			return
		}
		if fm.Filename != "" {
			storage := storageName(fm.Filename)
			stateOf(r).setLocalFilename(fm.Filename, storage)
			m = walker.WalkLocal(uri, storage, ifv)
		}
	}
	for k, v := range m.Env {
		env[k] = v
	}
	if st := stateOf(r); st != nil {
		st.dir = m.Dir
	}
	// LimitRequestBody: only requests mod_proxy does not forward.
	var bw *bodyLimitWriter
	if target == nil || target.URL == nil {
		if bw = s.newBodyLimitWriter(w, r, m.Dir); bw != nil {
			w = bw
		}
	}
	// Header parsing: the sections' SetEnvIf rules.
	if m.Dir.Env != nil {
		runSetEnvIf(m.Dir.Env.Cond, envIn(), env)
	}
	var require *apacheconf.AuthzNode
	if m.Dir.Authz != nil {
		require = m.Dir.Authz.Require
	}
	authType := ""
	if m.Dir.Authz != nil && !strings.EqualFold(m.Dir.Authz.AuthType, "none") {
		authType = m.Dir.Authz.AuthType
	}
	xv := reqVars{r: r, env: env, authType: authType, srv: srv, lookupEnv: s.lookupEnv}
	areq := AuthzRequest{Method: r.Method, Client: clientAddr(r.RemoteAddr), Env: env, Vars: xv}
	hw.ops = m.Dir.Headers
	hw.ctx = headerCtx{env: env, start: start, ssl: sslVars{loaded: s.sslLoaded}, vars: xv, req: r}
	oidcType := isModAuthOpenIDC(authType)
	// Access control as mod_authz_core runs it: the Require tree first
	// without a user; authentication only when it needs one
	// (AUTHZ_DENIED_NO_USER), then the tree again with the user.
	var authn *oidcAuthn
	decision := AuthzGranted
	if require == nil && authType != "" {
		// AH01627: AuthType configured with no corresponding
		// authorization directives.
		s.logFor(r).Error("AuthType configured with no corresponding authorization directives", "uri", uri)
		s.writeError(w, r, m.Dir, http.StatusInternalServerError, "")
		return
	}
	if require != nil {
		decision = EvalAuthz(require, areq)
	}
	if decision == AuthzDeniedNoUser && oidcType {
		restore := limitModuleReads(r, limitRequestBody(m.Dir))
		res, q, ok, oauth := s.authenticateModule(w, r, srv, m.Dir, uri, env, authType)
		restore()
		if res.HasUser {
			*user = res.User
		}
		if !ok {
			return
		}
		authn = &oidcAuthn{res: res, q: q, oauth: oauth}
		areq.HasUser, areq.User, areq.Pass = res.HasUser, res.User, res.Pass
		xq := reqVars{r: r, env: env, user: res.User, authType: authType, srv: srv, lookupEnv: s.lookupEnv}
		areq.Claim = func(n *apacheconf.AuthzNode) bool { return s.claimRules.match(n, res.Claims, xq, s.log) }
		areq.Vars = xq
		areq.ClaimDenied = func(*apacheconf.AuthzNode) { authn.unautz(env) }
		hw.ctx.vars = xq
		decision = EvalAuthz(require, areq)
	} else if oidcType {
		// Deliberate difference: Apache runs no authentication here
		// (Require granted without a user) and passes spoofed identity
		// headers on; oidcgate removes them on every path whose AuthType
		// is openid-connect.
		s.scrubIdentity(r, srv, m.Dir)
	}
	switch decision {
	case AuthzGranted:
	case AuthzDeniedNoUser:
		if authn != nil {
			s.writeError(w, r, m.Dir, http.StatusUnauthorized, "")
			return
		}
		// AH00027: no authentication module set a user, Apache answers
		// 500 rather than let a protected request through.
		s.logFor(r).Error("authentication required but no AuthType provides it", "uri", uri)
		s.writeError(w, r, m.Dir, http.StatusInternalServerError, "")
		return
	default:
		if authn != nil && areq.HasUser {
			s.denyOIDC(w, r, srv, m.Dir, authn)
			return
		}
		s.writeError(w, r, m.Dir, http.StatusForbidden, "")
		return
	}
	// The module's content handler answers what it left for after
	// authorization (info, jwks) — unless mod_proxy handles the path, as
	// in 2.4.12.3 without "ProxyPass /redirect_uri !".
	if authn != nil && authn.res.Content != "" && (target == nil || target.URL == nil) {
		hw.success = true
		res := s.rps[srv].Content(w, authn.q, authn.res)
		if !res.Done && res.Status != 0 {
			s.writeError(w, r, m.Dir, res.Status, "")
		}
		return
	}
	if target == nil || target.URL == nil {
		// mod_alias: the sections' redirects in fixups (the server-level
		// ones answered at translation).
		if target == nil && m.Dir.Alias != nil {
			// fixup_redir: a <Directory>'s path-less Redirect (a
			// <Location>'s answered at translation), then the lists.
			if st, to, ok, failed := s.locationRedirect(r, m.Dir, hw.ctx.vars); ok {
				if failed {
					s.writeError(w, r, m.Dir, http.StatusInternalServerError, "")
				} else {
					s.sendAliasRedirect(w, r, m.Dir, st, to)
				}
				return
			}
			if st, to, ok := matchRedirect(m.Dir.Alias.Redirects, uri, r.URL.RawQuery); ok {
				s.sendAliasRedirect(w, r, m.Dir, st, to)
				return
			}
		}
		if traceDenied(w, r, srv) {
			s.writeError(w, r, m.Dir, http.StatusMethodNotAllowed, "")
			return
		}
		if target == nil && fm.Script {
			s.refuseScript(w, r, m.Dir, uri, fm.Filename)
			return
		}
		if target == nil && fm.Filename != "" {
			hw.success = true
			s.serveLocal(w, r, srv, m.Dir, uri, fm.Filename, s.indexMapper(srv, walker, ifv, m.Dir, areq))
			return
		}
		if bw.handlerCheck() {
			return
		}
		s.writeError(w, r, m.Dir, http.StatusNotFound, "")
		return
	}
	if traceDenied(w, r, srv) {
		s.writeError(w, r, m.Dir, http.StatusMethodNotAllowed, "")
		return
	}
	// Fixups: mod_env, then RequestHeader, which edits the request's own
	// headers (what %{X}i logs and what mod_proxy then forwards, adding
	// X-Forwarded-*).
	if m.Dir.Env != nil {
		applyEnv(m.Dir.Env, env, s.lookupEnv)
	}
	ssl := sslVars{loaded: s.sslLoaded, user: *user, hasUser: authn != nil && areq.HasUser}
	if m.Dir.Authz != nil {
		ssl.authType = m.Dir.Authz.AuthType
	}
	hw.ctx.ssl = ssl
	stateOf(r).setProxyCanonFilename(target.URL, r, target.Rule.NoQuery)
	if m.Dir.Headers != nil {
		rc := hw.ctx
		rc.ssl = ssl
		applyHeaderOps(r.Header, m.Dir.Headers.Request, rc)
	}
	hw.success = true
	s.forward(w, r, srv, m.Dir, target, env, start)
}

func localAddr(r *http.Request) netip.AddrPort {
	v := r.Context().Value(http.LocalAddrContextKey)
	if a, ok := v.(*net.TCPAddr); ok {
		// The common case, without formatting and parsing the address.
		if ap := a.AddrPort(); ap.Addr().IsValid() {
			return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		}
	}
	if a, ok := v.(net.Addr); ok {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		}
	}
	return netip.AddrPort{}
}

func normalizeOptions(srv *apacheconf.Server) NormalizeOptions {
	o := NormalizeOptions{MergeSlashes: true}
	if srv.Core != nil {
		switch srv.Core.Values["allowencodedslashes"] {
		case "on":
			o.EncodedSlashes = SlashesOn
		case "nodecode":
			o.EncodedSlashes = SlashesNoDecode
		}
		if srv.Core.Values["mergeslashes"] == "off" {
			o.MergeSlashes = false
		}
	}
	return o
}

// translate picks the ProxyPass rule: the one of the matching Location
// first, then the server's list in order (main server's first).
func (s *Site) translate(srv *apacheconf.Server, dir *apacheconf.DirConfig, uri string, keep2F bool) *Target {
	if dir.Proxy != nil && dir.Proxy.Rule != nil {
		r := dir.Proxy.Rule
		if r.Exclude {
			return &Target{Rule: r}
		}
		rule := *r
		if rule.Regex == nil {
			rule.Path = r.Path
		}
		if t := matchRule(&rule, uri, keep2F); t != nil {
			// The worker (connection pool) is the configured rule's, not
			// this per-request copy's: keyed by the copy, every request
			// built a new pool and a new backend connection.
			t.Rule = r
			return t
		}
	}
	if srv.Proxy == nil {
		return nil
	}
	for _, r := range srv.Proxy.Rules {
		if t := matchRule(r, uri, keep2F); t != nil {
			return t
		}
	}
	return nil
}

// forward sends the request to the backend the way mod_proxy_http does.
func (s *Site) forward(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server, dir *apacheconf.DirConfig, t *Target, env map[string]string, start time.Time) {
	pd := dir.Proxy
	preserveHost := pd != nil && pd.PreserveHost != nil && *pd.PreserveHost
	addHeaders := pd == nil || pd.AddHeaders == nil || *pd.AddHeaders
	clientHost := r.Host
	clientIP := clientAddr(r.RemoteAddr)
	backend := t.URL
	timeout := 60 * time.Second
	if srv.Core != nil {
		if d, ok := srv.Core.Durations["timeout"]; ok && d > 0 {
			timeout = d
		}
	}
	if srv.Proxy != nil && srv.Proxy.Timeout > 0 {
		timeout = srv.Proxy.Timeout
	}
	if t.Rule.Worker.Timeout > 0 {
		timeout = t.Rule.Worker.Timeout
	}
	// The server's SSLProxy* settings with the matching <Proxy> sections'
	// on top. mod_ssl refuses an https backend unless SSLProxyEngine is on
	// (AH00961): a plain 500 before any connection.
	sslProxy := srv.SSL.MergeVHost(dir.SSLProxy)
	tlsEnabled := sslProxy != nil && sslProxy.ProxyEngine != nil && *sslProxy.ProxyEngine
	if tlsBackend(backend.Scheme) && !tlsEnabled {
		s.logFor(r).Error("https: failed to enable ssl support (SSLProxyEngine is not on)", "backend", backend.Host, "rule", t.Rule.Pos.String())
		s.writeError(w, r, dir, http.StatusInternalServerError, "")
		return
	}
	tlsHost := ""
	if preserveHost && (tlsBackend(backend.Scheme) || backend.Scheme == "balancer") {
		tlsHost = requestHostName(clientHost)
	}
	via := ""
	if srv.Proxy != nil {
		via = srv.Proxy.Via
	}
	var transport http.RoundTripper = s.transportFor(t.Rule, sslProxy, tlsHost, timeout)
	if backend.Scheme == "balancer" {
		state := s.balancers[srv]["balancer://"+strings.ToLower(backend.Host)]
		if state == nil {
			s.logFor(r).Error("unknown balancer", "balancer", backend.Host, "rule", t.Rule.Pos.String())
			s.writeError(w, r, dir, http.StatusInternalServerError, "")
			return
		}
		path := backend.Path
		if backend.RawPath != "" {
			path = backend.RawPath
		}
		transport = &balancerTransport{state: state, base: transport, path: path, preserveHost: preserveHost, now: s.now, tlsEnabled: tlsEnabled}
	}
	if st := stateOf(r); st != nil && st.identity != nil {
		if _, ok := transport.(*h1Transport); !ok {
			// Only h1Transport writes them from the request state.
			st.identity.AddTo(r.Header)
			st.identity = nil
		}
	}
	cb := prefetchBody(r)
	if cb != nil && cb.err != nil {
		s.writeClientBodyError(w, r, dir, cb.err)
		return
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			out := pr.Out
			out.URL.Scheme, out.URL.Host = httpScheme(backend.Scheme), backend.Host
			// Apache tunnels an upgrade only for ws:// and wss:// targets or
			// a worker with upgrade=; otherwise the Upgrade header is dropped.
			if up := pr.In.Header.Get("Upgrade"); up != "" && !upgradeAllowed(backend.Scheme, t.Rule.Worker.Upgrade, up) {
				out.Header.Del("Upgrade")
				out.Header.Del("Connection")
			}
			clearConnection(out.Header, pr.In.Header)
			out.URL.Path, out.URL.RawPath = backend.Path, backend.RawPath
			// Apache passes the query as received, never re-encoded.
			out.URL.RawQuery = pr.In.URL.RawQuery
			if t.Rule.NoQuery {
				out.URL.RawQuery = ""
			}
			if preserveHost {
				out.Host = clientHost
			} else {
				out.Host = hostPort(backend)
			}
			// Rewrite starts without Forwarded and X-Forwarded-*: Apache
			// appends to what the client sent, and passes X-Forwarded-Proto
			// and Forwarded (from the client or a RequestHeader) untouched.
			for _, h := range forwardedHeaders {
				out.Header.Del(h)
				if v := pr.In.Header.Values(h); len(v) > 0 {
					out.Header[h] = append([]string(nil), v...)
				}
			}
			if addHeaders {
				// One allocation for the three values (capacity 1 each).
				xf := make([]string, 3)
				appendHeaderIn(out.Header, "X-Forwarded-For", clientIP.String(), xf[0:1:1])
				appendHeaderIn(out.Header, "X-Forwarded-Host", clientHost, xf[1:2:2])
				appendHeaderIn(out.Header, "X-Forwarded-Server", srv.Name, xf[2:3:3])
			}
			viaRequest(out.Header, via, pr.In, srv)
		},
		Transport:  transport,
		BufferPool: &s.bufs,
		ModifyResponse: func(resp *http.Response) error {
			if pd != nil {
				reverseMap(resp.Header, pd.Reverse, r)
			}
			if srv.Proxy != nil {
				reverseMap(resp.Header, srv.Proxy.Reverse, r)
			}
			if pd != nil {
				reverseCookies(resp.Header, pd.CookiePath, pd.CookieDomain)
			}
			viaResponse(resp, via, r, srv)
			setStatusReason(r, resp.StatusCode, backendReason(resp))
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, req *http.Request, err error) {
			var ne net.Error
			switch {
			case cb != nil && cb.err != nil:
				s.writeClientBodyError(w, r, dir, cb.err)
			case errors.Is(err, context.Canceled):
				return
			case errors.Is(err, errTLSNotEnabled):
				s.logFor(r).Error("https: failed to enable ssl support (SSLProxyEngine is not on)", "backend", backend.Host)
				s.writeError(w, r, dir, http.StatusInternalServerError, "")
			case isBackendTLSError(err):
				// AH01997 "SSL handshake failed: sending 502" — yet the
				// client gets 500 (observed on 2.4.71).
				s.logFor(r).Error("SSL handshake with the backend failed", "backend", backend.Host, "err", err)
				s.writeProxyErrorStatus(w, r, http.StatusInternalServerError, "Error during SSL Handshake with remote server")
			case isTLSAlert(err):
				// The backend refused the connection after the handshake
				// (TLS 1.3: a client certificate it does not accept).
				s.logFor(r).Error("TLS alert from the backend", "backend", backend.Host, "err", err)
				s.writeProxyError(w, r, "Error reading from remote server")
			case errors.As(err, &ne) && ne.Timeout() && !isDialError(err):
				// Observed on Apache 2.4.71: a backend that does not answer
				// within the timeout gives "502 Proxy Error", not 504.
				s.writeProxyError(w, r, "Error reading from remote server")
			case isDialError(err) || errors.Is(err, errNoMember):
				s.logFor(r).Error("backend unreachable", "backend", backend.Host, "err", err)
				s.writeError(w, r, dir, http.StatusServiceUnavailable, "")
			case isReadError(err):
				// The backend closed or reset the connection before its
				// status line (measured on Apache 2.4.71).
				s.logFor(r).Error("error reading from the backend", "backend", backend.Host, "err", err)
				s.writeProxyError(w, r, "Error reading from remote server")
			default:
				s.writeError(w, r, dir, http.StatusBadGateway, "")
			}
		},
	}
	rp.ServeHTTP(w, r)
}

func connectTimeout(r *apacheconf.ProxyRule) time.Duration {
	if r.Worker.ConnectionTimeout > 0 {
		return r.Worker.ConnectionTimeout
	}
	return 60 * time.Second
}

// isReadError: the backend's connection ended (closed, reset) while the
// response was awaited.
func isReadError(err error) bool {
	var op *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.As(err, &op) && op.Op == "read"
}

func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// appendHeaderIn appends v to the header name (comma-separated, as one
// value), storing the result in slot (length and capacity 1); name is
// canonical.
func appendHeaderIn(h http.Header, name, v string, slot []string) {
	if old := h.Get(name); old != "" {
		v = old + ", " + v
	}
	slot[0] = v
	h[name] = slot
}

// reverseMap rewrites Location, Content-Location and URI as
// ProxyPassReverse does: the first mapping whose URL is a prefix
// (case-insensitive) of the value replaces it with its path, made absolute
// with the client's scheme and the server name and port (ap_construct_url:
// the Host header's, or ServerName's under UseCanonicalName On).
func reverseMap(h http.Header, rules []apacheconf.ReverseRule, r *http.Request) {
	for _, name := range []string{"Location", "Content-Location", "URI"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		for _, rr := range rules {
			if len(v) >= len(rr.URL) && strings.EqualFold(v[:len(rr.URL)], rr.URL) {
				mapped := rr.Path + v[len(rr.URL):]
				if strings.HasPrefix(mapped, "/") {
					mapped = selfURL(r, mapped)
				}
				h.Set(name, mapped)
				break
			}
		}
	}
}

// writeProxyError sends mod_proxy's "502 Proxy Error" page with a reason.
func (s *Site) writeProxyError(w http.ResponseWriter, r *http.Request, reason string) {
	s.writeProxyErrorStatus(w, r, http.StatusBadGateway, reason)
}

// writeProxyErrorStatus sends mod_proxy's "Proxy Error" page with a status
// and a reason.
func (s *Site) writeProxyErrorStatus(w http.ResponseWriter, r *http.Request, status int, reason string) {
	markGenerated(w)
	phrase, body := ErrorPage{Status: status, Reason: "Proxy Error", Signature: signature(r),
		Notes: "The proxy server could not handle the request<p>Reason: <strong>" + htmlEscape(reason) + "</strong></p>"}.Render()
	setStatusReason(r, status, phrase)
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}

// writeError sends one of Apache's own error documents.
func (s *Site) writeError(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig, status int, notes string) {
	markGenerated(w)
	// An error while serving an ErrorDocument: the outer request answers.
	if st := stateOf(r); st != nil && st.inErrorDoc {
		st.failed = status
		return
	}
	// ap_die: the statuses that drop the connection drop it whatever
	// ErrorDocument answers (a redirect, another page); an HTTP/2
	// stream drops none (Go's server would end the connection).
	if r.ProtoMajor == 1 {
		dropConnection(w, status)
	}
	// ErrorDocument: a text replaces the body, a URL becomes a redirect, a
	// local path an internal redirect.
	if dir != nil && dir.Core != nil {
		if ed, ok := dir.Core.ErrorDocuments[status]; ok && !ed.Default {
			switch {
			case ed.Text:
				setAllow(w, r, status)
				w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
				w.Header().Set("Content-Length", fmt.Sprint(len(ed.Target)))
				w.WriteHeader(status)
				if r.Method != http.MethodHead {
					_, _ = io.WriteString(w, ed.Target)
				}
				return
			case strings.Contains(ed.Target, "://"):
				s.writeRedirect(w, r, http.StatusFound, ed.Target)
				return
			case strings.HasPrefix(ed.Target, "/"):
				if s.internalRedirect(w, r, status, ed.Target) {
					return
				}
			}
		}
	}
	s.writeErrorPage(w, r, ErrorPage{Status: status, Method: r.Method, Notes: notes})
}

// writeErrorPage sends one of Apache's own error documents.
func (s *Site) writeErrorPage(w http.ResponseWriter, r *http.Request, page ErrorPage) {
	status := page.Status
	if page.Admin == "" {
		page.Admin = serverAdmin(r)
	}
	if page.Signature == "" {
		page.Signature = signature(r)
	}
	reason, body := page.Render()
	setStatusReason(r, status, reason)
	setAllow(w, r, status)
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}

// httpScheme maps the WebSocket schemes to the HTTP ones the transport
// speaks.
func httpScheme(s string) string {
	switch s {
	case "ws":
		return "http"
	case "wss":
		return "https"
	}
	return s
}

// forwardedHeaders are the request headers httputil.ReverseProxy's Rewrite
// removes from the outgoing request (plus X-Forwarded-Server, which Apache
// also appends to); the proxy copies them back from the incoming request.
var forwardedHeaders = []string{"X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Server", "X-Forwarded-Proto", "Forwarded"}

// upgradeAllowed is mod_proxy's rule for tunnelling an Upgrade request.
func upgradeAllowed(scheme, workerUpgrade, requested string) bool {
	switch {
	case scheme == "ws" || scheme == "wss":
		return strings.EqualFold(requested, "websocket") || workerUpgrade == "*"
	case workerUpgrade == "*":
		return true
	}
	for _, p := range strings.Split(workerUpgrade, ",") {
		if strings.EqualFold(strings.TrimSpace(p), requested) {
			return true
		}
	}
	return false
}
