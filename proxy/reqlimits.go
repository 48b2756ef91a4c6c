package proxy

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/internal/errorlog"
)

// Apache's compiled-in defaults (DEFAULT_LIMIT_REQUEST_LINE,
// DEFAULT_LIMIT_REQUEST_FIELDSIZE, DEFAULT_LIMIT_REQUEST_FIELDS).
const (
	defaultLimitRequestLine      = 8190
	defaultLimitRequestFieldSize = 8190
	defaultLimitRequestFields    = 100
)

// maxHeaderBytesCap bounds net/http's MaxHeaderBytes whatever the limits
// say: memory per connection stays bounded.
const maxHeaderBytesCap = 16 << 20

// requestLimits are core's LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields of one server.
type requestLimits struct {
	line, fieldSize, fields int64
}

// requestLimitsOf returns srv's limits. As Apache merges them, a virtual
// host's 0 (or no directive) takes the main server's value; the main
// server's own 0 stays 0 (measured: LimitRequestLine 0 refuses every
// request line, LimitRequestFieldSize 0 every header; LimitRequestFields
// 0 is unlimited).
func requestLimitsOf(srv, main *apacheconf.Server) requestLimits {
	l := requestLimits{defaultLimitRequestLine, defaultLimitRequestFieldSize, defaultLimitRequestFields}
	pick := func(key string, dst *int64) {
		if main != nil && main.Core != nil {
			if v, ok := main.Core.Ints[key]; ok {
				*dst = v
			}
		}
		if srv != nil && srv != main && srv.Core != nil {
			if v, ok := srv.Core.Ints[key]; ok && v != 0 {
				*dst = v
			}
		}
	}
	pick("limitrequestline", &l.line)
	pick("limitrequestfieldsize", &l.fieldSize)
	pick("limitrequestfields", &l.fields)
	return l
}

// maxHeaderBytes is net/http's MaxHeaderBytes for a listener whose
// connections get limits l: at least net/http's default (1 MiB), more when
// the limits allow a larger request head, never over maxHeaderBytesCap.
// Requests under Apache's limits always fit; the handler applies the
// limits themselves.
func (l requestLimits) maxHeaderBytes() int {
	n := l.line + 2
	if l.fields > 0 {
		n += (l.fields + 1) * (l.fieldSize + 3)
	}
	return int(min(max(n, http.DefaultMaxHeaderBytes), maxHeaderBytesCap))
}

// check applies the limits to a parsed HTTP/1 request as Apache's
// read_request_line and ap_get_mime_headers do, returning 0 when the
// request is within them, else the status (414 or 400) and Apache's
// error note. Apache accepts a line (without its CRLF) of up to limit+1
// bytes (measured on 2.4.71: 8191 with the default 8190, for the request
// line and header fields alike). net/http has parsed the head already, so
// the request line is method SP target SP version (net/http accepts only
// single spaces there) and a header field is measured as "Name: value" —
// whitespace a client put around the value is not counted. When a field
// is too long and there are too many fields, the size is reported (Apache
// reports whichever it meets first on the wire).
func (l requestLimits) check(r *http.Request) (int, string) {
	if r.ProtoMajor != 1 {
		return 0, "" // HTTP/2 has its own limits
	}
	if int64(len(r.Method)+len(r.RequestURI)+len(r.Proto)+2) > l.line+1 {
		return http.StatusRequestURITooLong, ""
	}
	var fields int64
	if r.Host != "" {
		fields++ // net/http moved the Host field out of r.Header
		if int64(len("Host: ")+len(r.Host)) > l.fieldSize+1 {
			return http.StatusBadRequest, "Size of a request header field exceeds server limit."
		}
	}
	for k, vv := range r.Header {
		for _, v := range vv {
			if int64(len(k)+2+len(v)) > l.fieldSize+1 {
				return http.StatusBadRequest, "Size of a request header field exceeds server limit."
			}
		}
		fields += int64(len(vv))
	}
	if l.fields > 0 && fields > l.fields {
		return http.StatusBadRequest, "The number of request header fields exceeds this server's limit."
	}
	return 0, ""
}

// connDefault is the server whose request limits apply to a connection
// on local: Apache reads the request line and header fields before it
// looks at Host, with the limits of the address's default server (the
// IP-based virtual host, the first name-based one, or the main server) —
// measured: a name-based virtual host's own limits are never applied.
func (t *VHostTable) connDefault(local netip.AddrPort) *apacheconf.Server {
	if g := t.group(local); g != nil && len(g.vhosts) > 0 {
		return g.vhosts[0]
	}
	return t.main
}

