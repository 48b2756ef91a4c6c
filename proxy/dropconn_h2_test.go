package proxy

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"testing"
	"time"
)

// TestDropConnectionHTTP1Only: a status that drops an HTTP/1.1 connection
// (a backend's 500 here), and KeepAlive Off, must not end an HTTP/2
// connection: with h2 each request is a stream, and Apache's mod_http2
// keeps the connection (measured with curl --http2 against apache2 2.4.71,
// KeepAlive Off and two 503s: one connection). Go's HTTP/2 server turns a
// handler's "Connection: close" into a GOAWAY, so every other stream of
// the client would have to reconnect.
func TestDropConnectionHTTP1Only(t *testing.T) {
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer be.Close()
	dir := t.TempDir()
	ca := newTestCA(t)
	crt, key := ca.issue(t, dir, "a.example")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfg := loadConfig(t, fmt.Sprintf(`ServerName a.example
Listen %[1]s https
<VirtualHost %[1]s>
  ServerName a.example
  SSLEngine on
  SSLCertificateFile %[2]s
  SSLCertificateKeyFile %[3]s
  Protocols h2 http/1.1
  KeepAlive Off
  ProxyPass /e http://%[4]s/e
</VirtualHost>
`, addr, crt, key, be.Listener.Addr().String()))
	srv := NewServer(cfg, nil, nil)
	if err := srv.Listen(cfg); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	for _, h2 := range []bool{true, false} {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.pool, ServerName: "a.example"}, ForceAttemptHTTP2: h2}
		client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
		var reused []bool
		for i := 0; i < 2; i++ {
			trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) { reused = append(reused, ci.Reused) }}
			req, _ := http.NewRequest("GET", "https://"+addr+"/e/x", nil)
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 500 || (resp.ProtoMajor == 2) != h2 {
				t.Fatalf("h2 %v: status %d, protocol %s", h2, resp.StatusCode, resp.Proto)
			}
			time.Sleep(50 * time.Millisecond) // let a GOAWAY reach the client before the next request
		}
		if want := h2; len(reused) != 2 || reused[1] != want {
			t.Errorf("h2 %v: second request on the same connection %v, want %v", h2, reused, want)
		}
		tr.CloseIdleConnections()
	}
}
