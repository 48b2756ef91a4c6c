package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAccessLogBytesSent: %O (Debian's combined and vhost_combined
// formats) is every byte of the response on the wire — status line,
// headers, body — where it used to be the body alone (%B). Each case reads
// the raw response and compares its length with the logged value.
func TestAccessLogBytesSent(t *testing.T) {
	big := strings.Repeat("x", 10000)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app/big": // no Content-Length: Go's backend streams it chunked
			w.Header().Set("Content-Type", "text/plain")
			w.(http.Flusher).Flush()
			io.WriteString(w, big)
		default:
			w.Header().Set("X-Backend", "yes")
			io.WriteString(w, "backend:"+r.RequestURI)
		}
	}))
	defer be.Close()
	logFile := filepath.Join(t.TempDir(), "access.log")
	cfg := loadConfig(t, "ServerName front.example\nLogFormat \"%r|%>s|%B|%O\" bytes\nCustomLog "+logFile+" bytes\n"+
		"ProxyPass /app http://"+be.Listener.Addr().String()+"/app\nRedirect /r http://x.example/new\n")
	site := NewSite(cfg, nil, nil)
	defer site.Close()
	front := httptest.NewServer(site)
	defer front.Close()

	tests := []struct{ name, method, path, proto string }{
		{"proxied", "GET", "/app/x?q=1", "HTTP/1.1"},
		{"proxied HEAD", "HEAD", "/app/x", "HTTP/1.1"},
		{"own 404 page", "GET", "/nothing", "HTTP/1.1"},
		{"Redirect", "GET", "/r/a", "HTTP/1.1"},
		{"HTTP/1.0", "GET", "/app/y", "HTTP/1.0"},
		{"chunked", "GET", "/app/big", "HTTP/1.1"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", front.Listener.Addr().String(), 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			io.WriteString(c, tt.method+" "+tt.path+" "+tt.proto+"\r\nHost: front.example\r\nConnection: close\r\n\r\n")
			wire, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(wire))), nil); err != nil {
				t.Fatalf("not a response: %v\n%q", err, wire)
			}
			line := waitLogLine(t, logFile, i+1)
			f := strings.Split(line, "|")
			if len(f) != 4 {
				t.Fatalf("log line %q", line)
			}
			o, _ := strconv.Atoi(f[3])
			if o != len(wire) {
				t.Errorf("%s: %%O %d, %d bytes on the wire (%%B %s)\n%q", line, o, len(wire), f[2], wire[:min(len(wire), 400)])
			}
		})
	}
}

// waitLogLine returns line n (1-based) of the access log once it is there.
func waitLogLine(t *testing.T, file string, n int) string {
	t.Helper()
	for range 100 {
		b, _ := os.ReadFile(file)
		if lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"); len(lines) >= n && lines[0] != "" {
			return lines[n-1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no line %d in %s", n, file)
	return ""
}
