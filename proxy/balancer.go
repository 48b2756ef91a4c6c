package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// lbMethod is a balancer's lbmethod.
type lbMethod int

const (
	byRequests lbMethod = iota
	byBusyness
	byTraffic
)

// lbMember is one balancer member (an Apache worker) and its run-time
// state; the state fields are guarded by the balancer's mutex.
type lbMember struct {
	// name is the worker name (BALANCER_WORKER_NAME): the member URL.
	name            string
	url             *url.URL
	factor          int
	lbset           int
	route, redirect string
	// Status flags: +H hot standby, +R hot spare, +D disabled, +S
	// stopped, +N draining, +I ignore errors.
	standby, spare, disabled, stopped, drain, ignoreErrors bool
	retry                                                  time.Duration

	lbstatus  int
	inError   bool
	errorTime time.Time
	busy      int
	// transferred and read are the bytes sent to and read from the
	// member (bytraffic).
	transferred, read int64
}

// lbState is a balancer's configuration and run-time state, shared by all
// requests of a site (Apache keeps it in shared memory).
type lbState struct {
	mu      sync.Mutex
	name    string // balancer://name, lower-case
	method  lbMethod
	members []*lbMember

	stickyCookie, stickyPath string
	stickySep                byte
	scolonPathDelim          bool
	noFailover               bool
	forceRecovery            bool
	failOnTimeout            bool
	failOnStatus             []int
	maxAttempts              int
	timeout                  time.Duration
}

func newLBState(b *apacheconf.Balancer) *lbState {
	st := &lbState{
		name: strings.ToLower(strings.TrimSuffix(b.Name, "/")), stickyCookie: b.StickyCookie, stickyPath: b.StickyPath,
		stickySep: b.StickySep, scolonPathDelim: b.ScolonPathDelim, noFailover: b.NoFailover, forceRecovery: b.ForceRecovery,
		failOnTimeout: b.FailOnTimeout, failOnStatus: b.FailOnStatus, timeout: b.Timeout,
	}
	switch b.LBMethod {
	case "bybusyness":
		st.method = byBusyness
	case "bytraffic":
		st.method = byTraffic
	}
	for _, m := range b.Members {
		u, err := url.Parse(m.URL)
		if err != nil {
			continue
		}
		lm := &lbMember{name: m.URL, url: u, factor: 1, retry: 60 * time.Second, lbset: m.Worker.LBSet, route: m.Worker.Route, redirect: m.Worker.Redirect}
		if m.Worker.LoadFactor > 0 {
			lm.factor = m.Worker.LoadFactor
		}
		if m.Worker.Set["retry"] {
			lm.retry = m.Worker.Retry
		}
		lm.setStatus(m.Worker.Status)
		st.members = append(st.members, lm)
	}
	// mod_proxy_balancer: without maxattempts, a request may try every
	// member once.
	st.maxAttempts = b.MaxAttempts
	if !b.MaxAttemptsSet && len(st.members) > 1 {
		st.maxAttempts = len(st.members) - 1
	}
	return st
}

// setStatus applies status= flags: '+' sets the letters after it, '-'
// clears them, letters before any sign are set. +E puts the member in
// error with no error time: Apache retries it on first use (observed).
func (m *lbMember) setStatus(flags string) {
	on := true
	for _, ch := range strings.ToUpper(flags) {
		switch ch {
		case '+':
			on = true
		case '-':
			on = false
		case 'H':
			m.standby = on
		case 'R':
			m.spare = on
		case 'D':
			m.disabled = on
		case 'S':
			m.stopped = on
		case 'N':
			m.drain = on
		case 'I':
			m.ignoreErrors = on
		case 'E':
			m.inError = on
		}
	}
}

// usable is PROXY_WORKER_IS_USABLE: a draining member stays usable (for
// its sticky sessions).
func (m *lbMember) usable() bool { return !m.disabled && !m.stopped && !m.inError }

// retryMember takes a member out of the error state once its retry period
// has passed, as ap_proxy_retry_worker does.
func retryMember(m *lbMember, now time.Time) {
	if m.inError && now.After(m.errorTime.Add(m.retry)) {
		m.inError = false
	}
}

