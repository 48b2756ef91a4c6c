package compattests

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// debianEnv is the environment apache2ctl gives Apache: Debian's envvars
// sourced by a shell.
func debianEnv(t *testing.T) []string {
	t.Helper()
	r := run(t, nil, "/bin/sh", "-c", "set -a; . /etc/apache2/envvars; env")
	if r.code != 0 {
		t.Fatalf("sourcing envvars: %s", r.stderr)
	}
	return strings.Split(strings.TrimSpace(r.stdout), "\n")
}

func requireDebianTree(t *testing.T) {
	t.Helper()
	requireApache(t)
	if _, err := os.Stat("/etc/apache2/sites-enabled/oidc-site.conf"); err != nil {
		if os.Getenv("OIDCGATE_REQUIRE_APACHE") == "1" {
			t.Fatal("/etc/apache2 is not prepared: run compat-tests/setup.sh")
		}
		t.Skip("SKIPPED: /etc/apache2 is not prepared: run compat-tests/setup.sh")
	}
}

// TestDebianTreeIncludes: the same files, in the same order, at the same
// include lines as apache2 -t -D DUMP_INCLUDES.
func TestDebianTreeIncludes(t *testing.T) {
	requireDebianTree(t)
	apache := run(t, debianEnv(t), apacheBin, "-t", "-D", "DUMP_INCLUDES")
	og := run(t, nil, oidcgateBin, "configtest", "--dump-includes", "-d", "/etc/apache2")
	if apache.code != 0 || og.code != 0 {
		t.Fatalf("exit codes: apache %d (%s), oidcgate %d (%s)", apache.code, apache.stderr, og.code, og.stderr)
	}
	if apache.stdout != og.stdout {
		t.Errorf("included files differ\n--- apache2\n%s--- oidcgate\n%s", apache.stdout, og.stdout)
	}
	if n := strings.Count(apache.stdout, "\n"); n < 30 {
		t.Errorf("only %d lines of includes: is the tree prepared?", n)
	}
}

// TestDebianTreeModules: apache2 -M under oidcgate's Apache name lists the
// same modules as the real one.
func TestDebianTreeModules(t *testing.T) {
	requireDebianTree(t)
	link := filepath.Join(t.TempDir(), "apache2")
	if err := os.Symlink(oidcgateBin, link); err != nil {
		t.Fatal(err)
	}
	apache := run(t, debianEnv(t), apacheBin, "-M")
	og := run(t, nil, link, "-M")
	if apache.code != 0 || og.code != 0 {
		t.Fatalf("exit codes: apache %d (%s), oidcgate %d (%s)", apache.code, apache.stderr, og.code, og.stderr)
	}
	want, got := moduleLines(apache.stdout), moduleLines(og.stdout)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("modules differ\n--- apache2\n%s\n--- oidcgate\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
	if !contains(got, " auth_openidc_module (shared)") || !contains(got, " core_module (static)") {
		t.Errorf("expected modules missing: %v", got)
	}
}

func moduleLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, " ") {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
