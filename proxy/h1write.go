package proxy

import (
	"bufio"
	"errors"
	"net/http"
	"net/http/httptrace"
	"slices"
	"sync"

	"github.com/oidcgate/oidcgate/internal/h1field"
	"github.com/oidcgate/oidcgate/oidc"
)

// writeRequest serialises a request the synchronous path takes (no body,
// no Transfer-Encoding, headers already checked by validHeader) into bw,
// producing what (*http.Request).Write produces — request line, Host,
// User-Agent (Go's default unless the header is present; not sent when
// empty; no Content-Length: a body-less request without
// Transfer-Encoding gets none whatever its method), then the other header
// fields, sorted by name as Request.Write sorts them (so what a backend
// sees is stable from request to request), with their values trimmed.
//
// id, when not nil, are identity headers that are not in req.Header
// (identityhdr.go) and whose Wire succeeded: they are written among the
// others, in the same order as if they were.
//
// Requests it does not handle byte for byte (see writesItself) go to
// (*http.Request).Write; id must then be nil.
func writeRequest(bw *bufio.Writer, req *http.Request, id *oidc.IdentityHeaders) error {
	if !writesItself(req) {
		return req.Write(bw)
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	ruri := req.URL.RequestURI()
	for i := 0; i < len(ruri); i++ {
		if ruri[i] < ' ' || ruri[i] == 0x7f {
			return errors.New("net/http: can't write control character in Request.URL")
		}
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	bw.WriteString(method)
	bw.WriteByte(' ')
	bw.WriteString(ruri)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(host)
	bw.WriteString("\r\n")
	ua := "Go-http-client/1.1"
	if vv, ok := req.Header["User-Agent"]; ok {
		ua = ""
		if len(vv) > 0 {
			ua = vv[0]
		}
	}
	// As Request.Write: a value of only spaces is sent, trimmed (empty).
	if ua != "" {
		bw.WriteString("User-Agent: ")
		bw.WriteString(h1field.TrimOWS(ua))
		bw.WriteString("\r\n")
	}
	kp := headerKeys.Get().(*[]string)
	keys := (*kp)[:0]
	for k := range req.Header {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Both lists ascend: merged, the names come in the order of one sort.
	n := 0
	if id != nil {
		n = id.Len()
	}
	i := 0
	for _, k := range keys {
		j := i
		for j < n && id.Name(j) < k {
			j++
		}
		if j > i {
			bw.Write(id.Lines(i, j)) // the run of identity lines before k
			i = j
		}
		for _, v := range req.Header[k] {
			writeField(bw, k, v)
		}
	}
	if i < n {
		bw.Write(id.Lines(i, n))
	}
	*kp = keys[:0]
	headerKeys.Put(kp)
	_, err := bw.WriteString("\r\n")
	return err
}

func writeField(bw *bufio.Writer, k, v string) {
	bw.WriteString(k)
	bw.WriteString(": ")
	bw.WriteString(h1field.TrimOWS(v))
	bw.WriteString("\r\n")
}

// writesItself reports whether writeRequest serialises req itself rather
// than through (*http.Request).Write: a Host of plain ASCII host:port, no
// Close, no trailers, no client trace that watches the write.
func writesItself(req *http.Request) bool {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	return !req.Close && len(req.Trailer) == 0 && plainHost(host) && !traceWatchesWrite(req)
}

// headerKeys pools the slices writeRequest sorts header names in.
var headerKeys = sync.Pool{New: func() any { s := make([]string, 0, 64); return &s }}

// plainHost reports whether host is made only of bytes that Request.Write
// passes unchanged (no IDNA conversion, no IPv6 zone to remove, nothing
// its Host check refuses).
func plainHost(host string) bool {
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':' || c == '[' || c == ']' || c == '_') {
			return false
		}
	}
	return true
}

// traceWatchesWrite reports whether the request's client trace has a hook
// that Request.Write calls.
func traceWatchesWrite(req *http.Request) bool {
	t := httptrace.ContextClientTrace(req.Context())
	return t != nil && (t.WroteHeaderField != nil || t.WroteHeaders != nil || t.WroteRequest != nil)
}
