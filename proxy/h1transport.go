package proxy

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"sync"
	"syscall"
	"time"

	"github.com/oidcgate/oidcgate/internal/h1field"
	"github.com/oidcgate/oidcgate/oidc"
)

// h1Transport sends the common request — a body-less GET, HEAD, OPTIONS or
// TRACE to a plain http:// backend — over a pooled HTTP/1.1 connection in
// the calling goroutine: the request is serialised with (*http.Request).Write
// and the response read with http.ReadResponse, so no request crosses
// goroutines as it does in http.Transport (a read loop and a write loop per
// connection). Everything else (https, upgrades, request bodies, other
// methods) goes to fallback, the rule's http.Transport.
//
// It keeps the Transport's observable behaviour: the same bytes on the wire
// (no Accept-Encoding added, User-Agent as ReverseProxy leaves it), the
// response-header timeout, 1xx responses handed to the request's
// httptrace.ClientTrace, a connection reused only when its response ended
// cleanly and neither side asked to close, and a request retried on a new
// connection when a reused one turns out to be closed before any byte of
// the response (all the methods taken here are replayable).
type h1Transport struct {
	fallback      *http.Transport
	dialer        net.Dialer
	headerTimeout time.Duration // 0: none
	idleTimeout   time.Duration // 0: none
	maxIdle       int

	mu     sync.Mutex
	idle   map[string][]*h1Conn // by host:port, most recently used last
	pruner *time.Timer          // pending idle-timeout sweep, if any
}

// maxResponseHeaderBytes bounds a response's header block (and its 1xx
// responses'), as http.Transport's default does.
const maxResponseHeaderBytes = 10 << 20

// max1xxResponses is how many informational responses one request may
// get before the final one (http.Transport's limit).
const max1xxResponses = 5

func newH1Transport(fallback *http.Transport, connectTimeout, headerTimeout, idleTimeout time.Duration, maxIdle int) *h1Transport {
	return &h1Transport{
		fallback:      fallback,
		dialer:        net.Dialer{Timeout: connectTimeout},
		headerTimeout: headerTimeout,
		idleTimeout:   idleTimeout,
		maxIdle:       maxIdle,
	}
}

// h1Conn is one backend connection with its buffers.
type h1Conn struct {
	conn net.Conn
	idle *idleCheck // nil: cannot peek
	br   *bufio.Reader
	bw   *bufio.Writer
	key  string
	// limit is what may still be read before the response header ends
	// (negative: no limit, while a body is read).
	limit     int64
	idleSince time.Time
}

var errHeaderTooLarge = errors.New("net/http: server response headers exceeded the limit")

// Read is the connection as the bufio.Reader sees it, bounded while a
// header block is read.
func (c *h1Conn) Read(p []byte) (int, error) {
	if c.limit >= 0 {
		if c.limit == 0 {
			return 0, errHeaderTooLarge
		}
		if int64(len(p)) > c.limit {
			p = p[:c.limit]
		}
	}
	n, err := c.conn.Read(p)
	if c.limit >= 0 {
		c.limit -= int64(n)
	}
	return n, err
}

// eligible tells whether req takes the synchronous path.
func (t *h1Transport) eligible(req *http.Request) bool {
	if req.URL.Scheme != "http" || req.URL.Host == "" || (req.Body != nil && req.Body != http.NoBody) ||
		req.ContentLength > 0 || len(req.TransferEncoding) > 0 {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		return false
	}
	if _, up := req.Header["Upgrade"]; up {
		return false
	}
	return true
}

// RoundTrip implements http.RoundTripper.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	// The identity headers left out of the client's request (identityhdr.go):
	// req is ReverseProxy's copy, so adding them here touches only what is
	// sent. Only writeRequest's own serialisation merges them.
	id := identityOf(req)
	if id != nil && (!t.eligible(req) || !writesItself(req)) {
		id.AddTo(req.Header)
		id = nil
	}
	if !t.eligible(req) {
		return t.fallback.RoundTrip(req)
	}
	if err := validHeader(req.Header); err != nil {
		return nil, err
	}
	if id != nil {
		if _, err := id.Wire(); err != nil {
			return nil, err
		}
	}
	key := req.URL.Host
	if req.URL.Port() == "" {
		key = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	ctx := req.Context()
	// Bounded: every retry consumes one pooled connection, the last
	// attempt is on a new one.
	for attempt := 0; ; attempt++ {
		pc := t.get(key, attempt <= t.maxIdle)
		reused := pc != nil
		if pc == nil {
			conn, err := t.dialer.DialContext(ctx, "tcp", key)
			if err != nil {
				return nil, err
			}
			pc = &h1Conn{conn: conn, idle: newIdleCheck(conn), key: key}
			pc.br = bufio.NewReader(pc)
			pc.bw = bufio.NewWriter(conn)
		}
		resp, retry, err := t.roundTrip(ctx, pc, req, id)
		if err == nil {
			return resp, nil
		}
		pc.conn.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !reused || !retry {
			return nil, err
		}
	}
}

