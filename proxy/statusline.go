package proxy

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Apache's status line carries its own reason phrases ("414 Request-URI
// Too Long", mod_proxy's "502 Proxy Error") and passes a backend's
// through ("404 File not found"); net/http always writes StatusText. On
// a plain HTTP/1 connection the response head goes through
// apacheErrorConn.Write, which swaps the reason phrase the handler asked
// for. Over TLS the head is encrypted below the tls.Conn that net/http
// needs to see, so there the reason stays net/http's.

// statusLineRewrite is one pending swap: the status line net/http will
// write and the one Apache writes.
type statusLineRewrite struct{ from, to []byte }

// conn context key for the client connection's apacheErrorConn.
type apacheConnKey struct{}

// connContext is the http.Server's ConnContext: the request counter
// (MaxKeepAliveRequests) and the connection wrapper.
func connContext(ctx context.Context, c net.Conn) context.Context {
	ctx = withConnCounter(ctx, c)
	if ac, ok := c.(*apacheErrorConn); ok {
		ctx = context.WithValue(ctx, apacheConnKey{}, ac)
	}
	return ctx
}

// setStatusReason asks for reason in the status line of r's response
// (written next). Nothing happens when it is net/http's own phrase, over
// TLS or HTTP/2, or when reason is empty or not printable.
func setStatusReason(r *http.Request, status int, reason string) {
	ac, _ := r.Context().Value(apacheConnKey{}).(*apacheErrorConn)
	if ac == nil || r.ProtoMajor != 1 || r.TLS != nil || reason == "" || reason == http.StatusText(status) || !printableReason(reason) {
		return
	}
	// The version is compared and written as the response has it
	// (swapStatusLine): HTTP/1.0 requests get HTTP/1.1 (http10.go).
	const proto = "HTTP/1.1 "
	goText := http.StatusText(status)
	if goText == "" {
		goText = "status code " + strconv.Itoa(status)
	}
	code := strconv.Itoa(status)
	ac.rewrite.Store(&statusLineRewrite{
		from: []byte(proto + code + " " + goText + "\r\n"),
		to:   []byte(proto + code + " " + reason + "\r\n"),
	})
}

// resetStatusReason drops a swap a previous response on the connection
// did not use.
func resetStatusReason(r *http.Request) {
	if ac, _ := r.Context().Value(apacheConnKey{}).(*apacheErrorConn); ac != nil {
		ac.rewrite.Store(nil)
		ac.wireMinor.Store(wireMinorFor(r))
	}
}

// backendReason is the reason phrase of a backend's status ("404 File not
// found" gives "File not found").
func backendReason(resp *http.Response) string {
	_, reason, _ := strings.Cut(resp.Status, " ")
	return reason
}

// printableReason: visible ASCII, space and tab only.
func printableReason(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c >= 0x7f {
			return false
		}
	}
	return true
}

// swapStatusLine writes p with the pending status line swapped when p
// starts with it (whatever its HTTP/1 minor version, which is kept),
// reporting whether it did.
func (c *apacheErrorConn) swapStatusLine(p []byte) (bool, error) {
	rw := c.rewrite.Load()
	if rw == nil || len(p) < len(rw.from) || !bytes.Equal(p[:7], rw.from[:7]) || !bytes.Equal(p[8:len(rw.from)], rw.from[8:]) {
		return false, nil
	}
	c.rewrite.CompareAndSwap(rw, nil)
	buf := make([]byte, 0, len(p)-len(rw.from)+len(rw.to))
	buf = append(append(buf, rw.to...), p[len(rw.from):]...)
	buf[7] = p[7]
	_, err := c.Conn.Write(buf)
	return true, err
}
