package main

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDemoCommand runs `oidcgate demo` in-process on free ports, checks
// the banner and the three servers, then stops it with SIGINT as Ctrl-C
// does. (internal/demo tests the demo itself, including the full login.)
func TestDemoCommand(t *testing.T) {
	gate, op, echo := freeAddr(t), freeAddr(t), freeAddr(t)
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"oidcgate", "demo", "--listen", gate, "--op-listen", op, "--echo-listen", echo},
			&stdout, &stderr, func(string) (string, bool) { return "", false })
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stdout.String(), "Ctrl-C stops all three") {
		select {
		case code := <-done:
			t.Fatalf("demo exited with %d:\n%s\n%s", code, stdout.String(), stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"NOT FOR PRODUCTION", "Open http://" + gate + "/", "http://" + op, "http://" + echo, "Zoë Ångström", "Jürgen Weiß"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, stdout.String())
		}
	}
	for _, u := range []string{"http://" + op + "/.well-known/openid-configuration", "http://" + echo + "/", "http://" + gate + "/"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Errorf("%s: %v", u, err)
			continue
		}
		resp.Body.Close()
		t.Logf("%s -> %d", u, resp.StatusCode)
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d after SIGINT:\n%s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("demo did not stop on SIGINT")
	}
	if !strings.Contains(stderr.String(), "NOT FOR PRODUCTION") {
		t.Errorf("no warning in the log:\n%s", stderr.String())
	}
}