// roundTrip sends req on pc and reads the response header. retry reports
// that nothing of a response was read (a connection the backend had
// closed).
func (t *h1Transport) roundTrip(ctx context.Context, pc *h1Conn, req *http.Request, id *oidc.IdentityHeaders) (resp *http.Response, retry bool, err error) {
	// A request whose client goes away ends its backend read at once.
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { pc.conn.SetDeadline(time.Unix(1, 0)) })
	}
	if err := writeRequest(pc.bw, req, id); err != nil {
		stop()
		return nil, !isTimeout(err), err
	}
	if err := pc.bw.Flush(); err != nil {
		stop()
		return nil, !isTimeout(err), err
	}
	if t.headerTimeout > 0 {
		pc.conn.SetReadDeadline(time.Now().Add(t.headerTimeout))
	}
	pc.limit = maxResponseHeaderBytes
	if _, err := pc.br.Peek(1); err != nil {
		stop()
		return nil, errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET), err
	}
	for n1xx := 0; ; {
		resp, err = http.ReadResponse(pc.br, req)
		if err != nil {
			stop()
			return nil, false, err
		}
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		if n1xx++; n1xx > max1xxResponses {
			stop()
			return nil, false, errors.New("net/http: too many 1xx informational responses")
		}
		if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.Got1xxResponse != nil {
			if err := trace.Got1xxResponse(resp.StatusCode, textproto.MIMEHeader(resp.Header)); err != nil {
				stop()
				return nil, false, err
			}
			pc.limit = maxResponseHeaderBytes
		}
	}
	pc.limit = -1
	if t.headerTimeout > 0 {
		pc.conn.SetReadDeadline(time.Time{})
	}
	keep := !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols
	if resp.Body == http.NoBody {
		t.release(pc, keep, stop)
		return resp, false, nil
	}
	resp.Body = &h1Body{t: t, pc: pc, body: resp.Body, keep: keep, stop: stop}
	return resp, false, nil
}

// release ends a request on pc: back to the pool when it may be reused,
// closed otherwise.
func (t *h1Transport) release(pc *h1Conn, keep bool, stop func() bool) {
	if stop() && keep && pc.br.Buffered() == 0 && t.put(pc) {
		return
	}
	pc.conn.Close()
}

// h1Body is a response body on a pooled connection: at EOF the connection
// goes back to the pool; closed before EOF, it is closed.
type h1Body struct {
	t    *h1Transport
	pc   *h1Conn
	body io.ReadCloser
	keep bool
	stop func() bool
	done bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.body.Read(p)
	if err != nil {
		b.done = true
		b.t.release(b.pc, b.keep && err == io.EOF, b.stop)
	}
	return n, err
}

func (b *h1Body) Close() error {
	if !b.done {
		b.done = true
		b.stop()
		b.pc.conn.Close()
	}
	return nil
}

// get takes the most recently used idle connection to key that is still
// within the idle timeout and usable (pooled false: none).
func (t *h1Transport) get(key string, pooled bool) *h1Conn {
	if !pooled {
		return nil
	}
	var stale []*h1Conn
	defer func() { closeAll(stale) }()
	t.mu.Lock()
	defer t.mu.Unlock()
	for {
		conns := t.idle[key]
		if len(conns) == 0 {
			return nil
		}
		pc := conns[len(conns)-1]
		conns[len(conns)-1] = nil
		t.idle[key] = conns[:len(conns)-1]
		if t.idleTimeout > 0 && time.Since(pc.idleSince) > t.idleTimeout {
			// The others are older still.
			stale = append(append(stale, pc), t.idle[key]...)
			delete(t.idle, key)
			return nil
		}
		if pc.idle.ok() {
			return pc
		}
		stale = append(stale, pc)
	}
}

// put pools pc; false when the pool is full.
func (t *h1Transport) put(pc *h1Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.idle == nil {
		t.idle = map[string][]*h1Conn{}
	}
	if len(t.idle[pc.key]) >= t.maxIdle {
		return false
	}
	pc.idleSince = time.Now()
	t.idle[pc.key] = append(t.idle[pc.key], pc)
	if t.idleTimeout > 0 && t.pruner == nil {
		t.pruner = time.AfterFunc(t.idleTimeout, t.prune)
	}
	return true
}

// prune closes the connections idle for longer than the idle timeout,
// as http.Transport's IdleConnTimeout does, and sweeps again while some
// remain.
func (t *h1Transport) prune() {
	var old []*h1Conn
	defer func() { closeAll(old) }()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pruner = nil
	now := time.Now()
	for key, conns := range t.idle {
		i := 0
		for i < len(conns) && now.Sub(conns[i].idleSince) >= t.idleTimeout {
			i++
		}
		old = append(old, conns[:i]...)
		if i == len(conns) {
			delete(t.idle, key)
		} else {
			t.idle[key] = append(conns[:0], conns[i:]...)
		}
	}
	if len(t.idle) > 0 {
		t.pruner = time.AfterFunc(t.idleTimeout, t.prune)
	}
}

// CloseIdleConnections closes the pooled connections of both paths.
func (t *h1Transport) CloseIdleConnections() {
	t.mu.Lock()
	var all []*h1Conn
	for _, conns := range t.idle {
		all = append(all, conns...)
	}
	t.idle = nil
	if t.pruner != nil {
		t.pruner.Stop()
		t.pruner = nil
	}
	t.mu.Unlock()
	closeAll(all)
	t.fallback.CloseIdleConnections()
}

func closeAll(conns []*h1Conn) {
	for _, pc := range conns {
		pc.conn.Close()
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// validHeader refuses what http.Transport refuses before sending: a field
// name that is not a token, a value with a control character other than
// tab (Request.Write would turn a line break into a space instead).
func validHeader(h http.Header) error {
	for k, vv := range h {
		if err := h1field.CheckName(k); err != nil {
			return err
		}
		for _, v := range vv {
			if err := h1field.CheckValue(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}
