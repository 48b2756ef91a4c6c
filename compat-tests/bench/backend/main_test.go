package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReadHead(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     head
		err      bool
	}{
		{"plain", "GET /a?b=c HTTP/1.1\r\nHost: x\r\nX-Many: 1\r\n\r\n", head{path: "/a"}, false},
		{"bare LF", "GET / HTTP/1.1\nHost: x\n\n", head{path: "/"}, false},
		{"length", "POST /p HTTP/1.1\r\ncontent-length: 12\r\n\r\n", head{path: "/p", length: 12}, false},
		{"chunked", "POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", head{path: "/p", chunked: true}, false},
		{"close", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", head{path: "/", close: true}, false},
		{"http/1.0", "GET / HTTP/1.0\r\n\r\n", head{path: "/", close: true}, false},
		{"bad length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", head{}, true},
		{"no colon", "GET / HTTP/1.1\r\nnonsense\r\n\r\n", head{}, true},
		{"bad line", "GET\r\n\r\n", head{}, true},
		{"not http", "GET / SPDY/3\r\n\r\n", head{}, true},
		{"truncated", "GET / HTTP/1.1\r\nHost: x\r\n", head{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readHead(bufio.NewReader(strings.NewReader(tc.in)))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !tc.err && got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestServe: keep-alive requests are answered with the body and counted,
// /__count reports the count without counting itself, a Content-Length
// body is skipped, and a chunked body closes the connection with 501.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var served atomic.Int64
	go serve(ln, &served)
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(method, path string, body io.Reader) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, body)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for range 3 {
		if st, b := get("GET", "/x", nil); st != 200 || b != body {
			t.Fatalf("GET /x: %d %q", st, b)
		}
	}
	if st, b := get("POST", "/y", strings.NewReader("some body")); st != 200 || b != body {
		t.Fatalf("POST /y: %d %q", st, b)
	}
	if st, b := get("GET", "/__count", nil); st != 200 || b != "4\n" {
		t.Fatalf("GET /__count: %d %q, want 4", st, b)
	}
	if st, _ := get("POST", "/z", io.MultiReader(strings.NewReader("chunked"))); st != 501 {
		t.Fatalf("chunked POST: %d, want 501", st)
	}
}

func FuzzReadHead(f *testing.F) {
	f.Add("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
	f.Add("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		h, err := readHead(bufio.NewReader(strings.NewReader(in)))
		if err == nil && (h.length < 0 || !strings.Contains(in, h.path)) {
			t.Fatalf("%q: %+v", in, h)
		}
	})
}
