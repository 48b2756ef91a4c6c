package proxy

import "net/http"

// serverAdmin is ServerAdmin of the request's server as Apache prints it
// in its 500-class pages (HTML-escaped, measured on Apache 2.4.71); ""
// when unset, which renders "[no address given]".
func serverAdmin(r *http.Request) string {
	st := stateOf(r)
	if st == nil || st.srv == nil || st.srv.Core == nil {
		return ""
	}
	return htmlEscape(st.srv.Core.Values["serveradmin"])
}
