package proxy

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"

	"github.com/oidcgate/oidcgate/apacheconf"
)

// defaultMaxKeepAliveRequests is Apache's MaxKeepAliveRequests default.
const defaultMaxKeepAliveRequests = 100

// connRequestsKey carries the per-connection request counter that
// withConnCounter puts into every connection's context.
type connRequestsKey struct{}

// withConnCounter is the http.Server's ConnContext: one request counter
// per client connection, for MaxKeepAliveRequests.
func withConnCounter(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connRequestsKey{}, new(atomic.Int64))
}

// maxKeepAliveRequests applies MaxKeepAliveRequests of the request's
// server: as Apache's ap_set_keepalive counts, a connection serves the
// first request and then N kept-alive ones; the response to the one
// after says Connection: close and Go's server closes the connection
// after it. 0 is unlimited. HTTP/2 streams are not counted (Apache's
// HTTP/2 has its own limits).
func maxKeepAliveRequests(w http.ResponseWriter, r *http.Request, srv *apacheconf.Server) {
	n, _ := r.Context().Value(connRequestsKey{}).(*atomic.Int64)
	if n == nil || r.ProtoMajor != 1 {
		return
	}
	count := n.Add(1)
	max := int64(defaultMaxKeepAliveRequests)
	if srv.Core != nil {
		if v, ok := srv.Core.Ints["maxkeepaliverequests"]; ok {
			max = v
		}
	}
	if max > 0 && count > max {
		w.Header().Set("Connection", "close")
	}
}
