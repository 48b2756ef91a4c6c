package proxy

import (
	"net/http"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// traceDenied reports whether TraceEnable Off refuses r, a TRACE request,
// at the handler (Apache's core and mod_proxy both answer 405 there, after
// authentication and mod_alias's redirects). It sets Apache's empty Allow
// header, measured on Apache 2.4.71 for proxied and local paths alike.
func traceDenied(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server) bool {
	if r.Method != http.MethodTrace || srv.Core == nil || srv.Core.Values["traceenable"] != "off" {
		return false
	}
	w.Header()["Allow"] = []string{""}
	return true
}
