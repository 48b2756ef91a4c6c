// Package cachetest starts real Redis and memcached servers on free
// loopback ports for tests, and stops them when the test ends.
package cachetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Required reports whether a missing server binary fails the test
// instead of skipping it: scripts/test-all sets OIDCGATE_REQUIRE_SERVERS=1
// (OIDCGATE_REQUIRE_APACHE=1 counts too).
func Required() bool {
	return os.Getenv("OIDCGATE_REQUIRE_SERVERS") == "1" || os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1"
}

// Server is one redis-server or memcached process on 127.0.0.1. Stop and
// Start restart it on the same port (fault tests).
type Server struct {
	t    testing.TB
	Addr string
	argv []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Redis starts redis-server without persistence on a free port; extra
// are more redis-server options ("--requirepass", "pw").
func Redis(t testing.TB, extra ...string) *Server {
	return start(t, "redis-server", func(port int) []string {
		return append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--loglevel", "warning"}, extra...)
	})
}

// Memcached starts memcached on a free port (64 MiB, 1 MiB items).
func Memcached(t testing.TB) *Server {
	return start(t, "memcached", func(port int) []string {
		args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0", "-m", "64"}
		if os.Geteuid() == 0 {
			args = append(args, "-u", "nobody")
		}
		return args
	})
}

func start(t testing.TB, bin string, args func(port int) []string) *Server {
	t.Helper()
	path, err := exec.LookPath(bin)
	if err != nil {
		if Required() {
			t.Fatalf("%s is not installed (scripts/test-all installs it: apt-get install redis-server memcached)", bin)
		}
		t.Skipf("%s is not installed", bin)
	}
	port := freePort(t)
	s := &Server{t: t, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), argv: append([]string{path}, args(port)...)}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start starts the server (again) and waits until it accepts
// connections.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	// The server's own output is shown only when it fails to start.
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("%s: %v", s.argv[0], err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			s.cmd = nil
			s.t.Fatalf("%s did not listen on %s: %v\n%s", s.argv[0], s.Addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop kills the server and waits for it to exit.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// String is the server's address.
func (s *Server) String() string { return fmt.Sprintf("%s@%s", s.argv[0], s.Addr) }

// Pause stops the server process (SIGSTOP): connections stay open and
// requests hang until Resume, as with an overloaded or partitioned server.
func (s *Server) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGSTOP)
	// the signal is asynchronous: wait until the process is stopped
	stat := fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid)
	for range 200 {
		b, err := os.ReadFile(stat)
		if err != nil {
			return
		}
		if _, rest, ok := strings.Cut(string(b), ") "); ok && strings.HasPrefix(rest, "T") {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Resume continues a paused server.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGCONT)
	}
}
