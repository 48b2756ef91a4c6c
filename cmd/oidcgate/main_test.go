package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs the program with args (args[0] is the program name) and
// returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, func(string) (string, bool) { return "", false })
	return code, out.String(), errb.String()
}

func writeConf(t *testing.T, content string) (root, file string) {
	t.Helper()
	root = t.TempDir()
	file = filepath.Join(root, "main.conf")
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	// The module file the configs name: Apache (and configtest --apache)
	// refuse a LoadModule whose file is missing.
	if err := os.WriteFile(filepath.Join(root, "x.so"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return root, file
}

const validConf = "LoadModule mpm_event_module x.so\nServerName a.example\nErrorLog /dev/stderr\nListen 8080\n<VirtualHost *:8080>\nServerName b.example\nServerAlias c.example\n</VirtualHost>\n<VirtualHost *:8080>\nServerName d.example\n</VirtualHost>\n"

func TestConfigtest(t *testing.T) {
	root, file := writeConf(t, validConf)
	code, _, stderr := runCLI(t, "oidcgate", "configtest", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stderr, "Syntax OK") {
		t.Errorf("valid: code %d stderr %q", code, stderr)
	}
	root, file = writeConf(t, "LoadModule mpm_event_module x.so\nServerName a\nListen\nSeverAlias x\n")
	code, _, stderr = runCLI(t, "oidcgate", "configtest", "-f", file, "-d", root)
	if code != 1 || !strings.Contains(stderr, "main.conf:3") || !strings.Contains(stderr, "main.conf:4") || !strings.Contains(stderr, "did you mean ServerAlias?") {
		t.Errorf("invalid: every error with file:line and a hint expected; code %d stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, "oidcgate", "configtest", "--apache", "-f", file, "-d", root)
	want := "AH00526: Syntax error on line 3 of " + file + ":\nListen requires 1 or 2 arguments.\n"
	if code != 1 || stderr != want {
		t.Errorf("--apache: code %d stderr %q, want %q", code, stderr, want)
	}
}

func TestApacheNames(t *testing.T) {
	root, file := writeConf(t, validConf)
	for _, prog := range []string{"apache2", "/usr/sbin/httpd", "apache2ctl", "apachectl"} {
		code, _, stderr := runCLI(t, prog, "-t", "-f", file, "-d", root)
		if code != 0 || stderr != "Syntax OK\n" {
			t.Errorf("%s -t: code %d stderr %q", prog, code, stderr)
		}
	}
	code, stdout, _ := runCLI(t, "apache2", "-S", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stdout, "*:8080                 is a NameVirtualHost") || !strings.Contains(stdout, "default server b.example") || !strings.Contains(stdout, "alias c.example") {
		t.Errorf("-S: code %d stdout %q", code, stdout)
	}
	code, stdout, _ = runCLI(t, "apache2", "-M", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stdout, " core_module (static)") || !strings.Contains(stdout, " mpm_event_module (shared)") {
		t.Errorf("-M: code %d stdout %q", code, stdout)
	}
	code, stdout, _ = runCLI(t, "apache2", "-DDUMP_INCLUDES", "-t", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stdout, "(*) "+file) {
		t.Errorf("DUMP_INCLUDES: code %d stdout %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "apache2", "-Z"); code != 1 || !strings.Contains(stderr, "Usage:") {
		t.Errorf("unknown flag: code %d stderr %q", code, stderr)
	}
	bad, badFile := writeConf(t, "LoadModule mpm_event_module x.so\nServerName a\nBogus x\n")
	if code, _, stderr := runCLI(t, "apache2ctl", "-D", "FOREGROUND", "-f", badFile, "-d", bad); code != 1 || !strings.Contains(stderr, "Invalid command 'Bogus'") {
		t.Errorf("run mode with a broken config must refuse to start: code %d stderr %q", code, stderr)
	}
}

func TestLintJSON(t *testing.T) {
	root, file := writeConf(t, validConf+"Bogus directive\n")
	code, stdout, _ := runCLI(t, "oidcgate", "lint", "--format", "json", "-d", root, file)
	var rep struct {
		Directives []struct{ Location, Directive, Status string }
		Exit       int
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, stdout)
	}
	if code != 2 || rep.Exit != 2 {
		t.Errorf("unknown directive must give exit 2, got %d / %d", code, rep.Exit)
	}
	last := rep.Directives[len(rep.Directives)-1]
	if last.Directive != "Bogus" || last.Status != "unknown" || !strings.HasSuffix(last.Location, "main.conf:12") {
		t.Errorf("last entry %+v", last)
	}
}

func TestRoutes(t *testing.T) {
	root, file := writeConf(t, validConf)
	code, stdout, _ := runCLI(t, "oidcgate", "routes", "-f", file, "-d", root)
	if code != 0 || !strings.Contains(stdout, "<VirtualHost *:8080> "+file+":5") || !strings.Contains(stdout, "Listen *:8080") {
		t.Errorf("routes: code %d\n%s", code, stdout)
	}
}

func TestLintRelativePath(t *testing.T) {
	_, file := writeConf(t, validConf)
	wd, _ := os.Getwd()
	rel, err := filepath.Rel(wd, file)
	if err != nil {
		t.Skip("temp dir not reachable relatively")
	}
	code, stdout, _ := runCLI(t, "oidcgate", "lint", rel)
	if code == 2 || !strings.Contains(stdout, "0 error(s)") {
		t.Errorf("lint %s: code %d\n%s", rel, code, stdout)
	}
}

// TestOIDCStartupChecks: apache2 -t says Syntax OK for a relying party
// without OIDCRedirectURI, but Apache refuses to start with it (the
// module's post-config check). configtest --apache matches -t; configtest,
// lint and serve report what would stop the start.
func TestOIDCStartupChecks(t *testing.T) {
	// A port already taken: were the check missing, serve would fail to
	// bind (and the test fail on the message) instead of serving forever.
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	conf := "LoadModule mpm_event_module x.so\nLoadModule auth_openidc_module x.so\nServerName a.example\nErrorLog /dev/stderr\nListen " + busy.Addr().String() + "\n" +
		"OIDCProviderMetadataURL https://op.example/.well-known/openid-configuration\nOIDCClientID c\nOIDCCryptoPassphrase p\n"
	const msg = "mandatory parameter 'OIDCRedirectURI' is not set"
	root, file := writeConf(t, conf)
	if code, _, stderr := runCLI(t, "oidcgate", "configtest", "--apache", "-f", file, "-d", root); code != 0 || !strings.Contains(stderr, "Syntax OK") {
		t.Errorf("--apache: code %d stderr %q, want Syntax OK like apache2 -t", code, stderr)
	}
	if code, _, stderr := runCLI(t, "oidcgate", "configtest", "-f", file, "-d", root); code != 1 || !strings.Contains(stderr, msg) {
		t.Errorf("configtest: code %d stderr %q", code, stderr)
	}
	if code, stdout, _ := runCLI(t, "oidcgate", "lint", "-f", file, "-d", root); code == 0 || !strings.Contains(stdout, msg) {
		t.Errorf("lint: code %d stdout %q", code, stdout)
	}
	if code, _, stderr := runCLI(t, "oidcgate", "serve", "-f", file, "-d", root); code != 1 || !strings.Contains(stderr, msg) {
		t.Errorf("serve: code %d stderr %q", code, stderr)
	}
	root, file = writeConf(t, conf+"OIDCRedirectURI /redirect_uri\n")
	if code, _, stderr := runCLI(t, "oidcgate", "configtest", "-f", file, "-d", root); code != 0 {
		t.Errorf("complete relying party: code %d stderr %q", code, stderr)
	}
}