// bestOf walks the members as proxy_balancer_get_best_worker does: lbsets
// in increasing order; in a set the usable regular members compete, hot
// spares (+R) replace unusable ones, and the set's hot standbys (+H) serve
// only when nothing else in the set can. isBest is the lbmethod's
// comparison, called once per candidate.
func (st *lbState) bestOf(now time.Time, isBest func(cur, prev *lbMember) bool) *lbMember {
	var best *lbMember
	maxSet := 0
	for set := 0; best == nil && set <= maxSet; set++ {
		unusable := 0
		var spares, standbys []*lbMember
		for _, m := range st.members {
			maxSet = max(maxSet, m.lbset)
			if m.lbset != set {
				continue
			}
			if m.drain {
				if !m.spare && !m.standby {
					unusable++
				}
				continue
			}
			if !m.usable() {
				retryMember(m, now)
			}
			switch {
			case m.spare:
				if m.usable() {
					spares = append(spares, m)
				}
			case m.standby:
				if m.usable() {
					standbys = append(standbys, m)
				}
			case m.usable():
				if isBest(m, best) {
					best = m
				}
			default:
				unusable++
			}
		}
		for i := 0; i < len(spares) && i < unusable; i++ {
			if isBest(spares[i], best) {
				best = spares[i]
			}
		}
		if best == nil {
			for _, m := range standbys {
				if isBest(m, best) {
					best = m
				}
			}
		}
	}
	return best
}

// findBest runs the lbmethod; the caller holds st.mu.
func (st *lbState) findBest(now time.Time) *lbMember {
	switch st.method {
	case byBusyness:
		// mod_lbmethod_bybusyness: fewest requests in flight; on a tie
		// the byrequests counter (lbstatus grown by the load factor)
		// decides.
		total := 0
		best := st.bestOf(now, func(cur, prev *lbMember) bool {
			cur.lbstatus += cur.factor
			total += cur.factor
			return prev == nil || cur.busy < prev.busy || cur.busy == prev.busy && cur.lbstatus > prev.lbstatus
		})
		if best != nil {
			best.lbstatus -= total
		}
		return best
	case byTraffic:
		// mod_lbmethod_bytraffic: least bytes exchanged, each direction
		// divided by the load factor; the first wins a tie.
		var least int64
		return st.bestOf(now, func(cur, prev *lbMember) bool {
			f := int64(cur.factor)
			traffic := cur.transferred/f + cur.read/f
			if prev == nil || traffic < least {
				least = traffic
				return true
			}
			return false
		})
	}
	// mod_lbmethod_byrequests: every candidate's lbstatus grows by its
	// load factor, the largest wins (the first on ties) and pays back the
	// total.
	total := 0
	best := st.bestOf(now, func(cur, prev *lbMember) bool {
		cur.lbstatus += cur.factor
		total += cur.factor
		return prev == nil || cur.lbstatus > prev.lbstatus
	})
	if best != nil {
		best.lbstatus -= total
	}
	return best
}

// pick chooses a member without session routing (tests and callers that
// hold no request).
func (st *lbState) pick(now time.Time) *lbMember {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.findBest(now)
}

func (st *lbState) fail(m *lbMember, now time.Time) {
	st.mu.Lock()
	st.setError(m, now)
	st.mu.Unlock()
}

// setError puts m in the error state unless it ignores errors (+I); the
// caller holds st.mu.
func (st *lbState) setError(m *lbMember, now time.Time) {
	if !m.ignoreErrors {
		m.inError, m.errorTime = true, now
	}
}

// forceRecover is mod_proxy_balancer's force_recovery: when every member
// is in error (after their retry periods are checked) and forcerecovery is
// On, all are taken out of error at once.
func (st *lbState) forceRecover(now time.Time) {
	for _, m := range st.members {
		if !m.inError {
			return
		}
		retryMember(m, now)
		if !m.inError {
			return
		}
	}
	if st.forceRecovery {
		for _, m := range st.members {
			m.inError = false
		}
	}
}

// findRouteWorker finds the member of a route: regular members first,
// then hot standbys; an unusable one hands over to its redirect= route.
func (st *lbState) findRouteWorker(route string, now time.Time, depth int) *lbMember {
	for _, standby := range []bool{false, true} {
		for _, m := range st.members {
			if m.standby != standby || m.route == "" || m.route != route {
				continue
			}
			retryMember(m, now)
			if m.usable() {
				return m
			}
			if m.redirect != "" && depth < len(st.members) {
				if r := st.findRouteWorker(m.redirect, now, depth+1); r != nil && r.usable() {
					return r
				}
			}
		}
	}
	return nil
}

// session is what the session route of a request selected, for the
// BALANCER_* variables.
type session struct {
	has           bool   // a route was found in the request (maybe "")
	route, sticky string // the route and the cookie or parameter name
}

