package compattests

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestReloadUnderLoad: five reloads (SIGHUP and SIGUSR1) while a bounded
// load runs lose no request; a reload with a broken config is refused and
// the old one keeps serving; a new rule appears after a good reload;
// SIGWINCH stops gracefully with exit status 0.
func TestReloadUnderLoad(t *testing.T) {
	be := newBackendRecorder(t)
	backend := be.srv.Listener.Addr().String()
	addr := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "front.conf")
	write := func(extra string) {
		t.Helper()
		c := fmt.Sprintf("ServerName front.example\nListen %s\nProxyPass /app http://%s/app\n%s", addr, backend, extra)
		if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	cmd := exec.Command(oidcgateBin, "serve", "-d", dir, "-f", conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the test binary
	var log strings.Builder
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		cmd.Process.Kill()
	}()
	waitListening(t, addr)

	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) int {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return -1
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}

	var ok, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(20 * time.Second)
			for n := 0; n < 2000 && time.Now().Before(deadline); n++ {
				select {
				case <-stop:
					return
				default:
				}
				if get("/app/x") == 200 {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range 5 {
		time.Sleep(100 * time.Millisecond)
		sig := syscall.SIGHUP
		if i%2 == 1 {
			sig = syscall.SIGUSR1
		}
		cmd.Process.Signal(sig)
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	if failed.Load() != 0 || ok.Load() == 0 {
		t.Fatalf("across 5 reloads: %d ok, %d failed\n%s", ok.Load(), failed.Load(), log.String())
	}
	t.Logf("%d requests across 5 reloads, none failed", ok.Load())

	// A broken configuration is refused; the old one keeps serving.
	write("Bogus directive\n")
	cmd.Process.Signal(syscall.SIGHUP)
	time.Sleep(300 * time.Millisecond)
	if s := get("/app/x"); s != 200 {
		t.Errorf("after a refused reload: %d", s)
	}
	if !strings.Contains(log.String(), "reload refused") {
		t.Errorf("no log line for the refused reload:\n%s", log.String())
	}
	// A good reload brings a new rule.
	if s := get("/new/x"); s != 404 {
		t.Errorf("/new before reload: %d", s)
	}
	write("ProxyPass /new http://" + backend + "/new\n")
	cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(5 * time.Second)
	for get("/new/x") != 200 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if s := get("/new/x"); s != 200 {
		t.Errorf("/new after reload: %d", s)
	}
	// Graceful stop.
	cmd.Process.Signal(syscall.SIGWINCH)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("graceful stop: %v\n%s", err, log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGWINCH")
	}
}

// TestApachectlK: under the apache2ctl name, -D FOREGROUND serves and
// writes PidFile; -k start says it is already running, -k graceful
// reloads, -k stop stops it and the PID file is removed.
func TestApachectlK(t *testing.T) {
	be := newBackendRecorder(t)
	addr := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "front.conf")
	pid := filepath.Join(dir, "run.pid")
	c := fmt.Sprintf("ServerName front.example\nListen %s\nPidFile %s\nProxyPass /app http://%s/app\n", addr, pid, be.srv.Listener.Addr())
	if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	ctl := filepath.Join(dir, "apache2ctl")
	if err := os.Symlink(oidcgateBin, ctl); err != nil {
		t.Fatal(err)
	}
	server := exec.Command(ctl, "-d", dir, "-f", conf, "-D", "FOREGROUND")
	var log strings.Builder
	server.Stderr = &log
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- server.Wait() }()
	defer server.Process.Kill()
	waitListening(t, addr)
	var b []byte
	var err error
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if b, err = os.ReadFile(pid); err == nil && len(b) > 0 {
			break
		}
	}
	if err != nil || strings.TrimSpace(string(b)) != fmt.Sprint(server.Process.Pid) {
		t.Fatalf("PidFile: %q, %v (server pid %d)", b, err, server.Process.Pid)
	}
	run := func(verb string) string {
		out, err := exec.Command(ctl, "-d", dir, "-f", conf, "-k", verb).CombinedOutput()
		if err != nil {
			t.Fatalf("-k %s: %v\n%s", verb, err, out)
		}
		return string(out)
	}
	if out := run("start"); !strings.Contains(out, "already running") {
		t.Errorf("-k start: %q", out)
	}
	run("graceful")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), "configuration reloaded") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "configuration reloaded") {
		t.Errorf("-k graceful did not reload:\n%s", log.String())
	}
	run("stop")
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("-k stop did not stop the server")
	}
	if _, err := os.Stat(pid); !os.IsNotExist(err) {
		t.Errorf("PID file left behind: %v", err)
	}
	if out := run("stop"); !strings.Contains(out, "not running") {
		t.Errorf("-k stop when stopped: %q", out)
	}
}
