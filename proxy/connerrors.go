package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// net/http answers some requests itself, before any handler, with plain
// text written straight to the connection in one Write:
//
//	"HTTP/1.1 " + text + goErrorHeaders + text   (malformed request, 431, 505)
//	"HTTP/1.1 501 Not Implemented" + goErrorHeaders + "Unsupported transfer encoding"
//	goTLSPlainHTTP                               (plain HTTP to a TLS port)
//
// Neither has a hook in http.Server, so the listener's connections
// recognise these exact writes and send Apache's HTML page instead.
const (
	goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	goTLSPlainHTTP = "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
)

// plainHTTPNote is mod_ssl's reason for plain HTTP on an SSL port.
const plainHTTPNote = "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n"

// apachePageFor returns the response Apache sends where net/http wrote p,
// or nil when p is not one of net/http's own answers.
func apachePageFor(p []byte, pageFor func(status int, note string) earlyPage, now time.Time) []byte {
	status, note := 0, ""
	switch {
	case string(p) == goTLSPlainHTTP:
		status, note = http.StatusBadRequest, plainHTTPNote
	case bytes.HasPrefix(p, []byte("HTTP/1.1 ")):
		i := bytes.Index(p, []byte(goErrorHeaders))
		if i < 0 {
			return nil
		}
		text, body := string(p[len("HTTP/1.1 "):i]), string(p[i+len(goErrorHeaders):])
		switch {
		case strings.ContainsAny(text, "\r\n"):
			return nil
		case text == body && (strings.HasPrefix(text, "400 Bad Request") ||
			// MaxHeaderBytes is above what the limits allow: Apache
			// refuses such a head with 400 (which limit it names is not
			// known here).
			strings.HasPrefix(text, "431 ")),
			// Apache refuses a Transfer-Encoding it does not know with
			// 400 (measured: "Transfer-Encoding: gzip").
			text == "501 Not Implemented" && body == "Unsupported transfer encoding":
			status = http.StatusBadRequest
		default:
			return nil // 505: Apache serves HTTP/1.2 and HTTP/2.0 request lines; no page of its own to give
		}
	default:
		return nil
	}
	// The request was not read: no method, so even HEAD gets the page (as
	// Apache's answer to plain HTTP on an SSL port does).
	var page earlyPage
	if pageFor != nil {
		page = pageFor(status, note)
	} else {
		reason, body := ErrorPage{Status: status, Notes: note}.Render()
		page = earlyPage{status: status, reason: reason, body: body}
	}
	var b bytes.Buffer
	bw := bufio.NewWriterSize(&b, 512+len(page.body))
	writeRawTo(bw, page, false, now)
	_ = bw.Flush()
	return b.Bytes()
}

// apacheErrorListener hands out apacheErrorConns. Under a TLS listener
// it sees what net/http writes for plain HTTP on the port; over a plain
// one, net/http's other answers. (net/http's answers on a TLS connection
// are encrypted below the tls.Conn, and wrapping the tls.Conn itself
// would hide it from net/http: those stay net/http's text.)
type apacheErrorListener struct {
	net.Listener
	// pages gives the page for a connection to local (nil: the canned
	// page without footer).
	pages func(local net.Addr, status int, note string) earlyPage
}

// Accept wraps the next connection.
func (l apacheErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &apacheErrorConn{Conn: c, pages: l.pages}, nil
}

// apacheErrorConn replaces net/http's own answers by Apache's pages, and
// swaps the reason phrase of a response's status line (statusline.go).
type apacheErrorConn struct {
	net.Conn
	rewrite atomic.Pointer[statusLineRewrite]
	// wireMinor: the HTTP/1 minor version ('0' or '1') the next
	// response's status line must carry when net/http writes the other
	// one; 0 for no change (http10.go).
	wireMinor atomic.Uint32
	pages     func(local net.Addr, status int, note string) earlyPage
	// te, cl: a Transfer-Encoding, a Content-Length field was read on
	// the connection (fieldscan.go).
	te, cl fieldScan
}

// Read notes the header fields fieldScan looks for.
func (c *apacheErrorConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.te.scan(p[:n], teField)
		c.cl.scan(p[:n], clField)
	}
	return n, err
}

// maxGoErrorWrite bounds the writes worth looking at: net/http's answers
// are short.
const maxGoErrorWrite = 512

func (c *apacheErrorConn) Write(p []byte) (int, error) {
	if q := c.withWireVersion(p); q != nil {
		if _, err := c.write(q); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.write(p)
}

func (c *apacheErrorConn) write(p []byte) (int, error) {
	if done, err := c.swapStatusLine(p); done {
		if err != nil {
			return 0, err
		}
		return len(p), nil
	}
	if len(p) <= maxGoErrorWrite && len(p) > 9 && p[0] == 'H' && strings.HasPrefix(string(p[:9]), "HTTP/1.") {
		if page := apachePageFor(p, c.pageFor, time.Now()); page != nil {
			if _, err := c.Conn.Write(page); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// CloseWrite half-closes the TCP connection, as net/http does after its
// own answers so that the client reads them before the reset.
func (c *apacheErrorConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom keeps the TCP connection's sendfile/splice path for files.
func (c *apacheErrorConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}

func (c *apacheErrorConn) pageFor(status int, note string) earlyPage {
	if c.pages == nil {
		reason, body := ErrorPage{Status: status, Notes: note}.Render()
		return earlyPage{status: status, reason: reason, body: body}
	}
	return c.pages(c.LocalAddr(), status, note)
}
