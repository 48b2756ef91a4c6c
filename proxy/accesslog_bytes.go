package proxy

import (
	"net/http"
	"strconv"
)

// Go's server buffers this much of a body before it decides between a
// Content-Length it computes and chunked encoding (net/http's
// bufferBeforeChunkingSize).
const goBufferBeforeChunking = 2048

// sentBytes is %O, mod_logio's bytes sent including the headers: the body
// plus the status line and headers as Go's server writes them — the
// handler's headers, and the Date, Content-Length or Transfer-Encoding
// that the server adds. A chunked body's framing is estimated (one chunk
// per copy buffer). (It used to be the body alone, which under-counts every line
// of Debian's combined and vhost_combined formats.)
func sentBytes(rec *logRecord) int64 {
	if rec.status == 0 {
		return rec.bytes
	}
	n := int64(len("HTTP/1.1 ") + 3 + 1 + 2) // protocol, code, space, CRLF
	if text := http.StatusText(rec.status); text != "" {
		n += int64(len(text))
	} else {
		n += int64(len("status code ") + len(strconv.Itoa(rec.status)))
	}
	for k, vs := range rec.respHdr {
		for _, v := range vs {
			n += int64(len(k) + 2 + len(v) + 2)
		}
	}
	if _, ok := rec.respHdr["Date"]; !ok {
		n += int64(len("Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"))
	}
	if _, ok := rec.respHdr["Connection"]; !ok && rec.r != nil && rec.r.Close && rec.r.ProtoAtLeast(1, 1) {
		n += int64(len("Connection: close\r\n"))
	}
	_, hasCL := rec.respHdr["Content-Length"]
	_, hasTE := rec.respHdr["Transfer-Encoding"]
	bodyAllowed := rec.status >= 200 && rec.status != http.StatusNoContent && rec.status != http.StatusNotModified
	if !hasCL && !hasTE && bodyAllowed && (rec.r == nil || rec.r.Method != http.MethodHead) {
		if rec.bytes < goBufferBeforeChunking {
			n += int64(len("Content-Length: \r\n") + len(strconv.FormatInt(rec.bytes, 10)))
		} else if rec.r != nil && rec.r.ProtoAtLeast(1, 1) {
			n += int64(len("Transfer-Encoding: chunked\r\n"))
			// A chunk per write: the proxy copies bodies through buffers of
			// bodyBufferSize, a full one per chunk when the backend keeps up.
			full, rest := rec.bytes/bodyBufferSize, rec.bytes%bodyBufferSize
			n += full * int64(len(strconv.FormatInt(bodyBufferSize, 16))+4)
			if rest > 0 {
				n += int64(len(strconv.FormatInt(rest, 16)) + 4)
			}
			n += int64(len("0\r\n\r\n"))
		}
	}
	return n + 2 + rec.bytes // the blank line, the body
}
