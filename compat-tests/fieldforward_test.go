package compattests

import (
	"bufio"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
)

// rawHeadBackend records the header lines of each request exactly as they
// arrive (a net/http backend would split a merged field back into values
// and canonicalise names) and answers 200.
func rawHeadBackend(t *testing.T) (addr string, take func() []string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var last []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					var lines []string
					for {
						l, err := br.ReadString('\n')
						if err != nil {
							return
						}
						l = strings.TrimRight(l, "\r\n")
						if l == "" {
							break
						}
						lines = append(lines, l)
					}
					mu.Lock()
					last = lines
					mu.Unlock()
					if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		l := last
		last = nil
		return l
	}
}

// normFields is what the comparison keeps of the header lines a backend
// received: names lower-cased and the lines sorted (oidcgate sends Go's
// canonical spelling in sorted order where Apache keeps the client's —
// field names are case-insensitive), without the request line, the
// addresses of X-Forwarded-*/Host and Apache's "Connection: Keep-Alive".
func normFields(lines []string) []string {
	var out []string
	for i, l := range lines {
		if i == 0 {
			out = append(out, l) // request line
			continue
		}
		k, v, _ := strings.Cut(l, ":")
		k = strings.ToLower(k)
		switch k {
		case "host", "x-forwarded-host", "x-forwarded-for", "x-forwarded-server":
			continue
		case "connection":
			if strings.EqualFold(strings.TrimSpace(v), "keep-alive") {
				continue
			}
		}
		out = append(out, k+":"+v)
	}
	if len(out) > 1 {
		sort.Strings(out[1:])
	}
	return out
}

// TestForwardedFieldsDifferential: a field the client sends several times
// reaches the backend as one field, its values joined with ", ", as
// Apache's core merges them; the values themselves unchanged.
func TestForwardedFieldsDifferential(t *testing.T) {
	requireApache(t)
	backend, take := rawHeadBackend(t)
	fp := startFrontPair(t, func(listen, dir string) string { return proxyAllConf(listen, backend, dir, "") }, nil)
	for _, tc := range []struct{ name, fields string }{
		{"one of each", "X-A: 1\r\nAccept: */*\r\n"},
		{"a field twice", "X-Dup: a\r\nX-Dup: b\r\n"},
		{"three times, other fields between", "X-Dup: a\r\nX-Other: o\r\nX-Dup: b, c\r\nx-dup: d\r\n"},
		{"empty value among others", "X-Dup: a\r\nX-Dup: \r\nX-Dup: c\r\n"},
		{"cookie twice", "Cookie: a=1\r\nCookie: b=2\r\n"},
		{"accept twice", "Accept: text/html\r\nAccept: */*\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := "GET /f HTTP/1.1\r\nHost: front.example\r\n" + tc.fields + "Connection: close\r\n\r\n"
			take()
			rawExchange(t, fp.Apache, req)
			a := normFields(take())
			rawExchange(t, fp.OIDCGate, req)
			o := normFields(take())
			if len(a) == 0 {
				t.Fatal("Apache did not proxy the request")
			}
			if strings.Join(a, "\n") != strings.Join(o, "\n") {
				t.Errorf("backend received\n apache2:\n  %s\n oidcgate:\n  %s", strings.Join(a, "\n  "), strings.Join(o, "\n  "))
			}
		})
	}
}

// proxyAllConf is a front on listen that proxies every request to
// backend, with extra configuration lines ({dir} in them is dir).
func proxyAllConf(listen, backend, dir, extra string) string {
	return loadModules("mpm_event", "authz_core", "proxy", "proxy_http") + fmt.Sprintf(`ServerName front.example
Listen %[1]s
User nobody
Group nogroup
ErrorLog %[3]s/error.log
PidFile %[3]s/httpd.pid
ProxyPass / http://%[2]s/
`, listen, backend, dir) + strings.ReplaceAll(extra, "{dir}", dir)
}
