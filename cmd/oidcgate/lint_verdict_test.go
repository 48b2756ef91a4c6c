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

// TestLintQuiet: --quiet leaves out what is ignored harmlessly (MPM
// tuning) and keeps what is ignored and worth knowing (AddType), the
// unsupported entries and the summary's counts.
func TestLintQuiet(t *testing.T) {
	root, file := writeConf(t, validConf+"LoadModule mime_module x.so\nStartServers 2\nAddType text/x-foo .foo\nLoadModule rewrite_module x.so\nRewriteEngine On\n")
	_, loud, _ := runCLI(t, "oidcgate", "lint", "-d", root, file)
	code, quiet, _ := runCLI(t, "oidcgate", "lint", "-q", "-d", root, file)
	if !strings.Contains(loud, ": StartServers: ignored") {
		t.Fatalf("without --quiet StartServers should be listed:\n%s", loud)
	}
	if strings.Contains(quiet, "StartServers") {
		t.Errorf("--quiet lists StartServers:\n%s", quiet)
	}
	for _, want := range []string{": AddType: ignored", ": RewriteEngine: unsupported", "2 ignored"} {
		if !strings.Contains(quiet, want) {
			t.Errorf("--quiet: %q missing in\n%s", want, quiet)
		}
	}
	if code != 2 {
		t.Errorf("--quiet: exit %d, want 2 (the exit status does not change)", code)
	}
}
