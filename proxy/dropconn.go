package proxy

import "net/http"

// statusDropsConnection is Apache's ap_status_drops_connection: the
// statuses after which the connection is not kept alive, whether Apache
// generated the response or a backend did (ap_set_keepalive looks at the
// final status).
func statusDropsConnection(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusRequestTimeout, http.StatusLengthRequired,
		http.StatusRequestEntityTooLarge, http.StatusRequestURITooLong,
		http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusNotImplemented:
		return true
	}
	return false
}

// dropConnection marks the response Connection: close when status drops
// the connection; Go's server then closes it after the response, as
// Apache does. Only for HTTP/1.x: Go's HTTP/2 server answers the header
// with a GOAWAY, while mod_http2 keeps the connection (measured).
func dropConnection(w http.ResponseWriter, status int) {
	if statusDropsConnection(status) {
		w.Header().Set("Connection", "close")
	}
}
