package proxy

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
	"github.com/oidcgate/oidcgate/oidc"
)

// reqState is what an internal redirect needs of the request it replaces.
type reqState struct {
	srv *apacheconf.Server
	// dir is the merged per-directory configuration once the section
	// walk has run (nil before: the server's level applies).
	dir   *apacheconf.DirConfig
	env   map[string]string
	start time.Time
	user  *string
	// inErrorDoc is set while an ErrorDocument is being served; failed is
	// the status of an error that happened there.
	inErrorDoc bool
	failed     int
	// errDoc is the writer of the ErrorDocument being served.
	errDoc *errDocWriter
	// logURI, when set, is what %U logs instead of the request's path: a
	// directory's index file (mod_dir's internal redirect changes r->uri).
	logURI string
	// uri, filename and pathInfo are Apache's r->uri, r->filename and
	// r->path_info as the phases set them (see exprvars.go); uriSet tells
	// that normalisation has run (before it r->uri is the raw path).
	uri, filename, pathInfo string
	uriSet                  bool
	// logStatus, when set, is the status the access log shows instead of
	// the one sent (Apache's r->status after a module wrote its own page).
	logStatus int
	// allow is the Allow header of a 405 or 501 error page (the methods
	// the handler allows).
	allow string
	// identity are the identity headers not in the request's header map
	// (identityhdr.go).
	identity *oidc.IdentityHeaders
}

type reqStateKey struct{}

func stateOf(r *http.Request) *reqState {
	st, _ := r.Context().Value(reqStateKey{}).(*reqState)
	return st
}

// errDocWriter sends an ErrorDocument's response: a local file keeps the
// original error status (Apache's default handler does not change it),
// a proxied document answers with the backend's status, as Apache does.
type errDocWriter struct {
	http.ResponseWriter
	status int
	local  bool
}

func (w *errDocWriter) WriteHeader(code int) {
	if w.local && code == http.StatusOK {
		code = w.status
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *errDocWriter) Write(p []byte) (int, error) { return w.ResponseWriter.Write(p) }

// Flush lets streamed responses through.
func (w *errDocWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// internalRedirect serves "ErrorDocument <status> /local/url" as Apache's
// ap_die does: a new request for the URL (GET unless HEAD) through the
// whole pipeline, with the request environment renamed to REDIRECT_* and
// REDIRECT_STATUS set. It reports false when the request cannot be
// redirected (no request state, or already inside an ErrorDocument).
func (s *Site) internalRedirect(w http.ResponseWriter, r *http.Request, status int, target string) bool {
	st := stateOf(r)
	if st == nil || st.inErrorDoc {
		return false
	}
	env := make(map[string]string, len(st.env)+1)
	for k, v := range st.env {
		env["REDIRECT_"+k] = v
	}
	env["REDIRECT_STATUS"] = itoa(status)
	inner := &reqState{srv: st.srv, env: env, start: st.start, user: st.user, inErrorDoc: true}
	r2 := r.Clone(context.WithValue(r.Context(), reqStateKey{}, inner))
	if r2.Method != http.MethodHead {
		r2.Method = http.MethodGet
	}
	path, query, _ := strings.Cut(target, "?")
	r2.URL.Path, r2.URL.RawPath, r2.URL.RawQuery = path, "", query
	r2.RequestURI = target
	r2.Body, r2.ContentLength = http.NoBody, 0
	if st.identity != nil {
		// Apache's new request copies headers_in, identity headers and all.
		st.identity.AddTo(r2.Header)
	}
	ew := &errDocWriter{ResponseWriter: w, status: status}
	inner.errDoc = ew
	s.serve(ew, r2, st.srv, env, st.start, st.user)
	if inner.failed != 0 {
		// The document itself failed: Apache's page for the original
		// status, with a note.
		s.writeErrorPage(w, r, ErrorPage{Status: status, Method: r.Method, Additional: status})
	}
	return true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
