package proxy

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestStatusWriterDropsConnection checks that every response whose status
// is one of ap_status_drops_connection's says Connection: close, whoever
// wrote it (the statuses measured on Apache 2.4.71, see
// compat-tests/dropconn_test.go).
func TestStatusWriterDropsConnection(t *testing.T) {
	for status, want := range map[int]bool{
		200: false, 101: false, 204: false, 302: false, 304: false,
		400: true, 401: false, 403: false, 404: false, 405: false, 408: true, 411: true,
		413: true, 414: true, 429: false, 431: false,
		500: true, 501: true, 502: false, 503: true, 504: false,
	} {
		rec := httptest.NewRecorder()
		sw := &statusWriter{ResponseWriter: rec}
		sw.WriteHeader(status)
		if got := rec.Header().Get("Connection") == "close"; got != want {
			t.Errorf("%d: Connection: close %v, want %v", status, got, want)
		}
	}
	// An ErrorDocument redirect for a status that drops the connection
	// still drops it (ap_die decides on the original status).
	rec := httptest.NewRecorder()
	dropConnection(rec, http.StatusInternalServerError)
	(&statusWriter{ResponseWriter: rec}).WriteHeader(http.StatusFound)
	if rec.Header().Get("Connection") != "close" {
		t.Error("302 for a 500: Connection: close missing")
	}
}
