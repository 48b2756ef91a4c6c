package main

import (
	"strings"
	"testing"
)

// TestLintTextVerdict: lint's text report ends with the entries that make
// its exit status 2 (on a stock Debian tree they hide among ~230 ignored
// lines), and has no such list when nothing is critical.
func TestLintTextVerdict(t *testing.T) {
	root, file := writeConf(t, validConf+"LoadModule rewrite_module x.so\nLoadModule mime_module x.so\nRewriteEngine On\nAddType text/x-foo .foo\n")
	code, stdout, _ := runCLI(t, "oidcgate", "lint", "-d", root, file)
	want := "exit status 2: unknown, or not honoured and changing routing or security (1):\n  " + file + ":14: RewriteEngine (unsupported)\nsummary:"
	if code != 2 || !strings.Contains(stdout, want) {
		t.Errorf("code %d, want 2 and %q in\n%s", code, want, stdout)
	}
	root, file = writeConf(t, validConf+"LoadModule mime_module x.so\nAddType text/x-foo .foo\n")
	code, stdout, _ = runCLI(t, "oidcgate", "lint", "-d", root, file)
	if code != 1 || strings.Contains(stdout, "exit status 2") {
		t.Errorf("notable only: code %d, want 1 and no verdict list in\n%s", code, stdout)
	}
}