// sessionRoute reads the route as find_session_route does: the URL
// parameter first (anywhere in the URL, up to '?', '&' or with
// scolonpathdelim ';'), then the cookie; the route is what follows the
// separator.
func (st *lbState) sessionRoute(rawURL, cookie string) session {
	if st.stickyCookie == "" {
		return session{}
	}
	v, ok := pathParam(rawURL, st.stickyPath, st.scolonPathDelim)
	used := st.stickyPath
	if !ok {
		v, ok = cookieParam(cookie, st.stickyCookie)
		used = st.stickyCookie
	}
	if !ok {
		return session{}
	}
	if st.stickySep != 0 {
		i := strings.IndexByte(v, st.stickySep)
		if i < 0 {
			return session{}
		}
		v = v[i+1:]
	}
	return session{has: true, route: v, sticky: used}
}

// pathParam is get_path_param: the first "name=" with a value anywhere in
// the URL.
func pathParam(u, name string, scolon bool) (string, bool) {
	delims := "?&"
	if scolon {
		delims = ";?&"
	}
	for off := 0; name != "" && off < len(u); {
		i := strings.Index(u[off:], name)
		if i < 0 {
			break
		}
		p := off + i + len(name)
		off += i + 1
		if p < len(u) && u[p] == '=' && p+1 < len(u) {
			rest := strings.TrimLeft(u[p+1:], delims)
			if j := strings.IndexAny(rest, delims); j >= 0 {
				rest = rest[:j]
			}
			return rest, rest != ""
		}
	}
	return "", false
}

// cookieParam is get_cookie_param: name must start the header or follow
// ';', ',' or a space, then optional spaces and '='; the value ends at ';'
// or ','.
func cookieParam(h, name string) (string, bool) {
	for off := 0; name != "" && off < len(h); {
		i := strings.Index(h[off:], name)
		if i < 0 {
			break
		}
		start := off + i
		off = start + 1
		if start > 0 && !strings.ContainsRune(";, \t\n\r\v\f", rune(h[start-1])) {
			continue
		}
		rest := strings.TrimLeft(h[start+len(name):], " \t\n\r\v\f")
		if len(rest) < 2 || rest[0] != '=' {
			continue
		}
		v := rest[1:]
		if j := strings.IndexAny(v, ";"); j >= 0 {
			v = v[:j]
		}
		if j := strings.IndexAny(v, ","); j >= 0 {
			v = v[:j]
		}
		return v, true
	}
	return "", false
}

// errNoMember is returned when every member is in error or disabled.
var errNoMember = errors.New("all balancer members are unavailable")

// errRouteDown is returned with nofailover=On when the session's member
// cannot serve.
// It wraps errNoMember: the answer is the same 503.
var errRouteDown = fmt.Errorf("the session route's member is unavailable and nofailover is On: %w", errNoMember)

// preRequest is proxy_balancer_pre_request: the session's member, or the
// lbmethod's choice; it counts the member busy and fills env.
func (st *lbState) preRequest(ctx context.Context, rawURL, cookie string, env map[string]string, now func() time.Time) (*lbMember, error) {
	st.mu.Lock()
	st.forceRecover(now())
	s := st.sessionRoute(rawURL, cookie)
	var m *lbMember
	if s.has && s.route != "" {
		if m = st.findRouteWorker(s.route, now(), 1); m != nil {
			if m.route != s.route {
				env["BALANCER_ROUTE_CHANGED"] = "1"
			}
			// Routed requests count for byrequests too.
			total := 0
			for _, w := range st.members {
				if w.usable() {
					w.lbstatus += w.factor
					total += w.factor
				}
			}
			m.lbstatus -= total
		}
	}
	if m == nil && s.has && st.noFailover {
		for _, w := range st.members {
			if w.route != "" && w.route == s.route {
				st.mu.Unlock()
				return nil, errRouteDown
			}
		}
	}
	if m == nil {
		m = st.findBest(now())
		if m == nil && st.timeout > 0 {
			// Wait for a member in 100 steps, as find_best_worker does.
			step := st.timeout / 100
			for range 100 {
				st.mu.Unlock()
				select {
				case <-ctx.Done():
					return nil, ctx.Err()
				case <-time.After(step):
				}
				st.mu.Lock()
				if m = st.findBest(now()); m != nil {
					break
				}
			}
		}
		if m == nil {
			st.mu.Unlock()
			return nil, errNoMember
		}
		if st.stickyCookie != "" {
			env["BALANCER_ROUTE_CHANGED"] = "1"
		}
	}
	m.busy++
	st.mu.Unlock()
	env["BALANCER_NAME"] = st.name
	env["BALANCER_WORKER_NAME"] = m.name
	env["BALANCER_WORKER_ROUTE"] = m.route
	if s.has {
		env["BALANCER_SESSION_STICKY"] = s.sticky
		env["BALANCER_SESSION_ROUTE"] = s.route
	}
	return m, nil
}

