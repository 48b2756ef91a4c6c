// Package containertest checks what the Dockerfile promises about the
// binary without a Docker engine: it is built the same way, is static, and
// runs in an empty root with no libc.
package containertest

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var built struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// buildStatic builds cmd/oidcgate exactly as the Dockerfile does (once per
// test run).
func buildStatic(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "oidcgate-static")
		if err != nil {
			built.err = err
			return
		}
		built.path = filepath.Join(dir, "oidcgate")
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=test", "-o", built.path, "../../cmd/oidcgate")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		built.out, built.err = cmd.CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
	os.Exit(code)
}

func TestBinaryIsStatic(t *testing.T) {
	bin := buildStatic(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("binary has a program interpreter (dynamically linked)")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Fatalf("binary needs shared libraries: %v", libs)
	}
}

// TestRunsInEmptyRoot runs the binary in a chroot holding nothing but the
// binary and an Apache-name link: no libc, no /etc, no shell.
func TestRunsInEmptyRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
			t.Fatal("chroot needs root; CI runs as root")
		}
		t.Skip("chroot needs root")
	}
	bin := buildStatic(t)
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "usr/local/bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr/local/bin/oidcgate"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/usr/local/bin/oidcgate", filepath.Join(root, "usr/local/bin/apache2ctl")); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("chroot", root, "/usr/local/bin/oidcgate", "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "oidcgate test") {
		t.Fatalf("in an empty root: %v\n%s", err, out)
	}
	out, err = exec.Command("chroot", root, "/usr/local/bin/apache2ctl", "-v").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Server version: Apache/") {
		t.Fatalf("under an Apache name in an empty root: %v\n%s", err, out)
	}
}

// TestDockerfile checks the image's promises that the file itself states.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	for _, want := range []string{"CGO_ENABLED=0", "FROM scratch", "USER 65532", "STOPSIGNAL SIGWINCH", "apache2ctl", "httpd-foreground"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}
