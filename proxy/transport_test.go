package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestBackendConnectionsReused: sequential requests through one rule
// share one backend connection (the worker's pool), instead of a new
// transport — and a new connection — per request.
func TestBackendConnectionsReused(t *testing.T) {
	var mu sync.Mutex
	conns := map[string]bool{}
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conns[r.RemoteAddr] = true
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer be.Close()
	cfg := loadConfig(t, "ServerName a\nProxyPass /app http://"+be.Listener.Addr().String()+"/app\n")
	front := httptest.NewServer(NewSite(cfg, nil, nil))
	defer front.Close()
	for range 20 {
		resp, err := http.Get(front.URL + "/app/x")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if len(conns) != 1 {
		t.Errorf("20 sequential requests used %d backend connections, want 1", len(conns))
	}
}
