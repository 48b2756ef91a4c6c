package proxy

import (
	"net/http/httptest"
	"testing"
)

// TestForwardedProtoReachesBackend: X-Forwarded-Proto and Forwarded, from
// the client or from RequestHeader (the usual line in a TLS virtual host),
// reach the backend as with Apache — httputil.ReverseProxy's Rewrite drops
// them unless they are copied back.
func TestForwardedProtoReachesBackend(t *testing.T) {
	be := newRecorder(t)
	addr := be.srv.Listener.Addr().String()
	cfg := loadConfig(t, "ServerName front.example\nProxyPass /app http://"+addr+"/app\n<Location /set>\nProxyPass http://"+addr+"/set\nRequestHeader set X-Forwarded-Proto https\n</Location>\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	tests := []struct {
		name, path string
		in         map[string]string
		want       map[string]string
	}{
		{"none", "/app/x", nil, map[string]string{"X-Forwarded-Proto": "", "Forwarded": ""}},
		{"from client", "/app/x", map[string]string{"X-Forwarded-Proto": "https", "Forwarded": "for=1.2.3.4;proto=https"},
			map[string]string{"X-Forwarded-Proto": "https", "Forwarded": "for=1.2.3.4;proto=https"}},
		{"RequestHeader set", "/set/x", nil, map[string]string{"X-Forwarded-Proto": "https"}},
		{"RequestHeader set over the client's", "/set/x", map[string]string{"X-Forwarded-Proto": "http"}, map[string]string{"X-Forwarded-Proto": "https"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://front.example"+tt.path, nil)
			for k, v := range tt.in {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			site.ServeHTTP(rec, req)
			r, _ := be.got()
			if rec.Code != 200 || r == nil {
				t.Fatalf("status %d, proxied %v", rec.Code, r != nil)
			}
			for k, v := range tt.want {
				if got := r.Header.Values(k); len(got) > 1 || r.Header.Get(k) != v {
					t.Errorf("%s: backend got %q, want %q", k, got, v)
				}
			}
		})
	}
}
