package proxy

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// mod_proxy_http reads a chunked request body before it opens the
// backend connection, up to MAX_MEM_SPOOL (16 KiB): a body that ends
// within it goes to the backend with a Content-Length, a longer one is
// streamed chunked. A client body net/http cannot decode (a bad chunk
// size or framing) gets Apache's 400, a chunk size too large for a number
// 413, both without a Content-Length and closing the connection
// (measured, compat-tests/http10_test.go); the backend is not contacted
// when the error is in the prefetched part. With "Expect: 100-continue"
// too: the read sends the client its 100 Continue (and a backend's 100 is
// not relayed: keepAlive.ownContinue).

// proxyPrefetch is mod_proxy_http's MAX_MEM_SPOOL.
const proxyPrefetch = 16 << 10

// clientBody records the error net/http's decoder of the client's
// request body returned, so that a failed forward is told apart from a
// backend's failure.
type clientBody struct {
	io.Reader
	io.Closer
	err error
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

// prefetchBody reads the start of r's chunked body as mod_proxy_http
// does and replaces r.Body: by the whole body with its length when it
// ended within proxyPrefetch, else by what was read followed by the rest.
// It returns the clientBody that sees the reads (nil when r has no
// chunked body), whose err is set when the prefetch already failed.
func prefetchBody(r *http.Request) *clientBody {
	if r.ContentLength != -1 || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	orig := r.Body
	cb := &clientBody{Reader: orig, Closer: orig}
	buf := make([]byte, proxyPrefetch)
	n, err := io.ReadFull(cb, buf)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		if cb.err != nil {
			return cb // io.ReadFull reports a short read; the decoder failed
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{bytes.NewReader(buf[:n]), orig}
		r.ContentLength = int64(n)
		r.TransferEncoding = nil
		return cb
	case err != nil:
		return cb
	}
	cb.Reader = io.MultiReader(bytes.NewReader(buf[:n]), orig)
	r.Body = cb
	return cb
}

// clientBodyStatus is Apache's answer to a client body that could not
// be decoded: 413 for a chunk size over what a number holds, else 400.
func clientBodyStatus(err error) int {
	// net/http's decoder says "http chunk length too large" (its errors
	// are not exported).
	if strings.Contains(err.Error(), "too large") {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// writeClientBodyError answers a request whose body could not be read
// as Apache does: its error page with no Content-Length, the connection
// closed after it.
func (s *Site) writeClientBodyError(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig, err error) {
	s.logFor(r).Info("proxy: error reading request body", "err", err)
	s.writeError(&unsizedWriter{ResponseWriter: w}, r, dir, clientBodyStatus(err), "")
}

// unsizedWriter sends a response without Content-Length, delimited by
// the end of the connection.
type unsizedWriter struct{ http.ResponseWriter }

func (w *unsizedWriter) WriteHeader(code int) {
	if code >= 200 {
		h := w.Header()
		h.Del("Content-Length")
		h.Set("Connection", "close")
		// net/http would chunk an HTTP/1.1 response of unknown length.
		h.Set("Transfer-Encoding", "identity")
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *unsizedWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	// Sent now, so net/http does not count the body into a length.
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
	return n, err
}

// Unwrap gives markGenerated and http.ResponseController the writer.
func (w *unsizedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
