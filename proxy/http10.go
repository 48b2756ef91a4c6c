package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// HTTP/1.0 clients and keep-alive as Apache's core answers them
// (ap_set_keepalive and the HTTP_HEADER filter, measured on 2.4 in
// compat-tests/http10_test.go):
//   - the status line says HTTP/1.1 whatever the request's version,
//     unless the request is (or was downgraded to) HTTP/1.0 and
//     force-response-1.0 is set (Debian's BrowserMatch lines);
//   - a connection is kept only when the response's length is known (a
//     Content-Length, a HEAD, a status without body, or chunking, which an
//     HTTP/1.0 response cannot use), the client did not ask to close,
//     nokeepalive is not set (or the request came through a proxy: Via),
//     and the client is HTTP/1.1 or sent "Connection: keep-alive";
//   - a kept connection gets "Keep-Alive: timeout=T, max=N" and
//     "Connection: Keep-Alive" when the client sent the keep-alive token,
//     N being what MaxKeepAliveRequests leaves; any other response says
//     "Connection: close" and the connection is closed after it;
//   - downgrade-1.0 makes an HTTP/1.1 request HTTP/1.0 for all this (no
//     chunking: a response of unknown length ends with the connection).
//
// net/http writes the version of the request in the status line; on a
// plain connection apacheErrorConn swaps its minor digit (wireMinor). Over
// TLS the head is encrypted below the tls.Conn net/http needs to see, so
// an HTTP/1.0 request there still gets "HTTP/1.0", and its connection is
// never kept (fieldScan cannot see whether it had a Transfer-Encoding).

// defaultKeepAliveTimeout is Apache's KeepAliveTimeout default.
const defaultKeepAliveTimeout = 5 * time.Second

// wireMinorFor is the status line's minor version digit to write for r
// when it differs from the one net/http writes (HTTP/1.1 for an HTTP/1.0
// request), else 0.
func wireMinorFor(r *http.Request) uint32 {
	if r.ProtoMajor == 1 && r.ProtoMinor == 0 {
		return '1'
	}
	return 0
}

// withWireVersion returns p with the status line's minor version swapped
// when p starts the response head the pending swap is for (not an
// interim 1xx), else nil.
func (c *apacheErrorConn) withWireVersion(p []byte) []byte {
	minor := c.wireMinor.Load()
	if minor == 0 || len(p) < 13 || string(p[:7]) != "HTTP/1." || p[8] != ' ' || p[9] == '1' {
		return nil
	}
	c.wireMinor.Store(0)
	if uint32(p[7]) == minor {
		return nil
	}
	q := append([]byte(nil), p...)
	q[7] = byte(minor)
	return q
}

// setWireMinor asks for minor ('0' or '1') in the status line of r's
// response; 0 leaves net/http's.
func setWireMinor(r *http.Request, minor uint32) {
	if ac, _ := r.Context().Value(apacheConnKey{}).(*apacheErrorConn); ac != nil {
		ac.wireMinor.Store(minor)
	}
}

// keepAlive decides, when the response head is about to be written, the
// Connection and Keep-Alive headers of one HTTP/1 request's response.
type keepAlive struct {
	r        *http.Request
	srv      *apacheconf.Server
	main     *apacheconf.Server
	env      map[string]string
	requests *atomic.Int64 // requests on the connection, this one included
	done     bool
	keep     bool // apply kept the connection
}

