package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds oidcgate into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "oidcgate")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func waitFile(t *testing.T, path string, ok func(string) bool) string {
	t.Helper()
	var s string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(path)
		if s = string(b); ok(s) {
			return s
		}
	}
	t.Fatalf("%s: %q", path, s)
	return ""
}

// apacheLine is the shape of Apache 2.4.71's default error log line,
// measured (internal/errorlog/testdata).
var apacheLine = regexp.MustCompile(`^\[\w{3} \w{3} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] \[[a-z_]+:[a-z0-9]+\] \[pid \d+:tid \d+\] `)

// TestServeErrorLog runs the built binary with a ServerRoot-relative
// ErrorLog for the main server, another for a virtual host, per-module
// LogLevel and a piped CustomLog; a request to a closed backend writes
// the proxy's error line; SIGHUP reopens a rotated file.
func TestServeErrorLog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, "logs"), 0o755)
	addr := freeAddr(t)
	access := filepath.Join(root, "logs", "access.piped")
	conf := fmt.Sprintf(`ServerName main.example
Listen %s
ErrorLog logs/error.log
LogLevel warn proxy:info
LogFormat "%%h %%>s %%U" short
CustomLog "|$cat >> %s" short
ProxyPass /b http://127.0.0.1:1/
<VirtualHost %s>
ServerName vh.example
ErrorLog logs/vh_error.log
LogLevel error
ProxyPass /b http://127.0.0.1:1/
</VirtualHost>
`, addr, access, addr)
	file := filepath.Join(root, "main.conf")
	os.WriteFile(file, []byte(conf), 0o644)
	cmd := exec.Command(bin, "serve", "-d", root, "-f", file)
	var stderr syncBuilder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	}()
	mainLog := filepath.Join(root, "logs", "error.log")
	waitFile(t, mainLog, func(s string) bool { return strings.Contains(s, "] listening, addr: ") })
	resp, err := http.Get("http://" + addr + "/b/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d", resp.StatusCode)
	}
	// The request is the virtual host's (first on the address): its line
	// goes to the virtual host's ErrorLog, with the client, as in Apache.
	vhLog := filepath.Join(root, "logs", "vh_error.log")
	got := waitFile(t, vhLog, func(s string) bool { return strings.Contains(s, "backend unreachable") })
	main, _ := os.ReadFile(mainLog)
	for _, l := range strings.Split(strings.TrimSpace(got+string(main)), "\n") {
		if !apacheLine.MatchString(l) {
			t.Errorf("not Apache's shape: %q", l)
		}
	}
	if !strings.Contains(string(main), "[core:notice]") || !strings.Contains(got, "[proxy:error]") || !strings.Contains(got, "[client 127.0.0.1:") {
		t.Errorf("main error log:\n%s\nvirtual host's:\n%s", main, got)
	}
	waitFile(t, access, func(s string) bool { return s == "127.0.0.1 503 /b/x\n" })

	// Rotation: rename, SIGHUP, the new file gets the next lines.
	os.Rename(mainLog, mainLog+".1")
	cmd.Process.Signal(syscall.SIGHUP)
	waitFile(t, mainLog, func(s string) bool { return strings.Contains(s, "configuration reloaded") })
	resp, err = http.Get("http://" + addr + "/b/y")
	if err == nil {
		resp.Body.Close()
	}
	waitFile(t, access, func(s string) bool { return strings.HasSuffix(s, "127.0.0.1 503 /b/y\n") })
	if old, _ := os.ReadFile(mainLog + ".1"); strings.Contains(string(old), "reloaded") {
		t.Errorf("the rotated file got lines after SIGHUP")
	}
	if stderr.String() != "" {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestServeLogFormatJSON: the flag writes JSON on standard error instead
// of the ErrorLog file, and says so.
func TestServeLogFormatJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	root := t.TempDir()
	addr := freeAddr(t)
	file := filepath.Join(root, "main.conf")
	os.WriteFile(file, []byte("ServerName m\nListen "+addr+"\nErrorLog err.log\nProxyPass /b http://127.0.0.1:1/\n"), 0o644)
	cmd := exec.Command(bin, "serve", "-d", root, "-f", file, "--log-format", "json")
	var stderr syncBuilder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && !strings.Contains(stderr.String(), "listening"); time.Sleep(20 * time.Millisecond) {
	}
	if resp, err := http.Get("http://" + addr + "/b/x"); err == nil {
		resp.Body.Close()
	}
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end) && !strings.Contains(stderr.String(), "backend unreachable"); time.Sleep(20 * time.Millisecond) {
	}
	s := stderr.String()
	if !strings.Contains(s, `"level":"notice","msg":"--log-format json: the error log is written as JSON on standard error; ErrorLog not used","module":"core","errorlog":"err.log (`) ||
		!strings.Contains(s, `"level":"error","msg":"backend unreachable","module":"proxy"`) {
		t.Errorf("stderr:\n%s", s)
	}
	if _, err := os.Stat(filepath.Join(root, "err.log")); err == nil {
		t.Error("err.log created")
	}
}

// syncBuilder is a strings.Builder safe to read while a process writes.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuilder) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuilder) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
