package proxy

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLimitRequestBodyNoDesync: a body over LimitRequestBody that the 413
// leaves unread (Content-Length, or chunked past the limit) is never read
// as the next request on the connection: the client gets the 413 and then
// the end of the connection, whatever the body holds.
func TestLimitRequestBodyNoDesync(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "index.html"), []byte("hi\n"), 0o644)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cfg := loadConfig(t, fmt.Sprintf("ServerName a.example\nListen %s\nDocumentRoot %s\nLimitRequestBody 10\n", addr, root))
	srv := NewServer(cfg, nil, nil)
	if err := srv.Listen(cfg); err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	defer srv.Close()
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: a.example\r\n\r\n"
	pad := strings.Repeat("x", 300<<10) // more than Go's server drains after a handler
	for name, req := range map[string]string{
		"content-length":       fmt.Sprintf("POST /index.html HTTP/1.1\r\nHost: a.example\r\nContent-Length: %d\r\n\r\n%s", len(smuggled), smuggled),
		"content-length-large": fmt.Sprintf("POST /index.html HTTP/1.1\r\nHost: a.example\r\nContent-Length: %d\r\n\r\n%s%s", len(smuggled)+len(pad), smuggled, pad),
		"chunked":              fmt.Sprintf("POST /index.html HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled),
		"chunked-large":        fmt.Sprintf("POST /index.html HTTP/1.1\r\nHost: a.example\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled, len(pad), pad),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			go io.WriteString(c, req)
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 413 {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			if next, err := http.ReadResponse(br, nil); err == nil {
				t.Errorf("a second response (%d) came: the body was read as a request", next.StatusCode)
			}
		})
	}
}
