package proxy

import (
	"errors"
	"io"
	"net/http"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// LimitRequestBody as Apache 2.4.71 applies it (measured, and read in
// http_filters.c):
//   - a request mod_proxy forwards is never limited: the HTTP_IN filter
//     sets no limit when r->proxyreq is set, so bodies of any size, with
//     Content-Length or chunked, reach the backend;
//   - any other request's body is discarded when its response is
//     finalised (or first, by the default handler for static files): if
//     it is larger than the limit the response becomes Apache's 413 page.
//     When the status already chosen was not 200 and did not come from
//     the default handler (a Redirect, a DirectorySlash redirect, a 403,
//     the module's redirect to the provider) the 413 page says
//     "Additionally, a <status> error was encountered" and no
//     ErrorDocument applies; otherwise ErrorDocument 413 does;
//   - mod_auth_openidc's own reads (form_post callback, OIDCPreservePost,
//     back-channel logout, a bearer token in the form body) fail when the
//     Content-Length is over the limit (ap_setup_client_block), proxied
//     path or not.

// defaultLimitRequestBody is Apache's default since 2.4.54: 1 GiB.
const defaultLimitRequestBody = 1 << 30

// limitRequestBody is the LimitRequestBody of the merged per-directory
// configuration; 0 means unlimited.
func limitRequestBody(dir *apacheconf.DirConfig) int64 {
	if dir != nil && dir.Core != nil {
		if v, ok := dir.Core.Ints["limitrequestbody"]; ok {
			return v
		}
	}
	return defaultLimitRequestBody
}

// hasBody reports whether the request announces a body (Content-Length
// above 0, or chunked).
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody
}

// errBodyLimit is what mod_auth_openidc's body reads get when the
// Content-Length is over LimitRequestBody.
var errBodyLimit = errors.New("request body larger than LimitRequestBody")

type failingBody struct{ io.Closer }

func (failingBody) Read([]byte) (int, error) { return 0, errBodyLimit }

// limitModuleReads makes the request's body unreadable for the module
// when its Content-Length is over limit (0: unlimited), as
// ap_setup_client_block refuses it; the returned function restores it
// for mod_proxy, which does not apply the limit.
func limitModuleReads(r *http.Request, limit int64) (restore func()) {
	if limit <= 0 || r.ContentLength <= limit || r.Body == nil {
		return func() {}
	}
	orig := r.Body
	r.Body = failingBody{orig}
	return func() { r.Body = orig }
}

// bodyLimitWriter turns the response to a request that is not proxied
// into Apache's 413 when the request body is over LimitRequestBody. The
// body is examined (read and discarded for a chunked one, as Apache's
// ap_discard_request_body does) when the status is known.
type bodyLimitWriter struct {
	http.ResponseWriter
	s     *Site
	r     *http.Request
	dir   *apacheconf.DirConfig
	limit int64
	// checked: the body was examined; over: it is over the limit.
	checked, over bool
	// replaced: the 413 went out instead; what the handler writes after
	// it is dropped.
	replaced bool
}

// newBodyLimitWriter wraps w when the request has a body and a limit
// applies; otherwise it returns nil.
func (s *Site) newBodyLimitWriter(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig) *bodyLimitWriter {
	limit := limitRequestBody(dir)
	if limit <= 0 || !hasBody(r) {
		return nil
	}
	return &bodyLimitWriter{ResponseWriter: w, s: s, r: r, dir: dir, limit: limit}
}

// exceeded reports whether the body is over the limit, reading (and
// discarding) at most limit+1 bytes of a body without Content-Length.
func (w *bodyLimitWriter) exceeded() bool {
	if w == nil {
		return false
	}
	if !w.checked {
		w.checked = true
		switch {
		case w.r.ContentLength > w.limit:
			w.over = true
		case w.r.ContentLength < 0:
			n, _ := io.CopyN(io.Discard, w.r.Body, w.limit+1)
			w.over = n > w.limit
		}
	}
	return w.over
}

// handlerCheck is the default handler's first step: a body over the
// limit answers a plain 413 (ErrorDocument 413 applies) before the file
// is looked for. It reports whether the 413 was sent.
func (w *bodyLimitWriter) handlerCheck() bool {
	if w == nil || w.replaced || !w.exceeded() {
		return false
	}
	w.replaced = true // the 413 below goes out as is
	w.s.writeError(w.ResponseWriter, w.r, w.dir, http.StatusRequestEntityTooLarge, "")
	return true
}

func (w *bodyLimitWriter) WriteHeader(code int) {
	if w.replaced {
		return
	}
	if code < 200 || !w.exceeded() {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.replaced = true
	if code == http.StatusOK {
		// ap_die with r->status 200 is not a recursive error.
		w.clearHeaders()
		w.s.writeError(w.ResponseWriter, w.r, w.dir, http.StatusRequestEntityTooLarge, "")
		return
	}
	w.clearHeaders()
	markGenerated(w.ResponseWriter)
	w.s.writeErrorPage(w.ResponseWriter, w.r, ErrorPage{Status: http.StatusRequestEntityTooLarge, Method: w.r.Method, Additional: code})
}

// clearHeaders drops what the abandoned response had set, keeping its
// cookies (mod_auth_openidc sets them in err_headers_out, which Apache's
// error response keeps).
func (w *bodyLimitWriter) clearHeaders() {
	h := w.Header()
	for k := range h {
		if k != "Set-Cookie" {
			delete(h, k)
		}
	}
}

func (w *bodyLimitWriter) Write(p []byte) (int, error) {
	if !w.replaced && !w.checked {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced && w.over {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// Flush lets streamed responses through.
func (w *bodyLimitWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *bodyLimitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// defaultHandlerCheck runs handlerCheck for the static-file handler of a
// request (not of an ErrorDocument's internal redirect, which has no
// body); it reports whether the 413 was sent.
func defaultHandlerCheck(w http.ResponseWriter, r *http.Request) bool {
	if st := stateOf(r); st != nil && st.inErrorDoc {
		return false
	}
	for {
		switch x := w.(type) {
		case *bodyLimitWriter:
			return x.handlerCheck()
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return false
		}
	}
}
