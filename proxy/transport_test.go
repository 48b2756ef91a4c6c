package proxy

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestBackendConnectionsReused: sequential requests through one rule
// share one backend connection (the worker's pool), instead of a new
// transport — and a new connection — per request.
func TestBackendConnectionsReused(t *testing.T) {
	for name, conf := range map[string]string{
		"server-level": "ProxyPass /app http://%s/app\n",
		"in Location":  "<Location /app>\nProxyPass http://%s/app\n</Location>\n",
	} {
		t.Run(name, func(t *testing.T) { testConnectionsReused(t, conf) })
	}
}

func testConnectionsReused(t *testing.T, conf string) {
	var mu sync.Mutex
	conns := map[string]bool{}
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conns[r.RemoteAddr] = true
		mu.Unlock()
		io.WriteString(w, "ok")
	}))
	defer be.Close()
	cfg := loadConfig(t, "ServerName a\n"+fmt.Sprintf(conf, be.Listener.Addr().String()))
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

// TestNoAcceptEncodingAdded: a client that sends no Accept-Encoding makes
// the backend see none (Go's transport would add gzip by itself).
func TestNoAcceptEncodingAdded(t *testing.T) {
	be := newRecorder(t)
	cfg := loadConfig(t, "ServerName front.example\nProxyPass / http://"+be.srv.Listener.Addr().String()+"/\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	front := httptest.NewServer(site)
	defer front.Close()
	conn, err := net.Dial("tcp", front.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /x HTTP/1.1\r\nHost: front.example\r\nConnection: close\r\n\r\n")
	io.ReadAll(conn)
	r, _ := be.got()
	if r == nil {
		t.Fatal("backend got nothing")
	}
	if v := r.Header.Values("Accept-Encoding"); len(v) != 0 {
		t.Errorf("backend saw Accept-Encoding %q the client never sent", v)
	}
}

// TestSiteStoreNotLeaked: the private store a site starts with is closed
// when a shared one replaces it (every reload did leak its goroutines).
func TestSiteStoreNotLeaked(t *testing.T) {
	cfg := loadConfig(t, "ServerName a\nProxyPass / http://127.0.0.1:1/\n")
	shared, err := NewSessionStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	before := runtime.NumGoroutine()
	for range 20 {
		s := NewSite(cfg, nil, nil)
		s.SetSessionStore(shared)
	}
	time.Sleep(100 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Errorf("goroutines %d → %d after 20 sites", before, after)
	}
}