// done ends a request on m: it is no longer busy and its traffic counts.
func (st *lbState) done(m *lbMember, sent, read int64) {
	st.mu.Lock()
	m.busy--
	m.transferred += sent
	m.read += read
	st.mu.Unlock()
}

// balancerTransport sends a request to a member of a balancer, moving on
// to another member when one cannot be reached (and putting it in the
// error state for its retry period), as mod_proxy_balancer does.
type balancerTransport struct {
	state        *lbState
	base         http.RoundTripper
	path         string // the target path after balancer://name
	preserveHost bool
	now          func() time.Time
	// tlsEnabled: SSLProxyEngine is on, so https members may be used.
	tlsEnabled bool
}

func (t *balancerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	env := map[string]string{}
	if rs := stateOf(req); rs != nil && rs.env != nil {
		env = rs.env
	}
	st := t.state
	rawURL := st.name + t.path
	if req.URL.RawQuery != "" {
		rawURL += "?" + req.URL.RawQuery
	}
	cookie := strings.Join(req.Header.Values("Cookie"), ", ")
	for attempt := 0; ; attempt++ {
		m, err := st.preRequest(req.Context(), rawURL, cookie, env, t.now)
		if err != nil {
			return nil, err
		}
		if tlsBackend(m.url.Scheme) && !t.tlsEnabled {
			return nil, errTLSNotEnabled
		}
		out := req.Clone(req.Context())
		out.URL.Scheme = httpScheme(m.url.Scheme)
		out.URL.Host = m.url.Host
		raw := strings.TrimSuffix(m.url.EscapedPath(), "/") + t.path
		out.URL.RawPath = raw
		if p, err := url.PathUnescape(raw); err == nil {
			out.URL.Path = p
		}
		if !t.preserveHost {
			out.Host = hostPort(m.url)
		}
		sent := requestSize(out)
		resp, err := t.base.RoundTrip(out)
		if err == nil {
			st.mu.Lock()
			for _, code := range st.failOnStatus {
				if resp.StatusCode == code {
					st.setError(m, t.now())
					break
				}
			}
			st.mu.Unlock()
			// mod_proxy_http counts the status line as read.
			read := int64(len(resp.Proto) + 1 + len(resp.Status))
			release := func() { st.done(m, sent, read) }
			if rw, ok := resp.Body.(io.ReadWriteCloser); ok {
				// A 101 tunnel: ReverseProxy needs the writable body.
				resp.Body = &lbTunnel{ReadWriteCloser: rw, release: release}
			} else {
				resp.Body = &lbBody{ReadCloser: resp.Body, release: release}
			}
			return resp, nil
		}
		if isDialError(err) && (req.Body == nil || req.Body == http.NoBody) {
			st.mu.Lock()
			st.setError(m, t.now())
			usable := m.usable()
			st.mu.Unlock()
			st.done(m, 0, 0)
			if !usable && attempt < st.maxAttempts {
				continue
			}
			return nil, err
		}
		var ne net.Error
		if st.failOnTimeout && errors.As(err, &ne) && ne.Timeout() {
			st.fail(m, t.now())
		}
		st.done(m, sent, 0)
		return nil, err
	}
}

// requestSize estimates the bytes mod_proxy sends for a request: the
// request line, the header block and a known body length.
func requestSize(r *http.Request) int64 {
	n := int64(len(r.Method) + 1 + len(r.URL.RequestURI()) + len(" HTTP/1.1\r\n") + len("Host: \r\n") + len(r.Host) + 2)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += int64(len(k) + 2 + len(v) + 2)
		}
	}
	if r.ContentLength > 0 {
		n += r.ContentLength
	}
	return n
}

// lbBody releases the member when the response body is closed (Apache
// decrements the busy count when the request ends).
type lbBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *lbBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// lbTunnel is lbBody for an upgraded connection, which stays writable.
type lbTunnel struct {
	io.ReadWriteCloser
	once    sync.Once
	release func()
}

func (b *lbTunnel) Close() error {
	err := b.ReadWriteCloser.Close()
	b.once.Do(b.release)
	return err
}