// apply sets the headers in h for a response with status (not 1xx).
func (k *keepAlive) apply(h http.Header, status int) {
	if k.done || k.r.ProtoMajor != 1 {
		return
	}
	k.done = true
	r := k.r
	_, downgrade := k.env["downgrade-1.0"]
	proto10 := r.ProtoMinor == 0 || downgrade
	_, force10 := k.env["force-response-1.0"]
	force10 = force10 && proto10
	switch {
	case force10:
		setWireMinor(r, '0')
	case r.ProtoMinor == 0:
		setWireMinor(r, '1')
	}
	reqConn := r.Header["Connection"]
	kaSent := hasToken(reqConn, "keep-alive")
	_, nokeepalive := k.env["nokeepalive"]
	lengthKnown := r.Method == http.MethodHead || !bodyAllowed(status) || h.Get("Content-Length") != "" || !proto10
	// net/http ignores (and removes) Transfer-Encoding in an HTTP/1.0
	// request: the body is empty to it where Apache decodes it, and what
	// follows on the connection is that body, never to be read as the
	// next request. The field is looked for in what the connection read
	// (fieldScan), so any HTTP/1.0 request after one on the connection
	// closes it.
	// Over TLS it is not visible: no HTTP/1.0 connection is kept there.
	te10 := r.ProtoMinor == 0 && sawField(r, func(c *apacheErrorConn) *fieldScan { return &c.te }, true)
	// A chunked request that also had a Content-Length (net/http drops
	// it): Apache reads the chunks and closes the connection after the
	// response, against request smuggling. Over TLS it is not visible:
	// net/http's framing (the chunks) is kept, as on a chunked request.
	clte := len(r.TransferEncoding) > 0 && sawField(r, func(c *apacheErrorConn) *fieldScan { return &c.cl }, false)
	keep := lengthKnown && !force10 && !te10 && !clte &&
		!hasToken(h["Connection"], "close") && !hasToken(reqConn, "close") &&
		(!nokeepalive || r.Header.Get("Via") != "") &&
		(kaSent || !proto10)
	if !keep {
		h.Del("Keep-Alive")
		if !hasToken(h["Connection"], "close") {
			h.Set("Connection", "close")
		}
		if proto10 && r.ProtoMinor == 1 && !lengthKnown {
			// Downgraded: no chunking; the body ends with the connection.
			h.Set("Transfer-Encoding", "identity")
		}
		return
	}
	k.keep = true
	if !kaSent {
		return
	}
	ka := "timeout=" + strconv.FormatInt(int64(k.timeout()/time.Second), 10)
	if max := k.maxRequests(); max > 0 {
		var n int64 = 1
		if k.requests != nil {
			n = k.requests.Load()
		}
		ka += ", max=" + strconv.FormatInt(max-(n-1), 10)
	}
	h.Set("Keep-Alive", ka)
	// net/http keeps an HTTP/1.0 connection whose response has a length
	// and any Connection header that does not say close.
	h.Set("Connection", "Keep-Alive")
}

// ownContinue reports whether a 100 Continue (a backend's, relayed) is
// net/http's to send: it answers "Expect: 100-continue" itself when the
// body is first read, so the client gets one 100 as from Apache (measured)
// instead of two.
func (k *keepAlive) ownContinue(code int) bool {
	return code == http.StatusContinue && hasToken(k.r.Header["Expect"], "100-continue")
}

// timeout is KeepAliveTimeout of the request's server.
func (k *keepAlive) timeout() time.Duration {
	for _, s := range []*apacheconf.Server{k.srv, k.main} {
		if s != nil && s.Core != nil {
			if d, ok := s.Core.Durations["keepalivetimeout"]; ok {
				return d
			}
		}
	}
	return defaultKeepAliveTimeout
}

// maxRequests is MaxKeepAliveRequests of the request's server.
func (k *keepAlive) maxRequests() int64 {
	if k.srv != nil && k.srv.Core != nil {
		if v, ok := k.srv.Core.Ints["maxkeepaliverequests"]; ok {
			return v
		}
	}
	return defaultMaxKeepAliveRequests
}

// bodyAllowed: a response with status may have a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// hasToken reports whether a comma-separated header value in vv holds
// token (case-insensitive; empty elements are none).
func hasToken(vv []string, token string) bool {
	for _, v := range vv {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if t = strings.TrimSpace(t); t != "" && strings.EqualFold(t, token) {
				return true
			}
		}
	}
	return false
}
