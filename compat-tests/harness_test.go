package compattests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