// refuseOverLimits answers a request over its connection's limits with
// Apache's page and reports whether it did. The response is written on
// the hijacked connection, so its status line carries Apache's reason
// phrase ("414 Request-URI Too Long"; net/http would write "Request URI
// Too Long"), and the connection is closed as Apache closes it.
func (s *Site) refuseOverLimits(w http.ResponseWriter, r *http.Request, local netip.AddrPort, start time.Time) bool {
	resetStatusReason(r) // a new request on the connection
	srv := s.vhosts.connDefault(local)
	limits := requestLimitsOf(srv, s.cfg.Main)
	status, note := limits.check(r)
	if status == 0 {
		return false
	}
	log := s.log.With(errorlog.Module("core"), errorlog.Client(r.RemoteAddr))
	if srv != nil {
		log = log.With(errorlog.Server(srv))
	}
	line := r.Method + " " + r.RequestURI + " " + r.Proto
	if status == http.StatusRequestURITooLong {
		log.Info(fmt.Sprintf("request failed: client's request-line exceeds LimitRequestLine (longer than %d)", limits.line))
		// Apache keeps (and logs) the line cut after limit+1 bytes.
		line = line[:min(int64(len(line)), limits.line+1)]
	} else {
		log.Info("request failed: " + note)
	}
	admin := ""
	if srv != nil && srv.Core != nil {
		admin = htmlEscape(srv.Core.Values["serveradmin"])
	}
	reason, body := ErrorPage{Status: status, Method: r.Method, Admin: admin, Notes: note, Signature: earlySignature(srv, r.TLS)}.Render()
	// A request line Apache could not read has no method yet: even HEAD
	// gets the page (measured).
	head := r.Method == http.MethodHead && status != http.StatusRequestURITooLong
	writeRawResponse(w, status, reason, body, head)
	if srv != nil && srv.Log != nil {
		sent := int64(len(body))
		if head {
			sent = 0
		}
		hdr := http.Header{"Connection": {"close"}, "Content-Type": {"text/html; charset=iso-8859-1"}}
		s.access.log(&logRecord{r: r, srv: srv, status: status, bytes: sent, respHdr: hdr, start: start,
			duration: s.now().Sub(start), uri: LenientPath(requestPath(r)), requestLine: line})
	}
	return true
}

// writeRawResponse sends an Apache-generated page with Apache's reason
// phrase and closes the connection: on the hijacked connection when
// net/http allows it, else through w (Connection: close, net/http's
// reason phrase).
func writeRawResponse(w http.ResponseWriter, status int, reason, body string, head bool) {
	hj, ok := w.(http.Hijacker)
	if ok {
		conn, bw, err := hj.Hijack()
		if err == nil {
			defer conn.Close()
			writeRawTo(bw.Writer, status, reason, body, head, time.Now())
			_ = bw.Flush()
			return
		}
	}
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if !head {
		_, _ = w.Write([]byte(body))
	}
}

// writeRawTo writes the response head (Apache's header order: Date,
// Content-Length, Connection, Content-Type) and body.
func writeRawTo(bw *bufio.Writer, status int, reason, body string, head bool, now time.Time) {
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(status))
	bw.WriteString(" ")
	bw.WriteString(reason)
	bw.WriteString("\r\nDate: ")
	bw.WriteString(now.UTC().Format(http.TimeFormat))
	if !head { // Apache's answer to HEAD has no Content-Length (measured)
		bw.WriteString("\r\nContent-Length: ")
		bw.WriteString(strconv.Itoa(len(body)))
	}
	bw.WriteString("\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n")
	if !head {
		bw.WriteString(body)
	}
}

// maxHeaderBytes is net/http's MaxHeaderBytes: the largest any server's
// limits need (a listener on a wildcard address serves several default
// servers; a reload does not change it).
func (s *Site) maxHeaderBytes() int {
	n := requestLimitsOf(s.cfg.Main, s.cfg.Main).maxHeaderBytes()
	for _, vh := range s.cfg.VHosts {
		n = max(n, requestLimitsOf(vh, s.cfg.Main).maxHeaderBytes())
	}
	return n
}

// earlySignature is the ServerSignature footer of a page Apache writes
// before it has read the Host header: the default server's name, and the
// scheme's default port (measured: "Server at front.example Port 80" on
// any Listen port, for plain HTTP on an SSL port too).
func earlySignature(srv *apacheconf.Server, tls *tls.ConnectionState) string {
	if srv == nil {
		return ""
	}
	return signatureFor(&http.Request{TLS: tls}, srv, srv.Dir)
}

// connSignature is the footer of the pages apacheErrorConn writes for a
// connection to local (plain HTTP: net/http's own answers over TLS cannot
// be replaced).
func (s *Site) connSignature(local net.Addr) string {
	var ap netip.AddrPort
	if a, ok := local.(*net.TCPAddr); ok {
		p := a.AddrPort()
		ap = netip.AddrPortFrom(p.Addr().Unmap(), p.Port())
	}
	return earlySignature(s.vhosts.connDefault(ap), nil)
}
