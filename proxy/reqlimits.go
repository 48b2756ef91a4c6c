package proxy

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
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
	// A request line Apache could not read has no method yet: even HEAD
	// gets the page (measured).
	head := r.Method == http.MethodHead && status != http.StatusRequestURITooLong
	page := earlyPageFor(srv, status, note, r.Method, r.TLS)
	writeRawResponse(w, page, head)
	if srv != nil && srv.Log != nil {
		sent := int64(len(page.body))
		if head {
			sent = 0
		}
		hdr := http.Header{"Connection": {"close"}, "Content-Type": {"text/html; charset=iso-8859-1"}}
		if page.location != "" {
			hdr.Set("Location", page.location)
		}
		s.access.log(&logRecord{r: r, srv: srv, status: page.status, bytes: sent, respHdr: hdr, start: start,
			duration: s.now().Sub(start), uri: LenientPath(requestPath(r)), requestLine: line})
	}
	return true
}

// earlyPage is a response Apache writes before it has read the whole
// request head.
type earlyPage struct {
	status       int
	reason, body string
	location     string // ErrorDocument URL: a 302 to it
}

// earlyPageFor is Apache's answer with status for srv, the connection's
// default server: its server-level ErrorDocument when it is a text or a
// URL (measured: applied to request-line and header errors), else the
// canned page with note and the ServerSignature footer. An ErrorDocument
// naming a local path is not served here (Apache serves it as an internal
// redirect): the canned page answers.
func earlyPageFor(srv *apacheconf.Server, status int, note, method string, tls *tls.ConnectionState) earlyPage {
	sig, admin := "", ""
	if srv != nil {
		sig = signatureFor(&http.Request{TLS: tls}, srv, srv.Dir)
		if srv.Core != nil {
			admin = htmlEscape(srv.Core.Values["serveradmin"])
		}
		if srv.Dir != nil && srv.Dir.Core != nil {
			if ed, ok := srv.Dir.Core.ErrorDocuments[status]; ok && !ed.Default {
				switch {
				case ed.Text:
					return earlyPage{status: status, reason: cannedReason(status), body: ed.Target}
				case strings.Contains(ed.Target, "://"):
					reason, body := ErrorPage{Status: http.StatusFound, URL: ed.Target, Signature: sig}.Render()
					return earlyPage{status: http.StatusFound, reason: reason, body: body, location: ed.Target}
				}
			}
		}
	}
	reason, body := ErrorPage{Status: status, Method: method, Admin: admin, Notes: note, Signature: sig}.Render()
	return earlyPage{status: status, reason: reason, body: body}
}

// cannedReason is Apache's reason phrase for status.
func cannedReason(status int) string {
	reason, _ := ErrorPage{Status: status}.Render()
	return reason
}

// writeRawResponse sends an early page and closes the connection: on the
// hijacked connection when net/http allows it (Apache's reason phrase),
// else through w (Connection: close, net/http's reason phrase).
func writeRawResponse(w http.ResponseWriter, page earlyPage, head bool) {
	hj, ok := w.(http.Hijacker)
	if ok {
		conn, bw, err := hj.Hijack()
		if err == nil {
			defer conn.Close()
			writeRawTo(bw.Writer, page, head, time.Now())
			_ = bw.Flush()
			return
		}
	}
	if page.location != "" {
		w.Header().Set("Location", page.location)
	}
	w.Header().Set("Connection", "close")
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.Header().Set("Content-Length", strconv.Itoa(len(page.body)))
	w.WriteHeader(page.status)
	if !head {
		_, _ = io.WriteString(w, page.body)
	}
}

// writeRawTo writes the response head (Apache's header order: Date,
// Location, Content-Length, Connection, Content-Type) and body.
func writeRawTo(bw *bufio.Writer, page earlyPage, head bool, now time.Time) {
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(page.status))
	bw.WriteString(" ")
	bw.WriteString(page.reason)
	bw.WriteString("\r\nDate: ")
	bw.WriteString(now.UTC().Format(http.TimeFormat))
	if page.location != "" {
		bw.WriteString("\r\nLocation: ")
		bw.WriteString(page.location)
	}
	if !head { // Apache's answer to HEAD has no Content-Length (measured)
		bw.WriteString("\r\nContent-Length: ")
		bw.WriteString(strconv.Itoa(len(page.body)))
	}
	bw.WriteString("\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n")
	if !head {
		bw.WriteString(page.body)
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

// connPage is the page apacheErrorConn writes for a connection to local
// in place of net/http's answer (plain HTTP: net/http's own answers over
// TLS cannot be replaced).
func (s *Site) connPage(local net.Addr, status int, note string) earlyPage {
	var ap netip.AddrPort
	if a, ok := local.(*net.TCPAddr); ok {
		p := a.AddrPort()
		ap = netip.AddrPortFrom(p.Addr().Unmap(), p.Port())
	}
	return earlyPageFor(s.vhosts.connDefault(ap), status, note, "GET", nil)
}
