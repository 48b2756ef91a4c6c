package compattests

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestLogConnectionDifferential: %k (kept-alive requests before this one
// on the connection) and %X (+ kept, - closed) in the access log, over a
// connection with several requests, as Apache's mod_log_config logs them.
func TestLogConnectionDifferential(t *testing.T) {
	requireApache(t)
	backend, _ := rawHeadBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string {
		return proxyAllConf(listen, backend, dir, `CustomLog {dir}/access.log "%r %k %X %>s"`+"\n")
	}, nil)
	run := func(addr string) {
		// One connection: two requests, one asking for keep-alive, one
		// asking to close; then an HTTP/1.0 request on its own.
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		for i, extra := range []string{"", "", "Connection: keep-alive\r\n", "Connection: close\r\n"} {
			fmt.Fprintf(c, "GET /r%d HTTP/1.1\r\nHost: front.example\r\n%s\r\n", i, extra)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("%s request %d: %v", addr, i, err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		rawExchange(t, addr, "GET /ten HTTP/1.0\r\nHost: front.example\r\n\r\n")
	}
	run(fp.Apache)
	run(fp.OIDCGate)
	a := waitLogLines(t, filepath.Join(fp.ApacheDir, "access.log"), 5)
	o := waitLogLines(t, filepath.Join(fp.OIDCGateDir, "access.log"), 5)
	// Compared as sets: Apache can write a request's line after the next
	// connection's (seen in the full suite).
	slices.Sort(a)
	slices.Sort(o)
	t.Logf("apache2:\n%s", strings.Join(a, "\n"))
	if !strings.Contains(strings.Join(a, "\n"), "GET /r1 HTTP/1.1 1 + 200") {
		t.Fatalf("Apache's log is not what the comparison assumes; void:\n%s", strings.Join(a, "\n"))
	}
	if strings.Join(a, "\n") != strings.Join(o, "\n") {
		t.Errorf("access logs differ:\n%s", lineDiff(strings.Join(a, "\n"), strings.Join(o, "\n")))
	}
}
