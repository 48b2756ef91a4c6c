package proxy

import (
	"net/http"
	"time"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// keepAliveOff applies KeepAlive Off of the request's server: the
// response says Connection: close, and Go's server closes the connection
// after it, as Apache does. Per request, so it follows the virtual host
// and reloads.
func keepAliveOff(w http.ResponseWriter, srv *apacheconf.Server) {
	if srv.Core != nil && srv.Core.Values["keepalive"] == "off" {
		w.Header().Set("Connection", "close")
	}
}

// idleTimeout is KeepAliveTimeout of the main server, the time an idle
// client connection is kept; 0 (Go's server then keeps it until the
// client closes it) when the configuration does not set it.
func idleTimeout(cfg *apacheconf.Config) time.Duration {
	if cfg == nil || cfg.Main == nil || cfg.Main.Core == nil {
		return 0
	}
	return cfg.Main.Core.Durations["keepalivetimeout"]
}
