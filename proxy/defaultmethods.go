package proxy

import (
	"net/http"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// apacheMethods are the methods Apache knows without a module registering
// more (http_protocol.c's built-in list; HEAD is GET without a body). Any
// other method, and any other spelling, is M_INVALID.
var apacheMethods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true, "CONNECT": true,
	"OPTIONS": true, "TRACE": true, "PATCH": true, "PROPFIND": true, "PROPPATCH": true,
	"MKCOL": true, "COPY": true, "MOVE": true, "LOCK": true, "UNLOCK": true,
	"VERSION-CONTROL": true, "CHECKOUT": true, "UNCHECKOUT": true, "CHECKIN": true,
	"UPDATE": true, "LABEL": true, "REPORT": true, "MKWORKSPACE": true, "MKACTIVITY": true,
	"BASELINE-CONTROL": true, "MERGE": true,
}

// defaultHandlerMethod answers, as Apache's default handler does, a
// request for a local path whose method is not GET, HEAD or POST, and
// reports whether it did: 501 for a method Apache does not know, OPTIONS
// with an empty 200, 405 for the others — whether or not the file exists,
// with an Allow header on Apache's own error page. TRACE is left to TraceEnable, and
// an ErrorDocument's internal redirect is a GET.
func (s *Site) defaultHandlerMethod(w http.ResponseWriter, r *http.Request, dir *apacheconf.DirConfig) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodTrace:
		return false
	}
	st := stateOf(r)
	if st != nil && st.inErrorDoc {
		return false
	}
	// make_allow: the default handler's methods in the order of Apache's
	// method registry (an APR hash: the order can differ between Apache
	// runs; this is the one measured most), then TRACE unless disabled.
	allow := "GET,POST,OPTIONS,HEAD"
	if srv := st.server(); srv == nil || srv.Core == nil || srv.Core.Values["traceenable"] != "off" {
		allow += ",TRACE"
	}
	if st != nil {
		st.allow = allow
	}
	switch {
	case !apacheMethods[r.Method]:
		s.writeError(w, r, dir, http.StatusNotImplemented, "")
	case r.Method == http.MethodOptions:
		markGenerated(w)
		w.Header().Set("Allow", allow)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		s.writeError(w, r, dir, http.StatusMethodNotAllowed, "")
	}
	return true
}

// server is the request's virtual host (nil without state).
func (st *reqState) server() *apacheconf.Server {
	if st == nil {
		return nil
	}
	return st.srv
}

// setAllow adds the Allow header Apache's error response carries for 405
// and 501 (ap_send_error_response), when the handler set the methods.
func setAllow(w http.ResponseWriter, r *http.Request, status int) {
	if status != http.StatusMethodNotAllowed && status != http.StatusNotImplemented {
		return
	}
	if st := stateOf(r); st != nil && st.allow != "" {
		w.Header().Set("Allow", st.allow)
	}
}
