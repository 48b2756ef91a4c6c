package proxy

import (
	"bytes"
	"net/http"
	"sync/atomic"
)

// net/http removes some request header fields before a handler sees them
// (Transfer-Encoding of an HTTP/1.0 request, Content-Length beside
// Transfer-Encoding: chunked) where Apache acts on them; on a plain
// connection apacheErrorConn.Read looks for them in what the client sends.

// The header lines looked for, lower case, with the line feed before.
const (
	teField = "\ntransfer-encoding"
	clField = "\ncontent-length"
)

// maxScanField bounds the length of a field fieldScan looks for.
const maxScanField = 20

// fieldScan looks for a header line starting with a field name
// (case-insensitive) in the bytes a connection reads, across reads; once
// seen, it stays seen for the connection. Bodies may hold the text too:
// the callers only close a connection on it, which is always safe.
type fieldScan struct {
	seen atomic.Bool
	// tail is the end of the previous read (a line split across reads).
	tail  [maxScanField - 1]byte
	ntail int
}

// scan looks for field (at most maxScanField bytes, lower case) in p.
func (t *fieldScan) scan(p []byte, field string) {
	if t.seen.Load() {
		return
	}
	keep := len(field) - 1
	var edge [2 * (maxScanField - 1)]byte
	e := append(append(edge[:0], t.tail[:t.ntail]...), p[:min(len(p), keep)]...)
	if hasField(e, field) || hasField(p, field) {
		t.seen.Store(true)
		return
	}
	if len(p) >= keep {
		t.ntail = copy(t.tail[:], p[len(p)-keep:])
		return
	}
	// A short read: keep the end of tail and p together.
	e = append(append(edge[:0], t.tail[:t.ntail]...), p...)
	t.ntail = copy(t.tail[:], e[max(0, len(e)-keep):])
}

// hasField reports whether b holds field, case-insensitively.
func hasField(b []byte, field string) bool {
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return false
		}
		i += j
		if len(b)-i >= len(field) && bytes.EqualFold(b[i:i+len(field)], []byte(field)) {
			return true
		}
		i++
	}
	return false
}

// sawField reports whether the scan which picks from r's connection saw
// its field; over TLS, where what the client sends is not visible to it,
// unknown.
func sawField(r *http.Request, which func(*apacheErrorConn) *fieldScan, unknown bool) bool {
	ac, _ := r.Context().Value(apacheConnKey{}).(*apacheErrorConn)
	if ac == nil {
		return unknown
	}
	return which(ac).seen.Load()
}
