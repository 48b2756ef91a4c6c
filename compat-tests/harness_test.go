package compattests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// oidcgateBin is the oidcgate binary built once for the whole run.
var oidcgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "compattests")
	if err != nil {
		panic(err)
	}
	oidcgateBin = filepath.Join(dir, "oidcgate")
	out, err := exec.Command("go", "build", "-o", oidcgateBin, "github.com/oidcgate/oidcgate/cmd/oidcgate").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const apacheBin = "/usr/sbin/apache2"

// requireApache skips (or, with OIDCGATE_REQUIRE_APACHE=1, fails) a test
// when the real Apache is not installed.
func requireApache(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(apacheBin); err == nil {
		return
	}
	if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
		t.Fatalf("%s is missing; run compat-tests/setup.sh (scripts/test-all does)", apacheBin)
	}
	t.Skipf("SKIPPED: %s is missing; run compat-tests/setup.sh to compare with the real Apache", apacheBin)
}

// result is what a program printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a command with env (nil: a minimal PATH-only environment) and a
// timeout.
func run(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if env == nil {
		env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	}
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return result{out.String(), errb.String(), code}
}

// frontPair is the real Apache and oidcgate serving the same rendered
// configuration on their own loopback addresses.
type frontPair struct {
	// Apache and OIDCGate are the listen addresses; ApacheDir and
	// OIDCGateDir their server roots.
	Apache, OIDCGate       string
	ApacheDir, OIDCGateDir string
	// OIDCGateLog is oidcgate's standard error.
	OIDCGateLog *strings.Builder
}

// startFrontPair renders conf(listen, dir) for each, checks Apache's with
// apache2 -t, starts both (prepare may add files to each dir first) and
// stops them when the test ends. Apache's children run as nobody, so the
// directories are made searchable.
func startFrontPair(t *testing.T, conf func(listen, dir string) string, prepare func(dir string)) *frontPair {
	t.Helper()
	p := &frontPair{Apache: freePort(t), OIDCGate: freePort(t), ApacheDir: t.TempDir(), OIDCGateDir: t.TempDir(), OIDCGateLog: &strings.Builder{}}
	for _, d := range []string{p.ApacheDir, p.OIDCGateDir} {
		os.Chmod(filepath.Dir(d), 0o755)
		os.Chmod(d, 0o755)
		if prepare != nil {
			prepare(d)
		}
	}
	aConf, oConf := filepath.Join(p.ApacheDir, "front.conf"), filepath.Join(p.OIDCGateDir, "front.conf")
	os.WriteFile(aConf, []byte(conf(p.Apache, p.ApacheDir)), 0o644)
	os.WriteFile(oConf, []byte(conf(p.OIDCGate, p.OIDCGateDir)), 0o644)
	if out, err := exec.Command(apacheBin, "-d", p.ApacheDir, "-f", aConf, "-t").CombinedOutput(); err != nil {
		t.Fatalf("apache2 -t: %v\n%s", err, out)
	}
	apache := exec.Command(apacheBin, "-d", p.ApacheDir, "-f", aConf, "-DFOREGROUND")
	apache.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin"}
	apache.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := apache.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-apache.Process.Pid, syscall.SIGTERM); apache.Wait() })
	og := exec.Command(oidcgateBin, "serve", "-d", p.OIDCGateDir, "-f", oConf)
	og.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // dies with the test binary
	og.Stderr = p.OIDCGateLog
	if err := og.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { og.Process.Signal(syscall.SIGTERM); og.Wait() })
	waitListening(t, p.Apache)
	waitListening(t, p.OIDCGate)
	return p
}
